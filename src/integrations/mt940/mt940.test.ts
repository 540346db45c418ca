import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMt940 } from './mt940.ts';
import { collectParse } from '../parse-collect.ts';
import { makeAccountReference } from '../../domain/account-reference.ts';
import { mt940File } from '../../../test/support/payment-files.ts';

const REF = makeAccountReference('council_tax', 1001);

test('statement lines with :86: information; references found; balances reconcile', async () => {
  const text = mt940File([
    { date: '2026-11-20', amount: '120,00', bankRef: 'BR1', info: `CTAX ${REF} M HUGHES` },
    { date: '2026-11-20', amount: '35,5', customerRef: REF, bankRef: 'BR2' },
    { date: '2026-11-20', amount: '10,00', credit: false, bankRef: 'BR3', info: 'BANK CHARGES' },
  ], { wrap: true });
  const r = await collectParse(parseMt940(text));
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.good.map((g) => [g.fields.direction, g.fields.amountPence, g.fields.reference, g.fields.currency]), [
    ['credit', 12000, REF, 'GBP'],
    ['credit', 3550, REF, 'GBP'],
    ['debit', 1000, null, 'GBP'],
  ]);
  assert.equal(r.good[0].fields.baseKey, 'mt940:20201555555555:BR1');
  assert.equal(r.good[0].fields.paidOn, '2026-11-20');
  assert.match(r.good[0].raw, /^:61:261120.*\n:86:CTAX/);
  assert.equal(r.good[0].sourceLine, 6);
});

test('wrong closing balance, missing closing balance and an unclosed SWIFT block are file problems', async () => {
  const wrong = await collectParse(parseMt940(mt940File([{ date: '2026-11-20', amount: '1,00', bankRef: 'X' }], { closing: '999,99' })));
  assert.match(wrong.problems[0], /opening balance 100000 \+ credits 100 − debits 0 = 100100 pence, but the closing balance is 99999 pence/);
  const full = mt940File([{ date: '2026-11-20', amount: '1,00', bankRef: 'X' }], { wrap: true });
  const cut = await collectParse(parseMt940(full.slice(0, full.indexOf(':62F:'))));
  assert.ok(cut.problems.some((p) => /no readable closing balance/.test(p)));
  assert.ok(cut.problems.some((p) => /never closes/.test(p)));
});

test('an unreadable :61: and a bad date are exceptions with their line', async () => {
  const text = mt940File([{ date: '2026-11-20', amount: '5,00', bankRef: 'A', info: REF }])
    .replace(':61:2611201120C5,00NTRFNONREF//A', ':61:2611311131C5,00NTRFNONREF//A')
    .replace(':62F:', ':61:garbage\r\n:62F:');
  const r = await collectParse(parseMt940(text));
  assert.deepEqual(r.bad.map((b) => [b.sourceLine, b.problem]), [
    [5, ':61: value date "261131" is not a real date (YYMMDD)'],
    [7, ':61: statement line "garbage" is not YYMMDD[MMDD] C/D amount type reference'],
  ]);
});
