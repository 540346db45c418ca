// The awards an account can carry, and the council tax rates a council starts a year with.
//
// Council tax discounts, exemptions and premiums are the council's per-year data (ct_reduction_rates):
// the statutory defaults below are only what a new year is filled with when there is no previous
// year to copy. Business rates reliefs are law (src/domain/law/business-rates.ts) except the
// discretionary top-up, whose percentage is on the award.
import type { EmptyPropertyClass } from '../../domain/business-rates.ts';
import type { IsoDate } from '../../domain/calendar.ts';

export type ReductionKind = 'discount' | 'exemption' | 'premium' | 'ctr' | 'rates_relief';

export interface ReductionCode {
  code: string;
  tax: 'council_tax' | 'business_rates';
  kind: ReductionKind;
  label: string;
  /** What the award needs beyond its dates. */
  needs?: 'empty_since' | 'weekly_pence' | 'percent';
}

export const REDUCTION_CODES: readonly ReductionCode[] = [
  { code: 'single_person', tax: 'council_tax', kind: 'discount', label: 'Single person discount' },
  { code: 'all_disregarded', tax: 'council_tax', kind: 'discount', label: 'All residents disregarded' },
  { code: 'exempt_e', tax: 'council_tax', kind: 'exemption', label: 'Exempt: left empty by someone now in care (Class E)' },
  { code: 'exempt_f', tax: 'council_tax', kind: 'exemption', label: 'Exempt: left empty by someone who has died (Class F)' },
  { code: 'exempt_g', tax: 'council_tax', kind: 'exemption', label: 'Exempt: occupation prohibited by law (Class G)' },
  { code: 'exempt_n', tax: 'council_tax', kind: 'exemption', label: 'Exempt: occupied only by students (Class N)' },
  { code: 'exempt_s', tax: 'council_tax', kind: 'exemption', label: 'Exempt: occupied only by people under 18 (Class S)' },
  { code: 'exempt_u', tax: 'council_tax', kind: 'exemption', label: 'Exempt: occupied only by people who are severely mentally impaired (Class U)' },
  { code: 'exempt_w', tax: 'council_tax', kind: 'exemption', label: 'Exempt: annexe occupied by a dependent relative (Class W)' },
  { code: 'long_term_empty', tax: 'council_tax', kind: 'premium', label: 'Long-term empty premium', needs: 'empty_since' },
  { code: 'second_home', tax: 'council_tax', kind: 'premium', label: 'Second homes premium' },
  { code: 'council_tax_reduction', tax: 'council_tax', kind: 'ctr', label: 'Council Tax Reduction', needs: 'weekly_pence' },
  { code: 'small_business_relief', tax: 'business_rates', kind: 'rates_relief', label: 'Small business rate relief' },
  { code: 'charity_relief', tax: 'business_rates', kind: 'rates_relief', label: 'Mandatory charity relief' },
  { code: 'discretionary_relief', tax: 'business_rates', kind: 'rates_relief', label: 'Discretionary relief', needs: 'percent' },
  // Unoccupied (LGFA 1988 s.45): each is "empty from the award's start"; the class decides the relief.
  { code: 'empty_property', tax: 'business_rates', kind: 'rates_relief', label: 'Empty: first 3 months free, then full rates', needs: 'empty_since' },
  { code: 'empty_industrial', tax: 'business_rates', kind: 'rates_relief', label: 'Empty qualifying industrial property: first 6 months free, then full rates', needs: 'empty_since' },
  { code: 'empty_listed', tax: 'business_rates', kind: 'rates_relief', label: 'Empty listed building: free while empty', needs: 'empty_since' },
  { code: 'empty_charity', tax: 'business_rates', kind: 'rates_relief', label: 'Empty, owned by a charity or CASC, next use charitable: free while empty', needs: 'empty_since' },
  { code: 'empty_exempt', tax: 'business_rates', kind: 'rates_relief', label: 'Empty and in another exempt class (say which in the note): free while empty', needs: 'empty_since' },
];

