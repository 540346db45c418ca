// Builds a synthetic council for demos, tests and benchmarks: a real authority's band mix and Band D
// level (data/, via open-data.ts), liable people and businesses, two financial years of bills,
// instalment plans, payments with realistic habits, and a timeline, up to an as-of date.
//
// Speed and memory are the point (150,000 dwellings on PGlite in under a minute, 1,000,000 on
// PostgreSQL in under five), so:
//  - people, properties and accounts are generated in JS one chunk at a time (5,000 dwellings) and
//    each table's chunk goes in with ONE statement: insert … select from unnest($1::text[], …);
//  - ids are reserved with nextval() before the insert, so rows can refer to each other without
//    reading anything back;
//  - instalments, charges, discounts, payments and events are generated set-based in SQL from one
//    row per bill (INSERT … SELECT over generate_series), with each payer's per-instalment
//    behaviour derived deterministically from ids (plan_id × 2654435761 mod 1000);
//  - nothing proportional to the size of the council is held in JS: memory stays flat.
// On PostgreSQL two chunks are written concurrently (each in its own transaction) while the next
// is generated. Where it is safe (a superuser, and no insert trigger on the seeded tables besides
// foreign keys) chunks are written with session_replication_role = replica, as pg_restore does, so
// foreign keys are not re-checked row by row: the rows are built consistent, and the tests check
// every reference. A known trigger whose work can be redone in one pass (the reports' ledger
// deltas) is skipped the same way and its rebuild run once at the end; any other insert trigger
// makes its table write with triggers on. The same seed gives the same council (names, addresses,
// references, amounts).
//
// On PGlite (one process owns the database) the whole seed is one transaction: a seed that fails or
// is killed part-way leaves nothing but its failure record (or, killed, nothing at all), and can
// simply be run again. A first load into an empty database is then a bulk load: the seeded tables
// are emptied in that transaction (so with wal_level = minimal their rows skip the write-ahead log)
// and their indexes and the big tables' keys are built after the rows are in (prepareBulkLoad).
// On PostgreSQL each chunk is its own transaction, so that chunks can be written concurrently; a
// failure there leaves the chunks already written and marks the batch run failed, and seeding the
// authority again is refused: seed into a fresh database.
//
// The statutory figures come from the domain calculators: band amounts (council-tax-bands.ts),
// single person discount (council-tax-period-charge.ts), statutory instalments and due dates
// (council-tax-instalments.ts) and business rates (business-rates.ts). None is re-implemented here.
import { Faker, base, en, en_GB } from '@faker-js/faker';
import type { Db } from '../db/database.ts';
import { makeAccountReference, type Stream } from '../domain/account-reference.ts';
import { bandAnnualAmount } from '../domain/council-tax-bands.ts';
import { instalmentSchedule, type InstalmentSchedule } from '../domain/council-tax-instalments.ts';
import { councilTaxPeriodCharge } from '../domain/council-tax-period-charge.ts';
import { annualBusinessRates, type BusinessRatesCharge } from '../domain/business-rates.ts';
import { BUSINESS_RATES_RULES } from '../domain/law/business-rates.ts';
import { NoRuleInForceError, type Nation } from '../domain/law/rules.ts';
import {
  addDays,
  addMonths,
  assertIsoDate,
  diffDays,
  financialYearEnd,
  financialYearOf,
  formatFinancialYear,
  type IsoDate,
} from '../domain/calendar.ts';
import { divideRoundHalfUp, formatPence } from '../domain/money.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import { BANDS, findAuthority, type Authority, type Band } from '../integrations/open-data.ts';
import * as names from './seed-council-names.ts';

export interface SeedCouncilOptions {
  /** ONS code of a billing authority in data/ctsop2016-dwellings-by-band.csv, e.g. E08000010 (Wigan). */
  onsCode: string;
  /** Council tax dwellings to create (the band mix is the authority's real one). */
  dwellings: number;
  /** Business rates hereditaments to create. */
  businesses: number;
  /** Same seed, same council. */
  seed: number;
  /** History runs to this date: its financial year and the one before. No payment is after it. */
  asOf: IsoDate;
  /** Dwellings (or hereditaments) generated and written per chunk. Default 5,000. */
  chunkSize?: number;
  /** PostgreSQL only: chunks written at once, each in its own transaction. Default 2. */
  concurrency?: number;
  /** Called after each chunk is written: a line for a terminal, and the figures. */
  onProgress?: (message: string, progress: SeedProgress) => void;
}

export interface SeedProgress {
  phase: 'dwellings' | 'businesses';
  done: number;
  total: number;
  /** Rows inserted so far, all tables. */
  rows: number;
  seconds: number;
}

export interface SeedCouncilReport {
  authorityId: number;
  onsCode: string;
  name: string;
  nation: Nation;
  batchRunId: number;
  asOf: IsoDate;
  /** Start years of the financial years seeded: [previous, current]. */
  financialYears: [number, number];
  bandDPence: { previous: number; current: number };
  dwellings: number;
  businesses: number;
  customers: number;
  properties: number;
  accounts: number;
  liabilities: number;
  liabilityParties: number;
  customerAddresses: number;
  instalmentPlans: number;
  instalments: number;
  ledgerEntries: number;
  events: number;
  /** All rows inserted, every table. */
  rows: number;
  seconds: number;
  /**
   * Seconds spent in each step, summed over chunks: JS generation, id reservation, each table's
   * statement, the aggregate rebuild and analyze. On PostgreSQL chunks are written concurrently, so
   * the statement times overlap and add up to more than the wall-clock total.
   */
  phaseSeconds: Record<string, number>;
  /** Where a figure came from when it was not the obvious source (fallbacks), in words. */
  notes: string[];
}

// Payment habits. Chosen per account in JS (seeded), acted out per instalment in SQL.
const HABIT = {
  DD_REGULAR: 0, // Direct Debit collected on every due date
  ON_TIME: 1, // pays each instalment a few days before it is due
  LATE: 2, // pays every instalment, 4–41 days late
  PARTIAL: 3, // pays 45–90% of each instalment, in whole pounds
  STOPPED: 4, // pays the first few instalments, then nothing (a cancelled DD, a lost job)
  NEVER: 5, // pays nothing
  DD_RETURNED: 6, // Direct Debit, one collection returned unpaid (ARUDD) and not made up
} as const;

const CASH_CHANNELS = ['Allpay', 'PayPoint', 'Post Office', 'Bank transfer', 'Card payment (online)', 'Card payment (telephone)'];

// Notes and contacts on the timeline of accounts with a payment problem (type, summary, detail).
const TIMELINE_TEMPLATES: { type: 'note' | 'contact'; summary: string; direction?: string; channel?: string; outcome?: string }[] = [
  { type: 'note', summary: 'Customer says they have been off work sick and will catch up next month.' },
  { type: 'note', summary: 'Advised customer about the Council Tax Reduction scheme and how to apply.' },
  { type: 'note', summary: 'Customer reports financial hardship; gave StepChange and Citizens Advice details.' },
  { type: 'note', summary: 'Customer disputes the band; advised to contact the Valuation Office Agency.' },
  { type: 'note', summary: 'Customer asked to move the instalment date to the 28th to match their payday.' },
  {
    type: 'contact',
    summary: 'Customer phoned about the missed instalment and promised to pay by Friday.',
    direction: 'inbound',
    channel: 'phone',
    outcome: 'promise to pay',
  },
  {
    type: 'contact',
    summary: 'Phoned customer about the arrears: no answer, voicemail left.',
    direction: 'outbound',
    channel: 'phone',
    outcome: 'no answer',
  },
  {
    type: 'contact',
    summary: 'Customer emailed asking why the balance has gone up; explained the missed instalment.',
    direction: 'inbound',
    channel: 'email',
    outcome: 'query answered',
  },
  {
    type: 'contact',
    summary: 'Emailed customer a copy of the bill and the instalment dates.',
    direction: 'outbound',
    channel: 'email',
    outcome: 'information sent',
  },
  {
    type: 'contact',
    summary: 'Courtesy letter sent about the missed payment.',
    direction: 'outbound',
    channel: 'letter',
    outcome: 'letter sent',
  },
  {
    type: 'contact',
    summary: 'Customer wrote in to say they cannot afford the instalments and asked for an arrangement.',
    direction: 'inbound',
    channel: 'letter',
    outcome: 'arrangement requested',
  },
  {
    type: 'contact',
    summary: 'Customer called in at the customer service centre for advice on paying the arrears.',
    direction: 'inbound',
    channel: 'visit',
    outcome: 'advice given',
  },
];

const SUNDRY_REASONS = [
  'Garden waste subscription',
  'Bulky waste collection',
  'Rechargeable works: fence repair',
  'Pest control treatment',
  'Replacement wheeled bin',
  'Rechargeable works: clearing a blocked drain',
];

const WARNINGS = [
  'Violent or abusive person: threatened an officer on a visit. Do not visit alone.',
  'Abusive on the telephone to staff: calls to be handled by a senior officer.',
  'Dog on the premises: enforcement agents and visiting officers to be warned.',
  'Aggressive behaviour at the customer service centre: two officers for any visit.',
];

const STREAM_LABEL: Record<string, string> = {
  council_tax: 'Council Tax',
  business_rates: 'Business Rates',
  sundry: 'Sundry debt',
  hb_overpayment: 'Housing Benefit overpayment',
};

const DEFAULT_CHUNK = 5_000;
const DD_PAYDAYS = [1, 1, 1, 1, 1, 15, 15, 15, 28, 28];

// -----------------------------------------------------------------------------------------------
// Chunk buffers: one array per column, one chunk at a time. Cross references hold chunk-local
// indexes until ids are reserved.

