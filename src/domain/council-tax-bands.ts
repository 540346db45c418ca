// A band's annual council tax from the Band D amount: Band D × ratio (LGFA 1992 s.5), rounded once,
// half up, to the penny. Band D £2,153.00 → band A 215,300 × 6 / 9 = 143,533.33p → £1,435.33.
import { ValidationError } from '../errors.ts';
import { financialYearStart, type IsoDate } from './calendar.ts';
import {
  COUNCIL_TAX_BAND_RATIO_RULES,
  COUNCIL_TAX_BANDS,
  type CouncilTaxBand,
  type CouncilTaxBandRatioRule,
} from './law/council-tax-bands.ts';
import { assertNation, ruleInForce, type Nation } from './law/rules.ts';
import { assertNonNegativePence, divideRoundHalfUp, type Pence } from './money.ts';

export { COUNCIL_TAX_BANDS, type CouncilTaxBand } from './law/council-tax-bands.ts';

export interface BandAmountInput {
  bandDPence: Pence;
  band: CouncilTaxBand;
  nation: Nation;
  /** The financial year ("2026/27"); selects the ratios in force on its 1 April. */
  financialYear: string;
}

export interface BandAmount {
  annualPence: Pence;
  ratio: { numerator: number; denominator: number };
}

export function isCouncilTaxBand(value: unknown): value is CouncilTaxBand {
  return typeof value === 'string' && (COUNCIL_TAX_BANDS as readonly string[]).includes(value);
}

/** The ratio of a band to Band D for a nation on a date. */
export function bandRatio(
  band: CouncilTaxBand,
  nation: Nation,
  onDate: IsoDate,
  rules: readonly CouncilTaxBandRatioRule[] = COUNCIL_TAX_BAND_RATIO_RULES,
): { numerator: number; denominator: number } {
  const rule = ruleInForce(rules, nation, onDate, 'council tax band ratio table');
  const numerator = rule.numerators[band];
  if (numerator === undefined) throw new ValidationError(`band ${band} does not exist in ${nation} on ${onDate}`);
  return { numerator, denominator: rule.denominator };
}

/** The annual amount for a band, from the Band D amount the council resolved. */
export function bandAnnualAmount(
  input: BandAmountInput,
  rules: readonly CouncilTaxBandRatioRule[] = COUNCIL_TAX_BAND_RATIO_RULES,
): BandAmount {
  const bandD = assertNonNegativePence(input.bandDPence, 'Band D amount');
  if (!isCouncilTaxBand(input.band)) throw new ValidationError(`"${String(input.band)}" is not a council tax band`);
  const nation = assertNation(input.nation);
  const onDate = financialYearStart(input.financialYear);
  const ratio = bandRatio(input.band, nation, onDate, rules);
  return { annualPence: divideRoundHalfUp(bandD * ratio.numerator, ratio.denominator), ratio };
}
