// Money in: the upload page and import reports, the suspense work queue and its actions, an
// account's payments (re-allocate, transfer credit), the daily cash report, the GL journal and the
// payment settings. Pages and the JSON API call the same services.
import type { FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { z } from 'zod';
import type { RouteContext } from '../../web/app.ts';
import { idParam } from '../../web/api.ts';
import { actorOf } from '../../web/guard.ts';
import { ValidationError } from '../../errors.ts';
import { FORMAT_LABELS, PAYMENT_FORMATS, type ImportReport } from './payments.service.ts';
import { allocateSchema, reallocateSchema, splitSchema, transferSchema } from './suspense.service.ts';
import { settingsSchema } from './settings.ts';
import { csvMappingSchema } from '../../integrations/csv-mapping/csv-mapping.ts';
import { channelLabel } from './receipts.repository.ts';

const UPLOAD_FORMATS = [...PAYMENT_FORMATS, 'arudd', 'addacs'] as const;
const UPLOAD_LABELS: Record<string, string> = { ...FORMAT_LABELS, arudd: 'Bacs ARUDD (returned Direct Debits)', addacs: 'Bacs ADDACS (instruction changes)' };

const reportSchema = z.object({
  importId: z.number(), alreadyImported: z.boolean(), status: z.string(), format: z.string(), fileName: z.string(),
  lines: z.number(), amountPence: z.number(),
  matched: z.object({ lines: z.number(), amountPence: z.number() }),
  suspense: z.object({ lines: z.number(), amountPence: z.number() }),
  exceptions: z.object({ lines: z.number(), amountPence: z.number() }),
  declared: z.object({ lines: z.number().nullable(), amountPence: z.number().nullable() }),
  fileProblems: z.array(z.string()), warnings: z.array(z.string()), balanced: z.boolean(),
});
const suspenseItemSchema = z.object({
  receiptId: z.number(), amountPence: z.number(), receivedOn: z.string(), ageDays: z.number(), channel: z.string(),
  reference: z.string().nullable(), payerName: z.string().nullable(), reason: z.string().nullable(), importId: z.number().nullable(), importLine: z.number().nullable(),
});
const okSchema = z.object({ receiptId: z.number().optional(), parts: z.array(z.number()).optional(), accountId: z.number().optional() });

/** The form's fields without the CSRF token. */
export function formOf(request: FastifyRequest): Record<string, unknown> {
  const { _csrf, ...rest } = (request.body ?? {}) as Record<string, unknown>;
  void _csrf;
  return rest;
}

const itemJson = (i: { id: number; amount_pence: number; received_on: string; age_days: number; channel: string; reference: string | null; payer_name: string | null; suspense_reason: string | null; import_id: number | null; import_line_no: number | null }) => ({
  receiptId: i.id, amountPence: i.amount_pence, receivedOn: i.received_on, ageDays: i.age_days, channel: i.channel, reference: i.reference,
  payerName: i.payer_name, reason: i.suspense_reason, importId: i.import_id, importLine: i.import_line_no,
});

export function registerPaymentRoutes({ app, services, api }: RouteContext) {
  const formats = UPLOAD_FORMATS.map((value) => ({ value, text: UPLOAD_LABELS[value] }));

  async function runImport(request: FastifyRequest, input: { format: string; mapping?: string; fileName: string; content: Buffer }): Promise<ImportReport> {
    const actor = actorOf(request);
    const source = { name: input.fileName, open: () => [input.content] };
    if (input.format === 'arudd') return services.directDebit.importArudd(actor, source);
    if (input.format === 'addacs') return services.directDebit.importAddacs(actor, source);
    if (!(PAYMENT_FORMATS as readonly string[]).includes(input.format)) throw new ValidationError('Choose the file format', [{ field: 'format', message: 'Choose the file format' }]);
    return services.payments.importFile(actor, source, { format: input.format as (typeof PAYMENT_FORMATS)[number], mappingName: input.mapping || undefined });
  }

  async function home(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const actor = actorOf(request);
    const [imports, suspense, mappings, refunds] = await Promise.all([
      services.payments.listImports(actor), services.suspense.listSuspense(actor), services.payments.csvMappings(actor), services.refunds.list(actor, 'requested'),
    ]);
    return reply.page('payments/views/home.njk', {
      title: 'Money in', imports, suspenseTotals: suspense.totals, refundsWaiting: refunds.length, formats,
      mappings: mappings.map((m) => ({ value: m.name, text: m.name })), ...extra,
    }, status);
  }

  app.get('/payments', { config: { access: 'payments.view' } }, (request, reply) => home(request, reply));

  // Uploads are multipart; the plugin lives in this scope only, with the fields attached to the body so
  // the CSRF check sees _csrf like any other form.
  app.register(async (scope) => {
    await scope.register(multipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: 50 * 1024 * 1024, files: 1 },
      onFile: async (part) => {
        (part as unknown as { value: unknown }).value = { filename: part.filename, data: await part.toBuffer() };
      },
    });
    scope.post('/payments/imports', { config: { access: 'payments.import' } }, async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const file = body.file as { filename?: string; data?: Buffer } | undefined;
      const values = { format: String(body.format ?? ''), mapping: String(body.mapping ?? '') };
      try {
        if (!file?.data || file.data.length === 0) throw new ValidationError('Choose a file to import', [{ field: 'file', message: 'Choose a file to import' }]);
        if (!values.format) throw new ValidationError('Choose the file format', [{ field: 'format', message: 'Choose the file format' }]);
        const report = await runImport(request, { format: values.format, mapping: values.mapping, fileName: file.filename || 'upload', content: file.data });
        return reply.redirect(`/payments/imports/${report.importId}${report.alreadyImported ? '?again=1' : ''}`, 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return home(request, reply, { errors: error.fields.length ? error.fields : [{ field: 'file', message: error.message }], values }, 400);
      }
    });
  });

  app.get('/payments/imports/:importId', { config: { access: 'payments.view' } }, async (request, reply) => {
    const { importId } = idParam('importId').parse(request.params);
    const query = request.query as Record<string, string>;
    const status = ['matched', 'suspense', 'exception'].includes(query.status) ? query.status : undefined;
    const page = Math.max(1, Number(query.page) || 1);
    const { import: row, lines, limit } = await services.payments.importLines(actorOf(request), importId, { status, page });
    const { report } = await services.payments.getImport(actorOf(request), importId);
    return reply.page('payments/views/import.njk', {
      title: `Import ${importId}: ${row.file_name}`, row, report, lines, status, page, hasMore: lines.length === limit, again: query.again === '1',
      formatLabel: UPLOAD_LABELS[row.format] ?? row.format, channelLabel,
    });
  });

  app.get('/payments/suspense', { config: { access: 'payments.view' } }, async (request, reply) => {
    const query = request.query as Record<string, string>;
    const filter = { q: query.q || undefined, channel: query.channel || undefined, minAgeDays: /^\d+$/.test(query.age ?? '') ? Number(query.age) : undefined, sort: query.sort === 'amount' ? 'amount' as const : 'age' as const };
    const result = await services.suspense.listSuspense(actorOf(request), filter);
    return reply.page('payments/views/suspense.njk', { title: 'Suspense', ...result, filter: { ...filter, age: query.age ?? '' }, channelLabel, done: query.done });
  });

  async function suspenseItem(request: FastifyRequest, reply: FastifyReply, receiptId: number, extra: Record<string, unknown> = {}, status = 200) {
    const view = await services.suspense.getItem(actorOf(request), receiptId);
    return reply.page('payments/views/suspense-item.njk', { title: `Payment of £${(view.item.amount_pence / 100).toFixed(2)} in suspense`, ...view, channelLabel, ...extra }, status);
  }

  app.get('/payments/suspense/:receiptId', { config: { access: 'payments.view' } }, async (request, reply) => {
    const { receiptId } = idParam('receiptId').parse(request.params);
    return suspenseItem(request, reply, receiptId);
  });

  const suspenseAction = (path: string, access: 'payments.allocate' | 'refunds.request', act: (request: FastifyRequest, receiptId: number, input: Record<string, unknown>) => Promise<unknown>, done: string) => {
    app.post(`/payments/suspense/:receiptId/${path}`, { config: { access } }, async (request, reply) => {
      const { receiptId } = idParam('receiptId').parse(request.params);
      const input = formOf(request);
      try {
        await act(request, receiptId, input);
        return reply.redirect(`/payments/suspense?done=${done}`, 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return suspenseItem(request, reply, receiptId, { errors: error.fields.length ? error.fields : [{ field: path, message: error.message }], values: { ...input, action: path } }, 400);
      }
    });
  };
  suspenseAction('allocate', 'payments.allocate', (request, id, input) => services.suspense.allocateFromSuspense(actorOf(request), id, input), 'allocated');
  suspenseAction('split', 'payments.allocate', (request, id, input) => {
    const parts = [0, 1, 2].map((i) => ({ accountReference: String(input[`parts[${i}][accountReference]`] ?? ''), amount: String(input[`parts[${i}][amount]`] ?? '').trim() }))
      .filter((p) => p.accountReference || p.amount)
      .map((p) => ({ accountReference: p.accountReference, amountPence: /^\d+(\.\d{1,2})?$/.test(p.amount) ? Math.round(Number(p.amount) * 100) : NaN }));
    return services.suspense.splitReceipt(actorOf(request), id, { reason: input.reason, parts });
  }, 'split');
  suspenseAction('return', 'refunds.request', (request, id, input) => services.refunds.requestReturn(actorOf(request), id, input), 'returned');

  // An account's payments: re-allocate a receipt, transfer credit to another of the customer's accounts.
  async function accountPayments(request: FastifyRequest, reply: FastifyReply, accountId: number, extra: Record<string, unknown> = {}, status = 200) {
    const actor = actorOf(request);
    const account = await services.accounts.requireAccount(actor, accountId);
    const [receipts, mandates] = await Promise.all([services.suspense.accountReceipts(actor, accountId), services.directDebit.listMandates(actor)]);
    const view = await services.accounts.getAccountView(actor, accountId);
    return reply.page('payments/views/account-payments.njk', {
      title: `Payments on account ${account.reference}`, account, receipts, balance: view.balances.totalPence,
      mandate: mandates.find((m) => m.account_id === accountId && m.status !== 'cancelled'), channelLabel, ...extra,
    }, status);
  }

  app.get('/accounts/:accountId/payments', { config: { access: 'payments.view' } }, async (request, reply) => {
    const { accountId } = idParam('accountId').parse(request.params);
    return accountPayments(request, reply, accountId, { done: (request.query as Record<string, string>).done });
  });

  app.post('/payments/receipts/:receiptId/reallocate', { config: { access: 'payments.allocate' } }, async (request, reply) => {
    const { receiptId } = idParam('receiptId').parse(request.params);
    const input = formOf(request);
    const accountId = Number(input.accountId);
    try {
      await services.suspense.reallocate(actorOf(request), receiptId, { toAccountReference: input.toAccountReference || undefined, financialYear: input.financialYear || undefined, reason: input.reason });
      return reply.redirect(`/accounts/${accountId}/payments?done=reallocated`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return accountPayments(request, reply, accountId, { errors: error.fields, values: { ...input, receiptId } }, 400);
    }
  });

  app.post('/accounts/:accountId/transfer-credit', { config: { access: 'payments.allocate' } }, async (request, reply) => {
    const { accountId } = idParam('accountId').parse(request.params);
    const input = formOf(request);
    try {
      const amount = String(input.amount ?? '').trim();
      await services.suspense.transferCredit(actorOf(request), { fromAccountId: accountId, toAccountReference: input.toAccountReference, amountPence: /^\d+(\.\d{1,2})?$/.test(amount) ? Math.round(Number(amount) * 100) : NaN, reason: input.reason });
      return reply.redirect(`/accounts/${accountId}/payments?done=transferred`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return accountPayments(request, reply, accountId, { errors: error.fields.map((f) => (f.field === 'amountPence' ? { ...f, field: 'amount' } : f)), values: input }, 400);
    }
  });

  app.get('/payments/cash-report', { config: { access: 'payments.view' } }, async (request, reply) => {
    const date = String((request.query as Record<string, string>).date || services.clock.today());
    try {
      const report = await services.reconciliation.dailyCash(actorOf(request), date);
      return reply.page('payments/views/cash-report.njk', { title: `Cash report for ${date}`, report, date });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return reply.page('payments/views/cash-report.njk', { title: 'Cash report', date, errors: error.fields }, 400);
    }
  });

  app.get('/payments/gl-journal.csv', { config: { access: 'payments.view' } }, async (request, reply) => {
    const q = request.query as Record<string, string>;
    const to = q.to || services.clock.today();
    const from = q.from || to;
    const { csv } = await services.reconciliation.glJournal(actorOf(request), { from, to });
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="gl-journal-${from}-${to}.csv"`).send(csv);
  });

  async function settingsPage(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const settings = await services.paymentSettings.get(actorOf(request));
    return reply.page('payments/views/settings.njk', { title: 'Payment settings', settings, ...extra }, status);
  }
  app.get('/payments/settings', { config: { access: 'payments.settings' } }, (request, reply) => settingsPage(request, reply, { saved: (request.query as Record<string, string>).saved }));
  app.post('/payments/settings', { config: { access: 'payments.settings' } }, async (request, reply) => {
    const input = formOf(request);
    try {
      await services.paymentSettings.save(actorOf(request), { ...input, refundApprovalLimitPence: Math.round(Number(input.refundApprovalLimit) * 100) });
      return reply.redirect('/payments/settings?saved=1', 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return settingsPage(request, reply, { errors: error.fields, values: input }, 400);
    }
  });

  // ---- JSON API ----
  api.add(app, {
    method: 'POST', url: '/api/v1/payments/imports', tag: 'Payments', access: 'payments.import', successStatus: 201,
    summary: 'Import a payment file (camt053, camt054, mt940, bureau, csv) or a Bacs report (arudd, addacs); the same file twice imports once',
    body: z.object({ format: z.enum(UPLOAD_FORMATS), fileName: z.string().min(1), content: z.string().min(1), contentEncoding: z.enum(['utf8', 'base64']).default('utf8'), mapping: z.string().optional() }),
    response: reportSchema,
    handler: async ({ body, request }) => runImport(request, { format: body.format, mapping: body.mapping, fileName: body.fileName, content: Buffer.from(body.content, body.contentEncoding) }),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/payments/imports', tag: 'Payments', access: 'payments.view', summary: 'Recent imports with their control totals',
    response: z.object({ imports: z.array(reportSchema) }),
    handler: async ({ request }) => ({ imports: await services.payments.listImports(actorOf(request)) }),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/payments/imports/:importId', tag: 'Payments', access: 'payments.view', summary: 'One import: control totals and its lines (100 a page)',
    params: idParam('importId'), query: z.object({ status: z.enum(['matched', 'suspense', 'exception']).optional(), page: z.coerce.number().int().positive().default(1) }),
    response: z.object({ report: reportSchema, lines: z.array(z.object({ lineNo: z.number(), sourceLine: z.number(), status: z.string(), raw: z.string(), reference: z.string().nullable(), amountPence: z.number().nullable(), paidOn: z.string().nullable(), problem: z.string().nullable(), accountReference: z.string().nullable(), receiptId: z.number().nullable() })) }),
    handler: async ({ params, query, request }) => {
      const { report } = await services.payments.getImport(actorOf(request), params.importId);
      const { lines } = await services.payments.importLines(actorOf(request), params.importId, { status: query.status, page: query.page });
      return { report, lines: lines.map((l) => ({ lineNo: l.line_no, sourceLine: l.source_line, status: l.status, raw: l.raw, reference: l.reference, amountPence: l.amount_pence, paidOn: l.paid_on, problem: l.problem, accountReference: l.account_reference, receiptId: l.receipt_id })) };
    },
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/payments/suspense', tag: 'Payments', access: 'payments.view', summary: 'The suspense queue (oldest first), filtered',
    query: z.object({ q: z.string().optional(), channel: z.string().optional(), minAgeDays: z.coerce.number().int().min(0).optional(), sort: z.enum(['age', 'amount']).optional() }),
    response: z.object({ totals: z.object({ n: z.number(), pence: z.number(), over30: z.number(), over90: z.number() }), items: z.array(suspenseItemSchema) }),
    handler: async ({ query, request }) => {
      const r = await services.suspense.listSuspense(actorOf(request), query);
      return { totals: r.totals, items: r.items.map(itemJson) };
    },
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/payments/suspense/:receiptId', tag: 'Payments', access: 'payments.view', summary: 'A receipt with suggested matches and its history',
    params: idParam('receiptId'),
    response: z.object({ item: suspenseItemSchema.extend({ status: z.string() }), suggestions: z.array(z.object({ accountId: z.number(), reference: z.string(), customerName: z.string(), address: z.string().nullable(), balancePence: z.number(), reasons: z.array(z.string()), score: z.number() })) }),
    handler: async ({ params, request }) => {
      const v = await services.suspense.getItem(actorOf(request), params.receiptId);
      return { item: { ...itemJson(v.item), status: v.item.status }, suggestions: v.suggestions };
    },
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/payments/suspense/:receiptId/allocate', tag: 'Payments', access: 'payments.allocate', summary: 'Allocate a receipt in suspense to an account, with a reason',
    params: idParam('receiptId'), body: allocateSchema, response: okSchema,
    handler: async ({ params, body, request }) => services.suspense.allocateFromSuspense(actorOf(request), params.receiptId, body),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/payments/suspense/:receiptId/split', tag: 'Payments', access: 'payments.allocate', summary: 'Split a receipt in suspense over accounts (parts without a reference stay in suspense)',
    params: idParam('receiptId'), body: splitSchema, response: okSchema,
    handler: async ({ params, body, request }) => services.suspense.splitReceipt(actorOf(request), params.receiptId, body),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/payments/receipts/:receiptId/reallocate', tag: 'Payments', access: 'payments.allocate',
    summary: 'Re-allocate a payment: by policy, to one year, or to another account of the same customer, with a reason',
    params: idParam('receiptId'), body: reallocateSchema, response: okSchema,
    handler: async ({ params, body, request }) => services.suspense.reallocate(actorOf(request), params.receiptId, body),
  });
  api.add(app, {
    method: 'POST', url: '/api/v1/accounts/:accountId/credit-transfers', tag: 'Payments', access: 'payments.allocate',
    summary: 'Transfer credit to another account of the same customer, with a reason',
    params: idParam('accountId'), body: transferSchema.omit({ fromAccountId: true }), response: okSchema, successStatus: 201,
    handler: async ({ params, body, request }) => services.suspense.transferCredit(actorOf(request), { ...body, fromAccountId: params.accountId }),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/payments/cash-report', tag: 'Payments', access: 'payments.view', summary: 'Daily cash report: received by channel, on accounts, in suspense, returned; imports of the day',
    query: z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }),
    response: z.object({ date: z.string(), balanced: z.boolean(), totals: z.record(z.string(), z.number()), channels: z.array(z.record(z.string(), z.unknown())), imports: z.array(reportSchema) }),
    handler: async ({ query, request }) => {
      const r = await services.reconciliation.dailyCash(actorOf(request), query.date);
      return { date: r.date, balanced: r.balanced, totals: r.totals, channels: r.channels, imports: r.imports };
    },
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/payments/gl-journal', tag: 'Payments', access: 'payments.view', summary: 'General-ledger journal lines for a date range (balanced per day); the page offers the CSV',
    query: z.object({ from: z.string(), to: z.string() }),
    response: z.object({ lines: z.array(z.object({ journalDate: z.string(), glCode: z.string(), description: z.string(), debitPence: z.number(), creditPence: z.number(), reference: z.string() })) }),
    handler: async ({ query, request }) => ({ lines: (await services.reconciliation.glJournal(actorOf(request), query)).lines }),
  });
  api.add(app, {
    method: 'PUT', url: '/api/v1/payments/csv-mappings/:name', tag: 'Payments', access: 'payments.settings',
    summary: 'Save a CSV column mapping (DWP schedules, employer or enforcement agent remittances) under a name',
    params: z.object({ name: z.string().min(1).max(60) }), body: csvMappingSchema, response: z.object({ mappingId: z.number() }),
    handler: async ({ params, body, request }) => ({ mappingId: await services.payments.saveCsvMapping(actorOf(request), { name: params.name, mapping: body }) }),
  });
  api.add(app, {
    method: 'GET', url: '/api/v1/payments/csv-mappings', tag: 'Payments', access: 'payments.view', summary: 'Saved CSV column mappings',
    response: z.object({ mappings: z.array(z.object({ name: z.string(), mapping: z.record(z.string(), z.unknown()) })) }),
    handler: async ({ request }) => ({ mappings: (await services.payments.csvMappings(actorOf(request))).map((m) => ({ name: m.name, mapping: m.mapping })) }),
  });
  api.add(app, {
    method: 'PUT', url: '/api/v1/payments/settings', tag: 'Payments', access: 'payments.settings', summary: 'Allocation policy, refund approval limit, Direct Debit collection days and Bacs identity',
    body: settingsSchema, response: z.object({ saved: z.boolean() }),
    handler: async ({ body, request }) => {
      await services.paymentSettings.save(actorOf(request), body);
      return { saved: true };
    },
  });
}
