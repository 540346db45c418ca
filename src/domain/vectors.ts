// Statutory test vectors: each JSON file holds { title, source, cases: [{ name, input, expected }] }
// (see ../shared/vectors/README.md). This registry maps a file name to an adapter that runs Levy's
// own calculator on a case's input and returns the output in the vector's vocabulary (snake_case,
// integer pence, decimal strings). A case passes when every key of `expected` equals the output's
// key exactly (numbers as numbers, decimals such as "43.2" as strings, null as null). Keys the
// output has but `expected` does not mention are not compared.
//
// Pure: no file reading here (src/cli/check-vectors.ts reads the folder).
import { ValidationError } from '../errors.ts';
import { attachmentOfEarningsDeduction } from './attachment-of-earnings.ts';
import { annualBusinessRates } from './business-rates.ts';
import { formatFinancialYear, financialYearOf, type IsoDate } from './calendar.ts';
import { bandAnnualAmount, isCouncilTaxBand } from './council-tax-bands.ts';
import { statutoryInstalmentPlan } from './council-tax-instalments.ts';
import { councilTaxPeriodCharge } from './council-tax-period-charge.ts';
import { enforcementAgentFee } from './enforcement-agent-fees.ts';
import { ATTACHMENT_OF_EARNINGS_RULES, type PayPeriod } from './law/attachment-of-earnings-tables.ts';
import { COUNCIL_TAX_BAND_RATIO_RULES } from './law/council-tax-bands.ts';
import type { EnforcementStage } from './law/enforcement-agent-fees.ts';
import { assertNation, latestRule, type Nation } from './law/rules.ts';

type VectorInput = Record<string, unknown>;
type VectorOutput = Record<string, unknown>;

export interface VectorCalculator {
  /** What the file checks, for reports. */
  description: string;
  run(input: VectorInput): VectorOutput;
}

// --- reading a case's input strictly: a wrong type is a failed case, never a silent default ---

function field(input: VectorInput, key: string): unknown {
  if (!(key in input)) throw new ValidationError(`input is missing "${key}"`);
  return input[key];
}

function integerField(input: VectorInput, key: string): number {
  const value = field(input, key);
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new ValidationError(`input "${key}" must be a whole number`);
  return value;
}

function stringField(input: VectorInput, key: string): string {
  const value = field(input, key);
  if (typeof value !== 'string') throw new ValidationError(`input "${key}" must be text`);
  return value;
}

function booleanField(input: VectorInput, key: string): boolean {
  const value = field(input, key);
  if (typeof value !== 'boolean') throw new ValidationError(`input "${key}" must be true or false`);
  return value;
}

function optionalString(input: VectorInput, key: string): string | undefined {
  return key in input ? stringField(input, key) : undefined;
}

function optionalNation(input: VectorInput): Nation {
  return assertNation(optionalString(input, 'nation') ?? 'england');
}

// --- adapters ---

const attachmentOfEarnings: VectorCalculator = {
  description: 'council tax attachment of earnings order: deduction for one pay period',
  run(input) {
    const nation = assertNation(field(input, 'nation'));
    // The order date selects the Schedule 4 table; a vector without one is checked against the
    // table currently in force for new orders (the latest rule for the nation).
    const orderMadeOn: IsoDate =
      optionalString(input, 'order_made_on') ??
      latestRule(ATTACHMENT_OF_EARNINGS_RULES, nation, 'attachment of earnings table').effectiveFrom;
    const result = attachmentOfEarningsDeduction({
      nation,
      period: stringField(input, 'period') as PayPeriod,
      netEarningsPence: integerField(input, 'net_earnings_pence'),
      orderMadeOn,
    });
    return { deduction_pence: result.deductionPence, rate_percent: result.rate };
  },
};

const councilTaxInstalments: VectorCalculator = {
  description: 'number and amounts of statutory instalments on a demand notice',
  run(input) {
    const twelve = 'twelve_requested' in input ? booleanField(input, 'twelve_requested') : false;
    const tax = optionalString(input, 'tax') ?? 'council_tax';
    if (tax !== 'council_tax' && tax !== 'business_rates') {
      throw new ValidationError('input "tax" must be council_tax or business_rates');
    }
    const plan = statutoryInstalmentPlan({
      totalPence: integerField(input, 'total_pence'),
      issuedOn: stringField(input, 'issued_on'),
      financialYear: stringField(input, 'financial_year'),
      twelveRequested: twelve,
      tax,
      nation: optionalNation(input),
    });
    return {
      count: plan.count,
      first_pence: plan.firstPence,
      other_pence: plan.otherPence,
      amounts_pence: plan.amounts,
    };
  },
};

const councilTaxBandAmounts: VectorCalculator = {
  description: "a band's annual amount from the Band D amount",
  run(input) {
    const nation = optionalNation(input);
    const band = stringField(input, 'band');
    if (!isCouncilTaxBand(band)) throw new ValidationError(`"${band}" is not a council tax band`);
    const financialYear =
      optionalString(input, 'financial_year') ??
      formatFinancialYear(financialYearOf(latestRule(COUNCIL_TAX_BAND_RATIO_RULES, nation, 'band ratio table').effectiveFrom));
    const result = bandAnnualAmount({ bandDPence: integerField(input, 'band_d_pence'), band, nation, financialYear });
    return { annual_pence: result.annualPence };
  },
};

