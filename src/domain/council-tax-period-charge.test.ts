import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../errors.ts';
import { apportionAnnualAmount, councilTaxPeriodCharge } from './council-tax-period-charge.ts';

test('part year: annual × days ÷ days in year, then the discount on that, each rounded half up', () => {
  assert.deepEqual(
    councilTaxPeriodCharge({ annualPence: 143_533, from: '2026-06-15', to: '2027-03-31', financialYear: '2026/27', discountPercent: 25 }),
    { days: 290, daysInYear: 365, grossPence: 114_040, discountPence: 28_510, premiumPence: 0, netPence: 85_530 },
  );
  const c = councilTaxPeriodCharge({ annualPence: 287_067, from: '2026-04-01', to: '2026-10-31', financialYear: '2026/27', discountPercent: '25' });
  assert.equal(c.grossPence, 168_308);
  assert.equal(c.discountPence, 42_077);
  assert.equal(c.netPence, 126_231);
});

test('a whole year is the annual amount; a single day is 1/365th', () => {
  const whole = councilTaxPeriodCharge({ annualPence: 215_300, from: '2026-04-01', to: '2027-03-31', financialYear: '2026/27' });
  assert.equal(whole.days, 365);
  assert.equal(whole.grossPence, 215_300);
  assert.equal(whole.netPence, 215_300);
  const day = councilTaxPeriodCharge({ annualPence: 215_300, from: '2026-04-01', to: '2026-04-01', financialYear: '2026/27' });
  assert.equal(day.grossPence, 590); // 589.86
});

test('a year containing 29 February divides by 366', () => {
  const c = councilTaxPeriodCharge({ annualPence: 183_000, from: '2027-04-01', to: '2027-04-30', financialYear: '2027/28', discountPercent: 50 });
  assert.equal(c.daysInYear, 366);
  assert.equal(c.grossPence, 15_000); // 183,000 × 30 / 366
  assert.equal(c.discountPence, 7_500);
  const whole = councilTaxPeriodCharge({ annualPence: 183_001, from: '2027-04-01', to: '2028-03-31', financialYear: '2027/28' });
  assert.equal(whole.days, 366);
  assert.equal(whole.grossPence, 183_001);
});

test('decimal discounts and premiums are exact', () => {
  const c = councilTaxPeriodCharge({ annualPence: 100_000, from: '2026-04-01', to: '2027-03-31', financialYear: '2026/27', discountPercent: '12.5' });
  assert.equal(c.discountPence, 12_500);
  assert.equal(c.netPence, 87_500);
  const p = councilTaxPeriodCharge({ annualPence: 100_001, from: '2026-04-01', to: '2027-03-31', financialYear: '2026/27', premiumPercent: 100 });
  assert.equal(p.premiumPence, 100_001);
  assert.equal(p.netPence, 200_002);
  const half = councilTaxPeriodCharge({ annualPence: 1_001, from: '2026-04-01', to: '2027-03-31', financialYear: '2026/27', discountPercent: 50 });
  assert.equal(half.discountPence, 501); // 500.5 rounds up
  assert.equal(half.netPence, 500);
});

test('periods outside the year, reversed periods and impossible percentages are refused', () => {
  const base = { annualPence: 143_533, financialYear: '2026/27' };
  assert.throws(() => councilTaxPeriodCharge({ ...base, from: '2026-03-31', to: '2026-04-30' }), ValidationError);
  assert.throws(() => councilTaxPeriodCharge({ ...base, from: '2027-03-01', to: '2027-04-01' }), ValidationError);
  assert.throws(() => councilTaxPeriodCharge({ ...base, from: '2026-05-02', to: '2026-05-01' }), ValidationError);
  assert.throws(() => councilTaxPeriodCharge({ ...base, from: '2026-05-01', to: '2026-05-31', discountPercent: 101 }), ValidationError);
  assert.throws(() => councilTaxPeriodCharge({ ...base, from: '2026-05-01', to: '2026-05-31', discountPercent: -5 }), ValidationError);
  assert.throws(() => councilTaxPeriodCharge({ ...base, from: '2026-05-01', to: '2026-05-31', discountPercent: 25, premiumPercent: 100 }), ValidationError);
  assert.throws(() => councilTaxPeriodCharge({ ...base, annualPence: 1.5, from: '2026-05-01', to: '2026-05-31' }), ValidationError);
  assert.throws(() => apportionAnnualAmount(100, 366, 365), ValidationError);
});
