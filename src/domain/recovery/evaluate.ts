// evaluate(snapshot, asOf) → decision: the recovery policy as one pure function (Kill Bill's overdue
// "condition evaluation"). Given one account's financial year — its current instalments, the
// ledger movements of that year, the recovery steps already taken, the holds and the timetable —
// it says where the account stands, which stage (if any) is due on the as-of date with its amounts
// and dates, which earlier steps now have an outcome (a reminder paid or not), and why.
//
// "Overdue" is measured without assuming the plan covers the whole year's charge, so a rebill's
// fresh plan for what is left works the same as the first bill's:
//   arrears(x, y) = what is owed for the year (charges, reductions and payments, not costs) as at y
//                   − the current plan's instalments falling due after x
// i.e. the unpaid part of the instalments due by x, counting money received by y.
import { addDays, addMonths, financialYearEnd, isAfter, isBefore, isOnOrBefore, type IsoDate } from '../calendar.ts';
import { formatPence } from '../money.ts';
import {
  breathingSpaceCovers,
  HOLD_LABELS,
  isBreathingSpace,
  isHoldActiveOn,
  resumeAfterHolds,
  holdFreeFrom,
  type HoldRecord,
} from './holds.ts';
import {
  earliestHearingDate,
  reminderStages,
  STAGE_LABELS,
  STAGES,
  stageOf,
  type RecoveryStream,
  type StageCode,
  type StageDefinition,
  type Timetable,
} from './timetable.ts';

export interface InstalmentDue {
  seq: number;
  dueOn: IsoDate;
  amountPence: number;
}

/** One ledger entry of the year: + owed (charge, cost, a returned payment), − credit. */
export interface Movement {
  on: IsoDate;
  amountPence: number;
  isCost: boolean;
}

export type StepOutcome = 'paid' | 'unpaid' | 'withdrawn' | 'granted' | 'dismissed';

export interface StepRecord {
  stage: StageCode;
  issuedOn: IsoDate;
  payBy: IsoDate | null;
  escalatesOn: IsoDate | null;
  balanceDueOn: IsoDate | null;
  amountPence: number;
  costsPence: number;
  outcome: StepOutcome | null;
  outcomeOn: IsoDate | null;
  /** Summons: the hearing it is listed for. */
  hearingOn?: IsoDate | null;
}

export interface RecoverySnapshot {
  accountId: number;
  financialYear: number;
  stream: RecoveryStream;
  timetable: Timetable;
  instalments: readonly InstalmentDue[];
  movements: readonly Movement[];
  steps: readonly StepRecord[];
  /** Holds on the account and on anyone liable on it, past and present. */
  holds: readonly HoldRecord[];
}

export interface StageAction {
  stage: StageCode;
  issueOn: IsoDate;
  payBy: IsoDate | null;
  /** From this day the next stage may be taken (a reminder: the day the whole balance falls due). */
  escalatesOn: IsoDate | null;
  /** The day the whole balance for the year falls due (lost instalments), when this stage fixes it. */
  balanceDueOn: IsoDate | null;
  /** What the notice asks for (pence), costs included. */
  demandPence: number;
  costsPence: number;
  instalmentsDemanded: { seq: number; dueOn: IsoDate; unpaidPence: number }[];
  /** Summons: the hearing must be on or after this date (service + 14 days). */
  earliestHearingOn: IsoDate | null;
  letterTemplate: string | null;
  reason: string;
}

export interface OutcomeToRecord {
  stage: StageCode;
  outcome: StepOutcome;
  on: IsoDate;
  reason: string;
}

/** Where an account's year stands: on instalments, at a stage, or finished. */
export type Position = 'on_instalments' | StageCode | 'paid' | 'withdrawn' | 'dismissed';

export const POSITION_LABELS: Record<Position, string> = {
  on_instalments: 'On instalments',
  ...STAGE_LABELS,
  paid: 'Paid',
  withdrawn: 'Summons withdrawn',
  dismissed: 'Summons dismissed',
};

