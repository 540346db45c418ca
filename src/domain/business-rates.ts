// Annual business rates for one hereditament (England): multiplier, gross charge, mandatory relief.
//
//   gross  = rateable value (whole pounds) × multiplier (pence per pound, exact decimal), rounded
//            once, half up, to the penny. Integer arithmetic only: RV £12,341 × 43.2p is computed as
//            12,341 × 432 ÷ 10.
//   Small business rate relief (LGFA 1988 s.43(4A)–(4B); SI 2017/102 art 3): the chargeable amount
//            is A×B ÷ (C×E). E is 5,000,000 at RV ≤ £12,000 (in effect 100% relief) and, above
//            £12,000 and below £15,000, E = 3000 ÷ (RV − 12000) calculated to three decimal places
//            (a thousandth added when the ten-thousandths are more than five, otherwise dropped).
//            So the taper is continuous — "1% less for every £30" describes it, but a part of £30
//            still counts pro rata: RV £13,500 → E = 2 → 50% relief; RV £12,600 → E = 5 → 80%.
//   Charity / CASC relief (s.43(5)–(6)): the chargeable amount is one fifth (80% relief). SBRR does
//            not apply where the charity condition is met (s.43(4B)(b)), so a charity gets 80%.
//   Retail, hospitality and leisure relief (2025/26 only here): a percentage of what is left after
//            mandatory relief, capped in cash.
// net = gross − mandatory relief − RHL relief. Each figure is rounded once, half up, to the penny.
import { ValidationError } from '../errors.ts';
import { addMonths, assertIsoDate, compareDates, financialYearStart, formatFinancialYear, parseFinancialYear, type IsoDate } from './calendar.ts';
import {
  BUSINESS_RATES_RULES,
  type BusinessRatesYearRule,
  type EmptyPropertyRule,
  type MultiplierBand,
} from './law/business-rates.ts';
import { assertNation, ruleInForce, type Nation } from './law/rules.ts';
import { assertNonNegativePence, divideRoundHalfUpBig, parseDecimal, percentOfPence, powerOfTen, type Pence } from './money.ts';

/** E where relief is, in effect, total (SI 2017/102 art 3(2)). */
export const SBRR_FULL_RELIEF_E = 5_000_000;

export interface BusinessRatesInput {
  financialYear: string;
  /** Rateable value in whole pounds, as shown in the local list. */
  rateableValuePounds: number;
  /** Wholly or mainly used for retail, hospitality or leisure. */
  retailHospitalityLeisure: boolean;
  /** The ratepayer meets the SBRR occupation conditions (only one property, or the disregards). */
  smallBusinessReliefEligible: boolean;
  /** Charity or registered CASC using the property wholly or mainly for its purposes. */
  charity: boolean;
  /** Default 'england'. */
  nation?: Nation;
  /** For RHL relief: the cash cap still available to this business (defaults to the full cap). */
  retailHospitalityLeisureCapRemainingPence?: Pence;
}

export type MandatoryReliefKind = 'none' | 'small_business' | 'charity';

export interface BusinessRatesCharge {
  financialYear: string;
  multiplierName: string;
  /** Exactly as published: "43.2", "48.0". */
  multiplierPence: string;
  grossPence: Pence;
  mandatoryRelief: {
    kind: MandatoryReliefKind;
    /** Relief as a percentage of gross, to at most 2 decimal places: "80", "66.67". */
    percent: string;
    pence: Pence;
  };
  retailHospitalityLeisureRelief: { percent: string; pence: Pence };
  netPence: Pence;
  sources: string[];
}

export function businessRatesRule(nation: Nation, financialYear: string): BusinessRatesYearRule {
  return ruleInForce(BUSINESS_RATES_RULES, nation, financialYearStart(financialYear), 'business rates multiplier');
}

