// SQL for billing: the council's charges, the property register over time, awards, and the
// snapshot a charge is calculated from. Reads that take many accounts do so in one query each.
import type { Db } from '../../db/database.ts';
import type { Nation } from '../../domain/law/rules.ts';
import type { ReductionAward, ReductionRate } from './reductions.ts';
import type { Component, LiabilityPeriod, ValuationPoint } from './charge-calculation.ts';

export interface ChargeYearRow {
  authority_id: number;
  financial_year: number;
  band_d_pence: number;
  resolved_on: string | null;
  source: string;
  precepts: { preceptor: string; bandDPence: number }[];
  rates: ReductionRate[];
}

export interface BillingAccountRow {
  id: number;
  authority_id: number;
  nation: Nation;
  authority_name: string;
  reference: string;
  stream: 'council_tax' | 'business_rates';
  status: string;
  payment_method: 'cash' | 'direct_debit';
  customer_id: number;
  customer_name: string;
  customer_email: string | null;
  notify_by_email: boolean;
  property_id: number | null;
  instalment_day: number | null;
  twelve_instalments: boolean;
  legacy_adopted_at: Date | null;
  /** Where letters go: the lead's correspondence address, else where they live, else the property. */
  address_lines: string[];
}

export interface LiabilityWithParties extends LiabilityPeriod {
  accountId: number;
  parties: { id: number; name: string }[];
}

export interface PropertyRow {
  id: number;
  authority_id: number;
  kind: 'dwelling' | 'hereditament';
  uprn: string | null;
  address_line1: string;
  address_line2: string | null;
  town: string;
  postcode: string;
  band: string | null;
  rateable_value_pounds: number | null;
  description: string | null;
  scat_code: string | null;
  ba_reference: string | null;
}

export interface ValuationRow {
  id: number;
  property_id: number;
  effective_from: string;
  band: string | null;
  rateable_value_pounds: number | null;
  retail_hospitality_leisure: boolean;
  description: string | null;
  scat_code: string | null;
  source: string;
  reason: string | null;
  created_at: Date;
  created_by_name: string | null;
}

export interface ReductionRow {
  id: number;
  account_id: number;
  code: string;
  from_date: string;
  to_date: string | null;
  percent: string | null;
  empty_since: string | null;
  weekly_pence: number | null;
  note: string | null;
  created_at: Date;
  created_by_name: string | null;
}

export interface BillRow {
  id: number;
  account_id: number;
  financial_year: number;
  kind: 'annual' | 'rebill';
  issued_on: string;
  reason: string;
  charge_pence: number;
  previous_charge_pence: number;
  credits_before_pence: number;
  calculation: unknown;
  run_tariff_key: string | null;
  batch_run_id: number | null;
  plan_id: number | null;
  document_id: number | null;
  created_at: Date;
}

export const propertyAddress = (p: Pick<PropertyRow, 'address_line1' | 'address_line2' | 'town' | 'postcode'>) =>
  [p.address_line1, p.address_line2, p.town, p.postcode].filter(Boolean).join(', ');