class ChunkRows {
  // properties
  pKind: string[] = [];
  pUprn: string[] = [];
  pLine1: string[] = [];
  pLine2: (string | null)[] = [];
  pTown: string[] = [];
  pPostcode: string[] = [];
  pBand: (string | null)[] = [];
  pRv: (number | null)[] = [];
  pDescription: (string | null)[] = [];
  pBaRef: (string | null)[] = [];
  // customers
  cKind: string[] = [];
  cTitle: (string | null)[] = [];
  cForenames: (string | null)[] = [];
  cSurname: (string | null)[] = [];
  cBusinessName: (string | null)[] = [];
  cDisplayName: string[] = [];
  cDob: (string | null)[] = [];
  cEmail: (string | null)[] = [];
  cPhone: (string | null)[] = [];
  cNotifyByEmail: boolean[] = [];
  cCouncillor: boolean[] = [];
  cWarning: (string | null)[] = [];
  // customer_addresses (the address is the property's)
  aCustomer: number[] = [];
  aProperty: number[] = [];
  aKind: string[] = [];
  aFrom: string[] = [];
  // accounts
  acReference: string[] = [];
  acStream: string[] = [];
  acCustomer: number[] = [];
  acProperty: (number | null)[] = [];
  acMethod: string[] = [];
  acOpened: string[] = [];
  // liabilities: one per property account, parties by liability index
  lAccount: number[] = [];
  lProperty: number[] = [];
  lFrom: string[] = [];
  lpLiability: number[] = [];
  lpCustomer: number[] = [];
  // bills (one per account and financial year): expanded into plans, instalments, ledger, events
  bAccount: number[] = [];
  bFy: number[] = [];
  bIssued: string[] = [];
  bFrom: string[] = [];
  bCharge: number[] = [];
  bChargeReason: string[] = [];
  bAdj1: number[] = [];
  bAdj1Reason: (string | null)[] = [];
  bAdj2: number[] = [];
  bAdj2Reason: (string | null)[] = [];
  bCount: number[] = [];
  bFirst: number[] = [];
  bOther: number[] = [];
  bFirstDue: string[] = [];
  bHabit: number[] = [];
  bStopAfter: number[] = [];
  bDd: boolean[] = [];
  // invoices on other streams (sundry, HB overpayment)
  iAccount: number[] = [];
  iFy: number[] = [];
  iDate: string[] = [];
  iAmount: number[] = [];
  iReason: string[] = [];
  iLumpDate: (string | null)[] = [];
  iLumpAmount: number[] = [];
  iMonthlyFrom: (string | null)[] = [];
  iMonthlyAmount: number[] = [];
  iMonthlyCount: number[] = [];

  get customers(): number {
    return this.cKind.length;
  }
  get properties(): number {
    return this.pKind.length;
  }
  get accounts(): number {
    return this.acStream.length;
  }
  get liabilities(): number {
    return this.lAccount.length;
  }
}

interface ReservedIds {
  customers: number[];
  properties: number[];
  accounts: number[];
  liabilities: number[];
  plans: number[];
}

interface Counts {
  customers: number;
  properties: number;
  accounts: number;
  liabilities: number;
  liabilityParties: number;
  customerAddresses: number;
  instalmentPlans: number;
  instalments: number;
  ledgerEntries: number;
  events: number;
}

const emptyCounts = (): Counts => ({
  customers: 0,
  properties: 0,
  accounts: 0,
  liabilities: 0,
  liabilityParties: 0,
  customerAddresses: 0,
  instalmentPlans: 0,
  instalments: 0,
  ledgerEntries: 0,
  events: 0,
});

const sumCounts = (c: Counts) => Object.values(c).reduce((a, b) => a + b, 0);

/** Time spent per step of the seed (see SeedCouncilReport.phaseSeconds). */
class PhaseClock {
  readonly ms: Record<string, number> = {};
  async time<T>(phase: string, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.add(phase, performance.now() - t0);
    }
  }
  add(phase: string, ms: number) {
    this.ms[phase] = (this.ms[phase] ?? 0) + ms;
  }
  seconds(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.ms).map(([k, v]) => [k, Math.round(v / 10) / 100]));
  }
}

// -----------------------------------------------------------------------------------------------
// Statutory figures, from the domain calculators, memoised (a council has few distinct bills).

/** A statutory instalment schedule, compactly: the SQL expands it month by month. */
interface CompactSchedule {
  count: number;
  firstPence: number;
  otherPence: number;
  firstDue: IsoDate;
}

interface BillTerms {
  chargePence: number;
  adjustments: { pence: number; reason: string }[];
  schedule: CompactSchedule | null; // null when nothing is payable
}

/** Memoised terms kept at most (then the memo starts again): memory stays flat whatever the size. */
const MEMO_LIMIT = 20_000;

class Tariffs {
  readonly notes: string[] = [];
  private readonly memo = new Map<string, BillTerms>();
  private readonly ratesBasis = new Map<number, { fy: string; nation: Nation }>();

  constructor(
    private readonly nation: Nation,
    private readonly bandD: Record<number, number>,
  ) {}

  /** Council tax bill for a band from `from` to the year end, with or without single person discount. */
  councilTax(fy: number, band: Band, spd: boolean, from: IsoDate, issuedOn: IsoDate, payday: number): BillTerms {
    const key = `ct|${fy}|${band}|${spd}|${from}|${issuedOn}|${payday}`;
    let terms = this.memo.get(key);
    if (terms) return terms;
    const financialYear = formatFinancialYear({ startYear: fy });
    const annual = bandAnnualAmount({ bandDPence: this.bandD[fy], band, nation: this.nation, financialYear });
    const period = councilTaxPeriodCharge({
      annualPence: annual.annualPence,
      from,
      to: financialYearEnd(financialYear),
      financialYear,
      discountPercent: spd ? 25 : 0,
    });
    const total = period.netPence;
    terms = {
      chargePence: period.grossPence,
      adjustments: spd ? [{ pence: period.discountPence, reason: 'Single person discount 25% (LGFA 1992 s.11)' }] : [],
      schedule: this.schedule(total, issuedOn, financialYear, payday, 'council_tax'),
    };
    this.remember(key, terms);
    return terms;
  }

  businessRates(
    fy: number,
    rv: number,
    flags: { rhl: boolean; sbrr: boolean; charity: boolean },
    issuedOn: IsoDate,
    payday: number,
  ): BillTerms {
    const key = `nndr|${fy}|${rv}|${flags.rhl}|${flags.sbrr}|${flags.charity}|${issuedOn}|${payday}`;
    const memoised = this.memo.get(key);
    if (memoised) return memoised;
    const basis = this.ratesBasisFor(fy);
    const charge: BusinessRatesCharge = annualBusinessRates({
      financialYear: basis.fy,
      rateableValuePounds: rv,
      retailHospitalityLeisure: flags.rhl,
      smallBusinessReliefEligible: flags.sbrr,
      charity: flags.charity,
      nation: basis.nation,
    });
    const adjustments: BillTerms['adjustments'] = [];
    const m = charge.mandatoryRelief;
    if (m.pence > 0) {
      adjustments.push({
        pence: m.pence,
        reason:
          m.kind === 'charity'
            ? `Mandatory charity relief ${m.percent}% (LGFA 1988 s.43(5))`
            : `Small business rate relief ${m.percent}% (LGFA 1988 s.43(4A))`,
      });
    }
    if (charge.retailHospitalityLeisureRelief.pence > 0) {
      adjustments.push({
        pence: charge.retailHospitalityLeisureRelief.pence,
        reason: `Retail, hospitality and leisure relief ${charge.retailHospitalityLeisureRelief.percent}%`,
      });
    }
    const financialYear = formatFinancialYear({ startYear: fy });
    const terms = {
      chargePence: charge.grossPence,
      adjustments,
      schedule: this.schedule(charge.netPence, issuedOn, financialYear, payday, 'business_rates'),
    };
    this.remember(key, terms);
    return terms;
  }

  private schedule(
    totalPence: number,
    issuedOn: IsoDate,
    financialYear: string,
    dayOfMonth: number,
    tax: 'council_tax' | 'business_rates',
  ): CompactSchedule | null {
    if (totalPence <= 0) return null;
    const input = { totalPence, issuedOn, financialYear, dayOfMonth, tax, nation: this.nation };
    let schedule: InstalmentSchedule;
    try {
      schedule = instalmentSchedule(input);
    } catch (error) {
      if (!(error instanceof NoRuleInForceError) || this.nation === 'england') throw error;
      this.note(`no ${tax} instalment scheme for ${this.nation} in Levy's rules: the English scheme was used`);
      schedule = instalmentSchedule({ ...input, nation: 'england' });
    }
    // The SQL expands a schedule as monthly steps from the first due date: check that is what the
    // calculator produced (it is, for days of the month up to 28).
    schedule.instalments.forEach((inst, i) => {
      if (inst.dueOn !== addMonths(schedule.instalments[0].dueOn, i)) {
        throw new Error(`instalment ${inst.number} due ${inst.dueOn} is not monthly from the first`);
      }
      if (inst.amountPence !== (i === 0 ? schedule.firstPence : schedule.otherPence)) {
        throw new Error('instalments after the first are expected to be equal');
      }
    });
    return {
      count: schedule.count,
      firstPence: schedule.firstPence,
      otherPence: schedule.otherPence ?? schedule.firstPence,
      firstDue: schedule.instalments[0].dueOn,
    };
  }

  /** The business rates rule year and nation to use for a financial year (with a note if not its own). */
  private ratesBasisFor(fy: number): { fy: string; nation: Nation } {
    const cached = this.ratesBasis.get(fy);
    if (cached) return cached;
    const wanted = formatFinancialYear({ startYear: fy });
    const probe = (fyText: string, nation: Nation) => {
      try {
        annualBusinessRates({
          financialYear: fyText,
          rateableValuePounds: 10_000,
          retailHospitalityLeisure: false,
          smallBusinessReliefEligible: false,
          charity: false,
          nation,
        });
        return true;
      } catch (error) {
        if (error instanceof NoRuleInForceError) return false;
        throw error;
      }
    };
    let basis: { fy: string; nation: Nation } | undefined;
    if (probe(wanted, this.nation)) basis = { fy: wanted, nation: this.nation };
    else {
      const nation: Nation = BUSINESS_RATES_RULES.some((r) => r.nation === this.nation) ? this.nation : 'england';
      const years = BUSINESS_RATES_RULES.filter((r) => r.nation === nation).map((r) => financialYearOf(r.effectiveFrom).startYear);
      const nearest = years.reduce((a, b) => (Math.abs(b - fy) < Math.abs(a - fy) ? b : a));
      basis = { fy: formatFinancialYear({ startYear: nearest }), nation };
      this.note(
        `no ${this.nation} business rates rule for ${wanted} in Levy's rules: ${nation} ${basis.fy} multipliers and reliefs were used for the demo bills`,
      );
    }
    this.ratesBasis.set(fy, basis);
    return basis;
  }

  private remember(key: string, terms: BillTerms) {
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(key, terms);
  }

  private note(text: string) {
    if (!this.notes.includes(text)) this.notes.push(text);
  }
}

// -----------------------------------------------------------------------------------------------
// Generation

interface SeedContext {
  faker: Faker;
  authority: Authority;
  authorityId: number;
  asOf: IsoDate;
  current: number;
  previous: number;
  places: names.Place[];
  tariffs: Tariffs;
  nextNumber: Record<string, number>;
  bandQuota: Record<Band, number>;
  street: StreetState | null;
  councillorEvery: number;
  warningEvery: number;
  firstCouncillorDone: boolean;
}

