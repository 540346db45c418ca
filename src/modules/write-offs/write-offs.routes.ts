// Write-off pages and API: the queue (recommended, approved…), approve/reject within the officer's
// delegated limit, write-on, running the rules, and the report as CSV.
import { z } from 'zod';
import type { RouteContext } from '../../web/app.ts';
import { idParam } from '../../web/api.ts';
import { actorOf } from '../../web/guard.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../../errors.ts';
import { DELEGATED_LIMIT_PENCE } from '../auth/roles.ts';
import { WRITE_OFF_REASON_LABELS } from './write-offs.repository.ts';
import { recommendSchema, writeOnSchema } from './write-offs.service.ts';
import { attemptSchema, openTraceSchema, tracedSchema, untraceableSchema } from './tracing.service.ts';

const STATUSES = ['recommended', 'approved', 'rejected', 'written_on'] as const;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function registerWriteOffRoutes({ app, services, api }: RouteContext) {
  app.get('/write-offs', { config: { access: 'cases.view' } }, async (request, reply) => {
    const q = request.query as Record<string, string>;
    const status = STATUSES.find((s) => s === q.status) ?? 'recommended';
    const actor = actorOf(request);
    const wq = await services.workQueues.page(actor, 'write_offs', { ...q, status });
    return reply.page('write-offs/views/write-offs.njk', { title: 'Write-offs', items: wq.items, status, labels: WRITE_OFF_REASON_LABELS, limit: DELEGATED_LIMIT_PENCE[actor.role], message: q.message, today: services.clock.today(), wq });
  });

  app.post('/write-offs/rules', { config: { access: 'write_offs.recommend' } }, async (request, reply) => {
    const { recommended } = await services.writeOffs.applyRules(actorOf(request));
    return reply.redirect(`/write-offs?message=${encodeURIComponent(`${recommended.length} recommended by the rules`)}`, 303);
  });

  for (const action of ['approve', 'reject', 'write-on'] as const) {
    app.post(`/write-offs/:writeOffId/${action}`, { config: { access: 'write_offs.approve' } }, async (request, reply) => {
      const { writeOffId } = idParam('writeOffId').parse(request.params);
      const { _csrf, ...input } = (request.body ?? {}) as Record<string, unknown>;
      void _csrf;
      try {
        if (action === 'approve') await services.writeOffs.approve(actorOf(request), writeOffId, input);
        else if (action === 'reject') await services.writeOffs.reject(actorOf(request), writeOffId, input);
        else await services.writeOffs.writeOn(actorOf(request), writeOffId, input);
        return reply.redirect(`/write-offs?status=${action === 'write-on' ? 'written_on' : action === 'approve' ? 'approved' : 'rejected'}&message=${encodeURIComponent(`Write-off ${writeOffId}: done`)}`, 303);
      } catch (error) {
        if (error instanceof ForbiddenError || error instanceof ConflictError || error instanceof ValidationError) {
          return reply.redirect(`/write-offs?message=${encodeURIComponent(`Write-off ${writeOffId}: ${error.message}`)}`, 303);
        }
        throw error;
      }
    });
  }

  app.get('/write-offs/report.csv', { config: { access: 'cases.view' } }, async (request, reply) => {
    const q = request.query as Record<string, string>;
    const today = services.clock.today();
    const csv = await services.writeOffs.reportCsv(actorOf(request), q.from || `${today.slice(0, 4)}-01-01`, q.to || today);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="write-offs.csv"').send(csv);
  });

  app.get('/write-offs/report.xlsx', { config: { access: 'cases.view' } }, async (request, reply) => {
    const q = request.query as Record<string, string>;
    const today = services.clock.today();
    const body = await services.writeOffs.reportXlsx(actorOf(request), q.from || `${today.slice(0, 4)}-01-01`, q.to || today);
    return reply.type(XLSX).header('content-disposition', 'attachment; filename="write-offs.xlsx"').send(body);
  });

  const row = z.object({ id: z.number(), accountReference: z.string(), financialYear: z.number(), amountPence: z.number(), reason: z.string(), status: z.string() });
  api.add(app, {
    method: 'POST', url: '/api/v1/accounts/:accountId/write-offs', summary: 'Recommend writing off what is owed for a year', tag: 'Write-offs',
    access: 'write_offs.recommend', params: idParam('accountId'), body: recommendSchema, response: z.object({ id: z.number() }), successStatus: 201,
    handler: async ({ params, body, request }) => ({ id: await services.writeOffs.recommend(actorOf(request), params.accountId as number, body) }),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/write-offs', summary: 'Write-offs by status', tag: 'Write-offs', access: 'cases.view',
    query: z.object({ status: z.enum(STATUSES).optional() }), response: z.object({ writeOffs: z.array(row) }),
    handler: async ({ query, request }) => ({
      writeOffs: (await services.writeOffs.list(actorOf(request), query?.status ?? 'recommended')).map((w) => ({ id: Number(w.id), accountReference: w.account_reference, financialYear: w.financial_year, amountPence: Number(w.amount_pence), reason: w.reason, status: w.status })),
    }),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/write-offs/:writeOffId/approve', summary: 'Approve a write-off within your role’s delegated limit (posts a write_off ledger entry)', tag: 'Write-offs',
    access: 'write_offs.approve', params: idParam('writeOffId'), body: z.object({ note: z.string().optional() }), response: z.object({ ledgerEntryId: z.number() }),
    handler: async ({ params, body, request }) => services.writeOffs.approve(actorOf(request), params.writeOffId as number, body ?? {}),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/write-offs/:writeOffId/write-on', summary: 'Reverse an approved write-off (posts a write_on entry reversing it)', tag: 'Write-offs',
    access: 'write_offs.approve', params: idParam('writeOffId'), body: writeOnSchema, response: z.object({ ledgerEntryId: z.number() }),
    handler: async ({ params, body, request }) => services.writeOffs.writeOn(actorOf(request), params.writeOffId as number, body),
  });
  // Tracing.
  api.add(app, {
    method: 'POST', url: '/api/v1/customers/:customerId/trace-tasks', summary: 'Open a trace task (returned mail, gone away, officer); returns the open task if there is one', tag: 'Tracing',
    access: 'tracing.manage', params: idParam('customerId'), body: openTraceSchema, response: z.object({ id: z.number() }), successStatus: 201,
    handler: async ({ params, body, request }) => ({ id: await services.tracing.openTask(actorOf(request), params.customerId as number, body) }),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/trace-tasks', summary: 'Trace tasks by status (the tracing queue)', tag: 'Tracing', access: 'cases.view',
    query: z.object({ status: z.enum(['open', 'traced', 'untraceable']).optional() }),
    response: z.object({ tasks: z.array(z.object({ id: z.number(), customerId: z.number(), customer: z.string(), trigger: z.string(), attempts: z.number() })) }),
    handler: async ({ query, request }) => ({ tasks: (await services.tracing.list(actorOf(request), query?.status)).map((t) => ({ id: Number(t.id), customerId: Number(t.customer_id), customer: t.customer_name, trigger: t.trigger, attempts: t.attempts })) }),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/trace-tasks/:taskId/attempts', summary: 'Record a source tried and whether it found the debtor', tag: 'Tracing',
    access: 'tracing.manage', params: idParam('taskId'), body: attemptSchema, response: z.object({ recorded: z.boolean() }), successStatus: 201,
    handler: async ({ params, body, request }) => { await services.tracing.recordAttempt(actorOf(request), params.taskId as number, body); return { recorded: true }; },
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/trace-tasks/:taskId/traced', summary: 'Close as traced: the new address goes on the customer and recovery restarts', tag: 'Tracing',
    access: 'tracing.manage', params: idParam('taskId'), body: tracedSchema, response: z.object({ addressId: z.number(), accountsWoken: z.number() }),
    handler: async ({ params, body, request }) => services.tracing.traced(actorOf(request), params.taskId as number, body),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/trace-tasks/:taskId/untraceable', summary: 'Close as untraceable (the write-off rules then recommend the debt)', tag: 'Tracing',
    access: 'tracing.manage', params: idParam('taskId'), body: untraceableSchema, response: z.object({ closed: z.boolean() }),
    handler: async ({ params, body, request }) => { await services.tracing.untraceable(actorOf(request), params.taskId as number, body); return { closed: true }; },
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/write-offs/report', summary: 'The write-off report (decisions from..to) as CSV', tag: 'Write-offs', access: 'cases.view',
    query: z.object({ from: z.string(), to: z.string() }), response: z.string(), produces: 'text/csv',
    handler: async ({ query, request }) => services.writeOffs.reportCsv(actorOf(request), query.from, query.to),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/write-offs/report/xlsx', summary: 'The write-off report (decisions from..to) as an Excel workbook: the same rows as the CSV', tag: 'Write-offs', access: 'cases.view',
    query: z.object({ from: z.string(), to: z.string() }), response: z.any(), produces: XLSX,
    handler: async ({ query, request }, reply) => {
      reply.header('content-disposition', `attachment; filename="write-offs-${query.from}-${query.to}.xlsx"`);
      return services.writeOffs.reportXlsx(actorOf(request), query.from, query.to);
    },
  });
}
