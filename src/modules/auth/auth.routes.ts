import crypto from 'node:crypto';
import { z } from 'zod';
import type { RouteContext } from '../../web/app.ts';
import { actorOf } from '../../web/guard.ts';
import { SESSION_COOKIE } from '../../web/session.ts';
import { ForbiddenError, ValidationError } from '../../errors.ts';
import { ROLE_PERMISSIONS } from './roles.ts';

const PRELOGIN_COOKIE = 'levy_signin';

/** Only same-site paths: never redirect a signed-in officer to another host. */
export function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && /^\/(?!\/)[^\s\\]*$/.test(value) ? value : '/';
}

export function registerAuthRoutes({ app, services, api, secureCookies }: RouteContext) {
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: secureCookies };

  app.get('/sign-in', { config: { access: 'public' } }, async (request, reply) => {
    // Sign-in has no session yet, so its CSRF token is a double-submit cookie.
    const token = crypto.randomBytes(24).toString('base64url');
    reply.setCookie(PRELOGIN_COOKIE, token, { ...cookieOptions, maxAge: 3600 });
    const returnTo = safeReturnTo((request.query as Record<string, unknown>).returnTo);
    return reply.page('auth/views/sign-in.njk', { title: 'Sign in', signInToken: token, returnTo });
  });

  app.post('/sign-in', { config: { access: 'public' } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const returnTo = safeReturnTo(body.returnTo);
    const expected = request.cookies[PRELOGIN_COOKIE];
    if (!expected || body._csrf !== expected) {
      throw new ForbiddenError('The sign-in form has expired. Go back, refresh the page and try again.');
    }
    const username = typeof body.username === 'string' ? body.username : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const errors = [];
    if (!username.trim()) errors.push({ field: 'username', message: 'Enter your username' });
    if (!password) errors.push({ field: 'password', message: 'Enter your password' });
    const result = errors.length ? undefined : await services.auth.signIn(username, password, request.ip);
    if (!result) {
      if (!errors.length) errors.push({ field: 'username', message: 'Enter a correct username and password' });
      return reply.page('auth/views/sign-in.njk', { title: 'Sign in', errors, username, signInToken: expected, returnTo }, 400);
    }
    reply.clearCookie(PRELOGIN_COOKIE, { path: '/' });
    reply.setCookie(SESSION_COOKIE, result.sessionId, cookieOptions);
    const landing = returnTo === '/' && !ROLE_PERMISSIONS[result.user.role].includes('cases.view') ? '/profile/tokens' : returnTo;
    return reply.redirect(landing, 303);
  });

  app.post('/sign-out', { config: { access: 'signed-in' } }, async (request, reply) => {
    const sessionId = request.cookies[SESSION_COOKIE];
    if (sessionId) await services.auth.signOut(sessionId);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/sign-in', 303);
  });

  app.get('/profile/tokens', { config: { access: 'signed-in' } }, async (request, reply) => {
    const tokens = await services.auth.listApiTokens(actorOf(request));
    return reply.page('auth/views/tokens.njk', { title: 'API tokens', tokens });
  });

  app.post('/profile/tokens', { config: { access: 'signed-in' } }, async (request, reply) => {
    const actor = actorOf(request);
    const name = String((request.body as Record<string, unknown>)?.name ?? '');
    try {
      const created = await services.auth.createApiToken(actor, name);
      const tokens = await services.auth.listApiTokens(actor);
      return reply.page('auth/views/tokens.njk', { title: 'API tokens', tokens, created });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const tokens = await services.auth.listApiTokens(actor);
      return reply.page('auth/views/tokens.njk', { title: 'API tokens', tokens, errors: error.fields, name }, 400);
    }
  });

  app.post('/profile/tokens/:tokenId/revoke', { config: { access: 'signed-in' } }, async (request, reply) => {
    const tokenId = Number((request.params as Record<string, string>).tokenId);
    if (Number.isInteger(tokenId)) await services.auth.revokeApiToken(actorOf(request), tokenId);
    return reply.redirect('/profile/tokens', 303);
  });

  api.add(app, {
    method: 'GET',
    url: '/api/v1/me',
    summary: 'Who the token belongs to, with role and billing authorities',
    tag: 'Auth',
    access: 'signed-in',
    response: z.object({ username: z.string(), role: z.string(), authorityIds: z.array(z.number()), permissions: z.array(z.string()) }),
    handler: async ({ request }) => {
      const actor = actorOf(request);
      return { username: actor.username, role: actor.role, authorityIds: actor.authorityIds, permissions: [...ROLE_PERMISSIONS[actor.role]] };
    },
  });
}
