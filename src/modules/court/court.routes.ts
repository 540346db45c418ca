// Court pages and API: hearing dates, the complaint list, the updated list, outcomes on screen or
// from the court's file.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RouteContext } from '../../web/app.ts';
import { idParam } from '../../web/api.ts';
import { actorOf } from '../../web/guard.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import { HOLD_LABELS } from '../../domain/recovery/holds.ts';
import { hearingSchema, outcomeInputSchema } from './court.service.ts';
import { OUTCOMES } from './court-list.ts';

export function registerCourtRoutes({ app, services, api }: RouteContext) {
  const renderCourt = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    const hearings = await services.court.listHearings(actorOf(request));
    return reply.page('court/views/court.njk', { title: 'Magistrates’ court', hearings, values: {}, ...extra }, status);
  };
  const renderHearing = async (request: FastifyRequest, reply: FastifyReply, hearingId: number, extra: Record<string, unknown> = {}, status = 200) => {
    const view = await services.court.getHearing(actorOf(request), hearingId);
    return reply.page('court/views/hearing.njk', { title: `Hearing ${view.hearing.hearing_on}`, ...view, holdLabels: HOLD_LABELS, values: {}, ...extra }, status);
  };

  app.get('/court', { config: { access: 'cases.view' } }, async (request, reply) => renderCourt(request, reply));

  app.post('/court/hearings', { config: { access: 'court.manage' } }, async (request, reply) => {
    const { _csrf, ...input } = (request.body ?? {}) as Record<string, string>;
    void _csrf;
    try {
      const id = await services.court.addHearing(actorOf(request), undefined, input);
      return reply.redirect(`/court/hearings/${id}?done=added`, 303);
    } catch (error) {
      if (error instanceof ValidationError) return renderCourt(request, reply, { errors: error.fields, values: input }, 400);
      if (error instanceof ConflictError) return renderCourt(request, reply, { errors: [{ field: 'hearingOn', message: error.message }], values: input }, 409);
      throw error;
    }
  });

  app.get('/court/hearings/:hearingId', { config: { access: 'cases.view' } }, async (request, reply) => {
    const { hearingId } = idParam('hearingId').parse(request.params);
    const q = request.query as Record<string, string | undefined>;
    const done = q.done === 'added' ? 'Hearing added'
      : q.withdrawn !== undefined ? `${q.withdrawn} case${q.withdrawn === '1' ? '' : 's'} paid in full with costs withdrawn. The complaint list now has only the cases still to be heard.`
        : q.recorded ? `Outcomes recorded: ${q.recorded}` : undefined;
    return renderHearing(request, reply, hearingId, { done });
  });

  app.get('/court/hearings/:hearingId/complaint-list.csv', { config: { access: 'court.manage' } }, async (request, reply) => {
    const { hearingId } = idParam('hearingId').parse(request.params);
    const { filename, csv } = await services.court.complaintList(actorOf(request), hearingId);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`).send(csv);
  });

  app.post('/court/hearings/:hearingId/updated-list', { config: { access: 'court.manage' } }, async (request, reply) => {
    const { hearingId } = idParam('hearingId').parse(request.params);
    const { withdrawn } = await services.court.updatedList(actorOf(request), hearingId);
    return reply.redirect(`/court/hearings/${hearingId}?withdrawn=${withdrawn.length}`, 303);
  });

  const countsText = (counts: Record<string, number>) => Object.entries(counts).filter(([, n]) => n).map(([k, n]) => `${n} ${k}`).join(', ');

  app.post('/court/hearings/:hearingId/outcomes', { config: { access: 'court.manage' } }, async (request, reply) => {
    const { hearingId } = idParam('hearingId').parse(request.params);
    const body = (request.body ?? {}) as Record<string, string>;
    const view = await services.court.getHearing(actorOf(request), hearingId);
    const inputs = view.cases.filter((c) => c.status === 'listed').flatMap((c) => {
      const outcome = body[`outcome-${c.id}`] || body.rest || '';
      if (!outcome) return [];
      return [{ caseId: c.id, outcome, adjournedToHearingId: outcome === 'adjourned' ? body[`adjourn-${c.id}`] : undefined }];
    });
    try {
      if (!inputs.length) throw new ValidationError('Choose at least one outcome', [{ field: `outcome-${view.cases.find((c) => c.status === 'listed')?.id ?? ''}`, message: 'Choose an outcome for at least one case' }]);
      const { counts } = await services.court.recordOutcomes(actorOf(request), hearingId, inputs);
      return reply.redirect(`/court/hearings/${hearingId}?recorded=${encodeURIComponent(countsText(counts))}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const errors = error.fields.map((f) => {
        const i = /^(?:outcomes\.)?(\d+)/.exec(f.field);
        return i && !f.field.startsWith('outcome-') ? { field: `outcome-${inputs[Number(i[1])]?.caseId}`, message: f.message } : f;
      });
      return renderHearing(request, reply, hearingId, { errors, values: body }, 400);
    }
  });

  app.post('/court/hearings/:hearingId/outcomes-file', { config: { access: 'court.manage' } }, async (request, reply) => {
    const { hearingId } = idParam('hearingId').parse(request.params);
    const body = (request.body ?? {}) as Record<string, string>;
    try {
      const { counts } = await services.court.uploadOutcomes(actorOf(request), hearingId, { name: 'pasted outcomes', text: body.csv ?? '' });
      return reply.redirect(`/court/hearings/${hearingId}?recorded=${encodeURIComponent(countsText(counts))}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return renderHearing(request, reply, hearingId, { errors: error.fields.map((f) => ({ field: 'csv', message: f.message })), values: body }, 400);
    }
  });

  // ---------------------------------------------------------------------------------------------
  // JSON API

  const hearingJson = z.object({ id: z.number(), courtName: z.string(), courtAddress: z.string(), hearingOn: z.string(), hearingTime: z.string(), capacity: z.number(), allocated: z.number(), listed: z.number() });
  const toHearing = (h: Awaited<ReturnType<typeof services.court.listHearings>>[number]) => ({
    id: h.id, courtName: h.court_name, courtAddress: h.court_address, hearingOn: h.hearing_on, hearingTime: h.hearing_time, capacity: h.capacity, allocated: h.allocated, listed: h.listed,
  });

  api.add(app, {
    method: 'GET', url: '/api/v1/court/hearings', tag: 'Court', access: 'cases.view', summary: 'Magistrates’ court hearing dates with their capacity and cases',
    query: z.object({ from: z.string().optional() }), response: z.object({ hearings: z.array(hearingJson) }),
    handler: async ({ query, request }) => ({ hearings: (await services.court.listHearings(actorOf(request), query)).map(toHearing) }),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/court/hearings', tag: 'Court', access: 'court.manage', successStatus: 201, summary: 'Add a hearing date with its capacity',
    body: hearingSchema.extend({ authorityId: z.number().int().positive().optional() }), response: z.object({ hearingId: z.number() }),
    handler: async ({ body, request }) => ({ hearingId: await services.court.addHearing(actorOf(request), body.authorityId, body) }),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/court/hearings/:hearingId', tag: 'Court', access: 'cases.view', summary: 'A hearing and its cases, with what each owes now and any hold',
    params: idParam('hearingId'),
    response: hearingJson.extend({ cases: z.array(z.object({ caseId: z.number(), caseNumber: z.string(), accountId: z.number(), reference: z.string(), financialYear: z.number(), defendant: z.string(),
      complaintPence: z.number(), costsPence: z.number(), balancePence: z.number(), status: z.string(), holds: z.array(z.string()) })) }),
    handler: async ({ params, request }) => {
      const v = await services.court.getHearing(actorOf(request), params.hearingId);
      return { ...toHearing(v.hearing), cases: v.cases.map((c) => ({ caseId: c.id, caseNumber: c.case_number, accountId: c.account_id, reference: c.account_reference, financialYear: c.financial_year, defendant: c.defendant, complaintPence: c.complaint_pence, costsPence: c.costs_pence, balancePence: c.balance_pence, status: c.status, holds: c.holds })) };
    },
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/court/hearings/:hearingId/complaint-list', tag: 'Court', access: 'court.manage', produces: 'text/csv',
    summary: 'The bulk liability order complaint list for the court (docs/court-list-format.md)', params: idParam('hearingId'), response: z.any(),
    handler: async ({ params, request }) => (await services.court.complaintList(actorOf(request), params.hearingId)).csv,
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/court/hearings/:hearingId/updated-list', tag: 'Court', access: 'court.manage',
    summary: 'On the day: withdraw every case paid in full with costs and return the list still to be heard', params: idParam('hearingId'),
    response: z.object({ withdrawn: z.array(z.string()), csv: z.string() }),
    handler: async ({ params, request }) => {
      const r = await services.court.updatedList(actorOf(request), params.hearingId);
      return { withdrawn: r.withdrawn, csv: r.csv };
    },
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/court/hearings/:hearingId/outcomes', tag: 'Court', access: 'court.manage',
    summary: 'Record outcomes (granted, withdrawn, adjourned, dismissed) for cases at a hearing, all or nothing', params: idParam('hearingId'),
    body: z.object({ outcomes: z.array(outcomeInputSchema.extend({ outcome: z.enum(OUTCOMES) })).min(1) }),
    response: z.object({ counts: z.record(z.string(), z.number()), printFileRunId: z.number().nullable() }),
    handler: async ({ params, body, request }) => {
      const r = await services.court.recordOutcomes(actorOf(request), params.hearingId, body.outcomes);
      return { counts: r.counts, printFileRunId: r.batchRunId };
    },
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/court/hearings/:hearingId/outcomes-file', tag: 'Court', access: 'court.manage',
    summary: 'Record outcomes from the court’s CSV file (docs/court-list-format.md); nothing is recorded if any line is wrong', params: idParam('hearingId'),
    body: z.object({ fileName: z.string().min(1).max(200), csv: z.string().min(1) }),
    response: z.object({ counts: z.record(z.string(), z.number()), printFileRunId: z.number().nullable() }),
    handler: async ({ params, body, request }) => {
      const r = await services.court.uploadOutcomes(actorOf(request), params.hearingId, { name: body.fileName, text: body.csv });
      return { counts: r.counts, printFileRunId: r.batchRunId };
    },
  });
}
