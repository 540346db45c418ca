// Bank holidays in England and Wales, as data. Source: GOV.UK "UK bank holidays" (england-and-wales
// division), including substitute days (e.g. 28 December 2026 for Boxing Day falling on a Saturday).
// Levy only knows the years listed here: asking about any other year fails loudly (see calendar.ts)
// rather than quietly treating it as a year without bank holidays. Add each new year when GOV.UK
// publishes it.
import type { IsoDate } from './calendar.ts';

export type BankHolidayRegion = 'england-and-wales';

export interface BankHoliday {
  date: IsoDate;
  name: string;
}

export const BANK_HOLIDAYS_ENGLAND_AND_WALES: Readonly<Record<number, readonly BankHoliday[]>> = {
  2024: [
    { date: '2024-01-01', name: "New Year's Day" },
    { date: '2024-03-29', name: 'Good Friday' },
    { date: '2024-04-01', name: 'Easter Monday' },
    { date: '2024-05-06', name: 'Early May bank holiday' },
    { date: '2024-05-27', name: 'Spring bank holiday' },
    { date: '2024-08-26', name: 'Summer bank holiday' },
    { date: '2024-12-25', name: 'Christmas Day' },
    { date: '2024-12-26', name: 'Boxing Day' },
  ],
  2025: [
    { date: '2025-01-01', name: "New Year's Day" },
    { date: '2025-04-18', name: 'Good Friday' },
    { date: '2025-04-21', name: 'Easter Monday' },
    { date: '2025-05-05', name: 'Early May bank holiday' },
    { date: '2025-05-26', name: 'Spring bank holiday' },
    { date: '2025-08-25', name: 'Summer bank holiday' },
    { date: '2025-12-25', name: 'Christmas Day' },
    { date: '2025-12-26', name: 'Boxing Day' },
  ],
  2026: [
    { date: '2026-01-01', name: "New Year's Day" },
    { date: '2026-04-03', name: 'Good Friday' },
    { date: '2026-04-06', name: 'Easter Monday' },
    { date: '2026-05-04', name: 'Early May bank holiday' },
    { date: '2026-05-25', name: 'Spring bank holiday' },
    { date: '2026-08-31', name: 'Summer bank holiday' },
    { date: '2026-12-25', name: 'Christmas Day' },
    { date: '2026-12-28', name: 'Boxing Day (substitute day)' },
  ],
  2027: [
    { date: '2027-01-01', name: "New Year's Day" },
    { date: '2027-03-26', name: 'Good Friday' },
    { date: '2027-03-29', name: 'Easter Monday' },
    { date: '2027-05-03', name: 'Early May bank holiday' },
    { date: '2027-05-31', name: 'Spring bank holiday' },
    { date: '2027-08-30', name: 'Summer bank holiday' },
    { date: '2027-12-27', name: 'Christmas Day (substitute day)' },
    { date: '2027-12-28', name: 'Boxing Day (substitute day)' },
  ],
  2028: [
    { date: '2028-01-03', name: "New Year's Day (substitute day)" },
    { date: '2028-04-14', name: 'Good Friday' },
    { date: '2028-04-17', name: 'Easter Monday' },
    { date: '2028-05-01', name: 'Early May bank holiday' },
    { date: '2028-05-29', name: 'Spring bank holiday' },
    { date: '2028-08-28', name: 'Summer bank holiday' },
    { date: '2028-12-25', name: 'Christmas Day' },
    { date: '2028-12-26', name: 'Boxing Day' },
  ],
};

/** The bank holidays for a year, or undefined when Levy has no data for that year. */
export function bankHolidaysFor(region: BankHolidayRegion, year: number): readonly BankHoliday[] | undefined {
  switch (region) {
    case 'england-and-wales':
      return BANK_HOLIDAYS_ENGLAND_AND_WALES[year];
  }
}
