// The reports' SQL. Money figures come from the ledger aggregates (007_reports.sql), kept current
// by triggers and folded before each read; recovery, court, suspense, refund and workload figures
// come from their own modules' tables through small indexes. Every read is scoped by authority.
import type { Db } from '../../db/database.ts';

export interface DayTotalRow {
  stream: string;
  financial_year: number;
  kind: string;
  amount_pence: number;
}

export interface CollectionPointRow {
  stream: string;
  financial_year: number;
  as_at: string;
  charges_pence: number;
  adjustments_pence: number;
  receipts_pence: number; // payments and transfers (not those allocated to costs), as a positive figure
  refunds_pence: number; // refunds posted, positive
  prepaid_pence: number; // receipts (net of refunds) dated before 1 April of the year
}

export interface YearBalanceRow {
  stream: string;
  financial_year: number;
  owing_accounts: number;
  owing_pence: number;
  credit_accounts: number;
  credit_pence: number;
}

export interface StageRow {
  stream: string;
  position: string;
  cases: number;
  held: number;
  owing: number;
  owed_pence: number;
}

export interface MemberRow {
  customer_id: number;
  display_name: string;
  account_id: number | null;
  reference: string | null;
  financial_year: number | null;
  tax_balance_pence: number | null;
  balance_pence: number | null;
  unpaid_two_months_pence: number | null;
  not_yet_due_pence: number | null;
  has_plan: boolean | null;
}

export interface ReconcileRow {
  what: string;
  key: string;
  ledger_pence: number;
  aggregate_pence: number;
}

const LONDON_MIDNIGHT = (param: string) => `((${param}::date)::timestamp at time zone 'Europe/London')`;

