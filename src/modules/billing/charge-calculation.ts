// An account's charge for one financial year, worked out day by day (LGFA 1992 s.2; LGFA 1988
// s.43–45 for rates). Pure: it takes a snapshot (liability periods, the property's valuation
// history, the awards, the council's rates) and returns the lines a bill prints.
//
// The year is cut into periods wherever anything that affects the charge changes: a liability
// starts or ends, the band or rateable value changes, an award starts or ends, a long-term empty
// premium steps up on an anniversary. Adjacent periods with the same terms are merged, so each line
// is one stretch of days at one set of terms. Each line is priced by the domain calculators:
//   council tax:    councilTaxPeriodCharge(band amount, from, to, discount % or premium %), then
//                   Council Tax Reduction as weekly award × days ÷ 7 (rounded half up, at most the
//                   line's net);
//   business rates: annualBusinessRates(RV, use, reliefs) apportioned by days (each figure rounded
//                   once), then any discretionary relief as a percentage of what is left.
// For a whole year at one set of terms the line is exactly the annual figure, so the statutory
// vectors come out unchanged through here.
//
// One reduction applies to a council tax day: an exemption, else the highest premium, else the
// highest discount (a discount and a premium never combine; the calculator refuses both).
import { ValidationError } from '../../errors.ts';
import { annualBusinessRates, businessRatesRule, emptyPropertyChargedFrom, emptyPropertyDay } from '../../domain/business-rates.ts';
import { bandAnnualAmount, isCouncilTaxBand } from '../../domain/council-tax-bands.ts';
import { apportionAnnualAmount, councilTaxPeriodCharge } from '../../domain/council-tax-period-charge.ts';
import {
  addDays,
  addMonths,
  compareDates,
  daysBetweenInclusive,
  daysInFinancialYear,
  financialYearEnd,
  financialYearStart,
  maxDate,
  minDate,
  type IsoDate,
} from '../../domain/calendar.ts';
import type { Nation } from '../../domain/law/rules.ts';
import { normaliseDecimalText, parseDecimal, percentOfPence, prorate, type Pence } from '../../domain/money.ts';
import { EMPTY_PROPERTY_CODES, reductionCode, type ReductionAward, type ReductionRate } from './reductions.ts';

export type BillingTax = 'council_tax' | 'business_rates';
export type Component = 'gross' | 'premium' | 'discount' | 'ctr' | 'relief';
export const COMPONENTS: readonly Component[] = ['gross', 'premium', 'discount', 'ctr', 'relief'];

export interface ValuationPoint {
  effectiveFrom: IsoDate;
  band: string | null;
  rateableValuePounds: number | null;
  retailHospitalityLeisure: boolean;
  description?: string | null;
}

export interface LiabilityPeriod {
  id: number;
  from: IsoDate;
  to: IsoDate | null;
  propertyId: number;
}

export interface CouncilTaxRates {
  bandDPence: Pence;
  precepts: { preceptor: string; bandDPence: Pence }[];
  reductionRates: ReductionRate[];
}

export interface ChargeSnapshot {
  tax: BillingTax;
  nation: Nation;
  /** "2026/27" */
  financialYear: string;
  liabilities: LiabilityPeriod[];
  /** Valuation history per property id, any order. */
  valuations: Record<number, ValuationPoint[]>;
  reductions: ReductionAward[];
  /** Required for council tax. */
  councilTax?: CouncilTaxRates;
}

export interface LineAdjustment {
  component: Exclude<Component, 'gross'>;
  code: string;
  label: string;
  /** e.g. "25", or null for amounts (Council Tax Reduction). */
  percent: string | null;
  /** Always positive: premiums add it, the others take it off. */
  pence: Pence;
  basis?: string;
}

export interface ChargeLine {
  liabilityId: number;
  propertyId: number;
  from: IsoDate;
  to: IsoDate;
  days: number;
  daysInYear: number;
  band: string | null;
  rateableValuePounds: number | null;
  retailHospitalityLeisure: boolean | null;
  /** Council tax: the band's annual amount. Rates: RV × multiplier. */
  annualPence: Pence;
  multiplierName: string | null;
  multiplierPence: string | null;
  grossPence: Pence;
  adjustments: LineAdjustment[];
  netPence: Pence;
}

export interface ChargeTotals {
  gross: Pence;
  premium: Pence;
  discount: Pence;
  ctr: Pence;
  relief: Pence;
  net: Pence;
}

export interface PreceptShare {
  preceptor: string;
  bandDPence: Pence;
  /** The share of each band's annual amount that appears on this bill. */
  byBand: Record<string, Pence>;
}

