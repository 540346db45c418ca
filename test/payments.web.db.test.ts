// Money in through HTTP: the JSON API (import, suspense, allocate, refunds) with tokens, the
// permission on every action, and the pages answering for the roles that may see them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { openTestDb } from './support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from './support/fixture-council.ts';
import { bureauFile } from './support/payment-files.ts';
import type { Db } from '../src/db/database.ts';
import { createApp } from '../src/web/app.ts';
import type { Role } from '../src/modules/auth/roles.ts';
import { makeAccountReference } from '../src/domain/account-reference.ts';
import { bearerHeaders } from './support/web-session.ts';

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

const bearer = (role: Role) => bearerHeaders(f.services, f.users[role].actor);

test('import through the API, then the suspense queue, allocation and permissions', async () => {
  const officer = await bearer('recovery_officer');
  const unknown = makeAccountReference('council_tax', 9999);
  const content = bureauFile([
    { narrative: 'A1', reference: f.accounts.hughesCt.reference, amountPence: 5000, paidOn: '2026-11-20' },
    { narrative: 'A2', reference: unknown, amountPence: 1234, paidOn: '2026-11-20' },
  ]);
  const res = await app.inject({ method: 'POST', url: '/api/v1/payments/imports', headers: officer, payload: { format: 'bureau', fileName: 'api.txt', content } });
  assert.equal(res.statusCode, 201, res.body);
  assert.deepEqual([res.json().matched.lines, res.json().suspense.lines, res.json().balanced], [1, 1, true]);
  const again = await app.inject({ method: 'POST', url: '/api/v1/payments/imports', headers: officer, payload: { format: 'bureau', fileName: 'api.txt', content } });
  assert.equal(again.json().alreadyImported, true);

  const queue = await app.inject({ method: 'GET', url: '/api/v1/payments/suspense', headers: officer });
  assert.equal(queue.json().totals.n, 1);
  const receiptId = queue.json().items[0].receiptId;

  const auditor = await bearer('auditor');
  const denied = await app.inject({ method: 'POST', url: `/api/v1/payments/suspense/${receiptId}/allocate`, headers: auditor, payload: { accountReference: f.accounts.sundry.reference, reason: 'phoned' } });
  assert.equal(denied.statusCode, 403);
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/payments/suspense', headers: auditor })).statusCode, 200);
  const bad = await app.inject({ method: 'POST', url: `/api/v1/payments/suspense/${receiptId}/allocate`, headers: officer, payload: { accountReference: '123', reason: 'phoned' } });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().error.fields[0].field, 'accountReference');
  const ok = await app.inject({ method: 'POST', url: `/api/v1/payments/suspense/${receiptId}/allocate`, headers: officer, payload: { accountReference: f.accounts.sundry.reference, reason: 'customer phoned' } });
  assert.equal(ok.statusCode, 200, ok.body);
  const conflict = await app.inject({ method: 'POST', url: `/api/v1/payments/suspense/${receiptId}/allocate`, headers: officer, payload: { accountReference: f.accounts.sundry.reference, reason: 'again' } });
  assert.equal(conflict.statusCode, 409);

  const report = await app.inject({ method: 'GET', url: '/api/v1/payments/cash-report?date=2026-11-20', headers: officer });
  assert.equal(report.json().balanced, true);
  const journal = await app.inject({ method: 'GET', url: '/api/v1/payments/gl-journal?from=2026-11-20&to=2026-11-20', headers: officer });
  assert.ok(journal.json().lines.length >= 4);
});

test('refunds over the API: the requester cannot approve; a senior officer can', async () => {
  await f.services.payments.importFile(f.users.recovery_officer.actor, { name: 'over.txt', open: () => [bureauFile([{ narrative: 'O', reference: f.accounts.okaforCt.reference, amountPence: 30000, paidOn: '2026-11-21' }])] }, { format: 'bureau' });
  const senior = await bearer('senior_recovery_officer');
  const asked = await app.inject({ method: 'POST', url: `/api/v1/accounts/${f.accounts.okaforCt.id}/refunds`, headers: senior, payload: { amountPence: 25000, payeeName: 'Peter Okafor', sortCode: '309457', accountNumber: '12345678', reason: 'overpaid' } });
  assert.equal(asked.statusCode, 201, asked.body);
  assert.equal(asked.json().status, 'requested');
  const own = await app.inject({ method: 'POST', url: `/api/v1/refunds/${asked.json().refundId}/decision`, headers: senior, payload: { decision: 'approve' } });
  assert.equal(own.statusCode, 403);
  const manager = await bearer('recovery_manager');
  const approved = await app.inject({ method: 'POST', url: `/api/v1/refunds/${asked.json().refundId}/decision`, headers: manager, payload: { decision: 'approve' } });
  assert.equal(approved.json().status, 'approved');
});

test('pages answer for officers and refuse roles without the permission', async () => {
  const { token } = await f.services.auth.createApiToken(f.users.system_administrator.actor, 'sysadmin');
  const res = await app.inject({ method: 'GET', url: '/api/v1/payments/suspense', headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.statusCode, 403);
  const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
  for (const p of ['/api/v1/payments/imports', '/api/v1/payments/suspense/{receiptId}/allocate', '/api/v1/refunds/{refundId}/decision', '/api/v1/direct-debit/collections']) assert.ok(doc.paths[p], p);
});
