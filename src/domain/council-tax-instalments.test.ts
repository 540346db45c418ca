import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../errors.ts';
import { addDays, compareDates, financialYearEnd } from './calendar.ts';
import {
  instalmentSchedule,
  splitIntoInstalments,
  statutoryInstalmentPlan,
  wholeMonthsRemainingAfter,
  type InstalmentPlanInput,
} from './council-tax-instalments.ts';
import { NoRuleInForceError } from './law/rules.ts';

const plan = (totalPence: number, issuedOn = '2026-03-10', extra: Partial<InstalmentPlanInput> = {}) =>
  statutoryInstalmentPlan({ totalPence, issuedOn, financialYear: '2026/27', ...extra });
const shape = (p: { count: number; firstPence: number; otherPence: number | null }) => [p.count, p.firstPence, p.otherPence];

test('para 2(3)(a): 10 instalments for a notice issued before the year or by 30 April', () => {
  assert.deepEqual(shape(plan(143_533, '2026-03-10')), [10, 13_933, 14_400]);
  assert.deepEqual(shape(plan(143_533, '2026-04-30')), [10, 13_933, 14_400]);
  assert.deepEqual(shape(plan(143_533, '2025-12-01')), [10, 13_933, 14_400]);
});

test('para 2(3)(b): from 1 May, one less than the whole months left after issue', () => {
  assert.equal(plan(143_533, '2026-05-01').count, 9); // June–March = 10, less 1
  assert.equal(plan(143_533, '2026-05-31').count, 9);
  assert.equal(plan(143_533, '2026-06-01').count, 8);
  assert.equal(plan(143_533, '2026-06-15').count, 8);
  assert.equal(plan(143_533, '2026-11-30').count, 3);
  assert.equal(plan(143_533, '2026-12-10').count, 2);
  assert.equal(plan(143_533, '2026-12-31').count, 2);
  assert.deepEqual(shape(plan(143_533, '2026-05-01')), [9, 16_333, 15_900]);
  assert.deepEqual(shape(plan(143_533, '2026-12-10')), [2, 71_733, 71_800]);
});

test('para 2(1): a notice issued after 31 December is payable in one instalment', () => {
  const p = plan(143_533, '2027-01-01');
  assert.deepEqual(shape(p), [1, 143_533, null]);
  assert.equal(p.basis, 'single_late_notice');
  assert.equal(plan(143_533, '2027-03-31').count, 1);
  assert.equal(plan(143_533, '2027-06-01').count, 1); // a late rebill after the year ended
  assert.ok(plan(143_533, '2027-06-01').adjustments.some((a) => /after the end of the financial year/.test(a)));
});

test('para 2(5)–(6): equal whole pounds, or A rounded to the nearest pound and the first takes the difference', () => {
  assert.deepEqual(plan(150_000).amounts, Array(10).fill(15_000));
  assert.deepEqual(shape(plan(215_300)), [10, 21_800, 21_500]); // £215.30 → £215
  assert.deepEqual(shape(plan(215_350)), [10, 21_850, 21_500]); // £215.35 → £215
  assert.deepEqual(shape(plan(215_500)), [10, 21_100, 21_600]); // £215.50 → £216 (half up)
  assert.deepEqual(splitIntoInstalments(10_050, 2), [5_050, 5_000]); // £50.25 → £50
  assert.deepEqual(splitIntoInstalments(1_100, 2), [500, 600]); // £5.50 → £6
  assert.deepEqual(splitIntoInstalments(100_050, 10), [10_050, ...Array(9).fill(10_000)]); // £100.05 → £100
  for (const total of [1, 999, 143_533, 987_654]) {
    for (const count of [1, 2, 7, 10, 12]) {
      const amounts = splitIntoInstalments(total, count);
      assert.equal(amounts.reduce((a, b) => a + b, 0), total);
      assert.equal(amounts.length, count);
    }
  }
});

test('12 on request (reg 21(1A), para 2(3A)): 12 if issued by 15 April, then the whole months left', () => {
  assert.deepEqual(shape(plan(143_533, '2026-03-10', { twelveRequested: true })), [12, 11_533, 12_000]);
  assert.equal(plan(143_533, '2026-04-15', { twelveRequested: true }).count, 12);
  assert.equal(plan(143_533, '2026-04-16', { twelveRequested: true }).count, 11); // May–March
  assert.equal(plan(143_533, '2026-06-15', { twelveRequested: true }).count, 9); // July–March
  assert.equal(plan(143_533, '2026-12-10', { twelveRequested: true }).count, 3);
  assert.equal(plan(143_533, '2027-01-05', { twelveRequested: true }).count, 1);
  assert.equal(plan(143_533, '2026-06-15', { twelveRequested: true }).basis, 'twelve_on_request');
  // Before 2013/14 there was no right to 12.
  assert.throws(
    () => statutoryInstalmentPlan({ totalPence: 100_000, issuedOn: '2012-03-01', financialYear: '2012/13', twelveRequested: true }),
    ValidationError,
  );
  assert.equal(statutoryInstalmentPlan({ totalPence: 100_000, issuedOn: '2012-03-01', financialYear: '2012/13' }).count, 10);
});