interface StreetState {
  name: string;
  town: string;
  outward: string;
  sector: number;
  inward: string;
  inwardLeft: number;
  band: Band;
  block: string | null;
  left: number;
  number: number;
}

const billIssuedOn = (fy: number): IsoDate => `${fy}-03-10`;
const yearStart = (fy: number): IsoDate => `${fy}-04-01`;

function nextReference(ctx: SeedContext, stream: Stream): string {
  const n = ctx.nextNumber[stream]++;
  return makeAccountReference(stream, n);
}

/** Draws a band with probability proportional to what is left of the quota (exact totals). */
function drawBand(faker: Faker, quota: Record<Band, number>, prefer?: Band): Band {
  if (prefer && quota[prefer] > 0) return prefer;
  let total = 0;
  for (const b of BANDS) total += quota[b];
  if (total <= 0) return 'A';
  let r = faker.number.int(total - 1);
  for (const b of BANDS) {
    if (r < quota[b]) return b;
    r -= quota[b];
  }
  return 'A';
}

/** Band counts for n dwellings in the authority's proportions (largest remainder, exact total). */
export function bandQuota(mix: Record<Band, number>, n: number): Record<Band, number> {
  const total = BANDS.reduce((s, b) => s + mix[b], 0);
  const quota = {} as Record<Band, number>;
  const rest: { band: Band; frac: number }[] = [];
  let assigned = 0;
  for (const b of BANDS) {
    const exact = total > 0 ? (mix[b] * n) / total : 0;
    quota[b] = Math.floor(exact);
    assigned += quota[b];
    rest.push({ band: b, frac: exact - quota[b] });
  }
  rest.sort((a, b) => b.frac - a.frac || BANDS.indexOf(a.band) - BANDS.indexOf(b.band));
  for (let i = 0; assigned < n; i++, assigned++) quota[rest[i % rest.length].band]++;
  return quota;
}

function newStreet(ctx: SeedContext): StreetState {
  const f = ctx.faker;
  const band = drawBand(f, ctx.bandQuota);
  const flats = (band === 'A' || band === 'B') && f.number.int(9) < 3;
  const place = names.pickPlace(f, ctx.places);
  const sector = f.number.int(9);
  return {
    name: names.streetName(f),
    town: place.town,
    outward: f.helpers.arrayElement(place.outwards),
    sector,
    inward: names.inwardCode(f, sector),
    inwardLeft: 8 + f.number.int(14),
    band,
    block: flats ? names.blockName(f) : null,
    left: flats ? 6 + f.number.int(34) : 10 + f.number.int(60),
    number: 0,
  };
}

function birthDate(f: Faker, asOf: IsoDate, minAge: number, maxAge: number): IsoDate {
  const age = minAge + Math.floor(((f.number.float() + f.number.float()) / 2) * (maxAge - minAge));
  return addDays(asOf, -(age * 365 + f.number.int(364)));
}

function addPerson(
  ctx: SeedContext,
  rows: ChunkRows,
  p: { sex: 'female' | 'male'; dob: IsoDate; surname: string; married: boolean },
): number {
  const f = ctx.faker;
  const first = names.firstName(f, p.sex, Number(p.dob.slice(0, 4)));
  const title = names.title(f, p.sex, p.married);
  const hasEmail = f.number.int(99) < 30;
  rows.cKind.push('person');
  rows.cTitle.push(title);
  rows.cForenames.push(first);
  rows.cSurname.push(p.surname);
  rows.cBusinessName.push(null);
  rows.cDisplayName.push(`${title} ${first} ${p.surname}`);
  rows.cDob.push(p.dob);
  rows.cEmail.push(hasEmail ? names.exampleEmail(f, first, p.surname) : null);
  rows.cPhone.push(f.number.int(99) < 30 ? names.dramaPhoneNumber(f) : null);
  rows.cNotifyByEmail.push(hasEmail && f.number.int(1) === 0);
  rows.cCouncillor.push(false);
  rows.cWarning.push(null);
  return rows.cKind.length - 1;
}

function chooseHabit(f: Faker, dd: boolean): number {
  const r = f.number.int(999);
  if (dd) return r < 940 ? HABIT.DD_REGULAR : r < 980 ? HABIT.DD_RETURNED : HABIT.STOPPED;
  return r < 600 ? HABIT.ON_TIME : r < 780 ? HABIT.LATE : r < 870 ? HABIT.PARTIAL : r < 950 ? HABIT.STOPPED : HABIT.NEVER;
}

const isTail = (habit: number) => habit !== HABIT.DD_REGULAR && habit !== HABIT.ON_TIME;

function pushBill(
  rows: ChunkRows,
  account: number,
  fy: number,
  from: IsoDate,
  issuedOn: IsoDate,
  chargeReason: string,
  terms: BillTerms,
  payer: { habit: number; stopAfter: number; dd: boolean },
) {
  // Nothing payable (e.g. 100% small business rate relief): the charge and relief are still posted
  // and the bill still issued, but there is no instalment plan (count 0).
  const s = terms.schedule;
  rows.bAccount.push(account);
  rows.bFy.push(fy);
  rows.bIssued.push(issuedOn);
  rows.bFrom.push(from);
  rows.bCharge.push(terms.chargePence);
  rows.bChargeReason.push(chargeReason);
  rows.bAdj1.push(terms.adjustments[0]?.pence ?? 0);
  rows.bAdj1Reason.push(terms.adjustments[0]?.reason ?? null);
  rows.bAdj2.push(terms.adjustments[1]?.pence ?? 0);
  rows.bAdj2Reason.push(terms.adjustments[1]?.reason ?? null);
  rows.bCount.push(s ? s.count : 0);
  rows.bFirst.push(s ? s.firstPence : 0);
  rows.bOther.push(s ? s.otherPence : 0);
  rows.bFirstDue.push(s ? s.firstDue : issuedOn);
  rows.bHabit.push(payer.habit);
  rows.bStopAfter.push(payer.stopAfter);
  rows.bDd.push(payer.dd);
}

function addOtherStreamDebt(ctx: SeedContext, rows: ChunkRows, customer: number, tail: boolean) {
  const f = ctx.faker;
  const hbop = f.number.int(9) < 4;
  const stream: Stream = hbop ? 'hb_overpayment' : 'sundry';
  // raised some time in the last ~14 months, at least a month before the as-of date
  const date = addDays(ctx.asOf, -(30 + f.number.int(400)));
  const amount = hbop ? 100 * Math.round(150 + Math.exp(4.5 + f.number.float() * 3.5)) : 100 * (35 + f.number.int(600));
  const reason = hbop
    ? `Housing Benefit overpayment: change of circumstances not reported (invoice ${f.number.int({ min: 100000, max: 999999 })})`
    : `${f.helpers.arrayElement(SUNDRY_REASONS)} (invoice ${f.number.int({ min: 100000, max: 999999 })})`;
  rows.acReference.push(nextReference(ctx, stream));
  rows.acStream.push(stream);
  rows.acCustomer.push(customer);
  rows.acProperty.push(null);
  rows.acMethod.push('cash');
  rows.acOpened.push(date);
  const account = rows.acStream.length - 1;
  let lumpDate: IsoDate | null = null;
  let lumpAmount = 0;
  let monthlyFrom: IsoDate | null = null;
  let monthlyAmount = 0;
  let monthlyCount = 0;
  const r = f.number.int(99);
  if (hbop ? r < (tail ? 40 : 80) : false) {
    // recovered by deduction from ongoing benefit or by an agreed monthly amount
    monthlyFrom = addMonths(date, 1);
    monthlyAmount = 100 * (10 + f.number.int(30));
    const months = Math.max(0, Math.floor(diffDays(monthlyFrom, ctx.asOf) / 31) + 1);
    monthlyCount = Math.min(36, months, Math.floor(amount / monthlyAmount));
  } else if (!hbop && r < (tail ? 35 : 85)) {
    lumpDate = addDays(date, 10 + f.number.int(40));
    lumpAmount = amount;
    if (lumpDate > ctx.asOf) lumpDate = null;
  }
  rows.iAccount.push(account);
  rows.iFy.push(financialYearOf(date).startYear);
  rows.iDate.push(date);
  rows.iAmount.push(amount);
  rows.iReason.push(reason);
  rows.iLumpDate.push(lumpDate);
  rows.iLumpAmount.push(lumpDate ? lumpAmount : 0);
  rows.iMonthlyFrom.push(monthlyCount > 0 ? monthlyFrom : null);
  rows.iMonthlyAmount.push(monthlyAmount);
  rows.iMonthlyCount.push(monthlyCount);
}

