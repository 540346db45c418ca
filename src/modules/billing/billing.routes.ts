// Billing pages and JSON API: properties and their history, an account's charges and bills, the
// move-in and move-out journeys, awards, payment preferences, the annual run, the council's
// charges and VOA schedules. Pages and API call the same services.
import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RouteContext } from '../../web/app.ts';
import { idParam } from '../../web/api.ts';
import { actorOf } from '../../web/guard.ts';
import { LevyError, ValidationError, type FieldProblem } from '../../errors.ts';
import { financialYearOf, formatFinancialYear } from '../../domain/calendar.ts';
import { parsePence } from '../../domain/money.ts';
import type { Actor } from '../auth/context.ts';
import { COUNCIL_TAX_BANDS, bandAnnualAmount } from '../../domain/council-tax-bands.ts';
import { REDUCTION_CODES, reductionCode } from './reductions.ts';
import { parseYear } from './billing.service.ts';
import { createJourneyStore, firstUnanswered, liableOn, longDate, nextStep, ordinal, readDateInput, stepsFor, type JourneyData, type JourneyKind } from './journeys.ts';

const yearText = (y: number) => formatFinancialYear({ startYear: y });
const body = (request: FastifyRequest) => {
  const { _csrf, ...rest } = (request.body ?? {}) as Record<string, unknown>;
  void _csrf;
  return rest;
};
const banner = (request: FastifyRequest) => {
  const q = request.query as Record<string, string | undefined>;
  return q.done ? String(q.done).slice(0, 200) : undefined;
};
/** The authority a page or call is about: ?authorityId=…, else the officer's first. */
function authorityOf(actor: Actor, query: unknown): number {
  const wanted = Number((query as Record<string, unknown>)?.authorityId);
  if (Number.isInteger(wanted) && actor.authorityIds.includes(wanted)) return wanted;
  if (!actor.authorityIds.length) throw new ValidationError('You do not work on any billing authority');
  return actor.authorityIds[0];
}
const asErrors = (error: unknown): FieldProblem[] => {
  if (!(error instanceof ValidationError)) throw error;
  return error.fields.length ? error.fields : [{ field: '(form)', message: error.message }];
};

