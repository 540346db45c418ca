// The web app through HTTP (Fastify inject): guards, CSRF, headers, error bodies, OpenAPI, pages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { openTestDb } from './support/test-db.ts';
import { buildFixtureCouncil, PASSWORD, type FixtureCouncil } from './support/fixture-council.ts';
import type { Db } from '../src/db/database.ts';
import { createApp } from '../src/web/app.ts';
import type { Role } from '../src/modules/auth/roles.ts';
import { bearerHeaders, signInThroughForm } from './support/web-session.ts';

let db: Db;
let f: FixtureCouncil;
let app: FastifyInstance;
before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
  app = await createApp({ services: f.services, logLevel: 'silent' });
});
after(async () => {
  await app.close();
  await db.close();
});

const signIn = (username: string) => signInThroughForm(app, username);
const bearer = (role: Role) => bearerHeaders(f.services, f.users[role].actor);

test('health says which database is behind it', async () => {
  const res = await app.inject({ method: 'GET', url: '/health' });
  assert.deepEqual(res.json(), { status: 'ok', database: db.kind });
});

test('every route declares who may use it (the app refuses to start otherwise)', async () => {
  const bare = (await import('fastify')).default({ logger: false });
  (await import('../src/web/guard.ts')).registerGuard(bare);
  assert.throws(() => bare.get('/forgotten', async () => 'oops'), /does not declare config.access/);
  await bare.close();
  assert.ok(app.levyRoutes.length > 20);
  assert.ok(app.levyRoutes.every((r) => r.access || r.url.startsWith('/assets') || r.method === 'HEAD'));
});

test('security headers are set on every page', async () => {
  const res = await app.inject({ method: 'GET', url: '/sign-in' });
  assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
  assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
  assert.ok(res.headers['referrer-policy']);
});

test('pages need a session: anonymous visitors are sent to sign in', async () => {
  const res = await app.inject({ method: 'GET', url: `/customers/${f.customers.margaret}` });
  assert.equal(res.statusCode, 302);
  assert.equal(res.headers.location, `/sign-in?returnTo=${encodeURIComponent(`/customers/${f.customers.margaret}`)}`);
});

test('the API needs a token and answers with one error body', async () => {
  const res = await app.inject({ method: 'GET', url: '/api/v1/customers?q=hughes' });
  assert.equal(res.statusCode, 401);
  assert.deepEqual(res.json(), { error: { code: 'unauthorised', message: 'Sign in to continue' } });
  const bad = await app.inject({ method: 'GET', url: '/api/v1/customers?q=hughes', headers: { authorization: 'Bearer levy_nonsense' } });
  assert.equal(bad.statusCode, 401);
});

test('a wrong password shows the GOV.UK error summary', async () => {
  const form = await app.inject({ method: 'GET', url: '/sign-in' });
  const pre = form.cookies.find((c) => c.name === 'levy_signin')!;
  const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1];
  const res = await app.inject({ method: 'POST', url: '/sign-in', cookies: { levy_signin: pre.value }, payload: { _csrf: token, username: 'recovery.officer', password: 'nope' } });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /govuk-error-summary/);
  assert.match(res.body, /Enter a correct username and password/);
  const forged = await app.inject({ method: 'POST', url: '/sign-in', payload: { _csrf: 'forged', username: 'recovery.officer', password: PASSWORD } });
  assert.equal(forged.statusCode, 403);
});

test('forms without the session’s CSRF token are refused and change nothing', async () => {
  const { cookies } = await signIn('recovery.officer');
  const before = await db.query<{ n: number }>('select count(*)::int as n from events');
  const res = await app.inject({ method: 'POST', url: `/accounts/${f.accounts.hughesCt.id}/notes/new`, cookies, payload: { text: 'sneaky' } });
  assert.equal(res.statusCode, 403);
  const wrong = await app.inject({ method: 'POST', url: `/accounts/${f.accounts.hughesCt.id}/notes/new`, cookies, payload: { text: 'sneaky', _csrf: 'x'.repeat(43) } });
  assert.equal(wrong.statusCode, 403);
  assert.deepEqual(await db.query<{ n: number }>('select count(*)::int as n from events'), before);
});

