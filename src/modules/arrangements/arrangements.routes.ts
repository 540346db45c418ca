// Pages and API for the work after the liability order: the hub with its queue counts, arrangements
// with their income and expenditure statements, and the monitor.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RouteContext } from '../../web/app.ts';
import { idParam } from '../../web/api.ts';
import { actorOf } from '../../web/guard.ts';
import { ValidationError } from '../../errors.ts';
import { parsePence } from '../../domain/money.ts';
import { SFS_EXPENDITURE, SFS_INCOME, SFS_LABELS, SFS_CATEGORIES } from './affordability.ts';
import { arrangementSchema, monitoringSettingsSchema, statementSchema } from './arrangements.service.ts';

const STATUSES = ['active', 'kept', 'broken', 'cancelled'] as const;

/** Form amounts are pounds ("250.00"); the services take pence. A bad amount names its field. */
function poundsToPence(values: Record<string, unknown>, fields: string[]) {
  const out: Record<string, unknown> = { ...values };
  const problems: { field: string; message: string }[] = [];
  for (const f of fields) {
    const v = typeof values[f] === 'string' ? (values[f] as string).trim() : '';
    if (v === '') { out[f] = undefined; continue; }
    try { out[f] = parsePence(v); } catch { problems.push({ field: f, message: 'Enter an amount in pounds, for example 250.00' }); }
  }
  if (problems.length) throw new ValidationError('Check the amounts', problems);
  return out;
}

