// The instalment plan on a bill: the statutory scheme (council-tax-instalments.ts) applied to what is
// left to pay, on the payer's day of the month.
import { ValidationError } from '../../errors.ts';
import { formatFinancialYear, type IsoDate } from '../../domain/calendar.ts';
import { instalmentSchedule, type InstalmentSchedule } from '../../domain/council-tax-instalments.ts';
import { NoRuleInForceError, type Nation } from '../../domain/law/rules.ts';

/** The instalments for what is left to pay, by the statutory scheme, on the payer's day. */
export function planFor(input: { totalPence: number; issuedOn: IsoDate; financialYear: number; tax: 'council_tax' | 'business_rates'; nation: Nation; twelve: boolean; day: number }): InstalmentSchedule | null {
  if (input.totalPence <= 0) return null;
  const base = { totalPence: input.totalPence, issuedOn: input.issuedOn, financialYear: formatFinancialYear({ startYear: input.financialYear }), tax: input.tax, nation: input.nation, dayOfMonth: input.day, twelveRequested: input.twelve };
  const attempt = (args: typeof base): InstalmentSchedule => {
    try {
      return instalmentSchedule(args);
    } catch (error) {
      // Welsh business rates follow the same scheme; Levy holds the English rule only.
      if (error instanceof NoRuleInForceError && args.nation !== 'england') return instalmentSchedule({ ...args, nation: 'england' });
      throw error;
    }
  };
  try {
    return attempt(base);
  } catch (error) {
    // Twelve on request with a late day can run past 31 March: fall back to the standard number.
    if (error instanceof ValidationError && base.twelveRequested) return attempt({ ...base, twelveRequested: false });
    throw error;
  }
}