/** Award code → the class of empty property it records (see emptyPropertyDay). */
export const EMPTY_PROPERTY_CODES: Readonly<Record<string, EmptyPropertyClass>> = {
  empty_property: 'standard',
  empty_industrial: 'industrial',
  empty_listed: 'listed',
  empty_charity: 'charity',
  empty_exempt: 'other_exempt',
};

export function reductionCode(code: string): ReductionCode | undefined {
  return REDUCTION_CODES.find((c) => c.code === code);
}

export interface ReductionRate {
  code: string;
  minYearsEmpty: number;
  kind: 'discount' | 'exemption' | 'premium';
  label: string;
  /** Exact decimal text, e.g. "25", "100". */
  percent: string;
  basis: string;
}

/** An award on an account, as the calculator reads it. */
export interface ReductionAward {
  id: number;
  code: string;
  from: IsoDate;
  to: IsoDate | null;
  percent?: string | null;
  emptySince?: IsoDate | null;
  weeklyPence?: number | null;
}

const EXEMPT_DWELLINGS_ORDER = 'Council Tax (Exempt Dwellings) Order 1992 (SI 1992/558) art 3';

/** The statutory position for a year, as the starting point for a council's own rates. */
export function defaultReductionRates(financialYearStart: number): ReductionRate[] {
  const rates: ReductionRate[] = [
    { code: 'single_person', minYearsEmpty: 0, kind: 'discount', label: 'Single person discount', percent: '25', basis: 'LGFA 1992 s.11(1)(a)' },
    { code: 'all_disregarded', minYearsEmpty: 0, kind: 'discount', label: 'All residents disregarded', percent: '50', basis: 'LGFA 1992 s.11(1)(b)' },
  ];
  for (const c of REDUCTION_CODES.filter((r) => r.kind === 'exemption')) {
    rates.push({ code: c.code, minYearsEmpty: 0, kind: 'exemption', label: c.label, percent: '100', basis: `${EXEMPT_DWELLINGS_ORDER}, Class ${c.code.slice(-1).toUpperCase()}` });
  }
  // Long-term empty premium (LGFA 1992 s.11B): from 1 April 2024 after 1 year (Levelling-up and
  // Regeneration Act 2023 s.79); before that after 2 years, 200% after 5 (2020), 300% after 10 (2021).
  const ltEmpty = financialYearStart >= 2024 ? [[1, '100'], [5, '200'], [10, '300']] : [[2, '100'], [5, '200'], [10, '300']];
  for (const [years, percent] of ltEmpty) {
    rates.push({
      code: 'long_term_empty', minYearsEmpty: Number(years), kind: 'premium', label: `Long-term empty premium (empty ${years} year${years === 1 ? '' : 's'} or more)`,
      percent: String(percent), basis: 'LGFA 1992 s.11B',
    });
  }
  // Second homes premium (LGFA 1992 s.11C): from 1 April 2025, up to 100%.
  if (financialYearStart >= 2025) {
    rates.push({ code: 'second_home', minYearsEmpty: 0, kind: 'premium', label: 'Second homes premium', percent: '100', basis: 'LGFA 1992 s.11C' });
  }
  return rates;
}

/**
 * Retail, hospitality and leisure uses: where a hereditament's use is not recorded on its
 * valuation, these descriptions are read as RHL (the multiplier and relief depend on it).
 */
export const RHL_DESCRIPTIONS: readonly string[] = [
  'Shop and premises',
  'Public house and premises',
  'Restaurant and premises',
  'Cafe and premises',
  'Hairdressing salon and premises',
  'Hotel and premises',
  'Beauty salon and premises',
  'Takeaway and premises',
  'Gym and premises',
  'Cinema and premises',
];

export function isRhlDescription(description: string | null | undefined): boolean {
  return !!description && RHL_DESCRIPTIONS.includes(description);
}
