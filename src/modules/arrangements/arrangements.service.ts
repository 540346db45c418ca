// Arrangements (DOMAIN.md §6): an agreed plan to clear one or more of a customer's accounts, judged
// affordable from an income and expenditure statement. While it runs, each account carries an
// 'arrangement' hold (the holds module's mechanism), so recovery waits. The monitor compares what
// should have been paid with what was paid; short beyond the council's tolerance, it is broken: the
// holds end (recovery resumes with fresh dates) and the customer gets a letter. Paid in full, it is kept.
import { z } from 'zod';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import { addDays, addMonths, isAfter, isBefore, isIsoDate } from '../../domain/calendar.ts';
import { formatPence } from '../../domain/money.ts';
import { longDate } from '../../domain/recovery/evaluate.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';
import type { EventsRepository } from '../casework/events.repository.ts';
import { letterheadFor, type DocumentsService, type LetterToIssue } from '../documents/documents.service.ts';
import type { HoldsRepository } from '../holds/holds.repository.ts';
import { affordability, FREQUENCIES, SFS_CATEGORIES, SFS_LABELS, type Frequency, type SfsCategory } from './affordability.ts';
import type { ArrangementsRepository } from './arrangements.repository.ts';
import { accountBalances, customerRecipient, parse } from './recipient.ts';

const pence = (label: string) => z.coerce.number({ message: `Enter ${label} in pence` }).int(`Enter ${label} as a whole number of pence`).min(0, `${label} cannot be negative`);

export const statementSchema = z.object({
  adults: z.coerce.number().int().min(1, 'Enter at least 1 adult').max(20).default(1),
  children: z.coerce.number().int().min(0).max(20).default(0),
  lines: z.object(Object.fromEntries(SFS_CATEGORIES.map((c) => [c, pence(SFS_LABELS[c]).default(0)])) as Record<SfsCategory, z.ZodDefault<z.ZodNumber>>),
});

export const arrangementSchema = z.object({
  accountIds: z.array(z.coerce.number().int().positive()).min(1, 'Choose at least one account'),
  frequency: z.enum(FREQUENCIES as [Frequency, ...Frequency[]], { message: 'Choose weekly, fortnightly or monthly' }),
  instalmentPence: z.coerce.number({ message: 'Enter the instalment in pence' }).int('Enter the instalment as a whole number of pence').positive('Enter an instalment of more than 0'),
  startsOn: z.string().refine(isIsoDate, 'Enter the first payment date as a real date, for example 2026-12-01'),
  statementId: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().positive().optional()),
});

/** The council's monitoring tolerance: a payment late by up to graceDays, or short by up to tolerancePence, does not break an arrangement. */
export const monitoringSettingsSchema = z.object({
  graceDays: z.coerce.number({ message: 'Enter the days of grace as a whole number' }).int('Enter the days of grace as a whole number').min(0, 'Days of grace cannot be negative').max(60, 'Days of grace can be at most 60'),
  tolerancePence: z.coerce.number({ message: 'Enter the shortfall allowed in pence' }).int('Enter the shortfall allowed as a whole number of pence').min(0, 'The shortfall allowed cannot be negative').max(100_000, 'The shortfall allowed can be at most £1,000.00'),
});

/** The instalments that clear `total` at `amount` each (the last one smaller), from `startsOn`. */
export function scheduleInstalments(total: number, amount: number, frequency: Frequency, startsOn: string): { dueOn: string; amountPence: number }[] {
  const out: { dueOn: string; amountPence: number }[] = [];
  let left = total;
  for (let i = 0; left > 0; i++) {
    const dueOn = frequency === 'monthly' ? addMonths(startsOn, i) : addDays(startsOn, (frequency === 'weekly' ? 7 : 14) * i);
    const amountPence = Math.min(amount, left);
    out.push({ dueOn, amountPence });
    left -= amountPence;
  }
  return out;
}

const MAX_INSTALMENTS = 260;