export interface ChargeCalculation {
  tax: BillingTax;
  financialYear: string;
  lines: ChargeLine[];
  totals: ChargeTotals;
  precepts: PreceptShare[];
  bandDPence: Pence | null;
  notes: string[];
}

/** Signed amount of a component as the ledger holds it: + for gross and premium, − for the rest. */
export function signedComponent(component: Component, pence: Pence): Pence {
  return component === 'gross' || component === 'premium' ? pence : -pence;
}

/** The ledger's view of the totals: each component signed. */
export function signedTotals(totals: ChargeTotals): Record<Component, Pence> {
  return {
    gross: totals.gross,
    premium: totals.premium,
    discount: -totals.discount,
    ctr: -totals.ctr,
    relief: -totals.relief,
  };
}

function valuationOn(points: ValuationPoint[], day: IsoDate): ValuationPoint | undefined {
  let found: ValuationPoint | undefined;
  for (const p of points) {
    if (compareDates(p.effectiveFrom, day) <= 0 && (!found || compareDates(p.effectiveFrom, found.effectiveFrom) > 0)) found = p;
  }
  return found;
}

const activeOn = (a: ReductionAward, day: IsoDate) => compareDates(a.from, day) <= 0 && (a.to === null || compareDates(day, a.to) <= 0);

interface CtTerms {
  band: string;
  reduction: { code: string; rate: ReductionRate } | null;
  ctrWeeklyPence: number;
  ignored: string[];
}

interface RatesTerms {
  rv: number;
  rhl: boolean;
  sbrr: boolean;
  charity: boolean;
  discretionaryPercent: string | null;
  /** Unoccupied on this day (s.45): whether it is free and why. */
  empty: { free: boolean; reason: string } | null;
}

function ctTermsOn(snapshot: ChargeSnapshot, valuation: ValuationPoint, day: IsoDate): CtTerms {
  const rates = snapshot.councilTax!.reductionRates;
  const active = snapshot.reductions.filter((a) => activeOn(a, day));
  const rateFor = (code: string, minYears = 0) => rates.find((r) => r.code === code && r.minYearsEmpty === minYears);
  const need = (code: string, minYears = 0) => {
    const rate = rateFor(code, minYears);
    if (!rate) throw new ValidationError(`No ${reductionCode(code)?.label ?? code} rate is set for ${snapshot.financialYear}: add it to the year's charges`);
    return rate;
  };
  const ignored: string[] = [];
  let reduction: CtTerms['reduction'] = null;
  const exemptions = active.filter((a) => reductionCode(a.code)?.kind === 'exemption');
  if (exemptions.length) {
    reduction = { code: exemptions[0].code, rate: need(exemptions[0].code) };
  } else {
    const premiums: { code: string; rate: ReductionRate }[] = [];
    for (const a of active) {
      if (a.code === 'second_home') premiums.push({ code: a.code, rate: need(a.code) });
      if (a.code === 'long_term_empty') {
        if (!a.emptySince) throw new ValidationError('A long-term empty premium needs the date the dwelling became empty');
        const tiers = rates
          .filter((r) => r.code === 'long_term_empty' && compareDates(addMonths(a.emptySince!, 12 * r.minYearsEmpty), day) <= 0)
          .sort((x, y) => y.minYearsEmpty - x.minYearsEmpty);
        if (tiers.length) premiums.push({ code: a.code, rate: tiers[0] });
      }
    }
    const discounts = active
      .filter((a) => reductionCode(a.code)?.kind === 'discount')
      .map((a) => ({ code: a.code, rate: need(a.code) }));
    const highest = (list: { code: string; rate: ReductionRate }[]) =>
      list.reduce<{ code: string; rate: ReductionRate } | null>(
        (best, c) => (!best || parseDecimalCompare(c.rate.percent, best.rate.percent) > 0 ? c : best), null);
    if (premiums.length) {
      reduction = highest(premiums);
      if (discounts.length) ignored.push(`${discounts.map((d) => d.rate.label).join(', ')} not applied: a premium applies`);
    } else if (discounts.length) {
      reduction = highest(discounts);
    }
  }
  const ctrWeeklyPence = active.filter((a) => a.code === 'council_tax_reduction').reduce((s, a) => s + (a.weeklyPence ?? 0), 0);
  return { band: valuation.band!, reduction, ctrWeeklyPence, ignored };
}

