// Every report figure checked to the penny (and each collection rate to two decimals) against the
// hand-made Burnley council in test/support/reports-fixture.ts, whose comments show the sums.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildReportsFixture, BURNLEY, type ReportsFixture } from '../../../test/support/reports-fixture.ts';
import type { Db } from '../../db/database.ts';
import { parseCsv } from '../../integrations/open-data.ts';
import type { ReportTable, Row } from './report-model.ts';

let db: Db;
let f: ReportsFixture;
before(async () => {
  db = await openTestDb();
  f = await buildReportsFixture(db);
});
after(() => db.close());

const manager = () => f.burnleyUsers.manager.actor;
const table = (result: { tables: ReportTable[] }, key: string) => {
  const t = result.tables.find((x) => x.key === key);
  assert.ok(t, `table ${key}`);
  return t;
};
const row = (t: ReportTable, match: Row) => {
  const found = t.rows.find((r) => Object.entries(match).every(([k, v]) => r[k] === v));
  assert.ok(found, `${t.key}: no row ${JSON.stringify(match)}`);
  return found;
};

test('collection rate 2026/27 by month: council tax and business rates against last year, prepayments in', async () => {
  const r = await f.services.reports.run(manager(), 'collection-rate', { year: '2026/27' });
  const monthly = table(r, 'monthly');
  // April 2026 at 30 April: debit 8,160.00 − 715.00 = 7,445.00; receipts 94.50 + 150.00 + 120.00 +
  // Frank's 960.00 paid on 20 March (a prepayment) + Grace's 840.00 = 2,164.50 → 29.07%.
  assert.deepEqual(
    [row(monthly, { stream: 'Council Tax', month: 'April 2026' })].map((m) => [m.asAt, m.debitPence, m.receiptsPence, m.ratePercent, m.lastYearAsAt, m.lastYearDebitPence, m.lastYearReceiptsPence, m.lastYearRatePercent]),
    [['2026-04-30', 744500, 216450, 29.07, '2025-04-30', 670000, 176000, 26.27]],
  );
  // October: 7 × 94.50 + 600.00 + 7 × 120.00 + 400.00 + 960.00 + 840.00 = 4,301.50 → 57.78% (57.777…).
  const october = row(monthly, { stream: 'Council Tax', month: 'October 2026' });
  assert.equal(october.receiptsPence, 430150);
  assert.equal(october.ratePercent, 57.78);
  assert.equal(october.lastYearRatePercent, 82.09);
  // November is in progress: measured to today, and last year to the same day (22 November 2025).
  const november = row(monthly, { stream: 'Council Tax', month: 'November 2026' });
  assert.deepEqual([november.asAt, november.receiptsPence, november.ratePercent, november.lastYearAsAt, november.lastYearReceiptsPence, november.lastYearRatePercent, november.againstLastYearPoints],
    ['2026-11-22', 451600, 60.66, '2025-11-22', 574000, 85.67, -25.01]);
  const december = row(monthly, { stream: 'Council Tax', month: 'December 2026' });
  assert.deepEqual([december.asAt, december.ratePercent, december.lastYearRatePercent], [null, null, 89.25]);
  // The closing month of last year nets Grace's refund of 30 March 2026 but not Harry's of 15 April.
  assert.equal(row(monthly, { stream: 'Council Tax', month: 'March 2027' }).lastYearReceiptsPence, 617000);

  const nndr = row(monthly, { stream: 'Business Rates', month: 'November 2026' });
  assert.deepEqual([nndr.debitPence, nndr.receiptsPence, nndr.ratePercent, nndr.lastYearRatePercent], [726000, 432800, 59.61, 80]);

  const year = table(r, 'year');
  assert.deepEqual(row(year, { stream: 'Council Tax' }), {
    stream: 'Council Tax', asAt: '2026-11-22', chargesPence: 816000, reductionsPence: 71500, debitPence: 744500,
    prepaidPence: 96000, inYearReceiptsPence: 355600, receiptsPence: 451600, refundsPence: 0, ratePercent: 60.66, targetPercent: null,
    // Ivy's 200.00 less Harry's refund of 20.00, and Mo's 60.00 by attachment; Ivy's 80.00 to costs is not a receipt
    arrearsReceiptsPence: 24000,
    nextYearPrepaidPence: 5000, costsReceivedPence: 8000,
  });
  assert.equal(row(year, { stream: 'Business Rates' }).ratePercent, 59.61);
  assert.deepEqual(r.headline.map((h) => h.value), ['60.66%', '59.61%']);
});