export interface RecoveryDecision {
  accountId: number;
  financialYear: number;
  stream: RecoveryStream;
  position: Position;
  /** Where the year stood before today's stages (the same as position when there are none). */
  positionBefore: Position;
  /** Stages to take on the as-of date, in order (usually one; balance due is followed by its final notice). */
  actions: StageAction[];
  outcomes: OutcomeToRecord[];
  /** Set when a stage is due but a hold stops it: the stage(s) it would take and the holds. */
  held: { holds: HoldRecord[]; wouldTake: StageCode[] } | null;
  /** A problem an officer must look at (no plan, limitation, a stage the timetable does not allow). */
  exception: string | null;
  /** What happens next if nothing changes, and when. */
  nextAction: { description: string; on: IsoDate | null } | null;
  /** When the run must look at this year again even if no new instalment is missed. */
  reviewOn: IsoDate | null;
  reason: string;
  balancePence: number;
  arrearsPence: number;
  /** Reminders served for instalment failures this year (the daily run's SQL uses it). */
  remindersServed: number;
}

// -----------------------------------------------------------------------------------------------

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** "2026-05-08" → "8 May 2026". */
export function longDate(iso: IsoDate): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}
const money = formatPence;

/** The year's ledger and plan, asked questions by date. */
export class YearPosition {
  private readonly movements: readonly Movement[];
  private readonly instalments: readonly InstalmentDue[];
  constructor(movements: readonly Movement[], instalments: readonly InstalmentDue[]) {
    this.movements = movements;
    this.instalments = [...instalments].sort((a, b) => (a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : a.seq - b.seq));
  }

  /** Charges, reductions and payments (not costs) effective on or before the date. */
  owedExcludingCosts(on: IsoDate): number {
    let sum = 0;
    for (const m of this.movements) if (!m.isCost && m.on <= on) sum += m.amountPence;
    return sum;
  }

  /** Everything owed for the year on the date, costs included. */
  balance(on: IsoDate): number {
    let sum = 0;
    for (const m of this.movements) if (m.on <= on) sum += m.amountPence;
    return sum;
  }

  dueAfter(date: IsoDate): number {
    let sum = 0;
    for (const i of this.instalments) if (i.dueOn > date) sum += i.amountPence;
    return sum;
  }

  /** The unpaid part of the instalments due by `dueBy`, counting money received by `paidBy`. */
  arrears(dueBy: IsoDate, paidBy: IsoDate): number {
    return this.owedExcludingCosts(paidBy) - this.dueAfter(dueBy);
  }

  /**
   * Which instalments due by `dueBy` the arrears belong to: money pays the oldest first, so the
   * unpaid amounts sit on the latest instalments. The first of them is the failure.
   */
  unpaidInstalments(dueBy: IsoDate, paidBy: IsoDate): { seq: number; dueOn: IsoDate; unpaidPence: number }[] {
    let remaining = Math.max(0, this.arrears(dueBy, paidBy));
    const due = this.instalments.filter((i) => i.dueOn <= dueBy);
    const result: { seq: number; dueOn: IsoDate; unpaidPence: number }[] = [];
    for (let k = due.length - 1; k >= 0 && remaining > 0; k--) {
      const unpaid = Math.min(remaining, due[k].amountPence);
      result.unshift({ seq: due[k].seq, dueOn: due[k].dueOn, unpaidPence: unpaid });
      remaining -= unpaid;
    }
    // More owed than the instalments due (a charge raised without a new plan): it sits on the first.
    if (remaining > 0 && result.length) result[0] = { ...result[0], unpaidPence: result[0].unpaidPence + remaining };
    return result;
  }

  get hasPlan(): boolean {
    return this.instalments.length > 0;
  }

  get lastDueOn(): IsoDate | null {
    return this.instalments.length ? this.instalments[this.instalments.length - 1].dueOn : null;
  }

  nextInstalmentAfter(date: IsoDate): InstalmentDue | undefined {
    return this.instalments.find((i) => i.dueOn > date);
  }
}

