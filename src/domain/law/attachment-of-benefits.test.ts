import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../../errors.ts';
import { NoRuleInForceError } from './rules.ts';
import { attachmentOfBenefitsDeduction } from './attachment-of-benefits.ts';

test('legacy benefits: the fixed weekly £4.55 of 2024/25 (DOMAIN.md §4), in England and Wales', () => {
  for (const benefit of ['jobseekers_allowance', 'employment_support_allowance', 'income_support', 'pension_credit'] as const) {
    const d = attachmentOfBenefitsDeduction({ nation: 'england', benefit, on: '2024-06-01' });
    assert.deepEqual([d.deductionPence, d.period], [455, 'weekly'], benefit);
  }
  assert.equal(attachmentOfBenefitsDeduction({ nation: 'wales', benefit: 'income_support', on: '2026-11-22' }).deductionPence, 455);
});

test('Universal Credit: 5% of the standard allowance each month, rounded to the penny', () => {
  const uc = (ucAllowance: 'single_under_25' | 'single_25_or_over' | 'joint_both_under_25' | 'joint_25_or_over') =>
    attachmentOfBenefitsDeduction({ nation: 'england', benefit: 'universal_credit', ucAllowance, on: '2024-04-08' });
  assert.deepEqual([uc('single_25_or_over').deductionPence, uc('single_25_or_over').period], [1967, 'monthly'], '5% of £393.45 = £19.6725');
  assert.equal(uc('single_under_25').deductionPence, 1558, '5% of £311.68 = £15.584');
  assert.equal(uc('joint_both_under_25').deductionPence, 2446, '5% of £489.23 = £24.4615');
  assert.equal(uc('joint_25_or_over').deductionPence, 3088, '5% of £617.60');
  assert.throws(() => attachmentOfBenefitsDeduction({ nation: 'england', benefit: 'universal_credit', on: '2024-06-01' }), ValidationError);
});

test('no rate before the 2024/25 figures carried', () => {
  assert.throws(() => attachmentOfBenefitsDeduction({ nation: 'england', benefit: 'pension_credit', on: '2024-04-07' }), NoRuleInForceError);
});