test('collection rate 2025/26 at the year end: refunds before 31 March net off, later ones do not restate it', async () => {
  const r = await f.services.reports.run(manager(), 'collection-rate', { year: '2025/26' });
  const year = table(r, 'year');
  // Debit 7,000.00 − 300.00 = 6,700.00. Receipts: 900.00 + 1,500.00 + 950.00 + 900.00 + (850.00 − 50.00
  // refunded 30 March) + 620.00 (refund of 15 April is after the year end) + 500.00 = 6,170.00 → 92.09%.
  const ct = row(year, { stream: 'Council Tax' });
  assert.deepEqual([ct.asAt, ct.debitPence, ct.receiptsPence, ct.refundsPence, ct.ratePercent], ['2026-03-31', 670000, 617000, 5000, 92.09]);
  // Frank's 960.00 for 2026/27, paid on 20 March 2026, is next year's prepayment, not this year's receipt.
  assert.equal(ct.nextYearPrepaidPence, 96000);
  assert.equal(row(year, { stream: 'Business Rates' }).ratePercent, 91.43);
  const monthly = table(r, 'monthly');
  assert.equal(row(monthly, { stream: 'Council Tax', month: 'March 2026' }).ratePercent, 92.09);
  assert.equal(row(monthly, { stream: 'Council Tax', month: 'March 2026' }).asAt, '2026-03-31');
});

test('targets: a manager sets them, the report compares, blanks clear, bad values and officers are refused', async () => {
  const months = ['10', '19.5', '28.8', '38', '47.2', '56.4', '65.5', '74.6', '83.7', '92.8', '95.5', '96.2'];
  await f.services.reports.saveTargets(manager(), { authority: BURNLEY, stream: 'council_tax', year: '2026/27', months });
  const r = await f.services.reports.run(manager(), 'collection-rate', { year: '2026/27', stream: 'council_tax' });
  const monthly = table(r, 'monthly');
  assert.deepEqual([row(monthly, { month: 'April 2026' }).targetPercent, row(monthly, { month: 'April 2026' }).againstTargetPoints], [10, 19.07]);
  assert.deepEqual([row(monthly, { month: 'November 2026' }).targetPercent, row(monthly, { month: 'November 2026' }).againstTargetPoints], [74.6, -13.94]);
  assert.equal(row(table(r, 'year'), { stream: 'Council Tax' }).targetPercent, 96.2);
  assert.equal(monthly.rows.length, 12, 'one stream asked for');

  const cleared = [...months];
  cleared[11] = '';
  await f.services.reports.saveTargets(manager(), { authority: BURNLEY, stream: 'council_tax', year: '2026/27', months: cleared });
  const t = await f.services.reports.targets(manager(), { stream: 'council_tax', year: '2026/27' });
  assert.deepEqual(t.months.map((m) => m.percent), ['10.00', '19.50', '28.80', '38.00', '47.20', '56.40', '65.50', '74.60', '83.70', '92.80', '95.50', null]);
  const [audit] = await db.query<{ action: string; entity_id: string }>(`select action, entity_id from audit_log where action = 'update.collection_targets' order by id desc limit 1`);
  assert.deepEqual(audit, { action: 'update.collection_targets', entity_id: `${BURNLEY}/council_tax/2026/27` });

  await assert.rejects(f.services.reports.saveTargets(manager(), { authority: BURNLEY, stream: 'council_tax', year: '2026/27', months: [...months.slice(0, 11), '100.5'] }),
    (e: { fields: { field: string }[] }) => e.fields.some((x) => x.field === 'months.11'));
  await assert.rejects(f.services.reports.saveTargets(manager(), { authority: BURNLEY, stream: 'council_tax', year: '2026/27', months: ['12.345', ...months.slice(1)] }), /Check the targets/);
  await assert.rejects(f.services.reports.saveTargets(f.burnleyUsers.officer.actor, { stream: 'council_tax', months }), /permission/);
  await assert.rejects(f.services.reports.saveTargets(f.users.recovery_manager.actor, { authority: BURNLEY, stream: 'council_tax', months }), /do not work on/);
});

