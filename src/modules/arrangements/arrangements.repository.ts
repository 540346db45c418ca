// Arrangements and income and expenditure statements: plain SQL. The monitor is one statement over
// every active arrangement (expected instalments against payments on its accounts).
import type { Db } from '../../db/database.ts';
import type { Frequency, SfsCategory } from './affordability.ts';

export interface ArrangementRow {
  id: number;
  authority_id: number;
  customer_id: number;
  customer_name: string;
  frequency: Frequency;
  instalment_pence: number;
  total_pence: number;
  starts_on: string;
  status: 'active' | 'kept' | 'broken' | 'cancelled';
  status_on: string | null;
  status_reason: string | null;
  statement_id: number | null;
  document_id: number | null;
  broken_document_id: number | null;
  paid_pence: number;
  accounts: string[];
}

const ARRANGEMENT_SELECT = `select ar.id, ar.authority_id, ar.customer_id, c.display_name as customer_name, ar.frequency, ar.instalment_pence,
    ar.total_pence, ar.starts_on, ar.status, ar.status_on, ar.status_reason, ar.statement_id, ar.document_id, ar.broken_document_id,
    coalesce((select -sum(le.amount_pence) from ledger_entries le join arrangement_accounts aa on aa.account_id = le.account_id
               where aa.arrangement_id = ar.id and le.kind = 'payment' and le.effective_date >= ar.starts_on), 0)::bigint as paid_pence,
    array(select a.reference from arrangement_accounts aa join accounts a on a.id = aa.account_id where aa.arrangement_id = ar.id order by a.reference) as accounts
  from arrangements ar join customers c on c.id = ar.customer_id`;

/** The council's arrangement monitoring tolerance (after_lo_settings; the column defaults when it has no row). */
export interface MonitoringSettings {
  authority_id: number;
  arrangement_grace_days: number;
  arrangement_tolerance_pence: number;
  updated_at: string | null;
}

