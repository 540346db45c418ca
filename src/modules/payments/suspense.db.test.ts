// Suspense and officers' actions on money: suggestions, allocation, split, re-allocation, transfers,
// refunds with a second officer's approval, returns of unidentified money, the Bacs credit file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import { bureauFile, camt053File } from '../../../test/support/payment-files.ts';
import type { Db } from '../../db/database.ts';
import { makeAccountReference } from '../../domain/account-reference.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../../errors.ts';
import { readStandard18 } from '../../integrations/bacs/standard18.ts';
import { nearMissReferences } from './suspense.service.ts';

let db: Db;
let f: FixtureCouncil;
before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
});
after(() => db.close());

const officer = () => f.users.recovery_officer.actor;
const senior = () => f.users.senior_recovery_officer.actor;
const balance = async (accountId: number) => (await db.query<{ b: number }>('select coalesce(sum(amount_pence), 0)::bigint as b from ledger_entries where account_id = $1', [accountId]))[0].b;
const importText = (name: string, content: string, format: 'bureau' | 'camt053') =>
  f.services.payments.importFile(officer(), { name, open: () => [content] }, { format });

test('near-miss references: one changed digit or two swapped neighbours that pass the check digit', () => {
  const ref = makeAccountReference('council_tax', 1001);
  const swapped = ref.slice(0, 7) + ref[8] + ref[7] + ref[9];
  assert.ok(nearMissReferences(swapped).includes(ref));
  assert.ok(nearMissReferences(ref.slice(0, 9)).includes(ref)); // check digit left off
});

test('suspense queue with age and filter; suggestions; allocate from suspense with a reason', async () => {
  const hughes = f.accounts.hughesCt.reference;
  const swapped = hughes.slice(0, 7) + hughes[8] + hughes[7] + hughes[9];
  await importText('s1.xml', camt053File([
    { amount: '50.00', bookingDate: '2026-10-01', bankRef: 'S1', reference: swapped, payerName: 'MARGARET HUGHES', unstructured: 'COUNCIL TAX WN1 2AB' },
    { amount: '20.00', bookingDate: '2026-11-20', bankRef: 'S2', payerName: 'A N OTHER' },
  ]), 'camt053');
  const queue = await f.services.suspense.listSuspense(officer());
  assert.equal(queue.totals.n, 2);
  assert.deepEqual(queue.items.map((i) => [i.amount_pence, i.age_days]), [[5000, 52], [2000, 2]]);
  assert.equal((await f.services.suspense.listSuspense(officer(), { q: 'hughes' })).items.length, 1);
  assert.equal((await f.services.suspense.listSuspense(officer(), { minAgeDays: 30 })).items.length, 1);

  const item = queue.items[0];
  const view = await f.services.suspense.getItem(officer(), item.id);
  const top = view.suggestions[0];
  assert.equal(top.reference, hughes);
  assert.ok(top.reasons.some((r) => /one slip from/.test(r)));
  assert.ok(top.reasons.some((r) => /postcode WN1 2AB/.test(r)));
  assert.ok(top.reasons.some((r) => /customer name is like/.test(r)));

  await assert.rejects(f.services.suspense.allocateFromSuspense(f.users.auditor.actor, item.id, { accountReference: hughes, reason: 'typo' }), ForbiddenError);
  await assert.rejects(f.services.suspense.allocateFromSuspense(officer(), item.id, { accountReference: hughes, reason: '' }),
    (e: unknown) => e instanceof ValidationError && e.fields.some((x) => x.field === 'reason'));
  const before = await balance(f.accounts.hughesCt.id);
  await f.services.suspense.allocateFromSuspense(officer(), item.id, { accountReference: hughes, reason: 'reference digits swapped; name and postcode match' });
  assert.equal(await balance(f.accounts.hughesCt.id), before - 5000);
  await assert.rejects(f.services.suspense.allocateFromSuspense(officer(), item.id, { accountReference: hughes, reason: 'again' }), ConflictError);
  const timeline = (await f.services.accounts.getAccountView(officer(), f.accounts.hughesCt.id)).timeline;
  assert.match(timeline[0].summary, /^Payment of £50\.00 \(bank transfer\) allocated from suspense \(reference digits swapped; name and postcode match\) on 1 October 2026: 2025\/26 cost £50\.00$/);
  assert.equal((await f.services.suspense.listSuspense(officer())).totals.n, 1);
});

