// Council tax attachment of earnings orders: deduction tables, SI 1992/613 Schedule 4 (reg 38).
// Effective dates here are the dates from which new ORDERS are made under the table: the 2007
// tables do not apply to orders made before 1 April 2007 (SI 2006/3395 reg 1(3); WSI 2007/582
// reg 2(2)) and the Welsh 2022 table applies to orders issued from 1 April 2022 (Welsh Government
// written statement, 9 February 2022). Orders made before 1 April 2007 (SI 1998/295 table) are
// not carried.
import type { EffectiveDated } from './rules.ts';

export type PayPeriod = 'weekly' | 'monthly' | 'daily';
export const PAY_PERIODS: readonly PayPeriod[] = ['weekly', 'monthly', 'daily'];

/**
 * One table of Schedule 4. Net earnings not exceeding bandUpperLimitsPence[i] (and exceeding the
 * previous limit) are deducted at ratesPercent[i] of the whole net earnings. Above the last limit
 * the deduction is ratesPercent[last] of the last limit plus aboveTopPercent of the remainder.
 */
export interface DeductionTable {
  readonly bandUpperLimitsPence: readonly number[];
  readonly ratesPercent: readonly string[];
  readonly aboveTopPercent: string;
}

export interface AttachmentOfEarningsRule extends EffectiveDated {
  readonly tables: Readonly<Partial<Record<PayPeriod, DeductionTable>>>;
}

const RATES_2007 = ['0', '3', '5', '7', '12', '17'] as const;

/** Monthly and daily tables common to England (SI 2006/3395) and Wales (WSI 2007/582) from 2007. */
const MONTHLY_2007: DeductionTable = {
  bandUpperLimitsPence: [30_000, 55_000, 74_000, 90_000, 142_000, 202_000],
  ratesPercent: RATES_2007,
  aboveTopPercent: '50',
};
const DAILY_2007: DeductionTable = {
  bandUpperLimitsPence: [1_100, 2_000, 2_700, 3_300, 5_200, 7_200],
  ratesPercent: RATES_2007,
  aboveTopPercent: '50',
};

export const ATTACHMENT_OF_EARNINGS_RULES: readonly AttachmentOfEarningsRule[] = [
  {
    nation: 'england',
    effectiveFrom: '2007-04-01',
    source:
      'SI 1992/613 Sch 4 as amended by SI 2006/3395 reg 5(2). Table A reg 5(2)(a)(v) substitutes £335 ' +
      '(not £355, the Welsh figure that many English council pages print) for the 12%/17% boundary.',
    tables: {
      weekly: {
        bandUpperLimitsPence: [7_500, 13_500, 18_500, 22_500, 33_500, 50_500],
        ratesPercent: RATES_2007,
        aboveTopPercent: '50',
      },
      monthly: MONTHLY_2007,
      daily: DAILY_2007,
    },
  },
  {
    nation: 'wales',
    effectiveFrom: '2007-04-01',
    effectiveTo: '2022-03-31',
    source: 'SI 1992/613 Sch 4 as substituted for Wales by WSI 2007/582 (weekly 12%/17% boundary £355)',
    tables: {
      weekly: {
        bandUpperLimitsPence: [7_500, 13_500, 18_500, 22_500, 35_500, 50_500],
        ratesPercent: RATES_2007,
        aboveTopPercent: '50',
      },
      monthly: MONTHLY_2007,
      daily: DAILY_2007,
    },
  },
  {
    nation: 'wales',
    effectiveFrom: '2022-04-01',
    source:
      'SI 1992/613 Sch 4 as substituted for Wales by WSI 2022/107 (in force 1 April 2022, new orders). ' +
      'Table C (daily) is not yet carried in Levy: add it from WSI 2022/107 before using daily pay periods.',
    tables: {
      weekly: {
        bandUpperLimitsPence: [10_500, 19_000, 26_000, 32_000, 50_500, 71_500],
        ratesPercent: RATES_2007,
        aboveTopPercent: '50',
      },
      monthly: {
        bandUpperLimitsPence: [43_000, 78_000, 105_000, 128_000, 201_000, 286_000],
        ratesPercent: RATES_2007,
        aboveTopPercent: '50',
      },
    },
  },
];
