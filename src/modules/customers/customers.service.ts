import { z } from 'zod';
import type { Clock } from '../../clock.ts';
import { financialYearOf } from '../../domain/calendar.ts';
import { ValidationError, NotFoundError } from '../../errors.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';
import type { EventsRepository } from '../casework/events.repository.ts';
import type { CustomersRepository, SearchHit } from './customers.repository.ts';

export const searchQuerySchema = z.object({
  q: z.string().trim().min(2, 'Enter at least 2 characters: a name, account reference, address or postcode').max(100, 'Enter 100 characters or fewer'),
});

// A whole or partial UK postcode: outward code, optionally with the start of the inward code.
const POSTCODE = /^[A-Z]{1,2}\d[A-Z\d]?(\s*\d[A-Z]{0,2})?$/i;
const REFERENCE = /^\d[\d\s-]{3,12}$/;
const SEARCH_LIMIT = 50;

export type SearchKind = 'reference' | 'postcode' | 'name or address';

export function createCustomersService(deps: { repo: CustomersRepository; events: EventsRepository; audit: AuditRepository; clock: Clock }) {
  const { repo, events, audit, clock } = deps;
  return {
    /** Search by account reference, postcode, name or address: the officer types, Levy works out which. */
    async search(actor: Actor, rawQuery: string): Promise<{ kind: SearchKind; hits: SearchHit[]; limit: number }> {
      requirePermission(actor, 'cases.view');
      const parsed = searchQuerySchema.safeParse({ q: rawQuery });
      if (!parsed.success) {
        throw new ValidationError('Check your search', [{ field: 'q', message: parsed.error.issues[0].message }]);
      }
      const q = parsed.data.q;
      let kind: SearchKind;
      let hits: SearchHit[];
      if (REFERENCE.test(q)) {
        kind = 'reference';
        hits = await repo.searchByReference(actor.authorityIds, q.replace(/[\s-]/g, ''), SEARCH_LIMIT);
      } else if (POSTCODE.test(q)) {
        kind = 'postcode';
        hits = await repo.searchByPostcode(actor.authorityIds, q.replace(/\s/g, '').toUpperCase(), SEARCH_LIMIT);
      } else {
        kind = 'name or address';
        const words = q.toLowerCase().split(/[\s,]+/).filter((w) => w.length > 0);
        hits = await repo.searchByWords(actor.authorityIds, words, SEARCH_LIMIT);
      }
      await audit.record(actor, { action: 'search', detail: { q, kind, results: hits.length } });
      return { kind, hits, limit: SEARCH_LIMIT };
    },

    /** The single view of debt: the person, where they live, and every account on every stream. */
    async getCustomerView(actor: Actor, customerId: number) {
      requirePermission(actor, 'cases.view');
      const customer = await repo.findCustomer(actor.authorityIds, customerId);
      if (!customer) throw new NotFoundError(`Customer ${customerId} was not found`);
      const [accounts, addresses, timeline] = await Promise.all([
        repo.accountsFor(customerId, financialYearOf(clock.today()).startYear),
        repo.addressesFor(customerId),
        events.forCustomer(customerId, 100),
      ]);
      await audit.record(actor, { action: 'view.customer', entityType: 'customer', entityId: customerId, authorityId: customer.authority_id });
      const totalBalancePence = accounts.reduce((sum, a) => sum + a.balance_pence, 0);
      return { customer, accounts, addresses, timeline, totalBalancePence };
    },
  };
}
export type CustomersService = ReturnType<typeof createCustomersService>;
