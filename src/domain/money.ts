// Money is integer pence. No float ever touches an amount: parsing, formatting and every
// percentage or multiplier calculation below is integer (bigint) arithmetic with exactly one
// rounding step, documented where it happens.
//
// Percentages and multipliers are exact decimals held as strings ("43.2", "7.5", "25") and turned
// into a rational number units / 10^scale; they are never converted to a JavaScript float.
import { ValidationError } from '../errors.ts';

/** An amount of money in whole pence. Always a safe integer. */
export type Pence = number;

/** True when value is a safe integer (a valid amount of pence). */
export function isPence(value: unknown): value is Pence {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** Throws a ValidationError unless value is a safe integer number of pence. */
export function assertPence(value: unknown, label = 'amount'): Pence {
  if (!isPence(value)) {
    throw new ValidationError(`${label} must be a whole number of pence, got ${String(value)}`);
  }
  return value;
}

/** Throws unless value is a safe integer >= 0. */
export function assertNonNegativePence(value: unknown, label = 'amount'): Pence {
  const pence = assertPence(value, label);
  if (pence < 0) throw new ValidationError(`${label} must not be negative, got ${pence}`);
  return pence;
}

// "£1,234.56", "1234.56", "-£12.30", "12", "12.5" (= £12.50). Commas, when present, must group
// thousands correctly; at most two decimal places; at least one digit before any decimal point.
const MONEY_PATTERN = /^(-)?£?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$/;

/**
 * Parses a money amount typed by a person or read from a file into pence.
 * Accepts an optional leading minus, an optional £ sign, thousands commas and up to 2 decimals.
 * Rejects anything else (three decimals, misplaced commas, letters, empty text) with a ValidationError.
 */
export function parsePence(text: string): Pence {
  if (typeof text !== 'string') throw new ValidationError('amount must be text');
  const trimmed = text.trim();
  const match = MONEY_PATTERN.exec(trimmed);
  if (!match) {
    throw new ValidationError(`"${text}" is not an amount of money (for example 1,234.56 or £12.30)`);
  }
  const [, minus, whole, fraction = ''] = match;
  const pounds = BigInt(whole.replace(/,/g, ''));
  const pence = pounds * 100n + BigInt(fraction.padEnd(2, '0') || '0');
  const signed = minus ? -pence : pence;
  if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new ValidationError(`"${text}" is too large an amount`);
  }
  return Number(signed);
}

/** Formats pence as "£1,234.56" (negative amounts as "-£1,234.56"). */
export function formatPence(pence: Pence): string {
  assertPence(pence);
  const negative = pence < 0;
  const abs = BigInt(Math.abs(pence));
  const pounds = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const rest = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}£${pounds}.${rest}`;
}

function toBigInt(value: bigint | number, label: string): bigint {
  if (typeof value === 'bigint') return value;
  if (!Number.isSafeInteger(value)) throw new ValidationError(`${label} must be a safe integer, got ${value}`);
  return BigInt(value);
}

/**
 * numerator / denominator rounded to the nearest integer, halves rounded away from zero
 * ("round half up" for the non-negative amounts the statutory calculators deal in).
 */
export function divideRoundHalfUpBig(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  const negative = numerator < 0n;
  const abs = negative ? -numerator : numerator;
  const quotient = (abs * 2n + denominator) / (denominator * 2n);
  return negative ? -quotient : quotient;
}

/** As divideRoundHalfUpBig, for integer numbers; the result must be a safe integer. */
export function divideRoundHalfUp(numerator: bigint | number, denominator: bigint | number): number {
  const result = divideRoundHalfUpBig(toBigInt(numerator, 'numerator'), toBigInt(denominator, 'denominator'));
  if (result > BigInt(Number.MAX_SAFE_INTEGER) || result < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError('result is not a safe integer');
  }
  return Number(result);
}

/** numerator / denominator rounded towards zero (truncated), for integers. */
export function divideTruncate(numerator: bigint | number, denominator: bigint | number): number {
  const d = toBigInt(denominator, 'denominator');
  if (d === 0n) throw new RangeError('division by zero');
  return Number(toBigInt(numerator, 'numerator') / d);
}

/** An exact decimal: value = units / 10^scale. "43.2" is { units: 432n, scale: 1 }. */
export interface ExactDecimal {
  readonly units: bigint;
  readonly scale: number;
}

const DECIMAL_PATTERN = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * Parses an exact decimal such as "43.2", "7.5", "25" or "0". A number is accepted too (vector
 * files carry discount_percent: 25) but only through its shortest decimal text, so 12.5 is exactly
 * 12.5; numbers printed in exponent form are refused.
 */
export function parseDecimal(value: string | number, label = 'decimal'): ExactDecimal {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValidationError(`${label} must be a finite number`);
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    throw new ValidationError(`${label} must be a decimal such as "43.2"`);
  }
  const match = DECIMAL_PATTERN.exec(text);
  if (!match) throw new ValidationError(`${label} "${String(value)}" is not a decimal such as 43.2`);
  const [, minus, whole, fraction = ''] = match;
  const units = BigInt(whole + fraction);
  return { units: minus ? -units : units, scale: fraction.length };
}

/** The decimal as text, keeping its scale: { units: 480n, scale: 1 } is "48.0". */
export function formatDecimal(decimal: ExactDecimal): string {
  const negative = decimal.units < 0n;
  const digits = (negative ? -decimal.units : decimal.units).toString().padStart(decimal.scale + 1, '0');
  const whole = digits.slice(0, digits.length - decimal.scale);
  const fraction = digits.slice(digits.length - decimal.scale);
  return `${negative ? '-' : ''}${whole}${decimal.scale > 0 ? `.${fraction}` : ''}`;
}

/** Canonical form without trailing zeros: "80.00" -> "80", "12.50" -> "12.5". */
export function normaliseDecimalText(value: string | number): string {
  const text = formatDecimal(parseDecimal(value));
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** 10^scale as a bigint. */
export function powerOfTen(scale: number): bigint {
  return 10n ** BigInt(scale);
}

/**
 * amount × decimal, rounded once, half up, to a whole number.
 * e.g. multiplyByDecimal(40_000, "43.2") = 1_728_000 (RV £40,000 × 43.2p = 1,728,000p).
 */
export function multiplyByDecimal(amount: number, decimal: string | number): number {
  const d = parseDecimal(decimal);
  return divideRoundHalfUp(toBigInt(amount, 'amount') * d.units, powerOfTen(d.scale));
}

/**
 * percent% of an amount of pence, rounded once, half up, to the penny.
 * e.g. percentOfPence(114_040, "25") = 28_510; percentOfPence(11_241, "7.5") = 843 (843.075p).
 */
export function percentOfPence(pence: Pence, percent: string | number): Pence {
  assertPence(pence);
  const p = parseDecimal(percent, 'percentage');
  return divideRoundHalfUp(BigInt(pence) * p.units, 100n * powerOfTen(p.scale));
}

/**
 * amount × numerator / denominator, rounded once, half up, to the penny. Used for apportioning
 * an annual charge by days: prorate(143_533, 290, 365) = 114_040.
 */
export function prorate(pence: Pence, numerator: number, denominator: number): Pence {
  assertPence(pence);
  return divideRoundHalfUp(BigInt(pence) * toBigInt(numerator, 'numerator'), toBigInt(denominator, 'denominator'));
}

/** Rounds pence to the nearest whole pound (in pence), halves up: 14_353 -> 14_400, 14_350 -> 14_400. */
export function roundToNearestPound(pence: Pence): Pence {
  return divideRoundHalfUp(assertPence(pence), 100) * 100;
}