function parseDecimalCompare(a: string, b: string): number {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  const scale = Math.max(x.scale, y.scale);
  const xa = x.units * 10n ** BigInt(scale - x.scale);
  const ya = y.units * 10n ** BigInt(scale - y.scale);
  return xa < ya ? -1 : xa > ya ? 1 : 0;
}

function ratesTermsOn(snapshot: ChargeSnapshot, valuation: ValuationPoint, day: IsoDate): RatesTerms {
  const active = snapshot.reductions.filter((a) => activeOn(a, day));
  const discretionary = active.filter((a) => a.code === 'discretionary_relief' && a.percent);
  // Two empty awards on one day would be an officer's error; the earliest-recorded one counts.
  const emptyAward = active.filter((a) => EMPTY_PROPERTY_CODES[a.code]).sort((x, y) => x.id - y.id)[0];
  let empty: RatesTerms['empty'] = null;
  if (emptyAward) {
    if (!emptyAward.emptySince) throw new ValidationError('An empty property award needs the date the property became empty');
    const rule = businessRatesRule(snapshot.nation, snapshot.financialYear).emptyProperty;
    empty = emptyPropertyDay(rule, { kind: EMPTY_PROPERTY_CODES[emptyAward.code], emptySince: emptyAward.emptySince, rateableValuePounds: valuation.rateableValuePounds!, day });
  }
  return {
    empty,
    rv: valuation.rateableValuePounds!,
    rhl: valuation.retailHospitalityLeisure,
    sbrr: active.some((a) => a.code === 'small_business_relief'),
    charity: active.some((a) => a.code === 'charity_relief'),
    discretionaryPercent: discretionary.length
      ? discretionary.map((a) => normaliseDecimalText(a.percent!)).reduce((best, p) => (parseDecimalCompare(p, best) > 0 ? p : best))
      : null,
  };
}

/** Splits the band's annual amount between the preceptors in proportion to their Band D shares. */
export function preceptSharesOf(annualPence: Pence, bandDPence: Pence, precepts: { preceptor: string; bandDPence: Pence }[]): Pence[] {
  if (!precepts.length) return [];
  const exact = precepts.map((p) => BigInt(annualPence) * BigInt(p.bandDPence));
  const floors = exact.map((e) => Number(e / BigInt(bandDPence)));
  let left = annualPence - floors.reduce((a, b) => a + b, 0);
  const order = exact
    .map((e, i) => ({ i, rem: e % BigInt(bandDPence) }))
    .sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (let k = 0; left > 0 && k < order.length; k++, left--) floors[order[k].i] += 1;
  return floors;
}

interface Segment {
  liability: LiabilityPeriod;
  from: IsoDate;
  to: IsoDate;
  valuation: ValuationPoint;
  key: string;
  ct?: CtTerms;
  rates?: RatesTerms;
}