/** The holds that apply to this year: every hold, except Breathing Space over a year not in its scope. */
export function holdsApplyingToYear(snapshot: RecoverySnapshot, year: YearPosition): HoldRecord[] {
  const firstReminder = snapshot.steps
    .filter((s) => s.stage === 'reminder_1' || s.stage === 'reminder_2')
    .map((s) => s.issuedOn)
    .sort()[0] ?? null;
  return snapshot.holds.filter((h) => {
    if (!isBreathingSpace(h.type)) return true;
    return breathingSpaceCovers({
      startsOn: h.startsOn,
      lastInstalmentDueOn: year.lastDueOn,
      unpaidAtStartPence: year.balance(h.startsOn),
      reminderServedOn: firstReminder,
    });
  });
}

type Walk =
  | { kind: 'on_instalments'; remindersServed: number; since: IsoDate | null }
  | { kind: 'awaiting'; stage: StageCode; payBy: IsoDate | null; payByWithoutHolds: IsoDate; demandPence: number; balanceFallsDueOn: IsoDate | null }
  | { kind: 'balance_due'; since: IsoDate; noticeServed: boolean; summonsFrom: IsoDate | null; summonsFromWithoutHolds: IsoDate | null; stage: StageCode }
  | { kind: 'summonsed'; hearingOn: IsoDate | null }
  | { kind: 'liability_order'; since: IsoDate }
  | { kind: 'closed'; position: 'withdrawn' | 'dismissed' };

const STAGE_ORDER = new Map<StageCode, number>(STAGES.map((s, i) => [s, i]));

function sortedSteps(steps: readonly StepRecord[]): StepRecord[] {
  return [...steps].sort((a, b) => (a.issuedOn < b.issuedOn ? -1 : a.issuedOn > b.issuedOn ? 1 : STAGE_ORDER.get(a.stage)! - STAGE_ORDER.get(b.stage)!));
}

function holdWords(holds: readonly HoldRecord[]): string {
  return holds.map((h) => `${HOLD_LABELS[h.type]}${h.reason ? ` (${h.reason})` : ''}`).join('; ');
}