function generateDwellings(ctx: SeedContext, rows: ChunkRows, startIndex: number, count: number) {
  const f = ctx.faker;
  const { asOf, current, previous, tariffs } = ctx;
  // Movers-in this year: liable from a date in the current year, billed a week later.
  const latestMoveIn = addDays(asOf, -21);
  const canMoveIn = latestMoveIn > addDays(yearStart(current), 1);
  for (let k = 0; k < count; k++) {
    const index = startIndex + k;
    if (!ctx.street || ctx.street.left <= 0) ctx.street = newStreet(ctx);
    const st = ctx.street;
    st.left--;
    st.number++;
    if (--st.inwardLeft <= 0) {
      st.inward = names.inwardCode(f, st.sector);
      st.inwardLeft = 8 + f.number.int(14);
    }
    const band = drawBand(f, ctx.bandQuota, f.number.int(99) < 75 ? st.band : undefined);
    ctx.bandQuota[band]--;
    rows.pKind.push('dwelling');
    rows.pUprn.push(String(100_000_000_000 + ctx.authorityId * 10_000_000 + index));
    if (st.block) {
      rows.pLine1.push(`Flat ${st.number}, ${st.block}`);
      rows.pLine2.push(st.name);
    } else {
      rows.pLine1.push(`${st.number} ${st.name}`);
      rows.pLine2.push(null);
    }
    rows.pTown.push(st.town);
    rows.pPostcode.push(`${st.outward} ${st.inward}`);
    rows.pBand.push(band);
    rows.pRv.push(null);
    rows.pDescription.push(null);
    rows.pBaRef.push(null);
    const property = rows.pKind.length - 1;

    // Who lives there and is liable
    const joint = f.number.int(99) < 30;
    const leadSex = f.number.int(1) === 0 ? 'female' : 'male';
    const familyName = names.surname(f);
    const leadDob = birthDate(f, asOf, 19, 92);
    const lead = addPerson(ctx, rows, { sex: leadSex, dob: leadDob, surname: familyName, married: joint });
    const parties = [lead];
    if (joint) {
      const partnerSex = f.number.int(9) < 9 ? (leadSex === 'female' ? 'male' : 'female') : leadSex;
      const partnerDob = addDays(leadDob, f.number.int({ min: -2500, max: 2500 }));
      const partnerDobCapped = partnerDob > addDays(asOf, -18 * 366) ? addDays(asOf, -18 * 366) : partnerDob;
      const partnerSurname = f.number.int(99) < 75 ? familyName : names.surname(f);
      parties.push(addPerson(ctx, rows, { sex: partnerSex, dob: partnerDobCapped, surname: partnerSurname, married: true }));
    }
    const spd = !joint && f.number.int(99) < 50;

    // Councillors (s.106 monitoring) and contact warnings, spread evenly through the council
    if (index % ctx.councillorEvery === Math.floor(ctx.councillorEvery / 2)) rows.cCouncillor[lead] = true;
    if (index % ctx.warningEvery === Math.floor(ctx.warningEvery / 3) + 1) rows.cWarning[lead] = f.helpers.arrayElement(WARNINGS);

    // Account and how they pay
    const dd = f.number.int(99) < 65;
    const payday = dd ? f.helpers.arrayElement(DD_PAYDAYS) : 1;
    let habit = chooseHabit(f, dd);
    if (rows.cCouncillor[lead] && !ctx.firstCouncillorDone) {
      habit = HABIT.STOPPED; // one member in arrears, so the s.106 report has something to show
      ctx.firstCouncillorDone = true;
    }
    const stopAfter = habit === HABIT.STOPPED ? 2 + f.number.int(4) : habit === HABIT.DD_RETURNED ? 2 + f.number.int(5) : 0;
    const movedIn = canMoveIn && f.number.int(99) < 4;
    const liableFrom = movedIn
      ? addDays(yearStart(current), 1 + f.number.int(diffDays(addDays(yearStart(current), 1), latestMoveIn)))
      : addDays(yearStart(previous), -(1 + f.number.int(365 * 25)));
    rows.acReference.push(nextReference(ctx, 'council_tax'));
    rows.acStream.push('council_tax');
    rows.acCustomer.push(lead);
    rows.acProperty.push(property);
    rows.acMethod.push(dd ? 'direct_debit' : 'cash');
    rows.acOpened.push(liableFrom);
    const account = rows.acStream.length - 1;
    rows.lAccount.push(account);
    rows.lProperty.push(property);
    rows.lFrom.push(liableFrom);
    const liability = rows.lAccount.length - 1;
    for (const c of parties) {
      rows.lpLiability.push(liability);
      rows.lpCustomer.push(c);
      rows.aCustomer.push(c);
      rows.aProperty.push(property);
      rows.aKind.push('residential');
      rows.aFrom.push(liableFrom);
    }

    const payer = { habit, stopAfter, dd };
    if (!movedIn) {
      const terms = tariffs.councilTax(previous, band, spd, yearStart(previous), billIssuedOn(previous), payday);
      pushBill(
        rows,
        account,
        previous,
        yearStart(previous),
        billIssuedOn(previous),
        `Council Tax ${formatFinancialYear({ startYear: previous })}, band ${band}`,
        terms,
        payer,
      );
    }
    const from = movedIn ? liableFrom : yearStart(current);
    const issued = movedIn ? addDays(liableFrom, 7) : billIssuedOn(current);
    const terms = tariffs.councilTax(current, band, spd, from, issued, payday);
    pushBill(
      rows,
      account,
      current,
      from,
      issued,
      `Council Tax ${formatFinancialYear({ startYear: current })}, band ${band}`,
      terms,
      payer,
    );

    // Some also owe on another stream, more often those who struggle with council tax
    if (f.number.int(999) < (isTail(habit) ? 180 : 25)) addOtherStreamDebt(ctx, rows, lead, isTail(habit));
  }
}

function generateBusinesses(ctx: SeedContext, rows: ChunkRows, startIndex: number, count: number) {
  const f = ctx.faker;
  const { current, previous, tariffs, authority } = ctx;
  const kinds = names.HEREDITAMENT_KINDS;
  const totalWeight = kinds.reduce((s, k) => s + k.weight, 0);
  for (let k = 0; k < count; k++) {
    const index = startIndex + k;
    let r = f.number.int(totalWeight - 1);
    const kind = kinds.find((x) => (r -= x.weight) < 0) ?? kinds[0];
    const rv = names.roundRateableValue(kind.medianRv * Math.exp(1.05 * names.normal(f)));
    const charity = kind.description === 'Shop and premises' && f.number.int(99) < 8;
    const place = names.pickPlace(f, ctx.places);
    const town = place.town;
    const outward = f.helpers.arrayElement(place.outwards);
    const sector = f.number.int(9);
    let line1: string;
    let line2: string | null = null;
    if (kind.unit) {
      line1 = `Unit ${1 + f.number.int(40)}`;
      line2 = `${names.surname(f)} ${f.helpers.arrayElement(['Industrial Estate', 'Business Park', 'Trading Estate'])}`;
    } else {
      const street = f.number.int(99) < 60 ? f.helpers.arrayElement(names.COMMERCIAL_STREETS) : names.streetName(f);
      line1 = `${1 + f.number.int(180)} ${street}`;
    }
    rows.pKind.push('hereditament');
    rows.pUprn.push(String(100_000_000_000 + ctx.authorityId * 10_000_000 + 9_000_000 + index));
    rows.pLine1.push(line1);
    rows.pLine2.push(line2);
    rows.pTown.push(town);
    rows.pPostcode.push(`${outward} ${names.inwardCode(f, sector)}`);
    rows.pBand.push(null);
    rows.pRv.push(rv);
    rows.pDescription.push(kind.description);
    rows.pBaRef.push(`${authority.baCode}${String(index + 1).padStart(8, '0')}`);
    const property = rows.pKind.length - 1;

    const businessName = charity ? names.charityName(f, ctx.places[0].town) : kind.names(f, town);
    rows.cKind.push('business');
    rows.cTitle.push(null);
    rows.cForenames.push(null);
    rows.cSurname.push(null);
    rows.cBusinessName.push(businessName);
    rows.cDisplayName.push(businessName);
    rows.cDob.push(null);
    const hasEmail = f.number.int(99) < 50;
    rows.cEmail.push(
      hasEmail
        ? `accounts@${businessName
            .toLowerCase()
            .replace(/&/g, 'and')
            .replace(/[^a-z0-9]+/g, '-')
            .replace(/^-|-$/g, '')}.example.com`
        : null,
    );
    rows.cPhone.push(f.number.int(99) < 60 ? names.dramaPhoneNumber(f) : null);
    rows.cNotifyByEmail.push(hasEmail && f.number.int(1) === 0);
    rows.cCouncillor.push(false);
    rows.cWarning.push(null);
    const customer = rows.cKind.length - 1;

    const dd = f.number.int(99) < 55;
    const payday = dd ? f.helpers.arrayElement([1, 1, 15]) : 1;
    const habit = chooseHabit(f, dd);
    const stopAfter = habit === HABIT.STOPPED ? 2 + f.number.int(4) : habit === HABIT.DD_RETURNED ? 2 + f.number.int(5) : 0;
    // Small business rate relief: the ratepayer occupies no other property (most small ones).
    const sbrr = rv < 15_000 && !charity && f.number.int(99) < 85;
    const opened = addDays(yearStart(previous), -(1 + f.number.int(365 * 15)));
    rows.acReference.push(nextReference(ctx, 'business_rates'));
    rows.acStream.push('business_rates');
    rows.acCustomer.push(customer);
    rows.acProperty.push(property);
    rows.acMethod.push(dd ? 'direct_debit' : 'cash');
    rows.acOpened.push(opened);
    const account = rows.acStream.length - 1;
    rows.lAccount.push(account);
    rows.lProperty.push(property);
    rows.lFrom.push(opened);
    rows.lpLiability.push(rows.lAccount.length - 1);
    rows.lpCustomer.push(customer);
    rows.aCustomer.push(customer);
    rows.aProperty.push(property);
    rows.aKind.push('correspondence');
    rows.aFrom.push(opened);
    const payer = { habit, stopAfter, dd };
    for (const fy of [previous, current]) {
      const terms = tariffs.businessRates(fy, rv, { rhl: kind.rhl, sbrr, charity }, billIssuedOn(fy), payday);
      pushBill(
        rows,
        account,
        fy,
        yearStart(fy),
        billIssuedOn(fy),
        `Business Rates ${formatFinancialYear({ startYear: fy })}, RV £${rv.toLocaleString('en-GB')}`,
        terms,
        payer,
      );
    }
  }
}

// -----------------------------------------------------------------------------------------------
// SQL: one statement per table per chunk; the history set-based from the bills.

async function reserveIds(db: Db, rows: ChunkRows): Promise<ReservedIds> {
  const [r] = await db.query<{ c: number[] | null; p: number[] | null; a: number[] | null; l: number[] | null; b: number[] | null }>(
    `select
       (select array_agg(nextval('customers_id_seq')) from generate_series(1, $1::int)) as c,
       (select array_agg(nextval('properties_id_seq')) from generate_series(1, $2::int)) as p,
       (select array_agg(nextval('accounts_id_seq')) from generate_series(1, $3::int)) as a,
       (select array_agg(nextval('liabilities_id_seq')) from generate_series(1, $4::int)) as l,
       (select array_agg(nextval('instalment_plans_id_seq')) from generate_series(1, $5::int)) as b`,
    [rows.customers, rows.properties, rows.accounts, rows.liabilities, rows.bAccount.length],
  );
  return {
    customers: r.c ?? [],
    properties: r.p ?? [],
    accounts: r.a ?? [],
    liabilities: r.l ?? [],
    plans: r.b ?? [],
  };
}

const map = (ids: number[], local: number[]) => local.map((i) => ids[i]);
const mapNullable = (ids: number[], local: (number | null)[]) => local.map((i) => (i === null ? null : ids[i]));

/** 09:00 UK time on a date, as SQL. */
const at9 = (expr: string) => `((${expr}) + time '09:00') at time zone 'Europe/London'`;

