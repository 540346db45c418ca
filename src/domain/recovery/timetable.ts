// Recovery timetables as data (Kill Bill's "overdue states", OCA's "policy → level"): for each
// billing authority and debt stream, effective-dated, the stages recovery goes through, what
// triggers each, its offsets in days, its minimum amount, its costs, its letter and which stages may
// follow it. The statutory skeleton (SI 1992/613 regs 23, 33–35 for council tax; SI 1989/1058 regs
// 7–12 for business rates) is checked by validateTimetable; within it each council sets its own
// offsets, amounts and templates. Pure: no I/O.
import { addDays, compareDates, type IsoDate } from '../calendar.ts';
import type { Nation } from '../law/rules.ts';

export const RECOVERY_STREAMS = ['council_tax', 'business_rates'] as const;
export type RecoveryStream = (typeof RECOVERY_STREAMS)[number];

/** Stages in the order a case can move through them. */
export const STAGES = ['reminder_1', 'reminder_2', 'balance_due', 'final_notice', 'summons', 'liability_order'] as const;
export type StageCode = (typeof STAGES)[number];

export const STAGE_LABELS: Record<StageCode, string> = {
  reminder_1: 'First reminder',
  reminder_2: 'Second reminder',
  balance_due: 'Balance due (instalments lost)',
  final_notice: 'Final notice',
  summons: 'Summons',
  liability_order: 'Liability order',
};

/**
 * What makes a stage due.
 * - missed_instalment: an instalment unpaid issueAfterDays after it fell due (one reminder stage per
 *   failure in the year, in order: reg 23(1) and (3)–(4)).
 * - final_failure: a failure after every reminder stage has been used (CT: the third; NNDR: the
 *   second), or a year that ended with no reminder served: the balance falls due without a reminder.
 * - balance_due_without_reminder: the balance fell due and no reminder covered it; a notice is needed
 *   before a liability order can be sought (reg 33(1)).
 * - balance_unpaid: the balance is still unpaid issueAfterDays after it fell due / the notice expired.
 * - court_granted: the magistrates granted a liability order (recorded from the court's outcomes).
 */
export const TRIGGERS = ['missed_instalment', 'final_failure', 'balance_due_without_reminder', 'balance_unpaid', 'court_granted'] as const;
export type Trigger = (typeof TRIGGERS)[number];

export interface StageDefinition {
  readonly stage: StageCode;
  readonly trigger: Trigger;
  /** Days after the trigger date before the stage may be taken (reminder: after the missed due date). */
  readonly issueAfterDays: number;
  /** Pay-by date = issue date + this; null when the stage sets no pay-by date. */
  readonly payWithinDays: number | null;
  /**
   * Days after the pay-by date before the next stage may be taken. For a reminder this is when the
   * whole balance falls due if it is not paid (reg 23(2): a further 7 days).
   */
  readonly escalateAfterDays: number | null;
  /** The stage is not taken for less than this outstanding (pence). */
  readonly minimumPence: number;
  /** Costs added to the account when the stage is taken (summons, liability order). */
  readonly costsPence: number;
  /** The letter sent (see src/modules/recovery/letters.ts); null when no letter goes. */
  readonly letterTemplate: string | null;
  readonly nextStages: readonly StageCode[];
}

export interface Timetable {
  readonly id?: number;
  readonly authorityId?: number;
  readonly stream: RecoveryStream;
  readonly nation: Nation;
  /** First day the timetable applies; the latest one on or before a run's as-of date is used. */
  readonly effectiveFrom: IsoDate;
  readonly name: string;
  /** Days from issuing a summons by post to its deemed service. */
  readonly summonsServiceDays: number;
  /** Reg 35(2A): the hearing is at least 14 days after the summons is served. */
  readonly hearingMinDaysAfterService: number;
  /** Reg 34(3): no liability order application more than 6 years after the sum fell due. */
  readonly limitationYears: number;
  readonly stages: readonly StageDefinition[];
}

export function stageOf(timetable: Timetable, stage: StageCode): StageDefinition | undefined {
  return timetable.stages.find((s) => s.stage === stage);
}

/** The reminder stages, in order: the nth instalment failure of a year gets the nth of these. */
export function reminderStages(timetable: Timetable): StageDefinition[] {
  return STAGES.map((code) => stageOf(timetable, code)).filter((s): s is StageDefinition => s?.trigger === 'missed_instalment');
}

/** The timetable in force on a date for a stream: the latest effectiveFrom on or before it. */
export function timetableInForce(timetables: readonly Timetable[], stream: RecoveryStream, onDate: IsoDate): Timetable | undefined {
  return timetables
    .filter((t) => t.stream === stream && compareDates(t.effectiveFrom, onDate) <= 0)
    .reduce<Timetable | undefined>((best, t) => (!best || compareDates(t.effectiveFrom, best.effectiveFrom) > 0 ? t : best), undefined);
}

/** Earliest hearing date for a summons issued on a date: service + the statutory 14 days. */
export function earliestHearingDate(timetable: Timetable, issuedOn: IsoDate): IsoDate {
  return addDays(issuedOn, timetable.summonsServiceDays + timetable.hearingMinDaysAfterService);
}

