import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCtBandChanges, parseNndrListEntries, parseVoaDate } from './voa-files.ts';

// A list entry as the VOA writes it: 28 fields separated by '*'.
export const LIST_ENTRY = [
  '1', '4250', '0', '42500000123', 'CS', 'Shop and premises', '10012345678', '', 'PENNINGTON NEWS', '12', 'MARKET STREET', 'WIGAN', '', '',
  'WN1 1HX', '01-OCT-2026', '', '13500', '', '42500000123/01', '15-NOV-2026', '249G', '', '', '', '1234567', '01-OCT-2026', '',
].join('*');

test('a list entry is read field by field', () => {
  const { records, problems, lines } = parseNndrListEntries(`${LIST_ENTRY}\n`);
  assert.deepEqual(problems, []);
  assert.equal(lines, 1);
  const [r] = records;
  assert.equal(r.baCode, '4250');
  assert.equal(r.baReference, '42500000123');
  assert.equal(r.description, 'Shop and premises');
  assert.equal(r.uarn, '10012345678');
  assert.equal(r.firmName, 'PENNINGTON NEWS');
  assert.deepEqual(r.address, { numberOrName: '12', street: 'MARKET STREET', town: 'WIGAN', postalDistrict: '', county: '', postcode: 'WN1 1HX' });
  assert.equal(r.effectiveDate, '2026-10-01');
  assert.equal(r.rateableValuePounds, 13_500);
  assert.equal(r.listAlterationDate, '2026-11-15');
  assert.equal(r.scatCode, '249G');
  assert.equal(r.caseNumber, '1234567');
  assert.equal(r.currentFrom, '2026-10-01');
  assert.equal(r.currentTo, null);
});

test('malformed lines are reported with their line numbers and not read', () => {
  const text = [
    LIST_ENTRY,
    '',
    LIST_ENTRY.replace('*13500*', '*13,5OO*'),
    LIST_ENTRY.replace('01-OCT-2026*', '31-SEP-2026*'),
    '2*4250*0*4250X',
    LIST_ENTRY.replace('*4250*', '*425*'),
    LIST_ENTRY.replace('WN1 1HX', 'NOT A POSTCODE'),
  ].join('\r\n');
  const { records, problems, lines } = parseNndrListEntries(text);
  assert.equal(lines, 6, 'blank lines are not records');
  assert.equal(records.length, 1);
  assert.deepEqual(problems.map((p) => p.line), [3, 4, 5, 6, 7]);
  assert.match(problems[0].message, /rateable value "13,5OO"/);
  assert.match(problems[1].message, /effective date "31-SEP-2026"/);
  assert.match(problems[2].message, /has 4 fields/);
});

test('council tax band changes', () => {
  const { records, problems } = parseCtBandChanges('4250*100023456789*27 Orchard Way, Wigan*wn50lp*d*01-APR-2026*ALTERED*CTS/2026/117\n4250*100023456789*x*WN5 0LP*J*01-APR-2026*ALTERED*x');
  assert.equal(records[0].band, 'D');
  assert.equal(records[0].postcode, 'WN5 0LP');
  assert.equal(records[0].effectiveDate, '2026-04-01');
  assert.deepEqual(problems, [{ line: 2, message: 'band "J" is not a council tax band A to I' }]);
});

test('VOA dates', () => {
  assert.equal(parseVoaDate('01-APR-2023'), '2023-04-01');
  assert.equal(parseVoaDate('1-apr-2023'), '2023-04-01');
  assert.equal(parseVoaDate('2023-04-01'), '2023-04-01');
  assert.equal(parseVoaDate('01/04/2023'), '2023-04-01');
  assert.equal(parseVoaDate('29-FEB-2023'), null);
  assert.equal(parseVoaDate(''), null);
});
