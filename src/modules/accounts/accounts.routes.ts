import { z } from 'zod';
import type { RouteContext } from '../../web/app.ts';
import { idParam } from '../../web/api.ts';
import { actorOf } from '../../web/guard.ts';
import { financialYearLabel } from '../../web/render.ts';

const LEDGER_KINDS = ['charge', 'cost', 'payment', 'adjustment', 'refund', 'transfer', 'write_off', 'write_on'];

export function registerAccountRoutes({ app, services, api }: RouteContext) {
  app.get('/accounts/:accountId', { config: { access: 'cases.view' } }, async (request, reply) => {
    const { accountId } = idParam('accountId').parse(request.params);
    const view = await services.accounts.getAccountView(actorOf(request), accountId);
    const kindsPresent = LEDGER_KINDS.filter((k) => view.balances.years.some((y) => k in y.byKind));
    const added = (request.query as Record<string, unknown>).added;
    return reply.page('accounts/views/account.njk', { title: `Account ${view.account.reference}`, ...view, kindsPresent, added });
  });

  api.add(app, {
    method: 'GET',
    url: '/api/v1/accounts',
    summary: 'Find an account by its reference',
    tag: 'Accounts',
    access: 'cases.view',
    query: z.object({ reference: z.string().regex(/^\d{10}$/, 'reference must be 10 digits') }),
    response: z.object({ accountId: z.number().nullable() }),
    handler: async ({ query, request }) => ({ accountId: (await services.accounts.findByReference(actorOf(request), query.reference)) ?? null }),
  });

  api.add(app, {
    method: 'GET',
    url: '/api/v1/accounts/:accountId',
    summary: 'An account: balance by financial year and kind, liability periods and current instalments',
    tag: 'Accounts',
    access: 'cases.view',
    params: idParam('accountId'),
    response: z.object({
      account: z.record(z.string(), z.unknown()),
      balancePence: z.number(),
      years: z.array(z.object({ financialYear: z.string(), byKind: z.record(z.string(), z.number()), balancePence: z.number() })),
      liabilities: z.array(z.object({ id: z.number(), from: z.string(), to: z.string().nullable(), propertyAddress: z.string().nullable(), parties: z.array(z.object({ id: z.number(), name: z.string() })) })),
      instalments: z.array(z.object({ financialYear: z.string(), seq: z.number(), dueDate: z.string(), amountPence: z.number() })),
    }),
    handler: async ({ params, request }) => {
      const view = await services.accounts.getAccountView(actorOf(request), params.accountId);
      return {
        account: view.account,
        balancePence: view.balances.totalPence,
        years: view.balances.years.map((y) => ({ ...y, financialYear: financialYearLabel(y.financialYear) })),
        liabilities: view.liabilities.map((l) => ({ id: l.id, from: l.from_date, to: l.to_date, propertyAddress: l.property_address, parties: l.parties })),
        instalments: view.instalments.map((i) => ({ financialYear: financialYearLabel(i.financial_year), seq: i.seq, dueDate: i.due_date, amountPence: i.amount_pence })),
      };
    },
  });

  api.add(app, {
    method: 'GET',
    url: '/api/v1/accounts/:accountId/ledger',
    summary: 'The account’s ledger entries, newest first (append-only; + is owed, − is credit)',
    tag: 'Accounts',
    access: 'cases.view',
    params: idParam('accountId'),
    response: z.object({ entries: z.array(z.object({
      id: z.number(), kind: z.string(), amountPence: z.number(), financialYear: z.string(), effectiveDate: z.string(),
      postedAt: z.string(), source: z.string(), reason: z.string().nullable(), reversesEntryId: z.number().nullable(),
    })) }),
    handler: async ({ params, request }) => {
      const view = await services.accounts.getAccountView(actorOf(request), params.accountId);
      return {
        entries: view.ledger.map((l) => ({
          id: l.id, kind: l.kind, amountPence: l.amount_pence, financialYear: financialYearLabel(l.financial_year),
          effectiveDate: l.effective_date, postedAt: new Date(l.posted_at).toISOString(), source: l.source, reason: l.reason,
          reversesEntryId: l.reverses_entry_id,
        })),
      };
    },
  });

  api.add(app, {
    method: 'GET',
    url: '/api/v1/accounts/:accountId/events',
    summary: 'The account’s timeline: notes, contacts, bills and recovery steps, newest first',
    tag: 'Accounts',
    access: 'cases.view',
    params: idParam('accountId'),
    response: z.object({ events: z.array(z.object({ id: z.number(), at: z.string(), type: z.string(), summary: z.string(), detail: z.unknown(), by: z.string().nullable() })) }),
    handler: async ({ params, request }) => {
      const view = await services.accounts.getAccountView(actorOf(request), params.accountId);
      return { events: view.timeline.map((e) => ({ id: e.id, at: new Date(e.at).toISOString(), type: e.type, summary: e.summary, detail: e.detail, by: e.by_name })) };
    },
  });
}