// Statutory limits a council's own timetable must keep to.
const LAW = {
  /** Reg 23(2) CT, reg 8 NNDR: 7 days to pay a reminder, then a further 7 before the balance falls due. */
  reminderPayDays: 7,
  reminderEscalateDays: 7,
  /** Reg 23: at most two reminders for instalment failures a year (CT); NNDR reg 8: one. */
  maxReminders: { council_tax: 2, business_rates: 1 } as Record<RecoveryStream, number>,
  /** Reg 35(2A). */
  hearingMinDays: 14,
  /** Reg 34(3). */
  limitationYears: 6,
  /** Wales caps council tax summons and liability order costs together (DOMAIN.md §4: £70). */
  walesCouncilTaxCostsCapPence: 7_000,
};

/** Problems with a timetable, in words (empty when it is within the law and well formed). */
export function validateTimetable(timetable: Timetable): string[] {
  const problems: string[] = [];
  const seen = new Set<StageCode>();
  for (const s of timetable.stages) {
    if (!(STAGES as readonly string[]).includes(s.stage)) problems.push(`unknown stage "${s.stage}"`);
    if (seen.has(s.stage)) problems.push(`${s.stage} appears twice`);
    seen.add(s.stage);
    if (!(TRIGGERS as readonly string[]).includes(s.trigger)) problems.push(`${s.stage}: unknown trigger "${s.trigger}"`);
    for (const [name, value] of [['issueAfterDays', s.issueAfterDays], ['payWithinDays', s.payWithinDays], ['escalateAfterDays', s.escalateAfterDays], ['minimumPence', s.minimumPence], ['costsPence', s.costsPence]] as const) {
      if (value !== null && (!Number.isSafeInteger(value) || value < 0)) problems.push(`${s.stage}: ${name} must be a whole number of at least 0`);
    }
    for (const next of s.nextStages) {
      if (!timetable.stages.some((t) => t.stage === next)) problems.push(`${s.stage}: next stage ${next} is not in the timetable`);
      if (STAGES.indexOf(next) <= STAGES.indexOf(s.stage)) problems.push(`${s.stage}: next stage ${next} would go backwards`);
    }
    if (s.payWithinDays !== null && s.letterTemplate === null) problems.push(`${s.stage}: a pay-by date needs a letter to tell the customer`);
  }
  const required: [StageCode, Trigger][] = [['balance_due', 'final_failure'], ['final_notice', 'balance_due_without_reminder'], ['summons', 'balance_unpaid'], ['liability_order', 'court_granted']];
  for (const [stage, trigger] of required) {
    const s = stageOf(timetable, stage);
    if (!s) problems.push(`the timetable needs a ${stage} stage`);
    else if (s.trigger !== trigger) problems.push(`${stage}: trigger must be ${trigger}`);
  }
  const reminders = timetable.stages.filter((s) => s.trigger === 'missed_instalment');
  if (reminders.length > LAW.maxReminders[timetable.stream]) {
    problems.push(`${timetable.stream === 'council_tax' ? 'council tax allows at most two reminders' : 'business rates allow one reminder'} for instalment failures in a year`);
  }
  reminders.forEach((r, i) => {
    if (r.stage !== `reminder_${i + 1}`) problems.push(`${r.stage}: reminder stages must be reminder_1 then reminder_2`);
    if (r.issueAfterDays < 1) problems.push(`${r.stage}: a reminder can only be issued after the instalment was missed (issueAfterDays ≥ 1)`);
    if (r.payWithinDays === null || r.payWithinDays < LAW.reminderPayDays) problems.push(`${r.stage}: the customer must have at least 7 days to pay a reminder (reg 23(2))`);
    if (r.escalateAfterDays === null || r.escalateAfterDays < LAW.reminderEscalateDays) problems.push(`${r.stage}: the balance cannot fall due until a further 7 days after the reminder expires (reg 23(2))`);
    if (!r.letterTemplate) problems.push(`${r.stage}: a reminder must be sent as a letter`);
  });
  const finalNotice = stageOf(timetable, 'final_notice');
  if (finalNotice && (!finalNotice.letterTemplate || finalNotice.payWithinDays === null || finalNotice.escalateAfterDays === null)) {
    problems.push('final_notice: needs a letter, a pay-by period and an escalation period');
  }
  const summons = stageOf(timetable, 'summons');
  if (summons && !summons.letterTemplate) problems.push('summons: needs a letter');
  if (timetable.hearingMinDaysAfterService < LAW.hearingMinDays) problems.push('the hearing must be at least 14 days after the summons is served (reg 35(2A))');
  if (!Number.isSafeInteger(timetable.summonsServiceDays) || timetable.summonsServiceDays < 0) problems.push('summonsServiceDays must be a whole number of at least 0');
  if (timetable.limitationYears > LAW.limitationYears || timetable.limitationYears < 1) problems.push('a liability order cannot be sought more than 6 years after the sum fell due (reg 34(3))');
  if (timetable.nation === 'wales' && timetable.stream === 'council_tax') {
    const costs = (summons?.costsPence ?? 0) + (stageOf(timetable, 'liability_order')?.costsPence ?? 0);
    if (costs > LAW.walesCouncilTaxCostsCapPence) problems.push('in Wales council tax summons and liability order costs together may not exceed £70');
  }
  return problems;
}