async function writeChunk(
  tx: Db,
  ctx: { authorityId: number; asOf: IsoDate; current: number; triggers: TriggerPolicy; clock: PhaseClock },
  rows: ChunkRows,
  ids: ReservedIds,
): Promise<Counts> {
  const counts = emptyCounts();
  const clock = ctx.clock;
  const roles = new ReplicationRole(tx, ctx.triggers);
  const customerIds = ids.customers;
  const propertyIds = ids.properties;
  const accountIds = ids.accounts;

  if (rows.properties) {
    await roles.use(['properties']);
    await clock.time('properties', () =>
      tx.query(
        `insert into properties (id, authority_id, kind, uprn, address_line1, address_line2, town, postcode, band,
         rateable_value_pounds, description, ba_reference)
       select id, $1::int, kind, uprn, line1, line2, town, postcode, band, rv, description, ba_ref
       from unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                   $10::int[], $11::text[], $12::text[])
         as t(id, kind, uprn, line1, line2, town, postcode, band, rv, description, ba_ref)`,
        [
          ctx.authorityId,
          propertyIds,
          rows.pKind,
          rows.pUprn,
          rows.pLine1,
          rows.pLine2,
          rows.pTown,
          rows.pPostcode,
          rows.pBand,
          rows.pRv,
          rows.pDescription,
          rows.pBaRef,
        ],
      ),
    );
    counts.properties = rows.properties;
  }

  await roles.use(['customers']);
  await clock.time('customers', () =>
    tx.query(
      `insert into customers (id, authority_id, kind, title, forenames, surname, business_name, display_name,
       date_of_birth, email, phone, notify_by_email, is_councillor, warning)
     select id, $1::int, kind, title, forenames, surname, business_name, display_name, dob, email, phone, notify, councillor, warning
     from unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::date[],
                 $10::text[], $11::text[], $12::bool[], $13::bool[], $14::text[])
       as t(id, kind, title, forenames, surname, business_name, display_name, dob, email, phone, notify, councillor, warning)`,
      [
        ctx.authorityId,
        customerIds,
        rows.cKind,
        rows.cTitle,
        rows.cForenames,
        rows.cSurname,
        rows.cBusinessName,
        rows.cDisplayName,
        rows.cDob,
        rows.cEmail,
        rows.cPhone,
        rows.cNotifyByEmail,
        rows.cCouncillor,
        rows.cWarning,
      ],
    ),
  );
  counts.customers = rows.customers;

  if (rows.aCustomer.length) {
    await roles.use(['customer_addresses']);
    await clock.time('customer_addresses', () =>
      tx.query(
        // The address is the property's, copied from the chunk's rows: a join to properties here
        // had the planner scan the whole table per chunk once it grew (quadratic on PostgreSQL).
        `insert into customer_addresses (customer_id, kind, property_id, address_line1, address_line2, town, postcode, from_date)
       select * from unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::date[])`,
        [
          map(customerIds, rows.aCustomer),
          rows.aKind,
          map(propertyIds, rows.aProperty),
          rows.aProperty.map((i) => rows.pLine1[i]),
          rows.aProperty.map((i) => rows.pLine2[i]),
          rows.aProperty.map((i) => rows.pTown[i]),
          rows.aProperty.map((i) => rows.pPostcode[i]),
          rows.aFrom,
        ],
      ),
    );
    counts.customerAddresses = rows.aCustomer.length;
  }

  // Accounts, each with its account_opened event.
  const streamLabels = Object.keys(STREAM_LABEL);
  await roles.use(['accounts', 'events']);
  await clock.time('accounts+events', () =>
    tx.query(
      `with t as (
       select * from unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[], $8::date[])
         as t(id, reference, stream, customer_id, property_id, method, opened_on)
     ), a as (
       insert into accounts (id, authority_id, reference, stream, customer_id, property_id, payment_method, opened_on, created_at)
       select id, $1::int, reference, stream, customer_id, property_id, method, opened_on, ${at9('opened_on')} from t
       returning id
     )
     insert into events (authority_id, customer_id, account_id, at, type, summary, detail, by_system)
     select $1::int, t.customer_id, t.id, ${at9('t.opened_on')}, 'account_opened',
            coalesce(($9::text[])[array_position($10::text[], t.stream)], t.stream) || ' account ' || t.reference || ' opened',
            jsonb_build_object('reference', t.reference, 'stream', t.stream, 'payment_method', t.method),
            'seed'
     from t`,
      [
        ctx.authorityId,
        accountIds,
        rows.acReference,
        rows.acStream,
        map(customerIds, rows.acCustomer),
        mapNullable(propertyIds, rows.acProperty),
        rows.acMethod,
        rows.acOpened,
        streamLabels.map((s) => STREAM_LABEL[s]),
        streamLabels,
      ],
    ),
  );
  counts.accounts = rows.accounts;
  counts.events += rows.accounts;

  if (rows.liabilities) {
    await roles.use(['liabilities', 'liability_parties']);
    await clock.time('liabilities', () =>
      tx.query(
        `insert into liabilities (id, account_id, property_id, from_date)
       select * from unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::date[])`,
        [ids.liabilities, map(accountIds, rows.lAccount), map(propertyIds, rows.lProperty), rows.lFrom],
      ),
    );
    await clock.time('liability_parties', () =>
      tx.query(
        `insert into liability_parties (liability_id, customer_id)
       select * from unnest($1::bigint[], $2::bigint[])`,
        [map(ids.liabilities, rows.lpLiability), map(customerIds, rows.lpCustomer)],
      ),
    );
    counts.liabilities = rows.liabilities;
    counts.liabilityParties = rows.lpLiability.length;
  }

  if (rows.bAccount.length) {
    const params = billParams(rows, ids, customerIdsByAccount(rows, customerIds), ctx);
    // The report aggregates are written with the ledger only where its trigger is skipped.
    const replica = await roles.use(['instalment_plans', 'instalments', 'events', 'ledger_entries']);
    const c = await clock.time('bills (plans, instalments, events, ledger)', () =>
      writeBills(tx, ctx, params, replica && ctx.triggers.reportAggregates),
    );
    counts.instalmentPlans += c.plans;
    counts.instalments += c.instalments;
    counts.events += c.events;
    counts.ledgerEntries += c.ledger;
  }
  if (rows.iAccount.length) {
    const aggregates = (await roles.use(['ledger_entries', 'events'])) && ctx.triggers.reportAggregates;
    const c = await clock.time('invoices (ledger+events)', () =>
      writeInvoices(tx, ctx, rows, accountIds, customerIdsByAccount(rows, customerIds), aggregates),
    );
    counts.ledgerEntries += c.ledger;
    counts.events += c.events;
  }
  return counts;
}

function customerIdsByAccount(rows: ChunkRows, customerIds: number[]): number[] {
  return rows.acCustomer.map((i) => customerIds[i]);
}

// The bills of a chunk, one row each: parameters $1–$22 of both bill statements (billParams).
const BILLS_CTE = `p as materialized (
       select t.*, (t.charge - t.adj1 - t.adj2) as total,
              ((t.plan_id * 2654435761) % 1000)::int as ph
       from unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::smallint[], $5::date[], $6::date[], $7::bigint[],
                   $8::text[], $9::bigint[], $10::text[], $11::bigint[], $12::text[], $13::int[], $14::bigint[],
                   $15::bigint[], $16::date[], $17::smallint[], $18::int[], $19::bool[], $22::text[])
         as t(plan_id, account_id, customer_id, fy, issued_on, liable_from, charge, charge_reason, adj1, adj1_reason,
              adj2, adj2_reason, n, first_amt, other_amt, first_due, habit, stop_after, dd, stream)
     ),
     i as materialized (
       select p.plan_id, p.account_id, p.stream, p.fy, p.habit, p.stop_after, p.dd, s.seq,
              (p.first_due + make_interval(months => s.seq - 1))::date as due,
              case when s.seq = 1 then p.first_amt else p.other_amt end as amt,
              ((p.plan_id * 2654435761 + s.seq * 40503) % 1000)::int as h
       -- a join to one small series, not a lateral generate_series per bill (3× faster)
       from p join generate_series(1, 12) as s(seq) on s.seq <= p.n
     )`;

function billParams(rows: ChunkRows, ids: ReservedIds, customerByAccount: number[], ctx: { asOf: IsoDate; current: number }) {
  return [
    ids.plans,
    map(ids.accounts, rows.bAccount),
    rows.bAccount.map((a) => customerByAccount[a]),
    rows.bFy,
    rows.bIssued,
    rows.bFrom,
    rows.bCharge,
    rows.bChargeReason,
    rows.bAdj1,
    rows.bAdj1Reason,
    rows.bAdj2,
    rows.bAdj2Reason,
    rows.bCount,
    rows.bFirst,
    rows.bOther,
    rows.bFirstDue,
    rows.bHabit,
    rows.bStopAfter,
    rows.bDd,
    ctx.asOf, // $20
    ctx.current, // $21
    rows.bAccount.map((a) => rows.acStream[a]), // $22
  ];
}

/**
 * The report aggregates (migration 007) for a statement's ledger rows (by default from its `entries`
 * CTE: account_id, stream, kind, amount, fy, effective_date), for the authority in $24: what the
 * ledger-delta trigger and levy_report_fold() would make of them, written directly. The trigger
 * appends about one delta row per ledger row for the fold to read back and upsert; this adds each
 * chunk's sums once. Every account in a chunk is new and all of its entries are in one statement,
 * so its account-years are plain inserts (a clash would fail, not miscount) and its year balances
 * count from zero, as levy_report_rebuild() counts them; days and year balances are shared with
 * other chunks, so they add. Used only when the statement runs with the trigger skipped (replica
 * role), so nothing is counted twice.
 */
const reportAggregatesCtes = (
  // (stream, fy, effective_date, kind, amount) rows to sum by day; entries by default
  days = 'entries',
  // (account_id, fy, stream, balance): each account-year's sum; from entries by default
  accounts = 'select account_id, fy, stream, sum(amount)::bigint as balance from entries group by account_id, fy, stream',
) => `
     agg_days as (
       insert into report_ledger_days as t (authority_id, stream, financial_year, effective_date, kind, amount_pence)
       select $24::int, stream, fy, effective_date, kind, sum(amount) from ${days} as d group by stream, fy, effective_date, kind
       -- in key order, so two chunks written at once (PostgreSQL) take the rows' locks in one order
       order by 2, 3, 4, 5
       on conflict (authority_id, stream, financial_year, effective_date, kind)
         do update set amount_pence = t.amount_pence + excluded.amount_pence
       returning 1
     ),
     agg_accounts as (${accounts}),
     agg_account_years as (
       insert into report_account_years (account_id, financial_year, authority_id, stream, balance_pence)
       select account_id, fy, $24::int, stream, balance from agg_accounts
       returning 1
     ),
     agg_years as (
       insert into report_year_balances as y (authority_id, stream, financial_year, owing_accounts, owing_pence, credit_accounts, credit_pence)
       select $24::int, stream, fy,
              count(*) filter (where balance > 0), coalesce(sum(balance) filter (where balance > 0), 0),
              count(*) filter (where balance < 0), coalesce(-sum(balance) filter (where balance < 0), 0)
         from agg_accounts group by stream, fy
        order by 2, 3
       on conflict (authority_id, stream, financial_year) do update
         set owing_accounts = y.owing_accounts + excluded.owing_accounts,
             owing_pence = y.owing_pence + excluded.owing_pence,
             credit_accounts = y.credit_accounts + excluded.credit_accounts,
             credit_pence = y.credit_pence + excluded.credit_pence
       returning 1
     )`;

