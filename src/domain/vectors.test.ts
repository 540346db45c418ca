// Every statutory vector in ../shared/vectors (or LEVY_VECTORS_DIR) must pass through Levy's own
// calculators. A file added to the folder is checked without a code change; a file Levy has no
// calculator for fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compareExpected, jsonEqual, runVectorFile, vectorCalculatorFor } from './vectors.ts';

const vectorsDir = process.env.LEVY_VECTORS_DIR ?? path.resolve(process.cwd(), '../shared/vectors');

test(`the vectors folder exists and holds vector files (${vectorsDir})`, () => {
  assert.ok(fs.statSync(vectorsDir).isDirectory(), `${vectorsDir} is a folder`);
});

const jsonFiles = fs.existsSync(vectorsDir)
  ? fs.readdirSync(vectorsDir).filter((f) => f.toLowerCase().endsWith('.json')).sort()
  : [];
let filesRead = 0;

for (const file of jsonFiles) {
  test(`vector file ${file}: every case passes`, () => {
    const parsed: unknown = JSON.parse(fs.readFileSync(path.join(vectorsDir, file), 'utf8'));
    filesRead += 1;
    const result = runVectorFile(file, parsed);
    assert.equal(result.fileError, undefined, result.fileError);
    const failures = result.cases.filter((c) => !c.passed).map((c) => `${c.name}: ${c.message}`);
    assert.deepEqual(failures, []);
    assert.ok(result.passed > 0);
    assert.equal(result.passed, (parsed as { cases: unknown[] }).cases.length);
  });
}

test('every .json file in the folder was read and checked', () => {
  assert.ok(jsonFiles.length >= 6, `expected the 6 statutory files at least, found ${jsonFiles.length}`);
  assert.equal(filesRead, fs.readdirSync(vectorsDir).filter((f) => f.toLowerCase().endsWith('.json')).length);
});

// --- the runner itself must be able to fail ---

const fee = (expected: Record<string, unknown>, input: Record<string, unknown> = {}) => ({
  title: 't',
  source: 's',
  cases: [{ name: 'c', input: { sum_to_be_recovered_pence: 100_000, stage: 'compliance', on: '2026-11-22', ...input }, expected }],
});

test('a wrong expected value fails with both values in the message', () => {
  const result = runVectorFile('enforcement-agent-fees.json', fee({ fee_pence: 7_501 }));
  assert.equal(result.failed, 1);
  assert.equal(result.cases[0].message, 'expected fee_pence=7501 got fee_pence=7500');
  assert.equal(runVectorFile('enforcement-agent-fees.json', fee({ fee_pence: 7_500 })).passed, 1);
});

test('an unknown file, a wrong shape, no cases or an empty expectation all fail', () => {
  assert.match(runVectorFile('dog-licences.json', fee({ fee_pence: 7_500 })).fileError ?? '', /no Levy calculator/);
  assert.equal(runVectorFile('dog-licences.json', fee({ fee_pence: 7_500 })).failed, 1);
  assert.equal(runVectorFile('enforcement-agent-fees.json', { cases: {} }).failed, 1);
  assert.equal(runVectorFile('enforcement-agent-fees.json', []).failed, 1);
  assert.match(runVectorFile('enforcement-agent-fees.json', { cases: [] }).fileError ?? '', /no cases/);
  assert.equal(runVectorFile('enforcement-agent-fees.json', fee({})).failed, 1);
  assert.equal(runVectorFile('enforcement-agent-fees.json', { cases: [{ name: 'x', input: {} }] }).failed, 1);
});

test('a calculator error is a failed case, not a crash', () => {
  const result = runVectorFile('enforcement-agent-fees.json', fee({ fee_pence: 7_500 }, { on: '2010-01-01' }));
  assert.equal(result.failed, 1);
  assert.match(result.cases[0].message ?? '', /got error: no enforcement agent fee scale in force/);
  const missing = runVectorFile('enforcement-agent-fees.json', { cases: [{ name: 'x', input: { stage: 'sale' }, expected: { fee_pence: 1 } }] });
  assert.match(missing.cases[0].message ?? '', /missing "sum_to_be_recovered_pence"/);
});

test('decimal fields compare as strings: "43.2" is not 43.2, and "48.0" is not "48"', () => {
  assert.equal(compareExpected({ multiplier_pence: '43.2' }, { multiplier_pence: '43.2' }), undefined);
  assert.notEqual(compareExpected({ multiplier_pence: 43.2 }, { multiplier_pence: '43.2' }), undefined);
  assert.notEqual(compareExpected({ multiplier_pence: '48' }, { multiplier_pence: '48.0' }), undefined);
  assert.equal(compareExpected({ other_pence: null }, { other_pence: null }), undefined);
  assert.notEqual(compareExpected({ other_pence: null }, {}), undefined);
  assert.ok(jsonEqual([1, { a: null }], [1, { a: null }]));
  assert.ok(!jsonEqual([1, 2], [2, 1]));
});

test('every statutory file name has a calculator; business rates files for other years do too', () => {
  for (const f of [
    'attachment-of-earnings.json',
    'council-tax-instalments.json',
    'council-tax-band-amounts.json',
    'council-tax-period-charge.json',
    'business-rates-2026-27.json',
    'business-rates-2025-26.json',
    'enforcement-agent-fees.json',
  ]) {
    assert.ok(vectorCalculatorFor(f), f);
  }
  assert.equal(vectorCalculatorFor('README.md'), undefined);
  assert.equal(vectorCalculatorFor('business-rates-2026-27.json.bak'), undefined);
});

test('the adapters pass dated and optional inputs through', () => {
  const aeo = (input: Record<string, unknown>, deduction: number) =>
    runVectorFile('attachment-of-earnings.json', { cases: [{ name: 'w', input, expected: { deduction_pence: deduction } }] }).passed;
  assert.equal(aeo({ nation: 'wales', period: 'weekly', net_earnings_pence: 34_000, order_made_on: '2015-01-01' }, 4_080), 1);
  assert.equal(aeo({ nation: 'wales', period: 'weekly', net_earnings_pence: 30_000 }, 2_100), 1); // latest Welsh table
  assert.equal(aeo({ nation: 'england', period: 'weekly', net_earnings_pence: 34_000 }, 5_780), 1);
  const band = runVectorFile('council-tax-band-amounts.json', {
    cases: [{ name: 'I', input: { band_d_pence: 215_300, band: 'I', nation: 'wales' }, expected: { annual_pence: 502_367 } }],
  });
  assert.equal(band.passed, 1);
  const nndr = runVectorFile('business-rates-2025-26.json', {
    cases: [
      {
        name: 'rhl',
        input: { financial_year: '2025/26', rateable_value_pounds: 40_000, retail_hospitality_leisure: true, small_business_relief_eligible: false, charity: false },
        expected: { multiplier_pence: '49.9', gross_pence: 1_996_000, rhl_relief_pence: 798_400, net_pence: 1_197_600 },
      },
    ],
  });
  assert.equal(nndr.passed, 1, nndr.cases[0].message);
});