export function createReportsRepository(db: Db) {
  return {
    /** Folds the triggers' deltas into the aggregates (all of them unless limited); returns how many. */
    async fold(limit: number | null = null): Promise<number> {
      return db.transaction(async (tx) => {
        const [row] = await tx.query<{ n: number }>('select levy_report_fold($1) as n', [limit]);
        return row.n;
      });
    },

    async pendingDeltas(): Promise<number> {
      const [row] = await db.query<{ n: number }>('select count(*)::int as n from report_ledger_deltas');
      return row.n;
    },

    async rebuild(): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.query('select levy_report_rebuild()');
      });
    },

    /**
     * Recomputes the aggregates from the ledger (the officers' figures from the events, the steps'
     * from recovery_steps) and lists
     * every difference (none when they agree; counts of officer actions appear in the pence columns).
     * Reads the whole ledger: for a test and for `levy report reconcile`, not for pages.
     */
    async reconcile(): Promise<ReconcileRow[]> {
      return db.transaction(async (tx) => {
        await tx.query('select levy_report_fold(null)');
        return tx.query<ReconcileRow>(
          `with ledger_days as (
             select a.authority_id, a.stream, l.financial_year, l.effective_date,
                    case when l.kind = 'payment' and pa.target = 'cost' then 'payment_cost' else l.kind end as kind,
                    sum(l.amount_pence)::bigint as amount
               from ledger_entries l join accounts a on a.id = l.account_id
               left join payment_allocations pa on pa.ledger_entry_id = l.id and pa.target = 'cost'
              group by 1, 2, 3, 4, 5
           ),
           days as (
             select 'day' as what, concat_ws('|', coalesce(x.authority_id, y.authority_id), coalesce(x.stream, y.stream), coalesce(x.financial_year, y.financial_year),
                    coalesce(x.effective_date, y.effective_date), coalesce(x.kind, y.kind)) as key,
                    coalesce(x.amount, 0) as ledger_pence, coalesce(y.amount_pence, 0) as aggregate_pence
               from ledger_days x
               full join (select * from report_ledger_days where amount_pence <> 0) y
                 on y.authority_id = x.authority_id and y.stream = x.stream and y.financial_year = x.financial_year
                and y.effective_date = x.effective_date and y.kind = x.kind
              where coalesce(x.amount, 0) <> coalesce(y.amount_pence, 0)
           ),
           ledger_years as (
             select l.account_id, l.financial_year, sum(l.amount_pence)::bigint as balance from ledger_entries l group by 1, 2
           ),
           accounts_years as (
             select 'account-year' as what, concat_ws('|', coalesce(x.account_id, y.account_id), coalesce(x.financial_year, y.financial_year)) as key,
                    coalesce(x.balance, 0) as ledger_pence, coalesce(y.balance_pence, 0) as aggregate_pence
               from ledger_years x
               full join report_account_years y on y.account_id = x.account_id and y.financial_year = x.financial_year
              where coalesce(x.balance, 0) <> coalesce(y.balance_pence, 0)
           ),
           ledger_summary as (
             select a.authority_id, a.stream, x.financial_year,
                    count(*) filter (where x.balance > 0)::int as owing_accounts, coalesce(sum(x.balance) filter (where x.balance > 0), 0)::bigint as owing_pence,
                    count(*) filter (where x.balance < 0)::int as credit_accounts, coalesce(-sum(x.balance) filter (where x.balance < 0), 0)::bigint as credit_pence
               from ledger_years x join accounts a on a.id = x.account_id group by 1, 2, 3
           ),
           summary as (
             select 'year-' || m.measure as what, concat_ws('|', coalesce(x.authority_id, y.authority_id), coalesce(x.stream, y.stream), coalesce(x.financial_year, y.financial_year)) as key,
                    case m.measure when 'owing_accounts' then coalesce(x.owing_accounts, 0) when 'owing_pence' then coalesce(x.owing_pence, 0)
                                   when 'credit_accounts' then coalesce(x.credit_accounts, 0) else coalesce(x.credit_pence, 0) end::bigint as ledger_pence,
                    case m.measure when 'owing_accounts' then coalesce(y.owing_accounts, 0) when 'owing_pence' then coalesce(y.owing_pence, 0)
                                   when 'credit_accounts' then coalesce(y.credit_accounts, 0) else coalesce(y.credit_pence, 0) end::bigint as aggregate_pence
               from ledger_summary x
               full join (select * from report_year_balances where owing_accounts <> 0 or owing_pence <> 0 or credit_accounts <> 0 or credit_pence <> 0) y
                 on y.authority_id = x.authority_id and y.stream = x.stream and y.financial_year = x.financial_year
              cross join (values ('owing_accounts'), ('owing_pence'), ('credit_accounts'), ('credit_pence')) as m(measure)
           ),
           officer_events as (
             select authority_id, by_user_id as user_id, (at at time zone 'Europe/London')::date as day,
                    count(*) filter (where type = 'note')::bigint as notes, count(*) filter (where type = 'contact')::bigint as contacts,
                    count(*) filter (where type not in ('note', 'contact'))::bigint as other,
                    count(distinct customer_id)::bigint as customers, count(distinct account_id)::bigint as accounts
               from events where by_user_id is not null and by_system is null group by 1, 2, 3
           ),
           officers as (
             select 'officer-' || m.measure as what, concat_ws('|', coalesce(x.authority_id, y.authority_id), coalesce(x.user_id, y.user_id), coalesce(x.day, y.day)) as key,
                    case m.measure when 'notes' then coalesce(x.notes, 0) when 'contacts' then coalesce(x.contacts, 0) when 'other' then coalesce(x.other, 0)
                                   when 'customers' then coalesce(x.customers, 0) else coalesce(x.accounts, 0) end as ledger_pence,
                    case m.measure when 'notes' then coalesce(y.notes, 0) when 'contacts' then coalesce(y.contacts, 0) when 'other' then coalesce(y.other, 0)
                                   when 'customers' then coalesce(y.customers, 0) else coalesce(y.accounts, 0) end::bigint as aggregate_pence
               from officer_events x
               full join report_officer_days y on y.authority_id = x.authority_id and y.user_id = x.user_id and y.day = x.day
              cross join (values ('notes'), ('contacts'), ('other'), ('customers'), ('accounts')) as m(measure)
           ),
           steps_now as (
             select s.authority_id, a.stream, s.issued_on, s.stage, coalesce(s.batch_run_id, 0) as batch_run_id,
                    count(*)::bigint as steps, sum(s.amount_pence)::bigint as amount_pence, sum(s.costs_pence)::bigint as costs_pence
               from recovery_steps s join accounts a on a.id = s.account_id group by 1, 2, 3, 4, 5
           ),
           steps as (
             select 'steps-' || m.measure as what,
                    concat_ws('|', coalesce(x.authority_id, y.authority_id), coalesce(x.stream, y.stream), coalesce(x.issued_on, y.issued_on), coalesce(x.stage, y.stage), coalesce(x.batch_run_id, y.batch_run_id)) as key,
                    case m.measure when 'count' then coalesce(x.steps, 0) when 'amount' then coalesce(x.amount_pence, 0) else coalesce(x.costs_pence, 0) end as ledger_pence,
                    case m.measure when 'count' then coalesce(y.steps, 0) when 'amount' then coalesce(y.amount_pence, 0) else coalesce(y.costs_pence, 0) end::bigint as aggregate_pence
               from steps_now x
               full join report_recovery_steps y on y.authority_id = x.authority_id and y.stream = x.stream and y.issued_on = x.issued_on
                and y.stage = x.stage and y.batch_run_id = x.batch_run_id
              cross join (values ('count'), ('amount'), ('costs')) as m(measure)
           )
           select what, key, ledger_pence, aggregate_pence from days
           union all select what, key, ledger_pence, aggregate_pence from steps where ledger_pence <> aggregate_pence
           union all select what, key, ledger_pence, aggregate_pence from accounts_years
           union all select what, key, ledger_pence, aggregate_pence from summary where ledger_pence <> aggregate_pence
           union all select what, key, ledger_pence, aggregate_pence from officers where ledger_pence <> aggregate_pence
           order by 1, 2`,
        );
      });
    },

    /**
     * The year's debit and receipts as at each point: charges and adjustments of the financial year,
     * and receipts to it (payments and transfers not allocated to costs; refunds net them off), all
     * with an effective date on or before the point.
     */
    async collectionPoints(authorityIds: number[], streams: string[], points: { year: number; asAt: string }[]): Promise<CollectionPointRow[]> {
      if (!points.length) return [];
      return db.query<CollectionPointRow>(
        `select d.stream, d.financial_year, p.as_at::text as as_at,
                coalesce(sum(d.amount_pence) filter (where d.kind = 'charge'), 0)::bigint as charges_pence,
                coalesce(sum(d.amount_pence) filter (where d.kind = 'adjustment'), 0)::bigint as adjustments_pence,
                coalesce(-sum(d.amount_pence) filter (where d.kind in ('payment', 'transfer')), 0)::bigint as receipts_pence,
                coalesce(sum(d.amount_pence) filter (where d.kind = 'refund'), 0)::bigint as refunds_pence,
                coalesce(-sum(d.amount_pence) filter (where d.kind in ('payment', 'transfer', 'refund')
                                                        and d.effective_date < make_date(d.financial_year, 4, 1)), 0)::bigint as prepaid_pence
           from unnest($3::int[], $4::date[]) as p(year, as_at)
           join report_ledger_days d on d.financial_year = p.year and d.effective_date <= p.as_at
          where d.authority_id = any($1::int[]) and d.stream = any($2::text[])
          group by d.stream, d.financial_year, p.as_at`,
        [authorityIds, streams, points.map((p) => p.year), points.map((p) => p.asAt)],
      );
    },

    /** The ledger by stream, financial year and kind, for entries effective between two dates (inclusive; from null = ever). */
    async dayTotals(authorityIds: number[], streams: string[] | null, from: string | null, to: string): Promise<DayTotalRow[]> {
      return db.query<DayTotalRow>(
        `select stream, financial_year, kind, sum(amount_pence)::bigint as amount_pence
           from report_ledger_days
          where authority_id = any($1::int[]) and ($2::text[] is null or stream = any($2::text[]))
            and ($3::date is null or effective_date >= $3::date) and effective_date <= $4::date
          group by stream, financial_year, kind`,
        [authorityIds, streams, from, to],
      );
    },

    /** Accounts owing and in credit, and how much, per stream and financial year, as the ledger stands. */
    async yearBalances(authorityIds: number[], streams: string[] | null): Promise<YearBalanceRow[]> {
      return db.query<YearBalanceRow>(
        `select stream, financial_year, sum(owing_accounts)::int as owing_accounts, sum(owing_pence)::bigint as owing_pence,
                sum(credit_accounts)::int as credit_accounts, sum(credit_pence)::bigint as credit_pence
           from report_year_balances
          where authority_id = any($1::int[]) and ($2::text[] is null or stream = any($2::text[]))
          group by stream, financial_year
         having sum(owing_accounts) <> 0 or sum(credit_accounts) <> 0
          order by stream, financial_year`,
        [authorityIds, streams],
      );
    },

    /**
     * Recovery cases at each position, with what they owed when the last recovery run looked at them
     * (recovery_cases.balance_pence: the recovery module keeps it for exactly these counts).
     */
    async stages(authorityIds: number[], streams: string[] | null): Promise<StageRow[]> {
      return db.query<StageRow>(
        `select stream, position, count(*)::int as cases, count(*) filter (where held)::int as held,
                count(*) filter (where balance_pence > 0)::int as owing,
                coalesce(sum(balance_pence) filter (where balance_pence > 0), 0)::bigint as owed_pence
           from recovery_cases
          where authority_id = any($1::int[]) and ($2::text[] is null or stream = any($2::text[]))
          group by stream, position`,
        [authorityIds, streams],
      );
    },

    /** Recovery steps issued each week (weeks start on Monday) between two dates, from the steps aggregate. */
    async stepsByWeek(authorityIds: number[], streams: string[] | null, from: string, to: string) {
      return db.query<{ week: string; stage: string; steps: number; amount_pence: number; costs_pence: number }>(
        `select date_trunc('week', issued_on)::date::text as week, stage, sum(steps)::int as steps,
                sum(amount_pence)::bigint as amount_pence, sum(costs_pence)::bigint as costs_pence
           from report_recovery_steps
          where authority_id = any($1::int[]) and issued_on between $3::date and $4::date
            and ($2::text[] is null or stream = any($2::text[]))
          group by 1, 2 order by 1, 2`,
        [authorityIds, streams, from, to],
      );
    },

    /** Notices issued by each recovery run between two dates, by stage. */
    async stepsByRun(authorityIds: number[], streams: string[] | null, from: string, to: string) {
      return db.query<{ batch_run_id: number; as_of: string | null; status: string | null; stage: string; steps: number; amount_pence: number; costs_pence: number }>(
        `select s.batch_run_id, r.as_of::text as as_of, r.status, s.stage, sum(s.steps)::int as steps,
                sum(s.amount_pence)::bigint as amount_pence, sum(s.costs_pence)::bigint as costs_pence
           from report_recovery_steps s
           left join recovery_runs r on r.batch_run_id = s.batch_run_id
          where s.authority_id = any($1::int[]) and s.issued_on between $3::date and $4::date and s.batch_run_id <> 0
            and ($2::text[] is null or s.stream = any($2::text[]))
          group by s.batch_run_id, r.as_of, r.status, s.stage
          order by s.batch_run_id desc, s.stage`,
        [authorityIds, streams, from, to],
      );
    },

    /** Each hearing between two dates with its outcomes, and cases still waiting for one. */
    async courtOutcomes(authorityIds: number[], from: string, to: string) {
      return db.query<{ hearing_id: number; court_name: string; hearing_on: string; granted: number; withdrawn: number; adjourned: number;
        dismissed: number; awaiting: number; granted_pence: number }>(
        `with h as (
           select id, court_name, hearing_on from court_hearings
            where authority_id = any($1::int[]) and hearing_on between $2::date and $3::date
         ),
         o as (
           select o.hearing_id,
                  count(*) filter (where o.outcome = 'granted')::int as granted,
                  count(*) filter (where o.outcome = 'withdrawn')::int as withdrawn,
                  count(*) filter (where o.outcome = 'adjourned')::int as adjourned,
                  count(*) filter (where o.outcome = 'dismissed')::int as dismissed,
                  coalesce(sum(c.complaint_pence + c.costs_pence) filter (where o.outcome = 'granted'), 0)::bigint as granted_pence
             from court_case_outcomes o join court_cases c on c.id = o.case_id
            where o.hearing_id in (select id from h)
            group by o.hearing_id
         ),
         w as (
           select hearing_id, count(*)::int as awaiting from court_cases
            where hearing_id in (select id from h) and status = 'listed' group by hearing_id
         )
         select h.id as hearing_id, h.court_name, h.hearing_on::text as hearing_on,
                coalesce(o.granted, 0) as granted, coalesce(o.withdrawn, 0) as withdrawn, coalesce(o.adjourned, 0) as adjourned,
                coalesce(o.dismissed, 0) as dismissed, coalesce(w.awaiting, 0) as awaiting, coalesce(o.granted_pence, 0)::bigint as granted_pence
           from h left join o on o.hearing_id = h.id left join w on w.hearing_id = h.id
          order by h.hearing_on, h.court_name, h.id`,
        [authorityIds, from, to],
      );
    },

    /**
     * Councillors (customers flagged is_councillor) and each council tax account-year they are
     * liable on that owes council tax at the meeting date, with what had been unpaid for two months:
     * the council tax balance at the meeting date (charges, reductions, payments not allocated to
     * costs, refunds and write-offs effective on or before it) less the instalments of the plan in
     * force at the meeting date that fall due after the cut-off (meeting date − 2 months). A year
     * with no instalment plan is treated as due in full on the day it was first charged.
     */
    async members(authorityIds: number[], meetingDate: string, cutOff: string): Promise<MemberRow[]> {
      return db.query<MemberRow>(
        `with cllr as (
           select c.id, c.display_name from customers c where c.is_councillor and c.authority_id = any($1::int[])
         ),
         acc as (
           -- the accounts they lead and those they are jointly liable on (the customer_accounts view,
           -- written out so each councillor's accounts are found through the indexes)
           select distinct cl.id as customer_id, a.id as account_id, a.reference
             from cllr cl
             cross join lateral (select a.id from accounts a where a.customer_id = cl.id
                                 union
                                 select li.account_id from liability_parties lp join liabilities li on li.id = lp.liability_id
                                  where lp.customer_id = cl.id) x
             join accounts a on a.id = x.id and a.stream = 'council_tax'
         ),
         yr as (
           select l.account_id, l.financial_year,
                  coalesce(sum(l.amount_pence) filter (where l.kind <> 'cost' and pa.ledger_entry_id is null), 0)::bigint as tax_balance,
                  sum(l.amount_pence)::bigint as balance,
                  min(l.effective_date) filter (where l.kind = 'charge') as first_charged
             from (select distinct account_id from acc) x
             join ledger_entries l on l.account_id = x.account_id and l.effective_date <= $2::date
             left join payment_allocations pa on pa.ledger_entry_id = l.id and pa.target = 'cost'
            group by l.account_id, l.financial_year
         ),
         plan as (
           select distinct on (p.account_id, p.financial_year) p.account_id, p.financial_year, p.id
             from instalment_plans p where p.account_id in (select account_id from acc) and p.issued_on <= $2::date
            order by p.account_id, p.financial_year, p.issued_on desc, p.id desc
         ),
         not_due as (
           select plan.account_id, plan.financial_year, coalesce(sum(i.amount_pence) filter (where i.due_date > $3::date), 0)::bigint as not_yet_due
             from plan left join instalments i on i.plan_id = plan.id
            group by plan.account_id, plan.financial_year
         )
         select cl.id as customer_id, cl.display_name, acc.account_id, acc.reference, yr.financial_year,
                yr.tax_balance as tax_balance_pence, yr.balance as balance_pence,
                case when yr.account_id is null then null
                     else greatest(yr.tax_balance - case when nd.account_id is not null then nd.not_yet_due
                                                         when yr.first_charged is null or yr.first_charged > $3::date then yr.tax_balance
                                                         else 0 end, 0) end::bigint as unpaid_two_months_pence,
                nd.not_yet_due as not_yet_due_pence,
                case when yr.account_id is null then null else nd.account_id is not null end as has_plan
           from cllr cl
           left join acc on acc.customer_id = cl.id
           left join yr on yr.account_id = acc.account_id and (yr.balance <> 0 or yr.tax_balance <> 0)
           left join not_due nd on nd.account_id = yr.account_id and nd.financial_year = yr.financial_year
          order by cl.display_name, cl.id, acc.reference, yr.financial_year`,
        [authorityIds, meetingDate, cutOff],
      );
    },

    /** Money in suspense by how long it has waited (days since it was received) at a date. */
    async suspenseByAge(authorityIds: number[], asAt: string) {
      return db.query<{ bucket: number; items: number; amount_pence: number; oldest: string | null }>(
        `select case when age <= 7 then 1 when age <= 30 then 2 when age <= 90 then 3 when age <= 365 then 4 else 5 end as bucket,
                count(*)::int as items, sum(amount_pence)::bigint as amount_pence, min(received_on)::text as oldest
           from (select amount_pence, received_on, ($2::date - received_on) as age
                   from receipts where authority_id = any($1::int[]) and status = 'suspense' and received_on <= $2::date) x
          group by 1 order by 1`,
        [authorityIds, asAt],
      );
    },

    /** Refunds asked for between two dates, by month asked and where they stand now. */
    async refundsByMonth(authorityIds: number[], from: string, to: string) {
      return db.query<{ month: string; status: string; kind: string; refunds: number; amount_pence: number }>(
        `select to_char(requested_at at time zone 'Europe/London', 'YYYY-MM') as month, status,
                case when receipt_id is not null then 'return' else 'refund' end as kind,
                count(*)::int as refunds, sum(amount_pence)::bigint as amount_pence
           from refunds
          where authority_id = any($1::int[]) and requested_at >= ${LONDON_MIDNIGHT('$2')} and requested_at < ${LONDON_MIDNIGHT('$3')} + interval '1 day'
          group by 1, 2, 3 order by 1, 2, 3`,
        [authorityIds, from, to],
      );
    },

    /**
     * Write-offs and write-ons effective between two dates, by stream and reason. A write-on that
     * reverses a write-off (the write-offs module's) counts under the reason of the write-off.
     */
    async writeOffs(authorityIds: number[], streams: string[] | null, from: string, to: string) {
      return db.query<{ stream: string; reason: string; kind: string; entries: number; amount_pence: number }>(
        `select a.stream, coalesce(nullif(trim(case when l.kind = 'write_on' then coalesce(o.reason, l.reason) else l.reason end), ''), 'No reason recorded') as reason,
                l.kind, count(*)::int as entries, sum(l.amount_pence)::bigint as amount_pence
           from ledger_entries l join accounts a on a.id = l.account_id
           left join ledger_entries o on o.id = l.reverses_entry_id
          where l.kind in ('write_off', 'write_on') and l.effective_date between $3::date and $4::date
            and a.authority_id = any($1::int[]) and ($2::text[] is null or a.stream = any($2::text[]))
          group by 1, 2, 3 order by 1, 2, 3`,
        [authorityIds, streams, from, to],
      );
    },

    /** Arrangements by where they stand now; how many were agreed, and how many ended so, in the period. */
    async arrangements(authorityIds: number[], from: string, to: string) {
      return db.query<{ status: string; arrangements: number; total_pence: number; agreed: number; agreed_pence: number; ended: number }>(
        `select status, count(*)::int as arrangements, coalesce(sum(total_pence), 0)::bigint as total_pence,
                count(*) filter (where (created_at at time zone 'Europe/London')::date between $2::date and $3::date)::int as agreed,
                coalesce(sum(total_pence) filter (where (created_at at time zone 'Europe/London')::date between $2::date and $3::date), 0)::bigint as agreed_pence,
                count(*) filter (where status_on between $2::date and $3::date)::int as ended
           from arrangements where authority_id = any($1::int[]) group by status`,
        [authorityIds, from, to]);
    },

    /** Attachment of earnings orders in force, made, cleared and ended; what employers sent in the period. */
    async attachments(authorityIds: number[], from: string, to: string) {
      const [row] = await db.query<{ in_force: number; in_force_pence: number; made: number; made_pence: number; cleared: number; ended: number; remittances: number; collected_pence: number }>(
        `select count(*) filter (where status = 'active')::int as in_force,
                coalesce(sum(order_pence) filter (where status = 'active'), 0)::bigint as in_force_pence,
                count(*) filter (where made_on between $2::date and $3::date)::int as made,
                coalesce(sum(order_pence) filter (where made_on between $2::date and $3::date), 0)::bigint as made_pence,
                count(*) filter (where status = 'cleared' and ended_on between $2::date and $3::date)::int as cleared,
                count(*) filter (where status = 'ended' and ended_on between $2::date and $3::date)::int as ended,
                (select count(*) from attachment_remittances r join attachment_orders o on o.id = r.order_id
                  where o.authority_id = any($1::int[]) and r.received_on between $2::date and $3::date)::int as remittances,
                (select coalesce(sum(r.amount_pence), 0) from attachment_remittances r join attachment_orders o on o.id = r.order_id
                  where o.authority_id = any($1::int[]) and r.received_on between $2::date and $3::date)::bigint as collected_pence
           from attachment_orders where authority_id = any($1::int[])`,
        [authorityIds, from, to]);
      return row;
    },

    /** Each enforcement agent firm: cases referred in the period, returns in the period, collected, fees. */
    async agents(authorityIds: number[], from: string, to: string) {
      return db.query<{ firm: string; referred: number; referred_pence: number; open: number; paid: number; part_paid: number; unpaid: number;
        collected_pence: number; fees_pence: number; over_scale: number }>(
        `select f.name as firm,
                (select count(*) from ea_referrals r where r.firm_id = f.id and r.status not in ('awaiting_decision', 'ready', 'refused')
                    and (coalesce(r.exported_at, r.created_at) at time zone 'Europe/London')::date between $2::date and $3::date)::int as referred,
                (select coalesce(sum(r.sum_pence), 0) from ea_referrals r where r.firm_id = f.id and r.status not in ('awaiting_decision', 'ready', 'refused')
                    and (coalesce(r.exported_at, r.created_at) at time zone 'Europe/London')::date between $2::date and $3::date)::bigint as referred_pence,
                (select count(*) from ea_referrals r where r.firm_id = f.id and r.status in ('exported', 'with_agent'))::int as open,
                count(x.id) filter (where x.status = 'paid')::int as paid,
                count(x.id) filter (where x.status = 'part_paid')::int as part_paid,
                count(x.id) filter (where x.status in ('no_goods', 'gone_away', 'returned'))::int as unpaid,
                coalesce(sum(x.paid_pence), 0)::bigint as collected_pence,
                coalesce(sum(x.fee_pence), 0)::bigint as fees_pence,
                count(x.id) filter (where x.over_scale)::int as over_scale
           from ea_firms f
           left join (select er.* , r.firm_id from ea_returns er join ea_referrals r on r.id = er.referral_id
                       where er.returned_on between $2::date and $3::date) x on x.firm_id = f.id
          where f.authority_id = any($1::int[])
          group by f.id, f.name order by f.name, f.id`,
        [authorityIds, from, to]);
    },

    /**
     * What each officer recorded by hand between two dates (one officer when userId is given), from
     * the daily officer aggregates; customers and accounts worked count once per officer per day.
     */
    async workload(authorityIds: number[], from: string, to: string, userId: number | null) {
      return db.query<{ user_id: number; display_name: string; role: string; notes: number; contacts: number; other: number;
        customers: number; accounts: number }>(
        `select u.id as user_id, u.display_name, u.role,
                sum(d.notes)::int as notes, sum(d.contacts)::int as contacts, sum(d.other)::int as other,
                sum(d.customers)::int as customers, sum(d.accounts)::int as accounts
           from report_officer_days d join users u on u.id = d.user_id
          where d.authority_id = any($1::int[]) and d.day between $2::date and $3::date and ($4::int is null or d.user_id = $4::int)
          group by u.id, u.display_name, u.role
          order by u.display_name, u.id`,
        [authorityIds, from, to, userId],
      );
    },

    /** The team's work queues: how many items wait in each and since when. */
    async queues(authorityIds: number[], today: string) {
      const [row] = await db.query<{
        suspense: number; suspense_oldest: string | null;
        refunds: number; refunds_oldest: string | null;
        runs: number; runs_oldest: string | null;
        holds: number; holds_oldest: string | null;
        court: number; court_oldest: string | null;
      }>(
        `select
           (select count(*) from receipts where authority_id = any($1::int[]) and status = 'suspense')::int as suspense,
           (select min(received_on)::text from receipts where authority_id = any($1::int[]) and status = 'suspense') as suspense_oldest,
           (select count(*) from refunds where authority_id = any($1::int[]) and status = 'requested')::int as refunds,
           (select min((requested_at at time zone 'Europe/London')::date)::text from refunds where authority_id = any($1::int[]) and status = 'requested') as refunds_oldest,
           (select count(*) from recovery_runs where authority_id = any($1::int[]) and status = 'awaiting_approval')::int as runs,
           (select min(as_of)::text from recovery_runs where authority_id = any($1::int[]) and status = 'awaiting_approval') as runs_oldest,
           (select count(*) from holds where authority_id = any($1::int[]) and ended_on is null and review_on <= $2::date)::int as holds,
           (select min(review_on)::text from holds where authority_id = any($1::int[]) and ended_on is null and review_on <= $2::date) as holds_oldest,
           (select count(*) from court_cases c join court_hearings h on h.id = c.hearing_id
             where c.authority_id = any($1::int[]) and c.status = 'listed' and h.hearing_on < $2::date)::int as court,
           (select min(h.hearing_on)::text from court_cases c join court_hearings h on h.id = c.hearing_id
             where c.authority_id = any($1::int[]) and c.status = 'listed' and h.hearing_on < $2::date) as court_oldest`,
        [authorityIds, today],
      );
      return row;
    },

    async authorities(authorityIds: number[]) {
      return db.query<{ id: number; ons_code: string; name: string }>(
        'select id, ons_code, name from billing_authorities where id = any($1::int[]) order by name, id', [authorityIds]);
    },

    async targets(authorityId: number, streams: string[], year: number) {
      return db.query<{ stream: string; month_no: number; target_percent: string; updated_at: Date; updated_by_name: string | null }>(
        `select t.stream, t.month_no, t.target_percent::text as target_percent, t.updated_at, u.display_name as updated_by_name
           from collection_targets t left join users u on u.id = t.updated_by
          where t.authority_id = $1 and t.stream = any($2::text[]) and t.financial_year = $3 order by t.stream, t.month_no`,
        [authorityId, streams, year]);
    },

    async saveTargets(tx: Db, input: { authorityId: number; stream: string; year: number; months: { monthNo: number; percent: string | null }[]; userId: number | null; now: Date }) {
      const clear = input.months.filter((m) => m.percent === null).map((m) => m.monthNo);
      const set = input.months.filter((m) => m.percent !== null);
      if (clear.length) {
        await tx.query('delete from collection_targets where authority_id = $1 and stream = $2 and financial_year = $3 and month_no = any($4::int[])',
          [input.authorityId, input.stream, input.year, clear]);
      }
      if (set.length) {
        await tx.query(
          `insert into collection_targets (authority_id, stream, financial_year, month_no, target_percent, updated_at, updated_by)
           select $1, $2, $3, m, p::numeric, $6, $7 from unnest($4::int[], $5::text[]) as x(m, p)
           on conflict (authority_id, stream, financial_year, month_no)
             do update set target_percent = excluded.target_percent, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
          [input.authorityId, input.stream, input.year, set.map((m) => m.monthNo), set.map((m) => m.percent), input.now, input.userId]);
      }
    },
  };
}
export type ReportsRepository = ReturnType<typeof createReportsRepository>;
