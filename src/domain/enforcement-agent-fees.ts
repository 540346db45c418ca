// Enforcement agent fee for a stage (Taking Control of Goods (Fees) Regulations 2014, Sch Table 1,
// non-High Court enforcement). The fee scale is chosen by the date the stage is reached.
//   compliance  £75
//   enforcement £235 + 7.5% of the sum to be recovered above £1,500
//   sale        £110 + 7.5% of the sum to be recovered above £1,500
// The regulations do not say how to round the percentage fee; Levy rounds once, half up, to the
// penny: enforcement on £1,612.40 = £235 + 7.5% × £112.40 (£8.43) = £243.43.
import { ValidationError } from '../errors.ts';
import { assertIsoDate, type IsoDate } from './calendar.ts';
import {
  ENFORCEMENT_AGENT_FEE_RULES,
  ENFORCEMENT_STAGES,
  type EnforcementAgentFeeRule,
  type EnforcementStage,
} from './law/enforcement-agent-fees.ts';
import { assertNation, ruleInForce, type Nation } from './law/rules.ts';
import { assertNonNegativePence, percentOfPence, type Pence } from './money.ts';

export type { EnforcementStage } from './law/enforcement-agent-fees.ts';

export interface EnforcementAgentFeeInput {
  stage: EnforcementStage;
  /** The sum to be recovered (the debt under the liability order, excluding these fees). */
  sumToBeRecoveredPence: Pence;
  /** The date the stage is reached. */
  on: IsoDate;
  /** Default 'england'. */
  nation?: Nation;
}

export interface EnforcementAgentFee {
  feePence: Pence;
  fixedPence: Pence;
  percentagePence: Pence;
  source: string;
}

export function enforcementAgentFee(
  input: EnforcementAgentFeeInput,
  rules: readonly EnforcementAgentFeeRule[] = ENFORCEMENT_AGENT_FEE_RULES,
): EnforcementAgentFee {
  if (!ENFORCEMENT_STAGES.includes(input.stage)) {
    throw new ValidationError(`stage must be compliance, enforcement or sale, got "${String(input.stage)}"`);
  }
  const sum = assertNonNegativePence(input.sumToBeRecoveredPence, 'sum to be recovered');
  const on = assertIsoDate(input.on, 'date');
  const nation = assertNation(input.nation ?? 'england');
  const rule = ruleInForce(rules, nation, on, 'enforcement agent fee scale');
  const stage = rule.stages[input.stage];
  const above = stage.percentAboveThreshold;
  const percentagePence = above ? percentOfPence(Math.max(0, sum - above.thresholdPence), above.percent) : 0;
  return {
    feePence: stage.fixedPence + percentagePence,
    fixedPence: stage.fixedPence,
    percentagePence,
    source: rule.source,
  };
}
