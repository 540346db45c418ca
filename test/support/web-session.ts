// Signing in for HTTP tests (Fastify inject), the way a browser does: fetch the sign-in form for its
// CSRF cookie and token, post the credentials, then read the session's CSRF token off a page.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../src/services.ts';
import type { Actor } from '../../src/modules/auth/context.ts';
import { PASSWORD } from './fixture-council.ts';

const CSRF_FIELD = /name="_csrf" value="([^"]+)"/;

export async function signInThroughForm(app: FastifyInstance, username: string, password = PASSWORD) {
  const form = await app.inject({ method: 'GET', url: '/sign-in' });
  const pre = form.cookies.find((c) => c.name === 'levy_signin')!;
  const token = CSRF_FIELD.exec(form.body)![1];
  const response = await app.inject({
    method: 'POST', url: '/sign-in',
    cookies: { levy_signin: pre.value },
    payload: { _csrf: token, username, password, returnTo: '/' },
  });
  assert.equal(response.statusCode, 303, `sign-in as ${username}`);
  const session = response.cookies.find((c) => c.name === 'levy_session')!;
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Lax');
  const cookies = { levy_session: session.value };
  const page = await app.inject({ method: 'GET', url: '/profile/tokens', cookies });
  return { cookies, csrf: CSRF_FIELD.exec(page.body)![1] };
}

/** An Authorization header carrying a fresh personal API token for the actor. */
export async function bearerHeaders(services: Services, actor: Actor) {
  const { token } = await services.auth.createApiToken(actor, `test ${actor.username}`);
  return { authorization: `Bearer ${token}` };
}