/** The one multiplier band for a rateable value and use in a year's rule. */
export function selectMultiplier(
  rule: BusinessRatesYearRule,
  rateableValuePounds: number,
  retailHospitalityLeisure: boolean,
): MultiplierBand {
  const matches = rule.multipliers.filter(
    (m) =>
      (m.retailHospitalityLeisure === 'any' || m.retailHospitalityLeisure === retailHospitalityLeisure) &&
      rateableValuePounds >= m.minRateableValuePounds &&
      (m.maxRateableValuePounds === undefined || rateableValuePounds <= m.maxRateableValuePounds),
  );
  if (matches.length !== 1) {
    throw new Error(`rule data error: ${matches.length} multipliers match RV £${rateableValuePounds} (${rule.source})`);
  }
  return matches[0];
}

/**
 * SBRR's E in thousandths (E = 2.000 → 2000n), or null when no relief applies (RV at or above the
 * taper end). The three-decimal rounding follows the Order: look at the ten-thousandths; more than
 * five adds a thousandth, five or fewer are dropped.
 */
export function smallBusinessReliefEThousandths(rule: BusinessRatesYearRule, rateableValuePounds: number): bigint | null {
  const { fullReliefMaxRvPounds, taperEndRvPounds } = rule.smallBusinessRateRelief;
  if (rateableValuePounds <= fullReliefMaxRvPounds) return BigInt(SBRR_FULL_RELIEF_E) * 1000n;
  if (rateableValuePounds >= taperEndRvPounds) return null;
  const numerator = BigInt(taperEndRvPounds - fullReliefMaxRvPounds) * 1000n;
  const denominator = BigInt(rateableValuePounds - fullReliefMaxRvPounds);
  const thousandths = numerator / denominator;
  const remainder = numerator % denominator;
  const tenThousandths = (remainder * 10n) / denominator; // the next decimal digit
  return tenThousandths > 5n ? thousandths + 1n : thousandths;
}

/** part ÷ whole as a percentage rounded half up to 2 decimal places, without trailing zeros. */
function percentText(part: bigint, whole: bigint): string {
  if (whole === 0n) return '0';
  const hundredths = divideRoundHalfUpBig(part * 10_000n, whole); // percent × 100
  const text = `${hundredths / 100n}.${(hundredths % 100n).toString().padStart(2, '0')}`;
  return text.replace(/\.?0+$/, '');
}

export function annualBusinessRates(input: BusinessRatesInput): BusinessRatesCharge {
  const rv = input.rateableValuePounds;
  if (!Number.isSafeInteger(rv) || rv < 0) {
    throw new ValidationError(`rateable value must be whole pounds, 0 or more, got ${String(rv)}`);
  }
  for (const flag of ['retailHospitalityLeisure', 'smallBusinessReliefEligible', 'charity'] as const) {
    if (typeof input[flag] !== 'boolean') throw new ValidationError(`${flag} must be true or false`);
  }
  const financialYear = formatFinancialYear(parseFinancialYear(input.financialYear));
  const nation = assertNation(input.nation ?? 'england');
  const rule = businessRatesRule(nation, financialYear);
  const band = selectMultiplier(rule, rv, input.retailHospitalityLeisure);
  const multiplier = parseDecimal(band.pence, 'multiplier');
  const sources = [rule.source];

  // A × B exactly, as a fraction of pence: RV × multiplier units ÷ 10^scale.
  const exactNumerator = BigInt(rv) * multiplier.units;
  const exactDenominator = powerOfTen(multiplier.scale);
  const grossPence = Number(divideRoundHalfUpBig(exactNumerator, exactDenominator));

  let mandatory: BusinessRatesCharge['mandatoryRelief'] = { kind: 'none', percent: '0', pence: 0 };
  if (input.charity) {
    // s.43(5): chargeable amount = A×B ÷ (C×5).
    const chargeable = Number(divideRoundHalfUpBig(exactNumerator, exactDenominator * 5n));
    mandatory = { kind: 'charity', percent: rule.charityReliefPercent, pence: grossPence - chargeable };
    sources.push('LGFA 1988 s.43(5)–(6): charity / CASC mandatory relief, chargeable amount one fifth');
  } else if (input.smallBusinessReliefEligible) {
    const eThousandths = smallBusinessReliefEThousandths(rule, rv);
    if (eThousandths !== null) {
      // s.43(4A): chargeable amount = A×B ÷ (C×E); E is held in thousandths.
      const chargeable = Number(divideRoundHalfUpBig(exactNumerator * 1000n, exactDenominator * eThousandths));
      mandatory = {
        kind: 'small_business',
        percent: percentText(eThousandths - 1000n, eThousandths),
        pence: grossPence - chargeable,
      };
      sources.push(rule.smallBusinessRateRelief.source);
    }
  }

  const afterMandatory = grossPence - mandatory.pence;
  let rhl: BusinessRatesCharge['retailHospitalityLeisureRelief'] = { percent: '0', pence: 0 };
  if (input.retailHospitalityLeisure && rule.retailHospitalityLeisureRelief) {
    const scheme = rule.retailHospitalityLeisureRelief;
    const cap =
      input.retailHospitalityLeisureCapRemainingPence === undefined
        ? scheme.capPence
        : Math.min(scheme.capPence, assertNonNegativePence(input.retailHospitalityLeisureCapRemainingPence, 'RHL cap remaining'));
    rhl = { percent: scheme.percent, pence: Math.min(cap, percentOfPence(afterMandatory, scheme.percent)) };
    sources.push(scheme.source);
  }

  return {
    financialYear,
    multiplierName: band.name,
    multiplierPence: band.pence,
    grossPence,
    mandatoryRelief: mandatory,
    retailHospitalityLeisureRelief: rhl,
    netPence: afterMandatory - rhl.pence,
    sources,
  };
}