export function createBillingRepository(db: Db) {
  return {
    async authority(authorityId: number, tx: Db = db) {
      const [row] = await tx.query<{ id: number; ons_code: string; name: string; nation: Nation }>(
        'select id, ons_code, name, nation from billing_authorities where id = $1', [authorityId]);
      return row;
    },

    // --- charge setting -------------------------------------------------------------------------

    async chargeYear(authorityId: number, year: number, tx: Db = db): Promise<ChargeYearRow | undefined> {
      const [row] = await tx.query<ChargeYearRow>(
        `select y.authority_id, y.financial_year, y.band_d_pence, y.resolved_on, y.source,
                coalesce((select json_agg(json_build_object('preceptor', p.preceptor, 'bandDPence', p.band_d_pence) order by p.seq)
                            from ct_precepts p where p.authority_id = y.authority_id and p.financial_year = y.financial_year), '[]') as precepts,
                coalesce((select json_agg(json_build_object('code', r.code, 'minYearsEmpty', r.min_years_empty, 'kind', r.kind, 'label', r.label,
                                                            'percent', r.percent::text, 'basis', r.basis) order by r.code, r.min_years_empty)
                            from ct_reduction_rates r where r.authority_id = y.authority_id and r.financial_year = y.financial_year), '[]') as rates
           from ct_charge_years y where y.authority_id = $1 and y.financial_year = $2`,
        [authorityId, year],
      );
      return row;
    },

    async chargeYears(authorityId: number): Promise<{ financial_year: number; band_d_pence: number; source: string; resolved_on: string | null }[]> {
      return db.query(
        'select financial_year, band_d_pence, source, resolved_on from ct_charge_years where authority_id = $1 order by financial_year desc',
        [authorityId]);
    },

    async saveChargeYear(
      input: { authorityId: number; year: number; bandDPence: number; resolvedOn: string | null; source: string; precepts: { preceptor: string; bandDPence: number }[]; rates: ReductionRate[]; userId: number | null },
      tx: Db,
    ) {
      await tx.query(
        `insert into ct_charge_years (authority_id, financial_year, band_d_pence, resolved_on, source, created_by)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (authority_id, financial_year) do update
           set band_d_pence = excluded.band_d_pence, resolved_on = excluded.resolved_on, source = excluded.source,
               created_by = excluded.created_by, created_at = now()`,
        [input.authorityId, input.year, input.bandDPence, input.resolvedOn, input.source, input.userId]);
      await tx.query('delete from ct_precepts where authority_id = $1 and financial_year = $2', [input.authorityId, input.year]);
      await tx.query('delete from ct_reduction_rates where authority_id = $1 and financial_year = $2', [input.authorityId, input.year]);
      await tx.query(
        `insert into ct_precepts (authority_id, financial_year, seq, preceptor, band_d_pence)
         select $1, $2, e.n, e.v->>'preceptor', (e.v->>'band_d_pence')::bigint
           from jsonb_array_elements($3::jsonb) with ordinality as e(v, n)`,
        [input.authorityId, input.year, JSON.stringify(input.precepts.map((p) => ({ preceptor: p.preceptor, band_d_pence: p.bandDPence })))]);
      await tx.query(
        `insert into ct_reduction_rates (authority_id, financial_year, code, min_years_empty, kind, label, percent, basis)
         select $1, $2, x.code, x.min_years_empty, x.kind, x.label, x.percent::numeric, x.basis
           from jsonb_to_recordset($3::jsonb) as x(code text, min_years_empty smallint, kind text, label text, percent text, basis text)`,
        [input.authorityId, input.year, JSON.stringify(input.rates.map((r) => ({ code: r.code, min_years_empty: r.minYearsEmpty, kind: r.kind, label: r.label, percent: r.percent, basis: r.basis })))]);
    },

    /** The Band D the demo council was seeded with (the seed run's report), if any. */
    async seededBandD(authorityId: number, tx: Db = db): Promise<{ runId: number; years: number[]; bandD: Record<string, number> } | undefined> {
      const [row] = await tx.query<{ id: number; report: { financialYears?: number[]; bandDPence?: { previous: number; current: number } } }>(
        `select id, report from batch_runs where authority_id = $1 and kind = 'seed' and status = 'completed' order by id desc limit 1`, [authorityId]);
      const years = row?.report?.financialYears;
      const bandD = row?.report?.bandDPence;
      if (!row || !years || !bandD) return undefined;
      return { runId: row.id, years, bandD: { [years[0]]: bandD.previous, [years[1]]: bandD.current } };
    },

    async billingSettings(authorityId: number, tx: Db = db) {
      const [row] = await tx.query<{ default_instalment_day: number; how_to_pay: string | null; help_text: string | null }>(
        'select default_instalment_day, how_to_pay, help_text from billing_settings where authority_id = $1', [authorityId]);
      return row ?? { default_instalment_day: 1, how_to_pay: null, help_text: null };
    },

    /** The council's Direct Debit collection days (payments module's settings when present). */
    async ddCollectionDays(authorityId: number, tx: Db = db): Promise<number[]> {
      const [exists] = await tx.query<{ t: string | null }>(`select to_regclass('payment_settings')::text as t`);
      if (exists?.t) {
        const [row] = await tx.query<{ days: number[] }>('select dd_collection_days as days from payment_settings where authority_id = $1', [authorityId]);
        if (row?.days?.length) return row.days.map(Number).sort((a, b) => a - b);
      }
      return [1, 15];
    },

    // --- snapshot -------------------------------------------------------------------------------

    async accounts(accountIds: number[], tx: Db = db): Promise<BillingAccountRow[]> {
      return tx.query<BillingAccountRow>(
        `select a.id, a.authority_id, ba.nation, ba.name as authority_name, a.reference, a.stream, a.status, a.payment_method,
                a.customer_id, c.display_name as customer_name, c.email as customer_email, c.notify_by_email, a.property_id,
                ab.instalment_day, coalesce(ab.twelve_instalments, false) as twelve_instalments, ab.legacy_adopted_at,
                coalesce(
                  (select array_remove(array[ca.address_line1, ca.address_line2, ca.town, ca.postcode], null)
                     from customer_addresses ca where ca.customer_id = a.customer_id and ca.to_date is null
                    order by case ca.kind when 'correspondence' then 0 when 'residential' then 1 else 2 end, ca.id desc limit 1),
                  (select array_remove(array[p.address_line1, p.address_line2, p.town, p.postcode], null) from properties p where p.id = a.property_id),
                  '{}') as address_lines
           from accounts a
           join billing_authorities ba on ba.id = a.authority_id
           join customers c on c.id = a.customer_id
           left join account_billing ab on ab.account_id = a.id
          where a.id = any($1::bigint[])`,
        [accountIds]);
    },

    async liabilities(accountIds: number[], tx: Db = db): Promise<LiabilityWithParties[]> {
      const rows = await tx.query<{ id: number; account_id: number; property_id: number; from_date: string; to_date: string | null; parties: { id: number; name: string }[] }>(
        `select li.id, li.account_id, li.property_id, li.from_date, li.to_date,
                coalesce((select json_agg(json_build_object('id', c.id, 'name', c.display_name) order by c.id)
                            from liability_parties lp join customers c on c.id = lp.customer_id where lp.liability_id = li.id), '[]') as parties
           from liabilities li where li.account_id = any($1::bigint[]) and li.property_id is not null
          order by li.account_id, li.from_date, li.id`,
        [accountIds]);
      return rows.map((r) => ({ id: r.id, accountId: r.account_id, propertyId: r.property_id, from: r.from_date, to: r.to_date, parties: r.parties }));
    },

    /**
     * Valuation history per property. A property with no history is read as its current value
     * throughout; a hereditament's use is read from its description when not recorded.
     */
    async valuations(propertyIds: number[], rhlDescriptions: readonly string[], tx: Db = db): Promise<Record<number, ValuationPoint[]>> {
      const rows = await tx.query<{ property_id: number; effective_from: string; band: string | null; rv: number | null; rhl: boolean; description: string | null }>(
        `select v.property_id, v.effective_from, v.band, v.rateable_value_pounds as rv, v.retail_hospitality_leisure as rhl, v.description
           from property_valuations v where v.property_id = any($1::bigint[])
         union all
         select p.id, date '1990-04-01', p.band, p.rateable_value_pounds, coalesce(p.description = any($2::text[]), false), p.description
           from properties p
          where p.id = any($1::bigint[]) and not exists (select 1 from property_valuations v where v.property_id = p.id)
          order by 1, 2`,
        [propertyIds, rhlDescriptions]);
      const out: Record<number, ValuationPoint[]> = {};
      for (const r of rows) {
        (out[r.property_id] ??= []).push({ effectiveFrom: r.effective_from, band: r.band, rateableValuePounds: r.rv, retailHospitalityLeisure: r.rhl, description: r.description });
      }
      return out;
    },

    async reductions(accountIds: number[], tx: Db = db): Promise<(ReductionAward & { accountId: number })[]> {
      const rows = await tx.query<{ id: number; account_id: number; code: string; from_date: string; to_date: string | null; percent: string | null; empty_since: string | null; weekly_pence: number | null }>(
        `select id, account_id, code, from_date, to_date, percent::text as percent, empty_since, weekly_pence
           from account_reductions where account_id = any($1::bigint[]) order by account_id, from_date, id`,
        [accountIds]);
      return rows.map((r) => ({ id: r.id, accountId: r.account_id, code: r.code, from: r.from_date, to: r.to_date, percent: r.percent, emptySince: r.empty_since, weeklyPence: r.weekly_pence }));
    },

    /** What billing has charged so far, per account, year and component (signed as in the ledger). */
    async charged(accountIds: number[], years: number[], tx: Db = db): Promise<{ account_id: number; financial_year: number; component: Component; amount_pence: number }[]> {
      return tx.query(
        `select account_id, financial_year, component, sum(amount_pence)::bigint as amount_pence
           from billing_charged where account_id = any($1::bigint[]) and financial_year = any($2::smallint[])
          group by account_id, financial_year, component`,
        [accountIds, years]);
    },

    /** Everything on the year except costs: what is left of the charge once payments and credits count. */
    async yearBalances(accountIds: number[], years: number[], tx: Db = db): Promise<{ account_id: number; financial_year: number; balance_pence: number }[]> {
      return tx.query(
        `select account_id, financial_year, sum(amount_pence)::bigint as balance_pence
           from ledger_entries where account_id = any($1::bigint[]) and financial_year = any($2::smallint[]) and kind <> 'cost'
          group by account_id, financial_year`,
        [accountIds, years]);
    },

    /** Day of the month of each account's latest instalments (for payers who never chose one in Levy). */
    async lastInstalmentDays(accountIds: number[], tx: Db = db): Promise<{ account_id: number; day: number }[]> {
      return tx.query(
        `select distinct on (ip.account_id) ip.account_id, extract(day from i.due_date)::int as day
           from instalment_plans ip join instalments i on i.plan_id = ip.id and i.seq = 1
          where ip.account_id = any($1::bigint[])
          order by ip.account_id, ip.financial_year desc, ip.id desc`,
        [accountIds]);
    },

    async bills(accountId: number, tx: Db = db): Promise<BillRow[]> {
      return tx.query<BillRow>(
        `select id, account_id, financial_year, kind, issued_on, reason, charge_pence, previous_charge_pence, credits_before_pence,
                calculation, run_tariff_key, batch_run_id, plan_id, document_id, created_at
           from bills where account_id = $1 order by financial_year desc, id desc`,
        [accountId]);
    },

    async bill(billId: number, tx: Db = db): Promise<BillRow | undefined> {
      const [row] = await tx.query<BillRow>(
        `select b.id, b.account_id, b.financial_year, b.kind, b.issued_on, b.reason, b.charge_pence, b.previous_charge_pence,
                b.credits_before_pence, coalesce(b.calculation, t.calculation) as calculation, b.run_tariff_key, b.batch_run_id,
                b.plan_id, b.document_id, b.created_at
           from bills b left join billing_run_tariffs t on t.batch_run_id = b.batch_run_id and t.tariff_key = b.run_tariff_key
          where b.id = $1`,
        [billId]);
      return row;
    },

    async planInstalments(planId: number, tx: Db = db): Promise<{ seq: number; due_date: string; amount_pence: number }[]> {
      return tx.query('select seq, due_date, amount_pence from instalments where plan_id = $1 order by seq', [planId]);
    },

    // --- properties -----------------------------------------------------------------------------

    async property(authorityIds: number[], propertyId: number, tx: Db = db): Promise<PropertyRow | undefined> {
      const [row] = await tx.query<PropertyRow>(
        `select id, authority_id, kind, uprn, address_line1, address_line2, town, postcode, band, rateable_value_pounds,
                description, scat_code, ba_reference
           from properties where id = $2 and authority_id = any($1::int[])`,
        [authorityIds, propertyId]);
      return row;
    },

    async searchProperties(authorityIds: number[], q: string, limit: number): Promise<(PropertyRow & { occupier: string | null; account_id: number | null })[]> {
      const compact = q.replace(/\s+/g, '').toUpperCase();
      const words = q.toLowerCase().split(/\s+/).filter(Boolean);
      return db.query(
        `select p.id, p.authority_id, p.kind, p.uprn, p.address_line1, p.address_line2, p.town, p.postcode, p.band,
                p.rateable_value_pounds, p.description, p.scat_code, p.ba_reference,
                cur.occupier, cur.account_id
           from properties p
           left join lateral (
             select c.display_name as occupier, a.id as account_id
               from liabilities li join accounts a on a.id = li.account_id join customers c on c.id = a.customer_id
              where li.property_id = p.id and li.to_date is null order by li.from_date desc limit 1) cur on true
          where p.authority_id = any($1::int[])
            and (replace(p.postcode, ' ', '') like $2 || '%'
                 or p.ba_reference = $3 or p.uprn = $3
                 or (select bool_and(lower(p.address_line1 || ' ' || coalesce(p.address_line2, '') || ' ' || p.town) like '%' || w || '%') from unnest($4::text[]) w))
          order by p.postcode, p.address_line1 limit $5`,
        [authorityIds, compact.length >= 2 ? compact : '\u0000', q.trim(), words, limit]);
    },

    async valuationHistory(propertyId: number, tx: Db = db): Promise<ValuationRow[]> {
      return tx.query<ValuationRow>(
        `select v.id, v.property_id, v.effective_from, v.band, v.rateable_value_pounds, v.retail_hospitality_leisure, v.description,
                v.scat_code, v.source, v.reason, v.created_at, u.display_name as created_by_name
           from property_valuations v left join users u on u.id = v.created_by
          where v.property_id = $1 order by v.effective_from desc`,
        [propertyId]);
    },

    async propertyLiabilities(propertyId: number, tx: Db = db) {
      return tx.query<{ id: number; account_id: number; reference: string; stream: string; from_date: string; to_date: string | null; parties: { id: number; name: string }[] }>(
        `select li.id, li.account_id, a.reference, a.stream, li.from_date, li.to_date,
                coalesce((select json_agg(json_build_object('id', c.id, 'name', c.display_name) order by c.id)
                            from liability_parties lp join customers c on c.id = lp.customer_id where lp.liability_id = li.id), '[]') as parties
           from liabilities li join accounts a on a.id = li.account_id
          where li.property_id = $1 order by li.from_date desc, li.id desc`,
        [propertyId]);
    },

    async insertValuation(
      v: { propertyId: number; effectiveFrom: string; band: string | null; rateableValuePounds: number | null; rhl: boolean; description: string | null; scatCode: string | null; source: string; reason: string | null; userId: number | null },
      tx: Db,
    ): Promise<number> {
      const [row] = await tx.query<{ id: number }>(
        `insert into property_valuations (property_id, effective_from, band, rateable_value_pounds, retail_hospitality_leisure, description, scat_code, source, reason, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         on conflict (property_id, effective_from) do update
           set band = excluded.band, rateable_value_pounds = excluded.rateable_value_pounds,
               retail_hospitality_leisure = excluded.retail_hospitality_leisure, description = excluded.description,
               scat_code = excluded.scat_code, source = excluded.source, reason = excluded.reason,
               created_by = excluded.created_by, created_at = now()
         returning id`,
        [v.propertyId, v.effectiveFrom, v.band, v.rateableValuePounds, v.rhl, v.description, v.scatCode, v.source, v.reason, v.userId]);
      return row.id;
    },

    /** Keeps properties' own columns the value in force today. */
    async syncCurrentValuation(propertyId: number, today: string, tx: Db) {
      await tx.query(
        `update properties p set band = v.band, rateable_value_pounds = v.rateable_value_pounds,
                description = coalesce(v.description, p.description), scat_code = coalesce(v.scat_code, p.scat_code), updated_at = now()
           from (select band, rateable_value_pounds, description, scat_code from property_valuations
                  where property_id = $1 and effective_from <= $2 order by effective_from desc limit 1) v
          where p.id = $1`,
        [propertyId, today]);
    },

    /** Accounts liable for a property on any day from `from` on. */
    async accountsLiableFor(propertyId: number, from: string, tx: Db = db): Promise<{ account_id: number; from_date: string; to_date: string | null }[]> {
      return tx.query(
        `select account_id, min(from_date) as from_date, max(coalesce(to_date, date '9999-12-31')) as to_date
           from liabilities where property_id = $1 and coalesce(to_date, date '9999-12-31') >= $2
          group by account_id`,
        [propertyId, from]);
    },

    /** Years an account has been billed for (bills or charges), at or after a year. */
    async billedYears(accountId: number, fromYear: number, tx: Db = db): Promise<number[]> {
      const rows = await tx.query<{ y: number }>(
        `select distinct financial_year as y from ledger_entries where account_id = $1 and kind = 'charge' and financial_year >= $2
         union select distinct financial_year from bills where account_id = $1 and financial_year >= $2 order by 1`,
        [accountId, fromYear]);
      return rows.map((r) => r.y);
    },

    async reductionRows(accountId: number, tx: Db = db): Promise<ReductionRow[]> {
      return tx.query<ReductionRow>(
        `select r.id, r.account_id, r.code, r.from_date, r.to_date, r.percent::text as percent, r.empty_since, r.weekly_pence, r.note, r.created_at,
                u.display_name as created_by_name
           from account_reductions r left join users u on u.id = r.created_by
          where r.account_id = $1 order by r.from_date desc, r.id desc`,
        [accountId]);
    },

    async nextAccountNumber(stream: string, tx: Db): Promise<number> {
      // Two officers opening accounts at once must not draw the same number (held to the end of the transaction).
      if (tx.kind === 'postgres') await tx.query('select pg_advisory_xact_lock(7275004, hashtext($1))', [stream]);
      const [row] = await tx.query<{ n: number | null }>(
        `select max(substr(reference, 2, 8)::int)::int as n from accounts where stream = $1`, [stream]);
      return Math.max(100_001, (row?.n ?? 0) + 1);
    },
  };
}
export type BillingRepository = ReturnType<typeof createBillingRepository>;
