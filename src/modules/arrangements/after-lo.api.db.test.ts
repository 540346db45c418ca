// The after-the-liability-order JSON API through HTTP: who may do what, and that it does it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import type { Db } from '../../db/database.ts';
import type { Role } from '../auth/roles.ts';
import { createApp } from '../../web/app.ts';

let db: Db;
let f: FixtureCouncil;
let app: FastifyInstance;
const tokens: Partial<Record<Role, string>> = {};

before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
  app = await createApp({ services: f.services, logLevel: 'silent' });
  await db.query(`insert into recovery_steps (authority_id, account_id, financial_year, stage, issued_on, reason) values ($1, $2, 2025, 'liability_order', '2026-05-01', 'granted')`, [f.authorities.wigan, f.accounts.hughesCt.id]);
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

test('statement, arrangement, attachment order and write-off through the API; the auditor only reads', async () => {
  const s = await call('recovery_officer', 'POST', `/api/v1/customers/${f.customers.margaret}/income-expenditure`, { lines: { earnings: 200000, home_and_contents: 100000 } });
  assert.equal(s.statusCode, 201, s.body);
  assert.equal(s.json().affordable.monthly, 100000);
  const bad = await call('recovery_officer', 'POST', `/api/v1/customers/${f.customers.margaret}/arrangements`, { accountIds: [], frequency: 'yearly', instalmentPence: 0, startsOn: 'soon' });
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(bad.json().error.fields.map((x: { field: string }) => x.field).sort(), ['accountIds', 'frequency', 'instalmentPence', 'startsOn']);
  const a = await call('recovery_officer', 'POST', `/api/v1/customers/${f.customers.margaret}/arrangements`, { accountIds: [f.accounts.sundry.id], frequency: 'weekly', instalmentPence: 2500, startsOn: '2026-11-30', statementId: s.json().id });
  assert.equal(a.statusCode, 201, a.body);
  const got = await call('auditor', 'GET', `/api/v1/arrangements/${a.json().id}`);
  assert.equal(got.json().instalments.length, 5);
  assert.equal((await call('auditor', 'POST', '/api/v1/arrangements/monitor', {})).statusCode, 403);

  const e = await call('recovery_officer', 'POST', '/api/v1/employers', { name: 'Api Payroll Ltd', address: '1 Api Way, Wigan, WN1 1AP' });
  const o = await call('recovery_officer', 'POST', `/api/v1/accounts/${f.accounts.hughesCt.id}/attachment-orders`, { employerId: e.json().id, payPeriod: 'weekly', netEarningsPence: 40000 });
  assert.equal(o.statusCode, 201, o.body);
  const m = await call('auditor', 'GET', '/api/v1/attachment-orders/monitor?asOf=2026-12-06');
  assert.deepEqual(m.json().orders.map((x: { deductionPence: number; expectedPence: number }) => [x.deductionPence, x.expectedPence]), [[6800, 13600]], 'England weekly £400.00: over £335 up to £505 → 17% = £68.00; two weeks expected');

  const w = await call('recovery_officer', 'POST', `/api/v1/accounts/${f.accounts.hughesCt.id}/write-offs`, { financialYear: 2026, reason: 'other', note: 'Test' });
  assert.equal(w.statusCode, 201);
  assert.equal((await call('recovery_officer', 'POST', `/api/v1/write-offs/${w.json().id}/approve`, {})).statusCode, 403, 'not their own, and over their limit');
  assert.equal((await call('senior_recovery_officer', 'POST', `/api/v1/write-offs/${w.json().id}/approve`, {})).statusCode, 200);
  const report = await call('auditor', 'GET', '/api/v1/write-offs/report?from=2026-11-01&to=2026-11-30');
  assert.match(report.body, /861\.33/);
  const xlsx = await call('auditor', 'GET', '/api/v1/write-offs/report/xlsx?from=2026-11-01&to=2026-11-30');
  assert.equal(xlsx.statusCode, 200);
  assert.match(String(xlsx.headers['content-type']), /spreadsheetml/);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
  assert.deepEqual([workbook.getWorksheet('Write-offs')!.getRow(2).getCell(2).value, workbook.getWorksheet('Write-offs')!.getRow(2).getCell(5).value], [f.accounts.hughesCt.reference, 861.33]);
  const openapi = await app.inject({ method: 'GET', url: '/api/openapi.json' });
  assert.ok(openapi.json().paths['/api/v1/enforcement/returns']);
});