// --- Unoccupied property (LGFA 1988 s.45; SI 2008/386) -------------------------------------------
//
// An empty hereditament's owner pays the full charge (RV × multiplier; the reliefs for occupiers —
// small business, charity, retail/hospitality/leisure — do not apply) except while it is outside
// the prescribed class: the first 3 months empty (6 for qualifying industrial), for as long as it is
// empty when it is a listed building, ancient monument or another reg 4 class, when its RV is under
// the threshold, or when a charity or CASC owns it and its next use will be charitable (s.45A).

/** What the officer decided about an empty property, recorded as an award. */
export type EmptyPropertyClass = 'standard' | 'industrial' | 'listed' | 'charity' | 'other_exempt';

export interface EmptyPropertyDay {
  free: boolean;
  /** Why it is free, or why it is charged, in words a bill can print. */
  reason: string;
}

/**
 * For the time-limited classes, the first day the full charge applies: the free period is a
 * continuous period not exceeding N months from the day it became empty, so empty since 1 May
 * with 3 months is free to 31 July and charged from 1 August. Null for classes free while empty.
 */
export function emptyPropertyChargedFrom(rule: EmptyPropertyRule, kind: EmptyPropertyClass, emptySince: IsoDate): IsoDate | null {
  assertIsoDate(emptySince);
  if (kind === 'standard') return addMonths(emptySince, rule.freeMonths);
  if (kind === 'industrial') return addMonths(emptySince, rule.industrialFreeMonths);
  return null;
}

export function emptyPropertyDay(
  rule: EmptyPropertyRule,
  input: { kind: EmptyPropertyClass; emptySince: IsoDate; rateableValuePounds: number; day: IsoDate },
): EmptyPropertyDay {
  assertIsoDate(input.day);
  if (input.rateableValuePounds < rule.exemptBelowRvPounds) {
    return { free: true, reason: `rateable value under £${rule.exemptBelowRvPounds.toLocaleString('en-GB')}` };
  }
  switch (input.kind) {
    case 'listed':
      return { free: true, reason: 'listed building' };
    case 'charity':
      return { free: true, reason: 'charity or CASC owner, next use charitable' };
    case 'other_exempt':
      return { free: true, reason: 'exempt while empty' };
    default: {
      const chargedFrom = emptyPropertyChargedFrom(rule, input.kind, input.emptySince)!;
      const months = input.kind === 'industrial' ? rule.industrialFreeMonths : rule.freeMonths;
      const industrial = input.kind === 'industrial' ? ', industrial' : '';
      if (compareDates(input.day, chargedFrom) < 0) {
        return { free: true, reason: `first ${months} months empty${industrial}` };
      }
      return { free: false, reason: `empty more than ${months} months${industrial}` };
    }
  }
}
