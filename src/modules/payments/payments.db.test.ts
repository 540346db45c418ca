// Importing payment files on a real database: matching, suspense, exceptions, allocation by policy,
// idempotency, duplicates across files, rejected files, and a crash half-way that a re-run completes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import { bureauFile, camt053File, camt054File, mt940File } from '../../../test/support/payment-files.ts';
import type { Db } from '../../db/database.ts';
import { makeAccountReference } from '../../domain/account-reference.ts';
import { ForbiddenError } from '../../errors.ts';
import type { FileSource } from './payments.service.ts';

let db: Db;
let f: FixtureCouncil;
before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
});
after(() => db.close());

const text = (name: string, content: string): FileSource => ({ name, open: () => [Buffer.from(content, 'utf8')] });
const officer = () => f.users.recovery_officer.actor;
const ledgerCount = async () => (await db.query<{ n: number }>('select count(*)::int as n from ledger_entries'))[0].n;
const yearBalance = async (accountId: number, year: number) =>
  (await db.query<{ b: number }>('select coalesce(sum(amount_pence), 0)::bigint as b from ledger_entries where account_id = $1 and financial_year = $2', [accountId, year]))[0].b;
const allocations = (receiptId: number) =>
  db.query<{ financial_year: number; target: string; amount_pence: number }>(
    'select financial_year, target, amount_pence from payment_allocations where receipt_id = $1 order by ledger_entry_id', [receiptId]);

test('a bureau file: matched by reference, the rest in suspense or exceptions, totals balance', async () => {
  const hughes = f.accounts.hughesCt.reference;
  const unknown = makeAccountReference('council_tax', 9999); // valid check digit, no such account
  const typo = hughes.slice(0, 9) + String((Number(hughes[9]) + 1) % 10);
  const file = bureauFile([
    { narrative: 'PO00001', reference: hughes, amountPence: 30000, paidOn: '2026-11-20' },
    { narrative: 'PO00002', reference: unknown, amountPence: 1500, paidOn: '2026-11-20' },
    { narrative: 'PO00003', reference: typo, amountPence: 2500, paidOn: '2026-11-20' },
    { narrative: 'PO00004', reference: '', amountPence: 700, paidOn: '2026-11-20', channelCode: 'T' },
  ]).replace(/PO00004(.*)20\/11\/2026/, 'PO00004$120/13/2026');
  const report = await f.services.payments.importFile(officer(), text('allpay-20261120.txt', file), { format: 'bureau' });
  assert.equal(report.status, 'completed');
  assert.equal(report.balanced, true);
  assert.deepEqual([report.lines, report.matched.lines, report.suspense.lines, report.exceptions.lines], [4, 1, 2, 1]);
  assert.deepEqual([report.amountPence, report.matched.amountPence, report.suspense.amountPence, report.exceptions.amountPence], [34700, 30000, 4000, 700]);
  assert.deepEqual(report.declared, { lines: 4, amountPence: 34700 });

  // £300 to the Hughes account, oldest year first, costs before charge:
  // 2025/26 costs £80, 2025/26 charge £180, then 2026/27 £40.
  const [receipt] = await db.query<{ id: number; status: string }>(`select id, status from receipts where import_id = $1 and import_line_no = 1`, [report.importId]);
  assert.deepEqual(await allocations(receipt.id), [
    { financial_year: 2025, target: 'cost', amount_pence: -8000 },
    { financial_year: 2025, target: 'charge', amount_pence: -18000 },
    { financial_year: 2026, target: 'charge', amount_pence: -4000 },
  ]);
  assert.equal(await yearBalance(f.accounts.hughesCt.id, 2025), 0);
  assert.equal(await yearBalance(f.accounts.hughesCt.id, 2026), 86133 - 4000);
  const entries = await db.query<{ kind: string; source: string; effective_date: string }>(
    `select l.kind, l.source, l.effective_date from ledger_entries l join payment_allocations pa on pa.ledger_entry_id = l.id where pa.receipt_id = $1`, [receipt.id]);
  assert.ok(entries.every((e) => e.kind === 'payment' && e.source === `import:${report.importId}` && e.effective_date === '2026-11-20'));

  // The account's timeline explains it.
  const view = await f.services.accounts.getAccountView(officer(), f.accounts.hughesCt.id);
  assert.equal(view.timeline[0].type, 'payment');
  assert.equal(view.timeline[0].summary, 'Payment of £300.00 received by Post Office on 20 November 2026: 2025/26 charge £180.00, 2025/26 cost £80.00, 2026/27 charge £40.00');

  // Suspense holds the two unmatched payments with their reasons; the bad date is an exception with its raw line.
  const lines = await f.services.payments.importLines(officer(), report.importId, {});
  assert.deepEqual(lines.lines.map((l) => [l.line_no, l.status, l.problem]), [
    [1, 'matched', null],
    [2, 'suspense', `no account with reference ${unknown}`],
    [3, 'suspense', `reference ${typo} is not a valid account reference (check digit does not match)`],
    [4, 'exception', 'date "20/13/2026" (positions 33–42) is not a real date as dd/MM/yyyy'],
  ]);
  assert.match(lines.lines[3].raw, /^PO00004/);
});