export function registerArrangementRoutes({ app, services, api }: RouteContext) {
  app.get('/after-liability-order', { config: { access: 'cases.view' } }, async (request, reply) => {
    // The work queues' counts (one statement), as on the home page, with two figures that are not
    // queues of their own: deductions from benefit running and behind (one aggregate over the DWP
    // monitor) and recalls waiting to go to enforcement firms in their next recall file.
    const actor = actorOf(request);
    const [queues, benefits, recalls] = await Promise.all([
      services.workQueues.counts(actor), services.benefitAttachments.monitorCounts(actor), services.enforcement.pendingRecalls(actor),
    ]);
    return reply.page('arrangements/views/hub.njk', {
      title: 'After the liability order', queues,
      counts: { benefits: benefits.running, benefitShortfalls: benefits.behind, recalls: recalls.reduce((t, r) => t + r.pending, 0) },
    });
  });

  app.get('/tracing', { config: { access: 'cases.view' } }, async (request, reply) => {
    const q = request.query as Record<string, string>;
    const status = (['open', 'traced', 'untraceable'] as const).find((s) => s === q.status) ?? 'open';
    const wq = await services.workQueues.page(actorOf(request), 'tracing', { ...q, status });
    return reply.page('arrangements/views/tracing.njk', { title: 'Tracing', tasks: wq.items, status, wq });
  });

  app.get('/arrangements', { config: { access: 'cases.view' } }, async (request, reply) => {
    const q = request.query as Record<string, string>;
    const status = STATUSES.find((s) => s === q.status) ?? 'active';
    const wq = await services.workQueues.page(actorOf(request), 'arrangements', { ...q, status });
    return reply.page('arrangements/views/arrangements.njk', { title: 'Arrangements', arrangements: wq.items, status, done: q.done, wq });
  });

  app.post('/arrangements/monitor', { config: { access: 'arrangements.manage' } }, async (request, reply) => {
    const result = await services.arrangements.monitor(actorOf(request));
    return reply.redirect(`/arrangements?done=monitored&kept=${result.kept.length}&broken=${result.broken.length}`, 303);
  });

  // The council's monitoring tolerance (managers): grace days and the shortfall allowed.
  const renderSettings = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    const settings = await services.arrangements.monitoringSettings(actorOf(request));
    return reply.page('arrangements/views/settings.njk', { title: 'Arrangement monitoring settings', settings, backHref: '/arrangements', ...extra }, status);
  };
  app.get('/arrangements/settings', { config: { access: 'arrangements.settings' } }, async (request, reply) =>
    renderSettings(request, reply, { saved: (request.query as Record<string, string>).saved }));
  app.post('/arrangements/settings', { config: { access: 'arrangements.settings' } }, async (request, reply) => {
    const { _csrf, ...input } = (request.body ?? {}) as Record<string, unknown>;
    void _csrf;
    try {
      const amounts = poundsToPence(input, ['tolerance']);
      await services.arrangements.saveMonitoringSettings(actorOf(request), { graceDays: input.graceDays, tolerancePence: amounts.tolerance });
      return reply.redirect('/arrangements/settings?saved=1', 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return renderSettings(request, reply, { errors: error.fields.map((f) => ({ ...f, field: f.field === 'tolerancePence' ? 'tolerance' : f.field })), values: input }, 400);
    }
  });

  app.get('/arrangements/:arrangementId', { config: { access: 'cases.view' } }, async (request, reply) => {
    const { arrangementId } = idParam('arrangementId').parse(request.params);
    const view = await services.arrangements.getArrangement(actorOf(request), arrangementId);
    return reply.page('arrangements/views/arrangement.njk', { title: `Arrangement ${arrangementId}`, ...view, created: (request.query as Record<string, string>).created });
  });

  // Income and expenditure, then the arrangement: two forms on the customer.
  const renderStatement = async (request: FastifyRequest, reply: FastifyReply, customerId: number, extra: Record<string, unknown> = {}, status = 200) => {
    const choices = await services.arrangements.arrangementChoices(actorOf(request), customerId);
    return reply.page('arrangements/views/statement-form.njk', {
      title: 'Income and expenditure', customer: choices.customer, income: SFS_INCOME.map((c) => ({ c, label: SFS_LABELS[c] })),
      spending: SFS_EXPENDITURE.map((c) => ({ c, label: SFS_LABELS[c] })), backHref: `/customers/${customerId}`, values: {}, ...extra,
    }, status);
  };
  app.get('/customers/:customerId/income-expenditure/new', { config: { access: 'arrangements.manage' } }, async (request, reply) =>
    renderStatement(request, reply, idParam('customerId').parse(request.params).customerId));
  app.post('/customers/:customerId/income-expenditure/new', { config: { access: 'arrangements.manage' } }, async (request, reply) => {
    const { customerId } = idParam('customerId').parse(request.params);
    const { _csrf, ...input } = (request.body ?? {}) as Record<string, unknown>;
    void _csrf;
    try {
      const lines = poundsToPence(input, [...SFS_CATEGORIES]);
      const statement = await services.arrangements.recordStatement(actorOf(request), customerId, { adults: input.adults || 1, children: input.children || 0, lines: Object.fromEntries(SFS_CATEGORIES.map((c) => [c, lines[c] ?? 0])) });
      return reply.redirect(`/customers/${customerId}/arrangements/new?statementId=${statement.id}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return renderStatement(request, reply, customerId, { errors: error.fields.map((f) => ({ ...f, field: f.field.replace(/^lines\./, '') })), values: input }, 400);
    }
  });

  const renderArrangement = async (request: FastifyRequest, reply: FastifyReply, customerId: number, extra: Record<string, unknown> = {}, status = 200) => {
    const choices = await services.arrangements.arrangementChoices(actorOf(request), customerId);
    return reply.page('arrangements/views/arrangement-form.njk', { title: 'Make an arrangement', ...choices, backHref: `/customers/${customerId}`, values: {}, ...extra }, status);
  };
  app.get('/customers/:customerId/arrangements/new', { config: { access: 'arrangements.manage' } }, async (request, reply) =>
    renderArrangement(request, reply, idParam('customerId').parse(request.params).customerId));
  app.post('/customers/:customerId/arrangements/new', { config: { access: 'arrangements.manage' } }, async (request, reply) => {
    const { customerId } = idParam('customerId').parse(request.params);
    const { _csrf, ...input } = (request.body ?? {}) as Record<string, unknown>;
    void _csrf;
    const accountIds = ([] as unknown[]).concat(input.accountIds ?? []);
    try {
      const amounts = poundsToPence(input, ['instalment']);
      const id = await services.arrangements.createArrangement(actorOf(request), customerId, { ...input, accountIds, instalmentPence: amounts.instalment });
      return reply.redirect(`/arrangements/${id}?created=1`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return renderArrangement(request, reply, customerId, { errors: error.fields.map((f) => ({ ...f, field: f.field === 'instalmentPence' ? 'instalment' : f.field })), values: { ...input, accountIds: accountIds.map(String) } }, 400);
    }
  });

  // JSON API.
  const affordable = z.object({ weekly: z.number(), fortnightly: z.number(), monthly: z.number() });
  api.add(app, {
    method: 'POST', url: '/api/v1/customers/:customerId/income-expenditure', summary: 'Record an income and expenditure statement (SFS categories, monthly pence); returns what is affordable',
    tag: 'Arrangements', access: 'arrangements.manage', params: idParam('customerId'), body: statementSchema, successStatus: 201,
    response: z.object({ id: z.number(), incomePence: z.number(), expenditurePence: z.number(), surplusPence: z.number(), affordable }),
    handler: async ({ params, body, request }) => services.arrangements.recordStatement(actorOf(request), params.customerId as number, body),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/customers/:customerId/arrangements', summary: 'Agree an arrangement across one or more of the customer’s accounts (holds recovery, issues the confirmation letter)',
    tag: 'Arrangements', access: 'arrangements.manage', params: idParam('customerId'), body: arrangementSchema, successStatus: 201,
    response: z.object({ id: z.number() }),
    handler: async ({ params, body, request }) => ({ id: await services.arrangements.createArrangement(actorOf(request), params.customerId as number, body) }),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/arrangements/:arrangementId', summary: 'An arrangement with its instalments and what has been paid',
    tag: 'Arrangements', access: 'cases.view', params: idParam('arrangementId'),
    response: z.object({ arrangement: z.record(z.string(), z.unknown()), instalments: z.array(z.object({ seq: z.number(), due_on: z.string(), amount_pence: z.number() })) }),
    handler: async ({ params, request }) => services.arrangements.getArrangement(actorOf(request), params.arrangementId as number),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/arrangements/monitor', summary: 'Check every active arrangement against payments (as at asOf, default today): kept and broken ones end their holds',
    tag: 'Arrangements', access: 'arrangements.manage', body: z.object({ asOf: z.string().optional() }),
    response: z.object({ asOf: z.string(), kept: z.array(z.number()), broken: z.array(z.number()) }),
    handler: async ({ body, request }) => services.arrangements.monitor(actorOf(request), body?.asOf),
  });
  const settingsJson = z.object({ authorityId: z.number(), graceDays: z.number(), tolerancePence: z.number() });
  const settingsOut = (s: { authority_id: number; arrangement_grace_days: number; arrangement_tolerance_pence: number }) =>
    ({ authorityId: Number(s.authority_id), graceDays: Number(s.arrangement_grace_days), tolerancePence: Number(s.arrangement_tolerance_pence) });
  api.add(app, {
    method: 'GET', url: '/api/v1/arrangements/settings', summary: 'The council’s arrangement monitoring tolerance: days of grace after a due date, and the shortfall allowed before an arrangement is broken',
    tag: 'Arrangements', access: 'cases.view', response: settingsJson,
    handler: async ({ request }) => settingsOut(await services.arrangements.monitoringSettings(actorOf(request))),
  });
  api.add(app, {
    method: 'PUT', url: '/api/v1/arrangements/settings', summary: 'Set the council’s arrangement monitoring tolerance (used by the next monitor run)',
    tag: 'Arrangements', access: 'arrangements.settings', body: monitoringSettingsSchema, response: settingsJson,
    handler: async ({ body, request }) => settingsOut(await services.arrangements.saveMonitoringSettings(actorOf(request), body)),
  });
}
