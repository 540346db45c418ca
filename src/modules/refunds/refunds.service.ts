// Refunds of credit balances, and returns of unidentified money from suspense. Checks before a
// refund: the credit is really there (less what other requests have promised), the customer owes
// nothing on another account (transfer it there instead), the bank details are well-formed. Above
// the authority's limit, or above the requester's delegated limit, a second officer with the
// approval permission decides, never the requester. Approved refunds are paid by a Bacs credit file.
import { z } from 'zod';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import { formatPence } from '../../domain/money.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, fieldProblemsFromZod } from '../../errors.ts';
import { checkBankDetails } from '../../integrations/bacs/bank-details.ts';
import { writeStandard18 } from '../../integrations/bacs/standard18.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';
import { DELEGATED_LIMIT_PENCE } from '../auth/roles.ts';
import type { EventsRepository } from '../casework/events.repository.ts';
import { reservedForRefunds, takeCredit } from '../payments/suspense.service.ts';
import { paymentSettings } from '../payments/settings.ts';

export const refundRequestSchema = z.object({
  amountPence: z.coerce.number().int('Enter a whole number of pence').positive('Amount must be more than zero'),
  payeeName: z.string().trim().min(2, 'Enter the name on the bank account').max(60),
  sortCode: z.string().trim(),
  accountNumber: z.string().trim(),
  reason: z.string().trim().min(3, 'Give the reason for the refund').max(500),
});
export const decisionSchema = z.object({
  decision: z.enum(['approve', 'reject'], { message: 'Choose approve or reject' }),
  note: z.string().trim().max(500).default(''),
});

export interface RefundRow {
  id: number;
  authority_id: number;
  account_id: number | null;
  account_reference: string | null;
  customer_name: string | null;
  receipt_id: number | null;
  amount_pence: number;
  payee_name: string;
  sort_code: string;
  account_number: string;
  reason: string;
  status: string;
  needs_approval: boolean;
  requested_at: Date;
  requested_by: number | null;
  requested_by_name: string | null;
  decided_at: Date | null;
  decided_by_name: string | null;
  decision_note: string | null;
  bacs_file_id: number | null;
}

function parse<T>(schema: z.ZodType<T>, input: unknown, message: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ValidationError(message, fieldProblemsFromZod(parsed.error.issues));
  return parsed.data;
}