test('arrears by year and stream, aged debt, stages, and the year’s movement reconciling', async () => {
  const r = await f.services.reports.run(manager(), 'arrears', { year: '2026/27' });
  assert.deepEqual(table(r, 'owed-by-year').rows, [
    { year: '2026/27', owed_business_rates: 293200, owed_council_tax: 292900, owed_sundry: 12500, totalPence: 598600 },
    // Dave and Eve 50.00 + 80.00 costs, Ivy 220.00; Kay 3,000.00 − 2,400.00 − 50.00 written off
    { year: '2025/26', owed_business_rates: 55000, owed_council_tax: 35000, owed_sundry: 0, totalPence: 90000 },
    { year: '2024/25', owed_business_rates: 0, owed_council_tax: 44000, owed_sundry: 0, totalPence: 44000 }, // Mo: 500.00 − 3 × 20.00
  ]);
  assert.deepEqual(row(table(r, 'by-year'), { stream: 'Council Tax', year: '2027/28' }), {
    stream: 'Council Tax', year: '2027/28', status: 'Billed in advance', owingAccounts: 0, owedPence: 0, creditAccounts: 1, creditPence: 5000, netPence: -5000,
  });
  assert.deepEqual(row(table(r, 'by-year'), { stream: 'Council Tax', year: '2025/26' }).owingAccounts, 2);
  const aged = table(r, 'aged');
  assert.deepEqual([row(aged, { age: 'Current year' }).totalPence, row(aged, { age: 'Current year' }).accounts], [598600, 8]);
  assert.deepEqual([row(aged, { age: '1 year old' }).totalPence, row(aged, { age: '1 year old' }).accounts], [90000, 3]);
  assert.deepEqual([row(aged, { age: '2 years old' }).totalPence, row(aged, { age: '2 years old' }).accounts], [44000, 1]);
  assert.ok(!aged.rows.some((x) => x.age === 'Later years (billed in advance)'), 'no debt billed in advance: a credit is not debt');
  assert.deepEqual(table(r, 'stages').rows, [
    { stream: 'Business Rates', stage: 'Liability order', cases: 1, held: 1, owing: 1, owedPence: 55000 },
    { stream: 'Council Tax', stage: 'On instalments', cases: 1, held: 0, owing: 1, owedPence: 18900 },
    { stream: 'Council Tax', stage: 'First reminder', cases: 1, held: 0, owing: 1, owedPence: 90000 },
    { stream: 'Council Tax', stage: 'Summons', cases: 2, held: 0, owing: 2, owedPence: 35000 },
  ]);
  // Council tax of 2025/26 and before: 1,190.00 brought forward (Eve 130.00, Harry −20.00 credit, Ivy
  // 580.00, Mo 500.00); Ivy paid 200.00 and 80.00 of costs, Mo 60.00, Harry was refunded 20.00, 100.00
  // written off less 20.00 written back on: 1,190 − 340 + 20 − 80 = 790.00, the arrears owed today.
  assert.deepEqual(table(r, 'movement').rows, [
    { stream: 'Business Rates', broughtForwardPence: 60000, debitPence: 0, costsPence: 0, collectedPence: 0, refundedPence: 0, writtenOffPence: 5000, carriedForwardPence: 55000 },
    { stream: 'Council Tax', broughtForwardPence: 119000, debitPence: 0, costsPence: 0, collectedPence: 34000, refundedPence: 2000, writtenOffPence: 8000, carriedForwardPence: 79000 },
  ]);
  assert.deepEqual(r.headline.map((h) => h.value), ['£1,340.00', '£320.00']);

  const ct = await f.services.reports.run(manager(), 'arrears', { stream: 'council_tax', from: '2026-09-01', to: '2026-09-30' });
  // September only: brought forward at 31 August is 1,190 − 200 − 80 − 40 + 20 = 890.00; Mo's 20.00 of
  // 1 September and the write-off of 1 September.
  assert.deepEqual(table(ct, 'movement').rows, [
    { stream: 'Council Tax', broughtForwardPence: 89000, debitPence: 0, costsPence: 0, collectedPence: 2000, refundedPence: 0, writtenOffPence: 10000, carriedForwardPence: 77000 },
  ]);
});