test('the same file twice posts nothing the second time', async () => {
  const file = bureauFile([{ narrative: 'PO10001', reference: f.accounts.sundry.reference, amountPence: 2500, paidOn: '2026-11-21' }]);
  const first = await f.services.payments.importFile(officer(), text('a.txt', file), { format: 'bureau' });
  const before = await ledgerCount();
  const second = await f.services.payments.importFile(officer(), text('a-again.txt', file), { format: 'bureau' });
  assert.equal(second.alreadyImported, true);
  assert.equal(second.importId, first.importId);
  assert.equal(await ledgerCount(), before);
});

test('the same bank transaction in a camt.054 and then the camt.053 statement posts once', async () => {
  const entry = { amount: '45.00', bookingDate: '2026-11-21', bankRef: 'BANK-REF-777', reference: f.accounts.sundry.reference, payerName: 'MRS M HUGHES' };
  const notified = await f.services.payments.importFile(officer(), text('ntf.xml', camt054File([entry])), { format: 'camt054' });
  assert.equal(notified.matched.lines, 1);
  const before = await ledgerCount();
  const statement = await f.services.payments.importFile(officer(), text('stmt.xml', camt053File([entry, { ...entry, bankRef: 'BANK-REF-778', amount: '5.00' }])), { format: 'camt053' });
  assert.equal(statement.balanced, true);
  assert.deepEqual([statement.lines, statement.matched.lines, statement.exceptions.lines], [2, 1, 1]);
  const lines = await f.services.payments.importLines(officer(), statement.importId, { status: 'exception' });
  assert.equal(lines.lines[0].exception_code, 'duplicate');
  assert.equal(lines.lines[0].problem, `already received in import ${notified.importId} line 1`);
  assert.equal(await ledgerCount(), before + 1);
});

test('a file with a wrong trailer is rejected whole: nothing posted, every line an exception, totals still balance', async () => {
  const before = await ledgerCount();
  const file = bureauFile([
    { reference: f.accounts.hughesCt.reference, amountPence: 1000, paidOn: '2026-11-21' },
    { reference: f.accounts.sundry.reference, amountPence: 2000, paidOn: '2026-11-21' },
  ], { totalPence: 2999 });
  const report = await f.services.payments.importFile(officer(), text('bad-trailer.txt', file), { format: 'bureau' });
  assert.equal(report.status, 'rejected');
  assert.deepEqual(report.fileProblems, ['trailer total is 2999 pence but the records add up to 3000 pence (line 3)']);
  assert.deepEqual([report.lines, report.exceptions.lines, report.exceptions.amountPence, report.balanced], [2, 2, 3000, true]);
  assert.equal(await ledgerCount(), before);
  const again = await f.services.payments.importFile(officer(), text('bad-trailer.txt', file), { format: 'bureau' });
  assert.equal(again.alreadyImported, true);
  assert.equal(again.status, 'rejected');
});

test('truncated camt XML is rejected with the reason; nothing posted', async () => {
  const before = await ledgerCount();
  const xml = camt053File([{ amount: '12.00', bookingDate: '2026-11-21', bankRef: 'T1', reference: f.accounts.sundry.reference }]);
  const report = await f.services.payments.importFile(officer(), text('cut.xml', xml.slice(0, xml.length - 60)), { format: 'camt053' });
  assert.equal(report.status, 'rejected');
  assert.match(report.fileProblems[0], /the file is truncated/);
  assert.equal(await ledgerCount(), before);
});

test('the real camt.053 sample imports with every line accounted for (EUR entries are exceptions, not lost)', async () => {
  const samples = path.resolve(import.meta.dirname, '../../../../shared/samples/camt');
  const file = path.join(samples, 'camt053.v2.multi.statement.xml');
  const report = await f.services.payments.importFile(officer(), { name: 'camt053.v2.multi.statement.xml', open: () => fs.createReadStream(file) }, { format: 'camt053' });
  assert.equal(report.status, 'completed');
  assert.deepEqual([report.lines, report.exceptions.lines, report.balanced], [2, 2, true]);
  const lines = await f.services.payments.importLines(officer(), report.importId, {});
  assert.deepEqual(lines.lines.map((l) => l.problem), [
    'amount is in EUR: Levy takes payments in pounds sterling (GBP) only',
    'amount is in EUR: Levy takes payments in pounds sterling (GBP) only',
  ]);
});

