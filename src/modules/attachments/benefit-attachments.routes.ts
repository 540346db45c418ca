// Attachment of benefits pages and API: the request form from the account, the attachment with DWP's
// answer, the deductions received and ending it, and the bulk request file for DWP.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RouteContext } from '../../web/app.ts';
import { idParam } from '../../web/api.ts';
import { actorOf } from '../../web/guard.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import { parsePence } from '../../domain/money.ts';
import { BENEFIT_LABELS, BENEFIT_TYPES, UC_ALLOWANCE_LABELS, UC_ALLOWANCES } from '../../domain/law/attachment-of-benefits.ts';
import { benefitReceiptSchema, benefitRequestSchema, dwpDecisionSchema, endBenefitAttachmentSchema } from './benefit-attachments.service.ts';

/** Form amounts are pounds; the service takes pence. A bad amount names the form's field. */
function pounds(values: Record<string, unknown>, from: string, to: string) {
  const v = typeof values[from] === 'string' ? (values[from] as string).trim() : '';
  if (v === '') return { ...values, [to]: undefined };
  try { return { ...values, [to]: parsePence(v) }; } catch { throw new ValidationError('Check the amount', [{ field: from, message: 'Enter an amount in pounds, for example 4.55' }]); }
}
const formField = (f: string) => (f === 'amountPence' ? 'amount' : f === 'deductionPence' ? 'deduction' : f);
const benefitItems = BENEFIT_TYPES.map((value) => ({ value, text: BENEFIT_LABELS[value] }));
const ucItems = UC_ALLOWANCES.map((value) => ({ value, text: UC_ALLOWANCE_LABELS[value] }));

