// Attachment of earnings pages and API: employers, making an order on an account, the order with its
// remittances, and the monitor queue (expected deductions against remittances).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RouteContext } from '../../web/app.ts';
import { idParam } from '../../web/api.ts';
import { actorOf } from '../../web/guard.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import { parsePence } from '../../domain/money.ts';
import { employerSchema, endOrderSchema, orderSchema, remittanceSchema } from './attachments.service.ts';

function pounds(values: Record<string, unknown>, from: string, to: string) {
  const v = typeof values[from] === 'string' ? (values[from] as string).trim() : '';
  if (v === '') return { ...values, [to]: undefined };
  try { return { ...values, [to]: parsePence(v) }; } catch { throw new ValidationError('Check the amount', [{ field: from, message: 'Enter an amount in pounds, for example 1500.00' }]); }
}
const fieldFor = (f: string) => (f === 'netEarningsPence' ? 'netEarnings' : f === 'amountPence' ? 'amount' : f);

export function registerAttachmentRoutes({ app, services, api }: RouteContext) {
  app.get('/attachments', { config: { access: 'cases.view' } }, async (request, reply) => {
    // Attachment orders are a work queue (a page at a time, with assignment); deductions from
    // benefit and the requests awaiting DWP's answer are listed beneath them as before.
    const actor = actorOf(request);
    const q = request.query as Record<string, string>;
    const [wq, employers, benefits, awaitingDwp] = await Promise.all([
      services.workQueues.page(actor, 'attachments', q), services.attachments.listEmployers(actor), services.benefitAttachments.monitor(actor), services.benefitAttachments.awaitingDwp(actor),
    ]);
    return reply.page('attachments/views/attachments.njk', { title: 'Attachments of earnings and benefits', orders: wq.items, employers, benefits, awaitingDwp, done: q.done, wq });
  });

  const renderEmployer = (reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) =>
    reply.page('attachments/views/employer-form.njk', { title: 'Register an employer', values: {}, backHref: '/attachments', ...extra }, status);
  app.get('/employers/new', { config: { access: 'attachments.manage' } }, async (request, reply) => renderEmployer(reply, { returnTo: (request.query as Record<string, string>).returnTo }));
  app.post('/employers/new', { config: { access: 'attachments.manage' } }, async (request, reply) => {
    const { _csrf, returnTo, ...input } = (request.body ?? {}) as Record<string, string>;
    void _csrf;
    try {
      await services.attachments.registerEmployer(actorOf(request), input);
      const back = typeof returnTo === 'string' && /^\/accounts\/\d+\/attachments\/new$/.test(returnTo) ? returnTo : '/attachments?done=employer';
      return reply.redirect(back, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return renderEmployer(reply, { errors: error.fields, values: input, returnTo }, 400);
    }
  });

  const renderOrderForm = async (request: FastifyRequest, reply: FastifyReply, accountId: number, extra: Record<string, unknown> = {}, status = 200) => {
    const account = await services.accounts.requireAccount(actorOf(request), accountId);
    const employers = await services.attachments.listEmployers(actorOf(request));
    return reply.page('attachments/views/order-form.njk', { title: 'Attachment of earnings order', account, employers, values: {}, backHref: `/accounts/${accountId}`, ...extra }, status);
  };
  app.get('/accounts/:accountId/attachments/new', { config: { access: 'attachments.manage' } }, async (request, reply) =>
    renderOrderForm(request, reply, idParam('accountId').parse(request.params).accountId));
  app.post('/accounts/:accountId/attachments/new', { config: { access: 'attachments.manage' } }, async (request, reply) => {
    const { accountId } = idParam('accountId').parse(request.params);
    const { _csrf, ...input } = (request.body ?? {}) as Record<string, unknown>;
    void _csrf;
    try {
      const id = await services.attachments.makeOrder(actorOf(request), accountId, pounds(input, 'netEarnings', 'netEarningsPence'));
      return reply.redirect(`/attachments/${id}?done=made`, 303);
    } catch (error) {
      if (error instanceof ValidationError) return renderOrderForm(request, reply, accountId, { errors: error.fields.map((f) => ({ ...f, field: fieldFor(f.field) })), values: input }, 400);
      if (error instanceof ConflictError) return renderOrderForm(request, reply, accountId, { errors: [{ field: 'employerId', message: error.message }], values: input }, 409);
      throw error;
    }
  });

  const renderOrder = async (request: FastifyRequest, reply: FastifyReply, id: number, extra: Record<string, unknown> = {}, status = 200) => {
    const view = await services.attachments.getOrder(actorOf(request), id);
    return reply.page('attachments/views/order.njk', { title: `Attachment of earnings order ${id}`, ...view, values: {}, ...extra }, status);
  };
  app.get('/attachments/:orderId', { config: { access: 'cases.view' } }, async (request, reply) =>
    renderOrder(request, reply, idParam('orderId').parse(request.params).orderId, { done: (request.query as Record<string, string>).done }));
  for (const action of ['remittances', 'end'] as const) {
    app.post(`/attachments/:orderId/${action}`, { config: { access: 'attachments.manage' } }, async (request, reply) => {
      const { orderId } = idParam('orderId').parse(request.params);
      const { _csrf, ...input } = (request.body ?? {}) as Record<string, unknown>;
      void _csrf;
      try {
        if (action === 'remittances') await services.attachments.recordRemittance(actorOf(request), orderId, pounds(input, 'amount', 'amountPence'));
        else await services.attachments.endOrder(actorOf(request), orderId, input);
        return reply.redirect(`/attachments/${orderId}?done=${action === 'end' ? 'ended' : 'remitted'}`, 303);
      } catch (error) {
        if (error instanceof ValidationError) return renderOrder(request, reply, orderId, { errors: error.fields.map((f) => ({ ...f, field: fieldFor(f.field) })), values: input }, 400);
        if (error instanceof ConflictError) return renderOrder(request, reply, orderId, { errors: [{ field: action === 'end' ? 'reason' : 'amount', message: error.message }], values: input }, 409);
        throw error;
      }
    });
  }

  // JSON API.
  api.add(app, {
    method: 'POST', url: '/api/v1/employers', summary: 'Register an employer (payroll address) for attachment of earnings orders', tag: 'Attachments',
    access: 'attachments.manage', body: employerSchema, response: z.object({ id: z.number() }), successStatus: 201,
    handler: async ({ body, request }) => ({ id: await services.attachments.registerEmployer(actorOf(request), body) }),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/accounts/:accountId/attachment-orders', summary: 'Make an attachment of earnings order (statutory table for the nation and pay period; at most two at once); the order goes to the employer as a letter',
    tag: 'Attachments', access: 'attachments.manage', params: idParam('accountId'), body: orderSchema, response: z.object({ id: z.number() }), successStatus: 201,
    handler: async ({ params, body, request }) => ({ id: await services.attachments.makeOrder(actorOf(request), params.accountId as number, body) }),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/attachment-orders/:orderId/remittances', summary: 'Record an employer’s remittance (posted as a payment; clears the order when met)',
    tag: 'Attachments', access: 'attachments.manage', params: idParam('orderId'), body: remittanceSchema, successStatus: 201,
    response: z.object({ receivedPence: z.number(), cleared: z.boolean() }),
    handler: async ({ params, body, request }) => services.attachments.recordRemittance(actorOf(request), params.orderId as number, body),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/attachment-orders/:orderId/end', summary: 'End an order (the employer is told to stop deducting)',
    tag: 'Attachments', access: 'attachments.manage', params: idParam('orderId'), body: endOrderSchema, response: z.object({ ended: z.boolean() }),
    handler: async ({ params, body, request }) => { await services.attachments.endOrder(actorOf(request), params.orderId as number, body); return { ended: true }; },
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/attachment-orders/:orderId/change-employer', summary: 'The debtor changed employer: end this order (old employer told to stop) and send a new one for what is still owed',
    tag: 'Attachments', access: 'attachments.manage', params: idParam('orderId'), body: orderSchema, response: z.object({ id: z.number() }), successStatus: 201,
    handler: async ({ params, body, request }) => ({ id: await services.attachments.changeEmployer(actorOf(request), params.orderId as number, body) }),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/attachment-orders/monitor', summary: 'Active orders: deductions expected by asOf against remittances, biggest shortfall first',
    tag: 'Attachments', access: 'cases.view', query: z.object({ asOf: z.string().optional() }),
    response: z.object({ orders: z.array(z.object({ id: z.number(), accountReference: z.string(), employer: z.string(), deductionPence: z.number(), expectedPence: z.number(), receivedPence: z.number(), shortfallPence: z.number() })) }),
    handler: async ({ query, request }) => ({
      orders: (await services.attachments.monitor(actorOf(request), query?.asOf)).map((o) => ({ id: Number(o.id), accountReference: o.account_reference, employer: o.employer_name, deductionPence: Number(o.deduction_pence), expectedPence: Number(o.expected_pence), receivedPence: Number(o.received_pence), shortfallPence: Number(o.shortfall_pence) })),
    }),
  });
}
