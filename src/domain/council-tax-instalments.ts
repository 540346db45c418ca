// Statutory instalments on a demand notice: how many, how much, and when due.
//
// Council Tax (Administration and Enforcement) Regulations 1992 (SI 1992/613), Schedule 1 Part I:
//   para 2(1)   monthly instalments apply when the notice is issued on or before 31 December;
//               a later notice is payable in a single instalment.
//   para 2(3)   number D: (a) 10 if issued before the year or by 30 April;
//               (b) issued on or after 1 May: one less than the whole months remaining in the year
//               after the issue of the notice.
//   para 2(3A)  on a request under reg 21(1A) (12 instalments): 12 if issued by 15 April, otherwise
//               the number of whole months remaining in the year after the issue of the notice
//               (no "less one": a June request gives July–March, as councils publish it).
//   para 2(4)   the months are uninterrupted, in the relevant year, on a day of the month specified.
//   para 2(5)   if C ÷ D is a whole number of pounds, every instalment is C ÷ D.
//   para 2(6)   otherwise every instalment but the first is A = C ÷ D rounded to the nearest pound,
//               and the first is B = C − (D − 1) × A.
//   para 2(7)   if that gives an instalment under £5, the second instalment may be added to the first
//               and D reduced by one.
//   para 3(1)   if an instalment would still be under £5: (a) aggregate under £10 → one instalment;
//               (b) otherwise D = the greatest whole number n with £5 × n ≤ the aggregate, the
//               months being the first of the months para 2 would have used; para 3(3) applies
//               para 2(5)–(7) to those instalments.
// Paragraphs 2(7) and 3 say the notice "may" do this; Levy always does, so no instalment on a bill
// is below the minimum. Business rates (SI 1989/1058 Sch 1) have the same shape with a £50 minimum.
//
// Due dates: the first instalment falls due at least 14 days after the notice is issued (and not
// before 1 April of the year); the rest follow monthly on the same day of the month.
import { ValidationError } from '../errors.ts';
import {
  addDays,
  assertIsoDate,
  compareDates,
  daysInMonth,
  financialYearEnd,
  financialYearStart,
  formatIsoDate,
  maxDate,
  monthIndex,
  parseFinancialYear,
  type IsoDate,
} from './calendar.ts';
import {
  BUSINESS_RATES_INSTALMENT_RULES,
  COUNCIL_TAX_INSTALMENT_RULES,
  type InstalmentSchemeRule,
  type InstalmentTax,
} from './law/instalment-schemes.ts';
import { assertNation, ruleInForce, type Nation } from './law/rules.ts';
import { assertNonNegativePence, divideRoundHalfUp, formatPence, type Pence } from './money.ts';

export type { InstalmentTax } from './law/instalment-schemes.ts';

/** Days between issuing a demand notice and the first instalment falling due, at least. */
export const MIN_DAYS_FROM_ISSUE_TO_FIRST_INSTALMENT = 14;

export interface InstalmentPlanInput {
  /** The aggregate amount the notice demands (C), in pence. */
  totalPence: Pence;
  issuedOn: IsoDate;
  /** The relevant year, "2026/27". */
  financialYear: string;
  /** The liable person asked for 12 monthly instalments (reg 21(1A)). */
  twelveRequested?: boolean;
  /** Default 'council_tax'. */
  tax?: InstalmentTax;
  /** Default 'england'. */
  nation?: Nation;
}

export type InstalmentBasis = 'standard' | 'twelve_on_request' | 'single_late_notice';

export interface InstalmentPlan {
  count: number;
  firstPence: Pence;
  /** Every instalment after the first (all equal); null when there is only one. */
  otherPence: Pence | null;
  /** Each instalment in order; they add up to the total. */
  amounts: Pence[];
  /** D under para 2(3)/(3A) before any minimum-instalment adjustment. */
  statutoryCount: number;
  basis: InstalmentBasis;
  /** What was done beyond the plain split, citing the paragraph (for the bill's audit trail). */
  adjustments: string[];
  /** Source of the scheme rule used. */
  source: string;
}

export interface InstalmentScheduleInput extends InstalmentPlanInput {
  /** Day of the month instalments fall due, 1–31 (29–31 fall on the last day of shorter months). */
  dayOfMonth: number;
}

export interface ScheduledInstalment {
  /** 1-based. */
  number: number;
  dueOn: IsoDate;
  amountPence: Pence;
}

export interface InstalmentSchedule extends InstalmentPlan {
  instalments: ScheduledInstalment[];
}

