// Suspense and what officers do with money: the work queue of unmatched receipts (with age and
// suggested matches), allocation to an account, splitting one receipt over several accounts,
// re-allocation and transfers between a customer's accounts with a reason. Every action is a row in
// receipt_actions, an audit record and an event on each account it touches.
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import { checkAccountReference, luhnCheckDigit } from '../../domain/account-reference.ts';
import { financialYearOf } from '../../domain/calendar.ts';
import { formatPence } from '../../domain/money.ts';
import { ConflictError, NotFoundError, ValidationError, fieldProblemsFromZod } from '../../errors.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';
import type { EventsRepository } from '../casework/events.repository.ts';
import { channelLabel, type ReceiptsRepository } from './receipts.repository.ts';

export interface SuspenseItem {
  id: number;
  authority_id: number;
  amount_pence: number;
  received_on: string;
  channel: string;
  reference: string | null;
  payer_name: string | null;
  payer_account: string | null;
  narrative: string | null;
  suspense_reason: string | null;
  import_id: number | null;
  import_line_no: number | null;
  age_days: number;
  status: string;
}

export interface Suggestion {
  accountId: number;
  reference: string;
  customerName: string;
  address: string | null;
  balancePence: number;
  reasons: string[];
  score: number;
}

const reasonSchema = z.string().trim().min(3, 'Give the reason (at least 3 characters)').max(500, 'Reason must be 500 characters or fewer');
const referenceSchema = z.string().trim().transform((v) => v.replace(/[\s-]/g, '')).refine((v) => checkAccountReference(v).valid, 'Enter a valid 10-digit account reference');
const penceSchema = z.coerce.number().int('Enter a whole number of pence').positive('Amount must be more than zero');

export const allocateSchema = z.object({ accountReference: referenceSchema, reason: reasonSchema });
export const splitSchema = z.object({
  reason: reasonSchema,
  parts: z.array(z.object({ accountReference: z.string().trim().transform((v) => v.replace(/[\s-]/g, '')).optional(), amountPence: penceSchema }))
    .min(2, 'Split into at least two parts'),
});
export const reallocateSchema = z.object({ toAccountReference: referenceSchema.optional(), financialYear: z.coerce.number().int().min(2000).max(2100).optional(), reason: reasonSchema });
export const transferSchema = z.object({ fromAccountId: z.coerce.number().int().positive(), toAccountReference: referenceSchema, amountPence: penceSchema, reason: reasonSchema });

function parse<T>(schema: z.ZodType<T>, input: unknown, message: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ValidationError(message, fieldProblemsFromZod(parsed.error.issues));
  return parsed.data;
}

/** References one slip away from the one given (a digit changed, or two neighbours swapped) that pass the check digit. */
export function nearMissReferences(given: string): string[] {
  const digits = given.replace(/[\s-]/g, '');
  if (!/^\d{9,11}$/.test(digits)) return [];
  const out = new Set<string>();
  const consider = (candidate: string) => {
    if (candidate.length === 10 && candidate !== digits && luhnCheckDigit(candidate.slice(0, 9)) === Number(candidate[9])) out.add(candidate);
  };
  for (let i = 0; i < digits.length; i++) {
    for (let d = 0; d <= 9; d++) consider(digits.slice(0, i) + d + digits.slice(i + 1));
    if (i < digits.length - 1) consider(digits.slice(0, i) + digits[i + 1] + digits[i] + digits.slice(i + 2));
    if (digits.length === 11) consider(digits.slice(0, i) + digits.slice(i + 1)); // one digit too many
  }
  if (digits.length === 9) consider(digits + luhnCheckDigit(digits)); // check digit left off
  return [...out];
}