test('an officer searches, opens the customer and the account, adds a note and logs a call', async () => {
  const { cookies, csrf } = await signIn('recovery.officer');
  const search = await app.inject({ method: 'GET', url: '/search?q=hughes', cookies });
  assert.equal(search.statusCode, 200);
  assert.match(search.body, /Margaret Hughes/);
  assert.doesNotMatch(search.body, /Ceri Hughes/);
  const customer = await app.inject({ method: 'GET', url: `/customers/${f.customers.margaret}`, cookies });
  assert.match(customer.body, /Debts owed: £1,246.33/);
  assert.match(customer.body, /Sundry debt/);
  const account = await app.inject({ method: 'GET', url: `/accounts/${f.accounts.hughesCt.id}`, cookies });
  assert.match(account.body, /£1,121.33/);
  // Derek is only a joint party, but his warning must show to whoever works the account.
  assert.match(account.body, /Derek Hughes: Violent or abusive: visit in pairs only/);
  const note = await app.inject({ method: 'POST', url: `/accounts/${f.accounts.hughesCt.id}/notes/new`, cookies, payload: { _csrf: csrf, text: 'Asked for a statement' } });
  assert.equal(note.statusCode, 303);
  const call = await app.inject({ method: 'POST', url: `/accounts/${f.accounts.hughesCt.id}/contacts/new`, cookies, payload: { _csrf: csrf, direction: 'outbound', channel: 'phone', outcome: 'no_answer' } });
  assert.equal(call.statusCode, 303);
  const after = await app.inject({ method: 'GET', url: call.headers.location as string, cookies });
  assert.match(after.body, /Contact logged/);
  assert.match(after.body, /Asked for a statement/);
  assert.match(after.body, /Outbound phone call: no answer/);
});

test('a form with a missing field re-renders with an error summary and keeps what was typed', async () => {
  const { cookies, csrf } = await signIn('recovery.administrator');
  const fresh = await app.inject({ method: 'GET', url: `/customers/${f.customers.peter}/contacts/new`, cookies });
  assert.equal(fresh.statusCode, 200);
  assert.doesNotMatch(fresh.body, /govuk-form-group--error|govuk-error-message/, 'a fresh form shows no errors');
  const res = await app.inject({ method: 'POST', url: `/customers/${f.customers.peter}/contacts/new`, cookies, payload: { _csrf: csrf, direction: 'inbound', notes: 'rang about bill' } });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /There is a problem/);
  assert.match(res.body, /Choose how the contact was made/);
  assert.match(res.body, /Choose the outcome/);
  assert.match(res.body, /rang about bill/);
  // Only the fields in error are marked: channel and outcome, not direction or notes.
  assert.equal(res.body.match(/govuk-form-group--error/g)?.length, 2);
});

test('roles are enforced on pages and API alike', async () => {
  const auditor = await signIn('auditor');
  assert.equal((await app.inject({ method: 'GET', url: `/accounts/${f.accounts.hughesCt.id}/notes/new`, cookies: auditor.cookies })).statusCode, 403);
  const sysadmin = await signIn('system.administrator');
  assert.equal((await app.inject({ method: 'GET', url: '/search?q=hughes', cookies: sysadmin.cookies })).statusCode, 403);
  assert.equal((await app.inject({ method: 'GET', url: '/admin/users', cookies: sysadmin.cookies })).statusCode, 200);
  const officer = await signIn('recovery.officer');
  assert.equal((await app.inject({ method: 'GET', url: '/admin/users', cookies: officer.cookies })).statusCode, 403);
  const apiAuditor = await bearer('auditor');
  const res = await app.inject({ method: 'POST', url: `/api/v1/accounts/${f.accounts.hughesCt.id}/notes`, headers: apiAuditor, payload: { text: 'x' } });
  assert.equal(res.statusCode, 403);
  assert.equal(res.json().error.code, 'forbidden');
});