function rulesFor(tax: InstalmentTax): readonly InstalmentSchemeRule[] {
  return tax === 'business_rates' ? BUSINESS_RATES_INSTALMENT_RULES : COUNCIL_TAX_INSTALMENT_RULES;
}

/** The instalment scheme rule for a tax, nation and financial year (looked up on its 1 April). */
export function instalmentSchemeRule(tax: InstalmentTax, nation: Nation, financialYear: string): InstalmentSchemeRule {
  return ruleInForce(rulesFor(tax), nation, financialYearStart(financialYear), `${tax} instalment scheme`);
}

/**
 * Whole calendar months remaining in the financial year after the day a notice is issued: the
 * month of issue itself is never whole after the issue. Issued 15 June 2026 → July–March = 9.
 * A notice issued before the year starts has all 12 months remaining.
 */
export function wholeMonthsRemainingAfter(issuedOn: IsoDate, financialYear: string): number {
  const lastMonth = monthIndex(financialYearEnd(financialYear));
  const firstMonth = monthIndex(financialYearStart(financialYear));
  const afterIssue = monthIndex(issuedOn) + 1;
  return Math.max(0, lastMonth - Math.max(afterIssue, firstMonth) + 1);
}

/** 'MM-DD' of a rule, in a given calendar year. */
function dayInYear(monthDay: string, year: number): IsoDate {
  const [month, day] = monthDay.split('-').map(Number);
  return formatIsoDate(year, month, day);
}

/**
 * Para 2(5)–(6): split C into D instalments. Whole pounds each when C ÷ D is a whole number of
 * pounds; otherwise A = C ÷ D rounded (half up) to the nearest pound and the first is B = C − (D−1)A.
 */
export function splitIntoInstalments(totalPence: Pence, count: number): Pence[] {
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`instalment count must be >= 1, got ${count}`);
  if (count === 1) return [totalPence];
  if (totalPence % (count * 100) === 0) return Array<Pence>(count).fill(totalPence / count);
  const a = divideRoundHalfUp(totalPence, count * 100) * 100;
  const b = totalPence - (count - 1) * a;
  return [b, ...Array<Pence>(count - 1).fill(a)];
}

/**
 * Para 2(5)–(6), then para 2(7): when the para 2(6) calculation (C ÷ D not whole pounds) gives an
 * instalment under the minimum, the second instalment is added to the first and D falls by one.
 */
function splitWithParagraph27(
  totalPence: Pence,
  count: number,
  minimum: Pence,
  adjustments: string[],
): Pence[] {
  const amounts = splitIntoInstalments(totalPence, count);
  const usedParagraph26 = count > 1 && totalPence % (count * 100) !== 0;
  if (usedParagraph26 && amounts.some((a) => a < minimum)) {
    const [first, second, ...rest] = amounts;
    adjustments.push(
      `para 2(7): an instalment was under ${formatPence(minimum)}, so the second instalment was added to the first (${count} → ${count - 1})`,
    );
    return [first + second, ...rest];
  }
  return amounts;
}

