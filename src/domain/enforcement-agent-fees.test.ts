import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../errors.ts';
import { enforcementAgentFee, type EnforcementStage } from './enforcement-agent-fees.ts';
import { NoRuleInForceError } from './law/rules.ts';

const fee = (stage: EnforcementStage, sumToBeRecoveredPence: number, on = '2026-11-22') =>
  enforcementAgentFee({ stage, sumToBeRecoveredPence, on }).feePence;

test('compliance stage is a flat £75 whatever the debt', () => {
  assert.equal(fee('compliance', 100_000), 7_500);
  assert.equal(fee('compliance', 1_000_000), 7_500);
});

test('enforcement stage: £235 plus 7.5% of the sum above £1,500', () => {
  assert.equal(fee('enforcement', 150_000), 23_500);
  assert.equal(fee('enforcement', 150_001), 23_500); // 0.075p
  assert.equal(fee('enforcement', 150_007), 23_501); // 0.525p rounds up
  assert.equal(fee('enforcement', 161_240), 24_343);
  assert.equal(fee('enforcement', 250_000), 31_000);
  const detail = enforcementAgentFee({ stage: 'enforcement', sumToBeRecoveredPence: 250_000, on: '2026-11-22' });
  assert.deepEqual([detail.fixedPence, detail.percentagePence], [23_500, 7_500]);
});

test('sale stage: £110 plus 7.5% of the sum above £1,500', () => {
  assert.equal(fee('sale', 100_000), 11_000);
  assert.equal(fee('sale', 250_000), 18_500);
});

test('the 2014 scale applies from 6 April 2014, in England and Wales', () => {
  assert.equal(fee('compliance', 100_000, '2014-04-06'), 7_500);
  assert.throws(() => fee('compliance', 100_000, '2014-04-05'), NoRuleInForceError);
  assert.equal(enforcementAgentFee({ stage: 'sale', sumToBeRecoveredPence: 250_000, on: '2026-01-01', nation: 'wales' }).feePence, 18_500);
});

test('unknown stages and bad sums are refused', () => {
  assert.throws(() => fee('removal' as EnforcementStage, 100_000), ValidationError);
  assert.throws(() => fee('enforcement', -1), ValidationError);
});
