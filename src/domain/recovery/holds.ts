// Holds: when recovery must stop or wait (DOMAIN.md §5). A hold sits on an account or on a customer
// (then on every account they are liable on), has a type, a reason, the date it starts, optionally
// the last day it runs (Breathing Space standard: 60 days) and a review date, and ends when an
// officer ends it. Recovery never escalates an account that carries an active hold that applies.
// Pure: no I/O.
import { addDays, compareDates, diffDays, isAfter, isOnOrBefore, maxDate, type IsoDate } from '../calendar.ts';

export const HOLD_TYPES = [
  'arrangement',
  'direct_debit',
  'dispute',
  'vulnerability',
  'breathing_space_standard',
  'breathing_space_mental_health',
  'insolvency',
  'deceased',
  'benefit_claim_pending',
] as const;
export type HoldType = (typeof HOLD_TYPES)[number];

export const HOLD_LABELS: Record<HoldType, string> = {
  arrangement: 'Arrangement in place',
  direct_debit: 'Direct Debit in force',
  dispute: 'Dispute or appeal',
  vulnerability: 'Vulnerability',
  breathing_space_standard: 'Breathing Space (standard)',
  breathing_space_mental_health: 'Breathing Space (mental health crisis)',
  insolvency: 'Insolvency',
  deceased: 'Deceased',
  benefit_claim_pending: 'Benefit claim pending (CTR or HB)',
};

export const HOLD_HINTS: Record<HoldType, string> = {
  arrangement: 'An agreed plan to clear the arrears. Recovery resumes where it paused if the arrangement is broken.',
  direct_debit: 'A new Direct Debit whose first collection will clear what is due. Returned collections still go to recovery.',
  dispute: 'A band appeal with the VOA, a liability dispute or a complaint being investigated.',
  vulnerability: 'Bereavement, mental health, disability, financial hardship, language. Set a review date and refer to advice.',
  breathing_space_standard: 'Debt Respite Scheme: 60 days from the start date the Insolvency Service notified.',
  breathing_space_mental_health: 'Debt Respite Scheme: lasts for the crisis treatment and 30 days after; notified with no end date.',
  insolvency: 'IVA, Debt Relief Order or bankruptcy: stop and lodge a claim.',
  deceased: 'Recover from the estate, not by enforcement.',
  benefit_claim_pending: 'A Council Tax Reduction or Housing Benefit claim that may reduce what is owed.',
};

/** Debt Respite Scheme (Breathing Space Moratorium…) Regulations 2020: a standard moratorium lasts 60 days. */
export const BREATHING_SPACE_STANDARD_DAYS = 60;
/** A mental health crisis moratorium ends 30 days after the crisis treatment ends (reg 32). */
export const BREATHING_SPACE_MENTAL_HEALTH_AFTER_DAYS = 30;

export const isBreathingSpace = (type: HoldType) => type === 'breathing_space_standard' || type === 'breathing_space_mental_health';

export interface HoldRecord {
  id: number;
  type: HoldType;
  reason: string;
  startsOn: IsoDate;
  /** Last day the hold runs (inclusive), when it has a fixed end (Breathing Space standard). */
  expiresOn: IsoDate | null;
  /** The day an officer ended it: from that day it no longer applies. */
  endedOn: IsoDate | null;
  reviewOn: IsoDate | null;
  on: 'account' | 'customer';
}

/** The last day of a standard Breathing Space starting on a date: 60 days beginning with that day. */
export function breathingSpaceStandardExpiry(startsOn: IsoDate): IsoDate {
  return addDays(startsOn, BREATHING_SPACE_STANDARD_DAYS - 1);
}

/** The first day a hold no longer applies (null: open-ended). */
export function holdFreeFrom(hold: HoldRecord): IsoDate | null {
  const fromExpiry = hold.expiresOn ? addDays(hold.expiresOn, 1) : null;
  if (hold.endedOn && fromExpiry) return compareDates(hold.endedOn, fromExpiry) < 0 ? hold.endedOn : fromExpiry;
  return hold.endedOn ?? fromExpiry;
}

export function isHoldActiveOn(hold: HoldRecord, date: IsoDate): boolean {
  if (isAfter(hold.startsOn, date)) return false;
  const free = holdFreeFrom(hold);
  return free === null || isAfter(free, date);
}

/** True when the hold was in force on any day from `from` to `to` inclusive. */
export function holdOverlaps(hold: HoldRecord, from: IsoDate, to: IsoDate): boolean {
  if (isAfter(hold.startsOn, to)) return false;
  const free = holdFreeFrom(hold);
  return free === null || isAfter(free, from);
}

/**
 * Breathing Space and council tax: a year's council tax is a qualifying debt only once all that year's
 * instalments are due and unpaid, or a reg 23 reminder has been served, at the start of the moratorium.
 * Later instalments of a year not in scope are ongoing liabilities: they are still collected.
 */
export function breathingSpaceCovers(params: {
  startsOn: IsoDate;
  lastInstalmentDueOn: IsoDate | null;
  unpaidAtStartPence: number;
  reminderServedOn: IsoDate | null;
}): boolean {
  if (params.reminderServedOn && isOnOrBefore(params.reminderServedOn, params.startsOn)) return true;
  const allDue = params.lastInstalmentDueOn === null || isOnOrBefore(params.lastInstalmentDueOn, params.startsOn);
  return allDue && params.unpaidAtStartPence > 0;
}

/**
 * A waiting period [from, until] that a hold interrupted starts again, in full, on the day the hold
 * no longer applies: "recovery resumes where it paused, with fresh dates". Returns the new end date
 * (unchanged when no hold touched the period; null while a hold with no end still applies).
 */
export function resumeAfterHolds(from: IsoDate, until: IsoDate, holds: readonly HoldRecord[]): IsoDate | null {
  const length = Math.max(0, diffDays(from, until));
  let start = from;
  let end = until;
  // Holds can chain (one starts while another runs): repeat until no hold touches the period.
  for (let guard = 0; guard < 50; guard++) {
    const touching = holds.filter((h) => holdOverlaps(h, start, end));
    if (!touching.length) return end;
    let free: IsoDate | null = start;
    for (const h of touching) {
      const f = holdFreeFrom(h);
      if (f === null) return null;
      free = maxDate(free, f);
    }
    start = free;
    end = addDays(free, length);
  }
  return end;
}