export function createSuspenseService(deps: { db: Db; clock: Clock; receipts: ReceiptsRepository; events: EventsRepository; audit: AuditRepository }) {
  const { db, clock, receipts, events, audit } = deps;
  const ctxFor = (actor: Actor) => ({ now: clock.now(), userId: actor.userId, bySystem: null, currentYear: financialYearOf(clock.today()).startYear });

  async function findReceipt(actor: Actor, receiptId: number, tx: Db = db) {
    const rows = await tx.query<SuspenseItem & { account_id: number | null; transaction_key: string; parent_receipt_id: number | null }>(
      `select r.id, r.authority_id, r.amount_pence, r.received_on, r.channel, r.reference, r.payer_name, r.payer_account, r.narrative,
              r.suspense_reason, r.import_id, r.import_line_no, ($3::date - r.received_on)::int as age_days, r.status, r.account_id,
              r.transaction_key, r.parent_receipt_id
         from receipts r where r.id = $2 and r.authority_id = any($1::int[])`,
      [actor.authorityIds, receiptId, clock.today()],
    );
    if (!rows[0]) throw new NotFoundError(`Receipt ${receiptId} was not found`);
    return rows[0];
  }

  async function accountByReference(actor: Actor, authorityId: number, reference: string, tx: Db = db) {
    const rows = await tx.query<{ id: number; customer_id: number; reference: string; authority_id: number }>(
      'select id, customer_id, reference, authority_id from accounts where authority_id = $1 and reference = $2 and authority_id = any($3::int[])',
      [authorityId, reference, actor.authorityIds],
    );
    if (!rows[0]) throw new ValidationError(`No account with reference ${reference}`, [{ field: 'accountReference', message: `No account with reference ${reference}` }]);
    return rows[0];
  }

  async function event(tx: Db, actor: Actor, accountId: number, summary: string, detail: Record<string, unknown>) {
    const [a] = await tx.query<{ authority_id: number; customer_id: number }>('select authority_id, customer_id from accounts where id = $1', [accountId]);
    await events.insert({ authorityId: a.authority_id, customerId: a.customer_id, accountId, type: 'payment', summary, detail, byUserId: actor.userId, at: clock.now() }, tx);
  }

  async function action(tx: Db, actor: Actor, row: { receiptId: number; action: string; from?: number | null; to?: number | null; amount?: number; reason: string }) {
    await tx.query(
      'insert into receipt_actions (receipt_id, action, from_account_id, to_account_id, amount_pence, reason, at, by_user_id) values ($1, $2, $3, $4, $5, $6, $7, $8)',
      [row.receiptId, row.action, row.from ?? null, row.to ?? null, row.amount ?? null, row.reason, clock.now(), actor.userId],
    );
  }

  /** Do two accounts share a customer (lead or jointly liable)? Transfers stay within one customer's debts. */
  async function sameCustomer(tx: Db, a: number, b: number): Promise<boolean> {
    const rows = await tx.query('select 1 from customer_accounts x join customer_accounts y on y.customer_id = x.customer_id where x.account_id = $1 and y.account_id = $2 limit 1', [a, b]);
    return rows.length > 0;
  }

  /** Suggested matches for an unmatched receipt: near-miss references, the payer's name, previous payments, postcode, amount. */
  async function suggest(item: SuspenseItem): Promise<Suggestion[]> {
    const found = new Map<number, Suggestion>();
    const add = (row: { id: number; reference: string; customer_name: string; address: string | null; balance: number }, reason: string, score: number) => {
      const s = found.get(row.id) ?? { accountId: row.id, reference: row.reference, customerName: row.customer_name, address: row.address, balancePence: row.balance, reasons: [], score: 0 };
      if (!s.reasons.includes(reason)) {
        s.reasons.push(reason);
        s.score += score;
      }
      found.set(row.id, s);
    };
    const base = `select a.id, a.reference, c.display_name as customer_name,
                         case when p.id is null then null else p.address_line1 || ', ' || p.postcode end as address,
                         (select coalesce(sum(l.amount_pence), 0) from ledger_entries l where l.account_id = a.id)::bigint as balance
                    from accounts a join customers c on c.id = a.customer_id left join properties p on p.id = a.property_id`;
    if (item.reference) {
      const near = nearMissReferences(item.reference);
      if (near.length) {
        for (const row of await db.query<{ id: number; reference: string; customer_name: string; address: string | null; balance: number }>(
          `${base} where a.authority_id = $1 and a.reference = any($2::text[])`, [item.authority_id, near])) {
          add(row, `reference ${row.reference} is one slip from ${item.reference}`, 50);
        }
      }
    }
    if (item.payer_name) {
      const words = item.payer_name.toLowerCase().replace(/\b(mr|mrs|ms|miss|dr|and|&)\b/g, ' ').replace(/[^a-z\s'-]/g, ' ').trim();
      if (words.length >= 3) {
        for (const row of await db.query<{ id: number; reference: string; customer_name: string; address: string | null; balance: number; sim: number }>(
          `${base} where a.authority_id = $1 and a.status = 'live' and word_similarity(lower(c.display_name), $2) > 0.5
            order by word_similarity(lower(c.display_name), $2) desc limit 5`, [item.authority_id, words])) {
          add(row, `customer name is like the payer "${item.payer_name}"`, 20);
        }
      }
    }
    if (item.payer_account || item.payer_name) {
      for (const row of await db.query<{ id: number; reference: string; customer_name: string; address: string | null; balance: number }>(
        `${base} where a.id in (select r.account_id from receipts r where r.authority_id = $1 and r.account_id is not null and r.id <> $4
                                   and ((r.payer_account is not null and r.payer_account = $2) or (r.payer_name is not null and lower(r.payer_name) = lower($3)))
                                 limit 5)`, [item.authority_id, item.payer_account, item.payer_name, item.id])) {
        add(row, 'the same payer paid this account before', 40);
      }
    }
    const postcode = /\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b/i.exec(`${item.narrative ?? ''} ${item.payer_name ?? ''}`);
    if (postcode) {
      for (const row of await db.query<{ id: number; reference: string; customer_name: string; address: string | null; balance: number }>(
        `${base} where a.authority_id = $1 and replace(p.postcode, ' ', '') = $2 limit 10`, [item.authority_id, `${postcode[1]}${postcode[2]}`.toUpperCase()])) {
        add(row, `property postcode ${postcode[1].toUpperCase()} ${postcode[2].toUpperCase()} is in the payment details`, 25);
      }
    }
    const candidates = [...found.values()];
    if (candidates.length) {
      const amounts = await db.query<{ account_id: number }>(
        `select distinct ip.account_id from instalment_plans ip join instalments i on i.plan_id = ip.id
          where ip.account_id = any($1::bigint[]) and ip.superseded_at is null and i.amount_pence = $2`,
        [candidates.map((c) => c.accountId), item.amount_pence]);
      for (const c of candidates) {
        if (amounts.some((a) => a.account_id === c.accountId)) { c.reasons.push(`amount ${formatPence(item.amount_pence)} is one of its instalments`); c.score += 15; }
        else if (c.balancePence === item.amount_pence) { c.reasons.push(`amount ${formatPence(item.amount_pence)} clears its balance`); c.score += 15; }
      }
    }
    return candidates.sort((a, b) => b.score - a.score).slice(0, 8);
  }

  return {
    suggest,

    async listSuspense(actor: Actor, filter: { q?: string; channel?: string; minAgeDays?: number; sort?: 'age' | 'amount' } = {}) {
      requirePermission(actor, 'payments.view');
      const q = filter.q?.trim() ? `%${filter.q.trim().toLowerCase()}%` : null;
      const items = await db.query<SuspenseItem>(
        `select r.id, r.authority_id, r.amount_pence, r.received_on, r.channel, r.reference, r.payer_name, r.payer_account, r.narrative,
                r.suspense_reason, r.import_id, r.import_line_no, ($2::date - r.received_on)::int as age_days, r.status
           from receipts r
          where r.authority_id = any($1::int[]) and r.status = 'suspense'
            and ($3::text is null or lower(coalesce(r.reference, '') || ' ' || coalesce(r.payer_name, '') || ' ' || coalesce(r.narrative, '')) like $3)
            and ($4::text is null or r.channel = $4)
            and ($5::int is null or ($2::date - r.received_on) >= $5)
          order by ${filter.sort === 'amount' ? 'r.amount_pence desc' : 'r.received_on'}, r.id
          limit 500`,
        [actor.authorityIds, clock.today(), q, filter.channel || null, filter.minAgeDays ?? null],
      );
      const [totals] = await db.query<{ n: number; pence: number; over30: number; over90: number }>(
        `select count(*)::int as n, coalesce(sum(amount_pence), 0)::bigint as pence,
                count(*) filter (where $2::date - received_on > 30)::int as over30,
                count(*) filter (where $2::date - received_on > 90)::int as over90
           from receipts where authority_id = any($1::int[]) and status = 'suspense'`,
        [actor.authorityIds, clock.today()],
      );
      const channels = await db.query<{ channel: string }>(`select distinct channel from receipts where authority_id = any($1::int[]) and status = 'suspense' order by channel`, [actor.authorityIds]);
      return { items, totals, channels: channels.map((c) => ({ value: c.channel, text: channelLabel(c.channel) })) };
    },

    async getItem(actor: Actor, receiptId: number) {
      requirePermission(actor, 'payments.view');
      const item = await findReceipt(actor, receiptId);
      const history = await db.query<{ action: string; reason: string; at: Date; by_name: string | null; amount_pence: number | null; to_reference: string | null; from_reference: string | null }>(
        `select ra.action, ra.reason, ra.at, u.display_name as by_name, ra.amount_pence, ta.reference as to_reference, fa.reference as from_reference
           from receipt_actions ra left join users u on u.id = ra.by_user_id
           left join accounts ta on ta.id = ra.to_account_id left join accounts fa on fa.id = ra.from_account_id
          where ra.receipt_id = $1 order by ra.at, ra.id`,
        [receiptId],
      );
      const allocations = await db.query<{ account_id: number; reference: string; financial_year: number; target: string; amount_pence: number }>(
        `select pa.account_id, a.reference, pa.financial_year, pa.target, sum(pa.amount_pence)::bigint as amount_pence
           from payment_allocations pa join accounts a on a.id = pa.account_id where pa.receipt_id = $1
          group by pa.account_id, a.reference, pa.financial_year, pa.target having sum(pa.amount_pence) <> 0
          order by a.reference, pa.financial_year, pa.target`,
        [receiptId],
      );
      const suggestions = item.status === 'suspense' ? await suggest(item) : [];
      await audit.record(actor, { action: 'view.receipt', entityType: 'receipt', entityId: receiptId, authorityId: item.authority_id });
      return { item, history, allocations, suggestions };
    },

    async allocateFromSuspense(actor: Actor, receiptId: number, input: unknown) {
      requirePermission(actor, 'payments.allocate');
      const data = parse(allocateSchema, input, 'Check the allocation');
      return db.transaction(async (tx) => {
        const item = await findReceipt(actor, receiptId, tx);
        if (item.status !== 'suspense') throw new ConflictError(`Receipt ${receiptId} is not in suspense (it is ${item.status.replace('_', ' ')})`);
        const account = await accountByReference(actor, item.authority_id, data.accountReference, tx);
        await tx.query(`update receipts set status = 'allocated', account_id = $2, resolved_at = $3, resolved_by = $4 where id = $1 and status = 'suspense'`,
          [receiptId, account.id, clock.now(), actor.userId]);
        const ctx = ctxFor(actor);
        await receipts.allocate(tx, [receiptId], ctx);
        await receipts.writePaymentEvents(tx, [receiptId], ctx,
          `Payment of ${formatPence(item.amount_pence)} (${channelLabel(item.channel)}) allocated from suspense (${data.reason})`);
        await action(tx, actor, { receiptId, action: 'allocate', to: account.id, amount: item.amount_pence, reason: data.reason });
        await audit.record(actor, { action: 'update.receipt.allocate', entityType: 'receipt', entityId: receiptId, authorityId: item.authority_id, detail: { accountId: account.id, reason: data.reason } }, tx);
        return { receiptId, accountId: account.id };
      });
    },

    /** One receipt paying several accounts (or part unidentified): parts with references are allocated, the rest stay in suspense. */
    async splitReceipt(actor: Actor, receiptId: number, input: unknown) {
      requirePermission(actor, 'payments.allocate');
      const data = parse(splitSchema, input, 'Check the split');
      return db.transaction(async (tx) => {
        const item = await findReceipt(actor, receiptId, tx);
        if (item.status !== 'suspense') throw new ConflictError(`Receipt ${receiptId} is not in suspense`);
        const total = data.parts.reduce((s, p) => s + p.amountPence, 0);
        if (total !== item.amount_pence) {
          throw new ValidationError(`The parts add up to ${formatPence(total)} but the payment is ${formatPence(item.amount_pence)}`, [{ field: 'parts', message: `Parts must add up to ${formatPence(item.amount_pence)}` }]);
        }
        const accounts: ({ id: number; reference: string } | null)[] = [];
        for (const [i, part] of data.parts.entries()) {
          if (part.accountReference && !checkAccountReference(part.accountReference).valid) {
            throw new ValidationError(`Part ${i + 1}: enter a valid account reference or leave it blank`, [{ field: `parts.${i}.accountReference`, message: 'Enter a valid 10-digit account reference' }]);
          }
          accounts.push(part.accountReference ? await accountByReference(actor, item.authority_id, part.accountReference, tx) : null);
        }
        await tx.query(`update receipts set status = 'split', resolved_at = $2, resolved_by = $3 where id = $1`, [receiptId, clock.now(), actor.userId]);
        const children = await tx.query<{ id: number; account_id: number | null }>(
          `insert into receipts (authority_id, transaction_key, channel, amount_pence, received_on, reference, payer_name, payer_account, narrative,
                                 import_id, import_line_no, parent_receipt_id, account_id, status, suspense_reason, created_at, created_by)
           select r.authority_id, r.transaction_key || '/part-' || p.n, r.channel, p.amount, r.received_on, r.reference, r.payer_name, r.payer_account, r.narrative,
                  r.import_id, r.import_line_no, r.id, p.account_id, case when p.account_id is null then 'suspense' else 'allocated' end,
                  case when p.account_id is null then 'part of a split payment still to identify' end, $4, $5
             from receipts r, unnest($2::bigint[], $3::bigint[]) with ordinality as p(amount, account_id, n)
            where r.id = $1
           returning id, account_id`,
          [receiptId, data.parts.map((p) => p.amountPence), accounts.map((a) => a?.id ?? null), clock.now(), actor.userId],
        );
        const allocated = children.filter((c) => c.account_id !== null).map((c) => c.id);
        const ctx = ctxFor(actor);
        await receipts.allocate(tx, allocated, ctx);
        await receipts.writePaymentEvents(tx, allocated, ctx, `Part of a split payment allocated from suspense (${data.reason})`);
        await action(tx, actor, { receiptId, action: 'split', amount: item.amount_pence, reason: `${data.reason} (${data.parts.map((p, i) => `${formatPence(p.amountPence)} to ${accounts[i]?.reference ?? 'suspense'}`).join(', ')})` });
        await audit.record(actor, { action: 'update.receipt.split', entityType: 'receipt', entityId: receiptId, authorityId: item.authority_id, detail: { parts: data.parts, reason: data.reason } }, tx);
        return { receiptId, parts: children.map((c) => c.id) };
      });
    },

    /**
     * Takes an allocated receipt off its account and allocates it again: to the same account (by
     * policy, or all to one year) or to another account of the same customer. Reversing entries keep
     * the ledger append-only; both accounts' timelines say what moved and why.
     */
    async reallocate(actor: Actor, receiptId: number, input: unknown) {
      requirePermission(actor, 'payments.allocate');
      const data = parse(reallocateSchema, input, 'Check the re-allocation');
      return db.transaction(async (tx) => {
        const item = await findReceipt(actor, receiptId, tx);
        if (item.status !== 'allocated' || !item.account_id) throw new ConflictError(`Receipt ${receiptId} is not allocated to an account`);
        const from = item.account_id;
        const to = data.toAccountReference ? (await accountByReference(actor, item.authority_id, data.toAccountReference, tx)).id : from;
        if (to !== from && !(await sameCustomer(tx, from, to))) {
          throw new ValidationError('Payments can only be moved between accounts of the same customer', [{ field: 'toAccountReference', message: 'Choose an account of the same customer' }]);
        }
        const ctx = ctxFor(actor);
        await receipts.reverse(tx, [receiptId], { ...ctx, effectiveDate: clock.today(), reason: `Re-allocated: ${data.reason}`, source: `receipt:${receiptId}` });
        // a fresh receipt row carries the money to its new place (the old one keeps its history)
        const [moved] = await tx.query<{ id: number }>(
          `insert into receipts (authority_id, transaction_key, channel, amount_pence, received_on, reference, payer_name, payer_account, narrative,
                                 import_id, import_line_no, parent_receipt_id, account_id, status, created_at, created_by)
           select authority_id, transaction_key || '/moved-' || (select count(*) + 1 from receipts c where c.parent_receipt_id = r.id), channel, amount_pence, received_on,
                  reference, payer_name, payer_account, narrative, import_id, import_line_no, id, $2, 'allocated', $3, $4
             from receipts r where id = $1 returning id`,
          [receiptId, to, clock.now(), actor.userId],
        );
        await tx.query(`update receipts set status = 'split', resolved_at = $2, resolved_by = $3 where id = $1`, [receiptId, clock.now(), actor.userId]);
        await receipts.allocate(tx, [moved.id], ctx, { onlyYear: data.financialYear });
        const [fromRef] = await tx.query<{ reference: string }>('select reference from accounts where id = $1', [from]);
        const [toRef] = await tx.query<{ reference: string }>('select reference from accounts where id = $1', [to]);
        if (to !== from) {
          await event(tx, actor, from, `Payment of ${formatPence(item.amount_pence)} received ${item.received_on} moved to account ${toRef.reference}: ${data.reason}`, { receiptId, movedTo: to });
          await receipts.writePaymentEvents(tx, [moved.id], ctx, `Payment of ${formatPence(item.amount_pence)} moved here from account ${fromRef.reference} (${data.reason})`);
        } else {
          await receipts.writePaymentEvents(tx, [moved.id], ctx, `Payment of ${formatPence(item.amount_pence)} re-allocated (${data.reason})`);
        }
        await action(tx, actor, { receiptId, action: to === from ? 'reallocate' : 'transfer', from, to, amount: item.amount_pence, reason: data.reason });
        await audit.record(actor, { action: 'update.receipt.reallocate', entityType: 'receipt', entityId: receiptId, authorityId: item.authority_id, detail: { from, to, reason: data.reason, financialYear: data.financialYear } }, tx);
        return { receiptId: moved.id };
      });
    },

    /** Moves a credit balance to another account of the same customer (money the council already holds). */
    async transferCredit(actor: Actor, input: unknown) {
      requirePermission(actor, 'payments.allocate');
      const data = parse(transferSchema, input, 'Check the transfer');
      return db.transaction(async (tx) => {
        const [from] = await tx.query<{ id: number; authority_id: number; reference: string }>(
          'select id, authority_id, reference from accounts where id = $1 and authority_id = any($2::int[])', [data.fromAccountId, actor.authorityIds]);
        if (!from) throw new NotFoundError(`Account ${data.fromAccountId} was not found`);
        const to = await accountByReference(actor, from.authority_id, data.toAccountReference, tx);
        if (to.id === from.id) throw new ValidationError('Choose a different account', [{ field: 'toAccountReference', message: 'Choose a different account' }]);
        if (!(await sameCustomer(tx, from.id, to.id))) throw new ValidationError('Credit can only be transferred between accounts of the same customer', [{ field: 'toAccountReference', message: 'Choose an account of the same customer' }]);
        const credit = -(await receipts.balance(tx, from.id));
        const reserved = await reservedForRefunds(tx, from.id);
        if (data.amountPence > credit - reserved) {
          throw new ValidationError(`Account ${from.reference} has ${formatPence(Math.max(credit - reserved, 0))} of credit available`, [{ field: 'amountPence', message: `No more than ${formatPence(Math.max(credit - reserved, 0))}` }]);
        }
        const ctx = ctxFor(actor);
        const [receipt] = await tx.query<{ id: number }>(
          `insert into receipts (authority_id, transaction_key, channel, amount_pence, received_on, reference, account_id, status, created_at, created_by, narrative)
           values ($1, $2, 'transfer', $3, $4, $5, $6, 'allocated', $7, $8, $9) returning id`,
          [from.authority_id, `transfer:${crypto.randomUUID()}`, data.amountPence, clock.today(), from.reference, to.id, clock.now(), actor.userId, `Credit transferred from ${from.reference}: ${data.reason}`],
        );
        await receipts.allocate(tx, [receipt.id], ctx);
        await takeCredit(tx, { accountId: from.id, amountPence: data.amountPence, receiptId: receipt.id, kind: 'payment', reason: `Credit transferred to account ${to.reference}: ${data.reason}`, source: `transfer:${receipt.id}`, actor, effectiveDate: clock.today(), now: clock.now() });
        await event(tx, actor, from.id, `Credit of ${formatPence(data.amountPence)} transferred to account ${to.reference}: ${data.reason}`, { receiptId: receipt.id, to: to.id });
        await receipts.writePaymentEvents(tx, [receipt.id], ctx, `Credit of ${formatPence(data.amountPence)} transferred here from account ${from.reference} (${data.reason})`);
        await action(tx, actor, { receiptId: receipt.id, action: 'transfer_credit', from: from.id, to: to.id, amount: data.amountPence, reason: data.reason });
        await audit.record(actor, { action: 'create.credit_transfer', entityType: 'receipt', entityId: receipt.id, authorityId: from.authority_id, detail: { from: from.id, to: to.id, amountPence: data.amountPence, reason: data.reason } }, tx);
        return { receiptId: receipt.id };
      });
    },

    /** Receipts on an account (for the account's payments page), newest first. */
    async accountReceipts(actor: Actor, accountId: number) {
      requirePermission(actor, 'payments.view');
      return db.query<{ id: number; amount_pence: number; received_on: string; channel: string; reference: string | null; status: string; allocated_pence: number }>(
        `select r.id, r.amount_pence, r.received_on, r.channel, r.reference, r.status,
                coalesce((select -sum(pa.amount_pence) from payment_allocations pa where pa.receipt_id = r.id and pa.account_id = r.account_id), 0)::bigint as allocated_pence
           from receipts r join accounts a on a.id = r.account_id
          where r.account_id = $1 and a.authority_id = any($2::int[]) order by r.received_on desc, r.id desc limit 200`,
        [accountId, actor.authorityIds],
      );
    },
  };
}
export type SuspenseService = ReturnType<typeof createSuspenseService>;

/** Credit already promised to refunds waiting for approval or payment. */
export async function reservedForRefunds(tx: Db, accountId: number): Promise<number> {
  const [row] = await tx.query<{ n: number }>(`select coalesce(sum(amount_pence), 0)::bigint as n from refunds where account_id = $1 and status = 'requested'`, [accountId]);
  return row.n;
}

/**
 * Takes credit off an account: positive entries in the years holding the credit, latest year first,
 * recorded against a receipt so costs and credits stay traceable.
 */
export async function takeCredit(tx: Db, input: { accountId: number; amountPence: number; receiptId: number | null; kind: 'payment' | 'refund'; reason: string; source: string; actor: Actor | null; effectiveDate: string; now: Date }) {
  const years = await tx.query<{ financial_year: number; credit: number }>(
    `select financial_year, -sum(amount_pence)::bigint as credit from ledger_entries where account_id = $1
      group by financial_year having sum(amount_pence) < 0 order by financial_year desc`, [input.accountId]);
  let left = input.amountPence;
  for (const y of years) {
    if (left <= 0) break;
    const take = Math.min(left, y.credit);
    const [entry] = await tx.query<{ id: number }>(
      `insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, posted_by, source, reason, posted_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id`,
      [input.accountId, input.kind, take, y.financial_year, input.effectiveDate, input.actor?.userId ?? null, input.source, input.reason, input.now]);
    if (input.receiptId) {
      await tx.query(`insert into payment_allocations (ledger_entry_id, receipt_id, account_id, financial_year, target, amount_pence) values ($1, $2, $3, $4, 'credit', $5)`,
        [entry.id, input.receiptId, input.accountId, y.financial_year, take]);
    }
    left -= take;
  }
  if (left > 0) throw new ConflictError('The account does not have that much credit');
}
