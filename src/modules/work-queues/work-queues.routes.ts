// Work queue routes: the bulk-action form every queue page posts to, and the JSON API for the
// counts, a queue's page, assignment and bulk actions. The queue pages themselves stay in their
// modules and render the shared pieces in views/_queue.njk.
import { z } from 'zod';
import type { RouteContext } from '../../web/app.ts';
import { actorOf } from '../../web/guard.ts';
import { ValidationError } from '../../errors.ts';
import { ASSIGNED_FILTERS, QUEUE_DEFS, QUEUES, isQueue } from './queues.ts';
import { BULK_ACTIONS, describeResult } from './work-queues.service.ts';

const queueParam = z.object({ queue: z.enum(QUEUES) });
const resultSchema = z.object({ done: z.array(z.number()), refused: z.array(z.object({ id: z.number(), reason: z.string() })) });
const idList = z.array(z.number().int().positive()).min(1).max(500);

/** Back to the queue page the form came from (only ever one of the queue's own pages), with the outcome. */
function backTo(queue: keyof typeof QUEUE_DEFS, returnTo: unknown, message: string) {
  const href = QUEUE_DEFS[queue].href;
  const safe = typeof returnTo === 'string' && (returnTo === href || (returnTo.startsWith(`${href}?`) && /^[\w/?=&%.-]+$/.test(returnTo))) ? returnTo : href;
  return `${safe}${safe.includes('?') ? '&' : '?'}wqMessage=${encodeURIComponent(message)}`;
}

export function registerWorkQueueRoutes({ app, services, api }: RouteContext) {
  app.post('/work-queues/:queue/bulk', { config: { access: 'cases.view' } }, async (request, reply) => {
    const { queue } = request.params as { queue: string };
    if (!isQueue(queue)) return reply.callNotFound();
    const body = (request.body ?? {}) as Record<string, unknown>;
    // "Assign to me" on a row names that one item; "every item on this page" takes the page's items.
    const input = body.one ? { action: 'assign_me', ids: [body.one] }
      : { action: body.action, assigneeId: body.assigneeId, ids: body.allOnPage === 'yes' ? body.pageIds : body.ids };
    try {
      const result = await services.workQueues.bulk(actorOf(request), queue, input);
      return reply.redirect(backTo(queue, body.returnTo, describeResult(queue, result)), 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return reply.redirect(backTo(queue, body.returnTo, error.fields.map((f) => f.message).join('; ') || error.message), 303);
    }
  });

  api.add(app, {
    method: 'GET', url: '/api/v1/work-queues', summary: 'The open work on each queue after the liability order: all of it, yours, and no one’s (as on the home page)',
    tag: 'Work queues', access: 'cases.view',
    response: z.object({ queues: z.array(z.object({ queue: z.string(), label: z.string(), href: z.string(), open: z.number(), mine: z.number(), unassigned: z.number() })) }),
    handler: async ({ request }) => ({
      queues: (await services.workQueues.counts(actorOf(request))).map((c) => ({ queue: c.queue, label: c.label, href: c.href, open: c.open, mine: c.mine, unassigned: c.unassigned })),
    }),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/work-queues/:queue', summary: 'A page (50) of a queue’s items with who each is assigned to; filter by status (state for holds) and assigned (anyone, mine, unassigned)',
    tag: 'Work queues', access: 'cases.view', params: queueParam,
    query: z.object({ status: z.string().optional(), state: z.string().optional(), assigned: z.enum(ASSIGNED_FILTERS).optional(), page: z.string().regex(/^\d+$/).optional() }),
    response: z.object({ queue: z.string(), status: z.string(), assigned: z.string(), page: z.number(), pages: z.number(), total: z.number(),
      items: z.array(z.object({ id: z.number(), assignedTo: z.number().nullable(), assignedToName: z.string().nullable() })) }),
    handler: async ({ params, query, request }) => {
      const p = await services.workQueues.page(actorOf(request), params.queue, query ?? {});
      return { queue: p.queue, status: p.status, assigned: p.assigned, page: p.page, pages: p.pages, total: p.total,
        items: p.items.map((i) => ({ id: i.id, assignedTo: i.assigned_to, assignedToName: i.assigned_to_name })) };
    },
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/work-queues/:queue/assign', summary: 'Assign items to an officer of the same council who works the queue (yourself when userId is left out); items not found or of another council are refused',
    tag: 'Work queues', access: 'cases.view', params: queueParam, body: z.object({ ids: idList, userId: z.number().int().positive().optional() }), response: resultSchema,
    handler: async ({ params, body, request }) => services.workQueues.assign(actorOf(request), params.queue, body.ids, body.userId ?? null),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/work-queues/:queue/unassign', summary: 'Unassign items (they go back to no one)',
    tag: 'Work queues', access: 'cases.view', params: queueParam, body: z.object({ ids: idList }), response: resultSchema,
    handler: async ({ params, body, request }) => services.workQueues.unassign(actorOf(request), params.queue, body.ids),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/work-queues/:queue/bulk', summary: 'A bulk action on items (assign_me, assign with assigneeId, unassign; approve on write_offs, each within your delegated limit): what was done and why the rest were refused',
    tag: 'Work queues', access: 'cases.view', params: queueParam,
    body: z.object({ action: z.enum(BULK_ACTIONS), ids: idList, assigneeId: z.number().int().positive().optional() }), response: resultSchema,
    handler: async ({ params, body, request }) => services.workQueues.bulk(actorOf(request), params.queue, body),
  });
}
