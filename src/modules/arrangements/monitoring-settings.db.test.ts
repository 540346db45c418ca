// The council's arrangement monitoring tolerance as a setting: who may change it, what bad input
// does, and that the monitor honours it (the same late payment kept or broken by the settings).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import { bearerHeaders, signInThroughForm } from '../../../test/support/web-session.ts';
import type { Db } from '../../db/database.ts';
import { ForbiddenError, ValidationError } from '../../errors.ts';
import { createApp } from '../../web/app.ts';

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

const fieldsOf = (e: unknown) => (e instanceof ValidationError ? e.fields.map((p) => p.field).sort() : []);

/** A debtor on a £50.00 weekly arrangement from 23 November 2026 who pays the first instalment only. */
async function arrangementWithLatePayment(surname: string, number: number) {
  const [c] = await db.query<{ id: number }>(`insert into customers (authority_id, kind, forenames, surname, display_name) values ($1, 'person', 'Sam', $2, $3) returning id`, [f.authorities.wigan, surname, `Sam ${surname}`]);
  await db.query(`insert into customer_addresses (customer_id, address_line1, town, postcode, from_date) values ($1, '2 High St', 'Wigan', 'WN1 1AA', '2025-04-01')`, [c.id]);
  const [acc] = await db.query<{ id: number }>(`insert into accounts (authority_id, reference, stream, customer_id, opened_on) values ($1, $2, 'council_tax', $3, '2025-04-01') returning id`, [f.authorities.wigan, String(number), c.id]);
  await db.query(`insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source) values ($1, 'charge', 60000, 2026, '2026-04-01', 'test')`, [acc.id]);
  const id = await f.services.arrangements.createArrangement(f.users.recovery_officer.actor, c.id, { accountIds: [acc.id], frequency: 'weekly', instalmentPence: 5000, startsOn: '2026-11-23' });
  await db.query(`insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source) values ($1, 'payment', -5000, 2026, '2026-11-23', 'test')`, [acc.id]);
  return id; // the 30 November instalment has not come by 3 December
}

test('the tolerance is the council’s setting: the same late payment is inside it or breaks the arrangement', async () => {
  const manager = f.users.recovery_manager.actor;
  const officer = f.users.recovery_officer.actor;
  const defaults = await f.services.arrangements.monitoringSettings(officer);
  assert.deepEqual([defaults.arrangement_grace_days, defaults.arrangement_tolerance_pence], [7, 500], 'the defaults before the council sets its own');

  const first = await arrangementWithLatePayment('Grace', 100009801);
  // Default 7 days' grace: on 3 December the 30 November instalment is not yet looked for.
  assert.deepEqual((await f.services.arrangements.monitor(officer, '2026-12-03')).broken, []);

  // Two days' grace with a £50.00 shortfall allowed: now looked for, £50.00 short, still within it.
  await f.services.arrangements.saveMonitoringSettings(manager, { graceDays: 2, tolerancePence: 5000 });
  assert.deepEqual((await f.services.arrangements.monitor(officer, '2026-12-03')).broken, []);
  assert.equal((await f.services.arrangements.getArrangement(officer, first)).arrangement.status, 'active');

  // A penny less allowed and the same shortfall breaks it.
  await f.services.arrangements.saveMonitoringSettings(manager, { graceDays: 2, tolerancePence: 4999 });
  assert.deepEqual((await f.services.arrangements.monitor(officer, '2026-12-03')).broken, [first]);
  assert.equal((await f.services.arrangements.getArrangement(officer, first)).arrangement.status, 'broken');

  // The other council's settings are not touched by Wigan's.
  const [cardiff] = await db.query('select 1 from after_lo_settings where authority_id = $1', [f.authorities.cardiff]);
  assert.equal(cardiff, undefined);
});

test('only a manager sets it; bad input names its fields and changes nothing', async () => {
  const manager = f.users.recovery_manager.actor;
  const before = await f.services.arrangements.monitoringSettings(manager);
  await assert.rejects(f.services.arrangements.saveMonitoringSettings(f.users.recovery_officer.actor, { graceDays: 0, tolerancePence: 0 }), ForbiddenError);
  await assert.rejects(f.services.arrangements.saveMonitoringSettings(manager, { graceDays: -1, tolerancePence: 'lots' }),
    (e: unknown) => fieldsOf(e).join() === 'graceDays,tolerancePence');
  const after = await f.services.arrangements.monitoringSettings(manager);
  assert.deepEqual([after.arrangement_grace_days, after.arrangement_tolerance_pence], [before.arrangement_grace_days, before.arrangement_tolerance_pence]);
});

test('the settings page and API', async () => {
  const manager = await signInThroughForm(app, 'recovery.manager');
  const officer = await signInThroughForm(app, 'recovery.officer');
  assert.equal((await app.inject({ method: 'GET', url: '/arrangements/settings', cookies: officer.cookies })).statusCode, 403);
  const page = await app.inject({ method: 'GET', url: '/arrangements/settings', cookies: manager.cookies });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /name="graceDays"[^>]*value="2"/);

  const bad = await app.inject({ method: 'POST', url: '/arrangements/settings', cookies: manager.cookies, payload: { _csrf: manager.csrf, graceDays: '3', tolerance: 'ten pounds' } });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /href="#tolerance"/);
  const saved = await app.inject({ method: 'POST', url: '/arrangements/settings', cookies: manager.cookies, payload: { _csrf: manager.csrf, graceDays: '3', tolerance: '12.50' } });
  assert.equal(saved.statusCode, 303);
  const s = await f.services.arrangements.monitoringSettings(f.users.recovery_manager.actor);
  assert.deepEqual([s.arrangement_grace_days, s.arrangement_tolerance_pence], [3, 1250]);

  const api = await app.inject({ method: 'PUT', url: '/api/v1/arrangements/settings', headers: await bearerHeaders(f.services, f.users.recovery_manager.actor), payload: { graceDays: 5, tolerancePence: 0 } });
  assert.equal(api.statusCode, 200, api.body);
  assert.deepEqual(api.json(), { authorityId: f.authorities.wigan, graceDays: 5, tolerancePence: 0 });
  const refused = await app.inject({ method: 'PUT', url: '/api/v1/arrangements/settings', headers: await bearerHeaders(f.services, f.users.recovery_officer.actor), payload: { graceDays: 0, tolerancePence: 0 } });
  assert.equal(refused.statusCode, 403);
  const read = await app.inject({ method: 'GET', url: '/api/v1/arrangements/settings', headers: await bearerHeaders(f.services, f.users.auditor.actor) });
  assert.deepEqual(read.json(), { authorityId: f.authorities.wigan, graceDays: 5, tolerancePence: 0 });
});