test('members’ accounts: councillors with council tax unpaid for two months at the meeting date', async () => {
  const r = await f.services.reports.run(manager(), 'members-accounts', { meetingDate: '2026-11-22' });
  // Bob: 1,500.00 − 600.00 paid = 900.00 owed; October to January (600.00) fall due after the cut-off
  // of 22 September, so 300.00 (August and September) has been unpaid for two months or more.
  // Dave is jointly liable with Eve, who has no instalment plan: 2025/26's 50.00 (costs are not council
  // tax) and 2026/27's 600.00 were due in full when charged.
  assert.deepEqual(table(r, 'section-106').rows.map((x) => [x.councillor, x.year, x.unpaidPence, x.taxBalancePence, x.balancePence]), [
    ['Bob Birtwistle', '2026/27', 30000, 90000, 90000],
    ['Dave Duckworth', '2025/26', 5000, 5000, 13000],
    ['Dave Duckworth', '2026/27', 60000, 60000, 60000],
  ]);
  assert.deepEqual(table(r, 'councillors').rows.map((x) => [x.councillor, x.status, x.unpaidPence, x.owedPence]), [
    ['Bob Birtwistle', 'Unpaid for two months or more', 30000, 90000],
    ['Carol Clegg', 'Owes, but less than two months overdue', 0, 24000],
    ['Dave Duckworth', 'Unpaid for two months or more', 65000, 65000],
    ['Zoe Zed', 'Nothing owed', 0, 0],
  ]);
  assert.deepEqual(r.headline.map((h) => h.value), ['4', '2', '£950.00']);

  // The boundary: Bob's instalment of 1 August is unpaid. At a meeting on 30 September it has been
  // unpaid for less than two months (cut-off 30 July); on 1 October exactly two (cut-off 1 August).
  const bobUnpaid = async (meetingDate: string) => {
    const m = await f.services.reports.run(manager(), 'members-accounts', { meetingDate });
    return table(m, 'section-106').rows.find((x) => x.councillor === 'Bob Birtwistle')?.unpaidPence ?? 0;
  };
  assert.equal(await bobUnpaid('2026-09-30'), 0);
  assert.equal(await bobUnpaid('2026-10-01'), 15000);
  assert.equal(await bobUnpaid('2026-10-31'), 15000);
  assert.equal(await bobUnpaid('2026-11-01'), 30000);
  // Before the meeting date's payments: on 15 June Bob had paid April to June, nothing overdue.
  assert.equal(await bobUnpaid('2026-06-15'), 0);

  const [audit] = await db.query<{ action: string; user_id: number; detail: { meetingDate: string } }>(
    `select action, user_id, detail from audit_log where action = 'view.report.members' order by id desc limit 1`);
  assert.equal(audit.user_id, f.burnleyUsers.manager.id);
  assert.equal(audit.detail.meetingDate, '2026-06-15');
});

