// A Direct Debit over time: mandate → AUDDIS → advance notice → collections → an ARUDD return → the
// instalment is unpaid → the recovery policy says a reminder is due. Then ADDACS, re-presentation
// and the final collection code.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import type { Db } from '../../db/database.ts';
import { makeAccountReference } from '../../domain/account-reference.ts';
import { evaluate } from '../../domain/recovery/evaluate.ts';
import { defaultTimetables } from '../../domain/recovery/default-timetables.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import { addacsXml, aruddXml } from '../../integrations/bacs/reports.ts';
import { readStandard18 } from '../../integrations/bacs/standard18.ts';

let db: Db;
let f: FixtureCouncil;
let account: { id: number; reference: string };
before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
  // A new council tax account for 2026/27: £600 in four instalments of £150 on the 15th from December.
  const [c] = await db.query<{ id: number }>(`insert into customers (authority_id, kind, forenames, surname, display_name) values ($1, 'person', 'Aisha', 'Khan', 'Aisha Khan') returning id`, [f.authorities.wigan]);
  await db.query(`insert into customer_addresses (customer_id, address_line1, town, postcode, from_date) values ($1, '7 Ince Green Lane', 'Wigan', 'WN2 2AA', '2026-11-01')`, [c.id]);
  const reference = makeAccountReference('council_tax', 1777);
  const [a] = await db.query<{ id: number }>(`insert into accounts (authority_id, reference, stream, customer_id, opened_on) values ($1, $2, 'council_tax', $3, '2026-11-01') returning id`, [f.authorities.wigan, reference, c.id]);
  account = { id: a.id, reference };
  await db.query(`insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source) values ($1, 'charge', 60000, 2026, '2026-11-01', 'fixture')`, [a.id]);
  const [plan] = await db.query<{ id: number }>(`insert into instalment_plans (account_id, financial_year, issued_on, total_pence) values ($1, 2026, '2026-11-20', 60000) returning id`, [a.id]);
  await db.query(`insert into instalments (plan_id, seq, due_date, amount_pence) values ($1, 1, '2026-12-15', 15000), ($1, 2, '2027-01-15', 15000), ($1, 3, '2027-02-15', 15000), ($1, 4, '2027-03-15', 15000)`, [plan.id]);
  await db.query(`insert into payment_settings (authority_id, bacs_service_user_number, bacs_service_user_name, bank_sort_code, bank_account_number) values ($1, '123456', 'WIGAN COUNCIL', '200000', '55779911')`, [f.authorities.wigan]);
});
after(() => db.close());

const officer = () => f.users.recovery_officer.actor;
const senior = () => f.users.senior_recovery_officer.actor;
const yearBalance = async () => (await db.query<{ b: number }>(`select coalesce(sum(amount_pence), 0)::bigint as b from ledger_entries where account_id = $1 and financial_year = 2026`, [account.id]))[0].b;

async function recoveryDecision(asOf: string) {
  const instalments = await db.query<{ seq: number; due_date: string; amount_pence: number }>(
    `select i.seq, i.due_date, i.amount_pence from instalments i join instalment_plans p on p.id = i.plan_id where p.account_id = $1 and p.superseded_at is null order by i.seq`, [account.id]);
  const movements = await db.query<{ effective_date: string; amount_pence: number; kind: string }>(`select effective_date, amount_pence, kind from ledger_entries where account_id = $1 and financial_year = 2026`, [account.id]);
  return evaluate({
    accountId: account.id, financialYear: 2026, stream: 'council_tax', timetable: defaultTimetables('england').find((t) => t.stream === 'council_tax')!,
    instalments: instalments.map((i) => ({ seq: i.seq, dueOn: i.due_date, amountPence: i.amount_pence })),
    movements: movements.map((m) => ({ on: m.effective_date, amountPence: m.amount_pence, isCost: m.kind === 'cost' })),
    steps: [], holds: [],
  }, asOf);
}

test('bank details and collection day are checked', async () => {
  await assert.rejects(f.services.directDebit.createMandate(officer(), account.id, { payerName: 'Aisha Khan', sortCode: '20-00', accountNumber: '12345678', collectionDay: 15 }),
    (e: unknown) => e instanceof ValidationError && e.fields.some((x) => x.field === 'sortCode'));
  await assert.rejects(f.services.directDebit.createMandate(officer(), account.id, { payerName: 'Aisha Khan', sortCode: '20-00-00', accountNumber: '12345678', collectionDay: 9 }),
    (e: unknown) => e instanceof ValidationError && e.fields.some((x) => x.field === 'collectionDay'));
});

