// The annual billing run: every council tax and business rates account liable in the coming year
// gets its bill, its ledger entries and its instalment plan; then its demand notice.
//
// Set-based, recorded, idempotent and resumable (docs/billing.md):
//  1. Accounts are classified in SQL. The great majority are "simple": one liability covering the
//     whole year, one valuation all year, at most one award running all year, nothing yet on the
//     year's ledger. Their bills differ only by a few terms (band and award, or RV, use and relief),
//     so each distinct case (a tariff) is priced ONCE by the same calculator an in-year rebill uses,
//     and each distinct (amount, payment day, twelve?) gets its statutory schedule once. Both are
//     stored with the run (billing_run_tariffs / billing_run_schedules).
//  2. Simple accounts are billed a chunk at a time (by account id) with ONE statement per chunk:
//     bills, ledger entries, instalment plans and instalments, INSERT … SELECT joined to the
//     tariffs. Each chunk commits on its own.
//  3. The rest (moves during the year, awards starting or ending, band or RV changes, payments
//     already on the year) go through issueBills, the in-year engine, a page at a time.
//  4. Demand notices are issued as data through the documents module a page at a time, for the
//     run's bills that have none yet (the print file is /runs/:id/print-file).
// Every step only touches accounts with no bill for the year yet (and bills carry a unique index per
// account and year), so a run killed at any point is finished by running it again: nothing doubles.
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import { annualBusinessRates } from '../../domain/business-rates.ts';
import { financialYearEnd, financialYearStart, formatFinancialYear, type IsoDate } from '../../domain/calendar.ts';
import { NoRuleInForceError, type Nation } from '../../domain/law/rules.ts';
import type { Actor } from '../auth/context.ts';
import { requirePermission } from '../auth/context.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { calculateCharge, type ChargeCalculation, type CouncilTaxRates } from './charge-calculation.ts';
import type { BillingCore } from './billing.service.ts';
import { planFor } from './instalment-plan.ts';
import { RHL_DESCRIPTIONS } from './reductions.ts';

export const ANNUAL_RUN_KIND = 'billing-annual';

/** Awards an account can carry all year and still be billed by tariff. */
const SIMPLE_CODES = ['single_person', 'all_disregarded', 'exempt_e', 'exempt_f', 'exempt_g', 'exempt_n', 'exempt_s', 'exempt_u', 'exempt_w',
  'second_home', 'small_business_relief', 'charity_relief', 'discretionary_relief'];

export interface AnnualRunOptions {
  authorityId: number;
  /** Start year: 2027 for 2027/28. */
  financialYear: number;
  /** The date on the bills (default: today). */
  issuedOn?: IsoDate;
  /** Accounts per set-based chunk. Default 25,000. */
  chunkSize?: number;
  /** Accounts per page for the complex path and for letters. Default 500 and 2,000. */
  pageSize?: number;
  letterPageSize?: number;
  /** Default true. The benchmark measures the financial phase alone. */
  letters?: boolean;
  onProgress?: (message: string, progress: { phase: string; done: number; total: number }) => void;
}

export interface StreamTotals {
  accounts: number;
  gross: number;
  premium: number;
  discount: number;
  ctr: number;
  relief: number;
  net: number;
}

export interface AnnualPreview {
  authorityId: number;
  financialYear: string;
  issuedOn: IsoDate;
  accountsToBill: number;
  billedByTariff: number;
  billedOneByOne: number;
  alreadyBilled: number;
  notBilled: { reason: string; accounts: number }[];
  byStream: Record<string, StreamTotals>;
  byBand: { band: string; accounts: number; net: number }[];
  tariffs: number;
  warnings: string[];
}

export interface AnnualRunReport extends AnnualPreview {
  batchRunId: number;
  status: 'completed' | 'failed' | 'running';
  billsIssued: number;
  ledgerEntries: number;
  instalmentPlans: number;
  instalments: number;
  letters: number;
  emails: number;
  failures: { accountId: number; message: string }[];
  seconds: { total: number; financial: number; letters: number };
  resumedFrom?: string;
}

const emptyTotals = (): StreamTotals => ({ accounts: 0, gross: 0, premium: 0, discount: 0, ctr: 0, relief: 0, net: 0 });

interface Tariff {
  key: string;
  stream: 'council_tax' | 'business_rates';
  calculation: ChargeCalculation;
}

/**
 * The classification of every account the run could bill, as SQL (parameters below). One row per
 * account: whether it is simple, and its tariff key and payment terms when it is.
 *   $1 authority  $2 year start  $3 year end  $4 financial year  $5 id after  $6 id up to
 *   $7 streams billed  $8 RHL descriptions  $9 simple award codes
 */
