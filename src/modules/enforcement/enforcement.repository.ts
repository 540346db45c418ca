// Enforcement agent firms, referrals and returns: plain SQL, set-based for export and import.
import type { Db } from '../../db/database.ts';

export interface ReferralRow {
  id: number;
  authority_id: number;
  account_id: number;
  account_reference: string;
  customer_id: number;
  customer_name: string;
  financial_year: number;
  firm_id: number;
  firm_name: string;
  sum_pence: number;
  checks: { check: string; outcome: 'pass' | 'senior' | 'block'; detail: string }[];
  status: string;
  decision_note: string | null;
  exported_at: Date | null;
  return_code: string | null;
  collected_pence: number;
}

const REFERRAL_SELECT = `select r.id, r.authority_id, r.account_id, a.reference as account_reference, r.customer_id, c.display_name as customer_name,
    r.financial_year, r.firm_id, f.name as firm_name, r.sum_pence, r.checks, r.status, r.decision_note, r.exported_at, r.return_code, r.collected_pence
  from ea_referrals r join accounts a on a.id = r.account_id join customers c on c.id = r.customer_id join ea_firms f on f.id = r.firm_id`;

export function createEnforcementRepository(db: Db) {
  return {
    async insertFirm(f: { authorityId: number; name: string; code: string }, actorId: number | null, tx: Db = db) {
      const [row] = await tx.query<{ id: number }>('insert into ea_firms (authority_id, name, code, created_by) values ($1, $2, $3, $4) returning id', [f.authorityId, f.name, f.code, actorId]);
      return row.id;
    },
    async findFirm(authorityIds: number[], id: number) {
      const [row] = await db.query<{ id: number; authority_id: number; name: string; code: string; active: boolean }>('select id, authority_id, name, code, active from ea_firms where id = $1 and authority_id = any($2::int[])', [id, authorityIds]);
      return row;
    },
    async listFirms(authorityIds: number[]) {
      return db.query<{ id: number; name: string; code: string; active: boolean }>('select id, name, code, active from ea_firms where authority_id = any($1::int[]) order by name', [authorityIds]);
    },
    async insertReferral(r: { authorityId: number; accountId: number; customerId: number; financialYear: number; firmId: number; sumPence: number; checks: unknown; status: string }, actorId: number | null, tx: Db) {
      const [row] = await tx.query<{ id: number }>(
        `insert into ea_referrals (authority_id, account_id, customer_id, financial_year, firm_id, sum_pence, checks, status, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id`,
        [r.authorityId, r.accountId, r.customerId, r.financialYear, r.firmId, r.sumPence, JSON.stringify(r.checks), r.status, actorId]);
      return row.id;
    },
    async find(authorityIds: number[], id: number, tx: Db = db): Promise<ReferralRow | undefined> {
      const [row] = await tx.query<ReferralRow>(`${REFERRAL_SELECT} where r.id = $1 and r.authority_id = any($2::int[])`, [id, authorityIds]);
      return row;
    },
    async list(authorityIds: number[], filter: { status?: string; limit: number }) {
      return db.query<ReferralRow>(`${REFERRAL_SELECT} where r.authority_id = any($1::int[]) and ($2::text is null or r.status = $2) order by r.id desc limit $3`,
        [authorityIds, filter.status ?? null, filter.limit]);
    },
    async decide(id: number, status: 'ready' | 'refused', note: string, actorId: number | null, tx: Db) {
      await tx.query('update ea_referrals set status = $2, decision_note = $3, decided_by = $4 where id = $1', [id, status, note, actorId]);
    },

    /** Marks every ready referral for the firm exported and returns them for the file, in one statement. */
    async takeForExport(firmId: number, batch: string, at: Date, tx: Db) {
      return tx.query<{ id: number; account_reference: string; debtor_name: string; line1: string; line2: string; town: string; postcode: string; financial_year: number; lo_date: string; sum_pence: number; warning: string | null }>(
        `with taken as (
           update ea_referrals set status = 'exported', exported_at = $3, export_batch = $2
            where firm_id = $1 and status = 'ready' returning id, account_id, customer_id, financial_year, sum_pence)
         select t.id, a.reference as account_reference, c.display_name as debtor_name,
                coalesce(ad.address_line1, '') as line1, coalesce(ad.address_line2, '') as line2, coalesce(ad.town, '') as town, coalesce(ad.postcode, '') as postcode, t.financial_year,
                coalesce((select s.issued_on::text from recovery_steps s where s.account_id = t.account_id and s.financial_year = t.financial_year and s.stage = 'liability_order'), '') as lo_date,
                t.sum_pence, c.warning
           from taken t join accounts a on a.id = t.account_id join customers c on c.id = t.customer_id
           left join lateral (select ca.address_line1, ca.address_line2, ca.town, ca.postcode from customer_addresses ca
                               where ca.customer_id = c.id and ca.to_date is null
                               order by case ca.kind when 'correspondence' then 0 when 'forwarding' then 1 else 2 end, ca.from_date desc limit 1) ad on true
          order by t.id`,
        [firmId, batch, at]);
    },

    async referralsForReturns(authorityIds: number[], ids: number[], tx: Db) {
      return tx.query<{ id: number; account_id: number; financial_year: number; sum_pence: number; status: string; nation: 'england' | 'wales' }>(
        `select r.id, r.account_id, r.financial_year, r.sum_pence, r.status, b.nation from ea_referrals r join billing_authorities b on b.id = r.authority_id
          where r.id = any($1::bigint[]) and r.authority_id = any($2::int[])`, [ids, authorityIds]);
    },

    /** Stores checked return lines, posts their payments and moves the referrals on, set-based. */
    async applyReturns(fileName: string, lines: { referral_id: number; line_no: number; status: string; returned_on: string; paid_pence: number; fee_stage: string | null; fee_pence: number; scale_fee_pence: number | null; over_scale: boolean }[], actorId: number | null, tx: Db) {
      const payload = JSON.stringify(lines);
      await tx.query(
        `with x as (select * from jsonb_to_recordset($1::jsonb) as x(referral_id bigint, line_no int, status text, returned_on date, paid_pence bigint, fee_stage text, fee_pence bigint, scale_fee_pence bigint, over_scale boolean)),
         posted as (
           insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, posted_by, source, reason)
           select r.account_id, 'payment', -x.paid_pence, r.financial_year, x.returned_on, $3, 'ea-return:' || x.referral_id || ':' || x.line_no, 'Enforcement agent collection'
             from x join ea_referrals r on r.id = x.referral_id where x.paid_pence > 0
           returning id, source)
         insert into ea_returns (referral_id, file_name, line_no, status, returned_on, paid_pence, fee_stage, fee_pence, scale_fee_pence, over_scale, ledger_entry_id)
         select x.referral_id, $2, x.line_no, x.status, x.returned_on, x.paid_pence, x.fee_stage, x.fee_pence, x.scale_fee_pence, x.over_scale, p.id
           from x left join posted p on p.source = 'ea-return:' || x.referral_id || ':' || x.line_no`,
        [payload, fileName, actorId]);
      await tx.query(
        `with x as (select referral_id, max(returned_on) as returned_on, sum(paid_pence)::bigint as paid,
                           (array_agg(status order by line_no desc))[1] as last_status
                      from jsonb_to_recordset($1::jsonb) as x(referral_id bigint, line_no int, status text, returned_on date, paid_pence bigint) group by referral_id)
         update ea_referrals r set collected_pence = r.collected_pence + x.paid, return_code = x.last_status, returned_on = x.returned_on,
                status = case when x.last_status in ('paid', 'no_goods', 'gone_away', 'returned') then 'closed' else 'with_agent' end
           from x where r.id = x.referral_id`,
        [payload]);
      // A gone-away return opens a trace task on the debtor (one open task per customer).
      await tx.query(
        `insert into trace_tasks (authority_id, customer_id, account_id, trigger, note, created_by)
         select distinct on (r.customer_id) r.authority_id, r.customer_id, r.account_id, 'gone_away', 'Enforcement agent return: gone away', $2
           from jsonb_to_recordset($1::jsonb) as x(referral_id bigint, status text) join ea_referrals r on r.id = x.referral_id
          where x.status = 'gone_away'
         on conflict (customer_id) where status = 'open' do nothing`,
        [payload, actorId]);
    },

    async performance(authorityIds: number[]) {
      return db.query<{ firm_id: number; firm_name: string; referred: number; open: number; closed: number; paid: number; returned_unpaid: number; collected_pence: number; average_days: number | null; over_scale_fees: number }>(
        `select f.id as firm_id, f.name as firm_name, count(r.id)::int as referred,
                count(r.id) filter (where r.status in ('exported', 'with_agent'))::int as open,
                count(r.id) filter (where r.status = 'closed')::int as closed,
                count(r.id) filter (where r.return_code = 'paid')::int as paid,
                count(r.id) filter (where r.status = 'closed' and r.return_code <> 'paid')::int as returned_unpaid,
                coalesce(sum(r.collected_pence), 0)::bigint as collected_pence,
                round(avg(r.returned_on - r.exported_at::date) filter (where r.status = 'closed'), 1)::float8 as average_days,
                (select count(*) from ea_returns er join ea_referrals r2 on r2.id = er.referral_id where r2.firm_id = f.id and er.over_scale)::int as over_scale_fees
           from ea_firms f left join ea_referrals r on r.firm_id = f.id and r.status not in ('awaiting_decision', 'refused')
          where f.authority_id = any($1::int[]) group by f.id, f.name order by f.name`, [authorityIds]);
    },
  };
}
export type EnforcementRepository = ReturnType<typeof createEnforcementRepository>;
// The work queues (src/modules/work-queues) page this select with the assignee added.
export { REFERRAL_SELECT };
