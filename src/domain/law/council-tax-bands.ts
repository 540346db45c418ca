// Council tax valuation band ratios to Band D (LGFA 1992 s.5(1) for England, s.5(1A)/(2) for Wales).
// England: bands A–H, 6:7:8:9:11:13:15:18 (from the first council tax year, 1993/94).
// Wales: from the 2005 revaluation (council tax years from 1 April 2005) nine bands A–I, band I
// being 21/9 (Council Tax (Valuation Bands) (Wales) Order 2003, SI 2003/3046).
import type { EffectiveDated } from './rules.ts';

export const COUNCIL_TAX_BANDS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I'] as const;
export type CouncilTaxBand = (typeof COUNCIL_TAX_BANDS)[number];

/** A band's proportion of Band D: numerator / 9. */
export interface CouncilTaxBandRatioRule extends EffectiveDated {
  readonly denominator: number;
  readonly numerators: Readonly<Partial<Record<CouncilTaxBand, number>>>;
}

const ENGLAND_NUMERATORS = { A: 6, B: 7, C: 8, D: 9, E: 11, F: 13, G: 15, H: 18 } as const;

export const COUNCIL_TAX_BAND_RATIO_RULES: readonly CouncilTaxBandRatioRule[] = [
  {
    nation: 'england',
    effectiveFrom: '1993-04-01',
    source: 'LGFA 1992 s.5(1): A 6/9, B 7/9, C 8/9, D 9/9, E 11/9, F 13/9, G 15/9, H 18/9',
    denominator: 9,
    numerators: ENGLAND_NUMERATORS,
  },
  {
    nation: 'wales',
    effectiveFrom: '2005-04-01',
    source: 'LGFA 1992 s.5 as amended for Wales (SI 2003/3046): bands A–H as England plus I 21/9',
    denominator: 9,
    numerators: { ...ENGLAND_NUMERATORS, I: 21 },
  },
];
