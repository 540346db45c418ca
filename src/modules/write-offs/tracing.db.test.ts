import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import type { Db } from '../../db/database.ts';
import { ConflictError } from '../../errors.ts';

let db: Db;
let f: FixtureCouncil;
before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
});
after(() => db.close());

test('returned mail opens a trace; sources tried; a new address updates the customer and wakes recovery', async () => {
  const officer = f.users.recovery_officer.actor;
  await db.query(`insert into recovery_cases (account_id, financial_year, authority_id, stream, position, reason) values ($1, 2026, $2, 'council_tax', 'final_notice', 'x')`, [f.accounts.hughesCt.id, f.authorities.wigan]);
  const id = await f.services.tracing.openTask(officer, f.customers.margaret, { trigger: 'returned_mail', accountId: f.accounts.hughesCt.id, note: 'Final notice returned: not known at this address' });
  assert.equal(await f.services.tracing.openTask(officer, f.customers.margaret, { trigger: 'officer' }), id, 'one open task per customer');
  await f.services.tracing.recordAttempt(officer, id, { source: 'electoral_register', found: false });
  await f.services.tracing.recordAttempt(officer, id, { source: 'credit_reference', found: 'yes', note: 'New address from bureau' });
  const result = await f.services.tracing.traced(officer, id, { addressLine1: '22 New Road', town: 'Leigh', postcode: 'wn73ab' });
  assert.equal(result.accountsWoken, 1);
  const [addr] = await db.query<{ kind: string; postcode: string }>('select kind, postcode from customer_addresses where id = $1', [result.addressId]);
  assert.deepEqual([addr.kind, addr.postcode], ['correspondence', 'WN7 3AB']);
  const [rc] = await db.query<{ review_on: string }>('select review_on from recovery_cases where account_id = $1', [f.accounts.hughesCt.id]);
  assert.equal(rc.review_on, '2026-11-22');
  const { task, attempts } = await f.services.tracing.getTask(officer, id);
  assert.deepEqual([task.status, attempts.length], ['traced', 2]);
  await assert.rejects(f.services.tracing.recordAttempt(officer, id, { source: 'dwp', found: false }), ConflictError);
});

test('an untraceable debtor is recommended for write-off by the rules', async () => {
  const officer = f.users.recovery_officer.actor;
  const id = await f.services.tracing.openTask(officer, f.customers.derek, { trigger: 'gone_away' });
  await f.services.tracing.untraceable(officer, id, { note: 'Credit reference, DWP and electoral register: nothing' });
  const { recommended } = await f.services.writeOffs.applyRules(officer, '2026-11-22');
  const rows = await db.query<{ account_id: number; reason: string }>('select account_id, reason from write_offs where id = any($1::bigint[])', [recommended]);
  assert.deepEqual(rows.map((r) => [Number(r.account_id), r.reason]).filter(([a]) => a === f.accounts.hughesCt.id), [[f.accounts.hughesCt.id, 'untraceable'], [f.accounts.hughesCt.id, 'untraceable']], 'both years of the joint account');
});
