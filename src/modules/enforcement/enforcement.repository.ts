// Enforcement agent firms, referrals and returns: plain SQL, set-based for export and import.
import type { Db } from '../../db/database.ts';
import type { AllocationRule } from '../../domain/enforcement-allocation.ts';

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

    // ----- allocation rules -------------------------------------------------------------------

    async listRules(authorityIds: number[], tx: Db = db): Promise<(AllocationRule & { authorityId: number; firmNames: string[] })[]> {
      const rows = await tx.query<{ id: number; authority_id: number; position: number; fallback: boolean; stream: string | null; postcode_prefixes: string[]; min_balance_pence: number | null; max_balance_pence: number | null; allocated: number; firms: { firm_id: number; share: number; name: string }[] | null }>(
        `select r.id, r.authority_id, r.position, r.fallback, r.stream, r.postcode_prefixes, r.min_balance_pence, r.max_balance_pence, r.allocated,
                (select jsonb_agg(jsonb_build_object('firm_id', rf.firm_id, 'share', rf.share, 'name', f.name) order by f.name)
                   from ea_allocation_rule_firms rf join ea_firms f on f.id = rf.firm_id where rf.rule_id = r.id and f.active) as firms
           from ea_allocation_rules r where r.authority_id = any($1::int[])
          order by r.authority_id, r.fallback, r.position, r.id`, [authorityIds]);
      return rows.map((r) => ({
        id: r.id, authorityId: r.authority_id, position: r.position, fallback: r.fallback, stream: r.stream, postcodePrefixes: r.postcode_prefixes,
        minBalancePence: r.min_balance_pence === null ? null : Number(r.min_balance_pence), maxBalancePence: r.max_balance_pence === null ? null : Number(r.max_balance_pence),
        allocated: Number(r.allocated), firms: (r.firms ?? []).map((f) => ({ firmId: f.firm_id, share: f.share })), firmNames: (r.firms ?? []).map((f) => `${f.name}${(r.firms ?? []).length > 1 ? ` (share ${f.share})` : ''}`),
      }));
    },
    async insertRule(r: { authorityId: number; position: number; fallback: boolean; stream: string | null; postcodePrefixes: string[]; minBalancePence: number | null; maxBalancePence: number | null; firms: { firmId: number; share: number }[] }, actorId: number | null, tx: Db) {
      const [row] = await tx.query<{ id: number }>(
        `insert into ea_allocation_rules (authority_id, position, fallback, stream, postcode_prefixes, min_balance_pence, max_balance_pence, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
        [r.authorityId, r.position, r.fallback, r.stream, r.postcodePrefixes, r.minBalancePence, r.maxBalancePence, actorId]);
      await tx.query(`insert into ea_allocation_rule_firms (rule_id, firm_id, share) select $1, x.firm_id, x.share from jsonb_to_recordset($2::jsonb) as x(firm_id int, share int)`,
        [row.id, JSON.stringify(r.firms.map((f) => ({ firm_id: f.firmId, share: f.share })))]);
      return row.id;
    },
    async deleteRule(authorityIds: number[], id: number, tx: Db) {
      const rows = await tx.query<{ id: number; authority_id: number }>('delete from ea_allocation_rules where id = $1 and authority_id = any($2::int[]) returning id, authority_id', [id, authorityIds]);
      return rows[0];
    },
    /** Moves each rule's cycle on by the cases it was given (row locks taken in id order). */
    async advanceRules(counts: Map<number, number>, tx: Db) {
      if (!counts.size) return;
      await tx.query(`update ea_allocation_rules r set allocated = r.allocated + x.n
                        from (select * from jsonb_to_recordset($1::jsonb) as x(id int, n int) order by id) x where r.id = x.id`,
        [JSON.stringify([...counts].sort((a, b) => a[0] - b[0]).map(([id, n]) => ({ id, n })))]);
    },
    /** Locks the council's rules for the allocation (two referrals at once must not take the same slot). */
    async lockRules(authorityIds: number[], tx: Db) {
      await tx.query('select id from ea_allocation_rules where authority_id = any($1::int[]) order by id for update', [authorityIds]);
    },

    // ----- referral candidates, set-based ---------------------------------------------------

    /**
     * What a referral needs to know about each account-year, in one query per kind of fact: the
     * account and its parties' warnings, the debtor's current postcode (else the property's), the
     * balance under a liability order for the year, and whether the year already has a live referral.
     */
    async candidates(authorityIds: number[], items: { accountId?: number; reference?: string; financialYear: number }[]) {
      const payload = JSON.stringify(items.map((i, n) => ({ n, account_id: i.accountId ?? null, reference: i.reference ?? null, financial_year: i.financialYear })));
      return db.query<{ n: number; account_id: number | null; reference: string | null; authority_id: number; stream: string; customer_id: number; customer_name: string; warnings: string[]; parties: number[];
        postcode: string | null; has_lo: boolean; balance: number; already_live: boolean }>(
        `with x as (select * from jsonb_to_recordset($1::jsonb) as x(n int, account_id bigint, reference text, financial_year int))
         select x.n, a.id as account_id, a.reference, a.authority_id, a.stream, a.customer_id, c.display_name as customer_name,
                coalesce((select array_agg(w.display_name || ': ' || w.warning order by w.display_name) from customer_accounts ca join customers w on w.id = ca.customer_id
                           where ca.account_id = a.id and w.warning is not null), '{}') as warnings,
                coalesce((select array_agg(ca.customer_id) from customer_accounts ca where ca.account_id = a.id), array[a.customer_id]) as parties,
                coalesce((select ad.postcode from customer_addresses ad where ad.customer_id = a.customer_id and ad.to_date is null
                           order by case ad.kind when 'correspondence' then 0 when 'forwarding' then 1 else 2 end, ad.from_date desc limit 1), p.postcode) as postcode,
                exists (select 1 from recovery_steps s where s.account_id = a.id and s.financial_year = x.financial_year and s.stage = 'liability_order') as has_lo,
                coalesce((select sum(le.amount_pence) from ledger_entries le where le.account_id = a.id and le.financial_year = x.financial_year), 0)::bigint as balance,
                exists (select 1 from ea_referrals r where r.account_id = a.id and r.financial_year = x.financial_year and r.status in ('awaiting_decision', 'ready', 'exported', 'with_agent')) as already_live
           from x
           -- By id or by reference: two indexed look-ups (an OR in the join would compare every pair).
           left join lateral (select a.* from accounts a where x.account_id is not null and a.id = x.account_id and a.authority_id = any($2::int[])
                              union all
                              select a.* from accounts a where x.account_id is null and a.reference = x.reference and a.authority_id = any($2::int[])) a on true
           left join customers c on c.id = a.customer_id left join properties p on p.id = a.property_id
          order by x.n`,
        [payload, authorityIds]);
    },
    /** Accounts with an active arrangement, and running attachment orders by account: for the checks. */
    async arrangementAndAttachments(accountIds: number[]) {
      const [arrangements, orders, benefits] = await Promise.all([
        db.query<{ account_id: number }>(`select distinct aa.account_id from arrangement_accounts aa join arrangements ar on ar.id = aa.arrangement_id where aa.account_id = any($1::bigint[]) and ar.status = 'active'`, [accountIds]),
        db.query<{ account_id: number; names: string }>(`select ca.account_id, string_agg(distinct e.name, ', ') as names from customer_accounts ca join attachment_orders o on o.customer_id = ca.customer_id join employers e on e.id = o.employer_id
                                                          where ca.account_id = any($1::bigint[]) and o.status = 'active' group by ca.account_id`, [accountIds]),
        // A deduction from benefit asked of DWP or running is a remedy in progress too: one route at a time.
        db.query<{ account_id: number; running: boolean }>(`select ca.account_id, bool_or(b.status = 'accepted') as running from customer_accounts ca join benefit_attachments b on b.customer_id = ca.customer_id
                                                             where ca.account_id = any($1::bigint[]) and b.status in ('requested', 'accepted') group by ca.account_id`, [accountIds]),
      ]);
      // Why an attachment stops a referral, per account: "An attachment of earnings order is running (…); deductions from benefit …".
      const attachments = new Map<number, string>();
      for (const o of orders) attachments.set(Number(o.account_id), `an attachment of earnings order is running (${o.names})`);
      for (const b of benefits) {
        const what = b.running ? 'deductions from benefit are running' : 'deductions from benefit have been asked of DWP';
        const id = Number(b.account_id);
        attachments.set(id, attachments.has(id) ? `${attachments.get(id)}; ${what}` : what);
      }
      for (const [id, text] of attachments) attachments.set(id, text.replace(/^./, (c) => c.toUpperCase()));
      return { arranged: new Set(arrangements.map((a) => Number(a.account_id))), attachments };
    },
    /** Inserts referrals and their history events in two statements; returns the new ids in order. */
    async insertReferrals(rows: { authority_id: number; account_id: number; customer_id: number; financial_year: number; firm_id: number; sum_pence: number; checks: unknown; status: string; allocation_rule_id: number | null; summary: string }[], actorId: number | null, at: Date, tx: Db) {
      const payload = JSON.stringify(rows.map((r, n) => ({ ...r, n })));
      // Each account-year is in the batch once (the service makes sure), so it identifies its row.
      const inserted = await tx.query<{ id: number; account_id: number; financial_year: number }>(
        `insert into ea_referrals (authority_id, account_id, customer_id, financial_year, firm_id, sum_pence, checks, status, allocation_rule_id, created_by)
         select authority_id, account_id, customer_id, financial_year, firm_id, sum_pence, checks, status, allocation_rule_id, $2
           from jsonb_to_recordset($1::jsonb) as x(n int, authority_id int, account_id bigint, customer_id bigint, financial_year smallint, firm_id int, sum_pence bigint, checks jsonb, status text, allocation_rule_id int)
          order by n
         returning id, account_id, financial_year`,
        [payload, actorId]);
      const idByKey = new Map(inserted.map((i) => [`${i.account_id}:${i.financial_year}`, Number(i.id)]));
      const idByN = new Map(rows.map((r, n) => [n, idByKey.get(`${r.account_id}:${r.financial_year}`)]));
      await tx.query(
        `insert into events (authority_id, customer_id, account_id, at, type, summary, detail, by_user_id)
         select x.authority_id, x.customer_id, x.account_id, $2, 'enforcement', x.summary, jsonb_build_object('referralId', x.referral_id), $3
           from jsonb_to_recordset($1::jsonb) as x(authority_id int, customer_id bigint, account_id bigint, summary text, referral_id bigint)`,
        [JSON.stringify(rows.map((r, n) => ({ authority_id: r.authority_id, customer_id: r.customer_id, account_id: r.account_id, summary: r.summary, referral_id: idByN.get(n) }))), at, actorId]);
      return rows.map((_, n) => idByN.get(n)!);
    },

    // ----- recalls ------------------------------------------------------------------------------

    /**
     * Marks live referrals recalled and records each recall, in one statement. A case the firm had
     * been sent (exported or with the agent) is to be told of in the firm's next recall file.
     */
    async recall(ids: number[], r: { reason: string; note: string; on: string; holdId: number | null }, actorId: number | null, tx: Db) {
      return tx.query<{ referral_id: number; authority_id: number; account_id: number; customer_id: number; account_reference: string; financial_year: number; financial_year_label: string; firm_name: string; notify: boolean }>(
        `with old as (select id, status from ea_referrals where id = any($1::bigint[]) and status in ('awaiting_decision', 'ready', 'exported', 'with_agent') order by id for update),
         upd as (update ea_referrals r set status = 'recalled' from old where r.id = old.id
                 returning r.id, r.authority_id, r.account_id, r.customer_id, r.firm_id, r.financial_year, old.status as previous_status),
         ins as (insert into ea_recalls (referral_id, authority_id, firm_id, reason, note, recalled_on, previous_status, hold_id, notify, created_by)
                 select id, authority_id, firm_id, $2, $3, $4, previous_status, $5, previous_status in ('exported', 'with_agent'), $6 from upd
                 returning referral_id, notify)
         select upd.id as referral_id, upd.authority_id, upd.account_id, upd.customer_id, a.reference as account_reference, upd.financial_year,
                upd.financial_year || '/' || lpad(((upd.financial_year + 1) % 100)::text, 2, '0') as financial_year_label, f.name as firm_name, ins.notify
           from upd join ins on ins.referral_id = upd.id join accounts a on a.id = upd.account_id join ea_firms f on f.id = upd.firm_id
          order by upd.id`,
        [ids, r.reason, r.note, r.on, r.holdId, actorId]);
    },
    /** History events for many accounts in one statement. */
    async insertEvents(rows: { authority_id: number; customer_id: number; account_id: number; summary: string; detail: unknown }[], actorId: number | null, at: Date, tx: Db) {
      await tx.query(
        `insert into events (authority_id, customer_id, account_id, at, type, summary, detail, by_user_id)
         select x.authority_id, x.customer_id, x.account_id, $2, 'enforcement', x.summary, x.detail, $3
           from jsonb_to_recordset($1::jsonb) as x(authority_id int, customer_id bigint, account_id bigint, summary text, detail jsonb)`,
        [JSON.stringify(rows), at, actorId]);
    },
    /** Live referrals by account reference (and year, when given); n is the line asked for. */
    async liveByReference(authorityIds: number[], items: { reference: string; financialYear: number | null }[], tx: Db) {
      return tx.query<{ n: number; id: number }>(
        `select x.n, r.id from jsonb_to_recordset($1::jsonb) as x(n int, reference text, financial_year int)
           join accounts a on a.reference = x.reference and a.authority_id = any($2::int[])
           join ea_referrals r on r.account_id = a.id and (x.financial_year is null or r.financial_year = x.financial_year)
                               and r.status in ('awaiting_decision', 'ready', 'exported', 'with_agent')
          order by r.id`,
        [JSON.stringify(items.map((i, n) => ({ n, reference: i.reference, financial_year: i.financialYear }))), authorityIds]);
    },
    /** Marks the firm's untold recalls told and returns them for the file, in one statement. */
    async takeRecallsForFirm(firmId: number, batch: string, at: Date, tx: Db) {
      return tx.query<{ referral_id: number; account_reference: string; debtor_name: string; financial_year: number; recalled_on: string; reason: string }>(
        `with taken as (update ea_recalls set notified_at = $3, notify_batch = $2 where firm_id = $1 and notify and notified_at is null
                        returning referral_id, recalled_on, reason)
         select t.referral_id, a.reference as account_reference, c.display_name as debtor_name, r.financial_year, t.recalled_on::text as recalled_on, t.reason
           from taken t join ea_referrals r on r.id = t.referral_id join accounts a on a.id = r.account_id join customers c on c.id = r.customer_id
          order by t.referral_id`,
        [firmId, batch, at]);
    },
    async pendingRecallCounts(authorityIds: number[]) {
      return db.query<{ firm_id: number; firm_name: string; firm_code: string; pending: number }>(
        `select f.id as firm_id, f.name as firm_name, f.code as firm_code, count(*)::int as pending from ea_recalls x join ea_firms f on f.id = x.firm_id
          where x.notify and x.notified_at is null and x.authority_id = any($1::int[]) group by f.id, f.name, f.code order by f.name`, [authorityIds]);
    },

    // ----- the account's view -----------------------------------------------------------------

    /** Years of the account with a liability order, and any live referral for each. */
    async liabilityOrderYears(accountId: number) {
      return db.query<{ financial_year: number; live_referral_id: number | null; live_status: string | null; live_firm: string | null }>(
        `select s.financial_year, r.id as live_referral_id, r.status as live_status, f.name as live_firm
           from recovery_steps s
           left join ea_referrals r on r.account_id = s.account_id and r.financial_year = s.financial_year and r.status in ('awaiting_decision', 'ready', 'exported', 'with_agent')
           left join ea_firms f on f.id = r.firm_id
          where s.account_id = $1 and s.stage = 'liability_order' order by s.financial_year desc`, [accountId]);
    },
    async forAccount(authorityIds: number[], accountId: number) {
      return db.query<ReferralRow & { recall_reason: string | null; recalled_on: string | null }>(
        `${REFERRAL_SELECT} left join ea_recalls x on x.referral_id = r.id
          where r.account_id = $1 and r.authority_id = any($2::int[]) order by r.id desc`.replace('r.return_code, r.collected_pence', 'r.return_code, r.collected_pence, x.reason as recall_reason, x.recalled_on::text as recalled_on'),
        [accountId, authorityIds]);
    },

    /**
     * Performance by firm, from the per-firm totals the triggers keep (migration 010): a row per
     * firm rather than an aggregate over every referral ever made.
     */
    async performance(authorityIds: number[]) {
      return db.query<{ firm_id: number; firm_name: string; referred: number; open: number; closed: number; paid: number; returned_unpaid: number; recalled: number; collected_pence: number; average_days: number | null; over_scale_fees: number }>(
        `select f.id as firm_id, f.name as firm_name, coalesce(s.referred, 0) as referred, coalesce(s.open, 0) as open, coalesce(s.closed, 0) as closed,
                coalesce(s.paid, 0) as paid, coalesce(s.returned_unpaid, 0) as returned_unpaid, coalesce(s.recalled, 0) as recalled,
                coalesce(s.collected_pence, 0)::bigint as collected_pence,
                round(s.closed_days::numeric / nullif(s.closed_timed, 0), 1)::float8 as average_days, coalesce(s.over_scale_fees, 0) as over_scale_fees
           from ea_firms f left join ea_firm_stats s on s.firm_id = f.id
          where f.authority_id = any($1::int[]) order by f.name`, [authorityIds]);
    },

    /** The same figures aggregated from the referrals themselves: what the totals must agree with (tests, reconcile). */
    async performanceFromReferrals(authorityIds: number[]) {
      return db.query<{ firm_id: number; referred: number; open: number; closed: number; paid: number; returned_unpaid: number; recalled: number; collected_pence: number; average_days: number | null; over_scale_fees: number }>(
        `select f.id as firm_id, count(r.id)::int as referred,
                count(r.id) filter (where r.status in ('exported', 'with_agent'))::int as open,
                count(r.id) filter (where r.status = 'closed')::int as closed,
                count(r.id) filter (where r.return_code = 'paid')::int as paid,
                count(r.id) filter (where r.status = 'closed' and r.return_code <> 'paid')::int as returned_unpaid,
                count(r.id) filter (where r.status = 'recalled')::int as recalled,
                coalesce(sum(r.collected_pence), 0)::bigint as collected_pence,
                round(avg(r.returned_on - (r.exported_at at time zone 'Europe/London')::date) filter (where r.status = 'closed'), 1)::float8 as average_days,
                (select count(*) from ea_returns er join ea_referrals r2 on r2.id = er.referral_id where r2.firm_id = f.id and er.over_scale)::int as over_scale_fees
           from ea_firms f left join ea_referrals r on r.firm_id = f.id and r.status not in ('awaiting_decision', 'refused')
          where f.authority_id = any($1::int[]) group by f.id order by f.id`, [authorityIds]);
    },
  };
}
export type EnforcementRepository = ReturnType<typeof createEnforcementRepository>;
// The work queues (src/modules/work-queues) page this select with the assignee added.
export { REFERRAL_SELECT };