/** The number and amounts of the statutory instalments for a demand notice. */
export function statutoryInstalmentPlan(input: InstalmentPlanInput): InstalmentPlan {
  const total = assertNonNegativePence(input.totalPence, 'total');
  const issuedOn = assertIsoDate(input.issuedOn, 'issue date');
  const fy = parseFinancialYear(input.financialYear);
  const tax: InstalmentTax = input.tax ?? 'council_tax';
  const nation = assertNation(input.nation ?? 'england');
  const rule = instalmentSchemeRule(tax, nation, input.financialYear);
  const minimum = rule.minimumInstalmentPence;
  const adjustments: string[] = [];

  if (compareDates(issuedOn, financialYearEnd(input.financialYear)) > 0 && total > 0) {
    // Still a single instalment under para 2(1); recorded so an officer sees the notice is late.
    adjustments.push('notice issued after the end of the financial year');
  }

  const plan = (amounts: Pence[], statutoryCount: number, basis: InstalmentBasis): InstalmentPlan => ({
    count: amounts.length,
    firstPence: amounts[0],
    otherPence: amounts.length > 1 ? amounts[1] : null,
    amounts,
    statutoryCount,
    basis,
    adjustments,
    source: rule.source,
  });

  // Para 2(1): monthly instalments only for notices issued on or before 31 December.
  if (compareDates(issuedOn, dayInYear(rule.lastIssueDayForMonthlyInstalments, fy.startYear)) > 0) {
    return plan([total], 1, 'single_late_notice');
  }

  let statutoryCount: number;
  let basis: InstalmentBasis;
  if (input.twelveRequested) {
    if (!rule.twelveOnRequest) {
      throw new ValidationError(`12 instalments on request are not available for ${tax} in ${nation} in ${input.financialYear}`);
    }
    basis = 'twelve_on_request';
    // Para 2(3A)(a): 12 if issued by 15 April (or before the year), else the whole months remaining.
    statutoryCount =
      compareDates(issuedOn, dayInYear(rule.twelveOnRequest.fullCountIssuedBy, fy.startYear)) <= 0
        ? rule.twelveOnRequest.count
        : wholeMonthsRemainingAfter(issuedOn, input.financialYear);
  } else {
    basis = 'standard';
    // Para 2(3): 10 if issued by 30 April (or before the year), else whole months remaining less one.
    statutoryCount =
      compareDates(issuedOn, dayInYear(rule.fullCountIssuedBy, fy.startYear)) <= 0
        ? rule.standardCount
        : wholeMonthsRemainingAfter(issuedOn, input.financialYear) - 1;
  }
  if (statutoryCount < 1) throw new Error(`instalment count came to ${statutoryCount} for a notice issued ${issuedOn}`);

  let amounts = splitWithParagraph27(total, statutoryCount, minimum, adjustments);
  if (amounts.some((a) => a < minimum)) {
    // Para 3(1): still an instalment under the minimum after para 2(7).
    if (total < 2 * minimum) {
      adjustments.push(`para 3(1)(a): the total is under ${formatPence(2 * minimum)}, so it is payable in a single instalment`);
      return plan([total], statutoryCount, basis);
    }
    const reduced = Math.min(Math.floor(total / minimum), statutoryCount);
    adjustments.push(
      `para 3(1)(b): ${reduced} instalments, the most that keeps each at least ${formatPence(minimum)}`,
    );
    amounts = splitWithParagraph27(total, reduced, minimum, adjustments);
  }
  if (amounts.length > 1 && amounts.some((a) => a < minimum)) {
    // Cannot happen for whole-pound minimums (see the exhaustive test); fail loudly if it ever does.
    throw new Error(`instalment below the minimum for total ${total}: ${amounts.join(', ')}`);
  }
  return plan(amounts, statutoryCount, basis);
}

/** The date in the month with this index on dayOfMonth, or the month's last day if shorter. */
function dueDateInMonth(index: number, dayOfMonth: number): IsoDate {
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return formatIsoDate(year, month, Math.min(dayOfMonth, daysInMonth(year, month)));
}

/**
 * The plan with due dates. The first instalment is due on dayOfMonth (or the last day of a shorter
 * month), at least 14 days after the notice is issued and not before 1 April of the year; the rest
 * follow monthly (para 2(4)), and all must fall within the financial year. A single instalment on a notice issued after 31 December
 * is due on the first dayOfMonth at least 14 days after issue, even if that is after 31 March.
 * Throws a ValidationError when the instalments cannot all fit in the year (possible only with 12
 * on request and a late day of issue or an early day of the month): choose another day.
 */
export function instalmentSchedule(input: InstalmentScheduleInput): InstalmentSchedule {
  const { dayOfMonth } = input;
  if (!Number.isInteger(dayOfMonth) || dayOfMonth < 1 || dayOfMonth > 31) {
    throw new ValidationError(`instalment day of the month must be 1 to 31, got ${String(dayOfMonth)}`);
  }
  const plan = statutoryInstalmentPlan(input);
  const issuedOn = input.issuedOn;
  const yearStart = financialYearStart(input.financialYear);
  const yearEnd = financialYearEnd(input.financialYear);
  const earliest =
    plan.basis === 'single_late_notice'
      ? addDays(issuedOn, MIN_DAYS_FROM_ISSUE_TO_FIRST_INSTALMENT)
      : maxDate(addDays(issuedOn, MIN_DAYS_FROM_ISSUE_TO_FIRST_INSTALMENT), yearStart);
  let firstMonth = monthIndex(earliest);
  if (compareDates(dueDateInMonth(firstMonth, dayOfMonth), earliest) < 0) firstMonth += 1;
  const instalments = plan.amounts.map((amountPence, i) => ({
    number: i + 1,
    dueOn: dueDateInMonth(firstMonth + i, dayOfMonth),
    amountPence,
  }));
  const lastDue = instalments[instalments.length - 1].dueOn;
  if (plan.basis !== 'single_late_notice' && compareDates(lastDue, yearEnd) > 0) {
    throw new ValidationError(
      `${plan.count} instalments on day ${dayOfMonth} from a notice issued ${issuedOn} would run past ${yearEnd}; choose a later day of the month`,
    );
  }
  return { ...plan, instalments };
}
