// Receipts on the ledger: allocation by the authority's policy, reversal, and the timeline events
// that explain them. Everything here is set-based over a list of receipts, so an import of 100,000
// lines and an officer allocating one item from suspense run the same SQL.
// Design: docs/decisions/0005-allocating-payments.md.
import type { Db } from '../../db/database.ts';

export const CHANNEL_LABELS: Record<string, string> = {
  bank_transfer: 'bank transfer',
  post_office: 'Post Office',
  paypoint: 'PayPoint',
  payzone: 'Payzone',
  bills_online: 'bills online',
  ivr: 'telephone (IVR)',
  allpay_app: 'Allpay app',
  direct_debit: 'Direct Debit',
  dwp: 'DWP deduction from benefit',
  employer: 'employer (attachment of earnings)',
  enforcement_agent: 'enforcement agent',
  card: 'card',
  cash: 'cash',
  transfer: 'transfer from another account',
};
export const channelLabel = (channel: string) => CHANNEL_LABELS[channel] ?? channel.replace(/_/g, ' ');

const LABELS_SQL = `(select * from unnest($LBL_KEYS::text[], $LBL_VALUES::text[]) as x(code, label))`;

/** "£1,234.56" and "2026/27" in SQL, for event summaries written in bulk. */
const money = (expr: string) => `('£' || to_char((${expr})::numeric / 100, 'FM999,999,999,990.00'))`;
const fy = (expr: string) => `((${expr})::text || '/' || lpad((((${expr}) + 1) % 100)::text, 2, '0'))`;

export interface PostingContext {
  now: Date;
  userId: number | null;
  bySystem: string | null;
  /** Start year of the current financial year (for the current-year-first policy and credits). */
  currentYear: number;
}

