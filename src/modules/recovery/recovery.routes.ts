// Recovery pages and API: runs (preview, approval, items), the stage pipeline, timetables, and each
// account's recovery section on the account page.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RouteContext } from '../../web/app.ts';
import { idParam } from '../../web/api.ts';
import { actorOf } from '../../web/guard.ts';
import { can } from '../auth/roles.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import { POSITION_LABELS } from '../../domain/recovery/evaluate.ts';
import { HOLD_LABELS } from '../../domain/recovery/holds.ts';
import { STAGE_LABELS, STAGES } from '../../domain/recovery/timetable.ts';
import { timetableSchema } from './recovery.service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Extra context for the page a route renders, added by other modules' hooks (e.g. recovery on the account page). */
    pageContext?: Record<string, unknown>;
  }
}

const ITEM_KINDS = ['action', 'record', 'held', 'exception'] as const;
const KIND_LABELS: Record<(typeof ITEM_KINDS)[number], string> = { action: 'Notices and steps', record: 'Outcomes recorded', held: 'Held', exception: 'Exceptions' };

const labels = { stage: STAGE_LABELS, position: POSITION_LABELS, hold: HOLD_LABELS, kind: KIND_LABELS };

const decisionSchema = z.object({
  financialYear: z.string(),
  position: z.string(),
  positionLabel: z.string(),
  held: z.boolean(),
  holds: z.array(z.object({ type: z.string(), reason: z.string() })),
  nextAction: z.object({ description: z.string(), on: z.string().nullable() }).nullable(),
  due: z.array(z.object({ stage: z.string(), payBy: z.string().nullable(), demandPence: z.number(), costsPence: z.number() })),
  exception: z.string().nullable(),
  reason: z.string(),
  balancePence: z.number(),
});

const runSummary = z.object({ runId: z.number(), authority: z.string(), asOf: z.string(), status: z.string(), report: z.unknown(), issueReport: z.unknown().nullable(), approvedBy: z.string().nullable() });

