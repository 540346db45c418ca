// Holds pages and API: hold an account or a customer, review, end, and the lists.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RouteContext } from '../../web/app.ts';
import { idParam } from '../../web/api.ts';
import { actorOf } from '../../web/guard.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import { HOLD_HINTS, HOLD_LABELS } from '../../domain/recovery/holds.ts';
import { endSchema, HOLD_TYPE_CHOICES, holdSchema, reviewSchema, type HoldTarget } from './holds.service.ts';

const SUBJECTS = [
  { path: 'accounts', param: 'accountId', target: (id: number): HoldTarget => ({ accountId: id }) },
  { path: 'customers', param: 'customerId', target: (id: number): HoldTarget => ({ customerId: id }) },
] as const;

const holdJson = z.object({
  id: z.number(), type: z.string(), label: z.string(), reason: z.string(), reference: z.string().nullable(), accountId: z.number().nullable(), customerId: z.number().nullable(),
  startsOn: z.string(), expiresOn: z.string().nullable(), reviewOn: z.string().nullable(), endedOn: z.string().nullable(), status: z.string(), decidedBy: z.string().nullable(),
});

const STATES = ['open', 'review_due', 'ended'] as const;

export function registerHoldRoutes({ app, services, api }: RouteContext) {
  const toJson = (h: Awaited<ReturnType<typeof services.holds.listHolds>>[number]) => ({
    id: h.id, type: h.type, label: HOLD_LABELS[h.type], reason: h.reason, reference: h.reference, accountId: h.account_id, customerId: h.customer_id,
    startsOn: h.starts_on, expiresOn: h.expires_on, reviewOn: h.review_on, endedOn: h.ended_on, status: h.status, decidedBy: h.decided_by_name,
  });

  app.get('/holds', { config: { access: 'cases.view' } }, async (request, reply) => {
    const q = request.query as Record<string, string>;
    const state = STATES.find((s) => s === q.state) ?? 'open';
    const wq = await services.workQueues.page(actorOf(request), 'holds', { ...q, state });
    return reply.page('holds/views/holds.njk', { title: 'Holds', holds: wq.items, state, labels: HOLD_LABELS, wq });
  });

  const renderHold = async (request: FastifyRequest, reply: FastifyReply, holdId: number, extra: Record<string, unknown> = {}, status = 200) => {
    const view = await services.holds.getHold(actorOf(request), holdId);
    return reply.page('holds/views/hold.njk', { title: HOLD_LABELS[view.hold.type], ...view, labels: HOLD_LABELS, ...extra }, status);
  };

  app.get('/holds/:holdId', { config: { access: 'cases.view' } }, async (request, reply) => {
    const { holdId } = idParam('holdId').parse(request.params);
    return renderHold(request, reply, holdId, { done: (request.query as Record<string, string>).done });
  });

  for (const action of ['review', 'end'] as const) {
    app.post(`/holds/:holdId/${action}`, { config: { access: 'holds.manage' } }, async (request, reply) => {
      const { holdId } = idParam('holdId').parse(request.params);
      const { _csrf, ...input } = (request.body ?? {}) as Record<string, unknown>;
      void _csrf;
      try {
        if (action === 'review') await services.holds.reviewHold(actorOf(request), holdId, input);
        else await services.holds.endHold(actorOf(request), holdId, input);
        return reply.redirect(`/holds/${holdId}?done=${action === 'review' ? 'reviewed' : 'ended'}`, 303);
      } catch (error) {
        if (error instanceof ValidationError) return renderHold(request, reply, holdId, { errors: error.fields, values: input }, 400);
        if (error instanceof ConflictError) return renderHold(request, reply, holdId, { errors: [{ field: action === 'review' ? 'note' : 'reason', message: error.message }], values: input }, 409);
        throw error;
      }
    });
  }

  for (const subject of SUBJECTS) {
    const back = (id: number) => `/${subject.path}/${id}`;
    const url = `/${subject.path}/:${subject.param}/holds/new`;
    const render = async (request: FastifyRequest, reply: FastifyReply, id: number, extra: Record<string, unknown> = {}, status = 200) => {
      const actor = actorOf(request);
      const subjectView = subject.path === 'accounts'
        ? await services.accounts.requireAccount(actor, id).then((a) => ({ heading: `${a.customer_name}, account ${a.reference}`, warnings: a.warnings }))
        : await services.customers.getCustomerView(actor, id).then((v) => ({ heading: v.customer.display_name, warnings: v.customer.warning ? [`${v.customer.display_name}: ${v.customer.warning}`] : [] }));
      return reply.page('holds/views/hold-form.njk', {
        title: 'Hold recovery', backHref: back(id), action: `/${subject.path}/${id}/holds/new`, subject: subjectView, onCustomer: subject.path === 'customers',
        types: HOLD_TYPE_CHOICES, hints: HOLD_HINTS, values: {}, ...extra,
      }, status);
    };
    app.get(url, { config: { access: 'holds.manage' } }, async (request, reply) => render(request, reply, idParam(subject.param).parse(request.params)[subject.param]));
    app.post(url, { config: { access: 'holds.manage' } }, async (request, reply) => {
      const id = idParam(subject.param).parse(request.params)[subject.param];
      const { _csrf, ...input } = (request.body ?? {}) as Record<string, unknown>;
      void _csrf;
      try {
        const holdId = await services.holds.createHold(actorOf(request), subject.target(id), input);
        return reply.redirect(`/holds/${holdId}?done=created`, 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return render(request, reply, id, { errors: error.fields, values: input }, 400);
      }
    });
    api.add(app, {
      method: 'POST', url: `/api/v1/${subject.path}/:${subject.param}/holds`, tag: 'Holds', access: 'holds.manage', successStatus: 201,
      summary: `Hold recovery on ${subject.path === 'accounts' ? 'an account' : 'a customer (every account they are liable on)'}`,
      params: idParam(subject.param), body: holdSchema, response: z.object({ holdId: z.number() }),
      handler: async ({ params, body, request }) => ({ holdId: await services.holds.createHold(actorOf(request), subject.target(params[subject.param] as number), body) }),
    });
  }

  api.add(app, {
    method: 'GET', url: '/api/v1/holds', tag: 'Holds', access: 'cases.view', summary: 'Holds: open (default), due for review, or ended',
    query: z.object({ state: z.enum(STATES).optional() }), response: z.object({ holds: z.array(holdJson) }),
    handler: async ({ query, request }) => ({ holds: (await services.holds.listHolds(actorOf(request), query.state)).map(toJson) }),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/accounts/:accountId/holds', tag: 'Holds', access: 'cases.view', summary: 'Holds on an account and on anyone liable on it',
    params: idParam('accountId'), response: z.object({ holds: z.array(holdJson) }),
    handler: async ({ params, request }) => ({ holds: (await services.holds.holdsForAccount(actorOf(request), params.accountId)).map(toJson) }),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/holds/:holdId', tag: 'Holds', access: 'cases.view', summary: 'A hold with its reviews',
    params: idParam('holdId'), response: holdJson.extend({ reviews: z.array(z.object({ reviewedOn: z.string(), note: z.string(), nextReviewOn: z.string().nullable(), by: z.string().nullable() })) }),
    handler: async ({ params, request }) => {
      const v = await services.holds.getHold(actorOf(request), params.holdId);
      return { ...toJson({ ...v.hold, status: v.status }), reviews: v.reviews.map((r) => ({ reviewedOn: r.reviewed_on, note: r.note, nextReviewOn: r.next_review_on, by: r.reviewed_by_name })) };
    },
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/holds/:holdId/review', tag: 'Holds', access: 'holds.manage', summary: 'Record a review of a hold, with the next review date',
    params: idParam('holdId'), body: reviewSchema, response: z.object({ reviewed: z.boolean() }),
    handler: async ({ params, body, request }) => {
      await services.holds.reviewHold(actorOf(request), params.holdId, body);
      return { reviewed: true };
    },
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/holds/:holdId/end', tag: 'Holds', access: 'holds.manage',
    summary: 'End a hold (recovery resumes with fresh dates); for a mental health crisis Breathing Space, give treatmentEndedOn',
    params: idParam('holdId'), body: endSchema, response: z.object({ ended: z.boolean() }),
    handler: async ({ params, body, request }) => {
      await services.holds.endHold(actorOf(request), params.holdId, body);
      return { ended: true };
    },
  });
}
