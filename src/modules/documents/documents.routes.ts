import { z } from 'zod';
import type { RouteContext } from '../../web/app.ts';
import { idParam } from '../../web/api.ts';
import { actorOf } from '../../web/guard.ts';

const OUTBOX_STATUSES = ['queued', 'sent', 'failed', 'held_locally', 'printed'] as const;

export function registerDocumentRoutes({ app, services, api }: RouteContext) {
  app.get('/documents/:documentId/pdf', { config: { access: 'cases.view' } }, async (request, reply) => {
    const { documentId } = idParam('documentId').parse(request.params);
    const { filename, pdf } = await services.documents.renderPdf(actorOf(request), documentId);
    return reply.type('application/pdf').header('content-disposition', `inline; filename="${filename}"`).send(pdf);
  });

  app.get('/runs/:batchRunId/print-file', { config: { access: 'cases.view' } }, async (request, reply) => {
    const { batchRunId } = idParam('batchRunId').parse(request.params);
    const pdf = await services.documents.printFile(actorOf(request), batchRunId);
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="print-file-run-${batchRunId}.pdf"`).send(pdf);
  });

  app.get('/outbox', { config: { access: 'cases.view' } }, async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const status = OUTBOX_STATUSES.find((s) => s === q.status);
    const messages = await services.documents.outbox(actorOf(request), { status, limit: 200 });
    return reply.page('documents/views/outbox.njk', { title: 'Outbox', messages, status, statuses: OUTBOX_STATUSES, live: services.documents.notifierIsLive() });
  });

  api.add(app, {
    method: 'GET', url: '/api/v1/accounts/:accountId/documents', summary: 'Bills, notices and letters issued on an account, newest first',
    tag: 'Documents', access: 'cases.view', params: idParam('accountId'),
    response: z.object({ documents: z.array(z.object({ id: z.number(), kind: z.string(), title: z.string(), createdAt: z.string(), pdfUrl: z.string() })) }),
    handler: async ({ params, request }) => {
      const actor = actorOf(request);
      await services.accounts.requireAccount(actor, params.accountId);
      const documents = await services.documents.documentsForAccount(actor, params.accountId);
      return { documents: documents.map((d) => ({ id: d.id, kind: d.kind, title: d.title, createdAt: new Date(d.created_at).toISOString(), pdfUrl: `/api/v1/documents/${d.id}/pdf` })) };
    },
  });

  api.add(app, {
    method: 'GET', url: '/api/v1/documents/:documentId/pdf', summary: 'A document rendered as PDF, exactly as issued',
    tag: 'Documents', access: 'cases.view', params: idParam('documentId'), response: z.any(), produces: 'application/pdf',
    handler: async ({ params, request }) => (await services.documents.renderPdf(actorOf(request), params.documentId)).pdf,
  });

  api.add(app, {
    method: 'GET', url: '/api/v1/outbox', summary: 'Messages sent or held: letters, emails and texts',
    tag: 'Documents', access: 'cases.view',
    query: z.object({ status: z.enum(OUTBOX_STATUSES).optional(), accountId: z.coerce.number().int().positive().optional() }),
    response: z.object({ messages: z.array(z.object({ id: z.number(), channel: z.string(), recipient: z.string(), subject: z.string().nullable(), status: z.string(), accountId: z.number().nullable(), documentId: z.number().nullable(), createdAt: z.string() })) }),
    handler: async ({ query, request }) => ({
      messages: (await services.documents.outbox(actorOf(request), query)).map((m) => ({
        id: m.id, channel: m.channel, recipient: m.recipient, subject: m.subject, status: m.status, accountId: m.account_id, documentId: m.document_id, createdAt: new Date(m.created_at).toISOString(),
      })),
    }),
  });
}
