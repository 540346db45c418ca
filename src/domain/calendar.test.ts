import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../errors.ts';
import { BANK_HOLIDAYS_ENGLAND_AND_WALES } from './bank-holidays.ts';
import {
  addDays,
  addMonths,
  addWorkingDays,
  compareDates,
  daysBetweenInclusive,
  daysInFinancialYear,
  diffDays,
  financialYearContains,
  financialYearEnd,
  financialYearOf,
  financialYearStart,
  formatFinancialYear,
  fromDayNumber,
  isBankHoliday,
  isIsoDate,
  isLeapYear,
  isoDayOfWeek,
  isWorkingDay,
  lastDayOfMonth,
  monthsBetween,
  nextWorkingDayOnOrAfter,
  parseFinancialYear,
  parseIsoDate,
  toDayNumber,
} from './calendar.ts';

test('ISO dates are validated as real calendar dates', () => {
  assert.deepEqual(parseIsoDate('2026-04-01'), { year: 2026, month: 4, day: 1 });
  assert.equal(isIsoDate('2028-02-29'), true);
  for (const bad of ['2026-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '2026-4-1', '26-04-01', '2026-04-01T00:00', '', 'today']) {
    assert.equal(isIsoDate(bad), false, bad);
    assert.throws(() => parseIsoDate(bad), ValidationError, bad);
  }
  assert.equal(isLeapYear(2000), true);
  assert.equal(isLeapYear(1900), false);
  assert.equal(isLeapYear(2028), true);
});

test('day arithmetic matches the Gregorian calendar over many years', () => {
  assert.equal(toDayNumber('1970-01-01'), 0);
  assert.equal(toDayNumber('2000-03-01'), 11_017);
  // Cross-check every day from 1999 to 2031 against the UTC calendar (tests may use Date; the domain does not).
  const start = Date.UTC(1999, 0, 1) / 86_400_000;
  for (let n = start; n < start + 365 * 33; n++) {
    const expected = new Date(n * 86_400_000).toISOString().slice(0, 10);
    assert.equal(fromDayNumber(n), expected);
    assert.equal(toDayNumber(expected), n);
    assert.equal(isoDayOfWeek(expected), ((new Date(n * 86_400_000).getUTCDay() + 6) % 7) + 1);
  }
});

test('addDays, diffDays, inclusive day counts and comparison', () => {
  assert.equal(addDays('2026-12-31', 1), '2027-01-01');
  assert.equal(addDays('2028-02-28', 1), '2028-02-29');
  assert.equal(addDays('2026-03-10', 14), '2026-03-24');
  assert.equal(addDays('2026-03-01', -1), '2026-02-28');
  assert.equal(diffDays('2026-04-01', '2027-04-01'), 365);
  assert.equal(daysBetweenInclusive('2026-06-15', '2027-03-31'), 290);
  assert.equal(daysBetweenInclusive('2026-04-01', '2026-10-31'), 214);
  assert.equal(daysBetweenInclusive('2026-04-01', '2026-04-01'), 1);
  assert.throws(() => daysBetweenInclusive('2026-04-02', '2026-04-01'), ValidationError);
  assert.equal(compareDates('2026-04-01', '2026-04-02'), -1);
  assert.equal(compareDates('2026-04-02', '2026-04-02'), 0);
  assert.equal(compareDates('2027-01-01', '2026-12-31'), 1);
});

test('month arithmetic clamps to the end of shorter months', () => {
  assert.equal(addMonths('2026-01-31', 1), '2026-02-28');
  assert.equal(addMonths('2028-01-31', 1), '2028-02-29');
  assert.equal(addMonths('2026-04-01', 9), '2027-01-01');
  assert.equal(addMonths('2026-04-15', -4), '2025-12-15');
  assert.equal(monthsBetween('2026-01-31', '2026-03-01'), 2);
  assert.equal(lastDayOfMonth('2027-02-10'), '2027-02-28');
});

test('financial years run 1 April to 31 March and are written 2026/27', () => {
  const fy = parseFinancialYear('2026/27');
  assert.deepEqual(fy, { startYear: 2026 });
  assert.equal(formatFinancialYear(fy), '2026/27');
  assert.equal(formatFinancialYear({ startYear: 1999 }), '1999/00');
  assert.equal(parseFinancialYear('1999/00').startYear, 1999);
  assert.equal(financialYearStart('2026/27'), '2026-04-01');
  assert.equal(financialYearEnd('2026/27'), '2027-03-31');
  assert.equal(formatFinancialYear(financialYearOf('2027-03-31')), '2026/27');
  assert.equal(formatFinancialYear(financialYearOf('2027-04-01')), '2027/28');
  assert.equal(financialYearContains('2026/27', '2026-04-01'), true);
  assert.equal(financialYearContains('2026/27', '2026-03-31'), false);
  for (const bad of ['2026/28', '2026-27', '26/27', '2026/2027', '']) assert.throws(() => parseFinancialYear(bad), ValidationError, bad);
});

test('a financial year has 366 days when its February has 29 days', () => {
  assert.equal(daysInFinancialYear('2026/27'), 365);
  assert.equal(daysInFinancialYear('2027/28'), 366); // February 2028
  assert.equal(daysInFinancialYear('2028/29'), 365); // 29 Feb 2028 is in 2027/28
  assert.equal(daysInFinancialYear('2023/24'), 366);
  for (const fy of ['2023/24', '2026/27', '2027/28']) {
    assert.equal(daysInFinancialYear(fy), daysBetweenInclusive(financialYearStart(fy), financialYearEnd(fy)));
  }
});

test('bank holiday data: eight a year, all weekdays, in their own year, 2024–2028', () => {
  assert.deepEqual(Object.keys(BANK_HOLIDAYS_ENGLAND_AND_WALES).map(Number), [2024, 2025, 2026, 2027, 2028]);
  for (const [year, holidays] of Object.entries(BANK_HOLIDAYS_ENGLAND_AND_WALES)) {
    assert.equal(holidays.length, 8, year);
    for (const h of holidays) {
      assert.equal(h.date.slice(0, 4), year);
      assert.ok(isoDayOfWeek(h.date) <= 5, `${h.date} is a weekday`);
    }
  }
  assert.equal(isBankHoliday('2026-12-28'), true); // Boxing Day substitute
  assert.equal(isBankHoliday('2026-12-26'), false); // Saturday itself
  assert.equal(isBankHoliday('2028-01-03'), true);
  assert.equal(isBankHoliday('2027-03-26'), true); // Good Friday 2027
  assert.throws(() => isBankHoliday('2029-01-01'), ValidationError);
  assert.throws(() => isWorkingDay('2023-06-01'), ValidationError);
});

test('working days skip weekends and bank holidays', () => {
  assert.equal(isWorkingDay('2026-04-02'), true); // Thursday
  assert.equal(isWorkingDay('2026-04-03'), false); // Good Friday
  assert.equal(isWorkingDay('2026-04-04'), false); // Saturday
  assert.equal(addWorkingDays('2026-04-02', 1), '2026-04-07'); // over Easter
  assert.equal(addWorkingDays('2026-04-02', 0), '2026-04-02');
  assert.equal(addWorkingDays('2026-12-24', 1), '2026-12-29'); // Christmas Day and the Boxing Day substitute
  assert.equal(addWorkingDays('2026-11-20', 10), '2026-12-04'); // two clear weeks (DD advance notice)
  assert.equal(addWorkingDays('2026-04-07', -1), '2026-04-02');
  assert.equal(nextWorkingDayOnOrAfter('2027-12-25'), '2027-12-29');
  assert.equal(nextWorkingDayOnOrAfter('2027-12-29'), '2027-12-29');
});