const councilTaxPeriodChargeVector: VectorCalculator = {
  description: 'part-year council tax with a percentage discount',
  run(input) {
    const discount = 'discount_percent' in input ? field(input, 'discount_percent') : 0;
    if (typeof discount !== 'number' && typeof discount !== 'string') {
      throw new ValidationError('input "discount_percent" must be a number or decimal text');
    }
    const result = councilTaxPeriodCharge({
      annualPence: integerField(input, 'annual_pence'),
      from: stringField(input, 'from'),
      to: stringField(input, 'to'),
      financialYear: stringField(input, 'financial_year'),
      discountPercent: discount,
    });
    return {
      days: result.days,
      days_in_year: result.daysInYear,
      gross_pence: result.grossPence,
      discount_pence: result.discountPence,
      net_pence: result.netPence,
    };
  },
};

const businessRates: VectorCalculator = {
  description: 'business rates: multiplier, gross charge and mandatory relief',
  run(input) {
    const result = annualBusinessRates({
      financialYear: stringField(input, 'financial_year'),
      rateableValuePounds: integerField(input, 'rateable_value_pounds'),
      retailHospitalityLeisure: booleanField(input, 'retail_hospitality_leisure'),
      smallBusinessReliefEligible: booleanField(input, 'small_business_relief_eligible'),
      charity: booleanField(input, 'charity'),
      nation: optionalNation(input),
    });
    return {
      multiplier_pence: result.multiplierPence,
      gross_pence: result.grossPence,
      relief_percent: result.mandatoryRelief.percent,
      relief_pence: result.mandatoryRelief.pence,
      rhl_relief_pence: result.retailHospitalityLeisureRelief.pence,
      net_pence: result.netPence,
    };
  },
};

const enforcementAgentFees: VectorCalculator = {
  description: 'enforcement agent fee for a stage',
  run(input) {
    const result = enforcementAgentFee({
      stage: stringField(input, 'stage') as EnforcementStage,
      sumToBeRecoveredPence: integerField(input, 'sum_to_be_recovered_pence'),
      on: stringField(input, 'on'),
      nation: optionalNation(input),
    });
    return { fee_pence: result.feePence };
  },
};

/**
 * File name → calculator. Business-rates files are named by year (business-rates-2026-27.json);
 * the year a case uses comes from its own financial_year input.
 */
const REGISTRY: readonly { matches: (fileName: string) => boolean; calculator: VectorCalculator }[] = [
  { matches: (f) => f === 'attachment-of-earnings.json', calculator: attachmentOfEarnings },
  { matches: (f) => f === 'council-tax-instalments.json', calculator: councilTaxInstalments },
  { matches: (f) => f === 'council-tax-band-amounts.json', calculator: councilTaxBandAmounts },
  { matches: (f) => f === 'council-tax-period-charge.json', calculator: councilTaxPeriodChargeVector },
  { matches: (f) => /^business-rates(-\d{4}-\d{2})?\.json$/.test(f), calculator: businessRates },
  { matches: (f) => f === 'enforcement-agent-fees.json', calculator: enforcementAgentFees },
];

/** The calculator for a vector file name, or undefined when Levy has none. */
export function vectorCalculatorFor(fileName: string): VectorCalculator | undefined {
  return REGISTRY.find((entry) => entry.matches(fileName))?.calculator;
}

export interface VectorCaseResult {
  name: string;
  passed: boolean;
  /** For a failure: "expected first_pence=13933 got first_pence=13900" (or the error). */
  message?: string;
}

export interface VectorFileResult {
  file: string;
  passed: number;
  failed: number;
  cases: VectorCaseResult[];
  /** Set when the file as a whole could not be checked (unknown calculator, wrong shape, no cases). */
  fileError?: string;
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Strict equality of JSON values (numbers, strings, booleans, null, arrays, objects). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Compares every key of expected with the output; returns a failure message or undefined. */
export function compareExpected(expected: Record<string, unknown>, output: VectorOutput): string | undefined {
  const wrong = Object.keys(expected).filter((key) => !jsonEqual(expected[key], output[key]));
  if (wrong.length === 0) return undefined;
  const want = wrong.map((k) => `${k}=${show(expected[k])}`).join(', ');
  const got = wrong.map((k) => `${k}=${show(output[k])}`).join(', ');
  return `expected ${want} got ${got}`;
}

function fileFailure(file: string, fileError: string): VectorFileResult {
  return { file, passed: 0, failed: 1, cases: [], fileError };
}

/** Runs every case of one parsed vector file through Levy's calculator for it. */
export function runVectorFile(fileName: string, parsedJson: unknown): VectorFileResult {
  const calculator = vectorCalculatorFor(fileName);
  if (!calculator) return fileFailure(fileName, `no Levy calculator for a vector file named "${fileName}"`);
  if (!isPlainObject(parsedJson) || !Array.isArray(parsedJson.cases)) {
    return fileFailure(fileName, 'not a vector file: expected an object with a "cases" array');
  }
  if (parsedJson.cases.length === 0) return fileFailure(fileName, 'the file has no cases');

  const cases: VectorCaseResult[] = parsedJson.cases.map((raw: unknown, index: number): VectorCaseResult => {
    const name = isPlainObject(raw) && typeof raw.name === 'string' ? raw.name : `case ${index + 1}`;
    if (!isPlainObject(raw) || !isPlainObject(raw.input) || !isPlainObject(raw.expected)) {
      return { name, passed: false, message: 'a case needs an "input" object and an "expected" object' };
    }
    if (Object.keys(raw.expected).length === 0) {
      return { name, passed: false, message: '"expected" is empty, so the case checks nothing' };
    }
    let output: VectorOutput;
    try {
      output = calculator.run(raw.input);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { name, passed: false, message: `expected ${show(raw.expected)} got error: ${reason}` };
    }
    const message = compareExpected(raw.expected, output);
    return message === undefined ? { name, passed: true } : { name, passed: false, message };
  });
  const passed = cases.filter((c) => c.passed).length;
  return { file: fileName, passed, failed: cases.length - passed, cases };
}
