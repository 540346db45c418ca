// Enforcement pages reached from an account and the allocation rules: the account's enforcement page
// (pre-referral checks, refer, recall, remedies and their court documents), the charging order,
// bankruptcy and committal workflows, and the council's allocation rules. The JSON API for the same
// use cases is in enforcement.routes.ts.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from '../../web/app.ts';
import { idParam } from '../../web/api.ts';
import { actorOf } from '../../web/guard.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import { formatPence, parsePence } from '../../domain/money.ts';
import { financialYearLabel } from '../../web/render.ts';
import { RECALL_REASONS, RECALL_REASON_LABELS } from './enforcement.service.ts';
import { REMEDY_KINDS, type RemedyKind } from './remedies.service.ts';

const REMEDY_NAMES: Record<RemedyKind, string> = { charging_order: 'Charging order', bankruptcy: 'Bankruptcy petition', committal: 'Committal to prison' };

const formOf = (request: FastifyRequest) => {
  const { _csrf, ...input } = (request.body ?? {}) as Record<string, unknown>;
  void _csrf;
  return input;
};
const messageOf = (error: ValidationError | ConflictError) =>
  `${error.message}${error instanceof ValidationError && error.fields.length ? `: ${error.fields.map((f) => f.message).join('; ')}` : ''}`;
/** A local path to come back to (never another site). */
const safeReturn = (value: unknown, fallback: string) => (typeof value === 'string' && /^\/[a-z]/.test(value) ? value : fallback);

/** Rule form: amounts in pounds, a share box per firm (blank: not in the rule). */
function ruleInput(form: Record<string, unknown>) {
  const problems: { field: string; message: string }[] = [];
  const pence = (name: string) => {
    const v = typeof form[name] === 'string' ? (form[name] as string).trim() : '';
    if (v === '') return undefined;
    try { return parsePence(v); } catch { problems.push({ field: name === 'minBalance' ? 'minBalancePence' : 'maxBalancePence', message: 'Enter an amount in pounds, for example 1000.00' }); return undefined; }
  };
  const firms = Object.entries(form).filter(([k, v]) => k.startsWith('share_') && typeof v === 'string' && v.trim() !== '').map(([k, v]) => ({ firmId: Number(k.slice(6)), share: (v as string).trim() }));
  const input = { position: form.position, fallback: form.fallback, stream: form.stream, postcodePrefixes: form.postcodePrefixes ?? '', minBalancePence: pence('minBalance'), maxBalancePence: pence('maxBalance'), firms };
  if (problems.length) throw new ValidationError('Check the rule', problems);
  return input;
}