test('para 2(7): an instalment under £5 from the rounding merges the second into the first', () => {
  const p = plan(5_500); // £5.50 → A £6, B £1 → first £7, then 8 × £6
  assert.deepEqual(p.amounts, [700, ...Array(8).fill(600)]);
  assert.equal(p.statutoryCount, 10);
  assert.match(p.adjustments.join(' '), /para 2\(7\)/);
  assert.deepEqual(plan(4_700).amounts, [700, ...Array(8).fill(500)]);
});

test('para 3(1): minimum £5 — fewer instalments, or a single one under £10', () => {
  assert.deepEqual(shape(plan(2_300)), [4, 500, 600]); // 4 × £5 ≤ £23 < 5 × £5
  assert.deepEqual(shape(plan(800)), [1, 800, null]);
  assert.deepEqual(shape(plan(999)), [1, 999, null]);
  assert.deepEqual(plan(1_000).amounts, [500, 500]);
  assert.deepEqual(plan(2_000).amounts, [500, 500, 500, 500]); // £2 each would be too small; para 2(5) split of 4
  assert.deepEqual(plan(2_800).amounts, [1_000, 600, 600, 600]); // 5 instalments would start with £4: para 2(7) again
  assert.deepEqual(plan(5_000).amounts, Array(10).fill(500));
  assert.deepEqual(plan(1_499).amounts, [799, 700]);
  assert.match(plan(2_300).adjustments.join(' '), /para 3\(1\)\(b\)/);
  assert.match(plan(800).adjustments.join(' '), /para 3\(1\)\(a\)/);
});

test('business rates: same shape with a £50 minimum', () => {
  const nndr = (totalPence: number) =>
    statutoryInstalmentPlan({ totalPence, issuedOn: '2026-03-10', financialYear: '2026/27', tax: 'business_rates' });
  assert.deepEqual(nndr(500_000).amounts, Array(10).fill(50_000));
  assert.deepEqual(nndr(23_000).amounts, [5_600, 5_800, 5_800, 5_800]); // 4 × £50 ≤ £230; £57.50 → £58
  assert.deepEqual(nndr(9_999).amounts, [9_999]);
  assert.throws(
    () => statutoryInstalmentPlan({ totalPence: 1, issuedOn: '2026-03-10', financialYear: '2026/27', tax: 'business_rates', nation: 'wales' }),
    NoRuleInForceError,
  );
});

test('exhaustively: instalments add up, never exceed the statutory count, and none is under the minimum', () => {
  const issueDates = ['2026-03-01', '2026-04-30', '2026-05-01', '2026-08-20', '2026-11-03', '2026-12-31', '2027-01-01'];
  for (const issuedOn of issueDates) {
    for (const twelveRequested of [false, true]) {
      for (let total = 0; total <= 12_000; total += 1) checkPlan(total, issuedOn, twelveRequested, 'council_tax', 500);
      for (let total = 0; total <= 130_000; total += 7) checkPlan(total, issuedOn, twelveRequested, 'business_rates', 5_000);
    }
  }
  function checkPlan(total: number, issuedOn: string, twelveRequested: boolean, tax: 'council_tax' | 'business_rates', minimum: number) {
    const p = statutoryInstalmentPlan({ totalPence: total, issuedOn, financialYear: '2026/27', twelveRequested, tax });
    assert.equal(p.amounts.reduce((a, b) => a + b, 0), total, `${total} ${issuedOn}`);
    assert.equal(p.amounts.length, p.count);
    assert.ok(p.count >= 1 && p.count <= p.statutoryCount, `${total} ${issuedOn}`);
    if (p.count > 1) assert.ok(p.amounts.every((a) => a >= minimum), `${total} ${issuedOn}: ${p.amounts}`);
    assert.ok(p.amounts.slice(1).every((a) => a === p.amounts[1] && a % 100 === 0), `${total}: every instalment after the first is the same whole pounds`);
  }
});

test('wholeMonthsRemainingAfter counts calendar months wholly after the day of issue', () => {
  assert.equal(wholeMonthsRemainingAfter('2026-03-10', '2026/27'), 12);
  assert.equal(wholeMonthsRemainingAfter('2026-04-01', '2026/27'), 11);
  assert.equal(wholeMonthsRemainingAfter('2026-06-15', '2026/27'), 9);
  assert.equal(wholeMonthsRemainingAfter('2027-02-28', '2026/27'), 1);
  assert.equal(wholeMonthsRemainingAfter('2027-03-01', '2026/27'), 0);
});