export function calculateCharge(snapshot: ChargeSnapshot): ChargeCalculation {
  const fy = snapshot.financialYear;
  const yearStart = financialYearStart(fy);
  const yearEnd = financialYearEnd(fy);
  const daysInYear = daysInFinancialYear(fy);
  if (snapshot.tax === 'council_tax' && !snapshot.councilTax) throw new ValidationError(`No council tax charges are set for ${fy}`);
  const notes = new Set<string>();
  const segments: Segment[] = [];

  const liabilities = [...snapshot.liabilities].sort((a, b) => compareDates(a.from, b.from) || a.id - b.id);
  for (const liability of liabilities) {
    const from = maxDate(liability.from, yearStart);
    const to = minDate(liability.to ?? yearEnd, yearEnd);
    if (compareDates(from, to) > 0) continue;
    const points = snapshot.valuations[liability.propertyId] ?? [];
    // Days on which the terms may change.
    const changes = new Set<IsoDate>();
    const consider = (day: IsoDate) => {
      if (compareDates(day, from) > 0 && compareDates(day, to) <= 0) changes.add(day);
    };
    for (const p of points) consider(p.effectiveFrom);
    for (const a of snapshot.reductions) {
      consider(a.from);
      if (a.to) consider(addDays(a.to, 1));
      if (EMPTY_PROPERTY_CODES[a.code] && a.emptySince && snapshot.tax === 'business_rates') {
        const rule = businessRatesRule(snapshot.nation, fy).emptyProperty;
        const chargedFrom = emptyPropertyChargedFrom(rule, EMPTY_PROPERTY_CODES[a.code], a.emptySince);
        if (chargedFrom) consider(chargedFrom);
      }
      if (a.code === 'long_term_empty' && a.emptySince && snapshot.councilTax) {
        for (const r of snapshot.councilTax.reductionRates.filter((x) => x.code === 'long_term_empty')) {
          consider(addMonths(a.emptySince, 12 * r.minYearsEmpty));
        }
      }
    }
    const starts = [from, ...[...changes].sort(compareDates)];
    starts.forEach((start, i) => {
      const end = i + 1 < starts.length ? addDays(starts[i + 1], -1) : to;
      const valuation = valuationOn(points, start);
      if (!valuation) throw new ValidationError(`Property ${liability.propertyId} has no band or rateable value in force on ${start}`);
      let segment: Segment;
      if (snapshot.tax === 'council_tax') {
        if (!valuation.band || !isCouncilTaxBand(valuation.band)) {
          throw new ValidationError(`Property ${liability.propertyId} has no council tax band on ${start}`);
        }
        const ct = ctTermsOn(snapshot, valuation, start);
        ct.ignored.forEach((n) => notes.add(n));
        segment = {
          liability, from: start, to: end, valuation, ct,
          key: `${liability.id}|${ct.band}|${ct.reduction?.code ?? ''}|${ct.reduction?.rate.minYearsEmpty ?? ''}|${ct.ctrWeeklyPence}`,
        };
      } else {
        if (valuation.rateableValuePounds === null) {
          throw new ValidationError(`Property ${liability.propertyId} has no rateable value on ${start}`);
        }
        const rates = ratesTermsOn(snapshot, valuation, start);
        segment = {
          liability, from: start, to: end, valuation, rates,
          key: `${liability.id}|${rates.rv}|${rates.rhl}|${rates.sbrr}|${rates.charity}|${rates.discretionaryPercent ?? ''}|${rates.empty ? `${rates.empty.free}:${rates.empty.reason}` : ''}`,
        };
      }
      const last = segments[segments.length - 1];
      if (last && last.key === segment.key && addDays(last.to, 1) === segment.from) last.to = segment.to;
      else segments.push(segment);
    });
  }

  const lines = segments.map((s) => (snapshot.tax === 'council_tax' ? councilTaxLine(snapshot, s, daysInYear) : ratesLine(snapshot, s, daysInYear, notes)));
  const totals: ChargeTotals = { gross: 0, premium: 0, discount: 0, ctr: 0, relief: 0, net: 0 };
  for (const line of lines) {
    totals.gross += line.grossPence;
    for (const a of line.adjustments) totals[a.component] += a.pence;
    totals.net += line.netPence;
  }

  let precepts: PreceptShare[] = [];
  if (snapshot.tax === 'council_tax' && snapshot.councilTax) {
    const rates = snapshot.councilTax;
    const bands = [...new Set(lines.map((l) => l.band!))];
    precepts = rates.precepts.map((p) => ({ preceptor: p.preceptor, bandDPence: p.bandDPence, byBand: {} }));
    for (const band of bands) {
      const annual = lines.find((l) => l.band === band)!.annualPence;
      preceptSharesOf(annual, rates.bandDPence, rates.precepts).forEach((share, i) => (precepts[i].byBand[band] = share));
    }
  }

  return {
    tax: snapshot.tax,
    financialYear: fy,
    lines,
    totals,
    precepts,
    bandDPence: snapshot.councilTax?.bandDPence ?? null,
    notes: [...notes],
  };
}

function councilTaxLine(snapshot: ChargeSnapshot, s: Segment, daysInYear: number): ChargeLine {
  const ct = s.ct!;
  const rates = snapshot.councilTax!;
  const annual = bandAnnualAmount({ bandDPence: rates.bandDPence, band: ct.band as never, nation: snapshot.nation, financialYear: snapshot.financialYear });
  const r = ct.reduction;
  const isPremium = r?.rate.kind === 'premium';
  const period = councilTaxPeriodCharge({
    annualPence: annual.annualPence,
    from: s.from,
    to: s.to,
    financialYear: snapshot.financialYear,
    discountPercent: r && !isPremium ? r.rate.percent : 0,
    premiumPercent: r && isPremium ? r.rate.percent : 0,
  });
  const adjustments: LineAdjustment[] = [];
  if (r && isPremium && period.premiumPence > 0) {
    adjustments.push({ component: 'premium', code: r.code, label: r.rate.label, percent: normaliseDecimalText(r.rate.percent), pence: period.premiumPence, basis: r.rate.basis });
  } else if (r && !isPremium && period.discountPence > 0) {
    adjustments.push({ component: 'discount', code: r.code, label: r.rate.label, percent: normaliseDecimalText(r.rate.percent), pence: period.discountPence, basis: r.rate.basis });
  }
  let net = period.netPence;
  if (ct.ctrWeeklyPence > 0 && net > 0) {
    const ctr = Math.min(net, prorate(ct.ctrWeeklyPence, period.days, 7));
    if (ctr > 0) {
      adjustments.push({ component: 'ctr', code: 'council_tax_reduction', label: `Council Tax Reduction (${formatWeekly(ct.ctrWeeklyPence)} a week)`, percent: null, pence: ctr, basis: 'LGFA 1992 s.13A(1)(a) and the council\'s scheme' });
      net -= ctr;
    }
  }
  return {
    liabilityId: s.liability.id,
    propertyId: s.liability.propertyId,
    from: s.from,
    to: s.to,
    days: period.days,
    daysInYear,
    band: ct.band,
    rateableValuePounds: null,
    retailHospitalityLeisure: null,
    annualPence: annual.annualPence,
    multiplierName: null,
    multiplierPence: null,
    grossPence: period.grossPence,
    adjustments,
    netPence: net,
  };
}

