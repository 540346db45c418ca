import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import type { Db } from '../../db/database.ts';
import { ConflictError, ForbiddenError } from '../../errors.ts';

let db: Db;
let f: FixtureCouncil;
let account: number;
before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
  const [c] = await db.query<{ id: number }>(`insert into customers (authority_id, kind, forenames, surname, display_name) values ($1, 'person', 'Sam', 'Ward', 'Sam Ward') returning id`, [f.authorities.wigan]);
  await db.query(`insert into customer_addresses (customer_id, address_line1, town, postcode, from_date) values ($1, '7 Bridge St', 'Wigan', 'WN2 4AA', '2025-04-01')`, [c.id]);
  const [a] = await db.query<{ id: number }>(`insert into accounts (authority_id, reference, stream, customer_id, opened_on) values ($1, '100007770', 'council_tax', $2, '2025-04-01') returning id`, [f.authorities.wigan, c.id]);
  account = a.id;
  await db.query(`insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source) values ($1, 'charge', 180000, 2026, '2026-04-01', 'test')`, [account]);
  await db.query(`insert into recovery_steps (authority_id, account_id, financial_year, stage, issued_on, reason, outcome) values ($1, $2, 2026, 'liability_order', '2026-10-01', 'granted', 'granted')`, [f.authorities.wigan, account]);
});
after(() => db.close());

test('a referral held by a vulnerability hold, allowed by a senior, exported, returns imported with an over-scale fee flagged', async () => {
  const { recovery_officer: officer, senior_recovery_officer: senior } = f.users;
  await assert.rejects(f.services.enforcement.addFirm(officer.actor, { name: 'Northern Enforcement Ltd', code: 'NEL' }), ForbiddenError);
  const firmId = await f.services.enforcement.addFirm(senior.actor, { name: 'Northern Enforcement Ltd', code: 'nel' });
  await assert.rejects(f.services.enforcement.refer(officer.actor, f.accounts.okaforCt.id, { firmId, financialYear: 2026 }), /no liability order/);

  await f.services.holds.createHold(officer.actor, { accountId: account }, { type: 'vulnerability', reason: 'Recent bereavement', reviewOn: '2027-01-31' });
  const referral = await f.services.enforcement.refer(officer.actor, account, { firmId, financialYear: 2026 });
  assert.equal(referral.status, 'awaiting_decision');
  assert.deepEqual(referral.checks.filter((c) => c.outcome !== 'pass').map((c) => c.check), ['vulnerability']);
  assert.equal((await f.services.enforcement.exportForFirm(officer.actor, firmId)).cases, 0, 'blocked: nothing goes to the firm');

  await assert.rejects(f.services.enforcement.decide(officer.actor, referral.id, { allow: true, note: 'ok' }), ForbiddenError);
  await f.services.enforcement.decide(senior.actor, referral.id, { allow: 'yes', note: 'Spoke to support worker; agent to visit with a vulnerability-trained officer' });
  const exported = await f.services.enforcement.exportForFirm(officer.actor, firmId);
  assert.equal(exported.cases, 1);
  const [header, row] = exported.csv.trim().split('\r\n');
  assert.equal(header, 'referral_id,account_reference,debtor_name,address_line1,address_line2,town,postcode,financial_year,liability_order_date,amount,warning');
  assert.equal(row, `${referral.id},100007770,Sam Ward,7 Bridge St,,Wigan,WN2 4AA,2026/27,2026-10-01,1800.00,`);

  // Scale on £1,800.00: compliance £75.00; enforcement £235.00 + 7.5% of £300.00 = £257.50.
  const returns = ['referral_id,status,date,paid,fee_stage,fee',
    `${referral.id},arrangement,2026-11-01,0,compliance,75.00`,
    `${referral.id},part_paid,2026-11-10,500.00,enforcement,257.50`,
    `${referral.id},paid,2026-11-20,1300.00,enforcement,300.00`,
    `999999,paid,2026-11-20,1.00,,`,
    `${referral.id},paid,2026-13-01,1.00,,`].join('\n');
  const result = await f.services.enforcement.importReturns(officer.actor, 'nel-returns.csv', returns);
  assert.equal(result.applied, 3);
  assert.equal(result.collectedPence, 180000);
  assert.deepEqual(result.overScale, [{ line: 4, referralId: referral.id, feePence: 30000, scaleFeePence: 25750 }]);
  assert.deepEqual(result.problems.map((p) => p.line).sort(), [5, 6]);
  const r = await f.services.enforcement.getReferral(officer.actor, referral.id);
  assert.deepEqual([r.status, r.return_code, Number(r.collected_pence)], ['closed', 'paid', 180000]);
  const [bal] = await db.query<{ b: number }>('select sum(amount_pence)::bigint as b from ledger_entries where account_id = $1', [account]);
  assert.equal(Number(bal.b), 0);
  const [perf] = await f.services.enforcement.performance(officer.actor);
  assert.deepEqual([perf.firm_name, perf.referred, perf.paid, Number(perf.collected_pence), perf.over_scale_fees], ['Northern Enforcement Ltd', 1, 1, 180000, 1]);
});

test('a hold other than vulnerability, or an arrangement, blocks the referral outright', async () => {
  const { recovery_officer: officer, senior_recovery_officer: senior } = f.users;
  const firmId = await f.services.enforcement.addFirm(senior.actor, { name: 'Second Firm', code: 'SF2' });
  await db.query(`insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source) values ($1, 'charge', 50000, 2025, '2025-04-01', 'test')`, [account]);
  await db.query(`insert into recovery_steps (authority_id, account_id, financial_year, stage, issued_on, reason) values ($1, $2, 2025, 'liability_order', '2026-03-01', 'granted')`, [f.authorities.wigan, account]);
  await f.services.holds.createHold(officer.actor, { accountId: account }, { type: 'breathing_space_standard', reason: 'Insolvency Service notice', reference: 'BS-9' });
  await assert.rejects(f.services.enforcement.refer(officer.actor, account, { firmId, financialYear: 2025 }), (e: unknown) => e instanceof ConflictError && /Breathing Space/.test(e.message));
});
