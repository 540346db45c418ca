// Enforcement agent pages and API: referrals by status (with the senior decision queue), firms,
// performance by firm, the export for a firm (CSV) and the returns import.
import { z } from 'zod';
import type { RouteContext } from '../../web/app.ts';
import { idParam } from '../../web/api.ts';
import { actorOf } from '../../web/guard.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../../errors.ts';
import { bulkRecallSchema, bulkReferSchema, decisionSchema, firmSchema, recallSchema, referSchema, ruleSchema } from './enforcement.service.ts';
import { registerEnforcementPageRoutes } from './enforcement-pages.routes.ts';
import { outcomeSchema, remedySchema } from './remedies.service.ts';

const STATUSES = ['awaiting_decision', 'ready', 'exported', 'with_agent', 'closed', 'refused', 'recalled'] as const;
const checkSchema = z.object({ check: z.string(), outcome: z.string(), detail: z.string() });

export function registerEnforcementRoutes(context: RouteContext) {
  const { app, services, api } = context;
  registerEnforcementPageRoutes(context);
  app.get('/enforcement', { config: { access: 'cases.view' } }, async (request, reply) => {
    const q = request.query as Record<string, string>;
    const status = STATUSES.find((s) => s === q.status) ?? 'awaiting_decision';
    const actor = actorOf(request);
    const [wq, firms, performance, recalls] = await Promise.all([services.workQueues.page(actor, 'enforcement', { ...q, status }), services.enforcement.listFirms(actor), services.enforcement.performance(actor), services.enforcement.pendingRecalls(actor)]);
    return reply.page('enforcement/views/enforcement.njk', { title: 'Enforcement agents', referrals: wq.items, firms, performance, recalls, status, message: q.message, wq });
  });

  app.post('/enforcement/referrals/:referralId/decision', { config: { access: 'enforcement.decide' } }, async (request, reply) => {
    const { referralId } = idParam('referralId').parse(request.params);
    const { _csrf, ...input } = (request.body ?? {}) as Record<string, unknown>;
    void _csrf;
    try {
      await services.enforcement.decide(actorOf(request), referralId, input);
      return reply.redirect(`/enforcement?message=${encodeURIComponent(`Referral ${referralId}: decision recorded`)}`, 303);
    } catch (error) {
      if (error instanceof ValidationError || error instanceof ConflictError || error instanceof ForbiddenError) return reply.redirect(`/enforcement?message=${encodeURIComponent(`Referral ${referralId}: ${error.message}${error instanceof ValidationError ? ` (${error.fields.map((f) => f.message).join('; ')})` : ''}`)}`, 303);
      throw error;
    }
  });

  // Downloads that change state (cases become exported, recalls notified) are POSTs with the CSRF
  // token: a GET could be fetched by a link preview or a prefetch and mark cases as sent.
  app.post('/enforcement/firms/:firmId/export.csv', { config: { access: 'enforcement.refer' } }, async (request, reply) => {
    const { firmId } = idParam('firmId').parse(request.params);
    const result = await services.enforcement.exportForFirm(actorOf(request), firmId);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${result.fileName}"`).send(result.csv);
  });

  app.post('/enforcement/firms/:firmId/recalls.csv', { config: { access: 'enforcement.refer' } }, async (request, reply) => {
    const { firmId } = idParam('firmId').parse(request.params);
    const result = await services.enforcement.recallFileForFirm(actorOf(request), firmId);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${result.fileName}"`).send(result.csv);
  });

  api.add(app, {
    method: 'POST', url: '/api/v1/enforcement/firms', summary: 'Add an enforcement agent firm', tag: 'Enforcement', access: 'enforcement.decide',
    body: firmSchema, response: z.object({ id: z.number() }), successStatus: 201,
    handler: async ({ body, request }) => ({ id: await services.enforcement.addFirm(actorOf(request), body) }),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/accounts/:accountId/enforcement-referrals', summary: 'Refer an account-year under a liability order to a firm (without firmId, the allocation rules choose), after the pre-referral checks (409 when a check blocks)',
    tag: 'Enforcement', access: 'enforcement.refer', params: idParam('accountId'), body: referSchema, successStatus: 201,
    response: z.object({ id: z.number(), status: z.string(), checks: z.array(checkSchema), firmId: z.number(), firmName: z.string(), allocationRuleId: z.number().nullable() }),
    handler: async ({ params, body, request }) => services.enforcement.refer(actorOf(request), params.accountId as number, body),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/accounts/:accountId/enforcement', summary: 'The pre-referral checks for an account as they stand, its years under a liability order and its referrals',
    tag: 'Enforcement', access: 'cases.view', params: idParam('accountId'),
    response: z.object({ checks: z.array(checkSchema), outcome: z.enum(['clear', 'senior', 'blocked']), years: z.array(z.object({ financialYear: z.number(), balancePence: z.number(), live: z.boolean() }).loose()), referrals: z.array(z.record(z.string(), z.unknown())) }),
    handler: async ({ params, request }) => {
      const v = await services.enforcement.preview(actorOf(request), params.accountId as number);
      return { checks: v.checks, outcome: v.outcome, years: v.years, referrals: v.referrals };
    },
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/enforcement/referrals/bulk', summary: 'Refer many account-years by account reference at once (set-based); without firmId the allocation rules choose. Each case comes back referred or with its reason',
    tag: 'Enforcement', access: 'enforcement.refer', body: bulkReferSchema,
    response: z.object({
      referred: z.array(z.object({ accountReference: z.string(), financialYear: z.number(), id: z.number(), status: z.string(), firmId: z.number(), firmName: z.string(), allocationRuleId: z.number().nullable() })),
      notReferred: z.array(z.object({ accountReference: z.string().nullable(), financialYear: z.number(), reason: z.string() })),
    }),
    handler: async ({ body, request }) => services.enforcement.referMany(actorOf(request), body),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/enforcement/referrals/:referralId/recall', summary: 'Recall a live referral from its firm (paid direct, arrangement, vulnerability, hold, complaint, error)',
    tag: 'Enforcement', access: 'enforcement.refer', params: idParam('referralId'), body: recallSchema,
    response: z.object({ id: z.number(), recalled: z.boolean(), firmToBeTold: z.boolean() }),
    handler: async ({ params, body, request }) => services.enforcement.recall(actorOf(request), params.referralId as number, body),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/enforcement/recalls', summary: 'Recall by account reference: every live referral on each account, or the year given',
    tag: 'Enforcement', access: 'enforcement.refer', body: bulkRecallSchema,
    response: z.object({
      recalled: z.array(z.object({ referralId: z.number(), accountReference: z.string(), financialYear: z.number(), firmName: z.string(), firmToBeTold: z.boolean() })),
      notFound: z.array(z.object({ accountReference: z.string(), financialYear: z.number().nullable(), reason: z.string() })),
    }),
    handler: async ({ body, request }) => services.enforcement.recallMany(actorOf(request), body),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/enforcement/firms/:firmId/recalls', summary: 'The firm’s recall file (CSV, docs/formats.md): every recall it has not yet been told of; they become notified',
    tag: 'Enforcement', access: 'enforcement.refer', params: idParam('firmId'), response: z.string(), produces: 'text/csv',
    handler: async ({ params, request }) => (await services.enforcement.recallFileForFirm(actorOf(request), params.firmId as number)).csv,
  });
  const ruleResponse = z.object({ id: z.number(), position: z.number(), fallback: z.boolean(), stream: z.string().nullable(), postcodePrefixes: z.array(z.string()), minBalancePence: z.number().nullable(), maxBalancePence: z.number().nullable(), allocated: z.number(), firms: z.array(z.object({ firmId: z.number(), share: z.number() })) });
  api.add(app, {
    method: 'GET', url: '/api/v1/enforcement/allocation-rules', summary: 'The council’s allocation rules in the order they are checked (the fallback last)', tag: 'Enforcement', access: 'cases.view',
    response: z.object({ rules: z.array(ruleResponse) }),
    handler: async ({ request }) => ({ rules: (await services.enforcement.listRules(actorOf(request))).map(({ authorityId: _a, firmNames: _f, ...r }) => r) }),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/enforcement/allocation-rules', summary: 'Add an allocation rule: conditions (stream, postcode areas or districts, balance band in pence) and the firms sharing its cases',
    tag: 'Enforcement', access: 'enforcement.decide', body: ruleSchema, successStatus: 201, response: z.object({ id: z.number() }),
    handler: async ({ body, request }) => ({ id: await services.enforcement.addRule(actorOf(request), body) }),
  });
  api.add(app, {
    method: 'DELETE', url: '/api/v1/enforcement/allocation-rules/:ruleId', summary: 'Remove an allocation rule', tag: 'Enforcement', access: 'enforcement.decide',
    params: idParam('ruleId'), response: z.object({ removed: z.boolean() }),
    handler: async ({ params, request }) => { await services.enforcement.removeRule(actorOf(request), params.ruleId as number); return { removed: true }; },
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/enforcement/referrals/:referralId/decision', summary: 'A senior officer allows or refuses a referral held for their decision',
    tag: 'Enforcement', access: 'enforcement.decide', params: idParam('referralId'), body: decisionSchema, response: z.object({ decided: z.boolean() }),
    handler: async ({ params, body, request }) => { await services.enforcement.decide(actorOf(request), params.referralId as number, body); return { decided: true }; },
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/enforcement/firms/:firmId/export', summary: 'Export every ready case for the firm (CSV, docs/formats.md); they become exported',
    tag: 'Enforcement', access: 'enforcement.refer', params: idParam('firmId'), response: z.string(), produces: 'text/csv',
    handler: async ({ params, request }) => (await services.enforcement.exportForFirm(actorOf(request), params.firmId as number)).csv,
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/enforcement/returns', summary: 'Import a firm’s returns file (CSV text): payments posted, fees checked against the 2014 scale',
    tag: 'Enforcement', access: 'enforcement.refer', body: z.object({ fileName: z.string().min(1), csv: z.string().min(1) }),
    response: z.object({ applied: z.number(), collectedPence: z.number(), overScale: z.array(z.object({ line: z.number(), referralId: z.number(), feePence: z.number(), scaleFeePence: z.number() })), problems: z.array(z.object({ line: z.number(), message: z.string() })) }),
    handler: async ({ body, request }) => services.enforcement.importReturns(actorOf(request), body.fileName, body.csv),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/accounts/:accountId/remedies', summary: 'Apply for a charging order, bankruptcy or committal: the checks are recorded; refused when one fails, else the court document is issued',
    tag: 'Enforcement', access: 'remedies.manage', params: idParam('accountId'), body: remedySchema, successStatus: 201,
    response: z.object({ id: z.number(), status: z.string(), outstandingPence: z.number(), checks: z.array(z.object({ check: z.string(), passed: z.boolean(), detail: z.string() })), documentId: z.number().nullable() }),
    handler: async ({ params, body, request }) => services.remedies.apply(actorOf(request), params.accountId as number, body),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/remedies/:remedyId/outcome', summary: 'Record the court’s decision on a charging order, bankruptcy or committal application',
    tag: 'Enforcement', access: 'remedies.manage', params: idParam('remedyId'), body: outcomeSchema, response: z.object({ recorded: z.boolean() }),
    handler: async ({ params, body, request }) => { await services.remedies.recordOutcome(actorOf(request), params.remedyId as number, body); return { recorded: true }; },
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/enforcement/performance', summary: 'Performance by firm: referred, paid, returned, collected, average days', tag: 'Enforcement', access: 'cases.view',
    response: z.object({ firms: z.array(z.record(z.string(), z.unknown())) }),
    handler: async ({ request }) => ({ firms: await services.enforcement.performance(actorOf(request)) }),
  });
}
