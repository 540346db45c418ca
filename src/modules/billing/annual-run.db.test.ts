// The annual billing run: preview, issue, idempotence, and a run killed part-way that a second run
// finishes without doubling anything.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import { makeLiableAccount, setUpBilling } from '../../../test/support/billing-fixture.ts';
import type { Db } from '../../db/database.ts';
import { ForbiddenError, ValidationError } from '../../errors.ts';

let db: Db;
let f: FixtureCouncil;
const accounts: Record<string, number> = {};

before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
  await setUpBilling(f);
  const w = f.authorities.wigan;
  // Simple: a whole year at one band, with or without an award running all year.
  for (const [name, band] of [['a1', 'A'], ['a2', 'A'], ['b1', 'B'], ['d1', 'D'], ['h1', 'H']] as const) {
    accounts[name] = (await makeLiableAccount(db, { authorityId: w, band, from: '2015-06-01', paymentMethod: name === 'd1' ? 'direct_debit' : 'cash', instalmentDay: name === 'd1' ? 15 : 1 })).accountId;
  }
  accounts.spd = (await makeLiableAccount(db, { authorityId: w, band: 'C', from: '2018-01-01', email: 'spd@example.org' })).accountId;
  await db.query(`insert into account_reductions (account_id, code, from_date) values ($1, 'single_person', '2018-01-01')`, [accounts.spd]);
  // Not simple: moves out during the year; a discount ending during the year; a band change from a date.
  accounts.leaving = (await makeLiableAccount(db, { authorityId: w, band: 'A', from: '2016-01-01', to: '2027-09-30' })).accountId;
  accounts.spdEnds = (await makeLiableAccount(db, { authorityId: w, band: 'B', from: '2016-01-01' })).accountId;
  await db.query(`insert into account_reductions (account_id, code, from_date, to_date) values ($1, 'single_person', '2016-01-01', '2027-06-30')`, [accounts.spdEnds]);
  const banded = await makeLiableAccount(db, { authorityId: w, band: 'C', from: '2016-01-01' });
  accounts.banded = banded.accountId;
  await db.query(`insert into property_valuations (property_id, effective_from, band, source) values ($1, '1993-04-01', 'C', 'baseline'), ($1, '2027-11-01', 'D', 'officer')`, [banded.propertyId]);
  // Business rates: Levy has no 2027/28 multipliers, so these are reported, not billed.
  accounts.shop = (await makeLiableAccount(db, { authorityId: w, kind: 'hereditament', rateableValuePounds: 9_000, description: 'Shop and premises', from: '2015-01-01' })).accountId;
  // Gone before the year: not billed at all.
  accounts.gone = (await makeLiableAccount(db, { authorityId: w, band: 'A', from: '2016-01-01', to: '2026-12-31' })).accountId;
});
after(() => db.close());

const manager = () => f.users.recovery_manager.actor;

test('preview: counts and totals, priced exactly as the bills will be, and nothing written', async () => {
  f.clock.set('2027-03-10');
  const before = await db.query<{ n: number }>('select count(*)::int as n from ledger_entries');
  const preview = await f.services.billing.annual.preview(manager(), { authorityId: f.authorities.wigan, financialYear: 2027 });
  // Fixture accounts (Hughes band A, Okafor band B) are liable all year too.
  assert.equal(preview.billedOneByOne, 3);
  assert.equal(preview.billedByTariff, 6 + 2);
  assert.equal(preview.accountsToBill, 11);
  assert.deepEqual(preview.notBilled, [{ reason: 'no business rates multipliers for 2027/28', accounts: 1 }]);
  assert.match(preview.warnings.join(' '), /no business rates multipliers/);
  // Totals are the sum of each account's own calculation.
  let expected = 0;
  for (const id of [...Object.values(accounts).filter((a) => a !== accounts.shop && a !== accounts.gone), f.accounts.hughesCt.id, f.accounts.okaforCt.id]) {
    expected += (await f.services.billing.previewCharge(manager(), id, '2027/28')).totals.net;
  }
  assert.equal(preview.byStream.council_tax.net, expected);
  assert.equal(preview.byStream.council_tax.accounts, 11);
  assert.deepEqual((await db.query<{ n: number }>('select count(*)::int as n from ledger_entries'))[0], before[0], 'a preview writes nothing');
  await assert.rejects(f.services.billing.annual.preview(f.users.recovery_officer.actor, { authorityId: f.authorities.wigan, financialYear: 2027 }), ForbiddenError);
  await assert.rejects(f.services.billing.annual.preview(manager(), { authorityId: f.authorities.wigan, financialYear: 2029 }), ValidationError);
});

