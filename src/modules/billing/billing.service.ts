// Billing use cases: the council's charges for a year, liability changes (move in, move out,
// change of liable people, awards, band or rateable value changes), and the bills they cause.
//
// Every change ends in issueBills: the account's charge for each affected year is worked out again
// day by day (charge-calculation.ts), the DIFFERENCE from what billing has already charged is posted
// to the ledger per component (never an edit), the current instalment plan is superseded by a fresh
// statutory plan for what is left to pay, and a demand notice goes out through the documents module
// (a letter, and an email copy when the customer opted in).
import { z } from 'zod';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/database.ts';
import { ConflictError, NotFoundError, ValidationError, fieldProblemsFromZod } from '../../errors.ts';
import {
  addDays,
  compareDates,
  financialYearEnd,
  financialYearOf,
  financialYearStart,
  formatFinancialYear,
  isIsoDate,
  maxDate,
  minDate,
  type IsoDate,
} from '../../domain/calendar.ts';
import type { InstalmentSchedule } from '../../domain/council-tax-instalments.ts';
import { makeAccountReference } from '../../domain/account-reference.ts';
import { formatPence, parseDecimal } from '../../domain/money.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { requirePermission, type Actor } from '../auth/context.ts';
import type { DocumentsService } from '../documents/documents.service.ts';
import { letterheadFor } from '../documents/documents.service.ts';
import type { LetterToIssue } from '../documents/documents.service.ts';
import {
  COMPONENTS,
  calculateCharge,
  signedTotals,
  type ChargeCalculation,
  type Component,
  type CouncilTaxRates,
} from './charge-calculation.ts';
import { buildDemandNotice } from './demand-notice.ts';
import { planFor } from './instalment-plan.ts';
import { createAnnualRun } from './annual-run.ts';
import { createVoaService } from './voa.service.ts';
import { createBillingRepository, propertyAddress, type BillingAccountRow, type BillingRepository } from './billing.repository.ts';
import { EMPTY_PROPERTY_CODES, REDUCTION_CODES, RHL_DESCRIPTIONS, defaultReductionRates, reductionCode, type ReductionRate } from './reductions.ts';
import { businessRatesRule, emptyPropertyChargedFrom } from '../../domain/business-rates.ts';
import { NoRuleInForceError } from '../../domain/law/rules.ts';

// ---------------------------------------------------------------------------------------------
// Input schemas (shared by pages, API and CLI)

const isoDate = (label: string) =>
  z.string({ message: `Enter ${label}` }).trim().refine((v) => isIsoDate(v), { message: `Enter ${label} as a real date` });
const personSchema = z.object({
  title: z.string().trim().max(20).optional().default(''),
  forenames: z.string().trim().min(1, 'Enter their first name').max(100),
  surname: z.string().trim().min(1, 'Enter their last name').max(100),
});
const paymentSchema = z.object({
  paymentMethod: z.enum(['direct_debit', 'cash'], { message: 'Choose how they will pay' }),
  instalmentDay: z.coerce.number({ message: 'Choose the day of the month' }).int().min(1, 'Choose a day from 1 to 28').max(28, 'Choose a day from 1 to 28'),
  twelveInstalments: z.coerce.boolean().optional().default(false),
});

export const moveInSchema = z.object({
  propertyId: z.coerce.number().int().positive(),
  moveInDate: isoDate('the date they moved in'),
  people: z.array(personSchema).max(6).default([]),
  customerIds: z.array(z.coerce.number().int().positive()).max(6).default([]),
  businessName: z.string().trim().max(200).optional(),
  /** Council tax: the liable person lives there alone (single person discount). */
  livesAlone: z.coerce.boolean().optional().default(false),
  email: z.string().trim().email('Enter an email address like name@example.com').optional().or(z.literal('')),
  notifyByEmail: z.coerce.boolean().optional().default(false),
}).merge(paymentSchema);
export type MoveInInput = z.input<typeof moveInSchema>;

export const moveOutSchema = z.object({
  moveOutDate: isoDate('the last day they were liable'),
  forwardingAddress: z.object({
    line1: z.string().trim().min(1, 'Enter the first line of the address').max(200),
    line2: z.string().trim().max(200).optional(),
    town: z.string().trim().min(1, 'Enter the town').max(100),
    postcode: z.string().trim().min(2, 'Enter the postcode').max(10),
  }).optional(),
});
export type MoveOutInput = z.input<typeof moveOutSchema>;

export const liablePartiesSchema = z.object({
  fromDate: isoDate('the date the change takes effect'),
  customerIds: z.array(z.coerce.number().int().positive()).default([]),
  people: z.array(personSchema).default([]),
});

export const reductionSchema = z.object({
  code: z.string().refine((c) => REDUCTION_CODES.some((r) => r.code === c), { message: 'Choose a discount, exemption, premium or relief' }),
  fromDate: isoDate('the date it starts'),
  toDate: isoDate('the date it ends').optional().or(z.literal('')).transform((v) => v || undefined),
  percent: z.string().trim().regex(/^\d{1,3}(\.\d{1,2})?$/, 'Enter a percentage like 25 or 12.5').optional().or(z.literal('')).transform((v) => v || undefined),
  emptySince: isoDate('the date it became empty').optional().or(z.literal('')).transform((v) => v || undefined),
  weeklyPence: z.coerce.number().int().positive('Enter the weekly award').optional(),
  note: z.string().trim().max(1000).optional(),
});
export type ReductionInput = z.input<typeof reductionSchema>;

export const endReductionSchema = z.object({ toDate: isoDate('the last day it applies') });

