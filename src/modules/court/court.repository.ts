import type { Db } from '../../db/database.ts';

export interface HearingRow {
  id: number;
  authority_id: number;
  court_name: string;
  court_address: string;
  hearing_on: string;
  hearing_time: string;
  capacity: number;
  /** Cases allocated to the hearing (listed or decided). */
  allocated: number;
  listed: number;
  list_exported_at: Date | null;
}

export interface CourtCaseRow {
  id: number;
  authority_id: number;
  case_number: string;
  account_id: number;
  account_reference: string;
  stream: string;
  financial_year: number;
  summons_step_id: number;
  summons_issued_on: string;
  hearing_id: number;
  customer_id: number;
  defendant: string;
  /** Warnings on anyone liable on the account ("Name: warning"), shown before anyone makes contact. */
  warnings: string[];
  address: string | null;
  complaint_pence: number;
  costs_pence: number;
  /** What is owed for the year now, costs included. */
  balance_pence: number;
  status: 'listed' | 'withdrawn' | 'granted' | 'dismissed';
  outcome_on: string | null;
  outcome_reason: string | null;
  /** Active holds on the account or anyone liable on it (the court must not be asked for an order). */
  holds: string[];
}

const HEARING_COLUMNS = `h.id, h.authority_id, h.court_name, h.court_address, h.hearing_on, h.hearing_time, h.capacity, h.list_exported_at,
  (select count(*) from court_cases c where c.hearing_id = h.id)::int as allocated,
  (select count(*) from court_cases c where c.hearing_id = h.id and c.status = 'listed')::int as listed`;