export function registerEnforcementPageRoutes({ app, services }: RouteContext) {
  // ----- the account's enforcement page ----------------------------------------------------------

  const renderAccount = async (request: FastifyRequest, reply: FastifyReply, accountId: number, extra: Record<string, unknown> = {}, status = 200) => {
    const actor = actorOf(request);
    const [view, firms, remedies] = await Promise.all([services.enforcement.preview(actor, accountId), services.enforcement.listFirms(actor), services.remedies.forAccount(actor, accountId)]);
    const values = (extra.values ?? {}) as Record<string, unknown>;
    return reply.page('enforcement/views/account-enforcement.njk', {
      title: `Enforcement: account ${view.account.reference}`, ...view, remedies,
      referable: view.years.filter((y) => !y.live && y.balancePence > 0).map((y) => ({ value: y.financialYear, text: `${financialYearLabel(y.financialYear)}: ${formatPence(y.balancePence)} owed`, checked: String(values.financialYear) === String(y.financialYear) })),
      firmItems: [{ value: '', text: 'Choose by the allocation rules' }, ...firms.filter((f) => f.active).map((f) => ({ value: f.id, text: f.name, selected: String(values.firmId) === String(f.id) }))],
      reasons: RECALL_REASONS.map((r) => ({ value: r, text: RECALL_REASON_LABELS[r] })), remedyKinds: REMEDY_KINDS.map((k) => ({ kind: k, name: REMEDY_NAMES[k] })),
      values: {}, message: (request.query as Record<string, string>).message, ...extra,
    }, status);
  };

  app.get('/accounts/:accountId/enforcement', { config: { access: 'cases.view' } }, async (request, reply) =>
    renderAccount(request, reply, idParam('accountId').parse(request.params).accountId));

  app.post('/accounts/:accountId/enforcement/refer', { config: { access: 'enforcement.refer' } }, async (request, reply) => {
    const { accountId } = idParam('accountId').parse(request.params);
    const input = formOf(request);
    try {
      const r = await services.enforcement.refer(actorOf(request), accountId, input);
      const text = r.status === 'ready' ? `Referred to ${r.firmName}${r.allocationRuleId ? ' (by the allocation rules)' : ''}: it goes in the firm’s next export` : `Referral to ${r.firmName} is waiting for a senior officer’s decision`;
      return reply.redirect(`/accounts/${accountId}/enforcement?message=${encodeURIComponent(text)}`, 303);
    } catch (error) {
      if (error instanceof ValidationError) return renderAccount(request, reply, accountId, { errors: error.fields.length ? error.fields : [{ field: 'financialYear', message: error.message }], values: input }, 400);
      if (error instanceof ConflictError) return renderAccount(request, reply, accountId, { errors: [{ field: 'financialYear', message: error.message }], values: input }, 409);
      throw error;
    }
  });

  app.post('/enforcement/referrals/:referralId/recall', { config: { access: 'enforcement.refer' } }, async (request, reply) => {
    const { referralId } = idParam('referralId').parse(request.params);
    const { returnTo, ...input } = formOf(request);
    const back = safeReturn(returnTo, '/enforcement?status=recalled');
    const join = back.includes('?') ? '&' : '?';
    try {
      const r = await services.enforcement.recall(actorOf(request), referralId, input);
      return reply.redirect(`${back}${join}message=${encodeURIComponent(`Referral ${referralId} recalled${r.firmToBeTold ? ': the firm is told in its next recall file' : ''}`)}`, 303);
    } catch (error) {
      if (error instanceof ValidationError || error instanceof ConflictError) return reply.redirect(`${back}${join}message=${encodeURIComponent(`Referral ${referralId} not recalled. ${messageOf(error)}`)}`, 303);
      throw error;
    }
  });

  // ----- charging order, bankruptcy, committal -------------------------------------------------

  const renderRemedy = async (request: FastifyRequest, reply: FastifyReply, accountId: number, kind: RemedyKind, values: Record<string, unknown>, extra: Record<string, unknown> = {}, status = 200) => {
    const view = await services.remedies.preview(actorOf(request), accountId, { kind, meansInquiryOn: values.meansInquiryOn ?? '', finding: values.finding ?? '' });
    return reply.page('enforcement/views/remedy-form.njk', { ...view, title: REMEDY_NAMES[kind], documentTitle: view.title, name: REMEDY_NAMES[kind], values, ...extra }, status);
  };
  const kindOf = (request: FastifyRequest): RemedyKind | undefined => REMEDY_KINDS.find((k) => k === (request.params as Record<string, string>).kind);

  app.get('/accounts/:accountId/remedies/:kind', { config: { access: 'cases.view' } }, async (request, reply) => {
    const kind = kindOf(request);
    if (!kind) return reply.callNotFound();
    const { accountId } = idParam('accountId').parse(request.params);
    const q = request.query as Record<string, string>;
    try {
      return await renderRemedy(request, reply, accountId, kind, { meansInquiryOn: q.meansInquiryOn, finding: q.finding });
    } catch (error) {
      // A bad date typed into the "check again" form: show the checks without it, and the error.
      if (error instanceof ValidationError) return renderRemedy(request, reply, accountId, kind, {}, { errors: error.fields }, 400);
      throw error;
    }
  });

  app.post('/accounts/:accountId/remedies/:kind', { config: { access: 'remedies.manage' } }, async (request, reply) => {
    const kind = kindOf(request);
    if (!kind) return reply.callNotFound();
    const { accountId } = idParam('accountId').parse(request.params);
    const input = formOf(request);
    try {
      const r = await services.remedies.apply(actorOf(request), accountId, { ...input, kind });
      const text = r.status === 'applied' ? `${REMEDY_NAMES[kind]}: the checks pass and the document for the court is ready` : `${REMEDY_NAMES[kind]}: refused at the checks, and recorded`;
      return reply.redirect(`/accounts/${accountId}/enforcement?message=${encodeURIComponent(text)}#remedies`, 303);
    } catch (error) {
      if (error instanceof ValidationError) return renderRemedy(request, reply, accountId, kind, {}, { errors: error.fields, values: input }, 400);
      throw error;
    }
  });

  app.post('/remedies/:remedyId/outcome', { config: { access: 'remedies.manage' } }, async (request, reply) => {
    const { remedyId } = idParam('remedyId').parse(request.params);
    const { returnTo, ...input } = formOf(request);
    const back = safeReturn(returnTo, '/after-liability-order');
    const join = back.includes('?') ? '&' : '?';
    try {
      await services.remedies.recordOutcome(actorOf(request), remedyId, input);
      return reply.redirect(`${back}${join}message=${encodeURIComponent(`Application ${remedyId}: the court’s decision is recorded`)}#remedies`, 303);
    } catch (error) {
      if (error instanceof ValidationError || error instanceof ConflictError) return reply.redirect(`${back}${join}message=${encodeURIComponent(`Application ${remedyId}: ${messageOf(error)}`)}#remedies`, 303);
      throw error;
    }
  });

  // ----- allocation rules ---------------------------------------------------------------------

  const renderRules = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    const actor = actorOf(request);
    const [rules, firms] = await Promise.all([services.enforcement.listRules(actor), services.enforcement.listFirms(actor)]);
    return reply.page('enforcement/views/allocation-rules.njk', { title: 'Allocation rules', rules, firms: firms.filter((f) => f.active), values: {}, message: (request.query as Record<string, string>).message, ...extra }, status);
  };
  app.get('/enforcement/allocation-rules', { config: { access: 'cases.view' } }, async (request, reply) => renderRules(request, reply));

  app.post('/enforcement/allocation-rules', { config: { access: 'enforcement.decide' } }, async (request, reply) => {
    const form = formOf(request);
    try {
      const id = await services.enforcement.addRule(actorOf(request), ruleInput(form));
      return reply.redirect(`/enforcement/allocation-rules?message=${encodeURIComponent(`Rule ${id} added`)}`, 303);
    } catch (error) {
      if (error instanceof ValidationError) return renderRules(request, reply, { errors: error.fields.length ? error.fields : [{ field: 'stream', message: error.message }], values: form }, 400);
      if (error instanceof ConflictError) return renderRules(request, reply, { errors: [{ field: 'fallback', message: error.message }], values: form }, 409);
      throw error;
    }
  });

  app.post('/enforcement/allocation-rules/:ruleId/remove', { config: { access: 'enforcement.decide' } }, async (request, reply) => {
    const { ruleId } = idParam('ruleId').parse(request.params);
    await services.enforcement.removeRule(actorOf(request), ruleId);
    return reply.redirect(`/enforcement/allocation-rules?message=${encodeURIComponent(`Rule ${ruleId} removed`)}`, 303);
  });
}