export const valuationSchema = z.object({
  effectiveFrom: isoDate('the date it takes effect'),
  band: z.enum(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I'], { message: 'Choose the band' }).optional(),
  rateableValuePounds: z.coerce.number().int().min(0, 'Enter the rateable value in whole pounds').optional(),
  retailHospitalityLeisure: z.coerce.boolean().optional(),
  description: z.string().trim().max(200).optional(),
  scatCode: z.string().trim().max(10).optional(),
  reason: z.string().trim().min(1, 'Say why (for example, the VOA schedule reference)').max(500),
});
export type ValuationInput = z.input<typeof valuationSchema>;

export const paymentPreferencesSchema = paymentSchema;

export const chargeYearSchema = z.object({
  financialYear: z.string().regex(/^\d{4}\/\d{2}$/, 'Enter the year like 2027/28'),
  bandDPence: z.coerce.number().int().positive('Enter the Band D amount'),
  resolvedOn: isoDate('the date of the resolution').optional(),
  source: z.string().trim().min(1, 'Say where the figures come from').max(300),
  precepts: z.array(z.object({ preceptor: z.string().trim().min(1).max(200), bandDPence: z.coerce.number().int().min(0) })).min(1, 'Enter at least one precepting authority'),
  rates: z.array(z.object({
    code: z.string(), minYearsEmpty: z.coerce.number().int().min(0).default(0), kind: z.enum(['discount', 'exemption', 'premium']),
    label: z.string().min(1), percent: z.string().regex(/^\d{1,3}(\.\d{1,2})?$/), basis: z.string().min(1),
  })).optional(),
});

function parse<T>(schema: z.ZodType<T>, input: unknown, message: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ValidationError(message, fieldProblemsFromZod(parsed.error.issues));
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------

export interface BillRequest {
  accountId: number;
  financialYear: number;
  reason: string;
  /** The day the change takes effect, for the ledger entries (clipped to the year). */
  effectiveDate?: IsoDate;
  kind?: 'annual' | 'rebill';
}

export interface IssueContext {
  actor: Actor | null;
  bySystem?: string;
  batchRunId?: number | null;
  issuedOn: IsoDate;
  tx: Db;
  /** Default true: issue the demand notice now (a run issues its letters in a later phase). */
  sendLetters?: boolean;
}

export interface IssuedBill {
  billId: number;
  accountId: number;
  financialYear: number;
  chargePence: number;
  previousChargePence: number;
  planId: number | null;
  instalments: { dueOn: string; amountPence: number }[];
  documentId: number | null;
}

const COMPONENT_KIND: Record<Component, 'charge' | 'adjustment'> = { gross: 'charge', premium: 'charge', discount: 'adjustment', ctr: 'adjustment', relief: 'adjustment' };
const COMPONENT_LABEL: Record<Component, string> = { gross: 'charge', premium: 'premium', discount: 'discounts and exemptions', ctr: 'Council Tax Reduction', relief: 'reliefs' };
const TAX_LABEL = { council_tax: 'Council Tax', business_rates: 'Business Rates' } as const;

export function createBillingService(deps: { db: Db; clock: Clock; audit: AuditRepository; documents: DocumentsService; repo?: BillingRepository }) {
  const core = createBillingCore(deps);
  return {
    ...core,
    annual: createAnnualRun({ db: deps.db, clock: deps.clock, billing: core, audit: deps.audit }),
    voa: createVoaService({ db: deps.db, clock: deps.clock, billing: core, audit: deps.audit }),
  };
}
export type BillingService = ReturnType<typeof createBillingService>;

function createBillingCore(deps: { db: Db; clock: Clock; audit: AuditRepository; documents: DocumentsService; repo?: BillingRepository }) {
  const { db, clock, audit, documents } = deps;
  const repo = deps.repo ?? createBillingRepository(db);

  // --- charge setting ---------------------------------------------------------------------------

  /**
   * The council tax rates for an authority and year. A year the demo council was seeded with is
   * filled from the seed's record of its Band D (so rebills match what was billed); any other year
   * must be set by the council first.
   */
  async function councilTaxRates(authorityId: number, year: number, tx: Db = db): Promise<CouncilTaxRates> {
    let row = await repo.chargeYear(authorityId, year, tx);
    if (!row) {
      const seeded = await repo.seededBandD(authorityId, tx);
      const bandD = seeded?.bandD[year];
      if (!seeded || !bandD) {
        throw new ValidationError(`No council tax charges are set for ${formatFinancialYear({ startYear: year })}: set the Band D, precepts and discounts first (Billing › Charges)`);
      }
      const authority = await repo.authority(authorityId, tx);
      await repo.saveChargeYear({
        authorityId, year, bandDPence: bandD, resolvedOn: null, userId: null,
        source: `Band D used by seed run ${seeded.runId} (data/band-d-by-authority.csv); precept shares illustrative`,
        precepts: illustrativePrecepts(authority.name, authority.ons_code, bandD),
        rates: await ratesToStartYear(authorityId, year, tx),
      }, tx);
      row = (await repo.chargeYear(authorityId, year, tx))!;
    }
    return { bandDPence: row.band_d_pence, precepts: row.precepts, reductionRates: row.rates };
  }

  async function ratesToStartYear(authorityId: number, year: number, tx: Db): Promise<ReductionRate[]> {
    const previous = await repo.chargeYear(authorityId, year - 1, tx);
    const defaults = defaultReductionRates(year);
    if (!previous?.rates.length) return defaults;
    // Last year's rates, plus anything the law added this year.
    return [...previous.rates, ...defaults.filter((d) => !previous.rates.some((r) => r.code === d.code))];
  }

  // --- legacy adoption ----------------------------------------------------------------------------

  /**
   * Accounts billed before Levy (the seed, or a legacy system's charges) carry their discounts and
   * reliefs only as ledger entries. The first time Levy bills such an account it records them as
   * awards from the start of the liability, and takes the payer's instalment day from their last
   * plan. Set-based; accounts already adopted (or opened in Levy) are left alone.
   */
  async function adoptLegacyAwards(tx: Db, scope: { accountIds?: number[]; authorityId?: number }): Promise<number> {
    const rows = await tx.query<{ n: number }>(
      `with scope as (
         select a.id from accounts a
          where a.stream in ('council_tax', 'business_rates')
            and ($1::bigint[] is null or a.id = any($1::bigint[]))
            and ($2::int is null or a.authority_id = $2)
            and not exists (select 1 from account_billing ab where ab.account_id = a.id and ab.legacy_adopted_at is not null)
       ),
       adopted as (
         insert into account_billing (account_id, instalment_day, legacy_adopted_at)
         select s.id, case when d.day is null then 1 else least(d.day, 28) end, now() from scope s
           left join lateral (select extract(day from i.due_date)::int as day
                                from instalment_plans ip join instalments i on i.plan_id = ip.id and i.seq = 1
                               where ip.account_id = s.id order by ip.financial_year desc, ip.id desc limit 1) d on true
         on conflict (account_id) do update set legacy_adopted_at = now()
         returning account_id
       ),
       latest as (
         select l.account_id, max(l.financial_year) as fy from ledger_entries l
          where l.account_id in (select account_id from adopted) and l.kind = 'charge' and l.billing_component is null
          group by l.account_id
       ),
       awards as (
         insert into account_reductions (account_id, code, from_date, note)
         select distinct x.account_id, x.code, li.from_date, 'Recorded from the bills issued before Levy'
           from (select l.account_id,
                        case when l.reason ilike 'single person%' then 'single_person'
                             when l.reason ilike 'small business%' then 'small_business_relief'
                             when l.reason ilike '%charity relief%' then 'charity_relief' end as code
                   from ledger_entries l join latest on latest.account_id = l.account_id and latest.fy = l.financial_year
                  where l.kind = 'adjustment' and l.source = 'seed' and l.billing_component is null) x
           join (select account_id, min(from_date) as from_date from liabilities group by account_id) li on li.account_id = x.account_id
          where x.code is not null
         returning 1
       )
       select (select count(*) from adopted)::int as n, (select count(*) from awards)::int as awards`,
      [scope.accountIds ?? null, scope.authorityId ?? null]);
    return rows[0]?.n ?? 0;
  }

  // --- the bill engine ----------------------------------------------------------------------------

  async function issueBills(requests: BillRequest[], ctx: IssueContext): Promise<IssuedBill[]> {
    if (!requests.length) return [];
    const tx = ctx.tx;
    const accountIds = [...new Set(requests.map((r) => r.accountId))];
    const years = [...new Set(requests.map((r) => r.financialYear))];
    await adoptLegacyAwards(tx, { accountIds });
    // One query at a time: a transaction is one connection.
    const accounts = await repo.accounts(accountIds, tx);
    const liabilities = await repo.liabilities(accountIds, tx);
    const reductions = await repo.reductions(accountIds, tx);
    const charged = await repo.charged(accountIds, years, tx);
    const balances = await repo.yearBalances(accountIds, years, tx);
    const valuations = await repo.valuations([...new Set(liabilities.map((l) => l.propertyId))], RHL_DESCRIPTIONS, tx);
    const accountById = new Map(accounts.map((a) => [a.id, a]));
    const rateCache = new Map<string, CouncilTaxRates>();
    const ddDays = new Map<number, number[]>();
    const settings = new Map<number, { default_instalment_day: number }>();

    interface Prepared { request: BillRequest; account: BillingAccountRow; calc: ChargeCalculation; diffs: [Component, number][]; previous: number; credits: number; schedule: InstalmentSchedule | null; kind: 'annual' | 'rebill' }
    const prepared: Prepared[] = [];
    for (const request of requests) {
      const account = accountById.get(request.accountId);
      if (!account) throw new NotFoundError(`Account ${request.accountId} was not found`);
      if (account.stream !== 'council_tax' && account.stream !== 'business_rates') throw new ValidationError(`Account ${account.reference} is not a council tax or business rates account`);
      const fy = formatFinancialYear({ startYear: request.financialYear });
      let councilTax: CouncilTaxRates | undefined;
      if (account.stream === 'council_tax') {
        const key = `${account.authority_id}|${request.financialYear}`;
        councilTax = rateCache.get(key) ?? (await councilTaxRates(account.authority_id, request.financialYear, tx));
        rateCache.set(key, councilTax);
      }
      const calc = calculateCharge({
        tax: account.stream,
        nation: account.nation,
        financialYear: fy,
        liabilities: liabilities.filter((l) => l.accountId === account.id),
        valuations,
        reductions: reductions.filter((r) => r.accountId === account.id),
        councilTax,
      });
      const before: Record<Component, number> = { gross: 0, premium: 0, discount: 0, ctr: 0, relief: 0 };
      for (const c of charged.filter((x) => x.account_id === account.id && x.financial_year === request.financialYear)) before[c.component] += c.amount_pence;
      const after = signedTotals(calc.totals);
      const diffs = COMPONENTS.map((c) => [c, after[c] - before[c]] as [Component, number]).filter(([, d]) => d !== 0);
      const previous = COMPONENTS.reduce((s, c) => s + before[c], 0);
      if (!calc.lines.length && previous === 0 && request.kind !== 'annual') continue; // never liable that year, never charged
      const balance = balances.find((b) => b.account_id === account.id && b.financial_year === request.financialYear)?.balance_pence ?? 0;
      const credits = previous - balance;
      const remaining = calc.totals.net - credits;
      if (!ddDays.has(account.authority_id)) ddDays.set(account.authority_id, await repo.ddCollectionDays(account.authority_id, tx));
      if (!settings.has(account.authority_id)) settings.set(account.authority_id, await repo.billingSettings(account.authority_id, tx));
      const day = account.instalment_day
        ?? (account.payment_method === 'direct_debit' ? ddDays.get(account.authority_id)![0] : settings.get(account.authority_id)!.default_instalment_day);
      const schedule = planFor({ totalPence: remaining, issuedOn: ctx.issuedOn, financialYear: request.financialYear, tax: account.stream, nation: account.nation, twelve: account.twelve_instalments, day });
      prepared.push({ request, account, calc, diffs, previous, credits, schedule, kind: request.kind ?? 'rebill' });
    }
    if (!prepared.length) return [];

    // Ids first, so the rows can refer to each other.
    const [ids] = await tx.query<{ bills: number[]; plans: number[] | null }>(
      `select (select array_agg(nextval('bills_id_seq')) from generate_series(1, $1::int)) as bills,
              (select array_agg(nextval('instalment_plans_id_seq')) from generate_series(1, $2::int)) as plans`,
      [prepared.length, prepared.filter((p) => p.schedule).length]);
    let planCursor = 0;
    // int8[] arrives as text on PostgreSQL: ids are numbers from here on.
    const billIds = ids.bills.map(Number);
    const planIds = (ids.plans ?? []).map(Number);
    const rows = prepared.map((p, i) => ({ ...p, billId: billIds[i], planId: p.schedule ? planIds[planCursor++] : null }));
    const now = clock.now();
    const source = ctx.bySystem ?? 'billing';
    const userId = ctx.actor?.userId ?? null;

    const ledger = rows.flatMap((r) => {
      const fy = r.request.financialYear;
      const year = formatFinancialYear({ startYear: fy });
      const effective = clip(r.request.effectiveDate ?? ctx.issuedOn, fy);
      return r.diffs.map(([component, amount]) => ({
        account_id: r.account.id, kind: COMPONENT_KIND[component], amount_pence: amount, financial_year: fy, effective_date: effective,
        component, reason: `${TAX_LABEL[r.account.stream]} ${year} ${COMPONENT_LABEL[component]}: ${r.request.reason}`,
      }));
    });
    if (ledger.length) {
      await tx.query(
        `insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, posted_at, posted_by, source, reason, billing_component)
         select x.account_id, x.kind, x.amount_pence, x.financial_year, x.effective_date, $2, $3, $4, x.reason, x.component
           from jsonb_to_recordset($1::jsonb) as x(account_id bigint, kind text, amount_pence bigint, financial_year smallint, effective_date date, reason text, component text)`,
        [JSON.stringify(ledger), now, userId, source]);
    }
    await tx.query(
      `update instalment_plans ip set superseded_at = $3
         from unnest($1::bigint[], $2::smallint[]) as x(account_id, fy)
        where ip.account_id = x.account_id and ip.financial_year = x.fy and ip.superseded_at is null`,
      [rows.map((r) => r.account.id), rows.map((r) => r.request.financialYear), now]);
    const withPlans = rows.filter((r) => r.schedule);
    if (withPlans.length) {
      await tx.query(
        `insert into instalment_plans (id, account_id, financial_year, issued_on, total_pence, created_at, bill_id, credits_before_pence)
         select * from unnest($1::bigint[], $2::bigint[], $3::smallint[], $4::date[], $5::bigint[], $6::timestamptz[], $7::bigint[], $8::bigint[])`,
        [withPlans.map((r) => r.planId), withPlans.map((r) => r.account.id), withPlans.map((r) => r.request.financialYear),
          withPlans.map(() => ctx.issuedOn), withPlans.map((r) => r.schedule!.amounts.reduce((a, b) => a + b, 0)), withPlans.map(() => now),
          withPlans.map((r) => r.billId), withPlans.map((r) => r.credits)]);
      const inst = withPlans.flatMap((r) => r.schedule!.instalments.map((i) => [r.planId!, i.number, i.dueOn, i.amountPence] as const));
      await tx.query(
        `insert into instalments (plan_id, seq, due_date, amount_pence) select * from unnest($1::bigint[], $2::smallint[], $3::date[], $4::bigint[])`,
        [inst.map((i) => i[0]), inst.map((i) => i[1]), inst.map((i) => i[2]), inst.map((i) => i[3])]);
    }
    await tx.query(
      `insert into bills (id, account_id, financial_year, kind, issued_on, reason, charge_pence, previous_charge_pence, credits_before_pence,
                          calculation, batch_run_id, plan_id, created_at, created_by)
       select x.id, x.account_id, x.financial_year, x.kind, $2, x.reason, x.charge_pence, x.previous_charge_pence, x.credits_before_pence,
              x.calculation, $3, x.plan_id, $4, $5
         from jsonb_to_recordset($1::jsonb) as x(id bigint, account_id bigint, financial_year smallint, kind text, reason text, charge_pence bigint,
              previous_charge_pence bigint, credits_before_pence bigint, calculation jsonb, plan_id bigint)`,
      [JSON.stringify(rows.map((r) => ({
        id: r.billId, account_id: r.account.id, financial_year: r.request.financialYear, kind: r.kind, reason: r.request.reason,
        charge_pence: r.calc.totals.net, previous_charge_pence: r.previous, credits_before_pence: r.credits, calculation: r.calc, plan_id: r.planId,
      }))), ctx.issuedOn, ctx.batchRunId ?? null, now, userId]);

    const rebills = rows.filter((r) => r.kind === 'rebill');
    if (rebills.length) {
      await tx.query(
        `insert into events (authority_id, customer_id, account_id, at, type, summary, detail, by_user_id, by_system)
         select x.authority_id, x.customer_id, x.account_id, $2, 'charge_recalculated', x.summary, x.detail, $3, $4
           from jsonb_to_recordset($1::jsonb) as x(authority_id int, customer_id bigint, account_id bigint, summary text, detail jsonb)`,
        [JSON.stringify(rebills.map((r) => ({
          authority_id: r.account.authority_id, customer_id: r.account.customer_id, account_id: r.account.id,
          summary: `${TAX_LABEL[r.account.stream]} ${formatFinancialYear({ startYear: r.request.financialYear })} recalculated (${r.request.reason}): ` +
            `${formatPence(r.previous)} → ${formatPence(r.calc.totals.net)}`,
          detail: { billId: r.billId, financialYear: r.request.financialYear, previousPence: r.previous, chargePence: r.calc.totals.net, differences: Object.fromEntries(r.diffs) },
        }))), now, userId, ctx.actor ? null : source]);
    }
    if (ctx.actor) {
      for (const r of rows) await audit.record(ctx.actor, { action: 'create.bill', entityType: 'bill', entityId: r.billId, authorityId: r.account.authority_id, detail: { accountId: r.account.id, financialYear: r.request.financialYear } }, tx);
    }
    const documentIds = ctx.sendLetters === false ? new Map<number, number>() : await issueLettersForBills(rows.map((r) => r.billId), { actor: ctx.actor, bySystem: ctx.bySystem, batchRunId: ctx.batchRunId ?? null, tx });
    return rows.map((r) => ({
      billId: r.billId, accountId: r.account.id, financialYear: r.request.financialYear, chargePence: r.calc.totals.net, previousChargePence: r.previous,
      planId: r.planId, instalments: r.schedule?.instalments.map((i) => ({ dueOn: i.dueOn, amountPence: i.amountPence })) ?? [],
      documentId: documentIds.get(r.billId) ?? null,
    }));
  }

  /**
   * Demand notices for bills (as data, through the documents module): the letter, an email copy for
   * customers who opted in, and the bill's document id. Used for in-year bills and, page by page, by
   * the annual run's letters phase.
   */
  async function issueLettersForBills(billIds: number[], options: { actor: Actor | null; bySystem?: string; batchRunId: number | null; tx: Db }): Promise<Map<number, number>> {
    const tx = options.tx;
    if (!billIds.length) return new Map();
    const bills = await tx.query<{
      id: number; account_id: number; financial_year: number; kind: 'annual' | 'rebill'; issued_on: string; reason: string;
      previous_charge_pence: number; credits_before_pence: number; calculation: ChargeCalculation; plan_id: number | null;
      authority_id: number; reference: string; stream: 'council_tax' | 'business_rates'; payment_method: string; customer_id: number;
      customer_name: string; email: string | null; notify_by_email: boolean; property: string | null; description: string | null;
      address_lines: string[]; liable: string[] | null; previous_band_d: number | null; amended: boolean; how_to_pay: string | null; help_text: string | null;
    }>(
      `select b.id, b.account_id, b.financial_year, b.kind, b.issued_on, b.reason, b.previous_charge_pence, b.credits_before_pence,
              coalesce(b.calculation, t.calculation) as calculation, b.plan_id,
              a.authority_id, a.reference, a.stream, a.payment_method, a.customer_id, c.display_name as customer_name, c.email, c.notify_by_email,
              case when p.id is null then null else concat_ws(', ', p.address_line1, p.address_line2, p.town, p.postcode) end as property,
              p.description,
              coalesce((select array_remove(array[ca.address_line1, ca.address_line2, ca.town, ca.postcode], null)
                          from customer_addresses ca where ca.customer_id = a.customer_id and ca.to_date is null
                         order by case ca.kind when 'correspondence' then 0 when 'residential' then 1 else 2 end, ca.id desc limit 1),
                       array_remove(array[p.address_line1, p.address_line2, p.town, p.postcode], null)) as address_lines,
              (select array_agg(distinct cu.display_name) from liabilities li join liability_parties lp on lp.liability_id = li.id
                 join customers cu on cu.id = lp.customer_id
                where li.account_id = a.id and li.from_date <= make_date(b.financial_year + 1, 3, 31)
                  and coalesce(li.to_date, date '9999-12-31') >= make_date(b.financial_year, 4, 1)) as liable,
              (select y.band_d_pence from ct_charge_years y where y.authority_id = a.authority_id and y.financial_year = b.financial_year - 1) as previous_band_d,
              (b.previous_charge_pence <> 0 or exists (select 1 from bills e where e.account_id = b.account_id and e.financial_year = b.financial_year and e.id < b.id)) as amended,
              bs.how_to_pay, bs.help_text
         from bills b
         join accounts a on a.id = b.account_id
         join customers c on c.id = a.customer_id
         left join properties p on p.id = a.property_id
         left join billing_run_tariffs t on t.batch_run_id = b.batch_run_id and t.tariff_key = b.run_tariff_key
         left join billing_settings bs on bs.authority_id = a.authority_id
        where b.id = any($1::bigint[]) and b.document_id is null
        order by b.id`,
      [billIds]);
    if (!bills.length) return new Map();
    const planIds = bills.map((b) => b.plan_id).filter((p): p is number => p !== null);
    const instalments = planIds.length
      ? await tx.query<{ plan_id: number; due_date: string; amount_pence: number }>(
        'select plan_id, due_date, amount_pence from instalments where plan_id = any($1::bigint[]) order by plan_id, seq', [planIds])
      : [];
    const byPlan = new Map<number, { dueOn: string; amountPence: number }[]>();
    for (const i of instalments) {
      const list = byPlan.get(i.plan_id) ?? [];
      list.push({ dueOn: i.due_date, amountPence: i.amount_pence });
      byPlan.set(i.plan_id, list);
    }
    const letterheads = new Map<number, Awaited<ReturnType<typeof letterheadFor>>>();
    const letters: LetterToIssue[] = [];
    for (const b of bills) {
      if (!letterheads.has(b.authority_id)) letterheads.set(b.authority_id, await letterheadFor(tx, b.authority_id));
      const notice = buildDemandNotice({
        from: letterheads.get(b.authority_id)!,
        to: { name: (b.liable && b.liable.length ? b.liable : [b.customer_name]).join(' and '), addressLines: b.address_lines },
        reference: b.reference,
        issuedOn: b.issued_on,
        tax: b.stream,
        financialYear: b.financial_year,
        kind: b.kind,
        amended: b.amended,
        reason: b.reason,
        propertyAddress: b.property ?? '',
        liable: b.liable && b.liable.length ? b.liable : [b.customer_name],
        propertyDescription: b.description,
        calculation: b.calculation,
        previousChargePence: b.previous_charge_pence,
        creditsBeforePence: b.credits_before_pence,
        instalments: b.plan_id ? byPlan.get(b.plan_id) ?? [] : [],
        payingByDirectDebit: b.payment_method === 'direct_debit',
        previousBandDPence: b.previous_band_d,
        howToPay: b.how_to_pay,
        helpText: b.help_text,
      });
      letters.push({
        authorityId: b.authority_id, customerId: b.customer_id, accountId: b.account_id, kind: 'demand_notice', title: notice.title,
        content: notice.content, email: b.notify_by_email && b.email ? b.email : null,
      });
    }
    const documentIds = await documents.issueLetters(letters, { actor: options.actor, bySystem: options.bySystem, batchRunId: options.batchRunId, tx });
    await tx.query(
      'update bills b set document_id = x.document_id from unnest($1::bigint[], $2::bigint[]) as x(bill_id, document_id) where b.id = x.bill_id',
      [bills.map((b) => b.id), documentIds]);
    return new Map(bills.map((b, i) => [b.id, documentIds[i]]));
  }

  function clip(date: IsoDate, year: number): IsoDate {
    const fy = formatFinancialYear({ startYear: year });
    return minDate(maxDate(date, financialYearStart(fy)), financialYearEnd(fy));
  }

  /** Years to bill after a change effective on `from`: that year to this one, and any later year already billed. */
  async function yearsAffected(accountId: number, from: IsoDate, tx: Db): Promise<number[]> {
    const first = financialYearOf(from).startYear;
    const current = financialYearOf(clock.today()).startYear;
    const billed = await repo.billedYears(accountId, first, tx);
    const last = Math.max(first, current, ...billed);
    // Past years only where the account was liable or billed: a new account is billed from its start.
    return Array.from({ length: last - first + 1 }, (_, i) => first + i);
  }

  async function requireBillingAccount(actor: Actor, accountId: number, tx: Db = db): Promise<BillingAccountRow> {
    const [account] = await repo.accounts([accountId], tx);
    if (!account || !actor.authorityIds.includes(account.authority_id)) throw new NotFoundError(`Account ${accountId} was not found`);
    if (account.stream !== 'council_tax' && account.stream !== 'business_rates') {
      throw new ValidationError(`Account ${account.reference} is not a council tax or business rates account`);
    }
    return account;
  }

  /**
   * SI 2008/386 reg 5 (13 weeks from 1 April 2024, SI 2024/323): a property re-occupied for less than
   * the reset period and empty again is treated as empty all along, so its free months do not start
   * again. Refuses a time-limited empty award whose "empty since" would restart them, naming the
   * date to use instead. Only awards recorded in Levy are seen.
   */
  async function checkReoccupation(account: BillingAccountRow, code: string, emptySince: IsoDate) {
    let rule;
    try {
      rule = businessRatesRule(account.nation, formatFinancialYear(financialYearOf(emptySince))).emptyProperty;
    } catch (error) {
      if (error instanceof NoRuleInForceError) return;
      throw error;
    }
    if (emptyPropertyChargedFrom(rule, EMPTY_PROPERTY_CODES[code], emptySince) === null) return;
    const [previous] = await db.query<{ empty_since: string; to_date: string }>(
      `select r.empty_since, r.to_date from account_reductions r join accounts a on a.id = r.account_id
        where a.property_id = (select property_id from accounts where id = $1) and r.code = any($2::text[])
          and r.empty_since is not null and r.to_date is not null and r.to_date < $3
        order by r.to_date desc limit 1`,
      [account.id, Object.keys(EMPTY_PROPERTY_CODES), emptySince]);
    if (!previous) return;
    const occupiedFrom = addDays(previous.to_date, 1);
    const resetDay = addDays(occupiedFrom, rule.reoccupationResetWeeks * 7);
    if (compareDates(emptySince, resetDay) < 0 && compareDates(previous.empty_since, emptySince) < 0) {
      throw new ValidationError('Check the award', [{
        field: 'emptySince',
        message: `It was occupied for less than ${rule.reoccupationResetWeeks} weeks (from ${longDate(occupiedFrom)}) after being empty since ${longDate(previous.empty_since)}, ` +
          `so the free period does not start again: enter ${longDate(previous.empty_since)}`,
      }]);
    }
  }

  async function rebillFrom(actor: Actor | null, accountId: number, from: IsoDate, reason: string, tx: Db, extra: { bySystem?: string } = {}) {
    const years = await yearsAffected(accountId, from, tx);
    return issueBills(years.map((y) => ({ accountId, financialYear: y, reason, effectiveDate: from })), { actor, bySystem: extra.bySystem, issuedOn: clock.today(), tx });
  }

  async function event(tx: Db, e: { authorityId: number; customerId: number; accountId: number | null; type: string; summary: string; detail?: Record<string, unknown>; actor: Actor | null; bySystem?: string }) {
    await tx.query(
      `insert into events (authority_id, customer_id, account_id, at, type, summary, detail, by_user_id, by_system) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [e.authorityId, e.customerId, e.accountId, clock.now(), e.type, e.summary, e.detail ? JSON.stringify(e.detail) : null, e.actor?.userId ?? null, e.actor ? null : e.bySystem ?? 'billing']);
  }

  async function createPeople(tx: Db, authorityId: number, people: z.infer<typeof personSchema>[]): Promise<number[]> {
    const ids: number[] = [];
    for (const p of people) {
      const display = [p.title, p.forenames, p.surname].filter(Boolean).join(' ');
      const [row] = await tx.query<{ id: number }>(
        `insert into customers (authority_id, kind, title, forenames, surname, display_name) values ($1, 'person', $2, $3, $4, $5) returning id`,
        [authorityId, p.title || null, p.forenames, p.surname, display]);
      ids.push(row.id);
    }
    return ids;
  }

  async function checkCustomers(tx: Db, authorityId: number, ids: number[]) {
    if (!ids.length) return;
    const found = await tx.query<{ id: number }>('select id from customers where id = any($1::bigint[]) and authority_id = $2', [ids, authorityId]);
    if (found.length !== new Set(ids).size) throw new NotFoundError('A customer named as liable was not found');
  }

  const longDate = (iso: string) => {
    const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
    const [y, m, d] = iso.split('-').map(Number);
    return `${d} ${MONTHS[m - 1]} ${y}`;
  };

  // --- public API ---------------------------------------------------------------------------------

  return {
    repo,
    issueBills,
    issueLettersForBills,
    adoptLegacyAwards,
    councilTaxRates,

    async chargeYearView(actor: Actor, authorityId: number, financialYear: string) {
      requirePermission(actor, 'cases.view');
      if (!actor.authorityIds.includes(authorityId)) throw new NotFoundError('Billing authority not found');
      const year = parseYear(financialYear);
      const row = await repo.chargeYear(authorityId, year);
      return { year, row, years: await repo.chargeYears(authorityId) };
    },

    /** Sets (or replaces) a year's Band D, precepts and reduction rates. Refused once the year is billed. */
    async setChargeYear(actor: Actor, authorityId: number, input: unknown) {
      requirePermission(actor, 'billing.settings');
      if (!actor.authorityIds.includes(authorityId)) throw new NotFoundError('Billing authority not found');
      const data = parse(chargeYearSchema, input, 'Check the charges');
      const year = parseYear(data.financialYear);
      const total = data.precepts.reduce((s, p) => s + p.bandDPence, 0);
      if (total !== data.bandDPence) {
        throw new ValidationError('The precepts must add up to the Band D amount', [{ field: 'precepts', message: `The precepts add up to ${formatPence(total)}, not ${formatPence(data.bandDPence)}` }]);
      }
      return db.transaction(async (tx) => {
        const [billed] = await tx.query<{ n: number }>(
          `select count(*)::int as n from bills b join accounts a on a.id = b.account_id where a.authority_id = $1 and b.financial_year = $2 and a.stream = 'council_tax'`,
          [authorityId, year]);
        const existing = await repo.chargeYear(authorityId, year, tx);
        if (billed.n > 0 && existing && existing.band_d_pence !== data.bandDPence) {
          throw new ConflictError(`${data.financialYear} has already been billed at Band D ${formatPence(existing.band_d_pence)}: the Band D cannot change now`);
        }
        const rates = data.rates ?? existing?.rates ?? (await ratesToStartYear(authorityId, year, tx));
        await repo.saveChargeYear({ authorityId, year, bandDPence: data.bandDPence, resolvedOn: data.resolvedOn ?? null, source: data.source, precepts: data.precepts, rates, userId: actor.userId }, tx);
        await audit.record(actor, { action: 'update.charge_year', entityType: 'ct_charge_year', entityId: `${authorityId}:${year}`, authorityId, detail: { bandDPence: data.bandDPence } }, tx);
        return repo.chargeYear(authorityId, year, tx);
      });
    },

    /** Recalculates and reissues a year's bill (e.g. after a correction, or on request). */
    async reissueBill(actor: Actor, accountId: number, input: { financialYear: string; reason?: string }) {
      requirePermission(actor, 'billing.change');
      await requireBillingAccount(actor, accountId);
      const year = parseYear(input.financialYear);
      return db.transaction((tx) => issueBills([{ accountId, financialYear: year, reason: input.reason?.trim() || 'bill reissued' }], { actor, issuedOn: clock.today(), tx }));
    },

    async moveIn(actor: Actor, input: unknown) {
      requirePermission(actor, 'billing.change');
      const data = parse(moveInSchema, input, 'Check the move in');
      const property = await repo.property(actor.authorityIds, data.propertyId);
      if (!property) throw new NotFoundError(`Property ${data.propertyId} was not found`);
      const stream = property.kind === 'dwelling' ? 'council_tax' : 'business_rates';
      if (stream === 'business_rates' && !data.businessName && !data.customerIds.length && !data.people.length) {
        throw new ValidationError('Check the move in', [{ field: 'businessName', message: 'Enter the ratepayer' }]);
      }
      if (stream === 'council_tax' && !data.customerIds.length && !data.people.length) {
        throw new ValidationError('Check the move in', [{ field: 'people', message: 'Enter who is liable' }]);
      }
      if (data.paymentMethod === 'direct_debit') {
        const days = await repo.ddCollectionDays(property.authority_id);
        if (!days.includes(data.instalmentDay)) {
          throw new ValidationError('Check the move in', [{ field: 'instalmentDay', message: `Direct Debit payers choose one of the council's collection days: ${days.join(' or ')}` }]);
        }
      }
      const date = data.moveInDate;
      return db.transaction(async (tx) => {
        // The previous occupier is liable to the day before.
        const current = await tx.query<{ id: number; account_id: number; from_date: string }>(
          `select id, account_id, from_date from liabilities where property_id = $1 and coalesce(to_date, date '9999-12-31') >= $2 order by from_date`,
          [property.id, date]);
        for (const l of current) {
          if (compareDates(l.from_date, date) >= 0) throw new ConflictError(`Someone is already liable for this property from ${longDate(l.from_date)}: record their move out first`);
        }
        await checkCustomers(tx, property.authority_id, data.customerIds);
        const newIds = await createPeople(tx, property.authority_id, data.people);
        if (stream === 'business_rates' && data.businessName) {
          const [b] = await tx.query<{ id: number }>(
            `insert into customers (authority_id, kind, business_name, display_name) values ($1, 'business', $2, $2) returning id`, [property.authority_id, data.businessName]);
          newIds.unshift(b.id);
        }
        const parties = [...data.customerIds, ...newIds];
        const lead = parties[0];
        if (data.email) await tx.query('update customers set email = $2, notify_by_email = $3, updated_at = now(), updated_by = $4 where id = $1', [lead, data.email, data.notifyByEmail, actor.userId]);
        const number = await repo.nextAccountNumber(stream, tx);
        const reference = makeAccountReference(stream, number);
        const [account] = await tx.query<{ id: number }>(
          `insert into accounts (authority_id, reference, stream, customer_id, property_id, payment_method, opened_on, created_by)
           values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
          [property.authority_id, reference, stream, lead, property.id, data.paymentMethod, date, actor.userId]);
        const [liability] = await tx.query<{ id: number }>(
          'insert into liabilities (account_id, property_id, from_date, created_by) values ($1, $2, $3, $4) returning id', [account.id, property.id, date, actor.userId]);
        await tx.query('insert into liability_parties (liability_id, customer_id) select $1, unnest($2::bigint[])', [liability.id, parties]);
        if (stream === 'council_tax') {
          await tx.query(`update customer_addresses set to_date = $2::date - 1 where customer_id = any($1::bigint[]) and kind = 'residential' and to_date is null and from_date < $2`, [parties, date]);
          await tx.query(
            `insert into customer_addresses (customer_id, kind, property_id, address_line1, address_line2, town, postcode, from_date)
             select c, 'residential', $2, $3, $4, $5, $6, $7 from unnest($1::bigint[]) as c`,
            [parties, property.id, property.address_line1, property.address_line2, property.town, property.postcode, date]);
        } else {
          await tx.query(
            `insert into customer_addresses (customer_id, kind, property_id, address_line1, address_line2, town, postcode, from_date)
             select c, 'correspondence', $2, $3, $4, $5, $6, $7 from unnest($1::bigint[]) as c
              where not exists (select 1 from customer_addresses x where x.customer_id = c and x.to_date is null)`,
            [parties, property.id, property.address_line1, property.address_line2, property.town, property.postcode, date]);
        }
        await tx.query(
          'insert into account_billing (account_id, instalment_day, twelve_instalments, legacy_adopted_at, updated_by) values ($1, $2, $3, now(), $4)',
          [account.id, data.instalmentDay, data.twelveInstalments, actor.userId]);
        if (stream === 'council_tax' && data.livesAlone && parties.length === 1) {
          await tx.query(`insert into account_reductions (account_id, code, from_date, note, created_by) values ($1, 'single_person', $2, 'Lives alone (recorded at move in)', $3)`, [account.id, date, actor.userId]);
        }
        await event(tx, { authorityId: property.authority_id, customerId: lead, accountId: account.id, type: 'moved_in', summary: `Moved in to ${propertyAddress(property)} on ${longDate(date)}; account ${reference} opened`, detail: { propertyId: property.id, from: date, parties }, actor });
        await audit.record(actor, { action: 'create.move_in', entityType: 'account', entityId: account.id, authorityId: property.authority_id, detail: { propertyId: property.id, from: date } }, tx);

        const previousBills: IssuedBill[] = [];
        for (const l of current) {
          await tx.query('update liabilities set to_date = $2 where id = $1', [l.id, addDays(date, -1)]);
          await tx.query('update account_reductions set to_date = $2, ended_at = now(), ended_by = $3 where account_id = $1 and (to_date is null or to_date > $2)', [l.account_id, addDays(date, -1), actor.userId]);
          const [prev] = await repo.accounts([l.account_id], tx);
          await event(tx, { authorityId: prev.authority_id, customerId: prev.customer_id, accountId: prev.id, type: 'moved_out', summary: `Liability ended on ${longDate(addDays(date, -1))}: new occupier from ${longDate(date)}`, actor });
          previousBills.push(...(await rebillFrom(actor, l.account_id, addDays(date, -1), `liability ended ${longDate(addDays(date, -1))}`, tx)));
        }
        const bills = await rebillFrom(actor, account.id, date, `moved in ${longDate(date)}`, tx);
        return { accountId: account.id, reference, customerIds: parties, bills, previousOccupierBills: previousBills };
      });
    },

    async moveOut(actor: Actor, accountId: number, input: unknown) {
      requirePermission(actor, 'billing.change');
      const data = parse(moveOutSchema, input, 'Check the move out');
      const account = await requireBillingAccount(actor, accountId);
      const date = data.moveOutDate;
      return db.transaction(async (tx) => {
        const [open] = await tx.query<{ id: number; from_date: string; to_date: string | null }>(
          `select id, from_date, to_date from liabilities where account_id = $1 and coalesce(to_date, date '9999-12-31') > $2 order by from_date desc limit 1`, [accountId, date]);
        if (!open) throw new ValidationError('Check the move out', [{ field: 'moveOutDate', message: 'They are not liable after that date already' }]);
        if (compareDates(date, open.from_date) < 0) throw new ValidationError('Check the move out', [{ field: 'moveOutDate', message: `The move out date must be on or after they became liable (${longDate(open.from_date)})` }]);
        await tx.query('update liabilities set to_date = $2 where id = $1', [open.id, date]);
        await tx.query('update account_reductions set to_date = $2, ended_at = now(), ended_by = $3 where account_id = $1 and (to_date is null or to_date > $2)', [accountId, date, actor.userId]);
        const parties = (await tx.query<{ customer_id: number }>('select customer_id from liability_parties where liability_id = $1', [open.id])).map((p) => p.customer_id);
        if (account.stream === 'council_tax') {
          await tx.query(`update customer_addresses set to_date = $3 where customer_id = any($1::bigint[]) and property_id = $2 and to_date is null`, [parties, account.property_id, date]);
        }
        if (data.forwardingAddress) {
          const f = data.forwardingAddress;
          await tx.query(
            `insert into customer_addresses (customer_id, kind, address_line1, address_line2, town, postcode, from_date) select c, 'forwarding', $2, $3, $4, upper($5), $6 from unnest($1::bigint[]) as c`,
            [parties, f.line1, f.line2 || null, f.town, f.postcode, addDays(date, 1)]);
        }
        await event(tx, { authorityId: account.authority_id, customerId: account.customer_id, accountId, type: 'moved_out', summary: `Moved out: liable to ${longDate(date)}${data.forwardingAddress ? `; forwarding address ${data.forwardingAddress.line1}, ${data.forwardingAddress.postcode.toUpperCase()}` : ''}`, actor });
        await audit.record(actor, { action: 'create.move_out', entityType: 'account', entityId: accountId, authorityId: account.authority_id, detail: { to: date } }, tx);
        const bills = await rebillFrom(actor, accountId, date, `moved out: liable to ${longDate(date)}`, tx);
        return { accountId, bills };
      });
    },

    async changeLiableParties(actor: Actor, accountId: number, input: unknown) {
      requirePermission(actor, 'billing.change');
      const data = parse(liablePartiesSchema, input, 'Check who is liable');
      const account = await requireBillingAccount(actor, accountId);
      if (!data.customerIds.length && !data.people.length) throw new ValidationError('Check who is liable', [{ field: 'customerIds', message: 'Choose at least one liable person' }]);
      return db.transaction(async (tx) => {
        const [open] = await tx.query<{ id: number; from_date: string; to_date: string | null; property_id: number }>(
          `select id, from_date, to_date, property_id from liabilities where account_id = $1 and from_date < $2 and coalesce(to_date, date '9999-12-31') >= $2 order by from_date desc limit 1`,
          [accountId, data.fromDate]);
        if (!open) throw new ValidationError('Check who is liable', [{ field: 'fromDate', message: 'The account has no liability running on that date (and started before it)' }]);
        await checkCustomers(tx, account.authority_id, data.customerIds);
        const parties = [...data.customerIds, ...(await createPeople(tx, account.authority_id, data.people))];
        await tx.query('update liabilities set to_date = $2 where id = $1', [open.id, addDays(data.fromDate, -1)]);
        const [next] = await tx.query<{ id: number }>(
          'insert into liabilities (account_id, property_id, from_date, to_date, created_by) values ($1, $2, $3, $4, $5) returning id',
          [accountId, open.property_id, data.fromDate, open.to_date, actor.userId]);
        await tx.query('insert into liability_parties (liability_id, customer_id) select $1, unnest($2::bigint[])', [next.id, parties]);
        const names = (await tx.query<{ display_name: string }>('select display_name from customers where id = any($1::bigint[]) order by id', [parties])).map((c) => c.display_name);
        await event(tx, { authorityId: account.authority_id, customerId: account.customer_id, accountId, type: 'liable_parties_changed', summary: `From ${longDate(data.fromDate)} liable: ${names.join(', ')}`, actor });
        await audit.record(actor, { action: 'update.liable_parties', entityType: 'account', entityId: accountId, authorityId: account.authority_id, detail: { from: data.fromDate, parties } }, tx);
        const bills = await rebillFrom(actor, accountId, data.fromDate, `liable people changed from ${longDate(data.fromDate)}`, tx);
        return { accountId, liabilityId: next.id, bills };
      });
    },

    async awardReduction(actor: Actor, accountId: number, input: unknown) {
      requirePermission(actor, 'billing.change');
      const data = parse(reductionSchema, input, 'Check the award');
      const account = await requireBillingAccount(actor, accountId);
      const code = reductionCode(data.code)!;
      if (code.tax !== account.stream) throw new ValidationError('Check the award', [{ field: 'code', message: `${code.label} does not apply to ${TAX_LABEL[account.stream]}` }]);
      if (data.toDate && compareDates(data.toDate, data.fromDate) < 0) throw new ValidationError('Check the award', [{ field: 'toDate', message: 'The end date must be on or after the start date' }]);
      if (code.needs === 'empty_since' && !data.emptySince) throw new ValidationError('Check the award', [{ field: 'emptySince', message: `Enter the date the ${code.tax === 'council_tax' ? 'dwelling' : 'property'} became empty` }]);
      if (code.needs === 'weekly_pence' && !data.weeklyPence) throw new ValidationError('Check the award', [{ field: 'weeklyPence', message: 'Enter the weekly award' }]);
      if (EMPTY_PROPERTY_CODES[data.code] && data.emptySince) await checkReoccupation(account, data.code, data.emptySince);
      if (code.needs === 'percent' && (!data.percent || parseDecimal(data.percent).units <= 0n)) throw new ValidationError('Check the award', [{ field: 'percent', message: 'Enter the percentage of relief' }]);
      return db.transaction(async (tx) => {
        const [row] = await tx.query<{ id: number }>(
          `insert into account_reductions (account_id, code, from_date, to_date, percent, empty_since, weekly_pence, note, created_by)
           values ($1, $2, $3, $4, $5::numeric, $6, $7, $8, $9) returning id`,
          [accountId, data.code, data.fromDate, data.toDate ?? null, code.needs === 'percent' ? data.percent : null, data.emptySince ?? null, data.weeklyPence ?? null, data.note ?? null, actor.userId]);
        const when = `from ${longDate(data.fromDate)}${data.toDate ? ` to ${longDate(data.toDate)}` : ''}`;
        await event(tx, { authorityId: account.authority_id, customerId: account.customer_id, accountId, type: 'award_made', summary: `${code.label} awarded ${when}`, detail: { reductionId: row.id, ...data }, actor });
        await audit.record(actor, { action: 'create.reduction', entityType: 'account_reduction', entityId: row.id, authorityId: account.authority_id, detail: { code: data.code } }, tx);
        const bills = await rebillFrom(actor, accountId, data.fromDate, `${code.label.toLowerCase()} ${when}`, tx);
        return { reductionId: row.id, bills };
      });
    },

    async endReduction(actor: Actor, reductionId: number, input: unknown) {
      requirePermission(actor, 'billing.change');
      const data = parse(endReductionSchema, input, 'Check the end date');
      const [row] = await db.query<{ account_id: number; code: string; from_date: string }>('select account_id, code, from_date from account_reductions where id = $1', [reductionId]);
      if (!row) throw new NotFoundError(`Award ${reductionId} was not found`);
      const account = await requireBillingAccount(actor, row.account_id);
      if (compareDates(data.toDate, row.from_date) < 0) throw new ValidationError('Check the end date', [{ field: 'toDate', message: `It cannot end before it started (${longDate(row.from_date)})` }]);
      const label = reductionCode(row.code)?.label ?? row.code;
      return db.transaction(async (tx) => {
        await tx.query('update account_reductions set to_date = $2, ended_at = now(), ended_by = $3 where id = $1', [reductionId, data.toDate, actor.userId]);
        await event(tx, { authorityId: account.authority_id, customerId: account.customer_id, accountId: account.id, type: 'award_ended', summary: `${label} ended: last day ${longDate(data.toDate)}`, detail: { reductionId }, actor });
        await audit.record(actor, { action: 'update.reduction', entityType: 'account_reduction', entityId: reductionId, authorityId: account.authority_id, detail: { to: data.toDate } }, tx);
        const bills = await rebillFrom(actor, account.id, addDays(data.toDate, 1), `${label.toLowerCase()} ended ${longDate(data.toDate)}`, tx);
        return { reductionId, bills };
      });
    },

    /**
     * A band or rateable value from a date (VOA schedule or officer correction): recorded in the
     * property's history, the current value kept in step, and every account liable from that date
     * rebilled. `system` is set when an import applies it.
     */
    async changeValuation(actor: Actor, propertyId: number, input: unknown, options: { source?: string; bySystem?: string; tx?: Db } = {}) {
      requirePermission(actor, options.source?.startsWith('voa-import') ? 'billing.run' : 'billing.change');
      const data = parse(valuationSchema, input, 'Check the valuation');
      const work = async (tx: Db) => {
        const property = await repo.property(actor.authorityIds, propertyId, tx);
        if (!property) throw new NotFoundError(`Property ${propertyId} was not found`);
        if (property.kind === 'dwelling' && !data.band) throw new ValidationError('Check the valuation', [{ field: 'band', message: 'Choose the band' }]);
        if (property.kind === 'hereditament' && data.rateableValuePounds === undefined) throw new ValidationError('Check the valuation', [{ field: 'rateableValuePounds', message: 'Enter the rateable value' }]);
        const history = await repo.valuationHistory(propertyId, tx);
        const rhlNow = property.kind === 'hereditament' ? (history[0]?.retail_hospitality_leisure ?? RHL_DESCRIPTIONS.includes(property.description ?? '')) : false;
        if (!history.length) {
          // The value so far becomes the baseline, so days before the change keep it.
          await repo.insertValuation({
            propertyId, effectiveFrom: '1990-04-01', band: property.band, rateableValuePounds: property.kind === 'dwelling' ? null : property.rateable_value_pounds,
            rhl: rhlNow, description: property.description, scatCode: property.scat_code, source: 'baseline', reason: 'Value before the first recorded change', userId: null,
          }, tx);
        }
        const description = data.description ?? property.description;
        await repo.insertValuation({
          propertyId, effectiveFrom: data.effectiveFrom,
          band: property.kind === 'dwelling' ? data.band! : null,
          rateableValuePounds: property.kind === 'dwelling' ? null : data.rateableValuePounds!,
          rhl: property.kind === 'hereditament' ? (data.retailHospitalityLeisure ?? rhlNow) : false,
          description, scatCode: data.scatCode ?? property.scat_code, source: options.source ?? 'officer', reason: data.reason, userId: actor.userId,
        }, tx);
        await repo.syncCurrentValuation(propertyId, clock.today(), tx);
        const what = property.kind === 'dwelling' ? `band ${data.band}` : `rateable value £${data.rateableValuePounds!.toLocaleString('en-GB')}`;
        await audit.record(actor, { action: 'create.valuation', entityType: 'property', entityId: propertyId, authorityId: property.authority_id, detail: { ...data } }, tx);
        const liable = await repo.accountsLiableFor(propertyId, data.effectiveFrom, tx);
        const bills: IssuedBill[] = [];
        for (const l of liable) {
          const from = maxDate(data.effectiveFrom, l.from_date);
          const [acct] = await repo.accounts([l.account_id], tx);
          await event(tx, { authorityId: acct.authority_id, customerId: acct.customer_id, accountId: acct.id, type: 'valuation_changed', summary: `${what} from ${longDate(data.effectiveFrom)} (${data.reason})`, actor: options.bySystem ? null : actor, bySystem: options.bySystem });
          bills.push(...(await rebillFrom(options.bySystem ? null : actor, l.account_id, from, `${what} from ${longDate(data.effectiveFrom)}`, tx, { bySystem: options.bySystem })));
        }
        return { propertyId, bills };
      };
      return options.tx ? work(options.tx) : db.transaction(work);
    },

    async setPaymentPreferences(actor: Actor, accountId: number, input: unknown) {
      requirePermission(actor, 'billing.change');
      const data = parse(paymentPreferencesSchema, input, 'Check how they pay');
      const account = await requireBillingAccount(actor, accountId);
      if (data.paymentMethod === 'direct_debit') {
        const days = await repo.ddCollectionDays(account.authority_id);
        if (!days.includes(data.instalmentDay)) throw new ValidationError('Check how they pay', [{ field: 'instalmentDay', message: `Direct Debit payers choose one of the council's collection days: ${days.join(' or ')}` }]);
      }
      return db.transaction(async (tx) => {
        await adoptLegacyAwards(tx, { accountIds: [accountId] });
        await tx.query('update accounts set payment_method = $2, updated_at = now() where id = $1', [accountId, data.paymentMethod]);
        await tx.query('update account_billing set instalment_day = $2, twelve_instalments = $3, updated_at = now(), updated_by = $4 where account_id = $1', [accountId, data.instalmentDay, data.twelveInstalments, actor.userId]);
        const summary = `Pays by ${data.paymentMethod === 'direct_debit' ? 'Direct Debit' : 'cash, card or transfer'} on day ${data.instalmentDay}${data.twelveInstalments ? ', 12 instalments' : ''}`;
        await event(tx, { authorityId: account.authority_id, customerId: account.customer_id, accountId, type: 'payment_preferences', summary, actor });
        await audit.record(actor, { action: 'update.payment_preferences', entityType: 'account', entityId: accountId, authorityId: account.authority_id, detail: data }, tx);
        const year = financialYearOf(clock.today()).startYear;
        return issueBills([{ accountId, financialYear: year, reason: summary.toLowerCase() }], { actor, issuedOn: clock.today(), tx });
      });
    },

    // --- views ----------------------------------------------------------------------------------

    async searchProperties(actor: Actor, q: string) {
      requirePermission(actor, 'cases.view');
      const query = q.trim();
      if (query.length < 2) throw new ValidationError('Enter an address or postcode', [{ field: 'q', message: 'Enter at least 2 characters of an address or postcode' }]);
      return repo.searchProperties(actor.authorityIds, query, 50);
    },

    async propertyView(actor: Actor, propertyId: number) {
      requirePermission(actor, 'cases.view');
      const property = await repo.property(actor.authorityIds, propertyId);
      if (!property) throw new NotFoundError(`Property ${propertyId} was not found`);
      const [valuations, liabilities] = await Promise.all([repo.valuationHistory(propertyId), repo.propertyLiabilities(propertyId)]);
      await audit.record(actor, { action: 'view.property', entityType: 'property', entityId: propertyId, authorityId: property.authority_id });
      return { property, address: propertyAddress(property), valuations, liabilities };
    },

    async chargesView(actor: Actor, accountId: number) {
      requirePermission(actor, 'cases.view');
      const account = await requireBillingAccount(actor, accountId);
      const [bills, reductions, liabilities] = await Promise.all([repo.bills(accountId), repo.reductionRows(accountId), repo.liabilities([accountId])]);
      const latestByYear = new Map<number, (typeof bills)[number]>();
      for (const b of bills) if (!latestByYear.has(b.financial_year)) latestByYear.set(b.financial_year, b);
      const years = await Promise.all([...latestByYear.values()].map(async (b) => {
        const full = await repo.bill(b.id);
        return { financialYear: b.financial_year, bill: full!, instalments: b.plan_id ? await repo.planInstalments(b.plan_id) : [] };
      }));
      await audit.record(actor, { action: 'view.charges', entityType: 'account', entityId: accountId, authorityId: account.authority_id });
      return { account, bills, years, reductions, liabilities, ddDays: await repo.ddCollectionDays(account.authority_id) };
    },

    /** What the charge for a year would be now, without posting anything. */
    async previewCharge(actor: Actor, accountId: number, financialYear: string): Promise<ChargeCalculation> {
      requirePermission(actor, 'cases.view');
      const account = await requireBillingAccount(actor, accountId);
      const year = parseYear(financialYear);
      const [liabilities, reductions] = await Promise.all([repo.liabilities([accountId]), repo.reductions([accountId])]);
      const valuations = await repo.valuations([...new Set(liabilities.map((l) => l.propertyId))], RHL_DESCRIPTIONS);
      return calculateCharge({
        tax: account.stream, nation: account.nation, financialYear: formatFinancialYear({ startYear: year }), liabilities, valuations, reductions,
        councilTax: account.stream === 'council_tax' ? await db.transaction((tx) => councilTaxRates(account.authority_id, year, tx)) : undefined,
      });
    },
  };
}
export type BillingCore = ReturnType<typeof createBillingCore>;

export function parseYear(financialYear: string): number {
  const match = /^(\d{4})\/(\d{2})$/.exec(String(financialYear ?? '').trim());
  if (!match || (Number(match[1]) + 1) % 100 !== Number(match[2])) throw new ValidationError(`Enter the financial year like 2027/28, got "${financialYear}"`, [{ field: 'financialYear', message: 'Enter the financial year like 2027/28' }]);
  return Number(match[1]);
}

/**
 * An illustrative split of a Band D amount between preceptors, for a council set up from open data
 * (the real shares come from the council's resolution).
 */
export function illustrativePrecepts(name: string, onsCode: string, bandDPence: number): { preceptor: string; bandDPence: number }[] {
  const council = name.endsWith('Council') ? name : `${name} Council`;
  const shares: [string, number][] = onsCode.startsWith('W')
    ? [[council, 80], ['Police and Crime Commissioner', 17], ['Community councils', 3]]
    : onsCode.startsWith('E07')
      ? [['County Council (including adult social care)', 75], [council, 10], ['Police and Crime Commissioner', 11], ['Fire and Rescue Authority', 4]]
      : [[`${council} (including adult social care)`, 80], ['Police and Crime Commissioner', 14], ['Fire and Rescue Authority', 6]];
  const out = shares.map(([preceptor, pct]) => ({ preceptor, bandDPence: Math.floor((bandDPence * pct) / 100) }));
  out[0].bandDPence += bandDPence - out.reduce((s, p) => s + p.bandDPence, 0);
  return out;
}

