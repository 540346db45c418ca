import type { Db } from '../../db/database.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';

export function createAdminService(deps: { db: Db; audit: AuditRepository }) {
  const { db, audit } = deps;
  return {
    listAuthorities: () => db.query<{ id: number; ons_code: string; name: string; nation: string }>(
      'select id, ons_code, name, nation from billing_authorities order by name'),

    async auditTrail(actor: Actor, filter: { entityType?: string; entityId?: string; limit?: number }) {
      requirePermission(actor, 'audit.view');
      return audit.recent({ ...filter, limit: Math.min(filter.limit ?? 200, 1000) });
    },

    /** Figures for the officer's home page. */
    async caseloadSummary(actor: Actor) {
      requirePermission(actor, 'cases.view');
      // Counts only: arrears figures come from the reports module's maintained aggregates, not a
      // scan of the ledger on every home page view.
      const [row] = await db.query<{ accounts: number; customers: number }>(
        `select (select count(*) from accounts where authority_id = any($1::int[])) as accounts,
                (select count(*) from customers where authority_id = any($1::int[])) as customers`,
        [actor.authorityIds],
      );
      return row;
    },
  };
}
