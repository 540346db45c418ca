// Law as data: every statutory figure Levy uses is a row with a nation and the dates it is in
// force, and is looked up by date. When Parliament or the Senedd changes a figure, a new row is
// added with its effective date; old rows stay, so old bills and orders are still calculated on
// the law of their day.
import { ValidationError } from '../../errors.ts';
import { assertIsoDate, compareDates, type IsoDate } from '../calendar.ts';

export const NATIONS = ['england', 'wales'] as const;
export type Nation = (typeof NATIONS)[number];

export function isNation(value: unknown): value is Nation {
  return typeof value === 'string' && (NATIONS as readonly string[]).includes(value);
}

export function assertNation(value: unknown, label = 'nation'): Nation {
  if (!isNation(value)) throw new ValidationError(`${label} must be england or wales, got "${String(value)}"`);
  return value;
}

export interface EffectiveDated {
  readonly nation: Nation;
  /** First day the rule applies. */
  readonly effectiveFrom: IsoDate;
  /** Last day the rule applies (inclusive); open-ended when absent. */
  readonly effectiveTo?: IsoDate;
  /** Where the figures come from (statutory instrument, regulation, published source). */
  readonly source: string;
}

/** Raised when no rule is in force for a nation and date (e.g. a date before the law began). */
export class NoRuleInForceError extends ValidationError {
  constructor(what: string, nation: Nation, onDate: IsoDate) {
    super(`no ${what} in force for ${nation} on ${onDate}`);
  }
}

export function isInForce(rule: EffectiveDated, onDate: IsoDate): boolean {
  return (
    compareDates(rule.effectiveFrom, onDate) <= 0 &&
    (rule.effectiveTo === undefined || compareDates(onDate, rule.effectiveTo) <= 0)
  );
}

/**
 * The one rule in force for a nation on a date. Throws NoRuleInForceError when there is none,
 * and an Error when the data wrongly has two overlapping rules.
 */
export function ruleInForce<R extends EffectiveDated>(
  rules: readonly R[],
  nation: Nation,
  onDate: IsoDate,
  what = 'rule',
): R {
  assertIsoDate(onDate);
  const matches = rules.filter((r) => r.nation === nation && isInForce(r, onDate));
  if (matches.length === 0) throw new NoRuleInForceError(what, nation, onDate);
  if (matches.length > 1) throw new Error(`rule data error: ${matches.length} ${what}s in force for ${nation} on ${onDate}`);
  return matches[0];
}

/** The most recent rule for a nation (latest effectiveFrom), for inputs that carry no date. */
export function latestRule<R extends EffectiveDated>(rules: readonly R[], nation: Nation, what = 'rule'): R {
  const forNation = rules.filter((r) => r.nation === nation);
  if (forNation.length === 0) throw new ValidationError(`no ${what} for ${nation}`);
  return forNation.reduce((a, b) => (compareDates(a.effectiveFrom, b.effectiveFrom) >= 0 ? a : b));
}

/**
 * Data check used by tests: for each nation, rules do not overlap and each has effectiveFrom on or
 * before effectiveTo. Returns a list of problems (empty when the data is sound).
 */
export function findRuleDataProblems(rules: readonly EffectiveDated[]): string[] {
  const problems: string[] = [];
  for (const nation of NATIONS) {
    const sorted = rules
      .filter((r) => r.nation === nation)
      .slice()
      .sort((a, b) => compareDates(a.effectiveFrom, b.effectiveFrom));
    sorted.forEach((rule, i) => {
      if (rule.effectiveTo !== undefined && compareDates(rule.effectiveFrom, rule.effectiveTo) > 0) {
        problems.push(`${nation} rule from ${rule.effectiveFrom} ends before it starts (${rule.effectiveTo})`);
      }
      const next = sorted[i + 1];
      if (next && (rule.effectiveTo === undefined || compareDates(rule.effectiveTo, next.effectiveFrom) >= 0)) {
        problems.push(`${nation} rules from ${rule.effectiveFrom} and ${next.effectiveFrom} overlap`);
      }
    });
  }
  return problems;
}
