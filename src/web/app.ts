// App assembly: plugins, security, the guard, error translation, then each module's routes.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Services } from '../services.ts';
import { LevyError } from '../errors.ts';
import { createApiRegistry, type ApiRegistry } from './api.ts';
import { registerGuard } from './guard.ts';
import { registerSessions } from './session.ts';
import { createViewEnvironment, GOVUK_DIST, MOJ_ROOT } from './render.ts';
import { registerAuthRoutes } from '../modules/auth/auth.routes.ts';
import { registerCustomerRoutes } from '../modules/customers/customers.routes.ts';
import { registerAccountRoutes } from '../modules/accounts/accounts.routes.ts';
import { registerCaseworkRoutes } from '../modules/casework/casework.routes.ts';
import { registerAdminRoutes } from '../modules/admin/admin.routes.ts';
import { registerDocumentRoutes } from '../modules/documents/documents.routes.ts';
import { registerBillingRoutes } from '../modules/billing/billing.routes.ts';
import { registerPaymentRoutes } from '../modules/payments/payments.routes.ts';
import { registerRefundRoutes } from '../modules/refunds/refunds.routes.ts';
import { registerDirectDebitRoutes } from '../modules/direct-debit/direct-debit.routes.ts';
import { registerRecoveryRoutes } from '../modules/recovery/recovery.routes.ts';
import { registerHoldRoutes } from '../modules/holds/holds.routes.ts';
import { registerCourtRoutes } from '../modules/court/court.routes.ts';
import { registerReportRoutes } from '../modules/reports/reports.routes.ts';
import { analyzeGrownTables, ANALYZE_EVERY_MS } from '../db/maintenance.ts';
import { registerArrangementRoutes } from '../modules/arrangements/arrangements.routes.ts';
import { registerAttachmentRoutes } from '../modules/attachments/attachments.routes.ts';
import { registerBenefitAttachmentRoutes } from '../modules/attachments/benefit-attachments.routes.ts';
import { registerWriteOffRoutes } from '../modules/write-offs/write-offs.routes.ts';
import { registerEnforcementRoutes } from '../modules/enforcement/enforcement.routes.ts';
import { registerWorkQueueRoutes } from '../modules/work-queues/work-queues.routes.ts';
import { can, type Permission } from '../modules/auth/roles.ts';

const PUBLIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public');

export const LEVY_VERSION = '0.1.0';

declare module 'fastify' {
  interface FastifyReply {
    page(template: string, context?: Record<string, unknown>, status?: number): FastifyReply;
  }
}

export interface AppOptions {
  services: Services;
  logLevel?: string;
  secureCookies?: boolean;
}

export interface RouteContext {
  app: FastifyInstance;
  services: Services;
  api: ApiRegistry;
  secureCookies: boolean;
}

const isApi = (request: FastifyRequest) => request.url.startsWith('/api/');

