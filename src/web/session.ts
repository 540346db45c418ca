// Who is asking: a session cookie (pages) or a bearer API token (the JSON API and scripts).
// CSRF: cookie-authenticated requests that change anything must echo the session's token
// (synchroniser token pattern). Bearer requests carry no ambient credential, so need none.
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { ForbiddenError } from '../errors.ts';

export const SESSION_COOKIE = 'levy_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}

export function registerSessions(app: FastifyInstance, services: Services) {
  app.addHook('preHandler', async (request) => {
    const authorization = request.headers.authorization;
    if (authorization?.startsWith('Bearer ')) {
      const actor = await services.auth.resolveApiToken(authorization.slice(7).trim(), request.ip);
      if (actor) {
        request.actor = actor;
        request.viaApiToken = true;
      }
      return;
    }
    const sessionId = request.cookies[SESSION_COOKIE];
    if (sessionId) {
      const session = await services.auth.resolveSession(sessionId, request.ip);
      if (session) {
        request.actor = session.actor;
        request.displayName = session.displayName;
        request.csrfToken = session.csrfToken;
      }
    }
    if (!SAFE_METHODS.has(request.method) && request.csrfToken) {
      const body = request.body as Record<string, unknown> | undefined;
      const sent = (typeof body?._csrf === 'string' ? body._csrf : undefined) ?? request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !sameToken(sent, request.csrfToken)) {
        throw new ForbiddenError('The form has expired. Go back, refresh the page and try again.');
      }
    }
  });
}
