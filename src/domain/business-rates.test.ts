import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../errors.ts';
import {
  annualBusinessRates,
  businessRatesRule,
  emptyPropertyChargedFrom,
  emptyPropertyDay,
  smallBusinessReliefEThousandths,
  type BusinessRatesInput,
} from './business-rates.ts';
import { NoRuleInForceError } from './law/rules.ts';

const rates = (rateableValuePounds: number, extra: Partial<BusinessRatesInput> = {}) =>
  annualBusinessRates({
    financialYear: '2026/27',
    rateableValuePounds,
    retailHospitalityLeisure: false,
    smallBusinessReliefEligible: false,
    charity: false,
    ...extra,
  });

test('2026/27 multipliers by rateable value and use', () => {
  const m = (rv: number, rhl: boolean) => rates(rv, { retailHospitalityLeisure: rhl }).multiplierPence;
  assert.equal(m(40_000, false), '43.2');
  assert.equal(m(50_999, false), '43.2');
  assert.equal(m(51_000, false), '48.0');
  assert.equal(m(499_999, false), '48.0');
  assert.equal(m(500_000, false), '50.8');
  assert.equal(m(40_000, true), '38.2');
  assert.equal(m(50_999, true), '38.2');
  assert.equal(m(51_000, true), '43.0');
  assert.equal(m(499_999, true), '43.0');
  assert.equal(m(600_000, true), '50.8');
});

test('gross is RV × multiplier in exact integer arithmetic, rounded once', () => {
  assert.equal(rates(40_000).grossPence, 1_728_000);
  assert.equal(rates(12_341).grossPence, 533_131); // 533,131.2p
  assert.equal(rates(600_000, { retailHospitalityLeisure: true }).grossPence, 30_480_000);
  const y2025 = (rv: number) => rates(rv, { financialYear: '2025/26' }).grossPence;
  assert.equal(y2025(10_005), 499_250); // 10,005 × 49.9 = 499,249.5 → half up
  assert.equal(y2025(100_000), 5_550_000); // 55.5p standard
  assert.equal(rates(0).grossPence, 0);
});

test('small business rate relief: 100% to £12,000, tapering to nothing at £15,000', () => {
  const sbrr = (rv: number) => rates(rv, { smallBusinessReliefEligible: true }).mandatoryRelief;
  assert.deepEqual(sbrr(10_000), { kind: 'small_business', percent: '100', pence: 432_000 });
  assert.deepEqual(sbrr(12_000), { kind: 'small_business', percent: '100', pence: 518_400 });
  assert.deepEqual(sbrr(12_600), { kind: 'small_business', percent: '80', pence: 435_456 });
  assert.deepEqual(sbrr(13_500), { kind: 'small_business', percent: '50', pence: 291_600 });
  // Part of a £30 step counts pro rata: RV £13,000 → E = 3 → a third payable.
  assert.deepEqual(sbrr(13_000), { kind: 'small_business', percent: '66.67', pence: 374_400 });
  assert.equal(rates(13_000, { smallBusinessReliefEligible: true }).netPence, 187_200);
  assert.deepEqual(sbrr(12_001), { kind: 'small_business', percent: '99.97', pence: 518_270 }); // net 172.81 → 173
  assert.deepEqual(sbrr(15_000), { kind: 'none', percent: '0', pence: 0 });
  assert.deepEqual(sbrr(40_000), { kind: 'none', percent: '0', pence: 0 });
  // Not eligible (e.g. several properties): no relief however small.
  assert.equal(rates(10_000).mandatoryRelief.pence, 0);
});

test('SBRR E is calculated to three decimal places the way the Order says', () => {
  const rule = businessRatesRule('england', '2026/27');
  const e = (rv: number) => smallBusinessReliefEThousandths(rule, rv);
  assert.equal(e(13_500), 2_000n);
  assert.equal(e(12_600), 5_000n);
  assert.equal(e(12_007), 428_571n); // 428.5714…: ten-thousandths 4 → dropped
  assert.equal(e(12_011), 272_727n); // 272.7272…: ten-thousandths 2 → dropped
  assert.equal(e(12_019), 157_895n); // 157.8947…: ten-thousandths 7 → a thousandth added
  assert.equal(e(12_017), 176_470n); // 176.4705…: five ten-thousandths (not "more than five") → dropped
  assert.equal(e(14_999), 1_000n); // 1.00033… → 1.000: no relief left
  assert.equal(e(12_000), 5_000_000_000n);
  assert.equal(e(15_000), null);
  assert.equal(rates(14_999, { smallBusinessReliefEligible: true }).mandatoryRelief.pence, 0);
});

