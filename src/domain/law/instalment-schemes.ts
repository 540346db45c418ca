// Statutory instalment schemes for a demand notice.
//   Council tax: SI 1992/613 Schedule 1 Part I, paras 2–3; 12 instalments on request, reg 21(1A)–(1D)
//   and Sch 1 para 2(3A) (England from the 2013/14 year, SI 2012/3086).
//   Business rates: SI 1989/1058 Schedule 1 Part I, the same shape with a £50 minimum; 12 on
//   request from the 2014/15 year (England).
// Rules are selected by the first day (1 April) of the financial year the notice relates to.
import type { EffectiveDated } from './rules.ts';

export type InstalmentTax = 'council_tax' | 'business_rates';

export interface InstalmentSchemeRule extends EffectiveDated {
  readonly tax: InstalmentTax;
  /** Instalments when the notice is issued before the year or by fullCountIssuedBy (para 2(3)(a)). */
  readonly standardCount: number;
  /** 'MM-DD' in the first calendar year of the financial year: the last issue day for standardCount. */
  readonly fullCountIssuedBy: string;
  /**
   * 'MM-DD': the last issue day (in the first calendar year of the financial year) for monthly
   * instalments (para 2(1): on or before 31 December); later notices are payable in one instalment.
   */
  readonly lastIssueDayForMonthlyInstalments: string;
  /** When present, the liable person may ask for 12 (reg 21(1A)). */
  readonly twelveOnRequest?: {
    readonly count: number;
    /** 'MM-DD': the last issue day for the full 12 (para 2(3A)(a)(i): 15 April). */
    readonly fullCountIssuedBy: string;
  };
  /** Para 3 (CT £5) / NNDR £50: the smallest instalment a notice need carry. */
  readonly minimumInstalmentPence: number;
}

const CT_BASE = {
  tax: 'council_tax' as const,
  standardCount: 10,
  fullCountIssuedBy: '04-30',
  lastIssueDayForMonthlyInstalments: '12-31',
  minimumInstalmentPence: 500,
};

const TWELVE = { count: 12, fullCountIssuedBy: '04-15' };

export const COUNCIL_TAX_INSTALMENT_RULES: readonly InstalmentSchemeRule[] = [
  {
    ...CT_BASE,
    nation: 'england',
    effectiveFrom: '1995-04-01',
    effectiveTo: '2013-03-31',
    source: 'SI 1992/613 Sch 1 paras 2–3 (10 instalments if issued by 30 April; £5 minimum)',
  },
  {
    ...CT_BASE,
    twelveOnRequest: TWELVE,
    nation: 'england',
    effectiveFrom: '2013-04-01',
    source:
      'SI 1992/613 Sch 1 paras 2–3; reg 21(1A)–(1D) and Sch 1 para 2(3A) as inserted by SI 2012/3086 ' +
      '(12 on request, full 12 if issued by 15 April)',
  },
  {
    ...CT_BASE,
    nation: 'wales',
    effectiveFrom: '1995-04-01',
    effectiveTo: '2013-03-31',
    source: 'SI 1992/613 Sch 1 paras 2–3 (10 instalments if issued by 30 April; £5 minimum)',
  },
  {
    ...CT_BASE,
    twelveOnRequest: TWELVE,
    nation: 'wales',
    effectiveFrom: '2013-04-01',
    source:
      'SI 1992/613 Sch 1 paras 2–3 and para 2(3A); 12 on request in Wales from 2013/14 ' +
      '(WSI 2013/62, to be confirmed against the Welsh text)',
  },
];

export const BUSINESS_RATES_INSTALMENT_RULES: readonly InstalmentSchemeRule[] = [
  {
    tax: 'business_rates',
    standardCount: 10,
    fullCountIssuedBy: '04-30',
    lastIssueDayForMonthlyInstalments: '12-31',
    minimumInstalmentPence: 5_000,
    twelveOnRequest: TWELVE,
    nation: 'england',
    effectiveFrom: '2014-04-01',
    source: 'SI 1989/1058 Sch 1 Part I (same shape as council tax, £50 minimum; 12 on request from 2014/15)',
  },
];