test('mandate → AUDDIS → advance notice → collection → ARUDD return → unpaid instalment → reminder due', async () => {
  f.clock.set('2026-11-23');
  const { mandateId } = await f.services.directDebit.createMandate(officer(), account.id, { payerName: 'Aisha Khan', sortCode: '20-00-00', accountNumber: '1234567', collectionDay: 15 });
  await assert.rejects(f.services.directDebit.createMandate(officer(), account.id, { payerName: 'Aisha Khan', sortCode: '200000', accountNumber: '12345678', collectionDay: 15 }), ConflictError);

  const auddis = await f.services.directDebit.lodgeInstructions(senior(), { processingDate: '2026-11-24' });
  assert.deepEqual([auddis.lodged, auddis.cancelled], [1, 0]);
  const auddisFile = await f.services.directDebit.bacsFile(senior(), auddis.fileId);
  const lodged = readStandard18(auddisFile.content);
  assert.deepEqual(lodged.problems, []);
  assert.deepEqual(lodged.records.map((r) => [r.sortCode, r.accountNumber, r.transactionCode, r.amountPence, r.reference]), [['200000', '01234567', '0N', 0, account.reference]]);

  f.clock.set('2026-11-24');
  assert.deepEqual(await f.services.directDebit.sendAdvanceNotices(senior(), {}), { notices: 1 });
  assert.deepEqual(await f.services.directDebit.sendAdvanceNotices(senior(), {}), { notices: 0 });
  const [letter] = await db.query<{ kind: string }>(`select kind from documents where account_id = $1`, [account.id]);
  assert.equal(letter.kind, 'dd_advance_notice');

  f.clock.set('2026-12-11');
  const run = await f.services.directDebit.runCollections(senior(), { collectionDate: '2026-12-15' });
  assert.deepEqual([run.collections, run.totalPence], [1, 15000]);
  const again = await f.services.directDebit.runCollections(senior(), { collectionDate: '2026-12-15' });
  assert.equal(again.collections, 0); // the same date twice collects nothing twice
  const file = readStandard18((await f.services.directDebit.bacsFile(senior(), run.fileId!)).content);
  assert.deepEqual(file.problems, []);
  assert.equal(file.processingDate, '2026-12-11');
  assert.deepEqual(file.records.map((r) => [r.transactionCode, r.amountPence, r.reference]), [['01', 15000, account.reference], ['99', 15000, 'CONTRA']]);
  assert.equal(await yearBalance(), 45000);
  assert.equal((await recoveryDecision('2026-12-22')).actions.length, 0); // paid: nothing to do

  // Three days later the payer's bank returns it.
  f.clock.set('2026-12-17');
  const arudd = aruddXml({ serviceUserNumber: '123456', processingDate: '2026-12-17', items: [
    { reference: account.reference, amountPence: 15000, returnCode: '0', originalProcessingDate: '2026-12-11', payerName: 'AISHA KHAN', sortCode: '200000', accountNumber: '01234567' },
    { reference: makeAccountReference('council_tax', 4242), amountPence: 999, returnCode: '0', originalProcessingDate: '2026-12-11', payerName: 'SOMEONE', sortCode: '200000', accountNumber: '11111111' },
  ] });
  const report = await f.services.directDebit.importArudd(senior(), { name: 'arudd-20261217.xml', open: () => [arudd] });
  assert.equal(report.status, 'completed');
  assert.deepEqual([report.lines, report.matched.lines, report.exceptions.lines, report.balanced], [2, 1, 1, true]);
  const twice = await f.services.directDebit.importArudd(senior(), { name: 'arudd-20261217.xml', open: () => [arudd] });
  assert.equal(twice.alreadyImported, true);
  assert.equal(await yearBalance(), 60000);
  const view = await f.services.accounts.getAccountView(officer(), account.id);
  assert.ok(view.timeline.some((e) => e.summary.startsWith('Direct Debit returned: Refer to payer')));
  const letters = await db.query<{ kind: string }>(`select kind from documents where account_id = $1 order by id`, [account.id]);
  assert.deepEqual(letters.map((l) => l.kind), ['dd_advance_notice', 'dd_returned']);

  // The instalment of 15 December is now unpaid: 7 days on, the recovery policy issues a reminder.
  const decision = await recoveryDecision('2026-12-22');
  assert.equal(decision.arrearsPence, 15000);
  assert.equal(decision.actions[0]?.stage, 'reminder_1');

  // Re-presented in January with the next instalment refused to double up: code 18 for the returned one.
  f.clock.set('2027-01-11');
  const second = await f.services.directDebit.runCollections(senior(), { collectionDate: '2027-01-15', represent: true });
  const codes = readStandard18((await f.services.directDebit.bacsFile(senior(), second.fileId!)).content).records.map((r) => r.transactionCode);
  assert.deepEqual(codes, ['17', '99']);
  const third = await f.services.directDebit.runCollections(senior(), { collectionDate: '2027-01-18', represent: true });
  assert.deepEqual(readStandard18((await f.services.directDebit.bacsFile(senior(), third.fileId!)).content).records.map((r) => [r.transactionCode, r.amountPence]), [['18', 15000], ['99', 15000]]);
  assert.equal(await yearBalance(), 30000);
  void mandateId;
});

test('ADDACS: the payer cancels; the cancellation is lodged (0C); the final instalment would be code 19', async () => {
  const addacs = addacsXml({ serviceUserNumber: '123456', items: [{ reference: account.reference, reasonCode: '1', effectiveDate: '2027-01-20', payerName: 'AISHA KHAN', sortCode: '200000', accountNumber: '01234567' }] });
  const report = await f.services.directDebit.importAddacs(senior(), { name: 'addacs.xml', open: () => [addacs] });
  assert.deepEqual([report.matched.lines, report.balanced], [1, true]);
  const [m] = await db.query<{ status: string }>('select status from dd_mandates where account_id = $1', [account.id]);
  assert.equal(m.status, 'cancelled');
  const [a] = await db.query<{ payment_method: string }>('select payment_method from accounts where id = $1', [account.id]);
  assert.equal(a.payment_method, 'cash');
  f.clock.set('2027-02-11');
  const run = await f.services.directDebit.runCollections(senior(), { collectionDate: '2027-02-15' });
  assert.equal(run.collections, 0);
});
