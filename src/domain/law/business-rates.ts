// Business rates (NNDR), England: multipliers and mandatory reliefs by financial year.
// Each rule covers one financial year (1 April – 31 March).
import type { EffectiveDated } from './rules.ts';

export interface MultiplierBand {
  /** e.g. 'small business', 'standard', 'RHL small', 'high value'. */
  readonly name: string;
  /** Which hereditaments: retail, hospitality and leisure only (true), others only (false), or any. */
  readonly retailHospitalityLeisure: boolean | 'any';
  readonly minRateableValuePounds: number;
  /** Inclusive; open-ended when absent. */
  readonly maxRateableValuePounds?: number;
  /** Pence per pound of rateable value, an exact decimal ("43.2"). */
  readonly pence: string;
}

export interface BusinessRatesYearRule extends EffectiveDated {
  readonly multipliers: readonly MultiplierBand[];
  /**
   * Small business rate relief (LGFA 1988 s.43(4A)–(4B), chargeable amount = A×B ÷ (C×E)):
   * E is effectively infinite (100% relief) at or below fullReliefMaxRvPounds, and
   * E = (taperEnd − fullMax) ÷ (RV − fullMax), to three decimal places, up to taperEndRvPounds.
   */
  readonly smallBusinessRateRelief: {
    readonly fullReliefMaxRvPounds: number;
    readonly taperEndRvPounds: number;
    readonly source: string;
  };
  /** Mandatory charity / CASC relief (s.43(5)–(6)): chargeable amount is one fifth, i.e. 80% relief. */
  readonly charityReliefPercent: string;
  /** Retail, hospitality and leisure relief (a s.47 discount funded by s.31 grant), where it exists. */
  readonly retailHospitalityLeisureRelief?: {
    readonly percent: string;
    /** Cash cap per business across England; here applied per bill unless the caller passes less. */
    readonly capPence: number;
    readonly source: string;
  };
  /**
   * Unoccupied property (LGFA 1988 s.45): an empty hereditament is charged at the full rate unless
   * it is outside the class the regulations prescribe. Only the figures here are data; which
   * classes apply to a property is the officer's decision, recorded as an award.
   */
  readonly emptyProperty: EmptyPropertyRule;
}

export interface EmptyPropertyRule {
  /** Free while unoccupied for a continuous period not exceeding this many months (reg 4). */
  readonly freeMonths: number;
  /** The same for a qualifying industrial hereditament (reg 2 definition; reg 4). */
  readonly industrialFreeMonths: number;
  /** Free for as long as it is empty when the rateable value is below this (reg 4). */
  readonly exemptBelowRvPounds: number;
  /** Re-occupation shorter than this does not start a new free period (reg 5). */
  readonly reoccupationResetWeeks: number;
  readonly source: string;
}

/** England from 1 April 2024 (the 13-week re-occupation rule). */
const EMPTY_PROPERTY_2024: EmptyPropertyRule = {
  freeMonths: 3,
  industrialFreeMonths: 6,
  exemptBelowRvPounds: 2_900,
  reoccupationResetWeeks: 13,
  source:
    'Non-Domestic Rating (Unoccupied Property) (England) Regulations 2008 (SI 2008/386) reg 4: free for a ' +
    'continuous period not exceeding 3 months, 6 for a qualifying industrial hereditament; listed buildings, ' +
    'ancient monuments and other reg 4 classes free while empty; RV under £2,900 free while empty (the £2,900 ' +
    "figure as councils' published rates pages give it from 2017); reg 5 as amended by SI 2024/323: " +
    're-occupation under 13 weeks does not start a new free period; LGFA 1988 s.45A: charity or CASC owner ' +
    'whose next use will be charitable pays nothing',
};

const SBRR_2017 = {
  fullReliefMaxRvPounds: 12_000,
  taperEndRvPounds: 15_000,
  source:
    'Non-Domestic Rating (Reliefs, Thresholds and Amendment) (England) Order 2017 (SI 2017/102) art 3: ' +
    'E = 3000 ÷ (RV − 12000) to 3 decimal places for RV over £12,000 and under £15,000',
};

export const BUSINESS_RATES_RULES: readonly BusinessRatesYearRule[] = [
  {
    nation: 'england',
    effectiveFrom: '2025-04-01',
    effectiveTo: '2026-03-31',
    source: 'England 2025/26: small business multiplier 49.9p (RV < £51,000), standard 55.5p',
    multipliers: [
      { name: 'small business', retailHospitalityLeisure: 'any', minRateableValuePounds: 0, maxRateableValuePounds: 50_999, pence: '49.9' },
      { name: 'standard', retailHospitalityLeisure: 'any', minRateableValuePounds: 51_000, pence: '55.5' },
    ],
    smallBusinessRateRelief: SBRR_2017,
    charityReliefPercent: '80',
    retailHospitalityLeisureRelief: {
      percent: '40',
      capPence: 11_000_000,
      source: '2025/26 Retail, Hospitality and Leisure Relief scheme: 40%, cash cap £110,000 per business',
    },
    emptyProperty: EMPTY_PROPERTY_2024,
  },
  {
    nation: 'england',
    effectiveFrom: '2026-04-01',
    effectiveTo: '2027-03-31',
    source:
      "England 2026/27, councils' published multipliers: RHL small 38.2p and RHL standard 43.0p, " +
      'small business 43.2p and standard 48.0p (small: RV < £51,000; standard: £51,000–£499,999), ' +
      'high value 50.8p (RV ≥ £500,000, any use)',
    multipliers: [
      { name: 'RHL small business', retailHospitalityLeisure: true, minRateableValuePounds: 0, maxRateableValuePounds: 50_999, pence: '38.2' },
      { name: 'RHL standard', retailHospitalityLeisure: true, minRateableValuePounds: 51_000, maxRateableValuePounds: 499_999, pence: '43.0' },
      { name: 'small business', retailHospitalityLeisure: false, minRateableValuePounds: 0, maxRateableValuePounds: 50_999, pence: '43.2' },
      { name: 'standard', retailHospitalityLeisure: false, minRateableValuePounds: 51_000, maxRateableValuePounds: 499_999, pence: '48.0' },
      { name: 'high value', retailHospitalityLeisure: 'any', minRateableValuePounds: 500_000, pence: '50.8' },
    ],
    smallBusinessRateRelief: SBRR_2017,
    charityReliefPercent: '80',
    emptyProperty: EMPTY_PROPERTY_2024,
  },
];
