import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import type { Db } from '../../db/database.ts';
import { ValidationError } from '../../errors.ts';
import { affordability } from './affordability.ts';
import { scheduleInstalments } from './arrangements.service.ts';

let db: Db;
let f: FixtureCouncil;
before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
});
after(() => db.close());

const fieldsOf = (e: unknown) => (e instanceof ValidationError ? e.fields.map((p) => p.field) : []);
const pay = (accountId: number, pence: number, on: string) =>
  db.query(`insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source) values ($1, 'payment', $2, 2026, $3, 'test')`, [accountId, -pence, on]);
const openHolds = async (accountId: number) =>
  (await db.query<{ n: number }>(`select count(*)::int as n from holds where account_id = $1 and type = 'arrangement' and ended_on is null`, [accountId]))[0].n;

test('affordability in SFS categories, and a schedule that clears the total exactly', () => {
  const a = affordability({ earnings: 160000, benefits: 20000, home_and_contents: 90000, food_and_housekeeping: 40000, travel: 10000 });
  assert.deepEqual([a.incomePence, a.expenditurePence, a.surplusPence], [180000, 140000, 40000]);
  assert.deepEqual(a.affordable, { monthly: 40000, fortnightly: 18461, weekly: 9230 });
  assert.equal(affordability({ earnings: 1000, travel: 5000 }).affordable.monthly, 0);
  const s = scheduleInstalments(124633, 20000, 'monthly', '2027-01-31');
  assert.equal(s.length, 7);
  assert.deepEqual(s.slice(0, 2).map((i) => i.dueOn), ['2027-01-31', '2027-02-28']);
  assert.equal(s[6].amountPence, 4633);
  assert.equal(scheduleInstalments(1000, 300, 'fortnightly', '2026-12-01')[3].dueOn, '2027-01-12');
});

test('an arrangement across two accounts, within what the statement shows is affordable, is kept', async () => {
  const officer = f.users.recovery_officer.actor;
  const statement = await f.services.arrangements.recordStatement(officer, f.customers.margaret, { lines: { earnings: 150000, home_and_contents: 80000, food_and_housekeeping: 40000 } });
  assert.equal(statement.affordable.monthly, 30000);
  const input = { accountIds: [f.accounts.hughesCt.id, f.accounts.sundry.id], frequency: 'monthly', instalmentPence: 35000, startsOn: '2026-12-01', statementId: statement.id };
  await assert.rejects(f.services.arrangements.createArrangement(officer, f.customers.margaret, input), (e: unknown) => fieldsOf(e).includes('instalmentPence'));
  const id = await f.services.arrangements.createArrangement(officer, f.customers.margaret, { ...input, instalmentPence: 30000 });
  const { arrangement, instalments } = await f.services.arrangements.getArrangement(officer, id);
  assert.equal(arrangement.total_pence, 124633, '£1,121.33 council tax + £125.00 sundry');
  assert.equal(instalments.length, 5);
  assert.ok(arrangement.document_id, 'confirmation letter issued');
  assert.equal(await openHolds(f.accounts.hughesCt.id), 1, 'recovery held on each account');
  assert.equal(await openHolds(f.accounts.sundry.id), 1);
  await assert.rejects(f.services.arrangements.createArrangement(officer, f.customers.derek, { ...input, accountIds: [f.accounts.hughesCt.id], instalmentPence: 1000, statementId: undefined }),
    (e: unknown) => fieldsOf(e).includes('accountIds'), 'one active arrangement per account');

  await pay(f.accounts.hughesCt.id, 30000, '2026-12-01');
  await pay(f.accounts.sundry.id, 30000, '2027-01-02');
  let run = await f.services.arrangements.monitor(officer, '2027-01-20');
  assert.deepEqual([run.kept, run.broken], [[], []], 'on track: still running, still held');
  assert.equal(await openHolds(f.accounts.hughesCt.id), 1);

  await pay(f.accounts.hughesCt.id, 64633, '2027-02-01');
  run = await f.services.arrangements.monitor(officer, '2027-02-02');
  assert.deepEqual(run.kept, [id]);
  assert.equal((await f.services.arrangements.getArrangement(officer, id)).arrangement.status, 'kept');
  assert.equal(await openHolds(f.accounts.hughesCt.id), 0, 'paid in full: the hold ends');
});

test('a missed payment beyond the tolerance breaks it: letter, holds ended, recovery woken', async () => {
  const officer = f.users.recovery_officer.actor;
  const [c] = await db.query<{ id: number }>(`insert into customers (authority_id, kind, forenames, surname, display_name) values ($1, 'person', 'Ann', 'Lee', 'Ann Lee') returning id`, [f.authorities.wigan]);
  await db.query(`insert into customer_addresses (customer_id, address_line1, town, postcode, from_date) values ($1, '1 High St', 'Wigan', 'WN1 1AA', '2025-04-01')`, [c.id]);
  const [acc] = await db.query<{ id: number }>(`insert into accounts (authority_id, reference, stream, customer_id, opened_on) values ($1, '100009990', 'council_tax', $2, '2025-04-01') returning id`, [f.authorities.wigan, c.id]);
  await db.query(`insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source) values ($1, 'charge', 60000, 2026, '2026-04-01', 'test')`, [acc.id]);
  await db.query(`insert into recovery_cases (account_id, financial_year, authority_id, stream, position, reason, held) values ($1, 2026, $2, 'council_tax', 'liability_order', 'held', true)`, [acc.id, f.authorities.wigan]);
  const id = await f.services.arrangements.createArrangement(officer, c.id, { accountIds: [acc.id], frequency: 'weekly', instalmentPence: 5000, startsOn: '2026-11-23' });
  await pay(acc.id, 5000, '2026-11-23');
  await pay(acc.id, 4800, '2026-11-30'); // £2 short: within the £5 tolerance
  let run = await f.services.arrangements.monitor(officer, '2026-12-08');
  assert.deepEqual(run.broken, []);
  run = await f.services.arrangements.monitor(officer, '2026-12-15'); // the 7 December payment never came
  assert.deepEqual(run.broken, [id]);
  const { arrangement } = await f.services.arrangements.getArrangement(officer, id);
  assert.equal(arrangement.status, 'broken');
  assert.ok(arrangement.broken_document_id, 'broken-arrangement letter issued');
  assert.equal(await openHolds(acc.id), 0, 'the hold ends so recovery resumes');
  const [rc] = await db.query<{ review_on: string }>('select review_on from recovery_cases where account_id = $1', [acc.id]);
  assert.equal(rc.review_on, '2026-12-15', 'the daily run looks at it again');
});
