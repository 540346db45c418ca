// Write-offs (DOMAIN.md §6): recommended by rule (uneconomic, statute-barred, insolvency, deceased)
// or by an officer (untraceable and the rest); approved by someone other than the recommender whose
// role's delegated limit (DELEGATED_LIMIT_PENCE) covers the amount; posted as a 'write_off' ledger
// entry. A write-on (the debtor reappears) posts a 'write_on' entry reversing it.
import { z } from 'zod';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import { isIsoDate } from '../../domain/calendar.ts';
import { formatPence } from '../../domain/money.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import type { AccountsRepository } from '../accounts/accounts.repository.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';
import { DELEGATED_LIMIT_PENCE, ROLE_LABELS } from '../auth/roles.ts';
import type { EventsRepository } from '../casework/events.repository.ts';
import { parse } from '../arrangements/recipient.ts';
import { tablesToXlsx } from '../../integrations/report-files/xlsx.ts';
import type { SheetTable } from '../../integrations/report-files/csv.ts';
import { WRITE_OFF_REASONS, WRITE_OFF_REASON_LABELS, type WriteOffRow, type WriteOffsRepository } from './write-offs.repository.ts';

export const recommendSchema = z.object({
  financialYear: z.coerce.number({ message: 'Enter the financial year' }).int().min(1990, 'Enter the year it starts, for example 2024').max(2100),
  reason: z.enum(WRITE_OFF_REASONS, { message: 'Choose why it should be written off' }),
  note: z.string().trim().min(1, 'Say what was tried and why it should be written off').max(2000),
});
export const decisionSchema = z.object({ note: z.string().trim().max(2000).optional() });
export const writeOnSchema = z.object({ reason: z.string().trim().min(1, 'Enter why it is being written back on').max(2000) });