export function evaluate(snapshot: RecoverySnapshot, asOf: IsoDate): RecoveryDecision {
  const tt = snapshot.timetable;
  const year = new YearPosition(snapshot.movements, snapshot.instalments);
  const holds = holdsApplyingToYear(snapshot, year);
  const activeHolds = holds.filter((h) => isHoldActiveOn(h, asOf));
  const steps = sortedSteps(snapshot.steps);
  const balanceNow = year.balance(asOf);
  const outcomes: OutcomeToRecord[] = [];
  const fyEnd = financialYearEnd({ startYear: snapshot.financialYear });
  const minimumOf = (stage: StageCode, fallback = 1) => Math.max(1, stageOf(tt, stage)?.minimumPence ?? fallback);

  const base = {
    accountId: snapshot.accountId,
    financialYear: snapshot.financialYear,
    stream: snapshot.stream,
    balancePence: balanceNow,
    arrearsPence: Math.max(0, year.hasPlan ? year.arrears(asOf, asOf) : year.owedExcludingCosts(asOf)),
  };

  // 1. Walk the steps already taken to find where the year stands, deciding outcomes that are now known.
  let walk: Walk = { kind: 'on_instalments', remindersServed: 0, since: null };
  let remindersServed = 0;
  for (const step of steps) {
    const def = stageOf(tt, step.stage);
    switch (step.stage) {
      case 'reminder_1':
      case 'reminder_2': {
        remindersServed++;
        const payBy = step.payBy ?? addDays(step.issuedOn, def?.payWithinDays ?? 7);
        const effectivePayBy = resumeAfterHolds(step.issuedOn, payBy, holds);
        let outcome = step.outcome;
        let outcomeOn = step.outcomeOn;
        if (!outcome && effectivePayBy && isAfter(asOf, effectivePayBy)) {
          const unpaid = year.arrears(effectivePayBy, effectivePayBy);
          outcome = unpaid < minimumOf(step.stage) ? 'paid' : 'unpaid';
          outcomeOn = effectivePayBy;
          outcomes.push({
            stage: step.stage,
            outcome,
            on: effectivePayBy,
            reason: outcome === 'paid'
              ? `${STAGE_LABELS[step.stage]} paid by ${longDate(effectivePayBy)}: back on instalments`
              : `${STAGE_LABELS[step.stage]} not paid by ${longDate(effectivePayBy)} (${money(unpaid)} unpaid): the right to instalments is lost`,
          });
        }
        if (outcome === 'paid') {
          walk = { kind: 'on_instalments', remindersServed, since: outcomeOn ?? effectivePayBy };
        } else if (outcome === 'unpaid') {
          const lostOn = outcomeOn ?? effectivePayBy ?? payBy;
          const escalateDays = def?.escalateAfterDays ?? 7;
          const dueOn = resumeAfterHolds(lostOn, addDays(lostOn, escalateDays), holds);
          walk = { kind: 'balance_due', since: dueOn ?? addDays(lostOn, escalateDays), noticeServed: true, summonsFrom: dueOn, summonsFromWithoutHolds: addDays(payBy, escalateDays), stage: step.stage };
        } else {
          walk = { kind: 'awaiting', stage: step.stage, payBy: effectivePayBy, payByWithoutHolds: payBy, demandPence: step.amountPence, balanceFallsDueOn: effectivePayBy ? addDays(effectivePayBy, def?.escalateAfterDays ?? 7) : null };
        }
        break;
      }
      case 'balance_due':
        walk = { kind: 'balance_due', since: step.balanceDueOn ?? step.issuedOn, noticeServed: false, summonsFrom: null, summonsFromWithoutHolds: null, stage: 'balance_due' };
        break;
      case 'final_notice': {
        const payBy = step.payBy ?? addDays(step.issuedOn, def?.payWithinDays ?? 7);
        const effectivePayBy = resumeAfterHolds(step.issuedOn, payBy, holds);
        if (!effectivePayBy || isOnOrBefore(asOf, effectivePayBy)) {
          walk = { kind: 'awaiting', stage: 'final_notice', payBy: effectivePayBy, payByWithoutHolds: payBy, demandPence: step.amountPence, balanceFallsDueOn: null };
        } else {
          const escalateDays = def?.escalateAfterDays ?? 1;
          const from = resumeAfterHolds(effectivePayBy, addDays(effectivePayBy, escalateDays), holds);
          walk = { kind: 'balance_due', since: step.balanceDueOn ?? step.issuedOn, noticeServed: true, summonsFrom: from, summonsFromWithoutHolds: addDays(payBy, escalateDays), stage: 'final_notice' };
        }
        break;
      }
      case 'summons': {
        let outcome = step.outcome;
        if (!outcome && balanceNow <= 0) {
          outcome = 'withdrawn';
          outcomes.push({ stage: 'summons', outcome, on: asOf, reason: 'Paid in full with costs before the hearing: the application is withdrawn' });
        }
        walk = outcome === 'withdrawn' || outcome === 'dismissed' ? { kind: 'closed', position: outcome } : { kind: 'summonsed', hearingOn: step.hearingOn ?? null };
        break;
      }
      case 'liability_order':
        walk = { kind: 'liability_order', since: step.issuedOn };
        break;
    }
  }

  const actions: StageAction[] = [];
  let exception: string | null = null;
  let nextAction: RecoveryDecision['nextAction'] = null;
  let reviewOn: IsoDate | null = null;
  let position: Position = 'on_instalments';
  let reason = '';
  /** A stage (or the reminder's outcome) that would be due today but for a hold that pushed its date. */
  let deferred: { stage: StageCode | null; what: string } | null = null;

  const finalNoticeAction = (balanceDueOn: IsoDate, why: string | null): StageAction | null => {
    const fn = stageOf(tt, 'final_notice');
    if (!fn) return null;
    if (isBefore(asOf, addDays(balanceDueOn, fn.issueAfterDays)) || balanceNow < Math.max(1, fn.minimumPence)) return null;
    const payBy = addDays(asOf, fn.payWithinDays ?? 7);
    return {
      stage: 'final_notice', issueOn: asOf, payBy, escalatesOn: addDays(payBy, fn.escalateAfterDays ?? 1), balanceDueOn,
      demandPence: balanceNow, costsPence: fn.costsPence, instalmentsDemanded: [], earliestHearingOn: null, letterTemplate: fn.letterTemplate,
      reason: `${why ? `${why}. ` : ''}Final notice: pay ${money(balanceNow)} by ${longDate(payBy)}`,
    };
  };

  // 2. From where the year stands, what is due today.
  switch (walk.kind) {
    case 'on_instalments': {
      const reminders = reminderStages(tt);
      const next: StageDefinition | undefined = reminders[walk.remindersServed];
      const balanceDue = stageOf(tt, 'balance_due');
      const yearEnded = isAfter(asOf, fyEnd);
      if (!year.hasPlan) {
        const owed = year.owedExcludingCosts(asOf);
        if (owed < minimumOf('balance_due', 500)) {
          position = balanceNow <= 0 && steps.length ? 'paid' : 'on_instalments';
          reason = owed > 0 ? `${money(owed)} owed, below the minimum for recovery` : 'Nothing owed for the year';
          break;
        }
        if (!yearEnded) {
          exception = `No current instalment plan for ${snapshot.financialYear}/${String((snapshot.financialYear + 1) % 100).padStart(2, '0')} but ${money(owed)} is owed: the bill needs an instalment plan before recovery can tell what has fallen due`;
          reason = exception;
          reviewOn = addDays(asOf, 1);
          break;
        }
        if (!balanceDue) {
          exception = 'The timetable has no balance due stage';
          reason = exception;
          break;
        }
        const why = `The ${snapshot.financialYear}/${String((snapshot.financialYear + 1) % 100).padStart(2, '0')} year has ended with ${money(owed)} unpaid and no instalment plan: the balance is due`;
        actions.push({
          stage: 'balance_due', issueOn: asOf, payBy: null, escalatesOn: null, balanceDueOn: asOf, demandPence: balanceNow, costsPence: balanceDue.costsPence,
          instalmentsDemanded: [], earliestHearingOn: null, letterTemplate: balanceDue.letterTemplate, reason: why,
        });
        const fn = finalNoticeAction(asOf, null);
        if (fn) actions.push(fn);
        break;
      }
      // The stage a new failure leads to: the next reminder; once reminders are used up (CT: third
      // failure) or the year has ended with none served, the balance falls due without one.
      const useBalanceDue = !next || (yearEnded && walk.remindersServed === 0);
      const stage = useBalanceDue ? balanceDue : next;
      if (!stage) {
        exception = 'The timetable has no stage for a missed instalment';
        reason = exception;
        break;
      }
      const lookBackTo = addDays(asOf, -stage.issueAfterDays);
      const arrears = year.arrears(lookBackTo, asOf);
      if (arrears < Math.max(1, stage.minimumPence)) {
        const upcoming = year.nextInstalmentAfter(asOf);
        const overdueNow = year.arrears(asOf, asOf);
        if (overdueNow >= Math.max(1, stage.minimumPence)) {
          const failed = year.unpaidInstalments(asOf, asOf)[0];
          const when = addDays(failed.dueOn, stage.issueAfterDays);
          nextAction = { description: `${STAGE_LABELS[stage.stage]} if ${money(overdueNow)} overdue is still unpaid`, on: isAfter(when, asOf) ? when : addDays(asOf, 1) };
          reason = `Instalment due ${longDate(failed.dueOn)} unpaid; ${STAGE_LABELS[stage.stage].toLowerCase()} not due until ${longDate(nextAction.on!)}`;
        } else {
          nextAction = upcoming ? { description: `Instalment ${upcoming.seq} of ${money(upcoming.amountPence)} due`, on: upcoming.dueOn } : null;
          reason = walk.remindersServed ? 'Back on instalments and up to date' : 'Instalments paid up to date';
        }
        position = balanceNow <= 0 && steps.length ? 'paid' : 'on_instalments';
        break;
      }
      const unpaid = year.unpaidInstalments(lookBackTo, asOf);
      const failure = unpaid[0];
      const failureWords = `${money(failure.unpaidPence)} of instalment ${failure.seq} due ${longDate(failure.dueOn)}${unpaid.length > 1 ? ` and ${unpaid.length - 1} later instalment${unpaid.length > 2 ? 's' : ''}` : ''} unpaid (${money(arrears)} in all)`;
      if (stage.trigger === 'missed_instalment') {
        const payBy = addDays(asOf, stage.payWithinDays ?? 7);
        const escalatesOn = addDays(payBy, stage.escalateAfterDays ?? 7);
        const demanded = year.unpaidInstalments(payBy, asOf);
        const demand = Math.max(arrears, year.arrears(payBy, asOf));
        actions.push({
          stage: stage.stage, issueOn: asOf, payBy, escalatesOn, balanceDueOn: escalatesOn, demandPence: demand, costsPence: stage.costsPence,
          instalmentsDemanded: demanded, earliestHearingOn: null, letterTemplate: stage.letterTemplate,
          reason: `Failure ${walk.remindersServed + 1} in the year: ${failureWords}. ${STAGE_LABELS[stage.stage]}: pay ${money(demand)} by ${longDate(payBy)} or the balance of ${money(year.owedExcludingCosts(asOf))} falls due on ${longDate(escalatesOn)}`,
        });
      } else {
        const balanceDueOn = yearEnded && walk.remindersServed === 0 ? asOf : addDays(failure.dueOn, stage.issueAfterDays);
        const why = yearEnded && walk.remindersServed === 0
          ? `The year has ended with ${money(arrears)} unpaid and no reminder served: the balance is due`
          : `Failure ${walk.remindersServed + 1} in the year after ${walk.remindersServed} reminder${walk.remindersServed === 1 ? '' : 's'}: ${failureWords}. The balance fell due on ${longDate(balanceDueOn)} without a further reminder`;
        actions.push({
          stage: 'balance_due', issueOn: asOf, payBy: null, escalatesOn: null, balanceDueOn, demandPence: balanceNow, costsPence: stage.costsPence,
          instalmentsDemanded: unpaid, earliestHearingOn: null, letterTemplate: stage.letterTemplate, reason: why,
        });
        const fn = finalNoticeAction(balanceDueOn, null);
        if (fn) actions.push(fn);
      }
      break;
    }
    case 'awaiting': {
      position = walk.stage;
      if (isAfter(asOf, walk.payByWithoutHolds) && (walk.payBy === null || isOnOrBefore(asOf, walk.payBy))) {
        deferred = { stage: null, what: `${STAGE_LABELS[walk.stage].toLowerCase()}: its pay-by date of ${longDate(walk.payByWithoutHolds)} passed during the hold` };
      }
      if (walk.payBy === null) {
        reason = `${STAGE_LABELS[walk.stage]} paused by a hold with no end date`;
        nextAction = { description: 'Recovery resumes with fresh dates when the hold ends', on: null };
        break;
      }
      reviewOn = addDays(walk.payBy, 1);
      reason = `${STAGE_LABELS[walk.stage]}: ${money(walk.demandPence)} to pay by ${longDate(walk.payBy)}`;
      nextAction = walk.balanceFallsDueOn
        ? { description: `If unpaid, the balance of ${money(year.owedExcludingCosts(asOf))} falls due`, on: walk.balanceFallsDueOn }
        : { description: 'If unpaid, a summons', on: addDays(walk.payBy, stageOf(tt, 'final_notice')?.escalateAfterDays ?? 1) };
      break;
    }
    case 'balance_due': {
      position = walk.stage === 'final_notice' ? 'final_notice' : 'balance_due';
      if (balanceNow <= 0) {
        position = 'paid';
        reason = `Paid: nothing owed for the year (balance fell due ${longDate(walk.since)})`;
        break;
      }
      if (!walk.noticeServed) {
        const why = `Balance of ${money(balanceNow)} due since ${longDate(walk.since)} and no reminder covered it`;
        const fn = finalNoticeAction(walk.since, why);
        if (fn) actions.push(fn);
        else {
          const fnDef = stageOf(tt, 'final_notice');
          const on = fnDef ? addDays(walk.since, fnDef.issueAfterDays) : null;
          reviewOn = on && isAfter(on, asOf) ? on : null;
          nextAction = { description: 'Final notice', on };
          reason = fnDef && balanceNow < fnDef.minimumPence ? `${money(balanceNow)} owed: below the final notice minimum` : why;
        }
        break;
      }
      const summons = stageOf(tt, 'summons');
      if (!summons) {
        exception = 'The timetable has no summons stage';
        reason = exception;
        break;
      }
      const summonsWithoutHolds = walk.summonsFromWithoutHolds ? addDays(walk.summonsFromWithoutHolds, summons.issueAfterDays) : null;
      if (summonsWithoutHolds && !isBefore(asOf, summonsWithoutHolds) && (walk.summonsFrom === null || isBefore(asOf, addDays(walk.summonsFrom, summons.issueAfterDays)))) {
        deferred = { stage: 'summons', what: `summons: due from ${longDate(summonsWithoutHolds)}` };
      }
      if (walk.summonsFrom === null) {
        reason = 'Balance due; summons paused by a hold with no end date';
        nextAction = { description: 'Recovery resumes with fresh dates when the hold ends', on: null };
        break;
      }
      const summonsOn = addDays(walk.summonsFrom, summons.issueAfterDays);
      if (isBefore(asOf, summonsOn)) {
        reviewOn = summonsOn;
        nextAction = { description: `Summons if ${money(balanceNow)} is still unpaid`, on: summonsOn };
        reason = `Balance of ${money(balanceNow)} due; summons no earlier than ${longDate(summonsOn)}`;
        break;
      }
      if (balanceNow < Math.max(1, summons.minimumPence)) {
        reason = `${money(balanceNow)} owed: below the summons minimum of ${money(summons.minimumPence)}; an officer decides what next`;
        nextAction = { description: 'Officer to decide (below the summons minimum)', on: null };
        break;
      }
      const limit = addMonths(walk.since, 12 * tt.limitationYears);
      if (isAfter(asOf, limit)) {
        exception = `More than ${tt.limitationYears} years since the balance fell due on ${longDate(walk.since)}: a liability order cannot be sought (reg 34(3))`;
        reason = exception;
        break;
      }
      const demand = balanceNow + summons.costsPence;
      actions.push({
        stage: 'summons', issueOn: asOf, payBy: null, escalatesOn: null, balanceDueOn: walk.since, demandPence: demand, costsPence: summons.costsPence,
        instalmentsDemanded: [], earliestHearingOn: earliestHearingDate(tt, asOf), letterTemplate: summons.letterTemplate,
        reason: `${money(balanceNow)} unpaid since the balance fell due on ${longDate(walk.since)}${walk.stage === 'final_notice' ? ' and the final notice expired' : ' after the reminder was not paid'}. Summons with ${money(summons.costsPence)} costs; hearing on or after ${longDate(earliestHearingDate(tt, asOf))}`,
      });
      break;
    }
    case 'summonsed':
      position = 'summons';
      reviewOn = addDays(asOf, 1);
      reason = `Summonsed: ${money(balanceNow)} including costs to pay before the hearing${walk.hearingOn ? ` on ${longDate(walk.hearingOn)}` : ''}`;
      nextAction = { description: 'Hearing: the application is withdrawn if paid in full with costs before it', on: walk.hearingOn };
      break;
    case 'liability_order':
      position = balanceNow <= 0 ? 'paid' : 'liability_order';
      reason = balanceNow <= 0 ? 'Paid after the liability order' : `Liability order granted ${longDate(walk.since)}: ${money(balanceNow)} outstanding`;
      nextAction = balanceNow <= 0 ? null : { description: 'Choose enforcement: arrangement, attachment of earnings or benefits, or enforcement agent', on: null };
      break;
    case 'closed':
      position = walk.position;
      if (balanceNow > 0) {
        exception = `${POSITION_LABELS[walk.position]} but ${money(balanceNow)} is owed for the year: an officer must decide what next`;
        reason = exception;
      } else reason = `${POSITION_LABELS[walk.position]}; nothing owed`;
      break;
  }

  // 3. The timetable decides which stage may follow which.
  let previous: StageCode | undefined = steps.length ? steps[steps.length - 1].stage : undefined;
  for (const action of actions) {
    if (previous) {
      const allowed = stageOf(tt, previous)?.nextStages ?? [];
      if (!allowed.includes(action.stage)) {
        exception = `The timetable does not allow ${STAGE_LABELS[action.stage].toLowerCase()} after ${STAGE_LABELS[previous].toLowerCase()}`;
        break;
      }
    }
    previous = action.stage;
  }
  if (exception && actions.length) {
    reason = `${exception}. ${actions.map((a) => a.reason).join('. ')}`;
    actions.length = 0;
    reviewOn = addDays(asOf, 1);
  }

  const positionBeforeActions = position;
  if (actions.length) {
    position = actions[actions.length - 1].stage;
    reason = actions.map((a) => a.reason).join('. ');
    const last = actions[actions.length - 1];
    reviewOn = last.payBy ? addDays(last.payBy, 1) : last.stage === 'summons' ? addDays(asOf, 1) : null;
    nextAction = last.payBy ? { description: `Pay ${money(last.demandPence)} by`, on: last.payBy } : last.stage === 'summons' ? { description: 'Hearing', on: last.earliestHearingOn } : null;
  }

  // 4. A held year never escalates: no stage, and no outcome that moves it on ("instalments lost").
  if (activeHolds.length && (actions.length || outcomes.some((o) => o.outcome === 'unpaid') || deferred)) {
    const wouldTake = actions.length ? actions.map((a) => a.stage) : deferred?.stage ? [deferred.stage] : [];
    const kept = outcomes.filter((o) => o.outcome !== 'unpaid');
    const frees = activeHolds.map(holdFreeFrom);
    const freeOn = frees.includes(null) ? null : frees.reduce<IsoDate | null>((a, b) => (!a || (b && b > a) ? b : a), null);
    return {
      ...base,
      remindersServed,
      positionBefore: positionBeforeActions,
      position: outcomes.find((o) => o.outcome === 'unpaid')?.stage ?? positionBeforeActions,
      actions: [],
      outcomes: kept,
      held: { holds: activeHolds, wouldTake },
      exception: null,
      nextAction: { description: `Held (${holdWords(activeHolds)}); then ${wouldTake.length ? wouldTake.map((s) => STAGE_LABELS[s].toLowerCase()).join(' and ') : 'recovery resumes'} with fresh dates`, on: freeOn },
      reviewOn: freeOn,
      reason: `Held: ${holdWords(activeHolds)}. Would have taken: ${actions.length ? actions.map((a) => a.reason).join('. ') : outcomes.some((o) => o.outcome === 'unpaid') ? outcomes.filter((o) => o.outcome === 'unpaid').map((o) => o.reason).join('. ') : deferred!.what}`,
    };
  }

  const served = remindersServed + actions.filter((a) => a.stage === 'reminder_1' || a.stage === 'reminder_2').length;
  return { ...base, remindersServed: served, position, positionBefore: positionBeforeActions, actions, outcomes, held: null, exception, nextAction, reviewOn, reason };
}

/** The liability order stage when the court grants one: its costs and the amount the order is for. */
export function liabilityOrderAction(snapshot: RecoverySnapshot, grantedOn: IsoDate): StageAction {
  const lo = stageOf(snapshot.timetable, 'liability_order');
  const year = new YearPosition(snapshot.movements, snapshot.instalments);
  const balance = year.balance(grantedOn);
  const costs = lo?.costsPence ?? 0;
  return {
    stage: 'liability_order', issueOn: grantedOn, payBy: null, escalatesOn: null, balanceDueOn: null, demandPence: balance + costs, costsPence: costs,
    instalmentsDemanded: [], earliestHearingOn: null, letterTemplate: lo?.letterTemplate ?? null,
    reason: `Liability order granted on ${longDate(grantedOn)} for ${money(balance + costs)} including ${money(costs)} costs`,
  };
}
