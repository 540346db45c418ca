// Holds: "pause recovery" with a type, a reason, dates and who decided, on an account or a customer.
// Creating, reviewing and ending a hold each write an event on the history and an audit row. When a
// hold ends, the recovery cases it covered are woken so the next daily run resumes them with fresh
// dates (the pure evaluation restarts any waiting period the hold interrupted).
import { z } from 'zod';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import { addDays, isAfter, isBefore, isIsoDate } from '../../domain/calendar.ts';
import {
  BREATHING_SPACE_MENTAL_HEALTH_AFTER_DAYS,
  breathingSpaceStandardExpiry,
  HOLD_LABELS,
  HOLD_TYPES,
  holdFreeFrom,
  isHoldActiveOn,
  type HoldType,
} from '../../domain/recovery/holds.ts';
import { longDate } from '../../domain/recovery/evaluate.ts';
import { ConflictError, NotFoundError, ValidationError, fieldProblemsFromZod } from '../../errors.ts';
import type { AccountsRepository } from '../accounts/accounts.repository.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';
import type { EventsRepository } from '../casework/events.repository.ts';
import type { CustomersRepository } from '../customers/customers.repository.ts';
import { toHoldRecord, type HoldRow, type HoldsRepository } from './holds.repository.ts';

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalDate = (message: string) => z.preprocess(blankToUndefined, z.string().refine(isIsoDate, message).optional());

export const holdSchema = z.object({
  type: z.enum(HOLD_TYPES, { message: 'Choose the type of hold' }),
  reason: z.string().trim().min(1, 'Enter why recovery is being held').max(2000, 'Reason must be 2,000 characters or fewer'),
  reference: z.preprocess(blankToUndefined, z.string().trim().max(100, 'Reference must be 100 characters or fewer').optional()),
  startsOn: optionalDate('Enter the start date as a real date, for example 2026-11-22'),
  reviewOn: optionalDate('Enter the review date as a real date, for example 2027-02-22'),
  expiresOn: optionalDate('Enter the end date as a real date, for example 2027-01-20'),
});

export const reviewSchema = z.object({
  note: z.string().trim().min(1, 'Enter what the review found').max(2000, 'Note must be 2,000 characters or fewer'),
  nextReviewOn: optionalDate('Enter the next review date as a real date'),
});

export const endSchema = z.object({
  reason: z.string().trim().min(1, 'Enter why the hold is ending').max(2000, 'Reason must be 2,000 characters or fewer'),
  endedOn: optionalDate('Enter the end date as a real date'),
  /** Breathing Space (mental health crisis): the day the crisis treatment ended; the hold runs 30 days more. */
  treatmentEndedOn: optionalDate('Enter the date the crisis treatment ended as a real date'),
});

export type HoldTarget = { accountId: number } | { customerId: number };

function parse<T>(schema: z.ZodType<T>, input: unknown, message: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ValidationError(message, fieldProblemsFromZod(parsed.error.issues));
  return parsed.data;
}

export function holdStatus(hold: HoldRow, today: string): 'active' | 'scheduled' | 'ended' {
  const record = toHoldRecord(hold);
  if (isHoldActiveOn(record, today)) return 'active';
  return isAfter(hold.starts_on, today) && !hold.ended_on ? 'scheduled' : 'ended';
}