export const CLASSIFY = `
  select a.id as account_id, a.stream, coalesce(ab.instalment_day, 1) as day, coalesce(ab.twelve_instalments, false) as twelve,
         (li.n = 1 and li.f <= $2::date and li.t >= $3::date and not v.changes and ly.n = 0
          and (r.n = 0 or (r.n = 1 and r.f <= $2::date and r.t >= $3::date and r.code = any($9::text[])))) as simple,
         case when a.stream = 'council_tax' then 'ct|' || coalesce(v.band, '?') || '|' || coalesce(r.code, '')
              else 'nndr|' || coalesce(v.rv::text, '?') || '|' || v.rhl || '|' || coalesce(r.code, '') || '|' || coalesce(r.pct::text, '') end as tariff_key,
         v.band
    from accounts a
    left join account_billing ab on ab.account_id = a.id
    cross join lateral (select count(*) as n, min(l.from_date) as f, max(coalesce(l.to_date, date '9999-12-31')) as t, min(l.property_id) as pid
                          from liabilities l
                         where l.account_id = a.id and l.from_date <= $3::date and coalesce(l.to_date, date '9999-12-31') >= $2::date) li
    cross join lateral (select count(*) as n, min(x.code) as code, min(x.from_date) as f, max(coalesce(x.to_date, date '9999-12-31')) as t,
                               max(x.percent) as pct
                          from account_reductions x
                         where x.account_id = a.id and x.from_date <= $3::date and coalesce(x.to_date, date '9999-12-31') >= $2::date) r
    cross join lateral (select count(*) as n, coalesce(bool_or(le.kind = 'charge'), false) as charged
                          from ledger_entries le where le.account_id = a.id and le.financial_year = $4::smallint) ly
    cross join lateral (select count(*) as n from (select 1 from bills b where b.account_id = a.id and b.financial_year = $4::smallint limit 1) x) bl
    cross join lateral (
      select coalesce(pv.band, p.band) as band, coalesce(pv.rv, p.rateable_value_pounds) as rv,
             coalesce(pv.rhl, coalesce(p.description = any($8::text[]), false)) as rhl,
             exists (select 1 from property_valuations c where c.property_id = li.pid and c.effective_from > $2::date and c.effective_from <= $3::date) as changes
        from properties p
        left join lateral (select v.band, v.rateable_value_pounds as rv, v.retail_hospitality_leisure as rhl from property_valuations v
                            where v.property_id = p.id and v.effective_from <= $2::date order by v.effective_from desc limit 1) pv on true
       where p.id = li.pid) v
   where a.authority_id = $1 and a.stream = any($7::text[]) and a.id > $5::bigint and a.id <= $6::bigint
     and li.n > 0 and bl.n = 0 and not ly.charged`;

/**
 * One chunk of simple accounts, in one statement: bills, ledger entries, plans and instalments.
 * $1–$9 as CLASSIFY; $10 run  $11 issued on  $12 reason  $13 now  $14 user  $15 source  $16 year text.
 */
const CHUNK_SQL = `with k as materialized (${CLASSIFY}),
   c as materialized (
     select k.account_id, k.stream, k.tariff_key, t.gross_pence, t.premium_pence, t.discount_pence, t.ctr_pence, t.relief_pence, t.net_pence,
            t.net_pence || '|' || k.day || '|' || k.twelve || '|' || k.stream as schedule_key,
            nextval('bills_id_seq') as bill_id,
            case when t.net_pence > 0 then nextval('instalment_plans_id_seq') end as plan_id
       from k join billing_run_tariffs t on t.batch_run_id = $10 and t.tariff_key = k.tariff_key
      where k.simple
   ),
   ins_bills as (
     insert into bills (id, account_id, financial_year, kind, issued_on, reason, charge_pence, previous_charge_pence, credits_before_pence,
                        run_tariff_key, batch_run_id, plan_id, created_at, created_by)
     select bill_id, account_id, $4::smallint, 'annual', $11::date, $12, net_pence, 0, 0, tariff_key, $10, plan_id, $13, $14 from c
     returning 1
   ),
   ins_ledger as (
     insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, posted_at, posted_by, source, reason, billing_component)
     select account_id, e.kind, e.amount, $4::smallint, $2::date, $13, $14, $15,
            case stream when 'council_tax' then 'Council Tax ' else 'Business Rates ' end || $16 || ' ' || e.label || ': ' || $12, e.component
       from c cross join lateral (values
         ('charge', gross_pence, 'gross', 'charge'), ('charge', premium_pence, 'premium', 'premium'),
         ('adjustment', -discount_pence, 'discount', 'discounts and exemptions'), ('adjustment', -ctr_pence, 'ctr', 'Council Tax Reduction'),
         ('adjustment', -relief_pence, 'relief', 'reliefs')) as e(kind, amount, component, label)
      where e.amount <> 0
     returning 1
   ),
   ins_plans as (
     insert into instalment_plans (id, account_id, financial_year, issued_on, total_pence, created_at, bill_id, credits_before_pence)
     select plan_id, account_id, $4::smallint, $11::date, net_pence, $13, bill_id, 0 from c where plan_id is not null
     returning 1
   ),
   ins_instalments as (
     insert into instalments (plan_id, seq, due_date, amount_pence)
     select c.plan_id, s.seq, s.due_date, s.amount_pence
       from c join billing_run_schedules s on s.batch_run_id = $10 and s.schedule_key = c.schedule_key
      where c.plan_id is not null
     returning 1
   )
   select (select count(*) from ins_bills)::int as bills, (select count(*) from ins_ledger)::int as ledger,
          (select count(*) from ins_plans)::int as plans, (select count(*) from ins_instalments)::int as instalments`;