export function registerBenefitAttachmentRoutes({ app, services, api }: RouteContext) {
  const renderForm = async (request: FastifyRequest, reply: FastifyReply, accountId: number, extra: Record<string, unknown> = {}, status = 200) => {
    const account = await services.accounts.requireAccount(actorOf(request), accountId);
    return reply.page('attachments/views/benefit-form.njk', { title: 'Deductions from benefit', account, benefitItems, ucItems, values: {}, backHref: `/accounts/${accountId}`, ...extra }, status);
  };
  app.get('/accounts/:accountId/benefit-attachments/new', { config: { access: 'attachments.manage' } }, async (request, reply) =>
    renderForm(request, reply, idParam('accountId').parse(request.params).accountId));
  app.post('/accounts/:accountId/benefit-attachments/new', { config: { access: 'attachments.manage' } }, async (request, reply) => {
    const { accountId } = idParam('accountId').parse(request.params);
    const { _csrf, ...input } = (request.body ?? {}) as Record<string, unknown>;
    void _csrf;
    try {
      const id = await services.benefitAttachments.request(actorOf(request), accountId, input);
      return reply.redirect(`/benefit-attachments/${id}?done=requested`, 303);
    } catch (error) {
      if (error instanceof ValidationError) return renderForm(request, reply, accountId, { errors: error.fields, values: input }, 400);
      if (error instanceof ConflictError) return renderForm(request, reply, accountId, { errors: [{ field: 'accountId', message: error.message }], values: input }, 409);
      throw error;
    }
  });

  const renderAttachment = async (request: FastifyRequest, reply: FastifyReply, id: number, extra: Record<string, unknown> = {}, status = 200) => {
    const view = await services.benefitAttachments.get(actorOf(request), id);
    return reply.page('attachments/views/benefit.njk', {
      title: `Deductions from benefit ${id}`, ...view, benefitLabel: BENEFIT_LABELS[view.attachment.benefit_type],
      ucLabel: view.attachment.uc_allowance ? UC_ALLOWANCE_LABELS[view.attachment.uc_allowance] : null, values: {}, ...extra,
    }, status);
  };
  app.get('/benefit-attachments/:attachmentId', { config: { access: 'cases.view' } }, async (request, reply) =>
    renderAttachment(request, reply, idParam('attachmentId').parse(request.params).attachmentId, { done: (request.query as Record<string, string>).done }));
  const ACTIONS = { decision: 'decided', receipts: 'received', end: 'ended' } as const;
  for (const action of Object.keys(ACTIONS) as (keyof typeof ACTIONS)[]) {
    app.post(`/benefit-attachments/:attachmentId/${action}`, { config: { access: 'attachments.manage' } }, async (request, reply) => {
      const { attachmentId } = idParam('attachmentId').parse(request.params);
      const { _csrf, ...input } = (request.body ?? {}) as Record<string, unknown>;
      void _csrf;
      try {
        const actor = actorOf(request);
        if (action === 'decision') await services.benefitAttachments.recordDecision(actor, attachmentId, pounds(input, 'deduction', 'deductionPence'));
        else if (action === 'receipts') await services.benefitAttachments.recordReceipt(actor, attachmentId, pounds(input, 'amount', 'amountPence'));
        else {
          // The page holds both the decision and the end forms, so the end form's radios are endOutcome.
          const { endOutcome, ...rest } = input;
          await services.benefitAttachments.end(actor, attachmentId, { ...rest, outcome: endOutcome });
        }
        return reply.redirect(`/benefit-attachments/${attachmentId}?done=${ACTIONS[action]}`, 303);
      } catch (error) {
        const errorsFor = action === 'decision' ? 'outcome' : action === 'receipts' ? 'amount' : 'endOutcome';
        if (error instanceof ValidationError) {
          const fields = error.fields.map((f) => ({ ...f, field: action === 'end' && f.field === 'outcome' ? 'endOutcome' : formField(f.field) }));
          return renderAttachment(request, reply, attachmentId, { errors: fields, values: input, form: action }, 400);
        }
        if (error instanceof ConflictError) return renderAttachment(request, reply, attachmentId, { errors: [{ field: errorsFor, message: error.message }], values: input, form: action }, 409);
        throw error;
      }
    });
  }
  // The bulk request file: a POST, because it marks the requests it carries as sent.
  app.post('/benefit-attachments/dwp-requests', { config: { access: 'attachments.manage' } }, async (request, reply) => {
    const file = await services.benefitAttachments.dwpRequestFile(actorOf(request));
    if (!file.requests) return reply.redirect('/attachments?done=no-dwp-requests', 303);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${file.fileName}"`).send(file.csv);
  });

  // JSON API.
  const attachmentJson = z.object({
    id: z.number(), accountId: z.number(), accountReference: z.string(), customer: z.string(), benefitType: z.string(), ucAllowance: z.string().nullable(),
    niNumber: z.string(), status: z.string(), requestedOn: z.string(), requestedPence: z.number(), period: z.string(), deductionPence: z.number(),
    receivedPence: z.number(), dwpReference: z.string().nullable(), firstDeductionOn: z.string().nullable(), endedOn: z.string().nullable(), endReason: z.string().nullable(),
    documentId: z.number().nullable(), dwpFile: z.string().nullable(), receipts: z.array(z.object({ receivedOn: z.string(), amountPence: z.number() })),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/accounts/:accountId/benefit-attachments', summary: 'Ask DWP to deduct council tax from the debtor’s benefit (needs a liability order); the request goes to DWP as a letter and in the next bulk request file',
    tag: 'Attachments', access: 'attachments.manage', params: idParam('accountId'), body: benefitRequestSchema, response: z.object({ id: z.number() }), successStatus: 201,
    handler: async ({ params, body, request }) => ({ id: await services.benefitAttachments.request(actorOf(request), params.accountId as number, body) }),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/benefit-attachments/:attachmentId', summary: 'A deduction-from-benefit request or attachment with the deductions received',
    tag: 'Attachments', access: 'cases.view', params: idParam('attachmentId'), response: attachmentJson,
    handler: async ({ params, request }) => {
      const { attachment: b, receipts } = await services.benefitAttachments.get(actorOf(request), params.attachmentId as number);
      return {
        id: Number(b.id), accountId: Number(b.account_id), accountReference: b.account_reference, customer: b.customer_name, benefitType: b.benefit_type, ucAllowance: b.uc_allowance,
        niNumber: b.ni_number, status: b.status, requestedOn: b.requested_on, requestedPence: Number(b.requested_pence), period: b.period, deductionPence: Number(b.deduction_pence),
        receivedPence: Number(b.received_pence), dwpReference: b.dwp_reference, firstDeductionOn: b.first_deduction_on, endedOn: b.ended_on, endReason: b.end_reason,
        documentId: b.document_id === null ? null : Number(b.document_id), dwpFile: b.dwp_file, receipts: receipts.map((r) => ({ receivedOn: r.received_on, amountPence: Number(r.amount_pence) })),
      };
    },
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/benefit-attachments/:attachmentId/decision', summary: 'Record DWP’s answer: accepted (the amount it will deduct and from when) or rejected (its reason)',
    tag: 'Attachments', access: 'attachments.manage', params: idParam('attachmentId'), body: dwpDecisionSchema, response: z.object({ recorded: z.boolean() }),
    handler: async ({ params, body, request }) => { await services.benefitAttachments.recordDecision(actorOf(request), params.attachmentId as number, body); return { recorded: true }; },
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/benefit-attachments/:attachmentId/receipts', summary: 'Record money DWP paid over (posted as a payment; clears the attachment when met and tells DWP to stop)',
    tag: 'Attachments', access: 'attachments.manage', params: idParam('attachmentId'), body: benefitReceiptSchema, successStatus: 201,
    response: z.object({ receivedPence: z.number(), cleared: z.boolean() }),
    handler: async ({ params, body, request }) => services.benefitAttachments.recordReceipt(actorOf(request), params.attachmentId as number, body),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/benefit-attachments/:attachmentId/end', summary: 'End a request or attachment: cleared, benefit ended, or withdrawn (DWP is told to stop unless the benefit ended)',
    tag: 'Attachments', access: 'attachments.manage', params: idParam('attachmentId'), body: endBenefitAttachmentSchema, response: z.object({ ended: z.boolean() }),
    handler: async ({ params, body, request }) => { await services.benefitAttachments.end(actorOf(request), params.attachmentId as number, body); return { ended: true }; },
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/benefit-attachments/monitor', summary: 'Accepted attachments of benefits: deductions expected by asOf against what DWP paid, biggest shortfall first',
    tag: 'Attachments', access: 'cases.view', query: z.object({ asOf: z.string().optional() }),
    response: z.object({ attachments: z.array(z.object({ id: z.number(), accountReference: z.string(), benefitType: z.string(), period: z.string(), deductionPence: z.number(), expectedPence: z.number(), receivedPence: z.number(), shortfallPence: z.number() })) }),
    handler: async ({ query, request }) => ({
      attachments: (await services.benefitAttachments.monitor(actorOf(request), query?.asOf)).map((b) => ({
        id: Number(b.id), accountReference: b.account_reference, benefitType: b.benefit_type, period: b.period, deductionPence: Number(b.deduction_pence),
        expectedPence: Number(b.expected_pence), receivedPence: Number(b.received_pence), shortfallPence: Number(b.shortfall_pence),
      })),
    }),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/benefit-attachments/dwp-requests', summary: 'The bulk request file for DWP (CSV, docs/formats.md): every request not yet in a file; each request goes in one file only',
    tag: 'Attachments', access: 'attachments.manage', response: z.any(), produces: 'text/csv; charset=utf-8',
    handler: async ({ request }, reply) => {
      const file = await services.benefitAttachments.dwpRequestFile(actorOf(request));
      reply.header('content-disposition', `attachment; filename="${file.fileName}"`).header('x-levy-requests', String(file.requests));
      return file.csv;
    },
  });
}
