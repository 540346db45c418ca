import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../errors.ts';
import {
  divideRoundHalfUp,
  divideRoundHalfUpBig,
  formatDecimal,
  formatPence,
  multiplyByDecimal,
  normaliseDecimalText,
  parseDecimal,
  parsePence,
  percentOfPence,
  prorate,
  roundToNearestPound,
} from './money.ts';

test('parsePence reads the ways people and files write money', () => {
  assert.equal(parsePence('1,234.56'), 123_456);
  assert.equal(parsePence('£12.30'), 1_230);
  assert.equal(parsePence('  £1,000,000  '), 100_000_000);
  assert.equal(parsePence('12'), 1_200);
  assert.equal(parsePence('12.5'), 1_250);
  assert.equal(parsePence('0.07'), 7);
  assert.equal(parsePence('-£5.01'), -501);
  assert.equal(parsePence('-3'), -300);
});

test('parsePence refuses anything that is not plainly an amount', () => {
  for (const bad of ['', '£', '12.345', '1,23.00', '12,34', '1,2345', 'abc', '12.3.4', '£-5', '.50', '1e3', '£ 5', '--5', '5-']) {
    assert.throws(() => parsePence(bad), ValidationError, bad);
  }
  assert.throws(() => parsePence('99,999,999,999,999.99'), ValidationError); // beyond safe integers
});

test('formatPence writes pounds with thousands separators and two decimals', () => {
  assert.equal(formatPence(123_456), '£1,234.56');
  assert.equal(formatPence(0), '£0.00');
  assert.equal(formatPence(5), '£0.05');
  assert.equal(formatPence(100_000_000), '£1,000,000.00');
  assert.equal(formatPence(-501), '-£5.01');
  assert.throws(() => formatPence(1.5), ValidationError);
  for (const p of [0, 1, 99, 100, 123_456, 987_654_321]) assert.equal(parsePence(formatPence(p)), p);
});

test('division rounds halves up (away from zero) and everything else to nearest', () => {
  assert.equal(divideRoundHalfUp(5, 2), 3);
  assert.equal(divideRoundHalfUp(7, 2), 4);
  assert.equal(divideRoundHalfUp(14, 3), 5); // 4.67
  assert.equal(divideRoundHalfUp(13, 3), 4); // 4.33
  assert.equal(divideRoundHalfUp(-5, 2), -3);
  assert.equal(divideRoundHalfUp(5, -2), -3);
  assert.equal(divideRoundHalfUp(0, 7), 0);
  assert.equal(divideRoundHalfUpBig(10n ** 30n + 5n, 10n), 10n ** 29n + 1n);
  assert.throws(() => divideRoundHalfUp(1, 0), RangeError);
  assert.throws(() => divideRoundHalfUp(1.5, 1), ValidationError);
});

test('decimals are exact: parsed to integer units and a scale, never a float', () => {
  assert.deepEqual(parseDecimal('43.2'), { units: 432n, scale: 1 });
  assert.deepEqual(parseDecimal('48.0'), { units: 480n, scale: 1 });
  assert.deepEqual(parseDecimal(25), { units: 25n, scale: 0 });
  assert.deepEqual(parseDecimal(12.5), { units: 125n, scale: 1 });
  assert.equal(formatDecimal(parseDecimal('48.0')), '48.0');
  assert.equal(formatDecimal(parseDecimal('0.05')), '0.05');
  assert.equal(normaliseDecimalText('80.00'), '80');
  assert.equal(normaliseDecimalText('12.50'), '12.5');
  assert.throws(() => parseDecimal('4e2'), ValidationError);
  assert.throws(() => parseDecimal(1e21), ValidationError);
  assert.throws(() => parseDecimal('43,2'), ValidationError);
  assert.throws(() => parseDecimal(Number.NaN), ValidationError);
});

test('multiplyByDecimal computes RV × multiplier exactly (0.1 + 0.2 float traps do not apply)', () => {
  assert.equal(multiplyByDecimal(40_000, '43.2'), 1_728_000);
  assert.equal(multiplyByDecimal(12_341, '43.2'), 533_131); // 533,131.2
  assert.equal(multiplyByDecimal(5, '49.9'), 250); // 249.5 rounds up
  assert.equal(multiplyByDecimal(3, '0.1'), 0); // 0.3
  assert.equal(multiplyByDecimal(999_999_999, '50.8'), 50_799_999_949); // 50,799,999,949.2
});

test('percentOfPence rounds once, half up, to the penny', () => {
  assert.equal(percentOfPence(114_040, '25'), 28_510);
  assert.equal(percentOfPence(168_308, 25), 42_077);
  assert.equal(percentOfPence(11_241, '7.5'), 843); // 843.075
  assert.equal(percentOfPence(11_240, '7.5'), 843); // 843.0
  assert.equal(percentOfPence(7_550, '3'), 227); // 226.5
  assert.equal(percentOfPence(100, '0'), 0);
  assert.equal(percentOfPence(100, '12.5'), 13); // 12.5
});

test('prorate apportions by days with one rounding', () => {
  assert.equal(prorate(143_533, 290, 365), 114_040);
  assert.equal(prorate(287_067, 214, 365), 168_308);
  assert.equal(prorate(100, 1, 2), 50);
  assert.equal(prorate(1, 1, 2), 1); // half a penny rounds up
});

test('roundToNearestPound rounds halves up', () => {
  assert.equal(roundToNearestPound(14_353), 14_400);
  assert.equal(roundToNearestPound(14_350), 14_400);
  assert.equal(roundToNearestPound(14_349), 14_300);
  assert.equal(roundToNearestPound(71_766), 71_800);
});