export function createReceiptsRepository(_db: Db) {
  /** Replaces $LBL_KEYS/$LBL_VALUES with the next parameter numbers and appends the label arrays. */
  function withLabels(sql: string, params: unknown[]): [string, unknown[]] {
    const k = params.length + 1;
    return [sql.replace('$LBL_KEYS', `$${k}`).replace('$LBL_VALUES', `$${k + 1}`), [...params, Object.keys(CHANNEL_LABELS), Object.values(CHANNEL_LABELS)]];
  }

  return {
    /**
     * Allocates receipts (status 'allocated', account set, nothing allocated yet) to their accounts'
     * debts by the authority's policy, in one statement: each account's outstanding debt is laid out
     * as buckets (year × cost/charge, in policy order) on a running total, each receipt as an interval
     * on the running total of that account's receipts, and each overlap becomes one payment entry.
     * Whatever exceeds the debt is a credit in the current year. Returns the entries written.
     */
    async allocate(tx: Db, receiptIds: number[], ctx: PostingContext, options: { onlyYear?: number } = {}): Promise<number> {
      if (!receiptIds.length) return 0;
      const rows = await tx.query<{ n: number }>(
        `with r as (
           select r.id, r.account_id, r.amount_pence, r.received_on, r.channel, r.import_id, a.authority_id
             from receipts r join accounts a on a.id = r.account_id
            where r.id = any($1::bigint[]) and r.status = 'allocated'
              and not exists (select 1 from payment_allocations pa where pa.receipt_id = r.id)
         ),
         rc as (
           select r.*, sum(r.amount_pence) over (partition by r.account_id order by r.received_on, r.id) as r_end from r
         ),
         acc as (select distinct account_id, authority_id from r),
         yr as (
           select l.account_id, l.financial_year, sum(l.amount_pence)::bigint as bal,
                  coalesce(sum(l.amount_pence) filter (where l.kind = 'cost'), 0)::bigint as costs
             from ledger_entries l where l.account_id in (select account_id from acc)
            group by l.account_id, l.financial_year
         ),
         paid_costs as (
           select pa.account_id, pa.financial_year, -sum(pa.amount_pence)::bigint as paid
             from payment_allocations pa
            where pa.account_id in (select account_id from acc) and pa.target = 'cost'
            group by pa.account_id, pa.financial_year
         ),
         split as (
           select yr.account_id, yr.financial_year, greatest(yr.bal, 0) as owed,
                  least(greatest(yr.bal, 0), greatest(yr.costs - coalesce(pc.paid, 0), 0)) as cost_owed
             from yr left join paid_costs pc using (account_id, financial_year)
            where $4::int is null or yr.financial_year = $4::int
         ),
         parts as (
           select account_id, financial_year, 'cost' as target, cost_owed as amt from split
           union all
           select account_id, financial_year, 'charge', owed - cost_owed from split
         ),
         policy as (
           select acc.account_id, coalesce(s.allocation_order, 'oldest_first') as ord, coalesce(s.costs_first, true) as costs_first
             from acc left join payment_settings s on s.authority_id = acc.authority_id
         ),
         buckets as (
           select p.account_id, p.financial_year, p.target, p.amt,
                  sum(p.amt) over (partition by p.account_id
                                   order by case when po.ord = 'current_first' and p.financial_year = $2 then 0 else 1 end,
                                            p.financial_year,
                                            case when (p.target = 'cost') = po.costs_first then 0 else 1 end
                                   rows unbounded preceding) as b_end
             from parts p join policy po using (account_id)
            where p.amt > 0
         ),
         all_buckets as (
           select account_id, financial_year, target, b_end - amt as b_start, b_end from buckets
           union all
           select acc.account_id, coalesce($4::int, $2::int), 'credit', coalesce(t.owed, 0), 9000000000000000000::bigint
             from acc left join (select account_id, max(b_end) as owed from buckets group by account_id) t using (account_id)
         ),
         alloc as (
           select rc.id as receipt_id, rc.account_id, b.financial_year, b.target, rc.received_on, rc.channel, rc.import_id,
                  least(b.b_end, rc.r_end) - greatest(b.b_start, rc.r_end - rc.amount_pence) as amt
             from rc join all_buckets b on b.account_id = rc.account_id
                  and b.b_start < rc.r_end and b.b_end > rc.r_end - rc.amount_pence
         ),
         ids as materialized (
           select nextval('ledger_entries_id_seq') as id, alloc.* from alloc where amt > 0
         ),
         le as (
           insert into ledger_entries (id, account_id, kind, amount_pence, financial_year, effective_date, posted_at, posted_by, source, reason)
           select id, account_id, 'payment', -amt, financial_year, received_on, $3, $5,
                  case when import_id is not null then 'import:' || import_id else 'receipt:' || receipt_id end,
                  'Receipt ' || receipt_id || case when target = 'credit' then ' (more than was owed: credit)' else ' against ' || target || ' ' || ${fy('financial_year')} end
             from ids
           returning id
         ),
         pa as (
           insert into payment_allocations (ledger_entry_id, receipt_id, account_id, financial_year, target, amount_pence)
           select id, receipt_id, account_id, financial_year, target, -amt from ids
           returning ledger_entry_id
         )
         select (select count(*) from pa)::int as n`,
        [receiptIds, ctx.currentYear, ctx.now, options.onlyYear ?? null, ctx.userId],
      );
      return rows[0].n;
    },

    /**
     * Posts reversing entries for everything a receipt has on the ledger that is not already reversed
     * (an ARUDD return, a re-allocation, a transfer). The allocation rows record the reversal too, so
     * costs paid and credits stay right. Returns the number of entries reversed.
     */
    async reverse(tx: Db, receiptIds: number[], ctx: PostingContext & { effectiveDate: string; reason: string; source: string }): Promise<number> {
      if (!receiptIds.length) return 0;
      const rows = await tx.query<{ n: number }>(
        `with live as (
           select l.id, l.account_id, l.amount_pence, l.financial_year, pa.receipt_id, pa.target
             from payment_allocations pa join ledger_entries l on l.id = pa.ledger_entry_id
            where pa.receipt_id = any($1::bigint[]) and l.reverses_entry_id is null
              and not exists (select 1 from ledger_entries r where r.reverses_entry_id = l.id)
         ),
         ids as materialized (select nextval('ledger_entries_id_seq') as new_id, live.* from live),
         le as (
           insert into ledger_entries (id, account_id, kind, amount_pence, financial_year, effective_date, posted_at, posted_by, source, reason, reverses_entry_id)
           select new_id, account_id, 'payment', -amount_pence, financial_year, $2, $3, $4, $5, $6, id from ids
           returning id
         ),
         pa as (
           insert into payment_allocations (ledger_entry_id, receipt_id, account_id, financial_year, target, amount_pence)
           select new_id, receipt_id, account_id, financial_year, target, -amount_pence from ids
           returning ledger_entry_id
         )
         select (select count(*) from pa)::int as n`,
        [receiptIds, ctx.effectiveDate, ctx.now, ctx.userId, ctx.source, ctx.reason],
      );
      return rows[0].n;
    },

    /**
     * One 'payment' event per receipt on its account's timeline: amount, how it came, and where it
     * went ("2025/26 £80.00 (costs £80.00), 2026/27 £40.00"). prefix overrides the opening words.
     */
    async writePaymentEvents(tx: Db, receiptIds: number[], ctx: PostingContext, prefix?: string): Promise<void> {
      if (!receiptIds.length) return;
      const [sql, params] = withLabels(
        `with parts as (
           select pa.receipt_id, pa.financial_year, pa.target, -sum(pa.amount_pence) as amt
             from payment_allocations pa where pa.receipt_id = any($1::bigint[])
            group by pa.receipt_id, pa.financial_year, pa.target having sum(pa.amount_pence) <> 0
         ),
         went as (
           select receipt_id, string_agg(case when target = 'credit' then ${money('amt')} || ' left as a credit'
                                              else ${fy('financial_year')} || ' ' || target || ' ' || ${money('amt')} end,
                                         ', ' order by financial_year, target) as summary
             from parts group by receipt_id
         )
         insert into events (authority_id, customer_id, account_id, at, type, summary, detail, by_user_id, by_system)
         select a.authority_id, a.customer_id, a.id, $2, 'payment',
                coalesce($5, 'Payment of ' || ${money('r.amount_pence')} || ' received by ' || coalesce(lbl.label, r.channel))
                  || ' on ' || to_char(r.received_on, 'FMDD FMMonth YYYY') || ': ' || coalesce(went.summary, 'nothing allocated'),
                jsonb_build_object('receiptId', r.id, 'amountPence', r.amount_pence, 'channel', r.channel, 'reference', r.reference, 'importId', r.import_id),
                $3, $4
           from receipts r join accounts a on a.id = r.account_id
           left join went on went.receipt_id = r.id
           left join ${LABELS_SQL} lbl on lbl.code = r.channel
          where r.id = any($1::bigint[])`,
        [receiptIds, ctx.now, ctx.userId, ctx.bySystem, prefix ?? null],
      );
      await tx.query(sql, params);
    },

    /** Credit on an account by year (negative balances), latest year first. */
    async creditByYear(tx: Db, accountId: number): Promise<{ financial_year: number; credit: number }[]> {
      return tx.query(
        `select financial_year, -sum(amount_pence)::bigint as credit from ledger_entries where account_id = $1
          group by financial_year having sum(amount_pence) < 0 order by financial_year desc`,
        [accountId],
      );
    },

    async balance(tx: Db, accountId: number): Promise<number> {
      const [row] = await tx.query<{ balance: number }>(`select coalesce(sum(amount_pence), 0)::bigint as balance from ledger_entries where account_id = $1`, [accountId]);
      return row.balance;
    },
  };
}
export type ReceiptsRepository = ReturnType<typeof createReceiptsRepository>;
