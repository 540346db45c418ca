// Refunds: the list (waiting for approval, approved, paid), credit balances, the request form on an
// account, the second officer's decision, and the Bacs credit file. Pages and the JSON API.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RouteContext } from '../../web/app.ts';
import { idParam } from '../../web/api.ts';
import { actorOf } from '../../web/guard.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import { formOf } from '../payments/payments.routes.ts';
import { decisionSchema, refundRequestSchema } from './refunds.service.ts';

const refundJson = z.object({
  refundId: z.number(), accountReference: z.string().nullable(), receiptId: z.number().nullable(), amountPence: z.number(), payeeName: z.string(),
  status: z.string(), needsApproval: z.boolean(), reason: z.string(), requestedBy: z.string().nullable(), decidedBy: z.string().nullable(),
});

const poundsToPence = (text: unknown) => {
  const t = String(text ?? '').trim().replace(/^£/, '').replace(/,/g, '');
  return /^\d+(\.\d{1,2})?$/.test(t) ? Math.round(Number(t) * 100) : NaN;
};

export function registerRefundRoutes({ app, services, api }: RouteContext) {
  async function list(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const actor = actorOf(request);
    const [waiting, approved, paid, credits] = await Promise.all([
      services.refunds.list(actor, 'requested'), services.refunds.list(actor, 'approved'), services.refunds.list(actor, 'paid'), services.refunds.creditBalances(actor),
    ]);
    return reply.page('refunds/views/refunds.njk', { title: 'Refunds', waiting, approved, paid: paid.slice(0, 20), credits, today: services.clock.today(), done: (request.query as Record<string, string>).done, ...extra }, status);
  }

  app.get('/payments/refunds', { config: { access: 'payments.view' } }, (request, reply) => list(request, reply));

  async function form(request: FastifyRequest, reply: FastifyReply, accountId: number, extra: Record<string, unknown> = {}, status = 200) {
    const account = await services.accounts.requireAccount(actorOf(request), accountId);
    const credit = (await services.refunds.creditBalances(actorOf(request))).find((c) => c.account_id === accountId);
    return reply.page('refunds/views/refund-form.njk', { title: `Refund from account ${account.reference}`, account, credit, ...extra }, status);
  }
  app.get('/accounts/:accountId/refunds/new', { config: { access: 'refunds.request' } }, async (request, reply) => form(request, reply, idParam('accountId').parse(request.params).accountId));
  app.post('/accounts/:accountId/refunds/new', { config: { access: 'refunds.request' } }, async (request, reply) => {
    const { accountId } = idParam('accountId').parse(request.params);
    const input = formOf(request);
    try {
      const r = await services.refunds.requestRefund(actorOf(request), accountId, { ...input, amountPence: poundsToPence(input.amount) });
      return reply.redirect(`/payments/refunds?done=${r.status}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return form(request, reply, accountId, { errors: error.fields.map((f) => (f.field === 'amountPence' ? { ...f, field: 'amount' } : f)), values: input }, 400);
    }
  });

  app.post('/payments/refunds/:refundId/decision', { config: { access: 'refunds.approve' } }, async (request, reply) => {
    const { refundId } = idParam('refundId').parse(request.params);
    try {
      const r = await services.refunds.decide(actorOf(request), refundId, formOf(request));
      return reply.redirect(`/payments/refunds?done=${r.status}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError || error instanceof ConflictError)) throw error;
      const fields = error instanceof ValidationError && error.fields.length ? error.fields : [{ field: `note-${refundId}`, message: error.message }];
      return list(request, reply, { errors: fields.map((f) => (f.field === 'note' ? { ...f, field: `note-${refundId}` } : f)) }, 400);
    }
  });

  app.post('/payments/refunds/bacs-file', { config: { access: 'refunds.approve' } }, async (request, reply) => {
    const input = formOf(request);
    try {
      const processingDate = String(input.processingDate ?? '');
      if (!/^\d{4}-\d{2}-\d{2}$/.test(processingDate)) throw new ValidationError('Enter the processing date as YYYY-MM-DD', [{ field: 'processingDate', message: 'Enter the processing date as YYYY-MM-DD' }]);
      const r = await services.refunds.createCreditFile(actorOf(request), { processingDate });
      return reply.redirect(`/payments/direct-debit?file=${r.fileId}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError || error instanceof ConflictError)) throw error;
      return list(request, reply, { errors: [{ field: 'processingDate', message: error.message }] }, 400);
    }
  });

  const toJson = (r: Awaited<ReturnType<typeof services.refunds.list>>[number]) => ({
    refundId: r.id, accountReference: r.account_reference, receiptId: r.receipt_id, amountPence: r.amount_pence, payeeName: r.payee_name,
    status: r.status, needsApproval: r.needs_approval, reason: r.reason, requestedBy: r.requested_by_name, decidedBy: r.decided_by_name,
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/refunds', tag: 'Refunds', access: 'payments.view', summary: 'Refunds by status',
    query: z.object({ status: z.enum(['requested', 'approved', 'rejected', 'paid']).optional() }), response: z.object({ refunds: z.array(refundJson) }),
    handler: async ({ query, request }) => ({ refunds: (await services.refunds.list(actorOf(request), query.status)).map(toJson) }),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/refunds/credit-balances', tag: 'Refunds', access: 'payments.view', summary: 'Accounts in credit, with credit held for refunds and debts on the customer’s other accounts',
    response: z.object({ accounts: z.array(z.object({ accountId: z.number(), reference: z.string(), customerName: z.string(), creditPence: z.number(), reservedPence: z.number(), owedElsewherePence: z.number() })) }),
    handler: async ({ request }) => ({ accounts: (await services.refunds.creditBalances(actorOf(request))).map((c) => ({ accountId: c.account_id, reference: c.reference, customerName: c.customer_name, creditPence: c.credit_pence, reservedPence: c.reserved_pence, owedElsewherePence: c.owed_elsewhere_pence })) }),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/accounts/:accountId/refunds', tag: 'Refunds', access: 'refunds.request', successStatus: 201,
    summary: 'Request a refund of credit (approved at once within the limits; otherwise a second, senior officer decides)',
    params: idParam('accountId'), body: refundRequestSchema, response: z.object({ refundId: z.number(), status: z.string() }),
    handler: async ({ params, body, request }) => services.refunds.requestRefund(actorOf(request), params.accountId, body),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/payments/suspense/:receiptId/return', tag: 'Refunds', access: 'refunds.request', successStatus: 201,
    summary: 'Return money in suspense to the payer (a refund with the same approval rules)',
    params: idParam('receiptId'), body: refundRequestSchema.omit({ amountPence: true }), response: z.object({ refundId: z.number(), status: z.string() }),
    handler: async ({ params, body, request }) => services.refunds.requestReturn(actorOf(request), params.receiptId, body),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/refunds/:refundId/decision', tag: 'Refunds', access: 'refunds.approve', summary: 'Approve or reject a refund (never the officer who asked for it)',
    params: idParam('refundId'), body: decisionSchema, response: z.object({ refundId: z.number(), status: z.string() }),
    handler: async ({ params, body, request }) => services.refunds.decide(actorOf(request), params.refundId, body),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/refunds/bacs-files', tag: 'Refunds', access: 'refunds.approve', successStatus: 201, summary: 'Make the Bacs credit file paying every approved refund',
    body: z.object({ processingDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }), response: z.object({ fileId: z.number(), refunds: z.number(), totalPence: z.number() }),
    handler: async ({ body, request }) => services.refunds.createCreditFile(actorOf(request), body),
  });
}