export function createHoldsService(deps: {
  db: Db;
  clock: Clock;
  repo: HoldsRepository;
  accounts: AccountsRepository;
  customers: CustomersRepository;
  events: EventsRepository;
  audit: AuditRepository;
  /** Called inside the transaction that places a hold: enforcement recalls live referrals (Breathing Space, vulnerability). */
  afterPlaced?: (actor: Actor, hold: { id: number; type: HoldType; accountIds: number[] }, tx: Db) => Promise<unknown>;
}) {
  const { db, clock, repo, accounts, customers, events, audit, afterPlaced } = deps;

  async function resolve(actor: Actor, target: HoldTarget) {
    if ('accountId' in target) {
      const account = await accounts.findAccount(actor.authorityIds, target.accountId);
      if (!account) throw new NotFoundError(`Account ${target.accountId} was not found`);
      return { authorityId: account.authority_id, customerId: account.customer_id, accountId: account.id, label: `account ${account.reference}` };
    }
    const customer = await customers.findCustomer(actor.authorityIds, target.customerId);
    if (!customer) throw new NotFoundError(`Customer ${target.customerId} was not found`);
    return { authorityId: customer.authority_id, customerId: customer.id, accountId: null, label: customer.display_name };
  }

  async function requireHold(actor: Actor, holdId: number, tx: Db = db) {
    const hold = await repo.find(actor.authorityIds, holdId, tx);
    if (!hold) throw new NotFoundError(`Hold ${holdId} was not found`);
    return hold;
  }

  return {
    async createHold(actor: Actor, target: HoldTarget, input: unknown): Promise<number> {
      requirePermission(actor, 'holds.manage');
      const h = parse(holdSchema, input, 'Check the hold');
      const where = await resolve(actor, target);
      const today = clock.today();
      const startsOn = h.startsOn ?? today;
      const problems: { field: string; message: string }[] = [];
      let expiresOn = h.expiresOn ?? null;
      if (h.type === 'breathing_space_standard') expiresOn = breathingSpaceStandardExpiry(startsOn);
      if (h.type === 'breathing_space_mental_health' && expiresOn) problems.push({ field: 'expiresOn', message: 'A mental health crisis Breathing Space has no end date until the crisis treatment ends: leave the end date blank' });
      if (h.type === 'vulnerability' && !h.reviewOn) problems.push({ field: 'reviewOn', message: 'Enter a review date for a vulnerability hold' });
      if (h.reviewOn && isBefore(h.reviewOn, startsOn)) problems.push({ field: 'reviewOn', message: 'The review date must be on or after the start date' });
      if (expiresOn && isBefore(expiresOn, startsOn)) problems.push({ field: 'expiresOn', message: 'The end date must be on or after the start date' });
      if (isAfter(startsOn, addDays(today, 366))) problems.push({ field: 'startsOn', message: 'The start date must be within a year from today' });
      if (problems.length) throw new ValidationError('Check the hold', problems);

      return db.transaction(async (tx) => {
        const id = await repo.insert({
          authorityId: where.authorityId, accountId: where.accountId, customerId: where.accountId ? null : where.customerId, type: h.type,
          reason: h.reason, reference: h.reference ?? null, startsOn, expiresOn, reviewOn: h.reviewOn ?? null, decidedBy: actor.userId,
        }, actor.userId, tx);
        const period = expiresOn ? `from ${longDate(startsOn)} to ${longDate(expiresOn)}` : `from ${longDate(startsOn)}`;
        await events.insert({
          authorityId: where.authorityId, customerId: where.customerId, accountId: where.accountId, type: 'hold',
          summary: `Recovery held: ${HOLD_LABELS[h.type]} ${period}. ${h.reason}`,
          detail: { holdId: id, type: h.type, startsOn, expiresOn, reviewOn: h.reviewOn ?? null, on: where.accountId ? 'account' : 'customer' },
          byUserId: actor.userId, at: clock.now(),
        }, tx);
        await audit.record(actor, { action: 'create.hold', entityType: 'hold', entityId: id, authorityId: where.authorityId, detail: { type: h.type } }, tx);
        if (afterPlaced) await afterPlaced(actor, { id, type: h.type, accountIds: await repo.coveredAccounts({ account_id: where.accountId, customer_id: where.accountId ? null : where.customerId }, tx) }, tx);
        return id;
      });
    },

    async reviewHold(actor: Actor, holdId: number, input: unknown): Promise<void> {
      requirePermission(actor, 'holds.manage');
      const r = parse(reviewSchema, input, 'Check the review');
      const hold = await requireHold(actor, holdId);
      if (holdStatus(hold, clock.today()) === 'ended') throw new ConflictError('This hold has ended: it cannot be reviewed');
      const today = clock.today();
      if (r.nextReviewOn && !isAfter(r.nextReviewOn, today)) throw new ValidationError('Check the review', [{ field: 'nextReviewOn', message: 'The next review date must be after today' }]);
      await db.transaction(async (tx) => {
        await repo.addReview(holdId, { reviewedOn: today, note: r.note, nextReviewOn: r.nextReviewOn ?? null }, actor.userId, tx);
        await events.insert({
          authorityId: hold.authority_id, customerId: hold.subject_customer_id, accountId: hold.account_id, type: 'hold',
          summary: `Hold reviewed (${HOLD_LABELS[hold.type]}): ${r.note}${r.nextReviewOn ? ` Next review ${longDate(r.nextReviewOn)}.` : ''}`,
          detail: { holdId, review: true }, byUserId: actor.userId, at: clock.now(),
        }, tx);
        await audit.record(actor, { action: 'review.hold', entityType: 'hold', entityId: holdId, authorityId: hold.authority_id }, tx);
      });
    },

    async endHold(actor: Actor, holdId: number, input: unknown): Promise<void> {
      requirePermission(actor, 'holds.manage');
      const e = parse(endSchema, input, 'Check how the hold ends');
      const hold = await requireHold(actor, holdId);
      const today = clock.today();
      if (holdStatus(hold, today) === 'ended') throw new ConflictError('This hold has already ended');
      let endedOn: string | null = e.endedOn ?? today;
      let expiresOn: string | null = null;
      if (e.treatmentEndedOn) {
        if (hold.type !== 'breathing_space_mental_health') throw new ValidationError('Check how the hold ends', [{ field: 'treatmentEndedOn', message: 'Only a mental health crisis Breathing Space ends with the crisis treatment' }]);
        // Runs until 30 days after the treatment ends: the last day is treatment end + 30.
        expiresOn = addDays(e.treatmentEndedOn, BREATHING_SPACE_MENTAL_HEALTH_AFTER_DAYS);
        endedOn = null;
      }
      if (endedOn && isBefore(endedOn, hold.starts_on)) throw new ValidationError('Check how the hold ends', [{ field: 'endedOn', message: 'The hold cannot end before it started' }]);
      if (endedOn && isAfter(endedOn, today)) throw new ValidationError('Check how the hold ends', [{ field: 'endedOn', message: 'The end date cannot be in the future: end the hold on the day' }]);
      await db.transaction(async (tx) => {
        await repo.end(holdId, { endedOn, expiresOn, reason: e.reason }, actor.userId, tx);
        const free = holdFreeFrom({ ...toHoldRecord(hold), endedOn: endedOn ?? hold.ended_on, expiresOn: expiresOn ?? hold.expires_on })!;
        await repo.wakeRecoveryCases(await repo.coveredAccounts(hold, tx), free, tx);
        await events.insert({
          authorityId: hold.authority_id, customerId: hold.subject_customer_id, accountId: hold.account_id, type: 'hold',
          summary: expiresOn
            ? `Breathing Space crisis treatment ended ${longDate(e.treatmentEndedOn!)}: the hold runs to ${longDate(expiresOn)}. ${e.reason}`
            : `Hold ended (${HOLD_LABELS[hold.type]}) on ${longDate(endedOn!)}: recovery resumes with fresh dates. ${e.reason}`,
          detail: { holdId, endedOn, expiresOn }, byUserId: actor.userId, at: clock.now(),
        }, tx);
        await audit.record(actor, { action: 'end.hold', entityType: 'hold', entityId: holdId, authorityId: hold.authority_id }, tx);
      });
    },

    async getHold(actor: Actor, holdId: number) {
      requirePermission(actor, 'cases.view');
      const hold = await requireHold(actor, holdId);
      await audit.record(actor, { action: 'view.hold', entityType: 'hold', entityId: holdId, authorityId: hold.authority_id });
      // Safety warnings on anyone the hold is about, shown before anyone makes contact.
      const warnings = hold.account_id
        ? (await accounts.findAccount(actor.authorityIds, hold.account_id))?.warnings ?? []
        : hold.subject_warning ? [`${hold.subject_name}: ${hold.subject_warning}`] : [];
      return { hold, status: holdStatus(hold, clock.today()), reviews: await repo.reviews(holdId), warnings };
    },

    async holdsForAccount(actor: Actor, accountId: number) {
      requirePermission(actor, 'cases.view');
      const account = await accounts.accountScope(actor.authorityIds, accountId);
      if (!account) throw new NotFoundError(`Account ${accountId} was not found`);
      const today = clock.today();
      return (await repo.forAccount(accountId)).map((h) => ({ ...h, status: holdStatus(h, today) }));
    },

    async holdsForCustomer(actor: Actor, customerId: number) {
      requirePermission(actor, 'cases.view');
      const customer = await customers.findCustomer(actor.authorityIds, customerId);
      if (!customer) throw new NotFoundError(`Customer ${customerId} was not found`);
      const today = clock.today();
      return (await repo.forCustomer(customerId)).map((h) => ({ ...h, status: holdStatus(h, today) }));
    },

    async listHolds(actor: Actor, state: 'open' | 'review_due' | 'ended' = 'open') {
      requirePermission(actor, 'cases.view');
      const today = clock.today();
      return (await repo.list(actor.authorityIds, { state, today, limit: 500 })).map((h) => ({ ...h, status: holdStatus(h, today) }));
    },

    describeTarget: resolve,
  };
}
export type HoldsService = ReturnType<typeof createHoldsService>;
export const HOLD_TYPE_CHOICES = HOLD_TYPES.map((value) => ({ value, text: HOLD_LABELS[value] as string })) as { value: HoldType; text: string }[];