/**
 * The bills' aggregates from their narrow sources (p: one row per bill; pay and catch_up: one per
 * payment) rather than from the ledger rows with their reasons: the same sums, summed by day in
 * two steps. An account has one bill a year, so its balance for the year is the bill's total less
 * what was paid on it.
 */
const BILL_AGGREGATES_CTES = reportAggregatesCtes(
  `(select stream, fy, liable_from as effective_date, 'charge' as kind, sum(charge) as amount from p group by 1, 2, 3
    union all
    select stream, fy, liable_from, 'adjustment', sum(-adj1 - adj2) from p where adj1 > 0 or adj2 > 0 group by 1, 2, 3
    union all
    select stream, fy, paid_on, 'payment', sum(-paid) from pay group by 1, 2, 3
    union all
    select stream, fy, paid_on, 'payment', sum(-paid) from catch_up group by 1, 2, 3)`,
  `select p.account_id, p.fy, p.stream, (p.total - coalesce(pp.paid, 0) - coalesce(cu.paid, 0))::bigint as balance
     from p left join (select plan_id, sum(paid) as paid from pay group by plan_id) pp using (plan_id)
            left join catch_up cu using (plan_id)`,
);

/**
 * A chunk's bills, in one statement (the bills and their instalments are expanded once): the
 * instalment plans, instalments and timeline (bill issued; notes and contacts on the tail), then
 * the charges, discounts/reliefs, payments and catch-up payments.
 * Payment behaviour per instalment (all deterministic):
 *   h = (plan_id × 2654435761 + seq × 40503) mod 1000
 *   DD / DD_RETURNED: collected on the due date (except instalment stop_after, returned unpaid)
 *   ON_TIME: paid 0–5 days before the due date;  LATE: 4–41 days after
 *   PARTIAL: 45–90% of the instalment in whole pounds, 0–11 days after
 *   STOPPED: the first stop_after instalments on time, then nothing;  NEVER: nothing
 * No payment is dated after the as-of date. For the previous year, the tail catches up: all of
 * LATE and DD_RETURNED, 75% of PARTIAL, 55% of STOPPED and 30% of NEVER clear the balance with one
 * payment between mid-February and mid-May; the rest leave arrears.
 */
async function writeBills(
  tx: Db,
  ctx: { authorityId: number },
  params: unknown[],
  aggregates: boolean,
): Promise<{ plans: number; instalments: number; events: number; ledger: number }> {
  const [r] = await tx.query<{ plans: number; instalments: number; events: number; ledger: number }>(
    `with ${BILLS_CTE},
     ins_plans as (
       insert into instalment_plans (id, account_id, financial_year, issued_on, total_pence, created_at)
       select plan_id, account_id, fy, issued_on, total, ${at9('issued_on')} from p where n > 0
       returning 1
     ),
     ins_inst as (
       insert into instalments (plan_id, seq, due_date, amount_pence)
       select plan_id, seq, due, amt from i
       returning 1
     ),
     ins_events as (
       insert into events (authority_id, customer_id, account_id, at, type, summary, detail, by_system)
       select $24::int, customer_id, account_id, ${at9('issued_on')}, 'bill_issued',
              split_part(charge_reason, ',', 1) || ' bill issued: ' ||
                case when n = 0 then 'nothing to pay after reliefs'
                     else '£' || to_char(total / 100.0, 'FM999,999,999,990.00') ||
                          case when n = 1 then ' in one instalment' else ' in ' || n || ' instalments' end
                end,
              jsonb_build_object('financial_year', fy, 'charge_pence', charge, 'total_pence', total, 'instalments', n,
                                 'first_due', first_due, 'first_pence', first_amt, 'other_pence', other_amt),
              'seed'
       from p
       union all
       select $24::int, p.customer_id, p.account_id,
              ${at9('least($20::date, p.first_due + 12 + k.k * 23 + (p.ph + k.k * 7) % 9)')},
              ($25::text[])[1 + (p.ph + k.k * 5) % array_length($25::text[], 1)],
              ($26::text[])[1 + (p.ph + k.k * 5) % array_length($26::text[], 1)],
              case when ($27::text[])[1 + (p.ph + k.k * 5) % array_length($27::text[], 1)] is null then null
                   else jsonb_build_object(
                     'direction', ($27::text[])[1 + (p.ph + k.k * 5) % array_length($27::text[], 1)],
                     'channel', ($28::text[])[1 + (p.ph + k.k * 5) % array_length($28::text[], 1)],
                     'outcome', ($29::text[])[1 + (p.ph + k.k * 5) % array_length($29::text[], 1)]) end,
              'seed'
       from p join generate_series(0, 2) as k(k) on k.k <= p.ph % 3
       where p.fy = $21 and p.habit in (2, 3, 4, 5, 6) and (p.ph % 100) < 60
         and p.first_due + 12 + k.k * 23 <= $20::date
       returning 1
     ),
     pay as materialized (
       select * from (
         select i.plan_id, i.account_id, i.stream, i.fy, i.dd, i.h, i.habit,
                case i.habit
                  when 0 then i.due
                  when 6 then i.due
                  when 1 then i.due - (i.h % 6)
                  when 2 then i.due + 4 + (i.h % 38)
                  when 3 then i.due + (i.h % 12)
                  when 4 then case when i.dd then i.due else i.due - (i.h % 3) end
                  else null
                end as paid_on,
                case
                  when i.habit = 5 then 0
                  when i.habit = 4 and i.seq > i.stop_after then 0
                  when i.habit = 6 and i.seq = i.stop_after and i.fy = $21 then 0
                  when i.habit = 3 then ((i.amt * (45 + i.h % 46)) / 10000) * 100
                  else i.amt
                end as paid
         from i
       ) x
       where paid > 0 and paid_on <= $20::date
     ),
     catch_up as (
       select p.plan_id, p.account_id, p.stream, p.fy, p.dd, p.ph as h,
              least($20::date, make_date(p.fy + 1, 2, 15) + (p.ph % 90)) as paid_on,
              p.total - coalesce(s.paid, 0) as paid
       from p left join (select plan_id, sum(paid) as paid from pay
                         where fy < $21 and habit in (2, 3, 4, 5, 6) group by plan_id) s using (plan_id)
       where p.fy < $21
         and (p.ph % 100) < case p.habit when 2 then 100 when 6 then 100 when 3 then 75 when 4 then 55 when 5 then 30 else 0 end
         and p.total - coalesce(s.paid, 0) > 0
     ),
     entries as not materialized (
       select account_id, stream, 'charge' as kind, charge as amount, fy, liable_from as effective_date,
              issued_on as posted_on, charge_reason as reason from p
       union all
       select account_id, stream, 'adjustment', -adj1, fy, liable_from, issued_on, adj1_reason from p where adj1 > 0
       union all
       select account_id, stream, 'adjustment', -adj2, fy, liable_from, issued_on, adj2_reason from p where adj2 > 0
       union all
       select account_id, stream, 'payment', -paid, fy, paid_on, paid_on,
              case when dd then 'Direct Debit' else ($23::text[])[1 + (account_id % array_length($23::text[], 1))] end
       from pay
       union all
       select account_id, stream, 'payment', -paid, fy, paid_on, paid_on,
              ($23::text[])[1 + ((account_id + h) % array_length($23::text[], 1))]
       from catch_up
     ),
     ins_ledger as (
       insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, posted_at, source, reason)
       select account_id, kind, amount, fy, effective_date, ${at9('posted_on')}, 'seed', reason from entries
       returning 1
     )${aggregates ? `,\n${BILL_AGGREGATES_CTES}` : ''}
     select (select count(*) from ins_plans)::int as plans,
            (select count(*) from ins_inst)::int as instalments,
            (select count(*) from ins_events)::int as events,
            (select count(*) from ins_ledger)::int as ledger`,
    [
      ...params, // $1–$22
      CASH_CHANNELS, // $23
      ctx.authorityId, // $24
      TIMELINE_TEMPLATES.map((t) => t.type),
      TIMELINE_TEMPLATES.map((t) => t.summary),
      TIMELINE_TEMPLATES.map((t) => t.direction ?? null),
      TIMELINE_TEMPLATES.map((t) => t.channel ?? null),
      TIMELINE_TEMPLATES.map((t) => t.outcome ?? null),
    ],
  );
  return r;
}

/** Sundry and HB overpayment invoices: the charge, its payments and an event, in one statement. */
async function writeInvoices(
  tx: Db,
  ctx: { authorityId: number },
  rows: ChunkRows,
  accountIds: number[],
  customerByAccount: number[],
  aggregates: boolean,
): Promise<{ ledger: number; events: number }> {
  const [r] = await tx.query<{ ledger: number; events: number }>(
    `with t as materialized (
       select * from unnest($1::bigint[], $2::bigint[], $3::smallint[], $4::date[], $5::bigint[], $6::text[],
                            $7::date[], $8::bigint[], $9::date[], $10::bigint[], $11::int[], $13::text[])
         as t(account_id, customer_id, fy, raised_on, amount, reason, lump_on, lump, monthly_from, monthly, months, stream)
     ),
     entries as ${aggregates ? 'materialized' : 'not materialized'} (
       select account_id, stream, 'charge' as kind, amount, fy, raised_on as effective_date, reason from t
       union all
       select account_id, stream, 'payment', -lump, fy, lump_on, 'Card payment (online)'
       from t where lump > 0
       union all
       select t.account_id, t.stream, 'payment', -t.monthly, t.fy, (t.monthly_from + make_interval(months => m.m))::date,
              case when t.reason like 'Housing Benefit%' then 'Deduction from ongoing Housing Benefit' else 'Standing order' end
       from t join generate_series(0, 36) as m(m) on m.m < t.months
     ),
     ins_ledger as (
       insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, posted_at, source, reason)
       select account_id, kind, amount, fy, effective_date, ${at9('effective_date')}, 'seed', reason from entries
       returning 1
     ),${aggregates ? `\n${reportAggregatesCtes().replaceAll('$24::int', '$12::int')},` : ''}
     ins_events as (
       insert into events (authority_id, customer_id, account_id, at, type, summary, detail, by_system)
       select $12::int, customer_id, account_id, ${at9('raised_on')}, 'invoice_raised',
              'Invoice raised: ' || reason || ', £' || to_char(amount / 100.0, 'FM999,999,990.00'),
              jsonb_build_object('amount_pence', amount, 'financial_year', fy), 'seed'
       from t
       returning 1
     )
     select (select count(*) from ins_ledger)::int as ledger, (select count(*) from ins_events)::int as events`,
    [
      map(accountIds, rows.iAccount),
      rows.iAccount.map((a) => customerByAccount[a]),
      rows.iFy,
      rows.iDate,
      rows.iAmount,
      rows.iReason,
      rows.iLumpDate,
      rows.iLumpAmount,
      rows.iMonthlyFrom,
      rows.iMonthlyAmount,
      rows.iMonthlyCount,
      ctx.authorityId,
      rows.iAccount.map((a) => rows.acStream[a]),
    ],
  );
  return r;
}

