import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../errors.ts';
import { bandAnnualAmount, bandRatio, type CouncilTaxBand } from './council-tax-bands.ts';
import { NoRuleInForceError, type Nation } from './law/rules.ts';

const amount = (band: CouncilTaxBand, bandDPence = 215_300, nation: Nation = 'england', financialYear = '2026/27') =>
  bandAnnualAmount({ bandDPence, band, nation, financialYear }).annualPence;

test('England bands are Band D × 6/9 … 18/9, rounded half up to the penny (LGFA 1992 s.5)', () => {
  const expected: Record<string, number> = { A: 143_533, B: 167_456, C: 191_378, D: 215_300, E: 263_144, F: 310_989, G: 358_833, H: 430_600 };
  for (const [band, pence] of Object.entries(expected)) assert.equal(amount(band as CouncilTaxBand), pence, band);
  assert.deepEqual(bandRatio('E', 'england', '2026-04-01'), { numerator: 11, denominator: 9 });
});

test('amounts round to the nearest penny (a ninth can never be exactly half a penny)', () => {
  assert.equal(amount('A', 1), 1); // 0.67p
  assert.equal(amount('A', 2), 1); // 1.33p
  assert.equal(amount('E', 7), 9); // 8.56p
  assert.equal(amount('B', 9), 7); // exact
  assert.equal(amount('C', 9_000_003), 8_000_003); // 8,000,002.67
  assert.equal(amount('G', 100_001), 166_668); // 166,668.33
});

test('Wales has band I at 21/9 from 2005; England has no band I', () => {
  assert.equal(amount('I', 215_300, 'wales'), 502_367); // 502,366.67
  assert.equal(amount('H', 215_300, 'wales'), 430_600);
  assert.throws(() => amount('I', 215_300, 'england'), ValidationError);
  assert.throws(() => amount('A', 215_300, 'wales', '2004/05'), NoRuleInForceError);
});

test('bad input is refused', () => {
  assert.throws(() => amount('J' as CouncilTaxBand), ValidationError);
  assert.throws(() => amount('A', -1), ValidationError);
  assert.throws(() => amount('A', 215_300, 'england', '2026-27'), ValidationError);
});