export function createAnnualRun(deps: { db: Db; clock: Clock; billing: BillingCore; audit: AuditRepository }) {
  const { db, clock, billing, audit } = deps;

  async function context(authorityId: number, year: number) {
    const authority = await billing.repo.authority(authorityId);
    if (!authority) throw new ValidationError(`Billing authority ${authorityId} was not found`);
    const fy = formatFinancialYear({ startYear: year });
    const warnings: string[] = [];
    const notBilled: AnnualPreview['notBilled'] = [];
    const streams: ('council_tax' | 'business_rates')[] = ['council_tax'];
    let ratesRuleMissing = false;
    try {
      annualBusinessRates({ financialYear: fy, rateableValuePounds: 10_000, retailHospitalityLeisure: false, smallBusinessReliefEligible: false, charity: false, nation: authority.nation });
      streams.push('business_rates');
    } catch (error) {
      if (!(error instanceof NoRuleInForceError)) throw error;
      ratesRuleMissing = true;
      warnings.push(`Levy has no business rates multipliers for ${authority.nation} ${fy} (src/domain/law/business-rates.ts): business rates accounts are not billed by this run`);
    }
    let ctRates: CouncilTaxRates | undefined;
    try {
      ctRates = await db.transaction((tx) => billing.councilTaxRates(authorityId, year, tx));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new ValidationError(`${error.message}. The annual run needs the year's charges.`);
    }
    return { authority, fy, streams, ctRates, warnings, notBilled, ratesRuleMissing, yearStart: financialYearStart(fy), yearEnd: financialYearEnd(fy) };
  }
  type Ctx = Awaited<ReturnType<typeof context>>;

  const params = (ctx: Ctx, authorityId: number, year: number, after = 0, upTo = Number.MAX_SAFE_INTEGER) =>
    [authorityId, ctx.yearStart, ctx.yearEnd, year, after, upTo, ctx.streams, RHL_DESCRIPTIONS, SIMPLE_CODES];

  /** Prices each distinct case with the same calculator an in-year bill uses. */
  function priceTariffs(ctx: Ctx, nation: Nation, keys: string[]): Tariff[] {
    return keys.map((key) => {
      const parts = key.split('|');
      const liabilities = [{ id: 0, from: ctx.yearStart, to: null, propertyId: 0 }];
      if (parts[0] === 'ct') {
        const [, band, code] = parts;
        const calculation = calculateCharge({
          tax: 'council_tax', nation, financialYear: ctx.fy, liabilities,
          valuations: { 0: [{ effectiveFrom: ctx.yearStart, band, rateableValuePounds: null, retailHospitalityLeisure: false }] },
          reductions: code ? [{ id: 0, code, from: ctx.yearStart, to: null }] : [],
          councilTax: ctx.ctRates,
        });
        return { key, stream: 'council_tax', calculation };
      }
      const [, rv, rhl, code, pct] = parts;
      const calculation = calculateCharge({
        tax: 'business_rates', nation, financialYear: ctx.fy, liabilities,
        valuations: { 0: [{ effectiveFrom: ctx.yearStart, band: null, rateableValuePounds: Number(rv), retailHospitalityLeisure: rhl === 'true' }] },
        reductions: code ? [{ id: 0, code, from: ctx.yearStart, to: null, percent: pct || null }] : [],
      });
      return { key, stream: 'business_rates', calculation };
    });
  }

  /** Runs a big read with JIT off (its compile time dwarfs these index-probe plans). */
  const bulkRead = <T>(sql: string, values: unknown[]) => db.transaction(async (tx) => {
    if (tx.kind === 'postgres') await tx.exec('set local jit = off; set local enable_seqscan = off');
    return tx.query<T>(sql, values);
  });

  async function countsAndKeys(ctx: Ctx, authorityId: number, year: number) {
    const rows = await bulkRead<{ simple: boolean; stream: string; tariff_key: string; band: string | null; day: number; twelve: boolean; n: number; ids: number[] | null }>(
      `select simple, stream, tariff_key, band, day, twelve, count(*)::int as n,
              case when not simple then array_agg(account_id order by account_id) end as ids
         from (${CLASSIFY}) c group by 1, 2, 3, 4, 5, 6`,
      params(ctx, authorityId, year));
    const complexIds = rows.filter((r) => !r.simple).flatMap((r) => (r.ids ?? []).map(Number)).sort((a, b) => a - b);
    const [already] = await db.query<{ n: number }>(
      `select count(distinct b.account_id)::int as n from bills b join accounts a on a.id = b.account_id where a.authority_id = $1 and b.financial_year = $2`, [authorityId, year]);
    const [skipped] = ctx.ratesRuleMissing
      ? await db.query<{ n: number }>(
        `select count(*)::int as n from accounts a where a.authority_id = $1 and a.stream = 'business_rates'
            and exists (select 1 from liabilities l where l.account_id = a.id and l.from_date <= $3 and coalesce(l.to_date, date '9999-12-31') >= $2)`,
        [authorityId, ctx.yearStart, ctx.yearEnd])
      : [{ n: 0 }];
    return { rows, complexIds, alreadyBilled: already.n, skippedRates: skipped.n };
  }

  async function preview(actor: Actor, input: { authorityId: number; financialYear: number; issuedOn?: IsoDate }): Promise<AnnualPreview> {
    requirePermission(actor, 'billing.run');
    if (!actor.authorityIds.includes(input.authorityId)) throw new ValidationError('You do not work on that billing authority');
    const ctx = await context(input.authorityId, input.financialYear);
    const issuedOn = input.issuedOn ?? clock.today();
    const { rows, complexIds: complexList, alreadyBilled, skippedRates } = await countsAndKeys(ctx, input.authorityId, input.financialYear);
    const simpleRows = rows.filter((r) => r.simple);
    const keys = [...new Set(simpleRows.map((r) => r.tariff_key))];
    const tariffs = new Map(priceTariffs(ctx, ctx.authority.nation, keys).map((t) => [t.key, t]));
    const byStream: Record<string, StreamTotals> = {};
    const byBand = new Map<string, { accounts: number; net: number }>();
    const add = (stream: string, band: string | null, n: number, c: ChargeCalculation) => {
      const s = (byStream[stream] ??= emptyTotals());
      s.accounts += n;
      for (const k of ['gross', 'premium', 'discount', 'ctr', 'relief', 'net'] as const) s[k] += n * c.totals[k];
      if (band) {
        const b = byBand.get(band) ?? { accounts: 0, net: 0 };
        b.accounts += n;
        b.net += n * c.totals.net;
        byBand.set(band, b);
      }
    };
    for (const r of simpleRows) add(r.stream, r.band, r.n, tariffs.get(r.tariff_key)!.calculation);
    // The complex ones are priced one by one, exactly as the run will (nothing is written).
    const streamOf = new Map(rows.filter((r) => !r.simple).flatMap((r) => (r.ids ?? []).map((id) => [Number(id), { stream: r.stream, band: r.band }] as const)));
    const complexIds = complexList.map((id) => ({ account_id: id, ...streamOf.get(id)! }));
    const warnings = [...ctx.warnings];
    for (let i = 0; i < complexIds.length; i += 500) {
      const page = complexIds.slice(i, i + 500);
      for (const row of page) {
        try {
          const c = await billing.previewCharge(actor, row.account_id, ctx.fy);
          add(row.stream, row.band, 1, c);
        } catch (error) {
          warnings.push(`Account ${row.account_id}: ${(error as Error).message}`);
        }
      }
    }
    const [unadopted] = await db.query<{ n: number }>(
      `select count(*)::int as n from accounts a where a.authority_id = $1 and a.stream in ('council_tax', 'business_rates')
          and not exists (select 1 from account_billing ab where ab.account_id = a.id)`, [input.authorityId]);
    if (unadopted.n) warnings.push(`${unadopted.n.toLocaleString('en-GB')} accounts were billed before Levy and their discounts and reliefs are not yet recorded as awards, so these totals leave them out: "levy billing adopt" records them (issuing the run does it first)`);
    const notBilled = [...ctx.notBilled];
    if (skippedRates) notBilled.push({ reason: `no business rates multipliers for ${ctx.fy}`, accounts: skippedRates });
    return {
      authorityId: input.authorityId,
      financialYear: ctx.fy,
      issuedOn,
      accountsToBill: simpleRows.reduce((s, r) => s + r.n, 0) + complexIds.length,
      billedByTariff: simpleRows.reduce((s, r) => s + r.n, 0),
      billedOneByOne: complexIds.length,
      alreadyBilled,
      notBilled,
      byStream,
      byBand: [...byBand.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([band, v]) => ({ band, ...v })),
      tariffs: keys.length,
      warnings,
    };
  }

  /** Finds the unfinished run for this authority and year to resume, or starts a new one. */
  async function claimRun(actor: Actor | null, authorityId: number, year: number, issuedOn: IsoDate): Promise<{ id: number; issuedOn: IsoDate; resumed: boolean }> {
    const [open] = await db.query<{ id: number; as_of: string }>(
      `select id, as_of from batch_runs where authority_id = $1 and kind = $2 and status in ('running', 'failed') and (report->>'year')::int = $3 order by id desc limit 1`,
      [authorityId, ANNUAL_RUN_KIND, year]);
    if (open) {
      await db.query(`update batch_runs set status = 'running', finished_at = null where id = $1`, [open.id]);
      return { id: open.id, issuedOn: open.as_of, resumed: true };
    }
    const [run] = await db.query<{ id: number }>(
      `insert into batch_runs (authority_id, kind, as_of, status, started_at, started_by, report) values ($1, $2, $3, 'running', $4, $5, $6) returning id`,
      [authorityId, ANNUAL_RUN_KIND, issuedOn, clock.now(), actor?.userId ?? null, JSON.stringify({ year })]);
    return { id: run.id, issuedOn, resumed: false };
  }

  /** On PostgreSQL, one run per authority and year at a time (a session lock held while it runs). */
  async function withLock<T>(authorityId: number, year: number, fn: () => Promise<T>): Promise<T> {
    if (db.kind !== 'postgres') return fn();
    return db.transaction(async (lock) => {
      const [{ ok }] = await lock.query<{ ok: boolean }>('select pg_try_advisory_xact_lock(7275003, $1) as ok', [authorityId * 10_000 + year]);
      if (!ok) throw new ConflictError(`An annual billing run for ${formatFinancialYear({ startYear: year })} is already in progress`);
      return fn();
    });
  }

  async function run(actor: Actor | null, options: AnnualRunOptions): Promise<AnnualRunReport> {
    if (actor) {
      requirePermission(actor, 'billing.run');
      if (!actor.authorityIds.includes(options.authorityId)) throw new ValidationError('You do not work on that billing authority');
    }
    const started = performance.now();
    return withLock(options.authorityId, options.financialYear, async () => {
      const year = options.financialYear;
      const authorityId = options.authorityId;
      // Accounts billed before Levy get their awards recorded first (set-based, once).
      const timing = process.env.LEVY_BILLING_TIMING ? (label: string) => process.stderr.write(`[timing] ${label} ${((performance.now() - started) / 1000).toFixed(2)} s\n`) : () => undefined;
      await db.transaction((tx) => billing.adoptLegacyAwards(tx, { authorityId }));
      timing('adopted');
      const claimed = await claimRun(actor, authorityId, year, options.issuedOn ?? clock.today());
      const runId = claimed.id;
      const issuedOn = claimed.issuedOn;
      const source = `billing-run:${runId}`;
      const progress = options.onProgress ?? (() => undefined);
      const failures: AnnualRunReport['failures'] = [];
      const ctx = await context(authorityId, year);
      try {
        // --- tariffs and schedules (idempotent: a resumed run keeps the ones it began with)
        const { rows, complexIds } = await countsAndKeys(ctx, authorityId, year);
        timing('classified');
        const simple = rows.filter((r) => r.simple);
        const known = new Set((await db.query<{ tariff_key: string }>('select tariff_key from billing_run_tariffs where batch_run_id = $1', [runId])).map((r) => r.tariff_key));
        const fresh = priceTariffs(ctx, ctx.authority.nation, [...new Set(simple.map((r) => r.tariff_key))].filter((k) => !known.has(k)));
        if (fresh.length) {
          await db.query(
            `insert into billing_run_tariffs (batch_run_id, tariff_key, stream, gross_pence, premium_pence, discount_pence, ctr_pence, relief_pence, net_pence, calculation)
             select $1, x.key, x.stream, x.gross, x.premium, x.discount, x.ctr, x.relief, x.net, x.calculation
               from jsonb_to_recordset($2::jsonb) as x(key text, stream text, gross bigint, premium bigint, discount bigint, ctr bigint, relief bigint, net bigint, calculation jsonb)
             on conflict do nothing`,
            [runId, JSON.stringify(fresh.map((t) => ({ key: t.key, stream: t.stream, ...t.calculation.totals, calculation: t.calculation })))]);
        }
        const nets = new Map((await db.query<{ tariff_key: string; net_pence: number; stream: 'council_tax' | 'business_rates' }>(
          'select tariff_key, net_pence, stream from billing_run_tariffs where batch_run_id = $1', [runId])).map((t) => [t.tariff_key, t]));
        const scheduleRows: { key: string; seq: number; due: string; amount: number }[] = [];
        const knownSchedules = new Set((await db.query<{ schedule_key: string }>('select distinct schedule_key from billing_run_schedules where batch_run_id = $1', [runId])).map((r) => r.schedule_key));
        for (const r of simple) {
          const t = nets.get(r.tariff_key)!;
          const key = `${t.net_pence}|${r.day}|${r.twelve}|${t.stream}`;
          if (t.net_pence <= 0 || knownSchedules.has(key)) continue;
          knownSchedules.add(key);
          const s = planFor({ totalPence: t.net_pence, issuedOn, financialYear: year, tax: t.stream, nation: ctx.authority.nation, twelve: r.twelve, day: r.day })!;
          for (const i of s.instalments) scheduleRows.push({ key, seq: i.number, due: i.dueOn, amount: i.amountPence });
        }
        if (scheduleRows.length) {
          await db.query(
            `insert into billing_run_schedules (batch_run_id, schedule_key, seq, due_date, amount_pence)
             select $1, * from unnest($2::text[], $3::smallint[], $4::date[], $5::bigint[]) on conflict do nothing`,
            [runId, scheduleRows.map((s) => s.key), scheduleRows.map((s) => s.seq), scheduleRows.map((s) => s.due), scheduleRows.map((s) => s.amount)]);
        }

        timing('tariffs and schedules');
        // --- the simple accounts, a chunk at a time, one statement each
        const chunk = options.chunkSize ?? 25_000;
        const total = simple.reduce((s, r) => s + r.n, 0);
        let done = 0;
        const financialStarted = performance.now();
        // Chunk boundaries by account id; on PostgreSQL two chunks are written at once.
        const bounds = (await bulkRead<{ hi: number }>(
          `select id::bigint as hi from (
             select a.id, row_number() over (order by a.id) as rn, count(*) over () as n
               from accounts a where a.authority_id = $1 and a.stream = any($2::text[])) x
            where rn % $3 = 0 or rn = n order by id`,
          [authorityId, ctx.streams, chunk])).map((b) => Number(b.hi));
        const chunks = bounds.map((hi, i) => ({ after: i === 0 ? 0 : bounds[i - 1], hi }));
        const writeChunk = async ({ after, hi }: { after: number; hi: number }) => {
          const chunkParams = [...params(ctx, authorityId, year, after, hi), runId, issuedOn, `annual bill ${ctx.fy}`, clock.now(), actor?.userId ?? null, source, ctx.fy];
          const counts = await db.transaction(async (tx) => {
            // The statement is index probes by account: statistics gone stale as the run fills the
            // tables must not turn them into scans.
            if (tx.kind === 'postgres') await tx.exec("set local work_mem = '64MB'; set local synchronous_commit = off; set local jit = off; set local enable_seqscan = off");
            if (process.env.LEVY_BILLING_EXPLAIN && after === 0) {
              const plan = await tx.query<{ 'QUERY PLAN': string }>(`explain analyze ${CHUNK_SQL}`, chunkParams);
              process.stderr.write(plan.map((p) => p['QUERY PLAN']).join('\n') + '\n');
            }
            const [c] = await tx.query<{ bills: number }>(CHUNK_SQL, chunkParams);
            return c;
          });
          done += counts.bills;
          timing(`chunk to ${hi}`);
          progress(`bills ${done.toLocaleString('en-GB')}/${total.toLocaleString('en-GB')} (by tariff)`, { phase: 'bills', done, total });
        };
        const concurrency = db.kind === 'postgres' ? 2 : 1;
        let next = 0;
        let stopped: unknown;
        const settled = await Promise.allSettled(Array.from({ length: concurrency }, async () => {
          while (next < chunks.length && stopped === undefined) {
            try {
              await writeChunk(chunks[next++]);
            } catch (error) {
              stopped ??= error;
            }
          }
        }));
        void settled;
        if (stopped !== undefined) throw stopped;

        // --- the rest, one by one through the in-year engine, a page at a time
        const complex = complexIds.map((account_id) => ({ account_id }));
        const page = options.pageSize ?? 500;
        for (let i = 0; i < complex.length; i += page) {
          const ids = complex.slice(i, i + page).map((r) => r.account_id);
          const requests = ids.map((accountId) => ({ accountId, financialYear: year, reason: `annual bill ${ctx.fy}`, kind: 'annual' as const, effectiveDate: ctx.yearStart }));
          try {
            await db.transaction((tx) => billing.issueBills(requests, { actor: null, bySystem: source, batchRunId: runId, issuedOn, tx, sendLetters: false }));
          } catch {
            // One account's problem must not stop the others: bill the page one by one.
            for (const request of requests) {
              try {
                await db.transaction((tx) => billing.issueBills([request], { actor: null, bySystem: source, batchRunId: runId, issuedOn, tx, sendLetters: false }));
              } catch (error) {
                failures.push({ accountId: request.accountId, message: (error as Error).message });
              }
            }
          }
          progress(`bills ${Math.min(i + page, complex.length).toLocaleString('en-GB')}/${complex.length.toLocaleString('en-GB')} (one by one)`, { phase: 'complex', done: Math.min(i + page, complex.length), total: complex.length });
        }
        const financialSeconds = (performance.now() - financialStarted) / 1000;

        // --- demand notices, for the run's bills that have none yet
        const lettersStarted = performance.now();
        if (options.letters !== false) await issueNotices(runId, { pageSize: options.letterPageSize, onProgress: options.onProgress });
        const lettersSeconds = (performance.now() - lettersStarted) / 1000;

        const report = await finish(runId, ctx, { authorityId, year, issuedOn, failures, financialSeconds, lettersSeconds, started, resumed: claimed.resumed, tariffs: nets.size, simple: total, complex: complex.length });
        if (actor) await audit.record(actor, { action: 'create.billing_run', entityType: 'batch_run', entityId: runId, authorityId, detail: { year, bills: report.billsIssued } });
        return report;
      } catch (error) {
        await db.query(`update batch_runs set status = 'failed', finished_at = $2, report = report || $3 where id = $1`,
          [runId, clock.now(), JSON.stringify({ error: (error as Error).message, failures })]);
        throw error;
      }
    });
  }

  /** Demand notices (as data, with the outbox and events) for a run's bills that have none yet. */
  async function issueNotices(runId: number, options: { pageSize?: number; limit?: number; onProgress?: AnnualRunOptions['onProgress'] } = {}): Promise<number> {
    const page = options.pageSize ?? 2_000;
    const [{ n }] = await db.query<{ n: number }>('select count(*)::int as n from bills where batch_run_id = $1 and document_id is null', [runId]);
    const total = Math.min(n, options.limit ?? n);
    let done = 0;
    let afterBill = 0;
    while (done < total) {
      const ids = (await db.query<{ id: number }>('select id from bills where batch_run_id = $1 and document_id is null and id > $2 order by id limit $3',
        [runId, afterBill, Math.min(page, total - done)])).map((r) => r.id);
      if (!ids.length) break;
      await db.transaction((tx) => billing.issueLettersForBills(ids, { actor: null, bySystem: `billing-run:${runId}`, batchRunId: runId, tx }));
      done += ids.length;
      afterBill = ids[ids.length - 1];
      options.onProgress?.(`demand notices ${done.toLocaleString('en-GB')}/${total.toLocaleString('en-GB')}`, { phase: 'letters', done, total });
    }
    return done;
  }

  /** The run's report, from what it actually issued. */
  async function finish(runId: number, ctx: Ctx, t: {
    authorityId: number; year: number; issuedOn: IsoDate; failures: AnnualRunReport['failures']; financialSeconds: number; lettersSeconds: number;
    started: number; resumed: boolean; tariffs: number; simple: number; complex: number;
  }): Promise<AnnualRunReport> {
    const source = `billing-run:${runId}`;
    const [c] = await db.query<{ bills: number; ledger: number; plans: number; instalments: number; letters: number; emails: number }>(
      `select (select count(*) from bills where batch_run_id = $1)::int as bills,
              (select count(*) from ledger_entries where source = $2)::int as ledger,
              (select count(*) from instalment_plans ip join bills b on b.plan_id = ip.id where b.batch_run_id = $1)::int as plans,
              (select count(*) from instalments i join bills b on b.plan_id = i.plan_id where b.batch_run_id = $1)::int as instalments,
              (select count(*) from documents where batch_run_id = $1)::int as letters,
              (select count(*) from outbox_messages o join documents d on d.id = o.document_id where d.batch_run_id = $1 and o.channel = 'email')::int as emails`,
      [runId, source]);
    const byStream: Record<string, StreamTotals> = {};
    for (const r of await db.query<{ stream: string; accounts: number; net: number }>(
      `select a.stream, count(*)::int as accounts, sum(b.charge_pence)::bigint as net from bills b join accounts a on a.id = b.account_id where b.batch_run_id = $1 group by a.stream`, [runId])) {
      byStream[r.stream] = { ...emptyTotals(), accounts: r.accounts, net: r.net };
    }
    for (const r of await db.query<{ stream: string; component: 'gross' | 'premium' | 'discount' | 'ctr' | 'relief'; amount: number }>(
      `select a.stream, l.billing_component as component, sum(l.amount_pence)::bigint as amount
         from ledger_entries l join accounts a on a.id = l.account_id where l.source = $1 and l.billing_component is not null group by 1, 2`, [source])) {
      (byStream[r.stream] ??= emptyTotals())[r.component] = Math.abs(r.amount);
    }
    const byBand = await db.query<{ band: string; accounts: number; net: number }>(
      `select p.band, count(*)::int as accounts, sum(b.charge_pence)::bigint as net
         from bills b join accounts a on a.id = b.account_id join properties p on p.id = a.property_id
        where b.batch_run_id = $1 and a.stream = 'council_tax' group by p.band order by p.band`, [runId]);
    const [already] = await db.query<{ n: number }>(
      `select count(distinct b.account_id)::int as n from bills b join accounts a on a.id = b.account_id
        where a.authority_id = $1 and b.financial_year = $2 and (b.batch_run_id is distinct from $3)`, [t.authorityId, t.year, runId]);
    const notBilled = [...ctx.notBilled];
    if (ctx.ratesRuleMissing) {
      const [n] = await db.query<{ n: number }>(
        `select count(*)::int as n from accounts a where a.authority_id = $1 and a.stream = 'business_rates'
            and exists (select 1 from liabilities l where l.account_id = a.id and l.from_date <= $3 and coalesce(l.to_date, date '9999-12-31') >= $2)`,
        [t.authorityId, ctx.yearStart, ctx.yearEnd]);
      if (n.n) notBilled.push({ reason: `no business rates multipliers for ${ctx.fy}`, accounts: n.n });
    }
    if (t.failures.length) notBilled.push({ reason: 'could not be billed (see failures)', accounts: t.failures.length });
    const [prior] = await db.query<{ report: { seconds?: { total: number; financial: number; letters: number } } }>('select report from batch_runs where id = $1', [runId]);
    const before = prior?.report?.seconds;
    const report: AnnualRunReport = {
      authorityId: t.authorityId,
      financialYear: ctx.fy,
      issuedOn: t.issuedOn,
      accountsToBill: c.bills + t.failures.length,
      billedByTariff: c.bills - t.complex + t.failures.length,
      billedOneByOne: t.complex - t.failures.length,
      alreadyBilled: already.n,
      notBilled,
      byStream,
      byBand,
      tariffs: t.tariffs,
      warnings: ctx.warnings,
      batchRunId: runId,
      status: 'completed',
      billsIssued: c.bills,
      ledgerEntries: c.ledger,
      instalmentPlans: c.plans,
      instalments: c.instalments,
      letters: c.letters,
      emails: c.emails,
      failures: t.failures,
      seconds: {
        total: round2((before?.total ?? 0) + (performance.now() - t.started) / 1000),
        financial: round2((before?.financial ?? 0) + t.financialSeconds),
        letters: round2((before?.letters ?? 0) + t.lettersSeconds),
      },
      ...(t.resumed ? { resumedFrom: 'an unfinished run' } : {}),
    };
    await db.query(`update batch_runs set status = 'completed', finished_at = $2, report = $3 where id = $1`,
      [runId, clock.now(), JSON.stringify({ year: t.year, ...report })]);
    return report;
  }

  return {
    preview,
    run,
    /** Issues the demand notices a run left (e.g. run with letters off); returns how many. */
    async issueNotices(actor: Actor | null, runId: number, options: { pageSize?: number; limit?: number; onProgress?: AnnualRunOptions['onProgress'] } = {}) {
      if (actor) {
        requirePermission(actor, 'billing.run');
        const [run] = await db.query<{ authority_id: number }>('select authority_id from batch_runs where id = $1 and kind = $2', [runId, ANNUAL_RUN_KIND]);
        if (!run || !actor.authorityIds.includes(run.authority_id)) throw new ValidationError(`Billing run ${runId} was not found`);
      }
      return issueNotices(runId, options);
    },
    async runs(actor: Actor, authorityId?: number) {
      requirePermission(actor, 'cases.view');
      return db.query<{ id: number; authority_id: number; as_of: string; status: string; started_at: Date; finished_at: Date | null; report: Partial<AnnualRunReport> & { year?: number; error?: string } }>(
        `select id, authority_id, as_of, status, started_at, finished_at, report from batch_runs
          where kind = $1 and authority_id = any($2::int[]) and ($3::int is null or authority_id = $3) order by id desc limit 50`,
        [ANNUAL_RUN_KIND, actor.authorityIds, authorityId ?? null]);
    },
    async report(actor: Actor, runId: number) {
      requirePermission(actor, 'cases.view');
      const [row] = await db.query<{ id: number; authority_id: number; as_of: string; status: string; started_at: Date; finished_at: Date | null; report: Partial<AnnualRunReport> & { year?: number; error?: string } }>(
        `select id, authority_id, as_of, status, started_at, finished_at, report from batch_runs where id = $1 and kind = $2 and authority_id = any($3::int[])`,
        [runId, ANNUAL_RUN_KIND, actor.authorityIds]);
      return row;
    },
  };
}
export type AnnualRun = ReturnType<typeof createAnnualRun>;

const round2 = (n: number) => Math.round(n * 100) / 100;
