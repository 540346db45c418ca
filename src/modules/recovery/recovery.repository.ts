// Recovery SQL: timetables, the daily run's candidate selection (one set-based statement over every
// account of the authority), snapshot loading for a page of account-years (four statements, however
// many accounts), the run and its items, steps, outcomes and the per-account-year case index.
import type { Db } from '../../db/database.ts';
import type { InstalmentDue, Movement, StepRecord } from '../../domain/recovery/evaluate.ts';
import type { Nation } from '../../domain/law/rules.ts';
import type { RecoveryStream, StageCode, StageDefinition, Timetable, Trigger } from '../../domain/recovery/timetable.ts';

export interface YearKey {
  accountId: number;
  financialYear: number;
}
export const keyOf = (accountId: number, financialYear: number) => `${accountId}:${financialYear}`;

export interface CandidateParams {
  stream: RecoveryStream;
  /** Days back from the as-of date an instalment must have fallen due to need a reminder. */
  reminderLookbackDays: number;
  /** Same, once the year's reminders are used up (the balance falls due the day after a failure). */
  finalLookbackDays: number;
  maxReminders: number;
  minimumPence: number;
}

export interface RunRow {
  batch_run_id: number;
  authority_id: number;
  authority_name: string;
  as_of: string;
  status: 'awaiting_approval' | 'issuing' | 'completed' | 'cancelled' | 'failed';
  report: RunReport;
  issue_report: IssueReport | null;
  started_by_name: string | null;
  started_at: Date;
  approved_by_name: string | null;
  approved_at: Date | null;
  finished_at: Date | null;
  error: string | null;
}

export interface RunReport {
  asOf: string;
  authority: { id: number; name: string };
  timetables: { stream: string; id: number | undefined; name: string; effectiveFrom: string }[];
  candidates: number;
  evaluated: number;
  actions: { stage: StageCode; count: number; demandPence: number; costsPence: number }[];
  outcomes: { stage: StageCode; outcome: string; count: number }[];
  held: { count: number; byType: { type: string; label: string; count: number }[] };
  exceptions: number;
  reviews: number;
  items: number;
  seconds: { select: number; evaluate: number; write: number; total: number };
  /** What the preview saw: the issue phase re-evaluates only account-years with anything newer. */
  watermarks?: Watermarks;
}

export interface Watermarks {
  ledger: number;
  plans: number;
  steps: number;
  courtOutcomes: number;
  /** Database time the preview started: holds created or changed since then count as changes. */
  at: string;
}

export interface IssueReport {
  steps: Record<string, number>;
  letters: number;
  costsPence: number;
  outcomes: number;
  skipped: number;
  batches: number;
  seconds: number;
}

export interface RunItemRow {
  run_id: number;
  item_no: number;
  account_id: number;
  account_reference: string;
  customer_name: string;
  /** Warnings on anyone liable on the account ("Name: warning"). */
  warnings: string[];
  financial_year: number;
  kind: 'action' | 'record' | 'held' | 'exception' | 'review';
  stage: string | null;
  stages: string[];
  amount_pence: number;
  costs_pence: number;
  reason: string;
  status: string;
  result: string | null;
}

export interface NewRunItem {
  itemNo: number;
  accountId: number;
  financialYear: number;
  kind: RunItemRow['kind'];
  stage: string | null;
  stages: string[];
  amountPence: number;
  costsPence: number;
  reason: string;
  decision: unknown;
}

export interface NewStep {
  authorityId: number;
  accountId: number;
  financialYear: number;
  stage: StageCode;
  batchRunId: number | null;
  issuedOn: string;
  payBy: string | null;
  escalatesOn: string | null;
  balanceDueOn: string | null;
  amountPence: number;
  costsPence: number;
  reason: string;
  createdBy: number | null;
}

export interface CaseUpdate {
  accountId: number;
  financialYear: number;
  authorityId: number;
  stream: string;
  position: string;
  held: boolean;
  exception: boolean;
  remindersServed: number;
  reviewOn: string | null;
  nextAction: string | null;
  nextActionOn: string | null;
  reason: string;
  balancePence: number;
  lastRunId: number | null;
}

export interface RecipientRow {
  account_id: number;
  authority_id: number;
  customer_id: number;
  reference: string;
  stream: string;
  addressee: string;
  address_lines: string[];
  property_address: string | null;
  email: string | null;
}

const json = (rows: unknown[]) => JSON.stringify(rows);