test('a run killed part-way is finished by running it again, and nothing is billed twice', async () => {
  f.clock.set('2027-03-10');
  const preview = await f.services.billing.annual.preview(manager(), { authorityId: f.authorities.wigan, financialYear: 2027 });
  let chunks = 0;
  await assert.rejects(
    f.services.billing.annual.run(manager(), {
      authorityId: f.authorities.wigan, financialYear: 2027, chunkSize: 3,
      onProgress: (_m, p) => { if (p.phase === 'bills' && ++chunks === 2) throw new Error('killed'); },
    }),
    /killed/);
  const [partial] = await db.query<{ n: number }>('select count(*)::int as n from bills where financial_year = 2027');
  assert.ok(partial.n > 0 && partial.n < preview.accountsToBill, `some bills were issued before the crash (${partial.n})`);
  const [failedRun] = await db.query<{ id: number; status: string }>(`select id, status from batch_runs where kind = 'billing-annual'`);
  assert.equal(failedRun.status, 'failed');

  const report = await f.services.billing.annual.run(manager(), { authorityId: f.authorities.wigan, financialYear: 2027, chunkSize: 3 });
  assert.equal(report.batchRunId, failedRun.id, 'the same run is resumed');
  assert.equal(report.status, 'completed');
  assert.equal(report.billsIssued, preview.accountsToBill);
  assert.equal(report.byStream.council_tax.net, preview.byStream.council_tax.net);
  assert.equal(report.failures.length, 0);
  // One annual bill, one plan and one set of entries per account.
  const dupes = await db.query(`select account_id from bills where financial_year = 2027 group by account_id having count(*) > 1`);
  assert.deepEqual(dupes, []);
  const ledger = await db.query<{ account_id: number; n: number; total: number }>(
    `select account_id, count(*)::int as n, sum(amount_pence)::bigint as total from ledger_entries where financial_year = 2027 group by account_id`);
  for (const row of ledger) {
    const calc = await f.services.billing.previewCharge(manager(), row.account_id, '2027/28');
    assert.equal(row.total, calc.totals.net, `account ${row.account_id}: the ledger holds the charge once`);
  }
  assert.equal(report.letters, report.billsIssued, 'a demand notice per bill');
  assert.equal(report.emails, 1);
  const plans = await db.query<{ account_id: number; n: number }>(`select account_id, count(*)::int as n from instalment_plans where financial_year = 2027 and superseded_at is null group by account_id`);
  assert.ok(plans.every((p) => p.n === 1));

  // Run again: nothing left to bill.
  const again = await f.services.billing.annual.run(manager(), { authorityId: f.authorities.wigan, financialYear: 2027 });
  assert.equal(again.billsIssued, 0);
  assert.equal(again.alreadyBilled, preview.accountsToBill);
});

test('the bills a run issues are the bills an officer would issue one by one', async () => {
  // Band A, whole year, issued 10 March: ten instalments from 1 April, on the payer's day.
  const bandD2027 = 226_000;
  const bandA = Math.round((bandD2027 * 6) / 9);
  const [bill] = await db.query<{ charge_pence: number; plan_id: number; run_tariff_key: string; document_id: number }>(
    'select charge_pence, plan_id, run_tariff_key, document_id from bills where account_id = $1 and financial_year = 2027', [accounts.a1]);
  assert.equal(bill.run_tariff_key, 'ct|A|');
  assert.equal(bill.charge_pence, bandA);
  const instalments = await db.query<{ due_date: string; amount_pence: number }>('select due_date, amount_pence from instalments where plan_id = $1 order by seq', [bill.plan_id]);
  assert.equal(instalments.length, 10);
  assert.equal(instalments[0].due_date, '2027-04-01');
  const dd = await db.query<{ due_date: string }>(`select i.due_date from bills b join instalments i on i.plan_id = b.plan_id where b.account_id = $1 and b.financial_year = 2027 order by i.seq`, [accounts.d1]);
  assert.equal(dd[0].due_date, '2027-04-15');

  // The same account's bill worked out the in-year way is identical.
  const calc = await f.services.billing.previewCharge(manager(), accounts.spd, '2027/28');
  const [spdBill] = await db.query<{ charge_pence: number }>('select charge_pence from bills where account_id = $1 and financial_year = 2027', [accounts.spd]);
  assert.equal(spdBill.charge_pence, calc.totals.net);
  const entries = await db.query<{ billing_component: string; amount_pence: number }>(`select billing_component, amount_pence from ledger_entries where account_id = $1 and financial_year = 2027 order by id`, [accounts.spd]);
  assert.deepEqual(entries, [{ billing_component: 'gross', amount_pence: calc.totals.gross }, { billing_component: 'discount', amount_pence: -calc.totals.discount }]);

  // The one who leaves in September is charged to 30 September only.
  const leaving = await f.services.billing.previewCharge(manager(), accounts.leaving, '2027/28');
  assert.equal(leaving.lines[0].to, '2027-09-30');
  // The demand notice is a real document, reprintable.
  const { pdf } = await f.services.documents.renderPdf(manager(), bill.document_id);
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  // An in-year change after the run rebills from the run's bill.
  f.clock.set('2027-05-20');
  const change = await f.services.billing.awardReduction(f.users.recovery_officer.actor, accounts.a2, { code: 'single_person', fromDate: '2027-05-01' });
  assert.equal(change.bills[0].previousChargePence, bandA);
  assert.ok(change.bills[0].chargePence < bandA);
});
