// Which enforcement agent firm gets a case (docs/enforcement.md, "Allocation rules"). A council's
// rules are checked in order and the first whose conditions all hold gives the firm; the fallback
// rule (no conditions) is checked last. A rule naming several firms shares its cases by weight in a
// fixed cycle (shares 2 and 1: A, A, B, A, A, B …), continuing from where the rule's count stands,
// so a bulk referral and one-at-a-time referrals share the same way.

export interface AllocationRule {
  id: number;
  position: number;
  fallback: boolean;
  stream: string | null;
  postcodePrefixes: string[];
  minBalancePence: number | null;
  maxBalancePence: number | null;
  /** Cases the rule has allocated so far: where its cycle stands. */
  allocated: number;
  firms: { firmId: number; share: number }[];
}

export interface AllocationCase {
  stream: string;
  postcode: string | null;
  balancePence: number;
}

/** A postcode area ("WN") or district ("WN1", "M60", "EC1A"): letters, then optionally a digit and one more. */
export const POSTCODE_PREFIX = /^[A-Z]{1,2}(\d[A-Z\d]?)?$/;

/** The outward code of a postcode: "wn1 1aa" → "WN1"; "WN11AA" → "WN1". */
export function outwardCode(postcode: string): string {
  const p = postcode.toUpperCase().replace(/\s+/g, '');
  return p.length > 3 ? p.slice(0, -3) : p;
}

/**
 * Whether a postcode is in an area or district. An area matches by its letters only ("WN" matches
 * WN1 and WN12 but not W1); a district matches exactly ("WN1" matches WN1 1AA, not WN12 3BB).
 */
export function postcodeMatches(postcode: string | null, prefix: string): boolean {
  if (!postcode) return false;
  const outward = outwardCode(postcode);
  const p = prefix.toUpperCase().trim();
  if (/^[A-Z]+$/.test(p)) return outward.replace(/\d.*$/, '') === p;
  return outward === p;
}

export function ruleMatches(rule: AllocationRule, c: AllocationCase): boolean {
  if (rule.fallback) return true;
  if (rule.stream && rule.stream !== c.stream) return false;
  if (rule.postcodePrefixes.length && !rule.postcodePrefixes.some((p) => postcodeMatches(c.postcode, p))) return false;
  if (rule.minBalancePence !== null && c.balancePence < rule.minBalancePence) return false;
  if (rule.maxBalancePence !== null && c.balancePence >= rule.maxBalancePence) return false;
  return true;
}

/** The rules in the order they are checked: by position, the fallback last. */
export function orderRules(rules: AllocationRule[]): AllocationRule[] {
  return [...rules].sort((a, b) => Number(a.fallback) - Number(b.fallback) || a.position - b.position || a.id - b.id);
}

/** The firm at a point in a rule's cycle. */
export function firmAt(rule: AllocationRule, slot: number): number {
  const firms = [...rule.firms].sort((a, b) => a.firmId - b.firmId);
  const total = firms.reduce((t, f) => t + f.share, 0);
  let at = slot % total;
  for (const f of firms) {
    if (at < f.share) return f.firmId;
    at -= f.share;
  }
  throw new Error('unreachable: a rule has at least one firm');
}

/**
 * Allocates cases in the order given. Returns, for each case, the rule and firm, or null when no
 * rule matches (and there is no fallback). Advances each rule's `allocated` count as it goes.
 */
export function allocate(rules: AllocationRule[], cases: AllocationCase[]): ({ ruleId: number; firmId: number } | null)[] {
  const ordered = orderRules(rules).filter((r) => r.firms.length > 0);
  return cases.map((c) => {
    const rule = ordered.find((r) => ruleMatches(r, c));
    if (!rule) return null;
    const firmId = firmAt(rule, rule.allocated);
    rule.allocated += 1;
    return { ruleId: rule.id, firmId };
  });
}
