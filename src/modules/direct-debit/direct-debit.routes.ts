// Direct Debit pages and API: instructions, set-up on an account, cancellation, the AUDDIS, advance
// notice and collection runs, and the Bacs files they make (downloadable).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RouteContext } from '../../web/app.ts';
import { idParam } from '../../web/api.ts';
import { actorOf } from '../../web/guard.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import { formOf } from '../payments/payments.routes.ts';
import { mandateSchema } from './direct-debit.service.ts';

const dateBody = z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter a date as YYYY-MM-DD') });

export function registerDirectDebitRoutes({ app, services, api }: RouteContext) {
  async function page(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const actor = actorOf(request);
    const [mandates, files, settings] = await Promise.all([services.directDebit.listMandates(actor), services.directDebit.bacsFiles(actor), services.paymentSettings.get(actor)]);
    const q = request.query as Record<string, string>;
    return reply.page('direct-debit/views/direct-debit.njk', { title: 'Direct Debit', mandates, files, settings, today: services.clock.today(), result: q.result, fileId: q.file, ...extra }, status);
  }
  app.get('/payments/direct-debit', { config: { access: 'payments.view' } }, (request, reply) => page(request, reply));

  const run = (path: string, act: (request: FastifyRequest, date: string) => Promise<string>) => {
    app.post(`/payments/direct-debit/${path}`, { config: { access: 'direct_debit.run' } }, async (request, reply) => {
      const input = formOf(request);
      try {
        const parsed = dateBody.safeParse(input);
        if (!parsed.success) throw new ValidationError('Enter a date as YYYY-MM-DD', [{ field: `${path}-date`, message: 'Enter a date as YYYY-MM-DD' }]);
        const result = await act(request, parsed.data.date);
        return reply.redirect(`/payments/direct-debit?result=${encodeURIComponent(result)}`, 303);
      } catch (error) {
        if (!(error instanceof ValidationError || error instanceof ConflictError)) throw error;
        return page(request, reply, { errors: [{ field: `${path}-date`, message: error.message }] }, 400);
      }
    });
  };
  run('auddis', async (request, date) => {
    const r = await services.directDebit.lodgeInstructions(actorOf(request), { processingDate: date });
    return `AUDDIS file ${r.fileId}: ${r.lodged} instruction(s) lodged, ${r.cancelled} cancelled`;
  });
  run('advance-notices', async (request, date) => `${(await services.directDebit.sendAdvanceNotices(actorOf(request), { asOf: date })).notices} advance notice(s) sent`);
  run('collections', async (request, date) => {
    const r = await services.directDebit.runCollections(actorOf(request), { collectionDate: date, represent: true });
    return r.fileId ? `Collection file ${r.fileId}: ${r.collections} collection(s), £${(r.totalPence / 100).toFixed(2)}${r.skipped.length ? `; ${r.skipped.length} skipped` : ''}` : `Nothing to collect on ${date}${r.skipped.length ? ` (${r.skipped.length} skipped: ${r.skipped[0].reason})` : ''}`;
  });

  app.get('/payments/bacs-files/:fileId', { config: { access: 'direct_debit.run' } }, async (request, reply) => {
    const { fileId } = idParam('fileId').parse(request.params);
    const file = await services.directDebit.bacsFile(actorOf(request), fileId);
    return reply.type('text/plain; charset=utf-8').header('content-disposition', `attachment; filename="${file.file_name}"`).send(file.content);
  });

  async function mandateForm(request: FastifyRequest, reply: FastifyReply, accountId: number, extra: Record<string, unknown> = {}, status = 200) {
    const account = await services.accounts.requireAccount(actorOf(request), accountId);
    const settings = await services.paymentSettings.get(actorOf(request));
    return reply.page('direct-debit/views/mandate-form.njk', { title: 'Set up a Direct Debit', account, days: settings.dd_collection_days, ...extra }, status);
  }
  app.get('/accounts/:accountId/direct-debit/new', { config: { access: 'direct_debit.manage' } }, async (request, reply) => mandateForm(request, reply, idParam('accountId').parse(request.params).accountId));
  app.post('/accounts/:accountId/direct-debit/new', { config: { access: 'direct_debit.manage' } }, async (request, reply) => {
    const { accountId } = idParam('accountId').parse(request.params);
    const input = formOf(request);
    try {
      await services.directDebit.createMandate(actorOf(request), accountId, input);
      return reply.redirect(`/accounts/${accountId}/payments?done=mandate`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError || error instanceof ConflictError)) throw error;
      return mandateForm(request, reply, accountId, { errors: error instanceof ValidationError && error.fields.length ? error.fields : [{ field: 'payerName', message: error.message }], values: input }, 400);
    }
  });
  app.post('/payments/direct-debit/:mandateId/cancel', { config: { access: 'direct_debit.manage' } }, async (request, reply) => {
    const { mandateId } = idParam('mandateId').parse(request.params);
    const m = await services.directDebit.findMandate(actorOf(request), mandateId);
    await services.directDebit.cancelMandate(actorOf(request), mandateId, formOf(request));
    return reply.redirect(`/accounts/${m.account_id}/payments?done=cancelled`, 303);
  });

  const mandateJson = z.object({ mandateId: z.number(), accountReference: z.string(), payerName: z.string(), sortCode: z.string(), accountNumberEnding: z.string(), collectionDay: z.number(), status: z.string(), setUpBy: z.string() });
  api.add(app, {
    method: 'GET', url: '/api/v1/direct-debit/mandates', tag: 'Direct Debit', access: 'payments.view', summary: 'Direct Debit instructions',
    query: z.object({ status: z.enum(['pending', 'lodged', 'active', 'cancelled']).optional() }), response: z.object({ mandates: z.array(mandateJson) }),
    handler: async ({ query, request }) => ({ mandates: (await services.directDebit.listMandates(actorOf(request), query.status)).map((m) => ({ mandateId: m.id, accountReference: m.account_reference, payerName: m.payer_name, sortCode: m.sort_code, accountNumberEnding: m.account_number.slice(-4), collectionDay: m.collection_day, status: m.status, setUpBy: m.set_up_by })) }),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/accounts/:accountId/direct-debit', tag: 'Direct Debit', access: 'direct_debit.manage', successStatus: 201, summary: 'Set up a Direct Debit instruction (bank details and collection day checked)',
    params: idParam('accountId'), body: mandateSchema, response: z.object({ mandateId: z.number() }),
    handler: async ({ params, body, request }) => services.directDebit.createMandate(actorOf(request), params.accountId, body),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/direct-debit/mandates/:mandateId/cancel', tag: 'Direct Debit', access: 'direct_debit.manage', summary: 'Cancel an instruction (lodged ones are cancelled with Bacs by the next AUDDIS file)',
    params: idParam('mandateId'), body: z.object({ reason: z.string() }), response: z.object({ cancelled: z.boolean() }),
    handler: async ({ params, body, request }) => { await services.directDebit.cancelMandate(actorOf(request), params.mandateId, body); return { cancelled: true }; },
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/direct-debit/auddis', tag: 'Direct Debit', access: 'direct_debit.run', successStatus: 201, summary: 'Make the AUDDIS lodgement file (0N, 0S, 0C)',
    body: z.object({ processingDate: z.string() }), response: z.object({ fileId: z.number(), lodged: z.number(), cancelled: z.number() }),
    handler: async ({ body, request }) => services.directDebit.lodgeInstructions(actorOf(request), body),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/direct-debit/advance-notices', tag: 'Direct Debit', access: 'direct_debit.run', summary: 'Send advance notices for plans not yet notified',
    body: z.object({ asOf: z.string().optional() }), response: z.object({ notices: z.number() }),
    handler: async ({ body, request }) => services.directDebit.sendAdvanceNotices(actorOf(request), body),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/direct-debit/collections', tag: 'Direct Debit', access: 'direct_debit.run', successStatus: 201, summary: 'Run the collections for a date: a Bacs Standard 18 file (01, 17, 18, 19) and a payment per collection',
    body: z.object({ collectionDate: z.string(), represent: z.boolean().default(false) }),
    response: z.object({ fileId: z.number().nullable(), collections: z.number(), totalPence: z.number(), skipped: z.array(z.object({ reference: z.string(), reason: z.string() })) }),
    handler: async ({ body, request }) => services.directDebit.runCollections(actorOf(request), body),
  });
}
