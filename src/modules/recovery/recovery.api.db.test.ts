// The recovery, holds and court JSON API through HTTP: who may do what, and that it does it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import type { Db } from '../../db/database.ts';
import type { Role } from '../auth/roles.ts';
import { createApp } from '../../web/app.ts';
import { recoveryWorld, type RecoveryWorld, type TestAccount } from './scenario-support.ts';

let db: Db;
let f: FixtureCouncil;
let w: RecoveryWorld;
let app: FastifyInstance;
let acc: TestAccount;
const tokens: Partial<Record<Role, string>> = {};

before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
  w = recoveryWorld(db, f);
  app = await createApp({ services: f.services, logLevel: 'silent' });
  f.clock.set('2026-04-01');
  acc = await w.account({ name: 'Ada Api' });
  await w.pay(acc, '2026-04-01', 10_000);
  f.clock.set('2026-05-08');
  for (const role of ['recovery_officer', 'senior_recovery_officer', 'auditor'] as Role[]) {
    tokens[role] = (await f.services.auth.createApiToken(f.users[role].actor, `test ${role}`)).token;
  }
});
after(async () => {
  await app.close();
  await db.close();
});

const call = (role: Role, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  app.inject({ method, url, headers: { authorization: `Bearer ${tokens[role]}` }, ...(payload ? { payload: payload as object } : {}) });

test('a run through the API: an officer previews, only a senior officer approves', async () => {
  const started = await call('recovery_officer', 'POST', '/api/v1/recovery/runs', { asOf: '2026-05-08' });
  assert.equal(started.statusCode, 201, started.body);
  const { runId, status, report } = started.json();
  assert.equal(status, 'awaiting_approval');
  assert.equal(report.actions.find((a: { stage: string }) => a.stage === 'reminder_1').count, 1);
  const items = await call('auditor', 'GET', `/api/v1/recovery/runs/${runId}/items?kind=action&stage=reminder_1`);
  assert.equal(items.json().items[0].reference, acc.reference);
  assert.equal((await call('recovery_officer', 'POST', `/api/v1/recovery/runs/${runId}/approve`)).statusCode, 403);
  const again = await call('recovery_officer', 'POST', '/api/v1/recovery/runs', { asOf: '2026-05-08' });
  assert.equal(again.statusCode, 409);
  assert.equal(again.json().error.code, 'conflict');
  const approved = await call('senior_recovery_officer', 'POST', `/api/v1/recovery/runs/${runId}/approve`);
  assert.equal(approved.statusCode, 200, approved.body);
  assert.equal(approved.json().issueReport.steps.reminder_1, 1);
  const status2 = await call('auditor', 'GET', `/api/v1/accounts/${acc.id}/recovery`);
  const year = status2.json().years.find((y: { financialYear: string }) => y.financialYear === '2026/27');
  assert.deepEqual([year.position, year.nextAction.on], ['reminder_1', '2026-05-22']);
  assert.equal(status2.json().steps[0].stage, 'reminder_1');
  const pipeline = await call('auditor', 'GET', '/api/v1/recovery/pipeline');
  assert.ok(pipeline.json().streams[0].stages.some((s: { position: string; count: number }) => s.position === 'reminder_1' && s.count === 1));
  assert.equal((await call('recovery_officer', 'POST', '/api/v1/recovery/runs', { asOf: 'someday' })).statusCode, 400);
});

test('holds through the API', async () => {
  const created = await call('recovery_officer', 'POST', `/api/v1/accounts/${acc.id}/holds`, { type: 'arrangement', reason: '£25 a week from Friday' });
  assert.equal(created.statusCode, 201, created.body);
  const { holdId } = created.json();
  assert.equal((await call('auditor', 'POST', `/api/v1/accounts/${acc.id}/holds`, { type: 'arrangement', reason: 'x' })).statusCode, 403);
  const bad = await call('recovery_officer', 'POST', `/api/v1/customers/${acc.customerId}/holds`, { type: 'vulnerability', reason: 'x' });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().error.fields[0].field, 'reviewOn');
  const list = await call('auditor', 'GET', `/api/v1/accounts/${acc.id}/holds`);
  assert.deepEqual(list.json().holds.map((h: { label: string; status: string }) => [h.label, h.status]), [['Arrangement in place', 'active']]);
  const ended = await call('recovery_officer', 'POST', `/api/v1/holds/${holdId}/end`, { reason: 'Arrangement broken: two payments missed' });
  assert.equal(ended.statusCode, 200, ended.body);
  assert.equal((await call('auditor', 'GET', `/api/v1/holds/${holdId}`)).json().status, 'ended');
});

test('court through the API, and every new route is in the OpenAPI document', async () => {
  const added = await call('recovery_officer', 'POST', '/api/v1/court/hearings', { courtName: 'Wigan and Leigh Magistrates’ Court', hearingOn: '2026-06-10', capacity: 30 });
  assert.equal(added.statusCode, 201, added.body);
  const hearings = await call('auditor', 'GET', '/api/v1/court/hearings');
  assert.equal(hearings.json().hearings[0].capacity, 30);
  const list = await call('recovery_officer', 'GET', `/api/v1/court/hearings/${added.json().hearingId}/complaint-list`);
  assert.equal(list.headers['content-type'], 'text/csv');
  assert.match(list.body, /^case_number,hearing_date/);
  const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
  for (const path of ['/api/v1/recovery/runs', '/api/v1/recovery/runs/{runId}/approve', '/api/v1/accounts/{accountId}/recovery', '/api/v1/holds/{holdId}/end', '/api/v1/court/hearings/{hearingId}/outcomes-file', '/api/v1/recovery/timetables']) {
    assert.ok(doc.paths[path], `${path} documented`);
  }
});

test('pages need the right permission: an auditor sees recovery but cannot start a run', async () => {
  const res = await app.inject({ method: 'POST', url: '/recovery/runs', headers: { authorization: `Bearer ${tokens.auditor}` }, payload: { asOf: '2026-05-08' } });
  assert.equal(res.statusCode, 403);
  const page = await app.inject({ method: 'GET', url: '/api/v1/recovery/runs', headers: { authorization: `Bearer ${tokens.auditor}` } });
  assert.equal(page.statusCode, 200);
});
