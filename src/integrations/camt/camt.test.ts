import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseCamt } from './camt.ts';
import { collectParse } from '../parse-collect.ts';
import { makeAccountReference } from '../../domain/account-reference.ts';
import { camt053File, camt054File } from '../../../test/support/payment-files.ts';

const SAMPLES = path.resolve(import.meta.dirname, '../../../../shared/samples/camt');
const sample = (name: string) => fs.createReadStream(path.join(SAMPLES, name));
const REF = makeAccountReference('council_tax', 1001);

test('real camt.053 v2 sample: one booked credit with its bank details, balances in mixed currencies flagged', async () => {
  const r = await collectParse(parseCamt(sample('camt053.v2.minimal.xml'), 'camt053'));
  assert.deepEqual(r.problems, []);
  assert.equal(r.good.length, 1);
  const f = r.good[0].fields;
  assert.equal(f.amountPence, 885);
  assert.equal(f.currency, 'EUR');
  assert.equal(f.direction, 'credit');
  assert.equal(f.paidOn, '2014-12-31');
  assert.equal(f.payerName, 'NAME NAME');
  assert.equal(f.payerAccount, 'NL56AGDH9619008421');
  assert.equal(f.reference, '4654654654654654'); // the creditor reference as given: not a Levy reference
  assert.equal(r.good[0].sourceLine, 90);
  assert.match(r.good[0].raw, /^<Ntry><Amt Ccy="EUR">8.85<\/Amt>/);
  assert.match(r.warnings[0], /different currencies/);
});

test('real camt.053 multi-statement sample: both statements balance; credit and debit both read', async () => {
  const r = await collectParse(parseCamt(sample('camt053.v2.multi.statement.xml'), 'camt053'));
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.good.map((g) => [g.fields.direction, g.fields.amountPence, g.fields.narrative]), [
    ['credit', 885, 'Transaction Description 1'],
    ['debit', 700, 'Transaction Description 2'],
  ]);
  assert.match(r.good[0].fields.baseKey, /^bank:NL26VAYB8060476890:e2e:000000001:885:2014-12-31$/);
});

test('real camt.053 v8 sample: booking date-time, bank reference as the identity', async () => {
  const r = await collectParse(parseCamt(sample('camt053.v8.xml'), 'camt053'));
  assert.deepEqual(r.problems, []);
  assert.equal(r.good.length, 1);
  assert.equal(r.good[0].fields.paidOn, '2014-12-31');
  assert.equal(r.good[0].fields.baseKey, 'bank:NL26VAYB8060476890:ref:AAAASESS-FP-CN_98765/01:0');
  assert.equal(r.good[0].fields.payerName, 'NAME NAME');
});

test('real camt.054 sample: a batched entry without per-transaction amounts is one record, with a warning', async () => {
  const r = await collectParse(parseCamt(sample('camt054.v2.xml'), 'camt054'));
  assert.deepEqual(r.problems, []);
  assert.equal(r.good.length, 1);
  assert.equal(r.good[0].fields.amountPence, 20000000);
  assert.equal(r.good[0].fields.direction, 'debit');
  assert.match(r.good[0].fields.narrative!, /Unstructured Remittance Information V1/);
  assert.match(r.warnings[0], /batches 3 transactions/);
});

test('a camt.053 file given as camt.054 (and the reverse) is refused before anything is read', async () => {
  const r = await collectParse(parseCamt(sample('camt053.v2.minimal.xml'), 'camt054'));
  assert.equal(r.records.length, 0);
  assert.match(r.problems[0], /camt\.053 statement, not the camt\.054 notification/);
  const r2 = await collectParse(parseCamt('<html><body>not a statement</body></html>', 'camt053'));
  assert.match(r2.problems[0], /not an ISO 20022 camt/);
});

test('truncated XML is a file problem naming where it stopped', async () => {
  const text = fs.readFileSync(path.join(SAMPLES, 'camt053.v2.multi.statement.xml'), 'utf8');
  const r = await collectParse(parseCamt(text.slice(0, text.indexOf('<AddtlStmtInf>')), 'camt053'));
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0], /the file is truncated/);
});

test('hand-made GBP statement: Levy references found in structured or free text; bad dates and amounts are exceptions with their line', async () => {
  const xml = camt053File([
    { amount: '120.00', bookingDate: '2026-11-20', bankRef: 'B1', reference: REF, payerName: 'M HUGHES' },
    { amount: '35.50', bookingDate: '2026-11-20', bankRef: 'B2', unstructured: `COUNCIL TAX ${REF.slice(0, 5)} ${REF.slice(5)}` },
    { amount: '10.00', bookingDate: '2026-02-30', bankRef: 'B3', reference: REF },
    { amount: '5.00', bookingDate: '2026-11-20', bankRef: 'B4', status: 'PDNG' },
  ], { opening: 100000, closing: 100000 + 12000 + 3550 + 1000 });
  const r = await collectParse(parseCamt(xml, 'camt053'));
  assert.deepEqual(r.problems, []);
  assert.equal(r.good.length, 2);
  assert.equal(r.good[0].fields.reference, REF);
  assert.equal(r.good[1].fields.reference, REF);
  assert.equal(r.good[0].fields.payerName, 'M HUGHES');
  assert.deepEqual(r.bad.map((b) => [b.lineNo, b.problem]), [
    [3, 'booking date "2026-02-30" is not a date (YYYY-MM-DD)'],
    [4, 'entry status is PDNG, not booked (BOOK)'],
  ]);
  assert.ok(r.bad[0].sourceLine > 10 && r.bad[0].raw.includes('2026-02-30'));
});

test('wrong closing balance (the statement does not add up) is a file problem', async () => {
  const xml = camt053File([{ amount: '120.00', bookingDate: '2026-11-20', bankRef: 'B1', reference: REF }], { opening: 100000, closing: 100001 });
  const r = await collectParse(parseCamt(xml, 'camt053'));
  assert.match(r.problems[0], /opening balance 100000 \+ credits 12000 − debits 0 = 112000 pence, but the closing balance is 100001 pence/);
});

test('camt.054 notification of the same bank transaction has the same identity as the statement', async () => {
  const entry = { amount: '120.00', bookingDate: '2026-11-20', bankRef: 'B1', reference: REF };
  const a = await collectParse(parseCamt(camt053File([entry]), 'camt053'));
  const b = await collectParse(parseCamt(camt054File([entry]), 'camt054'));
  assert.equal(a.good[0].fields.baseKey, b.good[0].fields.baseKey);
});

test('streams: a large statement is read in small chunks with the same result', async () => {
  const entries = Array.from({ length: 300 }, (_, i) => ({ amount: `${i + 1}.00`, bookingDate: '2026-11-20', bankRef: `R${i}`, reference: REF }));
  const xml = camt053File(entries);
  async function* chunks() {
    for (let i = 0; i < xml.length; i += 97) yield xml.slice(i, i + 97);
  }
  const r = await collectParse(parseCamt(chunks(), 'camt053'));
  assert.deepEqual(r.problems, []);
  assert.equal(r.good.length, 300);
  assert.equal(r.good.reduce((s, g) => s + g.fields.amountPence, 0), (300 * 301 / 2) * 100);
});