// -----------------------------------------------------------------------------------------------

const SEEDED_TABLES = [
  'customers',
  'properties',
  'customer_addresses',
  'accounts',
  'liabilities',
  'liability_parties',
  'instalment_plans',
  'instalments',
  'ledger_entries',
  'events',
];

/**
 * The big tables (tens of rows per dwelling) whose primary keys a bulk load builds after the rows are
 * in. Nothing the seed writes is checked against them, so they are not needed during the load.
 */
const KEYS_BUILT_AFTER_LOAD = ['instalments', 'ledger_entries', 'events'];

/** Partial indexes none of the seed's rows fall in (it writes no write-offs): kept through the load. */
const INDEXES_NOT_REBUILT = ['ledger_write_offs'];

interface BulkLoad {
  /** The tables emptied at the start (the seeded ones and every table that refers to them). */
  truncated: string[];
  /** Statements that build the indexes, keys and foreign keys dropped for the load, in order. */
  rebuild: string[];
}

/**
 * A first load into an empty database, inside the seed's one transaction (PGlite), done as
 * pg_restore does it: the rows first, then the indexes and keys, each built once from sorted data
 * instead of being updated row by row (a third of the seed's time at 150,000 dwellings).
 * The seeded tables are also truncated first: PGlite runs with wal_level = minimal, and rows put
 * into a table emptied in the same transaction are not written to the write-ahead log at all (the
 * table's files are synced at commit instead). Both are safe only because the transaction is
 * all or nothing: killed part-way, nothing of it remains, indexes and keys included.
 * Returns undefined (an ordinary load) unless every seeded table, and every table that refers to
 * one, is empty.
 */
async function prepareBulkLoad(tx: Db): Promise<BulkLoad | undefined> {
  // The seeded tables and every table whose foreign keys lead to one: TRUNCATE needs them all.
  const closure = await tx.query<{ name: string }>(
    `with recursive t(oid) as (
       select to_regclass(x)::oid from unnest($1::text[]) as x
       union
       select c.conrelid from pg_constraint c join t on c.confrelid = t.oid where c.contype = 'f'
     )
     select oid::regclass::text as name from t order by 1`,
    [SEEDED_TABLES],
  );
  const truncated = closure.map((t) => t.name);
  const [empty] = await tx.query<{ empty: boolean }>(
    `select ${truncated.map((t) => `not exists (select 1 from ${t})`).join(' and ')} as empty`,
  );
  if (!empty.empty) return undefined;

  const ddl = await tx.query<{ step: number; drop_sql: string; create_sql: string }>(
    `with seeded as (select to_regclass(x)::oid as oid from unnest($1::text[]) as x),
          keyed as (select to_regclass(x)::oid as oid from unnest($2::text[]) as x)
     -- foreign keys that refer to the big tables' keys (they go first, come back last)
     select 3 as step, format('alter table %s drop constraint %I', c.conrelid::regclass, c.conname) as drop_sql,
            format('alter table %s add constraint %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)) as create_sql
       from pg_constraint c where c.contype = 'f' and c.confrelid in (select oid from keyed)
     union all
     -- the big tables' primary keys and unique constraints
     select 1, format('alter table %s drop constraint %I', c.conrelid::regclass, c.conname),
            format('alter table %s add constraint %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
       from pg_constraint c where c.contype in ('p', 'u') and c.conrelid in (select oid from keyed)
     union all
     -- every other index on a seeded table (search, trigram, foreign-key look-ups), but those that
     -- hold none of the seed's rows: building one would read the whole table for nothing
     select 2, format('drop index %s', x.indexrelid::regclass), pg_get_indexdef(x.indexrelid)
       from pg_index x
      where x.indrelid in (select oid from seeded)
        and x.indexrelid::regclass::text <> all ($3::text[])
        and not exists (select 1 from pg_constraint c where c.conindid = x.indexrelid)
     order by 1, 3`,
    [SEEDED_TABLES, KEYS_BUILT_AFTER_LOAD, INDEXES_NOT_REBUILT],
  );
  await tx.exec(`truncate ${truncated.join(', ')}`);
  for (const step of [3, 1, 2]) {
    for (const d of ddl.filter((x) => x.step === step)) await tx.exec(d.drop_sql);
  }
  return { truncated, rebuild: ddl.map((d) => d.create_sql) };
}

/**
 * When the seed may write with session_replication_role = replica, which turns off every trigger
 * of the default (ORIGIN) kind, foreign keys included: only as a superuser, and only into tables
 * with no such trigger on INSERT besides the internal foreign-key ones and those listed in
 * DONE_BY_SEED. A table with any other (an audit, a cache) is written with triggers on, so
 * nothing that must fire is skipped; a trigger enabled ALWAYS fires in either mode.
 */
interface TriggerPolicy {
  superuser: boolean;
  /** Seeded tables with INSERT triggers that replica mode would skip, each with the trigger names. */
  withInsertTriggers: Map<string, string[]>;
  /** The seed writes the report aggregates itself (reportAggregatesCtes) where it skips the ledger trigger. */
  reportAggregates: boolean;
}

/**
 * Insert triggers the seed may skip because it does their work itself, per chunk and set-based,
 * when the tables they maintain exist. reports (007): the ledger-delta trigger feeds the report
 * aggregates, which the ledger statements write directly (reportAggregatesCtes).
 */
const DONE_BY_SEED: Record<string, { tables: string[] }> = {
  ledger_entries_report_deltas: { tables: ['report_ledger_days', 'report_account_years', 'report_year_balances'] },
};

async function triggerPolicy(db: Db): Promise<TriggerPolicy> {
  const [su] = await db.query<{ superuser: boolean }>(`select current_setting('is_superuser') = 'on' as superuser`);
  const rows = await db.query<{ table_name: string; trigger_name: string }>(
    `select c.relname as table_name, t.tgname as trigger_name
       from pg_trigger t join pg_class c on c.oid = t.tgrelid
      where not t.tgisinternal and (t.tgtype & 4) <> 0 and t.tgenabled = 'O'
        and t.tgrelid = any (array(select to_regclass(x) from unnest($1::text[]) as x))
      order by 1, 2`,
    [SEEDED_TABLES],
  );
  const withInsertTriggers = new Map<string, string[]>();
  for (const r of rows) withInsertTriggers.set(r.table_name, [...(withInsertTriggers.get(r.table_name) ?? []), r.trigger_name]);
  // Triggers whose work the seed does itself are skipped like foreign keys, when the tables it
  // writes exist; any other insert trigger makes its table write with triggers on.
  let reportAggregates = false;
  for (const [table, names] of [...withInsertTriggers]) {
    const remaining: string[] = [];
    for (const name of names) {
      const done = DONE_BY_SEED[name];
      const [found] = done
        ? await db.query<{ n: number }>('select count(to_regclass(x))::int as n from unnest($1::text[]) as x', [done.tables])
        : [{ n: -1 }];
      if (done && found.n === done.tables.length && name === 'ledger_entries_report_deltas') reportAggregates = true;
      else remaining.push(name);
    }
    if (remaining.length) withInsertTriggers.set(table, remaining);
    else withInsertTriggers.delete(table);
  }
  return { superuser: su.superuser, withInsertTriggers, reportAggregates: su.superuser && reportAggregates };
}

/** Sets the replication role for each statement of a chunk's transaction, only when it changes. */
class ReplicationRole {
  private current: 'origin' | 'replica' | undefined;
  constructor(
    private readonly tx: Db,
    private readonly policy: TriggerPolicy,
  ) {}

  /** Sets the role for a statement writing these tables; true when it runs as replica (triggers skipped). */
  async use(tables: string[]): Promise<boolean> {
    if (!this.policy.superuser) return false;
    const wanted = tables.some((t) => this.policy.withInsertTriggers.has(t)) ? 'origin' : 'replica';
    if (wanted !== this.current) {
      await this.tx.exec(`set local session_replication_role = ${wanted}`);
      this.current = wanted;
    }
    return wanted === 'replica';
  }
}

function validate(options: SeedCouncilOptions) {
  const whole = (v: unknown, label: string, max: number) => {
    if (!Number.isSafeInteger(v) || (v as number) < 0 || (v as number) > max) {
      throw new ValidationError(`${label} must be a whole number from 0 to ${max.toLocaleString('en-GB')}, got ${String(v)}`);
    }
  };
  whole(options.dwellings, 'dwellings', 9_000_000);
  whole(options.businesses, 'businesses', 999_999);
  if (!Number.isSafeInteger(options.seed)) throw new ValidationError(`seed must be a whole number, got ${String(options.seed)}`);
  assertIsoDate(options.asOf, 'asOf');
  if (options.chunkSize !== undefined) whole(options.chunkSize, 'chunkSize', 100_000);
  if (options.concurrency !== undefined) whole(options.concurrency, 'concurrency', 16);
}

/** Seeds one billing authority; refuses if it already has accounts. */
export async function seedCouncil(db: Db, options: SeedCouncilOptions): Promise<SeedCouncilReport> {
  const started = performance.now();
  validate(options);
  const authority = findAuthority(options.onsCode);

  // The authority row (kept if the lead already created it, e.g. for users) and the guard.
  await db.query(`insert into billing_authorities (ons_code, name, nation) values ($1, $2, $3) on conflict (ons_code) do nothing`, [
    authority.onsCode,
    authority.name,
    authority.nation,
  ]);
  const [{ id: authorityId }] = await db.query<{ id: number }>('select id from billing_authorities where ons_code = $1', [
    authority.onsCode,
  ]);
  if (db.kind !== 'pglite') return seedAuthority(db, options, authority, authorityId, started, undefined);

  // PGlite: the whole seed is one transaction, so a seed that fails or is killed part-way leaves
  // nothing behind and can simply be run again (and a first load can be a bulk load, see
  // prepareBulkLoad). Only the failure itself is recorded, after the rollback.
  const attempt: Attempt = { runOpened: false, rows: 0 };
  try {
    return await db.transaction((tx) => seedAuthority(tx, options, authority, authorityId, started, attempt));
  } catch (error) {
    if (attempt.runOpened) {
      await db.query(
        `insert into batch_runs (authority_id, kind, as_of, status, finished_at, report) values ($1, 'seed', $2, 'failed', now(), $3)`,
        [
          authorityId,
          options.asOf,
          JSON.stringify({
            options: { ...options, onProgress: undefined },
            error: error instanceof Error ? error.message : String(error),
            rolledBack: `nothing was kept: the seed is one transaction, and ${attempt.rows.toLocaleString('en-GB')} rows written before the failure were rolled back`,
          }),
        ],
      );
    }
    throw error;
  }
}

