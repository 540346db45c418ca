// Work queues through HTTP: the queue page's assigned column, filter and bulk form; "Assign to me"
// on a row and "every item on this page" without JavaScript; the home page's counts; the JSON API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import { bearerHeaders, signInThroughForm } from '../../../test/support/web-session.ts';
import type { Db } from '../../db/database.ts';
import { createApp } from '../../web/app.ts';

let db: Db;
let f: FixtureCouncil;
let app: FastifyInstance;
const tasks: number[] = [];

before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
  app = await createApp({ services: f.services, logLevel: 'silent' });
  const manager = f.users.recovery_manager.actor;
  for (const c of [f.customers.margaret, f.customers.peter, f.customers.derek]) tasks.push(await f.services.tracing.openTask(manager, c, { trigger: 'returned_mail' }));
});
after(async () => {
  await app.close();
  await db.close();
});

test('an officer works the tracing queue through the pages', async () => {
  const { cookies, csrf } = await signInThroughForm(app, 'recovery.officer');
  const page = await app.inject({ method: 'GET', url: '/tracing', cookies });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<th scope="col" class="govuk-table__header" aria-sort="none">Assigned to<\/th>/);
  assert.equal((page.body.match(/name="ids" type="checkbox" value="\d+" form="wq-bulk"/g) ?? []).length, 3);
  assert.match(page.body, /href="\/tracing\?status=open&amp;assigned=mine"/);

  // "Assign to me" on one row.
  const one = await app.inject({ method: 'POST', url: '/work-queues/tracing/bulk', cookies, payload: { _csrf: csrf, one: String(tasks[0]), action: 'unassign', returnTo: '/tracing?status=open' } });
  assert.equal(one.statusCode, 303);
  assert.equal(one.headers.location, `/tracing?status=open&wqMessage=${encodeURIComponent('1 done, 0 refused')}`);
  const mine = await app.inject({ method: 'GET', url: '/tracing?status=open&assigned=mine', cookies });
  assert.match(mine.body, /1 open/);
  assert.match(mine.body, /Test recovery_officer/);

  // Every item on this page, to a colleague, through the form's hidden list of the page's items.
  const all = await app.inject({
    method: 'POST', url: '/work-queues/tracing/bulk', cookies,
    payload: `_csrf=${csrf}&action=assign&assigneeId=${f.users.senior_recovery_officer.id}&allOnPage=yes&${tasks.map((t) => `pageIds=${t}`).join('&')}&returnTo=${encodeURIComponent('https://evil.example/')}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(all.statusCode, 303);
  assert.equal(all.headers.location, `/tracing?wqMessage=${encodeURIComponent('3 done, 0 refused')}`, 'returnTo is only ever the queue itself');
  const rows = await db.query<{ n: number }>(`select count(*)::int as n from work_assignments where queue = 'tracing' and assigned_to = $1`, [f.users.senior_recovery_officer.id]);
  assert.equal(rows[0].n, 3);

  // Nothing selected: the message says so and nothing changes.
  const none = await app.inject({ method: 'POST', url: '/work-queues/tracing/bulk', cookies, payload: { _csrf: csrf, action: 'unassign', returnTo: '/tracing' } });
  assert.match(decodeURIComponent(String(none.headers.location)), /Select at least one item/);

  // The home page counts: three open, none mine, none unassigned; links to the filtered queue.
  const home = await app.inject({ method: 'GET', url: '/', cookies });
  assert.match(home.body, /<a class="govuk-link" href="\/tracing\?status=open&amp;assigned=mine">0<span class="govuk-visually-hidden"> yours: debtors to trace/);
  assert.match(home.body, /href="\/tracing\?status=open&amp;assigned=unassigned">0</);
  const hub = await app.inject({ method: 'GET', url: '/after-liability-order', cookies });
  assert.match(hub.body, /Debtors to trace<\/a><\/th>[\s\S]*?govuk-!-font-weight-bold">3<\/td>/);
});

test('the auditor sees the queues but cannot assign', async () => {
  const { cookies, csrf } = await signInThroughForm(app, 'auditor');
  const page = await app.inject({ method: 'GET', url: '/tracing', cookies });
  assert.equal(page.statusCode, 200);
  assert.doesNotMatch(page.body, /wq-bulk/);
  const refused = await app.inject({ method: 'POST', url: '/work-queues/tracing/bulk', cookies, payload: { _csrf: csrf, action: 'assign_me', ids: String(tasks[0]) } });
  assert.equal(refused.statusCode, 403);
  for (const url of ['/arrangements', '/attachments?status=behind', '/enforcement', '/write-offs', '/holds?state=review_due', '/holds?page=2']) {
    assert.equal((await app.inject({ method: 'GET', url, cookies })).statusCode, 200, url);
  }
});

test('the JSON API: counts, a page of a queue, assign, unassign and bulk', async () => {
  const headers = await bearerHeaders(f.services, f.users.recovery_officer.actor);
  const assign = await app.inject({ method: 'POST', url: '/api/v1/work-queues/tracing/assign', headers, payload: { ids: [tasks[1], 999999] } });
  assert.equal(assign.statusCode, 200, assign.body);
  assert.deepEqual(assign.json(), { done: [tasks[1]], refused: [{ id: 999999, reason: 'not found' }] });
  const counts = await app.inject({ method: 'GET', url: '/api/v1/work-queues', headers });
  const tracing = counts.json().queues.find((q: { queue: string }) => q.queue === 'tracing');
  assert.deepEqual([tracing.open, tracing.mine, tracing.unassigned], [3, 1, 0]);
  const pageOf = await app.inject({ method: 'GET', url: '/api/v1/work-queues/tracing?assigned=mine', headers });
  assert.deepEqual(pageOf.json().items, [{ id: tasks[1], assignedTo: f.users.recovery_officer.id, assignedToName: 'Test recovery_officer' }]);
  const bulk = await app.inject({ method: 'POST', url: '/api/v1/work-queues/tracing/bulk', headers, payload: { action: 'assign', ids: [tasks[0]], assigneeId: f.users.auditor.id } });
  assert.equal(bulk.statusCode, 400, 'the auditor does not work the tracing queue');
  const un = await app.inject({ method: 'POST', url: '/api/v1/work-queues/tracing/unassign', headers, payload: { ids: tasks } });
  assert.deepEqual(un.json().done, tasks);
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/work-queues/nothing', headers })).statusCode, 400);
  const openapi = await app.inject({ method: 'GET', url: '/api/openapi.json' });
  assert.ok(openapi.json().paths['/api/v1/work-queues/{queue}/bulk'].post);
});
