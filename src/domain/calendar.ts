// Calendar dates as ISO 'YYYY-MM-DD' strings, with pure integer arithmetic (no Date objects, no
// time zones, no "today": the current date comes from the injected Clock elsewhere).
//
// Financial years run 1 April to 31 March and are written "2026/27".
// Working days exclude Saturdays, Sundays and England & Wales bank holidays (bank-holidays.ts).
import { ValidationError } from '../errors.ts';
import { bankHolidaysFor, type BankHolidayRegion } from './bank-holidays.ts';

/** A calendar date 'YYYY-MM-DD'. */
export type IsoDate = string;

export interface DateParts {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
}

const ISO_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Parses and validates 'YYYY-MM-DD' (a real calendar date, e.g. 2026-02-29 is refused). */
export function parseIsoDate(text: string, label = 'date'): DateParts {
  const match = typeof text === 'string' ? ISO_DATE_PATTERN.exec(text) : null;
  if (!match) throw new ValidationError(`${label} must be a date as YYYY-MM-DD, got "${String(text)}"`);
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new ValidationError(`${label} "${text}" is not a real date`);
  }
  return { year, month, day };
}

export function isIsoDate(text: unknown): text is IsoDate {
  if (typeof text !== 'string') return false;
  try {
    parseIsoDate(text);
    return true;
  } catch {
    return false;
  }
}

/** Returns the date unchanged when valid; throws a ValidationError otherwise. */
export function assertIsoDate(text: unknown, label = 'date'): IsoDate {
  parseIsoDate(text as string, label);
  return text as IsoDate;
}

export function formatIsoDate(year: number, month: number, day: number): IsoDate {
  const date = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return assertIsoDate(date);
}

// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
function dayNumberFromParts({ year, month, day }: DateParts): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthIndex = month > 2 ? month - 3 : month + 9;
  const dayOfYear = Math.floor((153 * monthIndex + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function partsFromDayNumber(dayNumber: number): DateParts {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

/** Days since 1970-01-01 (negative before). */
export function toDayNumber(date: IsoDate): number {
  return dayNumberFromParts(parseIsoDate(date));
}

export function fromDayNumber(dayNumber: number): IsoDate {
  const { year, month, day } = partsFromDayNumber(dayNumber);
  return formatIsoDate(year, month, day);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  if (!Number.isSafeInteger(days)) throw new RangeError(`days must be an integer, got ${days}`);
  return fromDayNumber(toDayNumber(date) + days);
}

/** to − from in days: diffDays('2026-04-01', '2026-04-02') = 1. */
export function diffDays(from: IsoDate, to: IsoDate): number {
  return toDayNumber(to) - toDayNumber(from);
}

/**
 * Number of days from `from` to `to`, counting both: daysBetweenInclusive('2026-04-01','2026-04-01') = 1.
 * Throws when `to` is before `from`.
 */
export function daysBetweenInclusive(from: IsoDate, to: IsoDate): number {
  const days = diffDays(from, to) + 1;
  if (days < 1) throw new ValidationError(`end date ${to} is before start date ${from}`);
  return days;
}

export function compareDates(a: IsoDate, b: IsoDate): -1 | 0 | 1 {
  const diff = toDayNumber(a) - toDayNumber(b);
  return diff < 0 ? -1 : diff > 0 ? 1 : 0;
}

export function isBefore(a: IsoDate, b: IsoDate): boolean {
  return compareDates(a, b) < 0;
}

export function isAfter(a: IsoDate, b: IsoDate): boolean {
  return compareDates(a, b) > 0;
}

export function isOnOrBefore(a: IsoDate, b: IsoDate): boolean {
  return compareDates(a, b) <= 0;
}

export function isOnOrAfter(a: IsoDate, b: IsoDate): boolean {
  return compareDates(a, b) >= 0;
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return isAfter(a, b) ? a : b;
}

export function minDate(a: IsoDate, b: IsoDate): IsoDate {
  return isBefore(a, b) ? a : b;
}

/** ISO day of the week: 1 = Monday … 7 = Sunday. */
export function isoDayOfWeek(date: IsoDate): number {
  // 1970-01-01 was a Thursday (4).
  const n = toDayNumber(date);
  return ((((n + 3) % 7) + 7) % 7) + 1;
}

// ---------------------------------------------------------------------------------------------
// Months

/** Year and month of a date as a single month index (year × 12 + month − 1), for month arithmetic. */
export function monthIndex(date: IsoDate): number {
  const { year, month } = parseIsoDate(date);
  return year * 12 + (month - 1);
}

/** The first day of the month with the given month index. */
export function firstOfMonthIndex(index: number): IsoDate {
  return formatIsoDate(Math.floor(index / 12), (index % 12) + 1, 1);
}

/** Adds calendar months; the day is clamped to the end of a shorter month (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: IsoDate, months: number): IsoDate {
  if (!Number.isSafeInteger(months)) throw new RangeError(`months must be an integer, got ${months}`);
  const { day } = parseIsoDate(date);
  const index = monthIndex(date) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return formatIsoDate(year, month, Math.min(day, daysInMonth(year, month)));
}

/** Whole calendar months from the month of `from` to the month of `to` (Jan → Mar = 2). */
export function monthsBetween(from: IsoDate, to: IsoDate): number {
  return monthIndex(to) - monthIndex(from);
}

export function lastDayOfMonth(date: IsoDate): IsoDate {
  const { year, month } = parseIsoDate(date);
  return formatIsoDate(year, month, daysInMonth(year, month));
}

// ---------------------------------------------------------------------------------------------
// Financial years (1 April – 31 March), written "2026/27"

export interface FinancialYear {
  /** The calendar year in which the financial year starts: 2026 for "2026/27". */
  readonly startYear: number;
}

const FINANCIAL_YEAR_PATTERN = /^(\d{4})\/(\d{2})$/;

/** Parses "2026/27"; refuses "2026/28" or "2026-27". */
export function parseFinancialYear(text: string): FinancialYear {
  const match = typeof text === 'string' ? FINANCIAL_YEAR_PATTERN.exec(text.trim()) : null;
  if (!match) throw new ValidationError(`financial year must look like 2026/27, got "${String(text)}"`);
  const startYear = Number(match[1]);
  if ((startYear + 1) % 100 !== Number(match[2])) {
    throw new ValidationError(`financial year "${text}" must be two consecutive years, like 2026/27`);
  }
  return { startYear };
}

export function formatFinancialYear(year: FinancialYear): string {
  return `${year.startYear}/${String((year.startYear + 1) % 100).padStart(2, '0')}`;
}

function toFinancialYear(year: FinancialYear | string): FinancialYear {
  return typeof year === 'string' ? parseFinancialYear(year) : year;
}

/** 1 April of the financial year. */
export function financialYearStart(year: FinancialYear | string): IsoDate {
  return formatIsoDate(toFinancialYear(year).startYear, 4, 1);
}

/** 31 March at the end of the financial year. */
export function financialYearEnd(year: FinancialYear | string): IsoDate {
  return formatIsoDate(toFinancialYear(year).startYear + 1, 3, 31);
}

/** The financial year containing a date: 2027-03-31 is in 2026/27, 2027-04-01 in 2027/28. */
export function financialYearOf(date: IsoDate): FinancialYear {
  const { year, month } = parseIsoDate(date);
  return { startYear: month >= 4 ? year : year - 1 };
}

export function financialYearContains(year: FinancialYear | string, date: IsoDate): boolean {
  return financialYearOf(date).startYear === toFinancialYear(year).startYear;
}

/** 365, or 366 when the February inside the financial year has 29 days (e.g. 2027/28). */
export function daysInFinancialYear(year: FinancialYear | string): number {
  return isLeapYear(toFinancialYear(year).startYear + 1) ? 366 : 365;
}

// ---------------------------------------------------------------------------------------------
// Working days

export function isWeekend(date: IsoDate): boolean {
  return isoDayOfWeek(date) >= 6;
}

/** True when the date is a bank holiday. Throws for a year Levy holds no bank-holiday data for. */
export function isBankHoliday(date: IsoDate, region: BankHolidayRegion = 'england-and-wales'): boolean {
  const { year } = parseIsoDate(date);
  const holidays = bankHolidaysFor(region, year);
  if (!holidays) {
    throw new ValidationError(`no ${region} bank holiday data for ${year}: add it to src/domain/bank-holidays.ts`);
  }
  return holidays.some((h) => h.date === date);
}

/** Monday to Friday and not a bank holiday. */
export function isWorkingDay(date: IsoDate, region: BankHolidayRegion = 'england-and-wales'): boolean {
  return !isWeekend(date) && !isBankHoliday(date, region);
}

/**
 * The date `days` working days after `date` (before it when negative); `date` itself is not
 * counted. addWorkingDays(d, 0) is d. Thursday 2026-04-02 + 1 working day = Tuesday 2026-04-07
 * (Good Friday and Easter Monday skipped).
 */
export function addWorkingDays(
  date: IsoDate,
  days: number,
  region: BankHolidayRegion = 'england-and-wales',
): IsoDate {
  if (!Number.isSafeInteger(days)) throw new RangeError(`days must be an integer, got ${days}`);
  const step = days < 0 ? -1 : 1;
  let remaining = Math.abs(days);
  let current = assertIsoDate(date);
  while (remaining > 0) {
    current = addDays(current, step);
    if (isWorkingDay(current, region)) remaining--;
  }
  return current;
}

/** The date itself when it is a working day, otherwise the next working day. */
export function nextWorkingDayOnOrAfter(date: IsoDate, region: BankHolidayRegion = 'england-and-wales'): IsoDate {
  let current = assertIsoDate(date);
  while (!isWorkingDay(current, region)) current = addDays(current, 1);
  return current;
}