function formatWeekly(pence: number): string {
  return `£${Math.floor(pence / 100)}.${String(pence % 100).padStart(2, '0')}`;
}

function ratesLine(snapshot: ChargeSnapshot, s: Segment, daysInYear: number, notes: Set<string>): ChargeLine {
  const t = s.rates!;
  const empty = t.empty;
  // Unoccupied: the occupiers' reliefs do not apply, and (our reading) nor does the retail,
  // hospitality and leisure multiplier, whose test is the hereditament's use.
  if (empty && (t.sbrr || t.charity || t.rhl)) {
    notes.add('While the property is empty, small business, charity and retail, hospitality and leisure relief do not apply.');
  }
  const annual = annualBusinessRates({
    financialYear: snapshot.financialYear,
    rateableValuePounds: t.rv,
    retailHospitalityLeisure: empty ? false : t.rhl,
    smallBusinessReliefEligible: empty ? false : t.sbrr,
    charity: empty ? false : t.charity,
    nation: snapshot.nation,
  });
  const days = daysBetweenInclusive(s.from, s.to);
  const part = (pence: Pence) => apportionAnnualAmount(pence, days, daysInYear);
  const gross = part(annual.grossPence);
  const adjustments: LineAdjustment[] = [];
  if (empty?.free && gross > 0) {
    adjustments.push({
      component: 'relief', code: 'empty_property_relief', label: `Empty property relief (${empty.reason})`, percent: '100', pence: gross,
      basis: businessRatesRule(snapshot.nation, snapshot.financialYear).emptyProperty.source,
    });
  }
  const m = annual.mandatoryRelief;
  if (m.pence > 0) {
    const pence = part(m.pence);
    if (pence > 0) {
      adjustments.push({
        component: 'relief', code: m.kind === 'charity' ? 'charity_relief' : 'small_business_relief',
        label: m.kind === 'charity' ? 'Mandatory charity relief' : 'Small business rate relief', percent: m.percent, pence,
        basis: m.kind === 'charity' ? 'LGFA 1988 s.43(5)–(6)' : 'LGFA 1988 s.43(4A)–(4B); SI 2017/102 art 3',
      });
    }
  }
  const rhl = annual.retailHospitalityLeisureRelief;
  if (rhl.pence > 0) {
    const pence = part(rhl.pence);
    if (pence > 0) adjustments.push({ component: 'relief', code: 'rhl_relief', label: 'Retail, hospitality and leisure relief', percent: rhl.percent, pence, basis: annual.sources[annual.sources.length - 1] });
  }
  let net = gross - adjustments.reduce((sum, a) => sum + a.pence, 0);
  if (t.discretionaryPercent && net > 0) {
    const pence = Math.min(net, percentOfPence(net, t.discretionaryPercent));
    if (pence > 0) {
      adjustments.push({ component: 'relief', code: 'discretionary_relief', label: 'Discretionary relief', percent: t.discretionaryPercent, pence, basis: 'LGFA 1988 s.47' });
      net -= pence;
    }
  }
  return {
    liabilityId: s.liability.id,
    propertyId: s.liability.propertyId,
    from: s.from,
    to: s.to,
    days,
    daysInYear,
    band: null,
    rateableValuePounds: t.rv,
    retailHospitalityLeisure: empty ? false : t.rhl,
    annualPence: annual.grossPence,
    multiplierName: annual.multiplierName,
    multiplierPence: annual.multiplierPence,
    grossPence: gross,
    adjustments,
    netPence: net,
  };
}
