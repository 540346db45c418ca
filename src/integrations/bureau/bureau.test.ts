import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBureau, formatBureauRecord } from './bureau.ts';
import { collectParse } from '../parse-collect.ts';
import { makeAccountReference } from '../../domain/account-reference.ts';
import { bureauFile } from '../../../test/support/payment-files.ts';

const REF = makeAccountReference('council_tax', 1001);

test('a record is read by position: narrative, reference, pence, channel, dd/MM/yyyy', async () => {
  const line = formatBureauRecord({ narrative: 'PO12345', reference: REF, amountPence: 12345, channelCode: 'P', paidOn: '2026-11-20' });
  assert.equal(line.length, 43);
  assert.equal(line, `PO12345${REF}      000012345P20/11/2026`);
  const r = await collectParse(parseBureau(bureauFile([{ narrative: 'PO12345', reference: REF, amountPence: 12345, paidOn: '2026-11-20' }])));
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.declared, [{ lines: 1, amountPence: 12345 }]);
  assert.deepEqual(r.good[0].fields, {
    baseKey: `bureau:2026-11-20:P:PO12345:${REF}:12345`, reference: REF, amountPence: 12345, currency: 'GBP',
    direction: 'credit', paidOn: '2026-11-20', channel: 'post_office', narrative: 'PO12345',
  });
});

test('every channel code maps to its channel; an unknown code is an exception', async () => {
  const codes = ['P', 'T', 'Z', 'B', 'N', 'A', 'Q'];
  const r = await collectParse(parseBureau(bureauFile(codes.map((c, i) => ({ reference: REF, amountPence: 100 + i, channelCode: c, paidOn: '2026-11-20' })))));
  assert.deepEqual(r.good.map((g) => g.fields.channel), ['post_office', 'paypoint', 'payzone', 'bills_online', 'ivr', 'allpay_app']);
  assert.equal(r.bad.length, 1);
  assert.match(r.bad[0].problem, /channel code "Q"/);
  assert.deepEqual(r.problems, []);
});

test('bad lines are exceptions with line number and raw text; the rest are read', async () => {
  const good = formatBureauRecord({ reference: REF, amountPence: 5000, channelCode: 'T', paidOn: '2026-11-20' });
  const badDate = formatBureauRecord({ reference: REF, amountPence: 2500, channelCode: 'T', paidOn: '2026-11-20' }).replace('20/11/2026', '31/02/2026');
  const short = good.slice(0, 30);
  const zero = formatBureauRecord({ reference: REF, amountPence: 0, channelCode: 'T', paidOn: '2026-11-20' });
  const text = [good, badDate, short, zero, 'TRAILER' + '0000000004' + String(5000 + 2500 + 0).padStart(14, '0')].join('\n');
  const r = await collectParse(parseBureau(text));
  assert.equal(r.good.length, 1);
  assert.deepEqual(r.bad.map((b) => [b.sourceLine, b.problem]), [
    [2, 'date "31/02/2026" (positions 33–42) is not a real date as dd/MM/yyyy'],
    [3, 'record is 30 characters long; a payment record is 43'],
    [4, 'amount is zero'],
  ]);
  assert.equal(r.bad[0].raw, badDate);
  // the short line's amount cannot be read, so the trailer total cannot be confirmed
  assert.match(r.problems[0], /1 record\(s\) have an unreadable amount/);
});

test('wrong trailer totals, a missing trailer and lines after the trailer are file problems', async () => {
  const lines = [{ reference: REF, amountPence: 1000, paidOn: '2026-11-20' }, { reference: REF, amountPence: 2000, paidOn: '2026-11-20' }];
  const wrongCount = await collectParse(parseBureau(bureauFile(lines, { count: 3 })));
  assert.deepEqual(wrongCount.problems, ['trailer says 3 records but the file has 2']);
  const wrongTotal = await collectParse(parseBureau(bureauFile(lines, { totalPence: 2999 })));
  assert.deepEqual(wrongTotal.problems, ['trailer total is 2999 pence but the records add up to 3000 pence']);
  const none = await collectParse(parseBureau(bureauFile(lines, null)));
  assert.deepEqual(none.problems, ['the file has no trailer record: it may be incomplete']);
  const after = await collectParse(parseBureau(bureauFile(lines) + formatBureauRecord({ reference: REF, amountPence: 1, channelCode: 'P', paidOn: '2026-11-20' })));
  assert.match(after.problems[0], /line 4 comes after the trailer on line 3/);
});

test('an optional header line and blank lines are not records; a blank reference still is one (for suspense)', async () => {
  const text = `HEADER 20/11/2026ALLPAY\n${formatBureauRecord({ reference: '', amountPence: 700, channelCode: 'Z', paidOn: '2026-11-20' })}\n\nTRAILER${'1'.padStart(10, '0')}${'700'.padStart(14, '0')}\n\n`;
  const r = await collectParse(parseBureau(text));
  assert.deepEqual(r.problems, []);
  assert.equal(r.good.length, 1);
  assert.equal(r.good[0].fields.reference, null);
  assert.equal(r.good[0].sourceLine, 2);
});
