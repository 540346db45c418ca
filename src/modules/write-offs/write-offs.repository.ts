// Write-offs: recommendations (by rule, set-based, or by an officer), decisions, and the report.
import type { Db } from '../../db/database.ts';

export const WRITE_OFF_REASONS = ['uneconomic', 'statute_barred', 'insolvency', 'deceased', 'untraceable', 'other'] as const;
export type WriteOffReason = (typeof WRITE_OFF_REASONS)[number];

export const WRITE_OFF_REASON_LABELS: Record<WriteOffReason, string> = {
  uneconomic: 'Uneconomic to pursue',
  statute_barred: 'Statute-barred (over 6 years, no liability order)',
  insolvency: 'Insolvency',
  deceased: 'Deceased with no estate',
  untraceable: 'Untraceable',
  other: 'Other',
};

export interface WriteOffRow {
  id: number;
  authority_id: number;
  account_id: number;
  account_reference: string;
  customer_id: number;
  customer_name: string;
  financial_year: number;
  amount_pence: number;
  reason: WriteOffReason;
  note: string;
  by_rule: boolean;
  status: 'recommended' | 'approved' | 'rejected' | 'written_on';
  recommended_on: string;
  recommended_by: number | null;
  recommended_by_name: string | null;
  decided_by_name: string | null;
  decided_at: Date | null;
  ledger_entry_id: number | null;
  write_on_entry_id: number | null;
  write_on_reason: string | null;
}

const SELECT = `select w.id, w.authority_id, w.account_id, a.reference as account_reference, a.customer_id, c.display_name as customer_name,
    w.financial_year, w.amount_pence, w.reason, w.note, w.by_rule, w.status, w.recommended_on, w.recommended_by, ru.display_name as recommended_by_name,
    du.display_name as decided_by_name, w.decided_at, w.ledger_entry_id, w.write_on_entry_id, w.write_on_reason
  from write_offs w join accounts a on a.id = w.account_id join customers c on c.id = a.customer_id
  left join users ru on ru.id = w.recommended_by left join users du on du.id = w.decided_by`;

export function createWriteOffsRepository(db: Db) {
  return {
    async yearBalance(accountId: number, year: number, tx: Db = db) {
      const [row] = await tx.query<{ b: number }>('select coalesce(sum(amount_pence), 0)::bigint as b from ledger_entries where account_id = $1 and financial_year = $2', [accountId, year]);
      return Number(row.b);
    },

    async insert(w: { authorityId: number; accountId: number; financialYear: number; amountPence: number; reason: WriteOffReason; note: string; on: string }, actorId: number | null, tx: Db) {
      const [row] = await tx.query<{ id: number }>(
        `insert into write_offs (authority_id, account_id, financial_year, amount_pence, reason, note, recommended_on, recommended_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
        [w.authorityId, w.accountId, w.financialYear, w.amountPence, w.reason, w.note, w.on, actorId]);
      return row.id;
    },

    async find(authorityIds: number[], id: number, tx: Db = db): Promise<WriteOffRow | undefined> {
      const [row] = await tx.query<WriteOffRow>(`${SELECT} where w.id = $1 and w.authority_id = any($2::int[])`, [id, authorityIds]);
      return row;
    },

    async list(authorityIds: number[], filter: { status?: string; limit: number }) {
      return db.query<WriteOffRow>(`${SELECT} where w.authority_id = any($1::int[]) and ($2::text is null or w.status = $2) order by w.id desc limit $3`,
        [authorityIds, filter.status ?? null, filter.limit]);
    },

    async decide(id: number, d: { status: 'approved' | 'rejected'; ledgerEntryId: number | null; note?: string; at: Date }, actorId: number | null, tx: Db) {
      await tx.query(`update write_offs set status = $2, ledger_entry_id = $3, decided_by = $4, decided_at = $6, note = case when $5::text is null then note else note || ' ' || $5 end where id = $1`,
        [id, d.status, d.ledgerEntryId, actorId, d.note ?? null, d.at]);
    },

    async writeOn(id: number, entryId: number, reason: string, tx: Db) {
      await tx.query(`update write_offs set status = 'written_on', write_on_entry_id = $2, write_on_reason = $3 where id = $1`, [id, entryId, reason]);
    },

    /**
     * The rules, in one statement over every account-year that owes something in the authorities:
     * insolvency or deceased (an open hold of that type on the account or anyone liable on it),
     * statute-barred (its first charge over 6 years before asOf and no liability order for the year),
     * untraceable (the debtor's latest trace task closed untraceable),
     * uneconomic (less than the council's threshold). Existing open recommendations are kept.
     */
    async applyRules(authorityIds: number[], asOf: string, tx: Db) {
      return tx.query<{ id: number }>(
        `with owed as (
           select le.account_id, le.financial_year, sum(le.amount_pence)::bigint as balance, min(le.effective_date) filter (where le.amount_pence > 0) as first_due
             from ledger_entries le join accounts a on a.id = le.account_id
            where a.authority_id = any($1::int[])
            group by le.account_id, le.financial_year having sum(le.amount_pence) > 0),
         held as (
           select ca.account_id, h.type from holds h join customer_accounts ca on ca.customer_id = h.customer_id
            where h.type in ('insolvency', 'deceased') and h.ended_on is null and h.starts_on <= $2::date
           union
           select h.account_id, h.type from holds h where h.account_id is not null and h.type in ('insolvency', 'deceased') and h.ended_on is null and h.starts_on <= $2::date),
         judged as (
           select o.account_id, o.financial_year, o.balance, a.authority_id,
                  case when exists (select 1 from held where held.account_id = o.account_id and held.type = 'insolvency') then 'insolvency'
                       when exists (select 1 from held where held.account_id = o.account_id and held.type = 'deceased') then 'deceased'
                       when o.first_due < ($2::date - interval '6 years')
                            and not exists (select 1 from recovery_steps s where s.account_id = o.account_id and s.financial_year = o.financial_year and s.stage = 'liability_order') then 'statute_barred'
                       when exists (select 1 from trace_tasks t join customer_accounts ca on ca.customer_id = t.customer_id
                                     where ca.account_id = o.account_id and t.status = 'untraceable'
                                       and not exists (select 1 from trace_tasks t2 where t2.customer_id = t.customer_id and t2.id > t.id)) then 'untraceable'
                       when o.balance < coalesce(st.uneconomic_below_pence, 1000) then 'uneconomic' end as reason
             from owed o join accounts a on a.id = o.account_id left join after_lo_settings st on st.authority_id = a.authority_id)
         insert into write_offs (authority_id, account_id, financial_year, amount_pence, reason, note, by_rule, recommended_on)
         select j.authority_id, j.account_id, j.financial_year, j.balance, j.reason, 'Recommended by rule', true, $2::date
           from judged j where j.reason is not null
         on conflict (account_id, financial_year) where status = 'recommended' do nothing
         returning id`,
        [authorityIds, asOf]);
    },

    async report(authorityIds: number[], from: string, to: string) {
      return db.query<WriteOffRow & { decided_on: string }>(
        `${SELECT} where w.authority_id = any($1::int[]) and w.status in ('approved', 'written_on')
           and w.decided_at >= $2::date and w.decided_at < $3::date + 1 order by w.decided_at, w.id`,
        [authorityIds, from, to]);
    },
  };
}
export type WriteOffsRepository = ReturnType<typeof createWriteOffsRepository>;
// The work queues (src/modules/work-queues) page this select with the assignee added.
export { SELECT as WRITE_OFF_SELECT };