test('recovery pipeline: stages, weekly flows, notices by run and court outcomes', async () => {
  const r = await f.services.reports.run(manager(), 'recovery-pipeline', { year: '2026/27' });
  assert.deepEqual(table(r, 'flows').rows.map((w) => [w.week, w.final_notice, w.summons, w.reminder_1, w.liability_order, w.amountPence, w.costsPence]), [
    ['6 July 2026', 1, 0, 0, 0, 60000, 0],
    ['3 August 2026', 0, 1, 0, 0, 60000, 10000],
    ['7 September 2026', 0, 0, 1, 0, 30000, 0],
    ['5 October 2026', 0, 1, 0, 1, 60000, 5000],
  ]);
  assert.deepEqual(table(r, 'runs').rows.map((x) => [x.asOf, x.stage, x.notices, x.amountPence]), [
    ['2026-10-05', 'Summons', 1, 5000], ['2026-09-08', 'First reminder', 1, 30000], ['2026-08-03', 'Summons', 1, 60000], ['2026-07-06', 'Final notice', 1, 60000],
  ]);
  assert.deepEqual(table(r, 'court').rows.map((h) => [h.hearing, h.granted, h.adjourned, h.awaiting, h.grantedPence]), [
    ['1 September 2026', 0, 1, 0, 0], ['6 October 2026', 1, 0, 0, 65000], ['3 November 2026', 0, 0, 1, 0],
  ]);
  assert.deepEqual(r.headline.map((h) => h.value), ['5', '1', '£650.00']);
  const ctOnly = await f.services.reports.run(manager(), 'recovery-pipeline', { stream: 'council_tax' });
  assert.deepEqual(table(ctOnly, 'flows').rows.map((w) => w.week), ['7 September 2026', '5 October 2026']);
  await assert.rejects(f.services.reports.run(manager(), 'recovery-pipeline', { stream: 'sundry' }), /council tax and business rates only/);
});

test('suspense by age, refunds and write-offs by reason', async () => {
  const suspense = await f.services.reports.run(manager(), 'suspense', {});
  assert.deepEqual(table(suspense, 'ages').rows.map((x) => [x.age, x.items, x.amountPence]), [
    ['Up to 7 days', 1, 1500], ['8 to 30 days', 0, 0], ['31 to 90 days', 1, 2500], ['91 days to a year', 0, 0], ['Over a year', 1, 999],
  ]);
  assert.deepEqual(table(suspense, 'ages').totals, { age: 'Total', items: 3, amountPence: 4999, oldest: '2025-10-01' });

  const refunds = await f.services.reports.run(manager(), 'refunds', {});
  assert.deepEqual(table(refunds, 'by-month').rows.map((x) => [x.month, x.requested, x.approved, x.paid, x.rejected, x.refunds]), [
    ['April 2026', 0, 2000, 0, 0, 1], ['October 2026', 0, 0, 0, 999, 1], ['November 2026', 3000, 0, 0, 0, 1],
  ]);
  assert.deepEqual(refunds.headline.map((h) => h.value), ['£20.00', '1 (£30.00)']);
  const lastYear = await f.services.reports.run(manager(), 'refunds', { year: '2025/26' });
  assert.deepEqual(table(lastYear, 'by-month').rows.map((x) => [x.month, x.paid]), [['March 2026', 5000]]);

  const writeOffs = await f.services.reports.run(manager(), 'write-offs', {});
  // Liam's write-on reverses his write-off, so it counts under its reason (untraceable), not its own.
  assert.deepEqual(table(writeOffs, 'reasons').rows.map((x) => [x.stream, x.reason, x.writtenOffPence, x.writtenOnPence, x.netPence]), [
    ['Council Tax', 'Uneconomic to pursue', 10000, 2000, 8000], ['Business Rates', 'Insolvent', 5000, 0, 5000], ['Sundry debt', 'Untraceable', 500, 500, 0],
  ]);
  assert.equal(table(writeOffs, 'reasons').totals?.netPence, 13000);
});