export function createRefundsService(deps: { db: Db; clock: Clock; events: EventsRepository; audit: AuditRepository }) {
  const { db, clock, events, audit } = deps;

  async function find(actor: Actor, id: number, tx: Db = db): Promise<RefundRow> {
    const rows = await tx.query<RefundRow>(
      `select f.*, a.reference as account_reference, c.display_name as customer_name, ru.display_name as requested_by_name, du.display_name as decided_by_name
         from refunds f left join accounts a on a.id = f.account_id left join customers c on c.id = a.customer_id
         left join users ru on ru.id = f.requested_by left join users du on du.id = f.decided_by
        where f.id = $2 and f.authority_id = any($1::int[])`,
      [actor.authorityIds, id],
    );
    if (!rows[0]) throw new NotFoundError(`Refund ${id} was not found`);
    return rows[0];
  }

  async function event(tx: Db, actor: Actor, accountId: number, summary: string, detail: Record<string, unknown>) {
    const [a] = await tx.query<{ authority_id: number; customer_id: number }>('select authority_id, customer_id from accounts where id = $1', [accountId]);
    await events.insert({ authorityId: a.authority_id, customerId: a.customer_id, accountId, type: 'refund', summary, detail, byUserId: actor.userId, at: clock.now() }, tx);
  }

  function needsApproval(actor: Actor, amount: number, limit: number) {
    const own = DELEGATED_LIMIT_PENCE[actor.role];
    return amount > limit || (own !== null && amount > own);
  }

  /** Posts the refund on the ledger (approved now): positive 'refund' entries in the years holding the credit. */
  async function postRefund(tx: Db, actor: Actor, refund: { id: number; account_id: number | null; amount_pence: number; reason: string }) {
    if (!refund.account_id) return;
    await takeCredit(tx, { accountId: refund.account_id, amountPence: refund.amount_pence, receiptId: null, kind: 'refund', reason: `Refund ${refund.id}: ${refund.reason}`, source: `refund:${refund.id}`, actor, effectiveDate: clock.today(), now: clock.now() });
  }

  return {
    /** Accounts in credit, with what is available to refund and anything the customer owes elsewhere. */
    async creditBalances(actor: Actor) {
      requirePermission(actor, 'payments.view');
      return db.query<{ account_id: number; reference: string; customer_id: number; customer_name: string; credit_pence: number; reserved_pence: number; owed_elsewhere_pence: number }>(
        `with credit as (
           select l.account_id, -sum(l.amount_pence)::bigint as credit_pence
             from ledger_entries l join accounts a on a.id = l.account_id
            where a.authority_id = any($1::int[]) group by l.account_id having sum(l.amount_pence) < 0
         )
         select a.id as account_id, a.reference, c.id as customer_id, c.display_name as customer_name, cr.credit_pence,
                coalesce((select sum(f.amount_pence) from refunds f where f.account_id = a.id and f.status = 'requested'), 0)::bigint as reserved_pence,
                coalesce((select sum(l.amount_pence) from customer_accounts ca join ledger_entries l on l.account_id = ca.account_id
                           where ca.customer_id = a.customer_id and ca.account_id <> a.id), 0)::bigint as owed_elsewhere_pence
           from credit cr join accounts a on a.id = cr.account_id join customers c on c.id = a.customer_id
          order by cr.credit_pence desc limit 500`,
        [actor.authorityIds],
      );
    },

    async requestRefund(actor: Actor, accountId: number, input: unknown) {
      requirePermission(actor, 'refunds.request');
      const data = parse(refundRequestSchema, input, 'Check the refund');
      const bank = checkBankDetails(data.sortCode, data.accountNumber);
      if (!bank.valid) throw new ValidationError('Check the bank details', bank.problems);
      return db.transaction(async (tx) => {
        const [account] = await tx.query<{ id: number; authority_id: number; customer_id: number; reference: string }>(
          'select id, authority_id, customer_id, reference from accounts where id = $1 and authority_id = any($2::int[]) for update', [accountId, actor.authorityIds]);
        if (!account) throw new NotFoundError(`Account ${accountId} was not found`);
        const [bal] = await tx.query<{ b: number }>('select coalesce(sum(amount_pence), 0)::bigint as b from ledger_entries where account_id = $1', [accountId]);
        const available = -bal.b - (await reservedForRefunds(tx, accountId));
        if (data.amountPence > available) {
          throw new ValidationError(`Account ${account.reference} has ${formatPence(Math.max(available, 0))} of credit available to refund`, [{ field: 'amountPence', message: `No more than ${formatPence(Math.max(available, 0))}` }]);
        }
        const owed = await tx.query<{ reference: string; owed: number }>(
          `select a.reference, sum(l.amount_pence)::bigint as owed from customer_accounts ca join accounts a on a.id = ca.account_id
             join ledger_entries l on l.account_id = a.id
            where ca.customer_id = $1 and a.id <> $2 group by a.reference having sum(l.amount_pence) > 0`, [account.customer_id, accountId]);
        if (owed.length) {
          throw new ValidationError(`The customer owes ${owed.map((o) => `${formatPence(o.owed)} on ${o.reference}`).join(', ')}: transfer the credit there instead of refunding it`,
            [{ field: 'amountPence', message: 'The customer owes money on another account: transfer the credit there first' }]);
        }
        const settings = await paymentSettings(tx, account.authority_id);
        const approval = needsApproval(actor, data.amountPence, settings.refund_approval_limit_pence);
        const [row] = await tx.query<{ id: number }>(
          `insert into refunds (authority_id, account_id, amount_pence, payee_name, sort_code, account_number, reason, status, needs_approval, requested_at, requested_by, decided_at, decided_by)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning id`,
          [account.authority_id, accountId, data.amountPence, data.payeeName, bank.sortCode, bank.accountNumber, data.reason,
            approval ? 'requested' : 'approved', approval, clock.now(), actor.userId, approval ? null : clock.now(), approval ? null : actor.userId],
        );
        if (!approval) await postRefund(tx, actor, { id: row.id, account_id: accountId, amount_pence: data.amountPence, reason: data.reason });
        await event(tx, actor, accountId, approval
          ? `Refund of ${formatPence(data.amountPence)} requested (${data.reason}): waiting for a senior officer's approval`
          : `Refund of ${formatPence(data.amountPence)} approved (${data.reason}): to be paid by Bacs to ${data.payeeName}`, { refundId: row.id });
        await audit.record(actor, { action: 'create.refund', entityType: 'refund', entityId: row.id, authorityId: account.authority_id, detail: { amountPence: data.amountPence, needsApproval: approval } }, tx);
        return { refundId: row.id, status: approval ? 'requested' : 'approved' };
      });
    },

    /** Returns money in suspense to the payer (never identified, or paid to the council by mistake). */
    async requestReturn(actor: Actor, receiptId: number, input: unknown) {
      requirePermission(actor, 'refunds.request');
      const data = parse(refundRequestSchema.omit({ amountPence: true }), input, 'Check the return');
      const bank = checkBankDetails(data.sortCode, data.accountNumber);
      if (!bank.valid) throw new ValidationError('Check the bank details', bank.problems);
      return db.transaction(async (tx) => {
        const [receipt] = await tx.query<{ id: number; authority_id: number; amount_pence: number; status: string }>(
          'select id, authority_id, amount_pence, status from receipts where id = $1 and authority_id = any($2::int[]) for update', [receiptId, actor.authorityIds]);
        if (!receipt) throw new NotFoundError(`Receipt ${receiptId} was not found`);
        if (receipt.status !== 'suspense') throw new ConflictError(`Receipt ${receiptId} is not in suspense`);
        const settings = await paymentSettings(tx, receipt.authority_id);
        const approval = needsApproval(actor, receipt.amount_pence, settings.refund_approval_limit_pence);
        const [row] = await tx.query<{ id: number }>(
          `insert into refunds (authority_id, receipt_id, amount_pence, payee_name, sort_code, account_number, reason, status, needs_approval, requested_at, requested_by, decided_at, decided_by)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning id`,
          [receipt.authority_id, receiptId, receipt.amount_pence, data.payeeName, bank.sortCode, bank.accountNumber, data.reason,
            approval ? 'requested' : 'approved', approval, clock.now(), actor.userId, approval ? null : clock.now(), approval ? null : actor.userId],
        );
        await tx.query(`update receipts set status = 'return_requested', resolved_at = $2, resolved_by = $3 where id = $1`, [receiptId, clock.now(), actor.userId]);
        await tx.query('insert into receipt_actions (receipt_id, action, amount_pence, reason, at, by_user_id) values ($1, $2, $3, $4, $5, $6)',
          [receiptId, 'return', receipt.amount_pence, data.reason, clock.now(), actor.userId]);
        await audit.record(actor, { action: 'create.refund.return', entityType: 'refund', entityId: row.id, authorityId: receipt.authority_id, detail: { receiptId } }, tx);
        return { refundId: row.id, status: approval ? 'requested' : 'approved' };
      });
    },

    async decide(actor: Actor, refundId: number, input: unknown) {
      requirePermission(actor, 'refunds.approve');
      const data = parse(decisionSchema, input, 'Check the decision');
      return db.transaction(async (tx) => {
        const refund = await find(actor, refundId, tx);
        if (refund.status !== 'requested') throw new ConflictError(`Refund ${refundId} has already been decided (${refund.status})`);
        if (refund.requested_by !== null && refund.requested_by === actor.userId) throw new ForbiddenError('A refund must be approved by a second officer, not the one who asked for it');
        const limit = DELEGATED_LIMIT_PENCE[actor.role];
        if (data.decision === 'approve' && limit !== null && refund.amount_pence > limit) throw new ForbiddenError(`Refunds over ${formatPence(limit)} need a more senior officer`);
        if (data.decision === 'reject' && !data.note) throw new ValidationError('Say why the refund is rejected', [{ field: 'note', message: 'Say why the refund is rejected' }]);
        if (data.decision === 'approve' && refund.account_id) {
          const [bal] = await tx.query<{ b: number }>('select coalesce(sum(amount_pence), 0)::bigint as b from ledger_entries where account_id = $1', [refund.account_id]);
          if (-bal.b < refund.amount_pence) throw new ConflictError(`The account's credit is now ${formatPence(Math.max(-bal.b, 0))}: the refund cannot be approved`);
        }
        await tx.query(`update refunds set status = $2, decided_at = $3, decided_by = $4, decision_note = $5 where id = $1`,
          [refundId, data.decision === 'approve' ? 'approved' : 'rejected', clock.now(), actor.userId, data.note || null]);
        if (data.decision === 'approve') await postRefund(tx, actor, refund);
        if (refund.receipt_id && data.decision === 'reject') await tx.query(`update receipts set status = 'suspense' where id = $1`, [refund.receipt_id]);
        if (refund.account_id) {
          await event(tx, actor, refund.account_id, data.decision === 'approve'
            ? `Refund of ${formatPence(refund.amount_pence)} approved: to be paid by Bacs to ${refund.payee_name}`
            : `Refund of ${formatPence(refund.amount_pence)} rejected: ${data.note}`, { refundId });
        }
        await audit.record(actor, { action: `update.refund.${data.decision}`, entityType: 'refund', entityId: refundId, authorityId: refund.authority_id, detail: { note: data.note } }, tx);
        return { refundId, status: data.decision === 'approve' ? 'approved' : 'rejected' };
      });
    },

    async list(actor: Actor, status?: string) {
      requirePermission(actor, 'payments.view');
      return db.query<RefundRow>(
        `select f.*, a.reference as account_reference, c.display_name as customer_name, ru.display_name as requested_by_name, du.display_name as decided_by_name
           from refunds f left join accounts a on a.id = f.account_id left join customers c on c.id = a.customer_id
           left join users ru on ru.id = f.requested_by left join users du on du.id = f.decided_by
          where f.authority_id = any($1::int[]) and ($2::text is null or f.status = $2)
          order by f.requested_at desc, f.id desc limit 500`,
        [actor.authorityIds, status ?? null],
      );
    },

    get: find,

    /** A Bacs credit file paying every approved refund not yet paid; the refunds are then paid. */
    async createCreditFile(actor: Actor, input: { processingDate: string; authorityId?: number }) {
      requirePermission(actor, 'refunds.approve');
      const authorityId = input.authorityId ?? actor.authorityIds[0];
      if (!actor.authorityIds.includes(authorityId)) throw new NotFoundError(`Billing authority ${authorityId} was not found`);
      return db.transaction(async (tx) => {
        const due = await tx.query<{ id: number; amount_pence: number; payee_name: string; sort_code: string; account_number: string; account_reference: string | null; receipt_id: number | null; account_id: number | null }>(
          `select f.id, f.amount_pence, f.payee_name, f.sort_code, f.account_number, a.reference as account_reference, f.receipt_id, f.account_id
             from refunds f left join accounts a on a.id = f.account_id
            where f.authority_id = $1 and f.status = 'approved' and f.bacs_file_id is null order by f.id for update of f`, [authorityId]);
        if (!due.length) throw new ConflictError('There are no approved refunds waiting to be paid');
        const settings = await paymentSettings(tx, authorityId);
        const [{ n }] = await tx.query<{ n: number }>('select count(*)::int + 1 as n from bacs_files where authority_id = $1', [authorityId]);
        const { text, totals } = writeStandard18({
          serviceUserNumber: settings.bacs_service_user_number, serviceUserName: settings.bacs_service_user_name,
          originSortCode: settings.bank_sort_code, originAccountNumber: settings.bank_account_number,
          processingDate: input.processingDate, creationDate: clock.today(), fileNumber: n,
          records: due.map((d) => ({ sortCode: d.sort_code, accountNumber: d.account_number, transactionCode: '99' as const, amountPence: d.amount_pence, reference: d.account_reference ?? `REFUND ${d.id}`, accountName: d.payee_name })),
        });
        const [file] = await tx.query<{ id: number }>(
          `insert into bacs_files (authority_id, kind, processing_date, file_name, content, record_count, total_pence, created_at, created_by)
           values ($1, 'credit', $2, $3, $4, $5, $6, $7, $8) returning id`,
          [authorityId, input.processingDate, `refunds-${input.processingDate}-${n}.txt`, text, due.length, totals.creditPence, clock.now(), actor.userId]);
        await tx.query(`update refunds set status = 'paid', bacs_file_id = $2 where id = any($1::bigint[])`, [due.map((d) => d.id), file.id]);
        const returns = due.filter((d) => d.receipt_id).map((d) => d.receipt_id);
        if (returns.length) await tx.query(`update receipts set status = 'returned' where id = any($1::bigint[])`, [returns]);
        for (const d of due.filter((x) => x.account_id)) await event(tx, actor, d.account_id!, `Refund of ${formatPence(d.amount_pence)} paid by Bacs (file ${file.id}, processing ${input.processingDate})`, { refundId: d.id, bacsFileId: file.id });
        await audit.record(actor, { action: 'create.bacs_file.credit', entityType: 'bacs_file', entityId: file.id, authorityId, detail: { refunds: due.length, totalPence: totals.creditPence } }, tx);
        return { fileId: file.id, refunds: due.length, totalPence: totals.creditPence };
      });
    },
  };
}
export type RefundsService = ReturnType<typeof createRefundsService>;