test('split one receipt over two accounts, leaving part in suspense', async () => {
  const { items } = await f.services.suspense.listSuspense(officer());
  const item = items.find((i) => i.amount_pence === 2000)!;
  await assert.rejects(f.services.suspense.splitReceipt(officer(), item.id, { reason: 'two bills', parts: [{ accountReference: f.accounts.sundry.reference, amountPence: 1000 }, { amountPence: 999 }] }),
    /add up to £19\.99 but the payment is £20\.00/);
  const sundryBefore = await balance(f.accounts.sundry.id);
  await f.services.suspense.splitReceipt(officer(), item.id, { reason: 'part for the bulky waste invoice', parts: [{ accountReference: f.accounts.sundry.reference, amountPence: 1200 }, { accountReference: '', amountPence: 800 }] });
  assert.equal(await balance(f.accounts.sundry.id), sundryBefore - 1200);
  const after = await f.services.suspense.listSuspense(officer());
  assert.deepEqual(after.items.map((i) => [i.amount_pence, i.suspense_reason]), [[800, 'part of a split payment still to identify']]);
});

test('re-allocate a payment to another account of the same customer, with reversing entries', async () => {
  const report = await importText('r1.txt', bureauFile([{ narrative: 'R1', reference: f.accounts.hughesCt.reference, amountPence: 3000, paidOn: '2026-11-21' }]), 'bureau');
  const [receipt] = await db.query<{ id: number }>('select id from receipts where import_id = $1', [report.importId]);
  const hughesBefore = await balance(f.accounts.hughesCt.id);
  const sundryBefore = await balance(f.accounts.sundry.id);
  await assert.rejects(f.services.suspense.reallocate(officer(), receipt.id, { toAccountReference: f.accounts.okaforCt.reference, reason: 'wrong account' }),
    /same customer/);
  await f.services.suspense.reallocate(officer(), receipt.id, { toAccountReference: f.accounts.sundry.reference, reason: 'customer meant the invoice' });
  assert.equal(await balance(f.accounts.hughesCt.id), hughesBefore + 3000);
  assert.equal(await balance(f.accounts.sundry.id), sundryBefore - 3000);
  const reversals = await db.query<{ n: number }>(`select count(*)::int as n from ledger_entries where reverses_entry_id is not null and account_id = $1`, [f.accounts.hughesCt.id]);
  assert.ok(reversals[0].n >= 1);
  const hughesTimeline = (await f.services.accounts.getAccountView(officer(), f.accounts.hughesCt.id)).timeline;
  assert.match(hughesTimeline[0].summary, new RegExp(`moved to account ${f.accounts.sundry.reference}: customer meant the invoice`));
});

test('refunds: checks, approval by a second senior officer above the limit, never the requester; Bacs credit file', async () => {
  // Peter Okafor is 44p in credit; give him £200 more by an overpayment.
  await importText('over.txt', bureauFile([{ narrative: 'OV1', reference: f.accounts.okaforCt.reference, amountPence: 20000, paidOn: '2026-11-21' }]), 'bureau');
  assert.equal(await balance(f.accounts.okaforCt.id), -20044);
  const bank = { payeeName: 'Peter Okafor', sortCode: '30-94-57', accountNumber: '12345678' };
  await assert.rejects(f.services.refunds.requestRefund(officer(), f.accounts.okaforCt.id, { ...bank, amountPence: 20045, reason: 'overpaid' }), /£200\.44 of credit available/);
  await assert.rejects(f.services.refunds.requestRefund(officer(), f.accounts.okaforCt.id, { ...bank, sortCode: '30-94', amountPence: 100, reason: 'overpaid' }),
    (e: unknown) => e instanceof ValidationError && e.fields.some((x) => x.field === 'sortCode'));
  // Margaret's sundry account in credit while she owes council tax: transfer, not refund.
  const credits = await f.services.refunds.creditBalances(officer());
  assert.ok(credits.some((c) => c.reference === f.accounts.okaforCt.reference && c.credit_pence === 20044));

  // Small refund within the limit: approved at once and posted.
  const small = await f.services.refunds.requestRefund(officer(), f.accounts.okaforCt.id, { ...bank, amountPence: 44, reason: 'small overpayment' });
  assert.equal(small.status, 'approved');
  assert.equal(await balance(f.accounts.okaforCt.id), -20000);

  // Above the £100 limit: waits for approval; the credit is held for it.
  const big = await f.services.refunds.requestRefund(officer(), f.accounts.okaforCt.id, { ...bank, amountPence: 20000, reason: 'overpaid in November' });
  assert.equal(big.status, 'requested');
  assert.equal(await balance(f.accounts.okaforCt.id), -20000);
  await assert.rejects(f.services.refunds.requestRefund(officer(), f.accounts.okaforCt.id, { ...bank, amountPence: 1, reason: 'again' }), /£0\.00 of credit available/);
  await assert.rejects(f.services.refunds.decide(officer(), big.refundId, { decision: 'approve' }), ForbiddenError); // no approval permission
  await assert.rejects(f.services.refunds.decide(f.users.auditor.actor, big.refundId, { decision: 'approve' }), ForbiddenError);
  await f.services.refunds.decide(senior(), big.refundId, { decision: 'approve', note: 'checked the bank statement' });
  assert.equal(await balance(f.accounts.okaforCt.id), 0);
  await assert.rejects(f.services.refunds.decide(senior(), big.refundId, { decision: 'approve' }), ConflictError);

  const file = await f.services.refunds.createCreditFile(senior(), { processingDate: '2026-11-25' });
  assert.equal(file.refunds, 2);
  assert.equal(file.totalPence, 20044);
  const [stored] = await db.query<{ content: string }>('select content from bacs_files where id = $1', [file.fileId]);
  const read = readStandard18(stored.content);
  assert.deepEqual(read.problems, []);
  assert.equal(read.processingDate, '2026-11-25');
  assert.deepEqual(read.records.filter((r) => r.transactionCode === '99').map((r) => [r.sortCode, r.accountNumber, r.amountPence, r.accountName]),
    [['309457', '12345678', 44, 'PETER OKAFOR'], ['309457', '12345678', 20000, 'PETER OKAFOR']]);
  assert.equal((await f.services.refunds.list(officer(), 'paid')).length, 2);
});