test('killed half-way: a re-run completes the import without doubling anything', async () => {
  const refs = [f.accounts.hughesCt.reference, f.accounts.sundry.reference, f.accounts.okaforCt.reference];
  const lines = Array.from({ length: 9 }, (_, i) => ({ narrative: `K${i}`, reference: refs[i % 3], amountPence: 100 * (i + 1), paidOn: '2026-11-22' }));
  const file = text('kill.txt', bureauFile(lines));
  const before = await ledgerCount();
  await assert.rejects(
    f.services.payments.importFile(officer(), file, { format: 'bureau', chunkSize: 2, workers: 1, failpoint: (chunk) => { if (chunk === 3) throw new Error('killed'); } }),
    /killed/,
  );
  // Chunks 1 and 2 committed (4 lines); chunk 3 rolled back whole.
  const [mid] = await db.query<{ status: string; posted: number; pending: number }>(
    `select i.status, count(*) filter (where l.status <> 'pending')::int as posted, count(*) filter (where l.status = 'pending')::int as pending
       from payment_imports i join payment_import_lines l on l.import_id = i.id where i.file_name = 'kill.txt' group by i.status`);
  assert.deepEqual(mid, { status: 'posting', posted: 4, pending: 5 });
  const receiptsMid = (await db.query<{ n: number }>(`select count(*)::int as n from receipts r join payment_imports i on i.id = r.import_id where i.file_name = 'kill.txt'`))[0].n;
  assert.equal(receiptsMid, 4);

  const report = await f.services.payments.importFile(officer(), file, { format: 'bureau', chunkSize: 2 }); // two workers on PostgreSQL
  assert.equal(report.status, 'completed');
  assert.equal(report.alreadyImported, true); // the same import, resumed
  assert.deepEqual([report.lines, report.matched.lines, report.matched.amountPence, report.balanced], [9, 9, 4500, true]);
  const [sum] = await db.query<{ n: number; total: number }>(
    `select count(distinct r.id)::int as n, -sum(l.amount_pence)::bigint as total
       from receipts r join payment_allocations pa on pa.receipt_id = r.id join ledger_entries l on l.id = pa.ledger_entry_id
       join payment_imports i on i.id = r.import_id where i.file_name = 'kill.txt'`);
  assert.deepEqual(sum, { n: 9, total: 4500 });
  const events = (await db.query<{ n: number }>(`select count(*)::int as n from events where by_system = $1`, [`import:${report.importId}`]))[0].n;
  assert.equal(events, 9);
  assert.ok((await ledgerCount()) >= before + 9);
});

test('authority policy: current year first, costs after the charge; more than owed is a credit', async () => {
  await db.query(`insert into payment_settings (authority_id, allocation_order, costs_first) values ($1, 'current_first', false)
                  on conflict (authority_id) do update set allocation_order = 'current_first', costs_first = false`, [f.authorities.wigan]);
  try {
    const acct = f.accounts.hughesCt;
    const owed2026 = await yearBalance(acct.id, 2026);
    const file = mt940File([{ date: '2026-11-22', amount: `${Math.floor((owed2026 + 5000) / 100)},${String((owed2026 + 5000) % 100).padStart(2, '0')}`, bankRef: 'POL1', info: `CTAX ${acct.reference}` }]);
    const report = await f.services.payments.importFile(officer(), text('policy.sta', file), { format: 'mt940' });
    assert.equal(report.matched.lines, 1);
    const [receipt] = await db.query<{ id: number }>(`select id from receipts where import_id = $1`, [report.importId]);
    // 2026/27 cleared first; 2025/26 already cleared by the first test, so the £50 left is a credit.
    assert.deepEqual(await allocations(receipt.id), [
      { financial_year: 2026, target: 'charge', amount_pence: -owed2026 },
      { financial_year: 2026, target: 'credit', amount_pence: -5000 },
    ]);
  } finally {
    await db.query(`delete from payment_settings where authority_id = $1`, [f.authorities.wigan]);
  }
});

test('a CSV remittance through a saved mapping', async () => {
  await f.services.payments.saveCsvMapping(f.users.recovery_manager.actor, {
    name: 'DWP deductions',
    mapping: { channel: 'dwp', columns: { reference: 'Council Reference', amount: 'Deduction', date: 'Payment Date', transactionId: 'Line' }, totalRowLabel: 'TOTAL' },
  });
  const csv = `Line,Council Reference,Deduction,Payment Date\n1,${f.accounts.sundry.reference},4.55,17/11/2026\nTOTAL,,4.55,\n`;
  const report = await f.services.payments.importFile(officer(), text('dwp.csv', csv), { format: 'csv', mappingName: 'DWP deductions' });
  assert.deepEqual([report.status, report.matched.lines, report.matched.amountPence], ['completed', 1, 455]);
});

test('an auditor cannot import; nobody can import into another authority', async () => {
  const file = text('x.txt', bureauFile([{ reference: f.accounts.sundry.reference, amountPence: 1, paidOn: '2026-11-21' }]));
  await assert.rejects(f.services.payments.importFile(f.users.auditor.actor, file, { format: 'bureau' }), ForbiddenError);
  await assert.rejects(f.services.payments.importFile(officer(), file, { format: 'bureau', authorityId: f.authorities.cardiff }), /not found/);
});