test('schedule: first instalment at least 14 days after issue, monthly after, all in the year', () => {
  const s = instalmentSchedule({ totalPence: 143_533, issuedOn: '2026-03-10', financialYear: '2026/27', dayOfMonth: 1 });
  assert.deepEqual(
    s.instalments.map((i) => i.dueOn),
    ['2026-04-01', '2026-05-01', '2026-06-01', '2026-07-01', '2026-08-01', '2026-09-01', '2026-10-01', '2026-11-01', '2026-12-01', '2027-01-01'],
  );
  assert.deepEqual(s.instalments[0], { number: 1, dueOn: '2026-04-01', amountPence: 13_933 });
  assert.equal(s.instalments[9].amountPence, 14_400);

  // Exactly 14 days is enough; 13 is not.
  assert.equal(instalmentSchedule({ totalPence: 100_000, issuedOn: '2026-03-18', financialYear: '2026/27', dayOfMonth: 1 }).instalments[0].dueOn, '2026-04-01');
  const late = instalmentSchedule({ totalPence: 100_000, issuedOn: '2026-03-19', financialYear: '2026/27', dayOfMonth: 1 });
  assert.equal(late.instalments[0].dueOn, '2026-05-01');
  assert.equal(late.instalments[9].dueOn, '2027-02-01');

  const june = instalmentSchedule({ totalPence: 143_533, issuedOn: '2026-06-15', financialYear: '2026/27', dayOfMonth: 15 });
  assert.deepEqual([june.count, june.instalments[0].dueOn, june.instalments[7].dueOn], [8, '2026-07-15', '2027-02-15']);
});

test('schedule: days 29–31 fall on the last day of shorter months', () => {
  const s = instalmentSchedule({ totalPence: 143_533, issuedOn: '2026-04-15', financialYear: '2026/27', twelveRequested: true, dayOfMonth: 30 });
  assert.equal(s.count, 12);
  assert.equal(s.instalments[0].dueOn, '2026-04-30');
  assert.equal(s.instalments[10].dueOn, '2027-02-28');
  assert.equal(s.instalments[11].dueOn, '2027-03-30');
});

test('schedule: every standard plan fits in the year for every issue day and instalment day', () => {
  for (let issuedOn = '2026-02-01'; compareDates(issuedOn, '2026-12-31') <= 0; issuedOn = addDays(issuedOn, 1)) {
    for (let day = 1; day <= 31; day++) {
      const s = instalmentSchedule({ totalPence: 143_533, issuedOn, financialYear: '2026/27', dayOfMonth: day });
      assert.ok(compareDates(s.instalments[0].dueOn, addDays(issuedOn, 14)) >= 0);
      assert.ok(compareDates(s.instalments[0].dueOn, '2026-04-01') >= 0);
      assert.ok(compareDates(s.instalments[s.count - 1].dueOn, financialYearEnd('2026/27')) <= 0);
    }
  }
});

test('schedule: 12 on request that cannot fit in the year is refused with a reason', () => {
  assert.throws(
    () => instalmentSchedule({ totalPence: 143_533, issuedOn: '2026-04-15', financialYear: '2026/27', twelveRequested: true, dayOfMonth: 1 }),
    /would run past 2027-03-31/,
  );
});

test('schedule: a single instalment on a late notice is due 14 days on, even after 31 March', () => {
  const jan = instalmentSchedule({ totalPence: 143_533, issuedOn: '2027-01-05', financialYear: '2026/27', dayOfMonth: 1 });
  assert.deepEqual(jan.instalments, [{ number: 1, dueOn: '2027-02-01', amountPence: 143_533 }]);
  const march = instalmentSchedule({ totalPence: 10_000, issuedOn: '2027-03-25', financialYear: '2026/27', dayOfMonth: 10 });
  assert.equal(march.instalments[0].dueOn, '2027-04-10');
});

test('bad input is refused', () => {
  assert.throws(() => plan(-1), ValidationError);
  assert.throws(() => plan(100.5), ValidationError);
  assert.throws(() => plan(100, '2026-02-30'), ValidationError);
  assert.throws(() => statutoryInstalmentPlan({ totalPence: 100, issuedOn: '2026-03-10', financialYear: '2026-27' }), ValidationError);
  for (const dayOfMonth of [0, 32, 1.5]) {
    assert.throws(() => instalmentSchedule({ totalPence: 100, issuedOn: '2026-03-10', financialYear: '2026/27', dayOfMonth }), ValidationError);
  }
});