test('the requester can never approve their own refund', async () => {
  await importText('over2.txt', bureauFile([{ narrative: 'OV2', reference: f.accounts.okaforCt.reference, amountPence: 50000, paidOn: '2026-11-22' }]), 'bureau');
  const bank = { payeeName: 'Peter Okafor', sortCode: '309457', accountNumber: '12345678' };
  const req = await f.services.refunds.requestRefund(senior(), f.accounts.okaforCt.id, { ...bank, amountPence: 50000, reason: 'overpaid' });
  assert.equal(req.status, 'requested');
  await assert.rejects(f.services.refunds.decide(senior(), req.refundId, { decision: 'approve' }), /second officer/);
  await f.services.refunds.decide(f.users.recovery_manager.actor, req.refundId, { decision: 'reject', note: 'customer asked to keep it as credit' });
  assert.equal(await balance(f.accounts.okaforCt.id), -50000);
});

test('credit transfer to another account of the same customer', async () => {
  // Margaret: pay her sundry account into credit, then move the credit to her council tax.
  const sundryBal = await balance(f.accounts.sundry.id);
  await importText('sundry-over.txt', bureauFile([{ narrative: 'SO1', reference: f.accounts.sundry.reference, amountPence: sundryBal + 1500, paidOn: '2026-11-22' }]), 'bureau');
  assert.equal(await balance(f.accounts.sundry.id), -1500);
  const ctBefore = await balance(f.accounts.hughesCt.id);
  await assert.rejects(f.services.suspense.transferCredit(officer(), { fromAccountId: f.accounts.sundry.id, toAccountReference: f.accounts.hughesCt.reference, amountPence: 1501, reason: 'use credit' }), /£15\.00 of credit available/);
  await f.services.suspense.transferCredit(officer(), { fromAccountId: f.accounts.sundry.id, toAccountReference: f.accounts.hughesCt.reference, amountPence: 1500, reason: 'customer asked to use the credit on council tax' });
  assert.equal(await balance(f.accounts.sundry.id), 0);
  assert.equal(await balance(f.accounts.hughesCt.id), ctBefore - 1500);
});

test('return unidentified money from suspense to the payer', async () => {
  const { items } = await f.services.suspense.listSuspense(officer());
  const item = items[0];
  const ret = await f.services.refunds.requestReturn(officer(), item.id, { payeeName: 'A N Other', sortCode: '401234', accountNumber: '87654321', reason: 'not a council payment' });
  assert.equal(ret.status, 'approved'); // £8.00 is within the limit
  assert.equal((await f.services.suspense.listSuspense(officer())).totals.n, 0);
  await f.services.refunds.createCreditFile(senior(), { processingDate: '2026-11-26' });
  const [r] = await db.query<{ status: string }>('select status from receipts where id = $1', [item.id]);
  assert.equal(r.status, 'returned');
});
