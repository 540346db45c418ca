// Council tax deductions from benefit after a liability order: SI 1992/613 reg 29 and Schedule 5,
// with the amounts in the Social Security (Claims and Payments) Regulations 1987 Sch 9 (legacy
// benefits) and, for Universal Credit, a percentage of the claimant's standard allowance. DWP makes
// the deduction, so the figures are the same in England and Wales.
//
// Legacy benefits (JSA, ESA, Income Support, Pension Credit): a fixed weekly amount, 5% of the
// single 25-or-over personal allowance: £4.55 a week in 2024/25 (../shared/DOMAIN.md §4).
// Universal Credit: 5% of the standard allowance, monthly (DOMAIN.md §4). DOMAIN.md does not give the
// standard allowance, so the 2024/25 amounts are here with their source (UC Regulations 2013 reg 36,
// as uprated from 8 April 2024: single under 25 £311.68, single 25 or over £393.45, joint both under
// 25 £489.23, joint one or both 25 or over £617.60 a month). 5% is rounded to the nearest penny.
//
// Later years' uprated figures are not carried yet (DOMAIN.md gives 2024/25 only): add a row with
// its effectiveFrom and close this one. DWP confirms the amount it will deduct when it accepts a
// request, and that confirmed amount is what Levy then monitors against.
import type { EffectiveDated, Nation } from './rules.ts';
import { ruleInForce } from './rules.ts';
import { ValidationError } from '../../errors.ts';

export const BENEFIT_TYPES = ['universal_credit', 'jobseekers_allowance', 'employment_support_allowance', 'income_support', 'pension_credit'] as const;
export type BenefitType = (typeof BENEFIT_TYPES)[number];
export const BENEFIT_LABELS: Record<BenefitType, string> = {
  universal_credit: 'Universal Credit',
  jobseekers_allowance: 'Jobseeker’s Allowance (income-based)',
  employment_support_allowance: 'Employment and Support Allowance (income-related)',
  income_support: 'Income Support',
  pension_credit: 'Pension Credit',
};

export const UC_ALLOWANCES = ['single_under_25', 'single_25_or_over', 'joint_both_under_25', 'joint_25_or_over'] as const;
export type UcAllowance = (typeof UC_ALLOWANCES)[number];
export const UC_ALLOWANCE_LABELS: Record<UcAllowance, string> = {
  single_under_25: 'Single, under 25',
  single_25_or_over: 'Single, 25 or over',
  joint_both_under_25: 'Joint claim, both under 25',
  joint_25_or_over: 'Joint claim, one or both 25 or over',
};

export interface AttachmentOfBenefitsRule extends EffectiveDated {
  /** The fixed weekly deduction from a legacy benefit. */
  readonly legacyWeeklyPence: number;
  /** UC standard allowance each month, by kind of claim. */
  readonly ucStandardAllowancePence: Readonly<Record<UcAllowance, number>>;
  /** The percentage of the standard allowance deducted from UC each month. */
  readonly ucPercent: number;
}

const SOURCE_2024 =
  'SI 1992/613 reg 29 and Sch 5; SI 1987/1968 Sch 9: legacy £4.55 a week in 2024/25 (DOMAIN.md §4). ' +
  'UC: 5% of the standard allowance (DOMAIN.md §4); standard allowances 2024/25 from UC Regs 2013 reg 36 as uprated ' +
  'from 8 April 2024 (£311.68, £393.45, £489.23, £617.60 a month), not given in DOMAIN.md.';

const RULE_2024 = {
  effectiveFrom: '2024-04-08',
  source: SOURCE_2024,
  legacyWeeklyPence: 455,
  ucStandardAllowancePence: { single_under_25: 31_168, single_25_or_over: 39_345, joint_both_under_25: 48_923, joint_25_or_over: 61_760 },
  ucPercent: 5,
} as const;

export const ATTACHMENT_OF_BENEFITS_RULES: readonly AttachmentOfBenefitsRule[] = [
  { nation: 'england', ...RULE_2024 },
  { nation: 'wales', ...RULE_2024 },
];

export interface BenefitDeduction {
  deductionPence: number;
  period: 'weekly' | 'monthly';
  source: string;
}

/** What DWP should deduct for council tax from this benefit, on a date. */
export function attachmentOfBenefitsDeduction(input: { nation: Nation; benefit: BenefitType; ucAllowance?: UcAllowance | null; on: string }): BenefitDeduction {
  const rule = ruleInForce(ATTACHMENT_OF_BENEFITS_RULES, input.nation, input.on, 'attachment of benefits rate');
  if (input.benefit !== 'universal_credit') return { deductionPence: rule.legacyWeeklyPence, period: 'weekly', source: rule.source };
  if (!input.ucAllowance) throw new ValidationError('Universal Credit needs the kind of claim', [{ field: 'ucAllowance', message: 'Choose the kind of Universal Credit claim' }]);
  const allowance = rule.ucStandardAllowancePence[input.ucAllowance];
  // Whole pence, rounded half up, once: allowance × percent / 100.
  return { deductionPence: Math.floor((allowance * rule.ucPercent + 50) / 100), period: 'monthly', source: rule.source };
}
