import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMappedCsv, csvRows, type CsvMapping } from './csv-mapping.ts';
import { collectParse } from '../parse-collect.ts';
import { makeAccountReference } from '../../domain/account-reference.ts';

const REF = makeAccountReference('council_tax', 1001);
const REF2 = makeAccountReference('council_tax', 1002);

const DWP: CsvMapping = {
  channel: 'dwp', delimiter: ',', hasHeader: true, dateFormat: 'dd/MM/yyyy', amountFormat: 'pounds',
  columns: { reference: 'Council Reference', amount: 'Deduction', date: 'Payment Date', payerName: 'Claimant', transactionId: 'Schedule Line' },
  totalRowLabel: 'TOTAL',
};

test('quoted fields, embedded commas, quotes and line breaks', async () => {
  const rows = [];
  for await (const r of csvRows('a,"b, c","say ""hi""","two\nlines"\r\nx,y,z,w\n', ',')) rows.push(r);
  assert.deepEqual(rows.map((r) => [r.line, r.fields]), [[1, ['a', 'b, c', 'say "hi"', 'two\nlines']], [3, ['x', 'y', 'z', 'w']]]);
});

test('a DWP deduction schedule read through its mapping, with its total row checked', async () => {
  const text = `Schedule Line,Claimant,"Council Reference",Deduction,Payment Date\n1,"HUGHES, MARGARET",${REF},4.55,17/11/2026\n2,OKAFOR P,${REF2},"1,004.55",17/11/2026\nTOTAL,,,"1,009.10",\n`;
  const r = await collectParse(parseMappedCsv(text, DWP, 'DWP'));
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.declared, [{ lines: 2, amountPence: 100910 }]);
  assert.deepEqual(r.good.map((g) => [g.fields.baseKey, g.fields.reference, g.fields.amountPence, g.fields.payerName, g.fields.channel]), [
    ['csv:dwp:1', REF, 455, 'HUGHES, MARGARET', 'dwp'],
    ['csv:dwp:2', REF2, 100455, 'OKAFOR P', 'dwp'],
  ]);
});

test('wrong total, missing total row, missing column and bad rows', async () => {
  const header = 'Schedule Line,Claimant,Council Reference,Deduction,Payment Date';
  const wrong = await collectParse(parseMappedCsv(`${header}\n1,A,${REF},4.55,17/11/2026\nTOTAL,,,4.56,\n`, DWP));
  assert.deepEqual(wrong.problems, ['total row says 456 pence but the rows add up to 455 pence']);
  const missing = await collectParse(parseMappedCsv(`${header}\n1,A,${REF},4.55,17/11/2026\n`, DWP));
  assert.deepEqual(missing.problems, ['the file has no "TOTAL" row: it may be incomplete']);
  const noColumn = await collectParse(parseMappedCsv(`Line,Name,Ref,Amount,Date\n1,A,${REF},4.55,17/11/2026\n`, DWP, 'DWP'));
  assert.match(noColumn.problems[0], /column "Council Reference" \(reference\) named in mapping DWP is not in the header/);
  assert.equal(noColumn.records.length, 0);
  const bad = await collectParse(parseMappedCsv(`${header}\n1,A,${REF},four pounds,17/11/2026\n2,B,${REF},4.55,2026-11-17\n3,C\nTOTAL,,,4.55,\n`, DWP));
  assert.deepEqual(bad.bad.map((b) => [b.sourceLine, b.problem]), [
    [2, 'amount "four pounds" is not an amount in pounds (for example 12.50)'],
    [3, 'date "2026-11-17" is not a real date as dd/MM/yyyy'],
    [4, 'row has 2 fields; the mapping needs at least 5'],
  ]);
  assert.match(bad.problems[0], /2 row\(s\) could not be read/);
});

test('no header: columns by number, amounts in pence, ISO dates', async () => {
  const mapping: CsvMapping = { channel: 'employer', delimiter: ';', hasHeader: false, dateFormat: 'yyyy-MM-dd', amountFormat: 'pence', columns: { reference: '2', amount: '3', date: '1' } };
  const r = await collectParse(parseMappedCsv(`2026-11-18;${REF};12500\n`, mapping));
  assert.deepEqual(r.good[0].fields.amountPence, 12500);
  assert.equal(r.good[0].fields.paidOn, '2026-11-18');
});
