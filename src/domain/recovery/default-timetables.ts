// The timetables every billing authority starts with: the regulations' own offsets and Levy's
// defaults where the law leaves a choice (DOMAIN.md §4). The database gets the same figures from
// the SQL function levy_default_recovery_timetables() in migration 005 (a test keeps the two equal);
// a council then adds its own effective-dated versions.
import type { Nation } from '../law/rules.ts';
import type { StageDefinition, Timetable } from './timetable.ts';

export const DEFAULT_TIMETABLE_NAME = 'Statutory default';

/** Council tax began on 1 April 1993; business rates (the 1988 Act scheme) on 1 April 1990. */
export const DEFAULT_EFFECTIVE_FROM = { council_tax: '1993-04-01', business_rates: '1990-04-01' } as const;

const reminder = (stage: 'reminder_1' | 'reminder_2', template: string, nextStages: StageDefinition['nextStages']): StageDefinition => ({
  stage,
  trigger: 'missed_instalment',
  issueAfterDays: 7, // reminder issued 7 days after the missed due date
  payWithinDays: 7, // pay-by = issue + 7 (reg 23(2))
  escalateAfterDays: 7, // balance due = pay-by + 7 (reg 23(2))
  minimumPence: 500,
  costsPence: 0,
  letterTemplate: template,
  nextStages,
});

function tail(prefix: 'ct' | 'nndr', costs: { summons: number; liabilityOrder: number }): StageDefinition[] {
  return [
    { stage: 'balance_due', trigger: 'final_failure', issueAfterDays: 1, payWithinDays: null, escalateAfterDays: null, minimumPence: 500, costsPence: 0, letterTemplate: null, nextStages: ['final_notice'] },
    { stage: 'final_notice', trigger: 'balance_due_without_reminder', issueAfterDays: 0, payWithinDays: 7, escalateAfterDays: 1, minimumPence: 500, costsPence: 0, letterTemplate: `${prefix}_final_notice`, nextStages: ['summons'] },
    // summons no earlier than the balance-due date; hearing ≥ 14 days after service (timetable level)
    { stage: 'summons', trigger: 'balance_unpaid', issueAfterDays: 0, payWithinDays: null, escalateAfterDays: null, minimumPence: 5_000, costsPence: costs.summons, letterTemplate: `${prefix}_summons`, nextStages: ['liability_order'] },
    { stage: 'liability_order', trigger: 'court_granted', issueAfterDays: 0, payWithinDays: null, escalateAfterDays: null, minimumPence: 0, costsPence: costs.liabilityOrder, letterTemplate: `${prefix}_liability_order`, nextStages: [] },
  ];
}

/** Costs: England sets no cap (typical £70–£125); Wales caps council tax costs at £70 in all. */
const COSTS = {
  england: { council_tax: { summons: 8_000, liabilityOrder: 3_000 }, business_rates: { summons: 10_000, liabilityOrder: 5_000 } },
  wales: { council_tax: { summons: 7_000, liabilityOrder: 0 }, business_rates: { summons: 10_000, liabilityOrder: 5_000 } },
} as const;

export function defaultTimetables(nation: Nation): Timetable[] {
  const common = { nation, name: DEFAULT_TIMETABLE_NAME, summonsServiceDays: 2, hearingMinDaysAfterService: 14, limitationYears: 6 };
  return [
    {
      ...common,
      stream: 'council_tax',
      effectiveFrom: DEFAULT_EFFECTIVE_FROM.council_tax,
      stages: [
        reminder('reminder_1', 'ct_reminder_1', ['reminder_2', 'summons']),
        reminder('reminder_2', 'ct_reminder_2', ['balance_due', 'summons']),
        ...tail('ct', COSTS[nation].council_tax),
      ],
    },
    {
      ...common,
      stream: 'business_rates',
      effectiveFrom: DEFAULT_EFFECTIVE_FROM.business_rates,
      stages: [reminder('reminder_1', 'nndr_reminder', ['balance_due', 'summons']), ...tail('nndr', COSTS[nation].business_rates)],
    },
  ];
}
