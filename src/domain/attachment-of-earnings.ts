// Deduction for one pay day under a council tax attachment of earnings order (SI 1992/613 reg 38
// and Schedule 4). The employer applies Table A to weekly pay, Table B to monthly pay and Table C to
// daily pay. The rate for the band the net earnings fall in applies to the whole net earnings;
// above the top limit it is 17% of the limit plus 50% of the rest.
//
// Rounding: Schedule 4 does not say how to round a percentage of pence; Levy rounds once, half up,
// to the penny (the project convention).
import { ValidationError } from '../errors.ts';
import { assertIsoDate, type IsoDate } from './calendar.ts';
import {
  ATTACHMENT_OF_EARNINGS_RULES,
  PAY_PERIODS,
  type AttachmentOfEarningsRule,
  type DeductionTable,
  type PayPeriod,
} from './law/attachment-of-earnings-tables.ts';
import { assertNation, ruleInForce, type Nation } from './law/rules.ts';
import { assertNonNegativePence, divideRoundHalfUpBig, parseDecimal, powerOfTen, type Pence } from './money.ts';

export type { PayPeriod } from './law/attachment-of-earnings-tables.ts';

export interface AttachmentOfEarningsInput {
  nation: Nation;
  period: PayPeriod;
  netEarningsPence: Pence;
  /** The date the order was made: selects the Schedule 4 table that governs it. */
  orderMadeOn: IsoDate;
}

export interface AttachmentOfEarningsDeduction {
  deductionPence: Pence;
  /** The band rate applied ("12"), or "17+50" above the top limit. */
  rate: string;
  /** The statutory source of the table used. */
  source: string;
}

/** Finds the table for the order's nation, date and pay period. */
export function attachmentOfEarningsTable(
  nation: Nation,
  period: PayPeriod,
  orderMadeOn: IsoDate,
  rules: readonly AttachmentOfEarningsRule[] = ATTACHMENT_OF_EARNINGS_RULES,
): { table: DeductionTable; rule: AttachmentOfEarningsRule } {
  const rule = ruleInForce(rules, nation, orderMadeOn, 'attachment of earnings table');
  const table = rule.tables[period];
  if (!table) {
    throw new ValidationError(`no ${period} attachment of earnings table for ${nation} orders made on ${orderMadeOn}`);
  }
  return { table, rule };
}

/** percent% of pence as an exact fraction (numerator over 100 × 10^scale). */
function percentFraction(pence: number, percent: string): { numerator: bigint; denominator: bigint } {
  const p = parseDecimal(percent);
  return { numerator: BigInt(pence) * p.units, denominator: 100n * powerOfTen(p.scale) };
}

/** Applies one Schedule 4 table to net earnings, rounding once, half up, to the penny. */
export function deductionFromTable(table: DeductionTable, netEarningsPence: Pence): { deductionPence: Pence; rate: string } {
  assertNonNegativePence(netEarningsPence, 'net earnings');
  const limits = table.bandUpperLimitsPence;
  for (let i = 0; i < limits.length; i++) {
    if (netEarningsPence <= limits[i]) {
      const rate = table.ratesPercent[i];
      const f = percentFraction(netEarningsPence, rate);
      return { deductionPence: Number(divideRoundHalfUpBig(f.numerator, f.denominator)), rate };
    }
  }
  // Above the top limit: top rate on the limit, aboveTopPercent on the remainder; one rounding.
  const top = limits[limits.length - 1];
  const topRate = table.ratesPercent[table.ratesPercent.length - 1];
  const onLimit = percentFraction(top, topRate);
  const onRest = percentFraction(netEarningsPence - top, table.aboveTopPercent);
  const denominator = onLimit.denominator * onRest.denominator;
  const numerator = onLimit.numerator * onRest.denominator + onRest.numerator * onLimit.denominator;
  return {
    deductionPence: Number(divideRoundHalfUpBig(numerator, denominator)),
    rate: `${topRate}+${table.aboveTopPercent}`,
  };
}

/** The deduction an employer makes on one pay day under a council tax attachment of earnings order. */
export function attachmentOfEarningsDeduction(
  input: AttachmentOfEarningsInput,
  rules: readonly AttachmentOfEarningsRule[] = ATTACHMENT_OF_EARNINGS_RULES,
): AttachmentOfEarningsDeduction {
  const nation = assertNation(input.nation);
  if (!PAY_PERIODS.includes(input.period)) {
    throw new ValidationError(`pay period must be weekly, monthly or daily, got "${String(input.period)}"`);
  }
  const orderMadeOn = assertIsoDate(input.orderMadeOn, 'order date');
  const { table, rule } = attachmentOfEarningsTable(nation, input.period, orderMadeOn, rules);
  const { deductionPence, rate } = deductionFromTable(table, input.netEarningsPence);
  return { deductionPence, rate, source: rule.source };
}
