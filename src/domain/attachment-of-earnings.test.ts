import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../errors.ts';
import { attachmentOfEarningsDeduction, type PayPeriod } from './attachment-of-earnings.ts';
import { NoRuleInForceError, type Nation } from './law/rules.ts';

const deduct = (nation: Nation, period: PayPeriod, netEarningsPence: number, orderMadeOn = '2026-06-01') =>
  attachmentOfEarningsDeduction({ nation, period, netEarningsPence, orderMadeOn }).deductionPence;

test('England weekly: the rate of the band applies to the whole net earnings (SI 2006/3395)', () => {
  assert.equal(deduct('england', 'weekly', 0), 0);
  assert.equal(deduct('england', 'weekly', 7_500), 0);
  assert.equal(deduct('england', 'weekly', 7_501), 225); // 3% of £75.01 = 225.03p
  assert.equal(deduct('england', 'weekly', 13_500), 405);
  assert.equal(deduct('england', 'weekly', 13_501), 675); // 5%
  assert.equal(deduct('england', 'weekly', 18_500), 925);
  assert.equal(deduct('england', 'weekly', 18_501), 1_295); // 7% = 1295.07
  assert.equal(deduct('england', 'weekly', 22_500), 1_575);
  assert.equal(deduct('england', 'weekly', 22_501), 2_700); // 12% = 2700.12
});

test('England weekly 12%/17% boundary is £335, not the Welsh £355', () => {
  assert.equal(deduct('england', 'weekly', 33_500), 4_020); // 12%
  assert.equal(deduct('england', 'weekly', 33_501), 5_695); // 17% = 5695.17
  assert.equal(deduct('england', 'weekly', 34_000), 5_780); // 17% (Wales 2007 table: 12%)
  assert.equal(deduct('england', 'weekly', 35_500), 6_035);
});

test('England above the top limit: 17% of the limit plus 50% of the rest', () => {
  assert.equal(deduct('england', 'weekly', 50_500), 8_585);
  assert.equal(deduct('england', 'weekly', 50_501), 8_586); // 8585 + 0.5 → half up
  assert.equal(deduct('england', 'weekly', 60_000), 13_335);
  assert.equal(deduct('england', 'monthly', 250_000), 58_340);
  assert.equal(deduct('england', 'daily', 10_000), 2_624);
});

test('England monthly and daily tables', () => {
  assert.equal(deduct('england', 'monthly', 30_000), 0);
  assert.equal(deduct('england', 'monthly', 55_000), 1_650); // 3%
  assert.equal(deduct('england', 'monthly', 55_001), 2_750); // 5%
  assert.equal(deduct('england', 'monthly', 142_000), 17_040); // 12%
  assert.equal(deduct('england', 'monthly', 142_001), 24_140); // 17% = 24140.17
  assert.equal(deduct('england', 'monthly', 202_000), 34_340);
  assert.equal(deduct('england', 'daily', 1_100), 0);
  assert.equal(deduct('england', 'daily', 1_101), 33); // 3% = 33.03
  assert.equal(deduct('england', 'daily', 3_300), 231); // 7%
  assert.equal(deduct('england', 'daily', 5_200), 624); // 12%
  assert.equal(deduct('england', 'daily', 5_201), 884); // 17% = 884.17
  assert.equal(deduct('england', 'daily', 7_200), 1_224);
});

test('percentages of odd pence round half up', () => {
  assert.equal(deduct('england', 'weekly', 7_550), 227); // 3% = 226.5
  assert.equal(deduct('england', 'weekly', 7_549), 226); // 226.47
});

test('Wales orders made 2007–2022 use £355 as the weekly 12%/17% boundary (WSI 2007/582)', () => {
  assert.equal(deduct('wales', 'weekly', 34_000, '2015-05-01'), 4_080); // 12%
  assert.equal(deduct('wales', 'weekly', 35_500, '2015-05-01'), 4_260); // 12%
  assert.equal(deduct('wales', 'weekly', 35_501, '2015-05-01'), 6_035); // 17% = 6035.17
  assert.equal(deduct('wales', 'monthly', 100_000, '2015-05-01'), 12_000);
  assert.equal(deduct('wales', 'daily', 4_000, '2015-05-01'), 480);
});

test('Wales orders made from 1 April 2022 use the uprated table (WSI 2022/107)', () => {
  assert.equal(deduct('wales', 'weekly', 10_500, '2022-04-01'), 0);
  assert.equal(deduct('wales', 'weekly', 30_000, '2022-04-01'), 2_100); // 7% (England: 12%)
  assert.equal(deduct('wales', 'weekly', 50_500, '2022-04-01'), 6_060); // 12%
  assert.equal(deduct('wales', 'weekly', 80_000, '2022-04-01'), 16_405); // 17% × 715 + 50% × 85
  assert.equal(deduct('wales', 'monthly', 200_000, '2026-01-01'), 24_000); // 12%
  assert.equal(deduct('wales', 'monthly', 300_000, '2026-01-01'), 55_620); // 17% × 2860 + 50% × 140
  assert.equal(deduct('wales', 'weekly', 34_000, '2022-03-31'), 4_080); // order made the day before: 2007 table
  // The 2022 daily table is not in Levy's data yet: refuse rather than guess.
  assert.throws(() => deduct('wales', 'daily', 4_000, '2022-04-01'), /no daily attachment of earnings table/);
});

test('orders, periods and amounts outside the law are refused', () => {
  assert.throws(() => deduct('england', 'weekly', 10_000, '2007-03-31'), NoRuleInForceError);
  assert.throws(() => deduct('england', 'fortnightly' as PayPeriod, 10_000), ValidationError);
  assert.throws(() => deduct('scotland' as Nation, 'weekly', 10_000), ValidationError);
  assert.throws(() => deduct('england', 'weekly', -1), ValidationError);
  assert.throws(() => deduct('england', 'weekly', 100.5), ValidationError);
  assert.throws(() => deduct('england', 'weekly', 10_000, '2026-02-30'), ValidationError);
});
