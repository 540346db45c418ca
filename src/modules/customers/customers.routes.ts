import { z } from 'zod';
import type { RouteContext } from '../../web/app.ts';
import { idParam } from '../../web/api.ts';
import { actorOf } from '../../web/guard.ts';
import { ValidationError } from '../../errors.ts';
import { checkAccountReference } from '../../domain/account-reference.ts';

const searchHit = z.object({
  customerId: z.number(),
  name: z.string(),
  kind: z.enum(['person', 'business']),
  address: z.string().nullable(),
  postcode: z.string().nullable(),
  references: z.array(z.string()),
  balancePence: z.number(),
  warning: z.string().nullable(),
});

export function registerCustomerRoutes({ app, services, api }: RouteContext) {
  app.get('/', { config: { access: 'cases.view' } }, async (request, reply) => {
    const actor = actorOf(request);
    const [summary, queues] = await Promise.all([services.admin.caseloadSummary(actor), services.workQueues.counts(actor)]);
    return reply.page('customers/views/home.njk', { title: 'Home', summary, queues });
  });

  app.get('/search', { config: { access: 'cases.view' } }, async (request, reply) => {
    const q = String((request.query as Record<string, unknown>).q ?? '');
    if (!q) return reply.page('customers/views/search.njk', { title: 'Search' });
    const actor = actorOf(request);
    try {
      const result = await services.customers.search(actor, q);
      // A full, valid reference that matches one account goes straight to it, as officers expect.
      const check = checkAccountReference(q);
      if (check.valid) {
        const accountId = await services.accounts.findByReference(actor, check.reference);
        if (accountId) return reply.redirect(`/accounts/${accountId}`);
      }
      return reply.page('customers/views/search.njk', { title: `Search results for ${q}`, q, ...result });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return reply.page('customers/views/search.njk', { title: 'Search', q, errors: error.fields }, 400);
    }
  });

  app.get('/customers/:customerId', { config: { access: 'cases.view' } }, async (request, reply) => {
    const { customerId } = idParam('customerId').parse(request.params);
    const view = await services.customers.getCustomerView(actorOf(request), customerId);
    const added = (request.query as Record<string, unknown>).added;
    return reply.page('customers/views/customer.njk', { title: view.customer.display_name, ...view, added });
  });

  api.add(app, {
    method: 'GET',
    url: '/api/v1/customers',
    summary: 'Search customers by name, account reference, address or postcode',
    tag: 'Customers',
    access: 'cases.view',
    query: z.object({ q: z.string() }),
    response: z.object({ kind: z.string(), limit: z.number(), results: z.array(searchHit) }),
    handler: async ({ query, request }) => {
      const { kind, hits, limit } = await services.customers.search(actorOf(request), query.q);
      return {
        kind,
        limit,
        results: hits.map((h) => ({
          customerId: h.customer_id, name: h.display_name, kind: h.kind, address: h.address, postcode: h.postcode,
          references: h.references, balancePence: h.balance_pence, warning: h.warning,
        })),
      };
    },
  });

  api.add(app, {
    method: 'GET',
    url: '/api/v1/customers/:customerId',
    summary: 'A customer with every account on every stream (the single view of debt)',
    tag: 'Customers',
    access: 'cases.view',
    params: idParam('customerId'),
    response: z.object({
      customer: z.record(z.string(), z.unknown()),
      addresses: z.array(z.record(z.string(), z.unknown())),
      accounts: z.array(z.object({
        accountId: z.number(), reference: z.string(), stream: z.string(), status: z.string(), paymentMethod: z.string(),
        propertyAddress: z.string().nullable(), balancePence: z.number(),
      })),
      totalBalancePence: z.number(),
    }),
    handler: async ({ params, request }) => {
      const view = await services.customers.getCustomerView(actorOf(request), params.customerId);
      return {
        customer: view.customer,
        addresses: view.addresses,
        accounts: view.accounts.map((a) => ({
          accountId: a.id, reference: a.reference, stream: a.stream, status: a.status, paymentMethod: a.payment_method,
          propertyAddress: a.property_address, balancePence: a.balance_pence,
        })),
        totalBalancePence: view.totalBalancePence,
      };
    },
  });
}