test('arrangements kept and broken, attachments of earnings, enforcement agents by firm', async () => {
  const r = await f.services.reports.run(manager(), 'arrangements-and-enforcement', {});
  assert.deepEqual(table(r, 'arrangements').rows.map((x) => [x.status, x.arrangements, x.totalPence, x.agreed, x.ended]), [
    ['Being paid', 1, 30000, 1, null], ['Kept (paid in full)', 1, 20000, 1, 1], ['Broken', 2, 70000, 1, 1], ['Cancelled', 0, 0, 0, 0],
  ]);
  assert.deepEqual(table(r, 'attachments').rows.map((x) => [x.measure, x.orders, x.amountPence]), [
    ['Orders in force now', 1, 50000], ['Orders made in the period', 1, 50000], ['Orders cleared in the period', 1, null],
    ['Orders ended otherwise in the period', 0, null], ['Remittances from employers in the period', 3, 6000],
  ]);
  assert.deepEqual(table(r, 'agents').rows.map((x) => [x.firm, x.referred, x.referredPence, x.open, x.partPaid, x.unpaid, x.collectedPence, x.collectedPercent, x.feesPence]), [
    ['Northern Enforcement', 1, 55000, 1, 0, 0, 0, 0, 0], ['Pennine Agents', 1, 22000, 0, 1, 1, 5000, 22.73, 7500],
  ]);
  assert.deepEqual(r.headline.map((h) => h.value), ['50.00%', '£60.00', '£50.00']);
  const lastYear = await f.services.reports.run(manager(), 'arrangements-and-enforcement', { year: '2025/26' });
  assert.deepEqual(table(lastYear, 'arrangements').rows.map((x) => [x.status, x.agreed, x.ended]), [['Being paid', 0, null], ['Kept (paid in full)', 0, 0], ['Broken', 1, 1], ['Cancelled', 0, 0]]);
  assert.equal(lastYear.headline[0].value, '0.00%');
});

test('workload: the team for managers, their own line for officers; queues', async () => {
  const team = await f.services.reports.run(manager(), 'workload', {});
  assert.deepEqual(table(team, 'officers').rows.map((o) => [o.officer, o.notes, o.contacts, o.other, o.actions, o.customers, o.accounts]), [
    ['Burnley manager', 1, 0, 0, 1, 1, 1],
    // Alice (10 May), Bob (11 June: a note and a call, once), Bob again (12 June), Kay (2 August).
    ['Burnley officer', 3, 1, 1, 5, 4, 4],
  ]);
  assert.deepEqual(table(team, 'queues').rows.map((q) => [q.queue, q.items, q.ageDays]), [
    ['Payments in suspense', 3, 417], ['Refunds waiting for approval', 1, 21], ['Recovery runs waiting for approval', 1, 2],
    ['Holds due for review', 1, 21], ['Court cases heard, outcome not recorded', 1, 19],
  ]);
  const own = await f.services.reports.run(f.burnleyUsers.officer.actor, 'workload', {});
  assert.deepEqual(table(own, 'officers').rows.map((o) => o.officer), ['Burnley officer']);
  const march = await f.services.reports.run(manager(), 'workload', { from: '2026-03-01', to: '2026-03-01' });
  assert.deepEqual(table(march, 'officers').rows.map((o) => [o.officer, o.notes]), [['Burnley officer', 1]]);
});

test('who may see what: permissions, authorities and bad filters', async () => {
  await assert.rejects(f.services.reports.run(f.burnleyUsers.officer.actor, 'collection-rate', {}), /permission/);
  await assert.rejects(f.services.reports.run(f.users.system_administrator.actor, 'arrears', {}), /permission/);
  await assert.rejects(f.services.reports.run(f.users.recovery_manager.actor, 'arrears', { authority: BURNLEY }), /do not work on a billing authority with ONS code E07000117/);
  // Wigan's manager sees Wigan's figures only: none of Burnley's 7,445.00.
  const wigan = await f.services.reports.run(f.users.recovery_manager.actor, 'collection-rate', { stream: 'council_tax' });
  assert.equal(row(table(wigan, 'year'), { stream: 'Council Tax' }).debitPence, 143533 + 167456);
  const fieldsOf = async (input: Record<string, string>) => {
    try {
      await f.services.reports.run(manager(), 'arrears', input);
    } catch (error) {
      return (error as { fields: { field: string; message: string }[] }).fields.map((x) => `${x.field}: ${x.message}`);
    }
    return [];
  };
  assert.deepEqual(await fieldsOf({ year: '2026-27' }), ['year: Enter the financial year like 2026/27']);
  assert.deepEqual(await fieldsOf({ from: '2026-10-01', to: '2026-09-01' }), ['from: The start date must be on or before the end date']);
  assert.deepEqual(await fieldsOf({ from: '2026-02-30' }), ['from: Enter the start date as a real date, YYYY-MM-DD']);
  assert.deepEqual(await fieldsOf({ stream: 'dog_licences' }), [`stream: Stream must be one of council_tax, business_rates, hb_overpayment, sundry, adult_social_care, housing_rent, garage_rent, former_tenant_arrears`]);
  await assert.rejects(f.services.reports.run(manager(), 'nonsense', {}), /no report called "nonsense"/);
  assert.deepEqual(f.services.reports.catalogue(f.burnleyUsers.officer.actor).map((r) => r.name), ['workload']);
  assert.equal(f.services.reports.catalogue(f.burnleyUsers.auditor.actor).length, 9);
});

