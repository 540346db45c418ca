import type { Db } from '../../db/database.ts';
import type { Actor } from '../auth/context.ts';

export interface AuditEntry {
  action: string; // view.customer, view.account, create.note, create.user, login.failed …
  entityType?: string;
  entityId?: string | number;
  authorityId?: number | null;
  detail?: Record<string, unknown>;
}

export interface AuditRow {
  id: number;
  at: Date;
  username: string | null;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  detail: Record<string, unknown> | null;
  ip: string | null;
}

export function createAuditRepository(db: Db) {
  return {
    async record(actor: Pick<Actor, 'userId' | 'ip'> | null, entry: AuditEntry, tx: Db = db): Promise<void> {
      await tx.query(
        `insert into audit_log (user_id, authority_id, action, entity_type, entity_id, detail, ip)
         values ($1, $2, $3, $4, $5, $6, $7)`,
        [
          actor?.userId ?? null,
          entry.authorityId ?? null,
          entry.action,
          entry.entityType ?? null,
          entry.entityId === undefined ? null : String(entry.entityId),
          entry.detail ? JSON.stringify(entry.detail) : null,
          actor?.ip ?? null,
        ],
      );
    },

    async recent(filter: { entityType?: string; entityId?: string; limit: number }): Promise<AuditRow[]> {
      return db.query<AuditRow>(
        `select a.id, a.at, u.username, a.action, a.entity_type, a.entity_id, a.detail, a.ip
           from audit_log a left join users u on u.id = a.user_id
          where ($1::text is null or a.entity_type = $1) and ($2::text is null or a.entity_id = $2)
          order by a.id desc limit $3`,
        [filter.entityType ?? null, filter.entityId ?? null, filter.limit],
      );
    },
  };
}
export type AuditRepository = ReturnType<typeof createAuditRepository>;
