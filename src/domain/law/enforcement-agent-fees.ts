// Enforcement agent fees for enforcement other than under a High Court writ: Taking Control of
// Goods (Fees) Regulations 2014 (SI 2014/1), Schedule, Table 1 — in force 6 April 2014, England and
// Wales. The Ministry of Justice's 2025 response proposed uplifts; they are not in force, so they
// are not here. Add a new row with its commencement date when they are.
import type { EffectiveDated } from './rules.ts';

export type EnforcementStage = 'compliance' | 'enforcement' | 'sale';
export const ENFORCEMENT_STAGES: readonly EnforcementStage[] = ['compliance', 'enforcement', 'sale'];

export interface StageFee {
  readonly fixedPence: number;
  /** Percentage of the sum to be recovered above thresholdPence (reg 7 / Sch Table 1). */
  readonly percentAboveThreshold?: { readonly percent: string; readonly thresholdPence: number };
}

export interface EnforcementAgentFeeRule extends EffectiveDated {
  readonly stages: Readonly<Record<EnforcementStage, StageFee>>;
}

const FEES_2014: Readonly<Record<EnforcementStage, StageFee>> = {
  compliance: { fixedPence: 7_500 },
  enforcement: { fixedPence: 23_500, percentAboveThreshold: { percent: '7.5', thresholdPence: 150_000 } },
  sale: { fixedPence: 11_000, percentAboveThreshold: { percent: '7.5', thresholdPence: 150_000 } },
};

const SOURCE_2014 =
  'Taking Control of Goods (Fees) Regulations 2014 (SI 2014/1) Sch Table 1: compliance £75; ' +
  'enforcement £235 + 7.5% of the sum to be recovered above £1,500; sale £110 + 7.5% above £1,500';

export const ENFORCEMENT_AGENT_FEE_RULES: readonly EnforcementAgentFeeRule[] = [
  { nation: 'england', effectiveFrom: '2014-04-06', source: SOURCE_2014, stages: FEES_2014 },
  { nation: 'wales', effectiveFrom: '2014-04-06', source: SOURCE_2014, stages: FEES_2014 },
];