test('CSV and XLSX files parse back to the same figures', async () => {
  const csv = await f.services.reports.file(manager(), 'collection-rate', { year: '2026/27' }, 'csv');
  assert.equal(csv.contentType, 'text/csv; charset=utf-8');
  assert.equal(csv.fileName, `levy-collection-rate-${BURNLEY}-2026-11-22.csv`);
  const text = csv.body.toString('utf8');
  assert.ok(text.startsWith('\uFEFF'), 'byte-order mark for Excel');
  const rows = parseCsv(text);
  assert.deepEqual(rows[0], ['Stream', 'Month', 'Measured at', 'Net collectable debit (£)', 'Receipts for the year (£)', 'Collection rate (%)', 'Same point 2025/26 (%)', 'Target (%)', 'Against target (points)', 'Against last year (points)']);
  const nov = rows.find((x) => x[0] === 'Council Tax' && x[1] === 'November 2026')!;
  assert.deepEqual(nov.slice(2, 7), ['2026-11-22', '7445.00', '4516.00', '60.66', '85.67']);
  const dec = rows.find((x) => x[0] === 'Council Tax' && x[1] === 'December 2026')!;
  assert.deepEqual(dec.slice(2, 6), ['', '', '', '']);

  const members = await f.services.reports.file(manager(), 'members-accounts', { meetingDate: '2026-11-22' }, 'csv', 'councillors');
  const memberRows = parseCsv(members.body.toString('utf8'));
  assert.deepEqual(memberRows[2], ['Carol Clegg', '1000070035', 'Owes, but less than two months overdue', '0.00', '240.00']);
  await assert.rejects(f.services.reports.file(manager(), 'members-accounts', {}, 'csv', 'nope'), /has no table "nope"/);

  const xlsx = await f.services.reports.file(manager(), 'arrears', { year: '2026/27' }, 'xlsx');
  assert.equal(xlsx.fileName, `levy-arrears-${BURNLEY}-2026-11-22.xlsx`);
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(xlsx.body as unknown as ArrayBuffer);
  assert.deepEqual(book.worksheets.map((s) => s.name), ['About', 'Owed by financial year and', 'Accounts owing and in credit by', 'Aged debt', 'Arrears at each recovery stage', 'Arrears of years before 2026-27']);
  const owed = book.worksheets[1];
  assert.deepEqual((owed.getRow(1).values as unknown[]).slice(1), ['Financial year', 'Business Rates (£)', 'Council Tax (£)', 'Sundry debt (£)', 'Total (£)']);
  assert.deepEqual((owed.getRow(3).values as unknown[]).slice(1), ['2025/26', 550, 350, 0, 900]);
  assert.equal(owed.getRow(3).getCell(2).numFmt, '£#,##0.00;-£#,##0.00');
  const about = book.getWorksheet('About')!;
  assert.equal(about.getCell('A1').value, 'Arrears and aged debt');
  assert.ok((about.getColumn(1).values as unknown[]).includes('Billing authority'));

  const rate = await f.services.reports.file(manager(), 'collection-rate', {}, 'xlsx');
  const rateBook = new ExcelJS.Workbook();
  await rateBook.xlsx.load(rate.body as unknown as ArrayBuffer);
  const monthly = rateBook.worksheets[1];
  const novRow = monthly.getRows(2, 24)!.find((r) => r.getCell(1).value === 'Council Tax' && r.getCell(2).value === 'November 2026')!;
  assert.deepEqual([novRow.getCell(3).value, novRow.getCell(4).value, novRow.getCell(5).value, novRow.getCell(6).value],
    [new Date('2026-11-22T00:00:00Z'), 7445, 4516, 60.66]);
});