export function createCourtRepository(db: Db) {
  return {
    async insertHearing(h: { authorityId: number; courtName: string; courtAddress: string; hearingOn: string; hearingTime: string; capacity: number }, actorId: number | null, tx: Db = db): Promise<number> {
      const [row] = await tx.query<{ id: number }>(
        `insert into court_hearings (authority_id, court_name, court_address, hearing_on, hearing_time, capacity, created_by)
         values ($1, $2, $3, $4, $5, $6, $7) on conflict (authority_id, court_name, hearing_on, hearing_time) do nothing returning id`,
        [h.authorityId, h.courtName, h.courtAddress, h.hearingOn, h.hearingTime, h.capacity, actorId]);
      return row?.id ?? 0;
    },

    async listHearings(authorityIds: number[], filter: { from?: string; limit: number }): Promise<HearingRow[]> {
      return db.query<HearingRow>(
        `select ${HEARING_COLUMNS} from court_hearings h
          where h.authority_id = any($1::int[]) and ($2::date is null or h.hearing_on >= $2)
          order by h.hearing_on, h.hearing_time, h.id limit $3`,
        [authorityIds, filter.from ?? null, filter.limit]);
    },

    async findHearing(authorityIds: number[], id: number, tx: Db = db): Promise<HearingRow | undefined> {
      const rows = await tx.query<HearingRow>(`select ${HEARING_COLUMNS} from court_hearings h where h.id = $2 and h.authority_id = any($1::int[])`, [authorityIds, id]);
      return rows[0];
    },

    /**
     * Hearings on or after a date with room left, earliest first. Inside a transaction the rows are
     * locked, so two allocations cannot overfill a hearing.
     */
    async hearingsWithRoom(authorityId: number, from: string, tx: Db, lock: boolean): Promise<HearingRow[]> {
      if (lock && tx.kind === 'postgres') {
        await tx.query(`select id from court_hearings where authority_id = $1 and hearing_on >= $2 order by id for update`, [authorityId, from]);
      }
      return tx.query<HearingRow>(
        `select * from (select ${HEARING_COLUMNS} from court_hearings h where h.authority_id = $1 and h.hearing_on >= $2) x
          where x.allocated < x.capacity order by x.hearing_on, x.hearing_time, x.id`,
        [authorityId, from]);
    },

    async insertCases(cases: { authorityId: number; caseNumber: string; accountId: number; financialYear: number; summonsStepId: number; hearingId: number; complaintPence: number; costsPence: number }[], tx: Db) {
      if (!cases.length) return;
      await tx.query(
        `insert into court_cases (authority_id, case_number, account_id, financial_year, summons_step_id, hearing_id, complaint_pence, costs_pence)
         select x.authority_id, x.case_number, x.account_id, x.financial_year, x.summons_step_id, x.hearing_id, x.complaint_pence, x.costs_pence
           from jsonb_to_recordset($1::jsonb) as x(authority_id int, case_number text, account_id bigint, financial_year smallint, summons_step_id bigint,
                hearing_id bigint, complaint_pence bigint, costs_pence bigint)`,
        [JSON.stringify(cases.map((c) => ({
          authority_id: c.authorityId, case_number: c.caseNumber, account_id: c.accountId, financial_year: c.financialYear,
          summons_step_id: c.summonsStepId, hearing_id: c.hearingId, complaint_pence: c.complaintPence, costs_pence: c.costsPence,
        })))]);
    },

    async casesForHearing(hearingId: number, asOf: string, tx: Db = db): Promise<CourtCaseRow[]> {
      return tx.query<CourtCaseRow>(
        `select c.id, c.authority_id, c.case_number, c.account_id, a.reference as account_reference, a.stream, c.financial_year, c.summons_step_id,
                s.issued_on as summons_issued_on, c.hearing_id, a.customer_id,
                coalesce((select string_agg(distinct c2.display_name, ' and ') from liabilities li join liability_parties lp on lp.liability_id = li.id
                           join customers c2 on c2.id = lp.customer_id where li.account_id = a.id), cu.display_name) as defendant,
                coalesce((select array_agg(w.display_name || ': ' || w.warning order by w.display_name)
                            from customer_accounts ca join customers w on w.id = ca.customer_id
                           where ca.account_id = a.id and w.warning is not null), '{}') as warnings,
                (select ca.address_line1 || ', ' || ca.town || ' ' || ca.postcode from customer_addresses ca
                  where ca.customer_id = a.customer_id and ca.to_date is null order by ca.kind <> 'correspondence', ca.from_date desc limit 1) as address,
                c.complaint_pence, c.costs_pence,
                coalesce((select sum(l.amount_pence) from ledger_entries l where l.account_id = c.account_id and l.financial_year = c.financial_year
                           and l.effective_date <= $2::date), 0)::bigint as balance_pence,
                c.status, c.outcome_on, c.outcome_reason,
                coalesce((select array_agg(distinct h.type) from holds h
                           where (h.account_id = c.account_id or h.customer_id in (select customer_id from customer_accounts where account_id = c.account_id))
                             and h.starts_on <= $2::date and (h.ended_on is null or h.ended_on > $2::date) and (h.expires_on is null or h.expires_on >= $2::date)), '{}') as holds
           from court_cases c join accounts a on a.id = c.account_id join customers cu on cu.id = a.customer_id
           join recovery_steps s on s.id = c.summons_step_id
          where c.hearing_id = $1 order by c.case_number`,
        [hearingId, asOf]);
    },

    async findCase(authorityIds: number[], caseId: number, tx: Db = db) {
      const rows = await tx.query<{ id: number; authority_id: number; case_number: string; account_id: number; financial_year: number; hearing_id: number; status: string; summons_step_id: number; customer_id: number }>(
        `select c.id, c.authority_id, c.case_number, c.account_id, c.financial_year, c.hearing_id, c.status, c.summons_step_id, a.customer_id
           from court_cases c join accounts a on a.id = c.account_id where c.id = $2 and c.authority_id = any($1::int[])`,
        [authorityIds, caseId]);
      return rows[0];
    },

    async setCaseOutcome(caseId: number, o: { status: 'listed' | 'withdrawn' | 'granted' | 'dismissed'; on: string | null; reason: string | null; hearingId?: number }, tx: Db) {
      await tx.query(
        `update court_cases set status = $2, outcome_on = $3, outcome_reason = $4, hearing_id = coalesce($5, hearing_id) where id = $1`,
        [caseId, o.status, o.on, o.reason, o.hearingId ?? null]);
    },

    async insertOutcome(o: { caseId: number; hearingId: number; outcome: string; on: string; reason: string | null; adjournedTo: number | null; by: number | null; source: string }, tx: Db) {
      await tx.query(
        `insert into court_case_outcomes (case_id, hearing_id, outcome, recorded_on, reason, adjourned_to_hearing_id, recorded_by, source)
         values ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [o.caseId, o.hearingId, o.outcome, o.on, o.reason, o.adjournedTo, o.by, o.source]);
    },

    /** The recovery run withdrew these summonses (paid in full with costs): close their cases. */
    async withdrawBySummonsSteps(stepIds: number[], on: string, reason: string, source: string, tx: Db) {
      if (!stepIds.length) return;
      await tx.query(
        `with w as (update court_cases set status = 'withdrawn', outcome_on = $2, outcome_reason = $3
                     where summons_step_id = any($1::bigint[]) and status = 'listed' returning id, hearing_id)
         insert into court_case_outcomes (case_id, hearing_id, outcome, recorded_on, reason, source)
         select id, hearing_id, 'withdrawn', $2, $3, $4 from w`,
        [stepIds, on, reason, source]);
    },

    async markListExported(hearingId: number, at: Date) {
      await db.query('update court_hearings set list_exported_at = $2 where id = $1', [hearingId, at]);
    },

    async outcomesForCase(caseId: number) {
      return db.query<{ outcome: string; recorded_on: string; reason: string | null; source: string; recorded_by_name: string | null }>(
        `select o.outcome, o.recorded_on, o.reason, o.source, u.display_name as recorded_by_name
           from court_case_outcomes o left join users u on u.id = o.recorded_by where o.case_id = $1 order by o.id`, [caseId]);
    },
  };
}
export type CourtRepository = ReturnType<typeof createCourtRepository>;