export function registerRecoveryRoutes({ app, services, api }: RouteContext) {
  // The account page's recovery section: where each year stands and what happens next, the steps
  // taken and the holds. Added to the page's context so the account module need not know recovery.
  app.addHook('preHandler', async (request: FastifyRequest) => {
    if (request.method !== 'GET' || !request.actor || !can(request.actor.role, 'cases.view')) return;
    const route = request.routeOptions.url;
    if (route === '/accounts/:accountId') {
      const accountId = Number((request.params as { accountId: string }).accountId);
      if (!Number.isSafeInteger(accountId) || accountId <= 0) return;
      try {
        const [recovery, holds] = await Promise.all([services.recovery.accountRecovery(request.actor, accountId), services.holds.holdsForAccount(request.actor, accountId)]);
        request.pageContext = { ...request.pageContext, recovery, holds, recoveryLabels: labels };
      } catch {
        // The account route itself reports a missing account.
      }
    } else if (route === '/customers/:customerId') {
      const customerId = Number((request.params as { customerId: string }).customerId);
      if (!Number.isSafeInteger(customerId) || customerId <= 0) return;
      try {
        request.pageContext = { ...request.pageContext, customerHolds: await services.holds.holdsForCustomer(request.actor, customerId), recoveryLabels: labels };
      } catch {
        // as above
      }
    }
  });

  app.get('/recovery', { config: { access: 'cases.view' } }, async (request, reply) => {
    const actor = actorOf(request);
    const [runs, pipeline] = await Promise.all([services.recovery.listRuns(actor, 20), services.recovery.pipeline(actor)]);
    const open = runs.find((r) => r.status === 'awaiting_approval' || r.status === 'issuing');
    return reply.page('recovery/views/recovery.njk', { title: 'Recovery', runs, pipeline, open, today: services.clock.today(), labels });
  });

  app.post('/recovery/runs', { config: { access: 'recovery.run' } }, async (request, reply) => {
    const actor = actorOf(request);
    const body = (request.body ?? {}) as Record<string, string>;
    try {
      const result = await services.recovery.preview(actor, { asOf: body.asOf, authorityId: body.authorityId ? Number(body.authorityId) : undefined });
      return reply.redirect(`/recovery/runs/${result.runId}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError) && !(error instanceof ConflictError)) throw error;
      const [runs, pipeline] = await Promise.all([services.recovery.listRuns(actor, 20), services.recovery.pipeline(actor)]);
      const errors = error instanceof ValidationError && error.fields.length ? error.fields : [{ field: 'asOf', message: error.message }];
      return reply.page('recovery/views/recovery.njk', { title: 'Recovery', runs, pipeline, today: services.clock.today(), labels, errors, values: body, open: runs.find((r) => r.status === 'awaiting_approval' || r.status === 'issuing') }, 400);
    }
  });

  app.get('/recovery/runs/:runId', { config: { access: 'cases.view' } }, async (request, reply) => {
    const { runId } = idParam('runId').parse(request.params);
    const run = await services.recovery.getRun(actorOf(request), runId);
    const q = request.query as Record<string, string | undefined>;
    return reply.page('recovery/views/run.njk', { title: `Recovery run ${runId}`, run, labels, done: q.done });
  });

  app.get('/recovery/runs/:runId/items', { config: { access: 'cases.view' } }, async (request, reply) => {
    const { runId } = idParam('runId').parse(request.params);
    const q = request.query as Record<string, string | undefined>;
    const kind = ITEM_KINDS.find((k) => k === q.kind);
    const stage = STAGES.find((s) => s === q.stage);
    const page = Math.max(1, Number(q.page) || 1);
    const actor = actorOf(request);
    const [run, items] = await Promise.all([services.recovery.getRun(actor, runId), services.recovery.runItems(actor, runId, { kind, stage, page, pageSize: 100 })]);
    const heading = `${kind ? KIND_LABELS[kind] : 'Everything in the run'}${stage ? `: ${STAGE_LABELS[stage]}` : ''}`;
    return reply.page('recovery/views/run-items.njk', { title: `${heading} – run ${runId}`, heading, run, ...items, kind, stage, labels, pages: Math.max(1, Math.ceil(items.total / items.pageSize)) });
  });

  for (const action of ['approve', 'cancel', 'resume'] as const) {
    app.post(`/recovery/runs/:runId/${action}`, { config: { access: action === 'approve' ? 'recovery.approve' : 'recovery.run' } }, async (request, reply) => {
      const { runId } = idParam('runId').parse(request.params);
      const actor = actorOf(request);
      if (action === 'approve') await services.recovery.approve(actor, runId);
      else if (action === 'resume') await services.recovery.resume(actor, runId);
      else await services.recovery.cancel(actor, runId);
      return reply.redirect(`/recovery/runs/${runId}?done=${action}`, 303);
    });
  }

  app.get('/recovery/pipeline', { config: { access: 'cases.view' } }, async (request, reply) => {
    const actor = actorOf(request);
    const q = request.query as Record<string, string | undefined>;
    const position = Object.keys(POSITION_LABELS).find((p) => p === q.position);
    const held = q.held === 'yes' ? true : undefined;
    const exception = q.exception === 'yes' ? true : undefined;
    const [pipeline, cases] = await Promise.all([
      services.recovery.pipeline(actor),
      position || held || exception ? services.recovery.casesAt(actor, { position, held, exception }) : Promise.resolve(null),
    ]);
    const heading = position ? POSITION_LABELS[position as keyof typeof POSITION_LABELS] : held ? 'Held' : exception ? 'Exceptions' : null;
    return reply.page('recovery/views/pipeline.njk', { title: heading ? `Recovery: ${heading}` : 'Recovery pipeline', pipeline, cases, heading, labels });
  });

  app.get('/recovery/timetables', { config: { access: 'cases.view' } }, async (request, reply) => {
    const timetables = await services.recovery.timetables(actorOf(request));
    return reply.page('recovery/views/timetables.njk', { title: 'Recovery timetables', timetables, labels });
  });

  // ---------------------------------------------------------------------------------------------
  // JSON API

  const toRun = (r: Awaited<ReturnType<typeof services.recovery.getRun>>) => ({
    runId: r.batch_run_id, authority: r.authority_name, asOf: r.as_of, status: r.status, report: r.report, issueReport: r.issue_report, approvedBy: r.approved_by_name,
  });

  api.add(app, {
    method: 'POST', url: '/api/v1/recovery/runs', tag: 'Recovery', access: 'recovery.run', successStatus: 201,
    summary: 'Start a recovery run: the preview of every stage due on the as-of date (dryRun: report only, record nothing)',
    body: z.object({ asOf: z.string(), authorityId: z.number().int().positive().optional(), dryRun: z.boolean().optional() }),
    response: z.object({ runId: z.number().nullable(), status: z.string(), report: z.unknown() }),
    handler: async ({ body, request }) => services.recovery.preview(actorOf(request), body),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/recovery/runs', tag: 'Recovery', access: 'cases.view', summary: 'Recent recovery runs, newest first',
    response: z.object({ runs: z.array(runSummary) }),
    handler: async ({ request }) => ({ runs: (await services.recovery.listRuns(actorOf(request))).map(toRun) }),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/recovery/runs/:runId', tag: 'Recovery', access: 'cases.view', summary: 'A recovery run: its preview report, status and what it issued',
    params: idParam('runId'), response: runSummary,
    handler: async ({ params, request }) => toRun(await services.recovery.getRun(actorOf(request), params.runId)),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/recovery/runs/:runId/items', tag: 'Recovery', access: 'cases.view',
    summary: 'The account-years in a run with their stage, amount and reason (kind: action, record, held, exception)',
    params: idParam('runId'),
    query: z.object({ kind: z.enum(ITEM_KINDS).optional(), stage: z.enum(STAGES).optional(), page: z.coerce.number().int().positive().optional() }),
    response: z.object({ total: z.number(), page: z.number(), pageSize: z.number(), items: z.array(z.object({
      accountId: z.number(), reference: z.string(), customer: z.string(), financialYear: z.number(), kind: z.string(), stages: z.array(z.string()),
      amountPence: z.number(), costsPence: z.number(), reason: z.string(), status: z.string(), result: z.string().nullable(),
    })) }),
    handler: async ({ params, query, request }) => {
      const r = await services.recovery.runItems(actorOf(request), params.runId, query);
      return {
        total: r.total, page: r.page, pageSize: r.pageSize,
        items: r.items.map((i) => ({ accountId: i.account_id, reference: i.account_reference, customer: i.customer_name, financialYear: i.financial_year, kind: i.kind, stages: i.stages, amountPence: i.amount_pence, costsPence: i.costs_pence, reason: i.reason, status: i.status, result: i.result })),
      };
    },
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/recovery/runs/:runId/approve', tag: 'Recovery', access: 'recovery.approve',
    summary: 'Approve a run awaiting approval (a senior officer): its notices are issued, costs posted, steps recorded',
    params: idParam('runId'), response: z.object({ runId: z.number(), status: z.string(), issueReport: z.unknown() }),
    handler: async ({ params, request }) => services.recovery.approve(actorOf(request), params.runId),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/recovery/runs/:runId/resume', tag: 'Recovery', access: 'recovery.run',
    summary: 'Finish a run a crash interrupted while issuing (each notice still goes exactly once)',
    params: idParam('runId'), response: z.object({ runId: z.number(), status: z.string(), issueReport: z.unknown() }),
    handler: async ({ params, request }) => services.recovery.resume(actorOf(request), params.runId),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/recovery/runs/:runId/cancel', tag: 'Recovery', access: 'recovery.run', summary: 'Cancel a run awaiting approval',
    params: idParam('runId'), response: z.object({ cancelled: z.boolean() }),
    handler: async ({ params, request }) => {
      await services.recovery.cancel(actorOf(request), params.runId);
      return { cancelled: true };
    },
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/recovery/pipeline', tag: 'Recovery', access: 'cases.view', summary: 'Account-years at each recovery stage, per stream, with balances',
    response: z.object({ streams: z.array(z.object({ stream: z.string(), stages: z.array(z.object({ position: z.string(), label: z.string(), count: z.number(), held: z.number(), balancePence: z.number() })) })) }),
    handler: async ({ request }) => ({ streams: await services.recovery.pipeline(actorOf(request)) }),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/accounts/:accountId/recovery', tag: 'Recovery', access: 'cases.view',
    summary: 'Where each year of an account stands today, what happens next and when, and the recovery steps taken',
    params: idParam('accountId'),
    response: z.object({ years: z.array(decisionSchema), steps: z.array(z.object({ financialYear: z.number(), stage: z.string(), issuedOn: z.string(), payBy: z.string().nullable(), amountPence: z.number(), costsPence: z.number(), outcome: z.string().nullable(), reason: z.string(), documentId: z.number().nullable() })) }),
    handler: async ({ params, request }) => {
      const r = await services.recovery.accountRecovery(actorOf(request), params.accountId);
      return {
        years: r.years.map((y) => ({
          financialYear: `${y.financialYear}/${String((y.financialYear + 1) % 100).padStart(2, '0')}`, position: y.decision.position, positionLabel: y.positionLabel,
          held: Boolean(y.decision.held), holds: (y.decision.held?.holds ?? []).map((h) => ({ type: h.type, reason: h.reason })), nextAction: y.decision.nextAction,
          due: y.decision.actions.map((a) => ({ stage: a.stage, payBy: a.payBy, demandPence: a.demandPence, costsPence: a.costsPence })),
          exception: y.decision.exception, reason: y.decision.reason, balancePence: y.decision.balancePence,
        })),
        steps: r.steps.map((s) => ({ financialYear: s.financial_year, stage: s.stage, issuedOn: s.issued_on, payBy: s.pay_by, amountPence: s.amount_pence, costsPence: s.costs_pence, outcome: s.outcome, reason: s.reason, documentId: s.document_id })),
      };
    },
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/recovery/timetables', tag: 'Recovery', access: 'cases.view', summary: 'Recovery timetables per authority and stream, effective-dated, with any problems against the law',
    response: z.object({ timetables: z.array(z.unknown()) }),
    handler: async ({ request }) => ({ timetables: await services.recovery.timetables(actorOf(request)) }),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/recovery/timetables', tag: 'Recovery', access: 'recovery.configure', successStatus: 201,
    summary: 'Add a council’s own timetable for a stream from a date (checked against the regulations and the letters Levy has)',
    body: timetableSchema.extend({ authorityId: z.number().int().positive() }),
    response: z.object({ timetableId: z.number() }),
    handler: async ({ body, request }) => ({ timetableId: await services.recovery.addTimetable(actorOf(request), body.authorityId, body) }),
  });
}