/** What an atomic (PGlite) seed had done when it failed. */
interface Attempt {
  runOpened: boolean;
  rows: number;
}

/**
 * Seeds the authority. `attempt` is set when this runs inside one transaction (PGlite): failures
 * are then recorded by the caller after the rollback, and a first load is a bulk load.
 */
async function seedAuthority(
  db: Db,
  options: SeedCouncilOptions,
  authority: Authority,
  authorityId: number,
  started: number,
  attempt: Attempt | undefined,
): Promise<SeedCouncilReport> {
  const asOf = options.asOf;
  const current = financialYearOf(asOf).startYear;
  const previous = current - 1;
  const chunkSize = Math.max(1, options.chunkSize ?? DEFAULT_CHUNK);
  const concurrency = db.kind === 'postgres' ? Math.max(1, options.concurrency ?? 2) : 1;
  const [existing] = await db.query<{ n: number }>(
    'select count(*)::int as n from (select 1 from accounts where authority_id = $1 limit 1) x',
    [authorityId],
  );
  if (existing.n > 0) {
    throw new ConflictError(
      `${authority.name} (${authority.onsCode}) already has accounts: a council is seeded once. ` +
        'Seed into a fresh database, or choose another authority.',
    );
  }
  // Account numbers continue after any already in the database, so references stay unique across
  // authorities seeded into one database (payments are matched on the reference).
  const maxima = await db.query<{ stream: string; n: number }>(
    `select stream, max(substr(reference, 2, 8)::int)::int as n from accounts where reference ~ '^\d{10}$' group by stream`,
  );
  const nextNumber: Record<string, number> = {};
  for (const s of ['council_tax', 'business_rates', 'sundry', 'hb_overpayment']) {
    nextNumber[s] = Math.max(100_001, (maxima.find((m) => m.stream === s)?.n ?? 0) + 1);
  }
  if (nextNumber.council_tax + options.dwellings > 99_999_999) {
    throw new ValidationError('account numbers would run past 99999999 for this database');
  }

  // A first load into an empty embedded database: emptied, indexes and keys built at the end.
  const bulk = attempt ? await prepareBulkLoad(db) : undefined;

  const [run] = await db.query<{ id: number }>(
    `insert into batch_runs (authority_id, kind, as_of, status, report)
     values ($1, 'seed', $2, 'running', $3) returning id`,
    [authorityId, asOf, JSON.stringify({ options: { ...options, onProgress: undefined } })],
  );
  const [firstRunning] = await db.query<{ id: number }>(
    `select min(id)::int as id from batch_runs where authority_id = $1 and kind = 'seed' and status = 'running'`,
    [authorityId],
  );
  if (firstRunning.id !== run.id) {
    await db.query(`update batch_runs set status = 'failed', finished_at = now(), report = $2 where id = $1`, [
      run.id,
      JSON.stringify({ error: 'another seed of this authority is running' }),
    ]);
    throw new ConflictError(
      `${authority.name} (${authority.onsCode}) is already being seeded (batch run ${firstRunning.id}); ` +
        'if that process died, mark its batch run failed and seed into a fresh database',
    );
  }
  if (attempt) attempt.runOpened = true;

  const totals = emptyCounts();
  const inflight: Promise<void>[] = [];
  try {
    const faker = new Faker({ locale: [en_GB, en, base] });
    faker.seed(options.seed);
    // Band D: the open-data figure is this year's; last year's is it less the 4.99% most councils added.
    const bandD = { [current]: authority.bandDPence, [previous]: divideRoundHalfUp(authority.bandDPence * 10_000, 10_499) };
    const tariffs = new Tariffs(authority.nation, bandD);
    const notes: string[] = [];
    if (authority.bandDSource.note) notes.push(`Band D: ${authority.bandDSource.note}`);
    notes.push(
      `Band D ${formatFinancialYear({ startYear: current })} ${formatPence(bandD[current])} from data/band-d-by-authority.csv; ` +
        `${formatFinancialYear({ startYear: previous })} ${formatPence(bandD[previous])} (4.99% less)`,
    );

    const ctx: SeedContext = {
      faker,
      authority,
      authorityId,
      asOf,
      current,
      previous,
      places: names.placesFor(faker, authority.onsCode, authority.town, options.dwellings),
      tariffs,
      nextNumber,
      bandQuota: bandQuota(authority.dwellingsByBand, options.dwellings),
      street: null,
      // about one councillor per 2,000 dwellings (Wigan: 75 members for 142,000), at least 3
      councillorEvery: Math.max(1, Math.floor(options.dwellings / Math.max(3, Math.round(options.dwellings / 2_000)))),
      // a handful of contact warnings: about one per 5,000 dwellings, at least 2
      warningEvery: Math.max(1, Math.floor(options.dwellings / Math.max(2, Math.round(options.dwellings / 5_000)))),
      firstCouncillorDone: false,
    };

    // Per-transaction settings for the bulk writes. Foreign-key checks are skipped (replica role, as
    // pg_restore does) table by table, only where that skips nothing else (see triggerPolicy). The
    // tests check referential integrity instead.
    const triggers = await triggerPolicy(db);
    const chunkSettings = "set local work_mem = '64MB'; set local synchronous_commit = off";
    if (!triggers.superuser) notes.push('not a superuser: foreign keys were checked row by row (slower)');
    for (const [table, names] of triggers.withInsertTriggers) {
      notes.push(
        `${table} has insert triggers (${names.join(', ')}): its rows were written with triggers and foreign-key checks on (slower)`,
      );
    }

    let failure: unknown;
    const clock = new PhaseClock();
    const writeCtx = { authorityId, asOf, current, triggers, clock };
    const add = (c: Counts) => {
      for (const k of Object.keys(c) as (keyof Counts)[]) totals[k] += c[k];
    };

    const runPhase = async (
      phase: SeedProgress['phase'],
      total: number,
      generate: (rows: ChunkRows, start: number, count: number) => void,
    ) => {
      for (let start = 0; start < total && failure === undefined; start += chunkSize) {
        const count = Math.min(chunkSize, total - start);
        const rows = new ChunkRows();
        const t0 = performance.now();
        generate(rows, start, count);
        clock.add(`generate ${phase} (JS)`, performance.now() - t0);
        // Ids are reserved in chunk order (deterministic on a fresh database), then written while the
        // next chunk is generated.
        const ids = await clock.time('reserve ids', () => reserveIds(db, rows));
        const done = start + count;
        const task = clock
          .time('chunk transactions (whole, incl. commit)', () =>
            db.transaction(async (tx) => {
              await tx.exec(chunkSettings);
              return writeChunk(tx, writeCtx, rows, ids);
            }),
          )
          .then((c) => {
            add(c);
            if (attempt) attempt.rows = sumCounts(totals);
            if (options.onProgress) {
              const progress: SeedProgress = {
                phase,
                done,
                total,
                rows: sumCounts(totals),
                seconds: (performance.now() - started) / 1000,
              };
              options.onProgress(
                `seed ${authority.name}: ${phase} ${done.toLocaleString('en-GB')}/${total.toLocaleString('en-GB')}, ` +
                  `${progress.rows.toLocaleString('en-GB')} rows, ${progress.seconds.toFixed(1)} s`,
                progress,
              );
            }
          })
          .catch((error: unknown) => {
            failure ??= error;
          });
        inflight.push(task);
        if (inflight.length >= concurrency) await inflight.shift();
      }
      while (inflight.length) await inflight.shift();
    };

    await runPhase('dwellings', options.dwellings, (rows, start, count) => generateDwellings(ctx, rows, start, count));
    await runPhase('businesses', options.businesses, (rows, start, count) => generateBusinesses(ctx, rows, start, count));
    if (failure !== undefined) throw failure;
    if (triggers.reportAggregates) notes.push('the report aggregates were written with each chunk (the ledger-delta trigger was skipped)');
    if (bulk) {
      // Built once from the loaded rows; a sort in memory per index where it fits.
      await clock.time('indexes and keys (built after the load)', async () => {
        await db.exec("set local maintenance_work_mem = '512MB'");
        for (const statement of bulk.rebuild) await db.exec(statement);
      });
      notes.push(
        `bulk load into an empty database: ${bulk.truncated.length} tables emptied in the seed's transaction (no write-ahead log for their rows), ` +
          `${bulk.rebuild.length} indexes and keys built after the rows were in`,
      );
    }
    // Fresh statistics so the first queries on the new council plan well (PGlite has no autovacuum).
    // A 7,500-row sample per table is plenty for generated data and keeps this to a second or two.
    await clock.time('analyze', () =>
      db.transaction(async (tx) => {
        await tx.exec('set local default_statistics_target = 25');
        await tx.exec(SEEDED_TABLES.map((t) => `analyze ${t}`).join('; '));
      }),
    );
    notes.push(...tariffs.notes);
    const report: SeedCouncilReport = {
      authorityId,
      onsCode: authority.onsCode,
      name: authority.name,
      nation: authority.nation,
      batchRunId: run.id,
      asOf,
      financialYears: [previous, current],
      bandDPence: { previous: bandD[previous], current: bandD[current] },
      dwellings: options.dwellings,
      businesses: options.businesses,
      ...totals,
      rows: sumCounts(totals) + 1, // + the batch run
      seconds: Math.round((performance.now() - started) / 10) / 100,
      phaseSeconds: clock.seconds(),
      notes,
    };
    await db.query(`update batch_runs set status = 'completed', finished_at = now(), report = $2 where id = $1`, [
      run.id,
      JSON.stringify(report),
    ]);
    return report;
  } catch (error) {
    while (inflight.length) await inflight.shift();
    // In one transaction (PGlite) the caller records the failure after the rollback.
    if (attempt) throw error;
    await db.query(`update batch_runs set status = 'failed', finished_at = now(), report = report || $2 where id = $1`, [
      run.id,
      JSON.stringify({ error: error instanceof Error ? error.message : String(error), partial: totals }),
    ]);
    throw error;
  }
}
