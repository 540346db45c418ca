// Income and expenditure in Standard Financial Statement (SFS) categories, and what that leaves to
// pay each week, fortnight or month. Pure: amounts are monthly pence.
import { divideTruncate, type Pence } from '../../domain/money.ts';

export const SFS_INCOME = ['earnings', 'benefits', 'pensions', 'other_income'] as const;
export const SFS_EXPENDITURE = [
  'home_and_contents', 'travel', 'food_and_housekeeping', 'communications_and_leisure',
  'personal_costs', 'childcare', 'priority_debts', 'other_expenditure',
] as const;
export type SfsCategory = (typeof SFS_INCOME)[number] | (typeof SFS_EXPENDITURE)[number];
export const SFS_CATEGORIES: readonly SfsCategory[] = [...SFS_INCOME, ...SFS_EXPENDITURE];

export const SFS_LABELS: Record<SfsCategory, string> = {
  earnings: 'Earnings from employment or self-employment',
  benefits: 'Benefits and tax credits',
  pensions: 'Pensions',
  other_income: 'Other income',
  home_and_contents: 'Home and contents (rent, mortgage, energy, water, insurance)',
  travel: 'Travel',
  food_and_housekeeping: 'Food and housekeeping',
  communications_and_leisure: 'Communications and leisure',
  personal_costs: 'Personal costs (clothing, health, hairdressing)',
  childcare: 'Childcare and children’s costs',
  priority_debts: 'Other priority debts (rent and mortgage arrears, fines, energy arrears)',
  other_expenditure: 'Other essential costs',
};

export type Frequency = 'weekly' | 'fortnightly' | 'monthly';
export const FREQUENCIES: readonly Frequency[] = ['weekly', 'fortnightly', 'monthly'];

export interface Affordability {
  incomePence: Pence;
  expenditurePence: Pence;
  /** Monthly income less expenditure; negative when the household is in deficit. */
  surplusPence: Pence;
  /** Most that can be paid per period (0 when in deficit): monthly × 12 ÷ 52 or ÷ 26, rounded down. */
  affordable: Record<Frequency, Pence>;
}

export function affordability(lines: Partial<Record<SfsCategory, Pence>>): Affordability {
  const sum = (keys: readonly SfsCategory[]) => keys.reduce((total, k) => total + (lines[k] ?? 0), 0);
  const incomePence = sum(SFS_INCOME);
  const expenditurePence = sum(SFS_EXPENDITURE);
  const surplusPence = incomePence - expenditurePence;
  const monthly = Math.max(0, surplusPence);
  return {
    incomePence, expenditurePence, surplusPence,
    affordable: { monthly, fortnightly: divideTruncate(monthly * 12, 26), weekly: divideTruncate(monthly * 12, 52) },
  };
}