function withinLimit(actor: Actor, amountPence: number) {
  const limit = DELEGATED_LIMIT_PENCE[actor.role];
  if (limit !== null && amountPence > limit) {
    throw new ForbiddenError(`${formatPence(amountPence)} is over the ${ROLE_LABELS[actor.role].toLowerCase()}’s delegated limit of ${formatPence(limit)}: a more senior officer must approve it`);
  }
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${(/^[=+\-@]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"` : s;
};

export function writeOffCsv(rows: WriteOffRow[]): string {
  const header = ['id', 'account_reference', 'customer', 'financial_year', 'amount', 'reason', 'status', 'recommended_on', 'recommended_by', 'decided_by', 'decided_at', 'by_rule'];
  const lines = rows.map((r) => [r.id, r.account_reference, r.customer_name, r.financial_year, (Number(r.amount_pence) / 100).toFixed(2), WRITE_OFF_REASON_LABELS[r.reason], r.status,
    r.recommended_on, r.recommended_by_name ?? 'rule', r.decided_by_name ?? '', r.decided_at ? new Date(r.decided_at).toISOString() : '', r.by_rule ? 'yes' : 'no'].map(csvCell).join(','));
  return [header.join(','), ...lines].join('\r\n') + '\r\n';
}

/**
 * The same rows as the CSV, as an Excel table: amounts are numbers in pounds (£#,##0.00), dates are
 * date cells, the decision time stays an ISO timestamp (text) as in the CSV.
 */
export function writeOffTable(rows: WriteOffRow[]): SheetTable {
  return {
    key: 'write-offs', title: 'Write-offs',
    columns: [
      { key: 'id', label: 'Write-off', type: 'count' }, { key: 'account_reference', label: 'Account reference', type: 'text' }, { key: 'customer', label: 'Customer', type: 'text' },
      { key: 'financial_year', label: 'Financial year', type: 'year' }, { key: 'amount', label: 'Amount', type: 'pence' }, { key: 'reason', label: 'Reason', type: 'text' },
      { key: 'status', label: 'Status', type: 'text' }, { key: 'recommended_on', label: 'Recommended on', type: 'date' }, { key: 'recommended_by', label: 'Recommended by', type: 'text' },
      { key: 'decided_by', label: 'Decided by', type: 'text' }, { key: 'decided_at', label: 'Decided at (UTC)', type: 'text' }, { key: 'by_rule', label: 'By rule', type: 'text' },
    ],
    rows: rows.map((r) => ({
      id: Number(r.id), account_reference: r.account_reference, customer: r.customer_name, financial_year: Number(r.financial_year), amount: Number(r.amount_pence),
      reason: WRITE_OFF_REASON_LABELS[r.reason], status: r.status, recommended_on: r.recommended_on, recommended_by: r.recommended_by_name ?? 'rule',
      decided_by: r.decided_by_name ?? '', decided_at: r.decided_at ? new Date(r.decided_at).toISOString() : '', by_rule: r.by_rule ? 'yes' : 'no',
    })),
    totals: { account_reference: 'Total', amount: rows.reduce((t, r) => t + Number(r.amount_pence), 0) },
  };
}

export function createWriteOffsService(deps: { db: Db; clock: Clock; repo: WriteOffsRepository; accounts: AccountsRepository; events: EventsRepository; audit: AuditRepository }) {
  const { db, clock, repo, accounts, events, audit } = deps;

  async function requireWriteOff(actor: Actor, id: number, tx: Db = db) {
    const w = await repo.find(actor.authorityIds, id, tx);
    if (!w) throw new NotFoundError(`Write-off ${id} was not found`);
    return w;
  }

  return {
    async recommend(actor: Actor, accountId: number, input: unknown): Promise<number> {
      requirePermission(actor, 'write_offs.recommend');
      const r = parse(recommendSchema, input, 'Check the write-off');
      const account = await accounts.findAccount(actor.authorityIds, accountId);
      if (!account) throw new NotFoundError(`Account ${accountId} was not found`);
      const balance = await repo.yearBalance(accountId, r.financialYear);
      if (balance <= 0) throw new ValidationError('Check the write-off', [{ field: 'financialYear', message: `Nothing is owed on ${account.reference} for that year` }]);
      return db.transaction(async (tx) => {
        const open = await tx.query(`select 1 from write_offs where account_id = $1 and financial_year = $2 and status = 'recommended'`, [accountId, r.financialYear]);
        if (open.length) throw new ConflictError('A write-off for that year is already awaiting a decision');
        const id = await repo.insert({ authorityId: account.authority_id, accountId, financialYear: r.financialYear, amountPence: balance, reason: r.reason, note: r.note, on: clock.today() }, actor.userId, tx);
        await events.insert({ authorityId: account.authority_id, customerId: account.customer_id, accountId, type: 'write_off', summary: `Write-off of ${formatPence(balance)} recommended (${WRITE_OFF_REASON_LABELS[r.reason]}): ${r.note}`, detail: { writeOffId: id }, byUserId: actor.userId, at: clock.now() }, tx);
        await audit.record(actor, { action: 'create.write_off', entityType: 'write_off', entityId: id, authorityId: account.authority_id }, tx);
        return id;
      });
    },

    /** Runs the recommendation rules over the actor's authorities as at asOf; returns how many it added. */
    async applyRules(actor: Actor, asOf: string = clock.today()) {
      requirePermission(actor, 'write_offs.recommend');
      if (!isIsoDate(asOf)) throw new ValidationError('Check the date', [{ field: 'asOf', message: 'Enter a real date' }]);
      return db.transaction(async (tx) => {
        const ids = (await repo.applyRules(actor.authorityIds, asOf, tx)).map((r) => r.id);
        await audit.record(actor, { action: 'run.write_off_rules', entityType: 'write_off', detail: { asOf, recommended: ids.length } }, tx);
        return { recommended: ids };
      });
    },

    async approve(actor: Actor, id: number, input: unknown = {}) {
      requirePermission(actor, 'write_offs.approve');
      const d = parse(decisionSchema, input, 'Check the decision');
      return db.transaction(async (tx) => {
        const w = await requireWriteOff(actor, id, tx);
        if (w.status !== 'recommended') throw new ConflictError('This write-off has already been decided');
        if (w.recommended_by !== null && w.recommended_by === actor.userId) throw new ForbiddenError('Someone other than the officer who recommended it must approve a write-off');
        withinLimit(actor, Number(w.amount_pence));
        const balance = await repo.yearBalance(w.account_id, w.financial_year, tx);
        if (balance < Number(w.amount_pence)) throw new ConflictError(`The balance for the year is now ${formatPence(balance)}: reject this and recommend again`);
        const [entry] = await tx.query<{ id: number }>(
          `insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, posted_by, source, reason)
           values ($1, 'write_off', $2, $3, $4, $5, $6, $7) returning id`,
          [w.account_id, -Number(w.amount_pence), w.financial_year, clock.today(), actor.userId, `write-off:${id}`, WRITE_OFF_REASON_LABELS[w.reason]]);
        await repo.decide(id, { status: 'approved', ledgerEntryId: entry.id, note: d.note, at: clock.now() }, actor.userId, tx);
        await events.insert({ authorityId: w.authority_id, customerId: w.customer_id, accountId: w.account_id, type: 'write_off', summary: `${formatPence(Number(w.amount_pence))} written off for ${w.financial_year}/${String((w.financial_year + 1) % 100).padStart(2, '0')} (${WRITE_OFF_REASON_LABELS[w.reason]})`, detail: { writeOffId: id, ledgerEntryId: entry.id }, byUserId: actor.userId, at: clock.now() }, tx);
        await audit.record(actor, { action: 'approve.write_off', entityType: 'write_off', entityId: id, authorityId: w.authority_id, detail: { amountPence: Number(w.amount_pence) } }, tx);
        return { ledgerEntryId: entry.id };
      });
    },

    async reject(actor: Actor, id: number, input: unknown = {}) {
      requirePermission(actor, 'write_offs.approve');
      const d = parse(decisionSchema, input, 'Check the decision');
      await db.transaction(async (tx) => {
        const w = await requireWriteOff(actor, id, tx);
        if (w.status !== 'recommended') throw new ConflictError('This write-off has already been decided');
        await repo.decide(id, { status: 'rejected', ledgerEntryId: null, note: d.note, at: clock.now() }, actor.userId, tx);
        await audit.record(actor, { action: 'reject.write_off', entityType: 'write_off', entityId: id, authorityId: w.authority_id }, tx);
      });
    },

    /** The debtor has reappeared: reverse the write-off with a 'write_on' entry, within the same limits. */
    async writeOn(actor: Actor, id: number, input: unknown) {
      requirePermission(actor, 'write_offs.approve');
      const r = parse(writeOnSchema, input, 'Check the write-on');
      return db.transaction(async (tx) => {
        const w = await requireWriteOff(actor, id, tx);
        if (w.status !== 'approved' || !w.ledger_entry_id) throw new ConflictError('Only an approved write-off can be written back on');
        withinLimit(actor, Number(w.amount_pence));
        const [entry] = await tx.query<{ id: number }>(
          `insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, posted_by, source, reason, reverses_entry_id)
           values ($1, 'write_on', $2, $3, $4, $5, $6, $7, $8) returning id`,
          [w.account_id, Number(w.amount_pence), w.financial_year, clock.today(), actor.userId, `write-on:${id}`, r.reason, w.ledger_entry_id]);
        await repo.writeOn(id, entry.id, r.reason, tx);
        await events.insert({ authorityId: w.authority_id, customerId: w.customer_id, accountId: w.account_id, type: 'write_off', summary: `${formatPence(Number(w.amount_pence))} written back on: ${r.reason}`, detail: { writeOffId: id, ledgerEntryId: entry.id }, byUserId: actor.userId, at: clock.now() }, tx);
        await audit.record(actor, { action: 'write_on.write_off', entityType: 'write_off', entityId: id, authorityId: w.authority_id }, tx);
        return { ledgerEntryId: entry.id };
      });
    },

    async getWriteOff(actor: Actor, id: number) {
      requirePermission(actor, 'cases.view');
      const w = await requireWriteOff(actor, id);
      await audit.record(actor, { action: 'view.write_off', entityType: 'write_off', entityId: id, authorityId: w.authority_id });
      return w;
    },

    async list(actor: Actor, status?: string) {
      requirePermission(actor, 'cases.view');
      return repo.list(actor.authorityIds, { status: status || undefined, limit: 500 });
    },

    /** The write-off report for a period (decisions dated from..to), as CSV. */
    async reportCsv(actor: Actor, from: string, to: string) {
      requirePermission(actor, 'cases.view');
      if (!isIsoDate(from) || !isIsoDate(to)) throw new ValidationError('Check the dates', [{ field: !isIsoDate(from) ? 'from' : 'to', message: 'Enter a real date' }]);
      const rows = await repo.report(actor.authorityIds, from, to);
      await audit.record(actor, { action: 'view.write_off_report', entityType: 'write_off', detail: { from, to, rows: rows.length } });
      return writeOffCsv(rows);
    },

    /** The same report as an Excel workbook (an About sheet, then the rows). */
    async reportXlsx(actor: Actor, from: string, to: string): Promise<Buffer> {
      requirePermission(actor, 'cases.view');
      if (!isIsoDate(from) || !isIsoDate(to)) throw new ValidationError('Check the dates', [{ field: !isIsoDate(from) ? 'from' : 'to', message: 'Enter a real date' }]);
      const rows = await repo.report(actor.authorityIds, from, to);
      await audit.record(actor, { action: 'view.write_off_report', entityType: 'write_off', detail: { from, to, rows: rows.length, format: 'xlsx' } });
      return tablesToXlsx({
        title: 'Write-offs', description: 'Write-offs approved or written back on, by the date of the decision.',
        about: [['Decisions from', from], ['Decisions to', to], ['Rows', String(rows.length)]],
        notes: ['Amounts are in pounds. A write-off later written back on shows status written_on.'],
        tables: [writeOffTable(rows)], created: clock.now(),
      });
    },
  };
}
export type WriteOffsService = ReturnType<typeof createWriteOffsService>;