test('charity relief is 80% and takes the place of SBRR (s.43(4B)(b))', () => {
  assert.deepEqual(rates(20_000, { charity: true }).mandatoryRelief, { kind: 'charity', percent: '80', pence: 691_200 });
  assert.equal(rates(20_000, { charity: true }).netPence, 172_800);
  const smallCharity = rates(10_000, { charity: true, smallBusinessReliefEligible: true });
  assert.equal(smallCharity.mandatoryRelief.kind, 'charity');
  assert.equal(smallCharity.netPence, 86_400);
  // One fifth of the exact amount, rounded once: 12,341 × 43.2 = 533,131.2 → ÷ 5 = 106,626.24 → 106,626.
  const odd = rates(12_341, { charity: true });
  assert.equal(odd.netPence, 106_626);
  assert.equal(odd.grossPence - odd.mandatoryRelief.pence, odd.netPence);
});

test('2025/26 retail, hospitality and leisure relief: 40% after mandatory relief, capped at £110,000', () => {
  const y = (rv: number, extra: Partial<BusinessRatesInput> = {}) =>
    rates(rv, { financialYear: '2025/26', retailHospitalityLeisure: true, ...extra });
  assert.equal(y(40_000).multiplierPence, '49.9');
  assert.deepEqual(y(40_000).retailHospitalityLeisureRelief, { percent: '40', pence: 798_400 });
  assert.equal(y(40_000).netPence, 1_197_600);
  assert.equal(y(1_000_000).retailHospitalityLeisureRelief.pence, 11_000_000); // 40% would be £222,000
  assert.equal(y(1_000_000, { retailHospitalityLeisureCapRemainingPence: 500_000 }).retailHospitalityLeisureRelief.pence, 500_000);
  const charityShop = y(20_000, { charity: true });
  assert.equal(charityShop.retailHospitalityLeisureRelief.pence, 79_840); // 40% of the 20% left: 199,600 × 40%
  assert.equal(charityShop.netPence, 119_760);
  // No RHL relief in 2026/27: the lower RHL multipliers replace it.
  assert.equal(rates(40_000, { retailHospitalityLeisure: true }).retailHospitalityLeisureRelief.pence, 0);
});

test('years and nations without data, and bad input, are refused', () => {
  assert.throws(() => rates(10_000, { financialYear: '2027/28' }), NoRuleInForceError);
  assert.throws(() => rates(10_000, { financialYear: '2024/25' }), NoRuleInForceError);
  assert.throws(() => rates(10_000, { nation: 'wales' }), NoRuleInForceError);
  assert.throws(() => rates(10_000.5), ValidationError);
  assert.throws(() => rates(-1), ValidationError);
  assert.throws(() => rates(10_000, { charity: 'yes' as unknown as boolean }), ValidationError);
});

test('empty property figures are law data for both years (SI 2008/386 reg 4–5; SI 2024/323)', () => {
  for (const year of ['2025/26', '2026/27']) {
    const rule = businessRatesRule('england', year).emptyProperty;
    assert.deepEqual(
      [rule.freeMonths, rule.industrialFreeMonths, rule.exemptBelowRvPounds, rule.reoccupationResetWeeks],
      [3, 6, 2_900, 13],
    );
    assert.match(rule.source, /SI 2008\/386/);
  }
});

test('empty property: 3 months free, 6 for industrial, then the full charge', () => {
  const rule = businessRatesRule('england', '2026/27').emptyProperty;
  const day = (kind: 'standard' | 'industrial', d: string, rv = 20_000) =>
    emptyPropertyDay(rule, { kind, emptySince: '2026-05-01', rateableValuePounds: rv, day: d });
  // Empty since 1 May: free to 31 July (3 months), charged from 1 August.
  assert.equal(emptyPropertyChargedFrom(rule, 'standard', '2026-05-01'), '2026-08-01');
  assert.equal(day('standard', '2026-07-31').free, true);
  assert.deepEqual(day('standard', '2026-08-01'), { free: false, reason: 'empty more than 3 months' });
  // Qualifying industrial: free to 31 October, charged from 1 November.
  assert.equal(emptyPropertyChargedFrom(rule, 'industrial', '2026-05-01'), '2026-11-01');
  assert.equal(day('industrial', '2026-10-31').free, true);
  assert.equal(day('industrial', '2026-11-01').free, false);
  // The free period runs from when it became empty, even before this owner (the award's start).
  assert.equal(emptyPropertyChargedFrom(rule, 'standard', '2025-12-31'), '2026-03-31');
});

test('empty property: under £2,900 RV, listed, charity next use and other classes are free while empty', () => {
  const rule = businessRatesRule('england', '2026/27').emptyProperty;
  const later = '2027-03-31';
  const day = (kind: 'standard' | 'listed' | 'charity' | 'other_exempt', rv: number) =>
    emptyPropertyDay(rule, { kind, emptySince: '2020-01-01', rateableValuePounds: rv, day: later });
  assert.deepEqual(day('standard', 2_899), { free: true, reason: 'rateable value under £2,900' });
  assert.equal(day('standard', 2_900).free, false);
  assert.deepEqual(day('listed', 50_000), { free: true, reason: 'listed building' });
  assert.equal(day('charity', 50_000).free, true);
  assert.equal(day('other_exempt', 50_000).free, true);
  assert.equal(emptyPropertyChargedFrom(rule, 'listed', '2020-01-01'), null);
});
