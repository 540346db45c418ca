import type { Db } from '../../db/database.ts';

export interface AccountRow {
  id: number;
  authority_id: number;
  reference: string;
  stream: string;
  status: string;
  payment_method: string;
  opened_on: string;
  closed_on: string | null;
  customer_id: number;
  customer_name: string;
  /** Warnings on anyone liable on the account ("Name: warning"), shown before anyone makes contact. */
  warnings: string[];
  property_id: number | null;
  property_address: string | null;
  band: string | null;
  rateable_value_pounds: number | null;
  property_description: string | null;
}

export interface YearBalanceRow {
  financial_year: number;
  kind: string;
  amount_pence: number;
}

export interface LedgerRow {
  id: number;
  kind: string;
  amount_pence: number;
  financial_year: number;
  effective_date: string;
  posted_at: Date;
  source: string;
  reason: string | null;
  posted_by_name: string | null;
  reverses_entry_id: number | null;
}

export interface LiabilityRow {
  id: number;
  from_date: string;
  to_date: string | null;
  property_address: string | null;
  parties: { id: number; name: string }[];
}

export interface InstalmentRow {
  financial_year: number;
  seq: number;
  due_date: string;
  amount_pence: number;
}

export function createAccountsRepository(db: Db) {
  return {
    async findAccount(authorityIds: number[], id: number): Promise<AccountRow | undefined> {
      const rows = await db.queryPrepared<AccountRow>(
        `select a.id, a.authority_id, a.reference, a.stream, a.status, a.payment_method, a.opened_on, a.closed_on,
                a.customer_id, c.display_name as customer_name,
                -- Everyone liable on the account (the customer_accounts view, spelt out: this runs on
                -- every account page, and the view's union costs more to plan than to run).
                coalesce((select array_agg(x.warning order by x.name) from (
                            select w.display_name as name, w.display_name || ': ' || w.warning as warning
                              from customers w where w.id = a.customer_id and w.warning is not null
                            union
                            select w.display_name, w.display_name || ': ' || w.warning
                              from liabilities li join liability_parties lp on lp.liability_id = li.id
                              join customers w on w.id = lp.customer_id
                             where li.account_id = a.id and w.warning is not null) x), '{}') as warnings,
                p.id as property_id,
                case when p.id is null then null else p.address_line1 || ', ' || p.town || ' ' || p.postcode end as property_address,
                p.band, p.rateable_value_pounds, p.description as property_description
           from accounts a
           join customers c on c.id = a.customer_id
           left join properties p on p.id = a.property_id
          where a.id = $2 and a.authority_id = any($1::int[])`,
        [authorityIds, id],
      );
      return rows[0];
    },

    /** Just enough to check an actor may see the account and route it: one index read, no joins. */
    async accountScope(authorityIds: number[], id: number): Promise<{ id: number; authority_id: number; stream: string; customer_id: number } | undefined> {
      const rows = await db.queryPrepared<{ id: number; authority_id: number; stream: string; customer_id: number }>(
        'select id, authority_id, stream, customer_id from accounts where id = $2 and authority_id = any($1::int[])',
        [authorityIds, id],
      );
      return rows[0];
    },

    async findAccountIdByReference(authorityIds: number[], reference: string): Promise<number | undefined> {
      const rows = await db.queryPrepared<{ id: number }>(
        'select id from accounts where reference = $2 and authority_id = any($1::int[])',
        [authorityIds, reference],
      );
      return rows[0]?.id;
    },

    async balancesByYearAndKind(accountId: number): Promise<YearBalanceRow[]> {
      return db.queryPrepared<YearBalanceRow>(
        `select financial_year, kind, sum(amount_pence)::bigint as amount_pence from ledger_entries
          where account_id = $1 group by financial_year, kind order by financial_year desc, kind`,
        [accountId],
      );
    },

    async ledger(accountId: number, limit: number): Promise<LedgerRow[]> {
      return db.queryPrepared<LedgerRow>(
        `select l.id, l.kind, l.amount_pence, l.financial_year, l.effective_date, l.posted_at, l.source, l.reason,
                u.display_name as posted_by_name, l.reverses_entry_id
           from ledger_entries l left join users u on u.id = l.posted_by
          where l.account_id = $1 order by l.effective_date desc, l.id desc limit $2`,
        [accountId, limit],
      );
    },

    async liabilities(accountId: number): Promise<LiabilityRow[]> {
      return db.queryPrepared<LiabilityRow>(
        `select li.id, li.from_date, li.to_date,
                case when p.id is null then null else p.address_line1 || ', ' || p.town || ' ' || p.postcode end as property_address,
                coalesce((select json_agg(json_build_object('id', c.id, 'name', c.display_name) order by c.display_name)
                            from liability_parties lp join customers c on c.id = lp.customer_id
                           where lp.liability_id = li.id), '[]') as parties
           from liabilities li left join properties p on p.id = li.property_id
          where li.account_id = $1 order by li.from_date desc`,
        [accountId],
      );
    },

    /** The instalments of each year's current (not superseded) plan. */
    async currentInstalments(accountId: number): Promise<InstalmentRow[]> {
      return db.queryPrepared<InstalmentRow>(
        `select ip.financial_year, i.seq, i.due_date, i.amount_pence
           from instalment_plans ip join instalments i on i.plan_id = ip.id
          where ip.account_id = $1 and ip.superseded_at is null
          order by ip.financial_year desc, i.seq`,
        [accountId],
      );
    },
  };
}
export type AccountsRepository = ReturnType<typeof createAccountsRepository>;