export function createArrangementsService(deps: {
  db: Db;
  clock: Clock;
  repo: ArrangementsRepository;
  holds: HoldsRepository;
  documents: DocumentsService;
  events: EventsRepository;
  audit: AuditRepository;
}) {
  const { db, clock, repo, holds, documents, events, audit } = deps;

  async function requireArrangement(actor: Actor, id: number, tx: Db = db) {
    const row = await repo.find(actor.authorityIds, id, tx);
    if (!row) throw new NotFoundError(`Arrangement ${id} was not found`);
    return row;
  }

  /** The actor's council: the one named, or their only (first) one. */
  function authorityOf(actor: Actor, authorityId?: number) {
    const id = authorityId ?? actor.authorityIds[0];
    if (id === undefined || !actor.authorityIds.includes(id)) throw new NotFoundError('Billing authority was not found');
    return id;
  }

  return {
    async monitoringSettings(actor: Actor, authorityId?: number) {
      requirePermission(actor, 'cases.view');
      return repo.monitoringSettings(authorityOf(actor, authorityId));
    },

    /** Sets the council's tolerance; the next monitor run uses it (it reads after_lo_settings). */
    async saveMonitoringSettings(actor: Actor, input: unknown, authorityId?: number) {
      requirePermission(actor, 'arrangements.settings');
      const s = parse(monitoringSettingsSchema, input, 'Check the monitoring settings');
      const id = authorityOf(actor, authorityId);
      await db.transaction(async (tx) => {
        const before = await repo.monitoringSettings(id, tx);
        await repo.saveMonitoringSettings(id, s, actor.userId, clock.now(), tx);
        await audit.record(actor, { action: 'update.arrangement_settings', entityType: 'after_lo_settings', entityId: id, authorityId: id,
          detail: { graceDays: [before.arrangement_grace_days, s.graceDays], tolerancePence: [before.arrangement_tolerance_pence, s.tolerancePence] } }, tx);
      });
      return repo.monitoringSettings(id);
    },

    /** Records an income and expenditure statement; returns it with what it shows is affordable. */
    async recordStatement(actor: Actor, customerId: number, input: unknown) {
      requirePermission(actor, 'arrangements.manage');
      const s = parse(statementSchema, input, 'Check the income and expenditure');
      const who = await customerRecipient(db, actor.authorityIds, customerId);
      const a = affordability(s.lines);
      const lines = Object.fromEntries(Object.entries(s.lines).filter(([, v]) => v > 0)) as Partial<Record<SfsCategory, number>>;
      return db.transaction(async (tx) => {
        const id = await repo.insertStatement({ authorityId: who.authorityId, customerId, takenOn: clock.today(), adults: s.adults, children: s.children, incomePence: a.incomePence, expenditurePence: a.expenditurePence, lines }, actor.userId, tx);
        await events.insert({
          authorityId: who.authorityId, customerId, accountId: null, type: 'arrangement',
          summary: `Income and expenditure taken: income ${formatPence(a.incomePence)}, spending ${formatPence(a.expenditurePence)} a month; ${a.surplusPence >= 0 ? `${formatPence(a.surplusPence)} a month available` : `a deficit of ${formatPence(-a.surplusPence)} a month`}`,
          detail: { statementId: id }, byUserId: actor.userId, at: clock.now(),
        }, tx);
        await audit.record(actor, { action: 'create.income_expenditure', entityType: 'income_expenditure_statement', entityId: id, authorityId: who.authorityId }, tx);
        return { id, ...a };
      });
    },

    async getStatement(actor: Actor, id: number) {
      requirePermission(actor, 'cases.view');
      const s = await repo.findStatement(actor.authorityIds, id);
      if (!s) throw new NotFoundError(`Statement ${id} was not found`);
      await audit.record(actor, { action: 'view.income_expenditure', entityType: 'income_expenditure_statement', entityId: id });
      return { ...s, ...affordability(s.lines) };
    },

    /** Agrees an arrangement: instalments, a hold on each account, and the confirmation letter. */
    async createArrangement(actor: Actor, customerId: number, input: unknown): Promise<number> {
      requirePermission(actor, 'arrangements.manage');
      const a = parse(arrangementSchema, input, 'Check the arrangement');
      const who = await customerRecipient(db, actor.authorityIds, customerId);
      const accountIds = [...new Set(a.accountIds)];
      const owned = await db.query<{ account_id: number }>('select account_id from customer_accounts where customer_id = $1 and account_id = any($2::bigint[])', [customerId, accountIds]);
      if (owned.length !== accountIds.length) throw new ValidationError('Check the arrangement', [{ field: 'accountIds', message: 'Choose only accounts this customer is liable on' }]);
      const balances = await accountBalances(db, actor.authorityIds, accountIds);
      const problems: { field: string; message: string }[] = [];
      if (balances.some((b) => b.balance_pence <= 0)) problems.push({ field: 'accountIds', message: `Choose only accounts with something owed: ${balances.filter((b) => b.balance_pence <= 0).map((b) => b.reference).join(', ')} owes nothing` });
      const inPlan = await db.query<{ reference: string }>(
        `select a.reference from arrangement_accounts aa join arrangements ar on ar.id = aa.arrangement_id join accounts a on a.id = aa.account_id
          where ar.status = 'active' and aa.account_id = any($1::bigint[])`, [accountIds]);
      if (inPlan.length) problems.push({ field: 'accountIds', message: `${inPlan.map((r) => r.reference).join(', ')} is already in an active arrangement` });
      const today = clock.today();
      if (isBefore(a.startsOn, today)) problems.push({ field: 'startsOn', message: 'The first payment date must be today or later' });
      if (isAfter(a.startsOn, addDays(today, 92))) problems.push({ field: 'startsOn', message: 'The first payment must be within 3 months' });
      const total = balances.reduce((t, b) => t + Number(b.balance_pence), 0);
      if (problems.length === 0 && Math.ceil(total / a.instalmentPence) > MAX_INSTALMENTS) problems.push({ field: 'instalmentPence', message: `At ${formatPence(a.instalmentPence)} it would take more than ${MAX_INSTALMENTS} payments: offer more` });
      if (a.statementId) {
        const s = await repo.findStatement(actor.authorityIds, a.statementId);
        if (!s || s.customer_id !== customerId) problems.push({ field: 'statementId', message: 'Choose one of this customer’s income and expenditure statements' });
        else {
          const affordable = affordability(s.lines).affordable[a.frequency];
          if (a.instalmentPence > affordable) problems.push({ field: 'instalmentPence', message: `The statement shows ${formatPence(affordable)} ${a.frequency === 'monthly' ? 'a month' : a.frequency === 'weekly' ? 'a week' : 'a fortnight'} is affordable: agree no more than that` });
        }
      }
      if (problems.length) throw new ValidationError('Check the arrangement', problems);

      const instalments = scheduleInstalments(total, a.instalmentPence, a.frequency, a.startsOn);
      const last = instalments[instalments.length - 1];
      return db.transaction(async (tx) => {
        const id = await repo.insertArrangement({ authorityId: who.authorityId, customerId, frequency: a.frequency, instalmentPence: a.instalmentPence, totalPence: total, startsOn: a.startsOn, statementId: a.statementId ?? null }, actor.userId, tx);
        await repo.insertInstalments(id, instalments, tx);
        const rows: { accountId: number; balancePence: number; holdId: number }[] = [];
        for (const b of balances) {
          const holdId = await holds.insert({
            authorityId: b.authority_id, accountId: b.id, customerId: null, type: 'arrangement', reason: `Arrangement ${id}: ${formatPence(a.instalmentPence)} ${a.frequency} from ${longDate(a.startsOn)}`,
            reference: `ARR-${id}`, startsOn: today, expiresOn: null, reviewOn: last.dueOn, decidedBy: actor.userId,
          }, actor.userId, tx);
          rows.push({ accountId: b.id, balancePence: Number(b.balance_pence), holdId });
          await events.insert({
            authorityId: b.authority_id, customerId, accountId: b.id, type: 'hold',
            summary: `Recovery held: arrangement ${id} agreed, ${instalments.length} ${a.frequency} payments of ${formatPence(a.instalmentPence)} from ${longDate(a.startsOn)}`,
            detail: { holdId, arrangementId: id }, byUserId: actor.userId, at: clock.now(),
          }, tx);
        }
        await repo.insertAccounts(id, rows, tx);
        const letter: LetterToIssue = {
          authorityId: who.authorityId, customerId, accountId: balances.length === 1 ? balances[0].id : null, kind: 'arrangement_confirmation',
          title: 'Confirmation of your payment arrangement', email: who.email,
          content: {
            from: await letterheadFor(tx, who.authorityId), to: { name: who.name, addressLines: who.addressLines }, date: today,
            reference: balances.map((b) => b.reference).join(', '), title: 'Confirmation of your payment arrangement',
            blocks: [
              { type: 'paragraph', text: `Thank you for agreeing an arrangement to pay ${formatPence(total)} owed on ${balances.length === 1 ? 'your account' : 'your accounts'}. While you keep to it we will take no further recovery action.` },
              { type: 'notice', text: `Pay ${formatPence(a.instalmentPence)} ${a.frequency === 'monthly' ? 'every month' : a.frequency === 'weekly' ? 'every week' : 'every two weeks'} from ${longDate(a.startsOn)}: ${instalments.length} payments, the last of ${formatPence(last.amountPence)} on ${longDate(last.dueOn)}.` },
              { type: 'table', columns: ['Account', 'Owed'], rows: balances.map((b) => [b.reference, formatPence(Number(b.balance_pence))]), numericColumns: [1] },
              { type: 'paragraph', text: 'If a payment is missed the arrangement will end and recovery will start again where it stopped. If your circumstances change, contact us before a payment is due.' },
            ],
          },
        };
        const documentId = await documents.issueLetter(letter, { actor, tx });
        await repo.setDocument(id, 'document_id', documentId, tx);
        await audit.record(actor, { action: 'create.arrangement', entityType: 'arrangement', entityId: id, authorityId: who.authorityId, detail: { total, instalments: instalments.length } }, tx);
        return id;
      });
    },

    /** What the arrangement form offers: the customer, their accounts that owe, their latest statement. */
    async arrangementChoices(actor: Actor, customerId: number) {
      requirePermission(actor, 'cases.view');
      const who = await customerRecipient(db, actor.authorityIds, customerId);
      const ids = (await db.query<{ account_id: number }>('select account_id from customer_accounts where customer_id = $1', [customerId])).map((r) => r.account_id);
      const owing = (await accountBalances(db, actor.authorityIds, ids)).filter((b) => Number(b.balance_pence) > 0);
      const [latest] = await db.query<{ id: number }>('select id from income_expenditure_statements where customer_id = $1 order by id desc limit 1', [customerId]);
      const statement = latest ? await repo.findStatement(actor.authorityIds, latest.id) : undefined;
      return { customer: who, accounts: owing, statement: statement ? { ...statement, ...affordability(statement.lines) } : null };
    },

    async getArrangement(actor: Actor, id: number) {
      requirePermission(actor, 'cases.view');
      const arrangement = await requireArrangement(actor, id);
      await audit.record(actor, { action: 'view.arrangement', entityType: 'arrangement', entityId: id, authorityId: arrangement.authority_id });
      return { arrangement, instalments: await repo.instalments(id) };
    },

    async listArrangements(actor: Actor, status?: string) {
      requirePermission(actor, 'cases.view');
      return repo.list(actor.authorityIds, { status: status || undefined, limit: 500 });
    },

    /**
     * Checks every active arrangement against payments as at asOf (set-based). Broken ones end
     * their holds, so recovery resumes, and get a letter; kept ones (paid in full) end their holds.
     */
    async monitor(actor: Actor, asOf: string = clock.today()) {
      requirePermission(actor, 'arrangements.manage');
      if (!isIsoDate(asOf)) throw new ValidationError('Check the date', [{ field: 'asOf', message: 'Enter a real date' }]);
      return db.transaction(async (tx) => {
        const changed = await repo.monitor(actor.authorityIds, asOf, tx);
        const kept = changed.filter((c) => c.status === 'kept');
        const broken = changed.filter((c) => c.status === 'broken');
        const keptAccounts = await repo.endHolds(kept.map((k) => k.id), asOf, 'Arrangement kept: paid in full', actor.userId, tx);
        const brokenAccounts = await repo.endHolds(broken.map((b) => b.id), asOf, 'Arrangement broken: recovery resumes', actor.userId, tx);
        // Ending a hold wakes recovery, the same way the holds module does.
        await holds.wakeRecoveryCases([...keptAccounts, ...brokenAccounts].map((r) => r.account_id), asOf, tx);
        for (const [list, text] of [[keptAccounts, 'Arrangement kept: paid in full; hold ended'], [brokenAccounts, 'Arrangement broken: payments missed; hold ended and recovery resumes']] as const) {
          for (const r of list) {
            const c = changed.find((x) => x.id === r.arrangement_id)!;
            await events.insert({ authorityId: c.authority_id, customerId: c.customer_id, accountId: r.account_id, type: 'hold', summary: `${text} (arrangement ${c.id})`, detail: { arrangementId: c.id, holdId: r.hold_id }, byUserId: actor.userId, at: clock.now() }, tx);
          }
        }
        const letters: LetterToIssue[] = [];
        for (const b of broken) {
          const who = await customerRecipient(tx, actor.authorityIds, b.customer_id);
          const refs = await tx.query<{ reference: string }>('select a.reference from arrangement_accounts aa join accounts a on a.id = aa.account_id where aa.arrangement_id = $1 order by a.reference', [b.id]);
          letters.push({
            authorityId: b.authority_id, customerId: b.customer_id, accountId: null, kind: 'arrangement_broken', title: 'Your payment arrangement has ended', email: who.email,
            content: {
              from: await letterheadFor(tx, b.authority_id), to: { name: who.name, addressLines: who.addressLines }, date: asOf, reference: refs.map((r) => r.reference).join(', '),
              title: 'Your payment arrangement has ended',
              blocks: [
                { type: 'paragraph', text: `By ${longDate(asOf)} we expected ${formatPence(Number(b.expected_pence))} under your arrangement and received ${formatPence(Number(b.paid_pence))}.` },
                { type: 'notice', text: 'Your arrangement has ended and recovery action will now continue. Contact us straight away if you cannot pay.' },
              ],
            },
          });
        }
        const ids = await documents.issueLetters(letters, { actor, tx });
        for (const [i, b] of broken.entries()) await repo.setDocument(b.id, 'broken_document_id', ids[i], tx);
        await audit.record(actor, { action: 'run.arrangement_monitor', entityType: 'arrangement', detail: { asOf, kept: kept.length, broken: broken.length } }, tx);
        return { asOf, kept: kept.map((k) => k.id), broken: broken.map((b) => b.id) };
      });
    },
  };
}
export type ArrangementsService = ReturnType<typeof createArrangementsService>;