export function registerBillingRoutes({ app, services, api }: RouteContext) {
  const billing = services.billing;
  const journeys = createJourneyStore(services.db);

  // --- properties -------------------------------------------------------------------------------

  app.get('/properties', { config: { access: 'cases.view' } }, async (request, reply) => {
    const q = String((request.query as Record<string, unknown>).q ?? '').trim();
    if (!q) return reply.page('billing/views/properties.njk', { title: 'Find a property' });
    try {
      const hits = await billing.searchProperties(actorOf(request), q);
      return reply.page('billing/views/properties.njk', { title: `Properties matching ${q}`, q, hits });
    } catch (error) {
      return reply.page('billing/views/properties.njk', { title: 'Find a property', q, errors: asErrors(error) }, 400);
    }
  });

  app.get('/properties/:propertyId', { config: { access: 'cases.view' } }, async (request, reply) => {
    const { propertyId } = idParam('propertyId').parse(request.params);
    const view = await billing.propertyView(actorOf(request), propertyId);
    return reply.page('billing/views/property.njk', { title: view.address, ...view, done: banner(request) });
  });

  const valuationForm = async (request: FastifyRequest, reply: FastifyReply, propertyId: number, extra: Record<string, unknown> = {}, status = 200) => {
    const view = await billing.propertyView(actorOf(request), propertyId);
    return reply.page('billing/views/valuation-form.njk', { title: view.property.kind === 'dwelling' ? 'Record a band change' : 'Record a rateable value change', ...view, bands: COUNCIL_TAX_BANDS.slice(0, view.property.kind === 'dwelling' ? 9 : 0), values: {}, ...extra }, status);
  };
  app.get('/properties/:propertyId/valuations/new', { config: { access: 'billing.change' } }, async (request, reply) =>
    valuationForm(request, reply, idParam('propertyId').parse(request.params).propertyId));
  app.post('/properties/:propertyId/valuations/new', { config: { access: 'billing.change' } }, async (request, reply) => {
    const { propertyId } = idParam('propertyId').parse(request.params);
    const b = body(request);
    const date = readDateInput(b, 'effectiveFrom', 'the date it takes effect');
    try {
      if ('error' in date) throw new ValidationError('Check the change', [date.error]);
      const input = { effectiveFrom: date.value, band: b.band || undefined, rateableValuePounds: b.rateableValuePounds === '' || b.rateableValuePounds === undefined ? undefined : String(b.rateableValuePounds).replace(/[£,\s]/g, ''), reason: b.reason, retailHospitalityLeisure: b.retailHospitalityLeisure === 'yes' ? true : b.retailHospitalityLeisure === 'no' ? false : undefined };
      const result = await billing.changeValuation(actorOf(request), propertyId, input);
      return reply.redirect(`/properties/${propertyId}?done=${encodeURIComponent(`Change recorded: ${result.bills.length} bill${result.bills.length === 1 ? '' : 's'} issued`)}`, 303);
    } catch (error) {
      return valuationForm(request, reply, propertyId, { errors: asErrors(error), values: b }, 400);
    }
  });

  // --- an account's charges ---------------------------------------------------------------------

  app.get('/accounts/:accountId/charges', { config: { access: 'cases.view' } }, async (request, reply) => {
    const { accountId } = idParam('accountId').parse(request.params);
    const view = await billing.chargesView(actorOf(request), accountId);
    const currentYear = financialYearOf(services.clock.today()).startYear;
    return reply.page('billing/views/charges.njk', { title: `Charges and bills, account ${view.account.reference}`, ...view, currentYear, reductionCode, done: banner(request) });
  });

  app.post('/accounts/:accountId/bills', { config: { access: 'billing.change' } }, async (request, reply) => {
    const { accountId } = idParam('accountId').parse(request.params);
    const b = body(request);
    const bills = await billing.reissueBill(actorOf(request), accountId, { financialYear: String(b.financialYear ?? ''), reason: String(b.reason ?? '') || 'bill reissued at the customer’s request' });
    return reply.redirect(`/accounts/${accountId}/charges?done=${encodeURIComponent(bills.length ? `Bill for ${yearText(bills[0].financialYear)} reissued` : 'Nothing to bill for that year')}`, 303);
  });

  const awardForm = async (request: FastifyRequest, reply: FastifyReply, accountId: number, extra: Record<string, unknown> = {}, status = 200) => {
    const account = await billing.chargesView(actorOf(request), accountId);
    const codes = REDUCTION_CODES.filter((c) => c.tax === account.account.stream);
    return reply.page('billing/views/award-form.njk', { title: 'Award a discount, exemption, premium or relief', account: account.account, codes, values: {}, ...extra }, status);
  };
  app.get('/accounts/:accountId/awards/new', { config: { access: 'billing.change' } }, async (request, reply) => awardForm(request, reply, idParam('accountId').parse(request.params).accountId));
  app.post('/accounts/:accountId/awards/new', { config: { access: 'billing.change' } }, async (request, reply) => {
    const { accountId } = idParam('accountId').parse(request.params);
    const b = body(request);
    try {
      const from = readDateInput(b, 'fromDate', 'the date it starts');
      const errors: FieldProblem[] = 'error' in from ? [from.error] : [];
      let to: string | undefined;
      if (b['toDate-day'] || b['toDate-month'] || b['toDate-year']) {
        const t = readDateInput(b, 'toDate', 'the date it ends');
        if ('error' in t) errors.push(t.error); else to = t.value;
      }
      let emptySince: string | undefined;
      if (b['emptySince-day'] || b['emptySince-month'] || b['emptySince-year']) {
        const e = readDateInput(b, 'emptySince', 'the date it became empty');
        if ('error' in e) errors.push(e.error); else emptySince = e.value;
      }
      let weeklyPence: number | undefined;
      if (b.weekly) {
        try { weeklyPence = parsePence(String(b.weekly)); } catch { errors.push({ field: 'weekly', message: 'Enter the weekly award in pounds and pence, like 12.50' }); }
      }
      if (errors.length) throw new ValidationError('Check the award', errors);
      const result = await billing.awardReduction(actorOf(request), accountId, {
        code: b.code, fromDate: 'value' in from ? from.value : '', toDate: to, emptySince, weeklyPence, percent: b.percent || undefined, note: b.note || undefined,
      });
      return reply.redirect(`/accounts/${accountId}/charges?done=${encodeURIComponent(`${reductionCode(String(b.code))?.label ?? 'Award'} recorded: ${result.bills.length} bill${result.bills.length === 1 ? '' : 's'} issued`)}`, 303);
    } catch (error) {
      return awardForm(request, reply, accountId, { errors: asErrors(error), values: b }, 400);
    }
  });

  const endForm = async (request: FastifyRequest, reply: FastifyReply, reductionId: number, extra: Record<string, unknown> = {}, status = 200) => {
    const [row] = await services.db.query<{ account_id: number; code: string; from_date: string }>('select account_id, code, from_date from account_reductions where id = $1', [reductionId]);
    if (!row) return reply.callNotFound();
    const account = await billing.chargesView(actorOf(request), row.account_id);
    return reply.page('billing/views/end-award.njk', { title: `End the ${reductionCode(row.code)?.label.toLowerCase() ?? 'award'}`, account: account.account, award: row, label: reductionCode(row.code)?.label ?? row.code, values: {}, ...extra }, status);
  };
  app.get('/awards/:reductionId/end', { config: { access: 'billing.change' } }, async (request, reply) => endForm(request, reply, idParam('reductionId').parse(request.params).reductionId));
  app.post('/awards/:reductionId/end', { config: { access: 'billing.change' } }, async (request, reply) => {
    const { reductionId } = idParam('reductionId').parse(request.params);
    const b = body(request);
    try {
      const to = readDateInput(b, 'toDate', 'the last day it applies');
      if ('error' in to) throw new ValidationError('Check the date', [to.error]);
      const result = await billing.endReduction(actorOf(request), reductionId, { toDate: to.value });
      const [row] = await services.db.query<{ account_id: number }>('select account_id from account_reductions where id = $1', [reductionId]);
      return reply.redirect(`/accounts/${row.account_id}/charges?done=${encodeURIComponent(`Award ended: ${result.bills.length} bill${result.bills.length === 1 ? '' : 's'} issued`)}`, 303);
    } catch (error) {
      return endForm(request, reply, reductionId, { errors: asErrors(error), values: b }, 400);
    }
  });

  const paymentForm = async (request: FastifyRequest, reply: FastifyReply, accountId: number, extra: Record<string, unknown> = {}, status = 200) => {
    const view = await billing.chargesView(actorOf(request), accountId);
    const [pref] = await services.db.query<{ instalment_day: number; twelve_instalments: boolean }>('select instalment_day, twelve_instalments from account_billing where account_id = $1', [accountId]);
    return reply.page('billing/views/payment-form.njk', {
      title: 'How they pay', account: view.account, ddDays: view.ddDays, days: Array.from({ length: 28 }, (_, i) => i + 1),
      values: { paymentMethod: view.account.payment_method, instalmentDay: String(pref?.instalment_day ?? ''), twelveInstalments: pref?.twelve_instalments ? 'yes' : '' }, ...extra,
    }, status);
  };
  app.get('/accounts/:accountId/payment', { config: { access: 'billing.change' } }, async (request, reply) => paymentForm(request, reply, idParam('accountId').parse(request.params).accountId));
  app.post('/accounts/:accountId/payment', { config: { access: 'billing.change' } }, async (request, reply) => {
    const { accountId } = idParam('accountId').parse(request.params);
    const b = body(request);
    try {
      const day = b.paymentMethod === 'direct_debit' ? b.ddDay : b.instalmentDay;
      await billing.setPaymentPreferences(actorOf(request), accountId, { paymentMethod: b.paymentMethod, instalmentDay: day, twelveInstalments: b.twelveInstalments === 'yes' });
      return reply.redirect(`/accounts/${accountId}/charges?done=${encodeURIComponent('Payment details changed and the instalments reissued')}`, 303);
    } catch (error) {
      return paymentForm(request, reply, accountId, { errors: asErrors(error), values: b }, 400);
    }
  });

  // --- journeys: move in (from a property) and move out (from an account) --------------------------

  app.get('/move-in/start', { config: { access: 'billing.change' } }, async (request, reply) => {
    const propertyId = Number((request.query as Record<string, unknown>).propertyId);
    const view = await billing.propertyView(actorOf(request), propertyId);
    const ddDays = await billing.repo.ddCollectionDays(view.property.authority_id);
    const id = await journeys.start(actorOf(request).userId!, 'move-in', { propertyId, propertyAddress: view.address, propertyKind: view.property.kind, ddDays, people: [] });
    return reply.redirect(`/move-in/${id}/date`, 303);
  });
  app.get('/accounts/:accountId/move-out', { config: { access: 'billing.change' } }, async (request, reply) => {
    const { accountId } = idParam('accountId').parse(request.params);
    const view = await billing.chargesView(actorOf(request), accountId);
    const id = await journeys.start(actorOf(request).userId!, 'move-out', { accountId, accountReference: view.account.reference, customerName: view.account.customer_name });
    return reply.redirect(`/move-out/${id}/date`, 303);
  });

  app.get('/accounts/:accountId/liable-parties', { config: { access: 'billing.change' } }, async (request, reply) => {
    const { accountId } = idParam('accountId').parse(request.params);
    const view = await billing.chargesView(actorOf(request), accountId);
    const liabilities = view.liabilities.map((l) => ({ from: l.from, to: l.to, parties: l.parties }));
    const id = await journeys.start(actorOf(request).userId!, 'liable-parties', { accountId, accountReference: view.account.reference, customerName: view.account.customer_name, liabilities, people: [] });
    return reply.redirect(`/liable-parties/${id}/date`, 303);
  });

  const CAPTIONS: Record<JourneyKind, (d: JourneyData) => string> = {
    'move-in': (d) => `Move in: ${d.propertyAddress}`,
    'move-out': (d) => `Move out: ${d.customerName}, account ${d.accountReference}`,
    'liable-parties': (d) => `Change who is liable: account ${d.accountReference}`,
  };
  const DONE_TITLES: Record<JourneyKind, string> = { 'move-in': 'Move in recorded', 'move-out': 'Move out recorded', 'liable-parties': 'Liable people changed' };
  for (const kind of ['move-in', 'move-out', 'liable-parties'] as JourneyKind[]) {
    const caption = CAPTIONS[kind];
    const load = async (request: FastifyRequest) => {
      const { journeyId } = request.params as { journeyId: string };
      return journeys.get(journeyId, actorOf(request).userId ?? -1, kind);
    };
    const renderStep = (reply: FastifyReply, j: Awaited<ReturnType<typeof load>>, stepId: string, extra: Record<string, unknown> = {}, status = 200) => {
      const step = stepsFor(kind).find((s) => s.id === stepId)!;
      const field = { ...step.field };
      if (kind === 'move-in' && step.id === 'day') {
        const days = j.data.paymentMethod === 'direct_debit' ? j.data.ddDays ?? [1, 15] : [1, 8, 15, 22, 28];
        field.hint = j.data.paymentMethod === 'direct_debit' ? 'Direct Debit is collected on the council’s collection days' : 'Choose the day that suits them, for example just after payday';
        field.items = days.map((d) => ({ value: String(d), text: `The ${ordinal(d)}` }));
      }
      if (kind === 'liable-parties' && step.id === 'keep') {
        const chosen = ((extra.values as Record<string, unknown> | undefined)?.keep ?? step.values(j.data).keep) as unknown;
        const checked = new Set((Array.isArray(chosen) ? chosen : chosen === undefined ? [] : [chosen]).map(String));
        field.legend = `Who is still liable from ${longDate(j.data.changeFrom)}?`;
        field.items = liableOn(j.data).map((p) => ({ value: String(p.id), text: p.name, checked: checked.has(String(p.id)) }));
      }
      const back = stepsFor(kind).map((s) => s.id);
      return reply.page('billing/views/question.njk', {
        title: field.legend, caption: caption(j.data), field, values: step.values(j.data), action: `/${kind}/${j.id}/${step.id}${extra.change ? '?change=1' : ''}`,
        backHref: extra.change ? `/${kind}/${j.id}/check` : back.indexOf(stepId) > 0 ? `/${kind}/${j.id}/${back[back.indexOf(stepId) - 1]}` : kind === 'move-in' ? `/properties/${j.data.propertyId}` : `/accounts/${j.data.accountId}/charges`,
        ...extra,
      }, status);
    };

    app.get(`/${kind}/:journeyId/check`, { config: { access: 'billing.change' } }, async (req, reply) => {
      const j = await load(req);
      if (j.completedAt) return reply.redirect(`/${kind}/${j.id}/done`, 303);
      const missing = firstUnanswered(kind, j.data);
      if (missing) return reply.redirect(`/${kind}/${j.id}/${missing}`, 303);
      const rows = stepsFor(kind).filter((s) => s.summary && (!s.applies || s.applies(j.data))).map((s) => ({ key: s.title, value: s.summary!(j.data), href: `/${kind}/${j.id}/${s.id}?change=1` }));
      return reply.page('billing/views/check-answers.njk', { title: 'Check your answers', caption: caption(j.data), rows, action: `/${kind}/${j.id}/check`, kind, data: j.data });
    });
    app.post(`/${kind}/:journeyId/check`, { config: { access: 'billing.change' } }, async (req, reply) => {
      const j = await load(req);
      if (j.completedAt) return reply.redirect(`/${kind}/${j.id}/done`, 303);
      const d = j.data;
      try {
        let result: NonNullable<JourneyData['result']>;
        if (kind === 'move-in') {
          const r = await billing.moveIn(actorOf(req), {
            propertyId: d.propertyId, moveInDate: d.moveInDate, people: d.people ?? [], businessName: d.businessName, livesAlone: d.livesAlone === 'yes',
            paymentMethod: d.paymentMethod, instalmentDay: d.instalmentDay, email: d.wantsEmail === 'yes' ? d.email : undefined, notifyByEmail: d.wantsEmail === 'yes',
          });
          const latest = r.bills[r.bills.length - 1];
          result = { accountId: r.accountId, reference: r.reference, documentId: latest?.documentId ?? null, chargePence: latest?.chargePence ?? null, instalments: latest?.instalments.length ?? 0 };
        } else if (kind === 'liable-parties') {
          const r = await billing.changeLiableParties(actorOf(req), d.accountId!, { fromDate: d.changeFrom, customerIds: d.keepIds ?? [], people: d.people ?? [] });
          const latest = r.bills[r.bills.length - 1];
          result = { accountId: d.accountId!, reference: d.accountReference!, documentId: latest?.documentId ?? null, chargePence: latest?.chargePence ?? null, instalments: latest?.instalments.length ?? 0 };
        } else {
          const r = await billing.moveOut(actorOf(req), d.accountId!, { moveOutDate: d.moveOutDate, forwardingAddress: d.forwarding });
          const latest = r.bills[r.bills.length - 1];
          result = { accountId: d.accountId!, reference: d.accountReference!, documentId: latest?.documentId ?? null, chargePence: latest?.chargePence ?? null, instalments: latest?.instalments.length ?? 0 };
        }
        await journeys.save(j.id, { ...d, result }, true);
        return reply.redirect(`/${kind}/${j.id}/done`, 303);
      } catch (error) {
        if (!(error instanceof LevyError) || error.httpStatus >= 500 || error.code === 'forbidden') throw error;
        const fields = error instanceof ValidationError ? error.fields : [];
        const rows = stepsFor(kind).filter((s) => s.summary && (!s.applies || s.applies(d))).map((s) => ({ key: s.title, value: s.summary!(d), href: `/${kind}/${j.id}/${s.id}?change=1` }));
        return reply.page('billing/views/check-answers.njk', {
          title: 'Check your answers', caption: caption(d), rows, action: `/${kind}/${j.id}/check`, kind, data: d,
          errors: [{ field: '(form)', message: [error.message, ...fields.map((f) => f.message)].filter((m, i, all) => all.indexOf(m) === i).join(': ') }],
        }, 400);
      }
    });
    app.get(`/${kind}/:journeyId/done`, { config: { access: 'billing.change' } }, async (req, reply) => {
      const j = await load(req);
      if (!j.completedAt || !j.data.result) return reply.redirect(`/${kind}/${j.id}/check`, 303);
      return reply.page('billing/views/confirmation.njk', { title: DONE_TITLES[kind], kind, data: j.data, result: j.data.result, longDate });
    });
    app.get(`/${kind}/:journeyId/:step`, { config: { access: 'billing.change' } }, async (req, reply) => {
      const j = await load(req);
      const { step } = req.params as { step: string };
      if (j.completedAt) return reply.redirect(`/${kind}/${j.id}/done`, 303);
      const s = stepsFor(kind).find((x) => x.id === step);
      if (!s) return reply.callNotFound();
      return renderStep(reply, j, step, { change: (req.query as Record<string, unknown>).change === '1' });
    });
    app.post(`/${kind}/:journeyId/:step`, { config: { access: 'billing.change' } }, async (req, reply) => {
      const j = await load(req);
      const { step } = req.params as { step: string };
      const s = stepsFor(kind).find((x) => x.id === step);
      if (!s) return reply.callNotFound();
      if (j.completedAt) return reply.redirect(`/${kind}/${j.id}/done`, 303);
      const b = body(req);
      const read = s.read(b, j.data);
      const change = (req.query as Record<string, unknown>).change === '1';
      if ('errors' in read) return renderStep(reply, j, step, { errors: read.errors, values: b, change }, 400);
      const data = { ...j.data, ...read.patch };
      await journeys.save(j.id, data);
      const next = nextStep(kind, step, data);
      // From "check your answers", go back there unless the answer opens a new question.
      const target = change && next !== 'who' && next !== 'new-person' ? (firstUnanswered(kind, data) ?? 'check') : next;
      return reply.redirect(`/${kind}/${j.id}/${target}`, 303);
    });
  }

  // --- the billing hub, runs, charges, VOA -------------------------------------------------------

  app.get('/billing', { config: { access: 'cases.view' } }, async (request, reply) => {
    const actor = actorOf(request);
    const authorityId = authorityOf(actor, request.query);
    const [runs, years, imports] = await Promise.all([billing.annual.runs(actor, authorityId), billing.repo.chargeYears(authorityId), billing.voa.imports(actor)]);
    return reply.page('billing/views/hub.njk', { title: 'Billing', runs: runs.slice(0, 5), years, imports: imports.slice(0, 5), nextYear: yearText(financialYearOf(services.clock.today()).startYear + 1) });
  });

  app.get('/billing/runs', { config: { access: 'cases.view' } }, async (request, reply) => {
    const actor = actorOf(request);
    const runs = await billing.annual.runs(actor, authorityOf(actor, request.query));
    return reply.page('billing/views/runs.njk', { title: 'Annual billing runs', runs, nextYear: yearText(financialYearOf(services.clock.today()).startYear + 1) });
  });

  app.get('/billing/runs/preview', { config: { access: 'billing.run' } }, async (request, reply) => {
    const actor = actorOf(request);
    const q = request.query as Record<string, string | undefined>;
    try {
      const financialYear = parseYear(q.year ?? '');
      const preview = await billing.annual.preview(actor, { authorityId: authorityOf(actor, request.query), financialYear });
      return reply.page('billing/views/run-preview.njk', { title: `Preview: annual bills for ${preview.financialYear}`, preview, year: q.year });
    } catch (error) {
      const runs = await billing.annual.runs(actor, authorityOf(actor, request.query));
      return reply.page('billing/views/runs.njk', { title: 'Annual billing runs', runs, nextYear: q.year, errors: asErrors(error) }, 400);
    }
  });

  app.post('/billing/runs', { config: { access: 'billing.run' } }, async (request, reply) => {
    const actor = actorOf(request);
    const b = body(request);
    const financialYear = parseYear(String(b.year ?? ''));
    const authorityId = authorityOf(actor, b);
    // The run carries on after the response: the page shows its progress and then its report.
    const running = billing.annual.run(actor, { authorityId, financialYear });
    running.catch((error) => request.log.error({ err: error }, 'annual billing run failed'));
    const started = Date.now();
    for (;;) {
      const [row] = await services.db.query<{ id: number }>(`select id from batch_runs where kind = 'billing-annual' and authority_id = $1 and (report->>'year')::int = $2 order by id desc limit 1`, [authorityId, financialYear]);
      if (row) return reply.redirect(`/billing/runs/${row.id}`, 303);
      if (Date.now() - started > 10_000) return reply.redirect('/billing/runs', 303);
      const done = await Promise.race([running.then(() => true, () => true), new Promise<boolean>((r) => setTimeout(() => r(false), 50))]);
      if (done) {
        const [again] = await services.db.query<{ id: number }>(`select id from batch_runs where kind = 'billing-annual' and authority_id = $1 and (report->>'year')::int = $2 order by id desc limit 1`, [authorityId, financialYear]);
        return reply.redirect(again ? `/billing/runs/${again.id}` : '/billing/runs', 303);
      }
    }
  });

  app.get('/billing/runs/:runId', { config: { access: 'cases.view' } }, async (request, reply) => {
    const { runId } = idParam('runId').parse(request.params);
    const run = await billing.annual.report(actorOf(request), runId);
    if (!run) return reply.callNotFound();
    const [progress] = await services.db.query<{ bills: number; letters: number }>(
      'select (select count(*) from bills where batch_run_id = $1)::int as bills, (select count(*) from documents where batch_run_id = $1)::int as letters', [runId]);
    return reply.page('billing/views/run.njk', { title: `Annual billing run ${runId}`, run, progress });
  });

  const chargesPage = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    const actor = actorOf(request);
    const authorityId = authorityOf(actor, request.query);
    const q = request.query as Record<string, string | undefined>;
    const year = q.year ?? (extra.year as string | undefined) ?? yearText(financialYearOf(services.clock.today()).startYear);
    const view = await billing.chargeYearView(actor, authorityId, year);
    const [authority] = await services.db.query<{ nation: 'england' | 'wales'; name: string }>('select nation, name from billing_authorities where id = $1', [authorityId]);
    const bands = view.row ? COUNCIL_TAX_BANDS.filter((b) => authority.nation === 'wales' || b !== 'I').map((band) => ({ band, annualPence: bandAnnualAmount({ bandDPence: view.row!.band_d_pence, band, nation: authority.nation, financialYear: year }).annualPence })) : [];
    return reply.page('billing/views/council-charges.njk', { title: `Council tax charges ${year}`, ...view, year, bands, authority, done: banner(request), values: {}, ...extra }, status);
  };
  app.get('/billing/charges', { config: { access: 'cases.view' } }, async (request, reply) => chargesPage(request, reply));
  app.post('/billing/charges', { config: { access: 'billing.settings' } }, async (request, reply) => {
    const actor = actorOf(request);
    const b = body(request);
    try {
      const precepts: { preceptor: string; bandDPence: number }[] = [];
      const errors: FieldProblem[] = [];
      for (let i = 0; i < 6; i++) {
        const name = String(b[`preceptor${i}`] ?? '').trim();
        const amount = String(b[`precept${i}`] ?? '').trim();
        if (!name && !amount) continue;
        try { precepts.push({ preceptor: name, bandDPence: parsePence(amount) }); } catch { errors.push({ field: `precept${i}`, message: `Enter ${name || 'the precept'}'s Band D share in pounds and pence` }); }
      }
      let bandDPence = 0;
      try { bandDPence = parsePence(String(b.bandD ?? '')); } catch { errors.push({ field: 'bandD', message: 'Enter the Band D amount in pounds and pence, like 2,260.50' }); }
      if (errors.length) throw new ValidationError('Check the charges', errors);
      await billing.setChargeYear(actor, authorityOf(actor, b), { financialYear: b.year, bandDPence, precepts, source: b.source || 'Entered by an officer', resolvedOn: undefined });
      return reply.redirect(`/billing/charges?year=${encodeURIComponent(String(b.year))}&done=${encodeURIComponent('Charges saved')}`, 303);
    } catch (error) {
      return chargesPage(request, reply, { errors: asErrors(error), values: b, year: b.year }, 400);
    }
  });

  app.get('/billing/voa', { config: { access: 'cases.view' } }, async (request, reply) => {
    const imports = await billing.voa.imports(actorOf(request));
    return reply.page('billing/views/voa-imports.njk', { title: 'VOA schedules', imports, values: {} });
  });
  // A VOA file uploaded (multipart, the page's form) or its lines pasted (a plain form): either way
  // it goes to the same preview, and nothing is applied until an officer applies it there. The
  // multipart plugin lives in this scope only, with the fields attached to the body so the CSRF
  // check sees _csrf like any other form (as payments imports do).
  app.register(async (scope) => {
    await scope.register(multipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: 50 * 1024 * 1024, files: 1 },
      onFile: async (part) => {
        (part as unknown as { value: unknown }).value = { filename: part.filename, data: await part.toBuffer() };
      },
    });
    scope.post('/billing/voa', { config: { access: 'billing.run' } }, async (request, reply) => {
      const actor = actorOf(request);
      const b = body(request);
      const file = b.file as { filename?: string; data?: Buffer } | undefined;
      const values = { kind: b.kind, fileName: b.fileName, content: b.content };
      try {
        const kind = b.kind === 'ct_bands' ? 'ct_bands' : b.kind === 'nndr_list' ? 'nndr_list' : null;
        const uploaded = file?.data && file.data.length > 0;
        const pasted = String(b.content ?? '');
        const errors: FieldProblem[] = [];
        if (!kind) errors.push({ field: 'kind', message: 'Select what the file holds' });
        if (!uploaded && !pasted.trim()) errors.push({ field: 'file', message: 'Choose a VOA file to upload' });
        if (errors.length) throw new ValidationError('Check the file', errors);
        const imported = await billing.voa.importFile(actor, {
          authorityId: authorityOf(actor, b), kind: kind!,
          fileName: (uploaded ? file!.filename || 'upload.txt' : String(b.fileName || 'pasted.txt')).slice(0, 200),
          content: uploaded ? decodeVoaFile(file!.data!) : pasted,
        });
        return reply.redirect(`/billing/voa/${imported.id}`, 303);
      } catch (error) {
        const imports = await billing.voa.imports(actor);
        return reply.page('billing/views/voa-imports.njk', { title: 'VOA schedules', imports, errors: asErrors(error), values }, 400);
      }
    });
  });
  const voaPage = async (request: FastifyRequest, reply: FastifyReply, importId: number, extra: Record<string, unknown> = {}, status = 200) => {
    const view = await billing.voa.view(actorOf(request), importId);
    return reply.page('billing/views/voa-import.njk', { title: `VOA import ${importId}: ${view.fileName}`, imp: view, done: banner(request), ...extra }, status);
  };
  app.get('/billing/voa/:importId', { config: { access: 'cases.view' } }, async (request, reply) => voaPage(request, reply, idParam('importId').parse(request.params).importId));
  app.post('/billing/voa/:importId/exclude', { config: { access: 'billing.run' } }, async (request, reply) => {
    const { importId } = idParam('importId').parse(request.params);
    const b = body(request);
    const lines = [b.lines].flat().filter((x) => x !== undefined && x !== '').map(Number);
    try {
      if (!lines.length) throw new ValidationError('Select the lines to leave out', [{ field: 'lines', message: 'Select the lines to leave out' }]);
      await billing.voa.exclude(actorOf(request), importId, lines);
      return reply.redirect(`/billing/voa/${importId}?done=${encodeURIComponent(`Line${lines.length === 1 ? '' : 's'} ${lines.join(', ')} left out`)}`, 303);
    } catch (error) {
      return voaPage(request, reply, importId, { errors: asErrors(error) }, 400);
    }
  });
  app.post('/billing/voa/:importId/apply', { config: { access: 'billing.run' } }, async (request, reply) => {
    const { importId } = idParam('importId').parse(request.params);
    try {
      const view = await billing.voa.apply(actorOf(request), importId);
      return reply.redirect(`/billing/voa/${importId}?done=${encodeURIComponent(`Applied: ${view.report?.changed ?? 0} changed, ${view.report?.created ?? 0} new, ${view.report?.bills ?? 0} bills issued`)}`, 303);
    } catch (error) {
      return voaPage(request, reply, importId, { errors: asErrors(error) }, 400);
    }
  });

  registerBillingApi({ app, services, api } as RouteContext);
}

