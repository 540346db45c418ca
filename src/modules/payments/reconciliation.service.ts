// Reconciliation: the daily cash report (money received by channel, and where every penny of it is
// now: on accounts, in suspense, returned) with each import's control totals, and the general-ledger
// journal for the finance system. Both are read from receipts and the ledger, never kept separately.
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import { ValidationError } from '../../errors.ts';
import { journalCsv, unbalancedDates, type JournalLine } from '../../integrations/ledger-export/gl-journal.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';
import { reportOf } from './payments.service.ts';
import type { ImportRow } from './imports.repository.ts';
import { channelLabel } from './receipts.repository.ts';

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

/** GL codes: the finance system's chart is the council's; these are Levy's defaults, documented in docs/formats.md. */
export const GL_CODES = {
  bank: (channel: string) => `BANK-${channel.toUpperCase()}`,
  suspense: 'SUSPENSE',
  stream: (stream: string) => `COLL-${stream.toUpperCase()}`,
};

export function createReconciliationService(deps: { db: Db; clock: Clock; audit: AuditRepository }) {
  const { db, audit } = deps;

  return {
    async dailyCash(actor: Actor, date: string) {
      requirePermission(actor, 'payments.view');
      if (!isoDate.test(date)) throw new ValidationError('Enter a date as YYYY-MM-DD', [{ field: 'date', message: 'Enter a date as YYYY-MM-DD' }]);
      const channels = await db.query<{ channel: string; receipts: number; received_pence: number; on_accounts_pence: number; suspense_pence: number; returned_pence: number }>(
        `with recursive roots as (
           select id, channel, amount_pence from receipts
            where authority_id = any($1::int[]) and received_on = $2 and parent_receipt_id is null and channel <> 'transfer'
         ),
         family as (
           select r.id as root, r.id from roots r
           union all
           select f.root, c.id from family f join receipts c on c.parent_receipt_id = f.id
         ),
         fate as (
           select f.root,
                  coalesce(sum(case when r.status in ('suspense', 'return_requested') then r.amount_pence end), 0) as suspense,
                  coalesce(sum(case when r.status = 'returned' and r.channel <> 'direct_debit' then r.amount_pence end), 0) as returned,
                  coalesce((select -sum(pa.amount_pence) from payment_allocations pa join family f2 on f2.id = pa.receipt_id where f2.root = f.root), 0) as on_accounts
             from family f join receipts r on r.id = f.id group by f.root
         )
         select roots.channel, count(*)::int as receipts, sum(roots.amount_pence)::bigint as received_pence,
                sum(fate.on_accounts)::bigint as on_accounts_pence, sum(fate.suspense)::bigint as suspense_pence,
                (sum(roots.amount_pence) - sum(fate.on_accounts) - sum(fate.suspense))::bigint as returned_pence
           from roots join fate on fate.root = roots.id group by roots.channel order by roots.channel`,
        [actor.authorityIds, date],
      );
      const imports = await db.query<ImportRow>(
        `select i.*, null as started_by_name from payment_imports i where i.authority_id = any($1::int[]) and (i.started_at at time zone 'Europe/London')::date = $2 order by i.id`,
        [actor.authorityIds, date],
      );
      const [returns] = await db.query<{ n: number; pence: number }>(
        `select count(*)::int as n, coalesce(sum(c.amount_pence), 0)::bigint as pence from dd_collections c
           join payment_import_lines l on l.receipt_id = c.receipt_id join payment_imports i on i.id = l.import_id and i.format = 'arudd'
          where c.authority_id = any($1::int[]) and c.status = 'returned' and (i.started_at at time zone 'Europe/London')::date = $2`,
        [actor.authorityIds, date],
      );
      const [refunds] = await db.query<{ n: number; pence: number }>(
        `select count(*)::int as n, coalesce(sum(f.amount_pence), 0)::bigint as pence from refunds f join bacs_files b on b.id = f.bacs_file_id
          where f.authority_id = any($1::int[]) and b.processing_date = $2`, [actor.authorityIds, date]);
      const totals = channels.reduce((t, c) => ({
        receipts: t.receipts + c.receipts, received: t.received + c.received_pence, onAccounts: t.onAccounts + c.on_accounts_pence,
        suspense: t.suspense + c.suspense_pence, returned: t.returned + c.returned_pence,
      }), { receipts: 0, received: 0, onAccounts: 0, suspense: 0, returned: 0 });
      await audit.record(actor, { action: 'view.cash_report', entityType: 'cash_report', entityId: date });
      return {
        date,
        channels: channels.map((c) => ({ ...c, label: channelLabel(c.channel) })),
        totals,
        balanced: totals.received === totals.onAccounts + totals.suspense + totals.returned,
        imports: imports.map((i) => reportOf(i, false)),
        ddReturns: returns,
        refundsPaid: refunds,
      };
    },

    /**
     * The GL journal for a date range: for each day, money received (debit the bank for its channel),
     * what went to each stream's collection account or to suspense (credits), allocations out of
     * suspense, refunds paid and Direct Debits returned. Balanced per day by construction, and checked.
     */
    async glJournal(actor: Actor, input: { from: string; to: string }) {
      requirePermission(actor, 'payments.view');
      if (!isoDate.test(input.from) || !isoDate.test(input.to) || input.from > input.to) {
        throw new ValidationError('Enter a date range as YYYY-MM-DD', [{ field: 'from', message: 'Enter the first and last dates' }]);
      }
      // payment entries (and their reversals) by day, stream and where the money came from
      const rows = await db.query<{ day: string; stream: string; contra: string; kind: string; net: number }>(
        `select l.effective_date as day, a.stream,
                case when l.kind = 'refund' then 'BANK-REFUND'
                     when exists (select 1 from receipt_actions ra where ra.receipt_id in (r.id, r.parent_receipt_id) and ra.action in ('allocate', 'split')) then 'SUSPENSE'
                     when r.channel = 'transfer' then 'TRANSFER'
                     else 'BANK-' || upper(coalesce(r.channel, 'unknown')) end as contra,
                l.kind, sum(l.amount_pence)::bigint as net
           from ledger_entries l join accounts a on a.id = l.account_id
           left join payment_allocations pa on pa.ledger_entry_id = l.id left join receipts r on r.id = pa.receipt_id
          where a.authority_id = any($1::int[]) and l.kind in ('payment', 'refund') and l.effective_date between $2 and $3
            and (pa.receipt_id is not null or l.kind = 'refund' or l.source like 'transfer:%')
          group by 1, 2, 3, 4 having sum(l.amount_pence) <> 0 order by 1, 2, 3`,
        [actor.authorityIds, input.from, input.to],
      );
      const suspense = await db.query<{ day: string; channel: string; pence: number }>(
        `select received_on as day, channel, sum(amount_pence)::bigint as pence from receipts
          where authority_id = any($1::int[]) and received_on between $2 and $3 and parent_receipt_id is null and channel <> 'transfer'
            and (status in ('suspense', 'return_requested', 'returned') or exists (select 1 from receipt_actions ra where ra.receipt_id = receipts.id and ra.action in ('allocate', 'split')))
            and channel <> 'direct_debit'
          group by 1, 2 order by 1, 2`,
        [actor.authorityIds, input.from, input.to],
      );
      const lines: JournalLine[] = [];
      const push = (day: string, code: string, description: string, signedDebit: number, reference: string) => {
        if (signedDebit === 0) return;
        lines.push({ journalDate: day, glCode: code, description, debitPence: Math.max(signedDebit, 0), creditPence: Math.max(-signedDebit, 0), reference });
      };
      for (const s of suspense) {
        push(s.day, GL_CODES.bank(s.channel), `Receipts to suspense: ${channelLabel(s.channel)}`, s.pence, `LEVY-${s.day}`);
        push(s.day, GL_CODES.suspense, `Receipts to suspense: ${channelLabel(s.channel)}`, -s.pence, `LEVY-${s.day}`);
      }
      for (const r of rows) {
        // r.net is negative for money in (a payment), positive for a reversal or a refund
        const what = r.kind === 'refund' ? 'Refunds' : r.net < 0 ? 'Payments' : 'Payments reversed';
        push(r.day, GL_CODES.stream(r.stream), `${what}: ${r.stream.replace(/_/g, ' ')}`, r.net, `LEVY-${r.day}`);
        push(r.day, r.contra, `${what}: ${r.stream.replace(/_/g, ' ')}`, -r.net, `LEVY-${r.day}`);
      }
      const unbalanced = unbalancedDates(lines);
      if (unbalanced.length) throw new Error(`GL journal does not balance on ${unbalanced.join(', ')}`);
      await audit.record(actor, { action: 'create.gl_journal', entityType: 'gl_journal', entityId: `${input.from}..${input.to}`, detail: { lines: lines.length } });
      return { lines, csv: journalCsv(lines) };
    },
  };
}
export type ReconciliationService = ReturnType<typeof createReconciliationService>;