export async function createApp(options: AppOptions): Promise<FastifyInstance> {
  const { services } = options;
  const app = Fastify({
    logger: { level: options.logLevel ?? 'info', redact: ['req.headers.authorization', 'req.headers.cookie'] },
    trustProxy: false,
    bodyLimit: 1_048_576,
  });
  const views = createViewEnvironment();
  const api = createApiRegistry();

  await app.register(cookie);
  await app.register(formbody);
  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    strictTransportSecurity: options.secureCookies ? undefined : false,
  });
  // GOV.UK assets (fonts, images) and MOJ assets share /assets; the two stylesheets and scripts are named.
  await app.register(fastifyStatic, {
    root: [path.join(GOVUK_DIST, 'govuk', 'assets'), path.join(MOJ_ROOT, 'moj', 'assets')],
    prefix: '/assets/',
    maxAge: '1d',
  });
  app.get('/assets/govuk-frontend.min.css', (_req, reply) => reply.sendFile('govuk-frontend.min.css', path.join(GOVUK_DIST, 'govuk')));
  app.get('/assets/govuk-frontend.min.js', (_req, reply) => reply.sendFile('govuk-frontend.min.js', path.join(GOVUK_DIST, 'govuk')));
  app.get('/assets/moj-frontend.min.css', (_req, reply) => reply.sendFile('moj-frontend.min.css', path.join(MOJ_ROOT, 'moj')));
  app.get('/assets/moj-frontend.min.js', (_req, reply) => reply.sendFile('moj-frontend.min.js', path.join(MOJ_ROOT, 'moj')));
  app.get('/assets/levy.css', (_req, reply) => reply.sendFile('levy.css', PUBLIC_DIR));
  app.get('/assets/levy.js', (_req, reply) => reply.sendFile('levy.js', PUBLIC_DIR));

  app.decorateReply('page', function (this: FastifyReply, template: string, context: Record<string, unknown> = {}, status = 200) {
    const request = this.request;
    const html = views.render(template, {
      // Extra context other modules add for this page (e.g. recovery's section on the account page).
      ...(request.pageContext ?? {}),
      ...context,
      actor: request.actor,
      displayName: request.displayName,
      csrfToken: request.csrfToken,
      cspNonce: (this as unknown as { cspNonce?: { script: string } }).cspNonce?.script,
      currentPath: request.url.split('?')[0],
      can: (permission: Permission) => Boolean(request.actor && can(request.actor.role, permission)),
    });
    return this.code(status).type('text/html; charset=utf-8').send(html);
  });

  // Hooks run in order: who is asking, then may they.
  registerSessions(app, services);
  app.decorate('levyRoutes', registerGuard(app));

  app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown }, request, reply) => {
    const known = error instanceof LevyError ? error : undefined;
    const status = known?.httpStatus ?? (error.statusCode && error.statusCode < 500 ? error.statusCode : 500);
    if (status >= 500) request.log.error({ err: error }, 'unhandled error');
    const code = known?.code ?? (status === 404 ? 'not_found' : status < 500 ? 'validation_failed' : 'internal_error');
    const message = status >= 500 ? 'Sorry, there is a problem with the service' : error.message;
    if (isApi(request) || request.viaApiToken) {
      const fields = known && 'fields' in known ? (known as { fields: unknown }).fields : undefined;
      return reply.code(status).type('application/json').send({ error: { code, message, ...(fields ? { fields } : {}) } });
    }
    if (status === 401) return reply.redirect(`/sign-in?returnTo=${encodeURIComponent(request.url)}`);
    return reply.page('error.njk', { status, message }, status);
  });

  app.setNotFoundHandler((request, reply) => {
    if (isApi(request)) return reply.code(404).send({ error: { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}` } });
    return reply.page('error.njk', { status: 404, message: 'Page not found' }, 404);
  });

  app.get('/health', { config: { access: 'public' } }, async () => {
    await services.db.query('select 1');
    return { status: 'ok', database: services.db.kind };
  });
  app.get('/api/openapi.json', { config: { access: 'public' } }, async () => api.openApiDocument(LEVY_VERSION));

  const ctx: RouteContext = { app, services, api, secureCookies: options.secureCookies ?? false };
  registerAuthRoutes(ctx);
  registerCustomerRoutes(ctx);
  registerAccountRoutes(ctx);
  registerCaseworkRoutes(ctx);
  registerAdminRoutes(ctx);
  registerDocumentRoutes(ctx);
  registerBillingRoutes(ctx);
  registerPaymentRoutes(ctx);
  registerRefundRoutes(ctx);
  registerDirectDebitRoutes(ctx);
  registerRecoveryRoutes(ctx);
  registerHoldRoutes(ctx);
  registerCourtRoutes(ctx);
  registerReportRoutes(ctx);
  // After the liability order (issue 6).
  registerArrangementRoutes(ctx);
  registerAttachmentRoutes(ctx);
  registerBenefitAttachmentRoutes(ctx);
  registerWriteOffRoutes(ctx);
  registerEnforcementRoutes(ctx);
  registerWorkQueueRoutes(ctx);
  if (services.db.kind === 'pglite') keepStatisticsFresh(app, services.db);
  return app;
}

/** On the embedded database, ANALYZE what has grown, every few minutes (src/db/maintenance.ts). */
function keepStatisticsFresh(app: FastifyInstance, db: Services['db']) {
  let timer: NodeJS.Timeout | undefined;
  let closing = false;
  const run = async () => {
    try {
      const analyzed = await analyzeGrownTables(db);
      if (analyzed.length) app.log.info({ analyzed }, 'refreshed planner statistics');
    } catch (error) {
      app.log.error({ err: error }, 'refreshing planner statistics failed');
    }
    if (closing) return;
    timer = setTimeout(() => void run(), ANALYZE_EVERY_MS);
    timer.unref();
  };
  app.addHook('onReady', async () => {
    timer = setTimeout(() => void run(), ANALYZE_EVERY_MS);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    closing = true;
    clearTimeout(timer);
  });
}