// --- JSON API ------------------------------------------------------------------------------------

const billSchema = z.object({ billId: z.number(), accountId: z.number(), financialYear: z.string(), chargePence: z.number(), previousChargePence: z.number(), planId: z.number().nullable(), instalments: z.array(z.object({ dueOn: z.string(), amountPence: z.number() })), documentId: z.number().nullable(), pdfUrl: z.string().nullable() });
const billsOut = (bills: { billId: number; accountId: number; financialYear: number; chargePence: number; previousChargePence: number; planId: number | null; instalments: { dueOn: string; amountPence: number }[]; documentId: number | null }[]) =>
  bills.map((b) => ({ ...b, financialYear: yearText(b.financialYear), pdfUrl: b.documentId ? `/api/v1/documents/${b.documentId}/pdf` : null }));
const withBills = z.object({ bills: z.array(billSchema) }).passthrough();
const yearQuery = z.object({ year: z.string().regex(/^\d{4}\/\d{2}$/, 'year must look like 2027/28'), authorityId: z.coerce.number().int().positive().optional() });

function registerBillingApi({ app, services, api }: RouteContext) {
  const billing = services.billing;
  const tag = 'Billing';

  api.add(app, {
    method: 'GET', url: '/api/v1/properties', summary: 'Find properties by address, postcode, UPRN or BA reference', tag, access: 'cases.view',
    query: z.object({ q: z.string() }),
    response: z.object({ properties: z.array(z.record(z.string(), z.unknown())) }),
    handler: async ({ query, request }) => ({ properties: await billing.searchProperties(actorOf(request), query.q) }),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/properties/:propertyId', summary: 'A property with its band or rateable value history and who has been liable', tag, access: 'cases.view',
    params: idParam('propertyId'), response: z.object({ property: z.record(z.string(), z.unknown()), valuations: z.array(z.record(z.string(), z.unknown())), liabilities: z.array(z.record(z.string(), z.unknown())) }),
    handler: async ({ params, request }) => {
      const v = await billing.propertyView(actorOf(request), params.propertyId);
      return { property: v.property, valuations: v.valuations, liabilities: v.liabilities };
    },
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/properties/:propertyId/valuations', summary: 'Record a band or rateable value from a date; every liable account is rebilled', tag, access: 'billing.change',
    params: idParam('propertyId'), body: z.object({ effectiveFrom: z.string(), band: z.string().optional(), rateableValuePounds: z.number().int().optional(), retailHospitalityLeisure: z.boolean().optional(), reason: z.string() }),
    response: withBills, successStatus: 201,
    handler: async ({ params, body, request }) => ({ bills: billsOut((await billing.changeValuation(actorOf(request), params.propertyId, body)).bills) }),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/accounts/:accountId/charges', summary: 'An account’s bills, the latest charge breakdown per year, awards and liability periods', tag, access: 'cases.view',
    params: idParam('accountId'), response: z.object({ bills: z.array(z.record(z.string(), z.unknown())), years: z.array(z.record(z.string(), z.unknown())), awards: z.array(z.record(z.string(), z.unknown())) }),
    handler: async ({ params, request }) => {
      const v = await billing.chargesView(actorOf(request), params.accountId);
      return {
        bills: v.bills.map((b) => ({ id: b.id, financialYear: yearText(b.financial_year), kind: b.kind, issuedOn: b.issued_on, reason: b.reason, chargePence: b.charge_pence, previousChargePence: b.previous_charge_pence, creditsBeforePence: b.credits_before_pence, pdfUrl: b.document_id ? `/api/v1/documents/${b.document_id}/pdf` : null })),
        years: v.years.map((y) => ({ financialYear: yearText(y.financialYear), calculation: y.bill.calculation, instalments: y.instalments })),
        awards: v.reductions,
      };
    },
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/accounts/:accountId/charge', summary: 'What a year’s charge is now, worked out day by day (nothing is posted)', tag, access: 'cases.view',
    params: idParam('accountId'), query: yearQuery, response: z.record(z.string(), z.unknown()),
    handler: async ({ params, query, request }) => billing.previewCharge(actorOf(request), params.accountId, query.year) as unknown as Record<string, unknown>,
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/accounts/:accountId/bills', summary: 'Recalculate and reissue a year’s bill', tag, access: 'billing.change',
    params: idParam('accountId'), body: z.object({ financialYear: z.string(), reason: z.string().optional() }), response: withBills, successStatus: 201,
    handler: async ({ params, body, request }) => ({ bills: billsOut(await billing.reissueBill(actorOf(request), params.accountId, body)) }),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/move-ins', summary: 'Record a move in: a new account and liability, the previous occupier ended the day before; both rebilled', tag, access: 'billing.change',
    body: z.record(z.string(), z.unknown()), response: z.object({ accountId: z.number(), reference: z.string(), customerIds: z.array(z.number()), bills: z.array(billSchema), previousOccupierBills: z.array(billSchema) }), successStatus: 201,
    handler: async ({ body, request }) => {
      const r = await billing.moveIn(actorOf(request), body);
      return { ...r, bills: billsOut(r.bills), previousOccupierBills: billsOut(r.previousOccupierBills) };
    },
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/accounts/:accountId/move-out', summary: 'Record a move out (the last day liable) and issue the final bill', tag, access: 'billing.change',
    params: idParam('accountId'), body: z.record(z.string(), z.unknown()), response: withBills, successStatus: 201,
    handler: async ({ params, body, request }) => ({ bills: billsOut((await billing.moveOut(actorOf(request), params.accountId, body)).bills) }),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/accounts/:accountId/liable-parties', summary: 'Change who is jointly and severally liable from a date', tag, access: 'billing.change',
    params: idParam('accountId'), body: z.record(z.string(), z.unknown()), response: withBills, successStatus: 201,
    handler: async ({ params, body, request }) => ({ bills: billsOut((await billing.changeLiableParties(actorOf(request), params.accountId, body)).bills) }),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/accounts/:accountId/awards', summary: 'Award a discount, exemption, premium, Council Tax Reduction or rate relief from a date', tag, access: 'billing.change',
    params: idParam('accountId'), body: z.record(z.string(), z.unknown()), response: withBills, successStatus: 201,
    handler: async ({ params, body, request }) => {
      const r = await billing.awardReduction(actorOf(request), params.accountId, body);
      return { reductionId: r.reductionId, bills: billsOut(r.bills) };
    },
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/awards/:reductionId/end', summary: 'End an award on a date (its last day)', tag, access: 'billing.change',
    params: idParam('reductionId'), body: z.object({ toDate: z.string() }), response: withBills,
    handler: async ({ params, body, request }) => ({ bills: billsOut((await billing.endReduction(actorOf(request), params.reductionId, body)).bills) }),
  });
  api.add(app, {
    method: 'PUT', url: '/api/v1/accounts/:accountId/payment-preferences', summary: 'How an account pays: Direct Debit (on a council collection day) or otherwise, the day, 12 instalments', tag, access: 'billing.change',
    params: idParam('accountId'), body: z.object({ paymentMethod: z.enum(['direct_debit', 'cash']), instalmentDay: z.number().int(), twelveInstalments: z.boolean().optional() }), response: withBills,
    handler: async ({ params, body, request }) => ({ bills: billsOut(await billing.setPaymentPreferences(actorOf(request), params.accountId, body)) }),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/billing/charges', summary: 'A year’s council tax: Band D, precepts and discount, exemption and premium rates', tag, access: 'cases.view',
    query: yearQuery, response: z.record(z.string(), z.unknown()),
    handler: async ({ query, request }) => {
      const actor = actorOf(request);
      const v = await billing.chargeYearView(actor, authorityOf(actor, query), query.year);
      return { financialYear: query.year, charges: v.row ?? null };
    },
  });
  api.add(app, {
    method: 'PUT', url: '/api/v1/billing/charges', summary: 'Set a year’s Band D, precepts (which must add up to it) and, optionally, the reduction rates', tag, access: 'billing.settings',
    query: z.object({ authorityId: z.coerce.number().int().positive().optional() }), body: z.record(z.string(), z.unknown()), response: z.record(z.string(), z.unknown()),
    handler: async ({ query, body, request }) => {
      const actor = actorOf(request);
      return { charges: await billing.setChargeYear(actor, authorityOf(actor, query), body) };
    },
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/billing/annual/preview', summary: 'What the annual billing run for a year would issue: counts and totals (nothing is written)', tag, access: 'billing.run',
    query: yearQuery, response: z.record(z.string(), z.unknown()),
    handler: async ({ query, request }) => {
      const actor = actorOf(request);
      return (await billing.annual.preview(actor, { authorityId: authorityOf(actor, query), financialYear: parseYear(query.year) })) as unknown as Record<string, unknown>;
    },
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/billing/annual', summary: 'Run (or finish) the annual billing for a year; returns the run’s report', tag, access: 'billing.run',
    body: z.object({ year: z.string(), authorityId: z.number().int().optional(), issuedOn: z.string().optional() }), response: z.record(z.string(), z.unknown()), successStatus: 201,
    handler: async ({ body, request }) => {
      const actor = actorOf(request);
      return (await billing.annual.run(actor, { authorityId: authorityOf(actor, body), financialYear: parseYear(body.year), issuedOn: body.issuedOn })) as unknown as Record<string, unknown>;
    },
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/billing/runs/:runId', summary: 'An annual billing run and its report', tag, access: 'cases.view',
    params: idParam('runId'), response: z.record(z.string(), z.unknown()),
    handler: async ({ params, request }) => {
      const run = await billing.annual.report(actorOf(request), params.runId);
      if (!run) throw new ValidationError(`Run ${params.runId} was not found`);
      return { ...run, printFileUrl: `/runs/${run.id}/print-file` };
    },
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/billing/voa-imports', summary: 'Import a VOA file (text): list entries or band changes; malformed lines hold the whole file', tag, access: 'billing.run',
    body: z.object({ kind: z.enum(['nndr_list', 'ct_bands']), fileName: z.string(), content: z.string(), authorityId: z.number().int().optional() }), response: z.record(z.string(), z.unknown()), successStatus: 201,
    handler: async ({ body, request }) => {
      const actor = actorOf(request);
      return (await billing.voa.importFile(actor, { authorityId: authorityOf(actor, body), kind: body.kind, fileName: body.fileName, content: body.content })) as unknown as Record<string, unknown>;
    },
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/billing/voa-imports/:importId', summary: 'A VOA import: each line, what it would change, and any problems', tag, access: 'cases.view',
    params: idParam('importId'), response: z.record(z.string(), z.unknown()),
    handler: async ({ params, request }) => (await billing.voa.view(actorOf(request), params.importId)) as unknown as Record<string, unknown>,
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/billing/voa-imports/:importId/exclusions', summary: 'Leave lines out of a VOA import', tag, access: 'billing.run',
    params: idParam('importId'), body: z.object({ lines: z.array(z.number().int()) }), response: z.record(z.string(), z.unknown()),
    handler: async ({ params, body, request }) => (await billing.voa.exclude(actorOf(request), params.importId, body.lines)) as unknown as Record<string, unknown>,
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/billing/voa-imports/:importId/apply', summary: 'Apply a VOA import from each entry’s effective date, rebilling the accounts liable', tag, access: 'billing.run',
    params: idParam('importId'), response: z.record(z.string(), z.unknown()),
    handler: async ({ params, request }) => (await billing.voa.apply(actorOf(request), params.importId)) as unknown as Record<string, unknown>,
  });
}

/**
 * A VOA file's text: UTF-8 when it is valid UTF-8 (a byte-order mark dropped), else Windows-1252 /
 * Latin-1, which is how older VOA extracts and the `levy billing voa import` command read them.
 */
export function decodeVoaFile(data: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data).replace(/^\uFEFF/, '');
  } catch {
    return data.toString('latin1');
  }
}