test('the aggregates reconcile with the ledger, stay current as money is posted, and rebuild to the same', async () => {
  assert.deepEqual(await f.services.reports.reconcile(), []);
  // A payment through the payments module from suspense, a refund and an officer's write-off after the reports were read.
  const [s1] = await db.query<{ id: number }>(`select id from receipts where transaction_key = 'fixture-s1'`);
  await f.services.suspense.allocateFromSuspense(f.burnleyUsers.officer.actor, s1.id, { accountReference: f.burnleyAccounts.H.reference, reason: 'Customer phoned with the reference' });
  await db.query(`insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source, reason) values ($1, 'write_off', -1234, 2026, '2026-11-22', 'test', 'Deceased, no estate')`, [f.burnleyAccounts.L.id]);
  await db.query(`insert into recovery_steps (authority_id, account_id, financial_year, stage, issued_on, amount_pence, costs_pence, reason)
                  values ($1, $2, 2026, 'reminder_1', '2026-11-22', 18900, 0, 'test')`, [f.burnley.id, f.burnleyAccounts.A.id]);
  await f.services.casework.addNote(f.burnleyUsers.officer.actor, { accountId: f.burnleyAccounts.H.id }, { text: 'Asked for the reference' });
  await f.services.casework.logContact(f.burnleyUsers.officer.actor, { accountId: f.burnleyAccounts.H.id }, { direction: 'inbound', channel: 'phone', outcome: 'promise_to_pay' });
  assert.ok((await f.services.reports.pendingDeltas()) > 0, 'the triggers recorded the postings');
  assert.deepEqual(await f.services.reports.reconcile(), []);
  assert.equal(await f.services.reports.pendingDeltas(), 0);
  const before = await f.services.reports.run(manager(), 'arrears', {});
  // Ivy's 15.00 pays the oldest debt first: 2025/26 (220.00 → 205.00).
  assert.equal(row(table(before, 'owed-by-year'), { year: '2025/26' }).owed_council_tax, 33500);
  const today = await f.services.reports.run(manager(), 'workload', { from: '2026-11-22', to: '2026-11-22' });
  // The allocation from suspense, the note and the call, all on Ivy's account: one customer, once.
  assert.deepEqual(table(today, 'officers').rows.map((o) => [o.officer, o.notes, o.contacts, o.other, o.customers, o.accounts]), [['Burnley officer', 1, 1, 1, 1, 1]]);
  const pipeline = await f.services.reports.run(manager(), 'recovery-pipeline', { from: '2026-11-16', to: '2026-11-22' });
  assert.deepEqual(table(pipeline, 'flows').rows.map((w) => [w.week, w.reminder_1, w.amountPence]), [['16 November 2026', 1, 18900]]);
  await f.services.reports.rebuild();
  assert.deepEqual(await f.services.reports.reconcile(), []);
  const after = await f.services.reports.run(manager(), 'arrears', {});
  assert.deepEqual(after.tables, before.tables);
  // A difference is found when there is one (the check is not vacuous).
  await db.query(`update report_account_years set balance_pence = balance_pence + 1 where account_id = $1 and financial_year = 2026`, [f.burnleyAccounts.L.id]);
  const differences = await f.services.reports.reconcile();
  assert.deepEqual(differences.map((d) => [d.what, d.ledger_pence, d.aggregate_pence]), [['account-year', 11266, 11267]]);
  await f.services.reports.rebuild();
});