test('API: search, customer, account, ledger, events and notes', async () => {
  const headers = await bearer('recovery_officer');
  const search = await app.inject({ method: 'GET', url: '/api/v1/customers?q=hughes', headers });
  assert.equal(search.statusCode, 200);
  assert.equal(search.json().results.length, 2);
  const customer = (await app.inject({ method: 'GET', url: `/api/v1/customers/${f.customers.margaret}`, headers })).json();
  assert.equal(customer.totalBalancePence, 124633);
  const account = (await app.inject({ method: 'GET', url: `/api/v1/accounts/${f.accounts.hughesCt.id}`, headers })).json();
  assert.equal(account.balancePence, 112133);
  assert.deepEqual(account.years.map((y: { financialYear: string }) => y.financialYear), ['2026/27', '2025/26']);
  const ledger = (await app.inject({ method: 'GET', url: `/api/v1/accounts/${f.accounts.hughesCt.id}/ledger`, headers })).json();
  assert.equal(ledger.entries.length, 5);
  const created = await app.inject({ method: 'POST', url: `/api/v1/accounts/${f.accounts.hughesCt.id}/contacts`, headers, payload: { direction: 'inbound', channel: 'email', outcome: 'dispute_raised' } });
  assert.equal(created.statusCode, 201);
  const events = (await app.inject({ method: 'GET', url: `/api/v1/accounts/${f.accounts.hughesCt.id}/events`, headers })).json();
  assert.equal(events.events[0].id, created.json().eventId);
  const byRef = (await app.inject({ method: 'GET', url: `/api/v1/accounts?reference=${f.accounts.hughesCt.reference}`, headers })).json();
  assert.equal(byRef.accountId, f.accounts.hughesCt.id);
});

test('API: bad input is a 400 naming the field, and changes nothing', async () => {
  const headers = await bearer('recovery_officer');
  const before = await db.query<{ n: number }>('select count(*)::int as n from events');
  const res = await app.inject({ method: 'POST', url: `/api/v1/accounts/${f.accounts.hughesCt.id}/contacts`, headers, payload: { direction: 'inbound', channel: 'pigeon' } });
  assert.equal(res.statusCode, 400);
  const body = res.json();
  assert.equal(body.error.code, 'validation_failed');
  assert.deepEqual(body.error.fields.map((x: { field: string }) => x.field).sort(), ['channel', 'outcome']);
  const badId = await app.inject({ method: 'GET', url: '/api/v1/accounts/abc', headers });
  assert.equal(badId.statusCode, 400);
  assert.equal(badId.json().error.fields[0].field, 'accountId');
  const other = await app.inject({ method: 'GET', url: `/api/v1/accounts/${f.accounts.cardiffCt.id}`, headers });
  assert.equal(other.statusCode, 404);
  assert.deepEqual(await db.query<{ n: number }>('select count(*)::int as n from events'), before);
});

test('the OpenAPI document describes every /api/v1 route the app serves', async () => {
  const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
  assert.equal(doc.openapi, '3.1.0');
  const documented = new Set<string>();
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const method of Object.keys(methods)) documented.add(`${method.toUpperCase()} ${path}`);
  }
  const apiRoutes = app.levyRoutes
    .filter((r) => r.url.startsWith('/api/v1/') && r.method !== 'HEAD')
    .map((r) => `${r.method} ${r.url.replace(/:([A-Za-z]+)/g, '{$1}')}`);
  assert.ok(apiRoutes.length >= 10, `found ${apiRoutes.length} API routes`);
  for (const route of apiRoutes) assert.ok(documented.has(route), `${route} is not in the OpenAPI document`);
  assert.ok(doc.paths['/api/v1/accounts/{accountId}/contacts'].post.requestBody);
});

test('an auditor can read the trail of who viewed a customer', async () => {
  await f.services.customers.getCustomerView(f.users.recovery_officer.actor, f.customers.peter);
  const headers = await bearer('auditor');
  const res = (await app.inject({ method: 'GET', url: `/api/v1/audit?entityType=customer&entityId=${f.customers.peter}`, headers })).json();
  assert.ok(res.entries.some((e: { username: string; action: string }) => e.username === 'recovery.officer' && e.action === 'view.customer'));
});
