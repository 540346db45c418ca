// Council tax for part of a financial year, with a percentage discount.
//
// Liability is decided day by day (LGFA 1992 s.2), so the charge for a period is the annual amount
// for the band × days liable ÷ days in the financial year (365, or 366 when it contains 29 February).
// Discounts (s.11 single person 25%, s.11 all disregarded 50%, s.11A/s.12 local discounts) are a
// percentage of that charge. Levy's convention, as in the statutory vectors:
//   gross    = round_half_up(annual × days ÷ days in year)
//   discount = round_half_up(gross × percent ÷ 100)
//   net      = gross − discount
// A premium (s.11B/s.11C) is a negative discount: pass it to premiumPercent instead.
import { ValidationError } from '../errors.ts';
import {
  assertIsoDate,
  compareDates,
  daysBetweenInclusive,
  daysInFinancialYear,
  financialYearContains,
  parseFinancialYear,
  type IsoDate,
} from './calendar.ts';
import { assertNonNegativePence, parseDecimal, percentOfPence, prorate, type Pence } from './money.ts';

export interface PeriodChargeInput {
  /** The band's annual amount for the year. */
  annualPence: Pence;
  /** First day liable (inclusive). */
  from: IsoDate;
  /** Last day liable (inclusive). */
  to: IsoDate;
  /** "2026/27"; from and to must both fall in it. */
  financialYear: string;
  /** Discount as an exact decimal percentage: 25, "25", "12.5". Default 0. */
  discountPercent?: string | number;
  /** Premium (long-term empty / second homes) as a percentage added to gross. Default 0. */
  premiumPercent?: string | number;
}

export interface PeriodCharge {
  days: number;
  daysInYear: number;
  grossPence: Pence;
  discountPence: Pence;
  premiumPence: Pence;
  netPence: Pence;
}

function assertPercent(value: string | number | undefined, label: string): string | number {
  if (value === undefined) return 0;
  const d = parseDecimal(value, label);
  if (d.units < 0n) throw new ValidationError(`${label} must not be negative`);
  return value;
}

/** Apportions an annual amount over the days liable: round_half_up(annual × days ÷ daysInYear). */
export function apportionAnnualAmount(annualPence: Pence, days: number, daysInYear: number): Pence {
  assertNonNegativePence(annualPence, 'annual amount');
  if (!Number.isInteger(days) || days < 0 || days > daysInYear) {
    throw new ValidationError(`days liable must be 0 to ${daysInYear}, got ${days}`);
  }
  return prorate(annualPence, days, daysInYear);
}

export function councilTaxPeriodCharge(input: PeriodChargeInput): PeriodCharge {
  const annual = assertNonNegativePence(input.annualPence, 'annual amount');
  const fy = parseFinancialYear(input.financialYear);
  const from = assertIsoDate(input.from, 'from');
  const to = assertIsoDate(input.to, 'to');
  if (compareDates(from, to) > 0) throw new ValidationError(`from ${from} is after to ${to}`);
  if (!financialYearContains(fy, from) || !financialYearContains(fy, to)) {
    throw new ValidationError(`${from} to ${to} is not within financial year ${input.financialYear}`);
  }
  const discountPercent = assertPercent(input.discountPercent, 'discount percent');
  const premiumPercent = assertPercent(input.premiumPercent, 'premium percent');
  if (parseDecimal(discountPercent).units > 0n && parseDecimal(premiumPercent).units > 0n) {
    throw new ValidationError('a charge has either a discount or a premium, not both');
  }

  const days = daysBetweenInclusive(from, to);
  const daysInYear = daysInFinancialYear(fy);
  const grossPence = apportionAnnualAmount(annual, days, daysInYear);
  const discountPence = percentOfPence(grossPence, discountPercent);
  if (discountPence > grossPence) throw new ValidationError('discount cannot exceed 100%');
  const premiumPence = percentOfPence(grossPence, premiumPercent);
  return {
    days,
    daysInYear,
    grossPence,
    discountPence,
    premiumPence,
    netPence: grossPence - discountPence + premiumPence,
  };
}