export function createRecoveryRepository(db: Db) {
  return {
    async timetables(authorityIds: number[], tx: Db = db): Promise<Timetable[]> {
      const rows = await tx.queryPrepared<{
        id: number; authority_id: number; stream: RecoveryStream; effective_from: string; name: string; nation: Nation;
        summons_service_days: number; hearing_min_days_after_service: number; limitation_years: number;
        stages: { stage: StageCode; trigger: Trigger; issue_after_days: number; pay_within_days: number | null; escalate_after_days: number | null; minimum_pence: number; costs_pence: number; letter_template: string | null; next_stages: StageCode[] }[];
      }>(
        `select t.id, t.authority_id, t.stream, t.effective_from, t.name, b.nation, t.summons_service_days, t.hearing_min_days_after_service, t.limitation_years,
                coalesce((select json_agg(s order by s.stage) from recovery_timetable_stages s where s.timetable_id = t.id), '[]') as stages
           from recovery_timetables t join billing_authorities b on b.id = t.authority_id
          where t.authority_id = any($1::int[]) order by t.authority_id, t.stream, t.effective_from`,
        [authorityIds],
      );
      return rows.map((r) => ({
        id: r.id, authorityId: r.authority_id, stream: r.stream, nation: r.nation, effectiveFrom: r.effective_from, name: r.name,
        summonsServiceDays: r.summons_service_days, hearingMinDaysAfterService: r.hearing_min_days_after_service, limitationYears: r.limitation_years,
        stages: r.stages.map((s): StageDefinition => ({
          stage: s.stage, trigger: s.trigger, issueAfterDays: s.issue_after_days, payWithinDays: s.pay_within_days, escalateAfterDays: s.escalate_after_days,
          minimumPence: Number(s.minimum_pence), costsPence: Number(s.costs_pence), letterTemplate: s.letter_template, nextStages: s.next_stages,
        })),
      }));
    },

    async insertTimetable(t: Timetable & { authorityId: number }, actorId: number | null, tx: Db): Promise<number> {
      const [row] = await tx.query<{ id: number }>(
        `insert into recovery_timetables (authority_id, stream, effective_from, name, summons_service_days, hearing_min_days_after_service, limitation_years, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
        [t.authorityId, t.stream, t.effectiveFrom, t.name, t.summonsServiceDays, t.hearingMinDaysAfterService, t.limitationYears, actorId],
      );
      await tx.query(
        `insert into recovery_timetable_stages (timetable_id, stage, trigger, issue_after_days, pay_within_days, escalate_after_days, minimum_pence, costs_pence, letter_template, next_stages)
         select $1, x.stage, x.trigger, x.issue_after_days, x.pay_within_days, x.escalate_after_days, x.minimum_pence, x.costs_pence, x.letter_template,
                array(select jsonb_array_elements_text(x.next_stages))
           from jsonb_to_recordset($2::jsonb) as x(stage text, trigger text, issue_after_days int, pay_within_days int, escalate_after_days int,
                minimum_pence bigint, costs_pence bigint, letter_template text, next_stages jsonb)`,
        [row.id, json(t.stages.map((s) => ({
          stage: s.stage, trigger: s.trigger, issue_after_days: s.issueAfterDays, pay_within_days: s.payWithinDays, escalate_after_days: s.escalateAfterDays,
          minimum_pence: s.minimumPence, costs_pence: s.costsPence, letter_template: s.letterTemplate, next_stages: s.nextStages,
        })))],
      );
      return row.id;
    },

    /**
     * The account-years the run must evaluate, in one statement:
     *  (a) any whose case asked to be looked at again by the as-of date (a pay-by date passed, a
     *      summons due, a hold ended, a hearing coming up);
     *  (b) any on instalments (or finished) whose instalments due by the look-back date are unpaid
     *      today by at least the minimum: a reminder, or the balance due, may be needed.
     * A superset of what the pure evaluation will act on; it decides.
     */
    async candidates(authorityId: number, asOf: string, params: CandidateParams[], tx: Db = db): Promise<(YearKey & { hasCase: boolean })[]> {
      if (!params.length) return [];
      const rows = await tx.query<{ account_id: number; financial_year: number; has_case: boolean }>(
        `with tt as (
           select * from unnest($2::text[], $3::int[], $4::int[], $5::int[], $6::bigint[])
             as t(stream, reminder_lookback, final_lookback, max_reminders, minimum_pence)
         ),
         -- Aggregated before any join: one pass over the ledger and one over the instalments in the
         -- look-back window, each grouped on its own key, then joined (PGlite and PostgreSQL plan this well).
         owed as (
           select account_id, financial_year, sum(amount_pence)::bigint as owed
             from ledger_entries
            where kind <> 'cost' and effective_date <= $7::date
            group by account_id, financial_year
           having sum(amount_pence) > 0
         ),
         fut as (
           select plan_id,
                  sum(amount_pence) filter (where due_date > $7::date - $8::int)::bigint as after_reminder,
                  sum(amount_pence) filter (where due_date > $7::date - $9::int)::bigint as after_final
             from instalments
            where due_date > $7::date - greatest($8::int, $9::int)
            group by plan_id
         )
         select o.account_id, o.financial_year, c.account_id is not null as has_case
           from owed o
           join accounts a on a.id = o.account_id
           join tt on tt.stream = a.stream
           left join instalment_plans ip on ip.account_id = o.account_id and ip.financial_year = o.financial_year and ip.superseded_at is null
           left join fut f on f.plan_id = ip.id
           left join recovery_cases c on c.account_id = o.account_id and c.financial_year = o.financial_year
          where a.authority_id = $1
            and (c.account_id is null or c.position in ('on_instalments', 'paid', 'withdrawn', 'dismissed'))
            and o.owed - case when coalesce(c.reminders_served, 0) >= tt.max_reminders then coalesce(f.after_final, 0)
                              else coalesce(f.after_reminder, 0) end >= tt.minimum_pence
         union
         select c.account_id, c.financial_year, true from recovery_cases c
          where c.authority_id = $1 and c.review_on <= $7::date
         order by 1, 2`,
        [
          authorityId,
          params.map((p) => p.stream), params.map((p) => p.reminderLookbackDays), params.map((p) => p.finalLookbackDays),
          params.map((p) => p.maxReminders), params.map((p) => p.minimumPence), asOf,
          // The look-backs for the instalment sums: the shortest of any stream's, so the selection is a
          // superset when streams differ (the evaluation then decides exactly).
          Math.min(...params.map((p) => p.reminderLookbackDays)), Math.min(...params.map((p) => p.finalLookbackDays)),
        ],
      );
      return rows.map((r) => ({ accountId: r.account_id, financialYear: r.financial_year, hasCase: r.has_case }));
    },

    /**
     * Everything the evaluation needs for a page of account-years, in one statement with one row per
     * account-year: the current plan's instalments and the year's ledger movements come packed as
     * text ("seq|due|amount,…"), because moving many small rows out of the database (PGlite above
     * all) costs far more than the packing.
     */
    async snapshotData(keys: YearKey[], asOf: string, tx: Db = db) {
      const rows = await tx.query<{ account_id: number; financial_year: number; authority_id: number; stream: RecoveryStream; inst: string | null; moves: string | null;
        steps: { stage: StageCode; issued_on: string; pay_by: string | null; escalates_on: string | null; balance_due_on: string | null; amount_pence: number;
          costs_pence: number; outcome: StepRecord['outcome']; outcome_on: string | null; hearing_on: string | null }[] | null }>(
        `select k.account_id, k.fy as financial_year, a.authority_id, a.stream,
                (select string_agg(i.seq || '|' || i.due_date || '|' || i.amount_pence, ',' order by i.seq)
                   from instalments i
                  where i.plan_id = (select ip.id from instalment_plans ip
                                      where ip.account_id = k.account_id and ip.financial_year = k.fy and ip.superseded_at is null
                                      order by ip.id desc limit 1)) as inst,
                (select string_agg(l.effective_date || '|' || l.amount_pence || '|' || case when l.kind = 'cost' then '1' else '0' end, ',')
                   from ledger_entries l
                  where l.account_id = k.account_id and l.financial_year = k.fy and l.effective_date <= $3::date) as moves,
                (select json_agg(json_build_object('stage', s.stage, 'issued_on', s.issued_on, 'pay_by', s.pay_by, 'escalates_on', s.escalates_on,
                          'balance_due_on', s.balance_due_on, 'amount_pence', s.amount_pence, 'costs_pence', s.costs_pence, 'outcome', s.outcome,
                          'outcome_on', s.outcome_on, 'hearing_on', h.hearing_on))
                   from recovery_steps s left join court_cases cc on cc.summons_step_id = s.id left join court_hearings h on h.id = cc.hearing_id
                  where s.account_id = k.account_id and s.financial_year = k.fy and s.issued_on <= $3::date) as steps
           from unnest($1::bigint[], $2::smallint[]) as k(account_id, fy)
           join accounts a on a.id = k.account_id`,
        [keys.map((k) => k.accountId), keys.map((k) => k.financialYear), asOf]);
      const accounts = new Map<number, { id: number; authority_id: number; stream: RecoveryStream }>();
      const instalments = new Map<string, InstalmentDue[]>();
      const movements = new Map<string, Movement[]>();
      const steps = new Map<string, StepRecord[]>();
      for (const r of rows) {
        accounts.set(r.account_id, { id: r.account_id, authority_id: r.authority_id, stream: r.stream });
        const k = keyOf(r.account_id, r.financial_year);
        if (r.inst) {
          instalments.set(k, r.inst.split(',').map((x) => {
            const [seq, dueOn, amount] = x.split('|');
            return { seq: Number(seq), dueOn, amountPence: Number(amount) };
          }));
        }
        if (r.moves) {
          movements.set(k, r.moves.split(',').map((x) => {
            const [on, amount, cost] = x.split('|');
            return { on, amountPence: Number(amount), isCost: cost === '1' };
          }));
        }
        if (r.steps) {
          steps.set(k, r.steps.map((st): StepRecord => ({
            stage: st.stage, issuedOn: st.issued_on, payBy: st.pay_by, escalatesOn: st.escalates_on, balanceDueOn: st.balance_due_on,
            amountPence: Number(st.amount_pence), costsPence: Number(st.costs_pence), outcome: st.outcome, outcomeOn: st.outcome_on, hearingOn: st.hearing_on,
          })));
        }
      }
      return { accounts, instalments, movements, steps };
    },

    /** Financial years an account has anything in (ledger or plan), newest first. */
    async yearsOfAccount(accountId: number): Promise<number[]> {
      const rows = await db.queryPrepared<{ fy: number }>(
        `select financial_year as fy from ledger_entries where account_id = $1
         union select financial_year from instalment_plans where account_id = $1 order by 1 desc`, [accountId]);
      return rows.map((r) => r.fy);
    },

    async lastAsOf(authorityId: number, tx: Db = db): Promise<string | null> {
      const [row] = await tx.query<{ as_of: string | null }>(
        `select max(as_of) as as_of from recovery_runs where authority_id = $1 and status in ('awaiting_approval', 'issuing', 'completed')`, [authorityId]);
      return row?.as_of ?? null;
    },

    async openRun(authorityId: number, tx: Db = db): Promise<{ batch_run_id: number; status: string; as_of: string } | undefined> {
      const [row] = await tx.query<{ batch_run_id: number; status: string; as_of: string }>(
        `select batch_run_id, status, as_of from recovery_runs where authority_id = $1 and status in ('awaiting_approval', 'issuing')`, [authorityId]);
      return row;
    },

    async insertRun(run: { authorityId: number; asOf: string; startedBy: number | null; report: unknown; at: Date }, tx: Db): Promise<number> {
      const [batch] = await tx.query<{ id: number }>(
        `insert into batch_runs (authority_id, kind, as_of, status, started_by, started_at, report) values ($1, 'recovery', $2, 'running', $3, $4, '{}') returning id`,
        [run.authorityId, run.asOf, run.startedBy, run.at]);
      await tx.query(
        `insert into recovery_runs (batch_run_id, authority_id, as_of, status, report, started_by, started_at) values ($1, $2, $3, 'awaiting_approval', $4, $5, $6)`,
        [batch.id, run.authorityId, run.asOf, JSON.stringify(run.report), run.startedBy, run.at]);
      return batch.id;
    },

    async insertItems(runId: number, items: NewRunItem[], tx: Db): Promise<void> {
      for (let i = 0; i < items.length; i += 5000) {
        const chunk = items.slice(i, i + 5000);
        await tx.query(
          `insert into recovery_run_items (run_id, item_no, account_id, financial_year, kind, stage, stages, amount_pence, costs_pence, reason, decision)
           select $1, x.item_no, x.account_id, x.financial_year, x.kind, x.stage, array(select jsonb_array_elements_text(x.stages)), x.amount_pence, x.costs_pence, x.reason, x.decision
             from jsonb_to_recordset($2::jsonb) as x(item_no int, account_id bigint, financial_year smallint, kind text, stage text, stages jsonb,
                  amount_pence bigint, costs_pence bigint, reason text, decision jsonb)`,
          [runId, json(chunk.map((it) => ({
            item_no: it.itemNo, account_id: it.accountId, financial_year: it.financialYear, kind: it.kind, stage: it.stage, stages: it.stages,
            amount_pence: it.amountPence, costs_pence: it.costsPence, reason: it.reason, decision: it.decision,
          })))],
        );
      }
    },

    async setRunReport(runId: number, report: unknown, tx: Db = db) {
      await tx.query('update recovery_runs set report = $2 where batch_run_id = $1', [runId, JSON.stringify(report)]);
      await tx.query('update batch_runs set report = $2 where id = $1', [runId, JSON.stringify(report)]);
    },

    /** awaiting_approval → issuing, once: false when another approval got there first. */
    async markIssuing(runId: number, approvedBy: number | null, at: Date, tx: Db = db): Promise<boolean> {
      const rows = await tx.query(
        `update recovery_runs set status = 'issuing', approved_by = $2, approved_at = $3 where batch_run_id = $1 and status = 'awaiting_approval' returning 1`,
        [runId, approvedBy, at]);
      return rows.length > 0;
    },

    async finishRun(runId: number, status: 'completed' | 'cancelled' | 'failed', details: { issueReport?: unknown; error?: string; cancelledBy?: number | null; at: Date }, tx: Db = db) {
      await tx.query(
        `update recovery_runs set status = $2, issue_report = coalesce($3::jsonb, issue_report), error = $4, cancelled_by = $5, finished_at = $6 where batch_run_id = $1`,
        [runId, status, details.issueReport ? JSON.stringify(details.issueReport) : null, details.error ?? null, details.cancelledBy ?? null, details.at]);
      await tx.query(
        `update batch_runs set status = $2, finished_at = $4, report = report || coalesce($3::jsonb, '{}') where id = $1`,
        [runId, status === 'completed' ? 'completed' : 'failed', details.issueReport ? JSON.stringify({ issue: details.issueReport }) : null, details.at]);
    },

    async findRun(authorityIds: number[], runId: number, tx: Db = db): Promise<RunRow | undefined> {
      const rows = await tx.query<RunRow>(
        `select r.batch_run_id, r.authority_id, b.name as authority_name, r.as_of, r.status, r.report, r.issue_report,
                su.display_name as started_by_name, r.started_at, au.display_name as approved_by_name, r.approved_at, r.finished_at, r.error
           from recovery_runs r join billing_authorities b on b.id = r.authority_id
           left join users su on su.id = r.started_by left join users au on au.id = r.approved_by
          where r.batch_run_id = $2 and r.authority_id = any($1::int[])`,
        [authorityIds, runId]);
      return rows[0];
    },

    async listRuns(authorityIds: number[], limit: number): Promise<RunRow[]> {
      return db.query<RunRow>(
        `select r.batch_run_id, r.authority_id, b.name as authority_name, r.as_of, r.status, r.report, r.issue_report,
                su.display_name as started_by_name, r.started_at, au.display_name as approved_by_name, r.approved_at, r.finished_at, r.error
           from recovery_runs r join billing_authorities b on b.id = r.authority_id
           left join users su on su.id = r.started_by left join users au on au.id = r.approved_by
          where r.authority_id = any($1::int[]) order by r.batch_run_id desc limit $2`,
        [authorityIds, limit]);
    },

    async runItems(runId: number, filter: { kind?: string; stage?: string; limit: number; offset: number }): Promise<{ items: RunItemRow[]; total: number }> {
      const where = `i.run_id = $1 and ($2::text is null or i.kind = $2) and ($3::text is null or i.stage = $3) and i.kind <> 'review'`;
      const [items, [count]] = await Promise.all([
        db.query<RunItemRow>(
          `select i.run_id, i.item_no, i.account_id, a.reference as account_reference, c.display_name as customer_name,
                  coalesce((select array_agg(w.display_name || ': ' || w.warning order by w.display_name)
                              from customer_accounts ca join customers w on w.id = ca.customer_id
                             where ca.account_id = a.id and w.warning is not null), '{}') as warnings,
                  i.financial_year, i.kind, i.stage, i.stages, i.amount_pence, i.costs_pence, i.reason,
                  case when i.status = 'skipped' then 'skipped' when i.item_no <= r.issued_through then 'done' else 'pending' end as status,
                  case when i.status = 'skipped' then i.result when i.item_no <= r.issued_through then
                    case i.kind when 'action' then 'Issued' when 'held' then 'Held: nothing issued' when 'exception' then 'For an officer: nothing issued' else 'Recorded' end end as result
             from recovery_run_items i join recovery_runs r on r.batch_run_id = i.run_id
             join accounts a on a.id = i.account_id join customers c on c.id = a.customer_id
            where ${where} order by i.item_no limit $4 offset $5`,
          [runId, filter.kind ?? null, filter.stage ?? null, filter.limit, filter.offset]),
        db.query<{ n: number }>(`select count(*)::int as n from recovery_run_items i where ${where}`, [runId, filter.kind ?? null, filter.stage ?? null]),
      ]);
      return { items, total: count.n };
    },

    /** The next items to issue, in order, after the run's cursor (locked: one issuer at a time). */
    async pendingItems(runId: number, limit: number, tx: Db) {
      const [run] = await tx.query<{ issued_through: number }>(`select issued_through from recovery_runs where batch_run_id = $1 for update`, [runId]);
      return tx.query<{ item_no: number; account_id: number; financial_year: number; kind: RunItemRow['kind']; stages: StageCode[]; decision: unknown }>(
        `select item_no, account_id, financial_year, kind, stages, decision from recovery_run_items
          where run_id = $1 and item_no > $2 order by item_no limit $3`,
        [runId, run.issued_through, limit]);
    },

    /**
     * Moves the cursor past a batch (every item up to it is done) and records the few that were not
     * issued and why. Writing one row per batch rather than one per item keeps the issue phase lean.
     */
    async markItems(runId: number, throughItemNo: number, skipped: { itemNo: number; result: string }[], tx: Db) {
      await tx.query('update recovery_runs set issued_through = $2 where batch_run_id = $1', [runId, throughItemNo]);
      if (!skipped.length) return;
      await tx.query(
        `update recovery_run_items i set status = 'skipped', result = x.result
           from unnest($2::int[], $3::text[]) as x(item_no, result)
          where i.run_id = $1 and i.item_no = x.item_no`,
        [runId, skipped.map((r) => r.itemNo), skipped.map((r) => r.result)]);
    },

    /** High-water marks of everything the evaluation reads (ids only grow: the tables are append-mostly). */
    async watermarks(tx: Db = db): Promise<Watermarks> {
      const [row] = await tx.query<{ ledger: number; plans: number; steps: number; court_outcomes: number; at: Date }>(
        `select (select coalesce(max(id), 0) from ledger_entries) as ledger, (select coalesce(max(id), 0) from instalment_plans) as plans,
                (select coalesce(max(id), 0) from recovery_steps) as steps, (select coalesce(max(id), 0) from court_case_outcomes) as court_outcomes,
                now() as at`);
      return { ledger: row.ledger, plans: row.plans, steps: row.steps, courtOutcomes: row.court_outcomes, at: new Date(row.at).toISOString() };
    },

    /** Accounts with anything the evaluation reads that is newer than the watermarks. */
    async changedAccounts(since: Watermarks, runId: number, tx: Db = db): Promise<Set<number>> {
      const rows = await tx.query<{ account_id: number }>(
        `select account_id from ledger_entries where id > $1
         union select account_id from instalment_plans where id > $2
         union select account_id from recovery_steps where id > $3 and batch_run_id is distinct from $6
         union select c.account_id from court_case_outcomes o join court_cases c on c.id = o.case_id where o.id > $4
         union select account_id from holds where account_id is not null and (updated_at >= $5::timestamptz - interval '10 minutes' or created_at >= $5::timestamptz - interval '10 minutes')
         union select ca.account_id from holds h join customer_accounts ca on ca.customer_id = h.customer_id
                where h.customer_id is not null and (h.updated_at >= $5::timestamptz - interval '10 minutes' or h.created_at >= $5::timestamptz - interval '10 minutes')`,
        [since.ledger, since.plans, since.steps, since.courtOutcomes, since.at, runId]);
      return new Set(rows.map((r) => r.account_id));
    },

    /**
     * Each account-year's ledger as the evaluation saw it, in brief ("entries:sum" as at the date).
     * Unlike an id watermark it also catches entries a transaction still open during the preview
     * committed afterwards (a payment file importing at the same moment).
     */
    async ledgerFingerprints(keys: YearKey[], asOf: string, tx: Db = db): Promise<Map<string, string>> {
      if (!keys.length) return new Map();
      const rows = await tx.query<{ account_id: number; fy: number; fp: string }>(
        `select k.account_id, k.fy,
                (select count(*) || ':' || coalesce(sum(l.amount_pence), 0) from ledger_entries l
                  where l.account_id = k.account_id and l.financial_year = k.fy and l.effective_date <= $3::date) as fp
           from unnest($1::bigint[], $2::smallint[]) as k(account_id, fy)`,
        [keys.map((k) => k.accountId), keys.map((k) => k.financialYear), asOf]);
      return new Map(rows.map((r) => [keyOf(r.account_id, r.fy), r.fp]));
    },

    /** One history event per step, written from the steps themselves (their reasons are already stored). */
    async stepEvents(stepIds: number[], labels: Record<string, string>, runId: number, at: Date, bySystem: string, tx: Db) {
      if (!stepIds.length) return;
      await tx.query(
        `insert into events (authority_id, customer_id, account_id, at, type, summary, detail, by_system)
         select s.authority_id, a.customer_id, s.account_id, $3, 'recovery',
                l.label || ' (' || s.financial_year || '/' || lpad(((s.financial_year + 1) % 100)::text, 2, '0') || '): ' || s.reason,
                jsonb_build_object('stage', s.stage, 'stepId', s.id, 'runId', $4::bigint, 'financialYear', s.financial_year, 'payBy', s.pay_by,
                                   'demandPence', s.amount_pence, 'costsPence', s.costs_pence),
                $5
           from recovery_steps s join accounts a on a.id = s.account_id
           join unnest($2::text[], $6::text[]) as l(stage, label) on l.stage = s.stage
          where s.id = any($1::bigint[])`,
        [stepIds, Object.keys(labels), at, runId, bySystem, Object.values(labels)]);
    },

    async cancelPendingItems(runId: number, reason: string, tx: Db) {
      await tx.query(
        `update recovery_run_items set status = 'skipped', result = $2
          where run_id = $1 and item_no > (select issued_through from recovery_runs where batch_run_id = $1)`, [runId, reason]);
    },

    /** Inserts steps once per account, year and stage; returns only those inserted now. */
    async insertSteps(steps: NewStep[], tx: Db): Promise<{ id: number; account_id: number; financial_year: number; stage: StageCode }[]> {
      if (!steps.length) return [];
      const col = <K extends keyof NewStep>(k: K) => steps.map((s) => s[k]);
      return tx.query(
        `insert into recovery_steps (authority_id, account_id, financial_year, stage, batch_run_id, issued_on, pay_by, escalates_on, balance_due_on,
                                     amount_pence, costs_pence, reason, created_by)
         select * from unnest($1::int[], $2::bigint[], $3::smallint[], $4::text[], $5::bigint[], $6::date[], $7::date[], $8::date[], $9::date[],
                              $10::bigint[], $11::bigint[], $12::text[], $13::int[])
         on conflict (account_id, financial_year, stage) do nothing
         returning id, account_id, financial_year, stage`,
        [col('authorityId'), col('accountId'), col('financialYear'), col('stage'), col('batchRunId'), col('issuedOn'), col('payBy'), col('escalatesOn'),
          col('balanceDueOn'), col('amountPence'), col('costsPence'), col('reason'), col('createdBy')],
      );
    },

    /**
     * Costs to the ledger (kind 'cost', in the year they relate to), linked from their steps. One
     * cost per account and year per call (a run takes one costed stage per account-year).
     */
    async postCosts(costs: { stepId: number; accountId: number; financialYear: number; amountPence: number; on: string; reason: string }[], source: string, postedBy: number | null, tx: Db): Promise<number> {
      if (!costs.length) return 0;
      if (new Set(costs.map((c) => keyOf(c.accountId, c.financialYear))).size !== costs.length) throw new Error('postCosts: one cost per account and year per call');
      const rows = await tx.query<{ id: number }>(
        `with x as (select * from jsonb_to_recordset($1::jsonb) as x(step_id bigint, account_id bigint, financial_year smallint, amount bigint, effective_date date, reason text)),
         ins as (
           insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, posted_by, source, reason)
           select account_id, 'cost', amount, financial_year, effective_date, $2, $3, reason from x
           returning id, account_id, financial_year
         )
         update recovery_steps s set cost_entry_id = ins.id
           from ins join x on x.account_id = ins.account_id and x.financial_year = ins.financial_year
          where s.id = x.step_id
         returning s.id`,
        [json(costs.map((c) => ({ step_id: c.stepId, account_id: c.accountId, financial_year: c.financialYear, amount: c.amountPence, effective_date: c.on, reason: c.reason }))), postedBy, source]);
      return rows.length;
    },

    async linkDocuments(links: { stepId: number; documentId: number }[], tx: Db) {
      if (!links.length) return;
      await tx.query(
        `update recovery_steps s set document_id = x.document_id from jsonb_to_recordset($1::jsonb) as x(step_id bigint, document_id bigint) where s.id = x.step_id`,
        [json(links.map((l) => ({ step_id: l.stepId, document_id: l.documentId })))]);
    },

    /** Records outcomes on steps that have none yet; returns those recorded now. */
    async recordOutcomes(outcomes: { accountId: number; financialYear: number; stage: StageCode; outcome: string; on: string; reason: string }[], tx: Db) {
      if (!outcomes.length) return [];
      return tx.query<{ id: number; account_id: number; financial_year: number; stage: StageCode; outcome: string }>(
        `update recovery_steps s set outcome = x.outcome, outcome_on = x.on_date, outcome_reason = x.reason
           from jsonb_to_recordset($1::jsonb) as x(account_id bigint, financial_year smallint, stage text, outcome text, on_date date, reason text)
          where s.account_id = x.account_id and s.financial_year = x.financial_year and s.stage = x.stage and s.outcome is null
          returning s.id, s.account_id, s.financial_year, s.stage, s.outcome`,
        [json(outcomes.map((o) => ({ account_id: o.accountId, financial_year: o.financialYear, stage: o.stage, outcome: o.outcome, on_date: o.on, reason: o.reason })))]);
    },

    async upsertCases(cases: CaseUpdate[], tx: Db) {
      for (let i = 0; i < cases.length; i += 5000) {
        const chunk = cases.slice(i, i + 5000);
        const col = <K extends keyof CaseUpdate>(k: K) => chunk.map((c) => c[k]);
        await tx.query(
          `insert into recovery_cases (account_id, financial_year, authority_id, stream, position, held, exception, reminders_served, review_on,
                                       next_action, next_action_on, reason, balance_pence, last_run_id, updated_at)
           select x.*, now()
             from unnest($1::bigint[], $2::smallint[], $3::int[], $4::text[], $5::text[], $6::boolean[], $7::boolean[], $8::smallint[], $9::date[],
                         $10::text[], $11::date[], $12::text[], $13::bigint[], $14::bigint[]) as x
           on conflict (account_id, financial_year) do update set position = excluded.position, held = excluded.held, exception = excluded.exception,
             reminders_served = excluded.reminders_served, review_on = excluded.review_on, next_action = excluded.next_action,
             next_action_on = excluded.next_action_on, reason = excluded.reason, balance_pence = excluded.balance_pence,
             last_run_id = excluded.last_run_id, updated_at = now()`,
          [col('accountId'), col('financialYear'), col('authorityId'), col('stream'), col('position'), col('held'), col('exception'), col('remindersServed'),
            col('reviewOn'), col('nextAction'), col('nextActionOn'), col('reason'), col('balancePence'), col('lastRunId')],
        );
      }
    },

    async insertEvents(events: { authorityId: number; customerId: number; accountId: number; type: string; summary: string; detail: unknown }[], at: Date, byUserId: number | null, bySystem: string | null, tx: Db) {
      if (!events.length) return;
      await tx.query(
        `insert into events (authority_id, customer_id, account_id, at, type, summary, detail, by_user_id, by_system)
         select x.authority_id, x.customer_id, x.account_id, $2, x.type, x.summary, x.detail, $3, $4
           from jsonb_to_recordset($1::jsonb) as x(authority_id int, customer_id bigint, account_id bigint, type text, summary text, detail jsonb)`,
        [json(events.map((e) => ({ authority_id: e.authorityId, customer_id: e.customerId, account_id: e.accountId, type: e.type, summary: e.summary, detail: e.detail }))), at, byUserId, bySystem]);
    },

    /**
     * Who each letter goes to: every party liable on the account (lead first), at the lead
     * customer's correspondence or forwarding address, else where they live, else the property.
     */
    async recipients(accountIds: number[], tx: Db = db): Promise<Map<number, RecipientRow>> {
      if (!accountIds.length) return new Map();
      const rows = await tx.query<RecipientRow>(
        `select a.id as account_id, a.authority_id, a.customer_id, a.reference, a.stream,
                coalesce((select string_agg(x.display_name, ' and ' order by x.lead desc, x.display_name)
                            from (select distinct c2.display_name, c2.id = a.customer_id as lead
                                    from liabilities li join liability_parties lp on lp.liability_id = li.id
                                    join customers c2 on c2.id = lp.customer_id where li.account_id = a.id) x), c.display_name) as addressee,
                coalesce(
                  (select array_remove(array[ca.address_line1, ca.address_line2, ca.town, ca.postcode], null) from customer_addresses ca
                    where ca.customer_id = a.customer_id and ca.to_date is null
                    order by case ca.kind when 'correspondence' then 0 when 'forwarding' then 1 else 2 end, ca.from_date desc limit 1),
                  (select array_remove(array[p.address_line1, p.address_line2, p.town, p.postcode], null) from properties p where p.id = a.property_id),
                  '{}') as address_lines,
                (select p.address_line1 || ', ' || p.town || ' ' || p.postcode from properties p where p.id = a.property_id) as property_address,
                case when c.notify_by_email then c.email end as email
           from accounts a join customers c on c.id = a.customer_id
          where a.id = any($1::bigint[])`,
        [accountIds]);
      return new Map(rows.map((r) => [r.account_id, r]));
    },

    async pipeline(authorityIds: number[]) {
      return db.query<{ stream: string; position: string; held: boolean; count: number; balance_pence: number }>(
        `select stream, position, held, count(*)::int as count, coalesce(sum(balance_pence), 0)::bigint as balance_pence
           from recovery_cases where authority_id = any($1::int[]) group by stream, position, held order by stream, position, held`,
        [authorityIds]);
    },

    async casesAt(authorityIds: number[], filter: { position?: string; held?: boolean; exception?: boolean; limit: number }) {
      return db.query<{ account_id: number; financial_year: number; reference: string; customer_name: string; stream: string; position: string; held: boolean;
        exception: boolean; next_action: string | null; next_action_on: string | null; reason: string; balance_pence: number }>(
        `select c.account_id, c.financial_year, a.reference, cu.display_name as customer_name, c.stream, c.position, c.held, c.exception,
                c.next_action, c.next_action_on, c.reason, c.balance_pence
           from recovery_cases c join accounts a on a.id = c.account_id join customers cu on cu.id = a.customer_id
          where c.authority_id = any($1::int[]) and ($2::text is null or c.position = $2) and ($3::boolean is null or c.held = $3)
            and ($4::boolean is null or c.exception = $4)
          order by c.next_action_on nulls last, c.account_id limit $5`,
        [authorityIds, filter.position ?? null, filter.held ?? null, filter.exception ?? null, filter.limit]);
    },

    async stepsForAccount(accountId: number) {
      return db.queryPrepared<{ id: number; financial_year: number; stage: StageCode; issued_on: string; pay_by: string | null; amount_pence: number; costs_pence: number;
        outcome: string | null; outcome_on: string | null; reason: string; document_id: number | null; batch_run_id: number | null }>(
        `select id, financial_year, stage, issued_on, pay_by, amount_pence, costs_pence, outcome, outcome_on, reason, document_id, batch_run_id
           from recovery_steps where account_id = $1 order by financial_year desc, issued_on desc, id desc`,
        [accountId]);
    },
  };
}
export type RecoveryRepository = ReturnType<typeof createRecoveryRepository>;