export function createArrangementsRepository(db: Db) {
  return {
    async monitoringSettings(authorityId: number, tx: Db = db): Promise<MonitoringSettings> {
      // The defaults here are the table's column defaults, which the monitor's coalesce() also uses.
      const [row] = await tx.query<MonitoringSettings>(
        `select b.id as authority_id, coalesce(s.arrangement_grace_days, 7)::int as arrangement_grace_days,
                coalesce(s.arrangement_tolerance_pence, 500)::bigint as arrangement_tolerance_pence, s.updated_at
           from billing_authorities b left join after_lo_settings s on s.authority_id = b.id where b.id = $1`, [authorityId]);
      return { ...row, arrangement_tolerance_pence: Number(row.arrangement_tolerance_pence) };
    },

    /** Sets the tolerance, keeping the row's other settings (the write-off threshold) as they are. */
    async saveMonitoringSettings(authorityId: number, s: { graceDays: number; tolerancePence: number }, actorId: number | null, at: Date, tx: Db) {
      await tx.query(
        `insert into after_lo_settings (authority_id, arrangement_grace_days, arrangement_tolerance_pence, updated_at, updated_by) values ($1, $2, $3, $4, $5)
         on conflict (authority_id) do update set arrangement_grace_days = excluded.arrangement_grace_days,
           arrangement_tolerance_pence = excluded.arrangement_tolerance_pence, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        [authorityId, s.graceDays, s.tolerancePence, at, actorId]);
    },

    async insertStatement(s: { authorityId: number; customerId: number; takenOn: string; adults: number; children: number; incomePence: number; expenditurePence: number; lines: Partial<Record<SfsCategory, number>> }, actorId: number | null, tx: Db) {
      const [row] = await tx.query<{ id: number }>(
        `insert into income_expenditure_statements (authority_id, customer_id, taken_on, adults, children, income_pence, expenditure_pence, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
        [s.authorityId, s.customerId, s.takenOn, s.adults, s.children, s.incomePence, s.expenditurePence, actorId]);
      await tx.query(
        `insert into income_expenditure_lines (statement_id, category, monthly_pence)
         select $1, x.key, x.value::bigint from jsonb_each_text($2::jsonb) x`,
        [row.id, JSON.stringify(s.lines)]);
      return row.id;
    },

    async findStatement(authorityIds: number[], id: number, tx: Db = db) {
      const [row] = await tx.query<{ id: number; customer_id: number; taken_on: string; income_pence: number; expenditure_pence: number; adults: number; children: number }>(
        `select id, customer_id, taken_on, income_pence, expenditure_pence, adults, children from income_expenditure_statements
          where id = $1 and authority_id = any($2::int[])`, [id, authorityIds]);
      if (!row) return undefined;
      const lines = await tx.query<{ category: SfsCategory; monthly_pence: number }>(
        'select category, monthly_pence from income_expenditure_lines where statement_id = $1 order by category', [id]);
      return { ...row, lines: Object.fromEntries(lines.map((l) => [l.category, Number(l.monthly_pence)])) as Partial<Record<SfsCategory, number>> };
    },

    async insertArrangement(a: { authorityId: number; customerId: number; frequency: Frequency; instalmentPence: number; totalPence: number; startsOn: string; statementId: number | null }, actorId: number | null, tx: Db) {
      const [row] = await tx.query<{ id: number }>(
        `insert into arrangements (authority_id, customer_id, frequency, instalment_pence, total_pence, starts_on, statement_id, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
        [a.authorityId, a.customerId, a.frequency, a.instalmentPence, a.totalPence, a.startsOn, a.statementId, actorId]);
      return row.id;
    },

    async insertAccounts(arrangementId: number, accounts: { accountId: number; balancePence: number; holdId: number }[], tx: Db) {
      await tx.query(
        `insert into arrangement_accounts (arrangement_id, account_id, balance_pence, hold_id)
         select $1, x.account_id, x.balance_pence, x.hold_id from jsonb_to_recordset($2::jsonb) as x(account_id bigint, balance_pence bigint, hold_id bigint)`,
        [arrangementId, JSON.stringify(accounts.map((a) => ({ account_id: a.accountId, balance_pence: a.balancePence, hold_id: a.holdId })))]);
    },

    async insertInstalments(arrangementId: number, instalments: { dueOn: string; amountPence: number }[], tx: Db) {
      await tx.query(
        `insert into arrangement_instalments (arrangement_id, seq, due_on, amount_pence)
         select $1, x.seq, x.due_on, x.amount_pence
           from jsonb_to_recordset($2::jsonb) as x(seq smallint, due_on date, amount_pence bigint)`,
        [arrangementId, JSON.stringify(instalments.map((i, n) => ({ seq: n + 1, due_on: i.dueOn, amount_pence: i.amountPence })))]);
    },

    async find(authorityIds: number[], id: number, tx: Db = db): Promise<ArrangementRow | undefined> {
      const [row] = await tx.query<ArrangementRow>(`${ARRANGEMENT_SELECT} where ar.id = $1 and ar.authority_id = any($2::int[])`, [id, authorityIds]);
      return row;
    },

    async instalments(arrangementId: number) {
      return db.query<{ seq: number; due_on: string; amount_pence: number }>(
        'select seq, due_on, amount_pence from arrangement_instalments where arrangement_id = $1 order by seq', [arrangementId]);
    },

    async list(authorityIds: number[], filter: { status?: string; limit: number }) {
      return db.query<ArrangementRow>(
        `${ARRANGEMENT_SELECT} where ar.authority_id = any($1::int[]) and ($2::text is null or ar.status = $2) order by ar.id desc limit $3`,
        [authorityIds, filter.status ?? null, filter.limit]);
    },

    async setDocument(id: number, column: 'document_id' | 'broken_document_id', documentId: number, tx: Db) {
      await tx.query(`update arrangements set ${column} = $2 where id = $1`, [id, documentId]);
    },

    /**
     * One statement over every active arrangement in the authorities: what should have been paid by
     * asOf less the grace days, against payments on its accounts since it started. Paid in full →
     * kept; short by more than the tolerance → broken. Returns what changed.
     */
    async monitor(authorityIds: number[], asOf: string, tx: Db) {
      return tx.query<{ id: number; status: 'kept' | 'broken'; expected_pence: number; paid_pence: number; customer_id: number; authority_id: number }>(
        `with measured as (
           select ar.id, ar.total_pence, coalesce(s.arrangement_tolerance_pence, 500) as tolerance,
                  coalesce((select sum(i.amount_pence) from arrangement_instalments i
                             where i.arrangement_id = ar.id and i.due_on <= $2::date - coalesce(s.arrangement_grace_days, 7)), 0)::bigint as expected_pence,
                  coalesce((select -sum(le.amount_pence) from ledger_entries le join arrangement_accounts aa on aa.account_id = le.account_id
                             where aa.arrangement_id = ar.id and le.kind = 'payment' and le.effective_date >= ar.starts_on and le.effective_date <= $2::date), 0)::bigint as paid_pence
             from arrangements ar left join after_lo_settings s on s.authority_id = ar.authority_id
            where ar.status = 'active' and ar.authority_id = any($1::int[]) and ar.starts_on <= $2::date),
         decided as (
           select id, expected_pence, paid_pence,
                  case when paid_pence >= total_pence then 'kept' when expected_pence - paid_pence > tolerance then 'broken' end as status
             from measured)
         update arrangements ar set status = d.status, status_on = $2::date,
                status_reason = case d.status when 'kept' then 'Paid in full'
                  else 'Expected ' || d.expected_pence || 'p by ' || ($2::date) || ', received ' || d.paid_pence || 'p' end
           from decided d where d.id = ar.id and d.status is not null
         returning ar.id, ar.status, d.expected_pence, d.paid_pence, ar.customer_id, ar.authority_id`,
        [authorityIds, asOf]);
    },

    /** Ends the arrangement holds of these arrangements; returns the accounts (the caller wakes their recovery). */
    async endHolds(arrangementIds: number[], endedOn: string, reason: string, actorId: number | null, tx: Db) {
      const rows = await tx.query<{ account_id: number; arrangement_id: number; hold_id: number }>(
        `update holds h set ended_on = greatest(h.starts_on, $2::date), end_reason = $3, updated_at = now(), updated_by = $4
           from arrangement_accounts aa
          where aa.hold_id = h.id and aa.arrangement_id = any($1::bigint[]) and h.ended_on is null
         returning aa.account_id, aa.arrangement_id, h.id as hold_id`,
        [arrangementIds, endedOn, reason, actorId]);
      return rows;
    },
  };
}
export type ArrangementsRepository = ReturnType<typeof createArrangementsRepository>;
// The work queues (src/modules/work-queues) page this select with the assignee added.
export { ARRANGEMENT_SELECT };
