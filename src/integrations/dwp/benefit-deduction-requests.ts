// The bulk file of council tax deduction-from-benefit requests to DWP (docs/formats.md, "DWP
// deduction requests"). DOMAIN.md names no DWP file format, so this is Levy's own documented CSV:
// one header line, one line per request, RFC 4180 quoting, CRLF, money in pounds with two decimals,
// dates YYYY-MM-DD. Produce only; the attachments module decides which requests go in.
import { penceToPounds } from '../report-files/csv.ts';

export const DWP_REQUEST_COLUMNS = [
  'request_id', 'council_reference', 'account_reference', 'ni_number', 'surname', 'forenames', 'date_of_birth',
  'address_line1', 'address_line2', 'address_line3', 'postcode', 'benefit', 'deduction_period', 'deduction', 'amount_outstanding',
  'liability_order_years', 'requested_on',
] as const;

export interface DwpRequestLine {
  requestId: number;
  councilReference: string; // the council's ONS code: who the deductions are paid to
  accountReference: string;
  niNumber: string;
  surname: string;
  forenames: string;
  dateOfBirth: string | null;
  addressLines: string[]; // the last line is the postcode
  benefit: string;
  period: 'weekly' | 'monthly';
  deductionPence: number;
  outstandingPence: number;
  liabilityOrderYears: number[];
  requestedOn: string;
}

const cell = (v: string) => {
  const s = /^[=+\-@]/.test(v) ? `'${v}` : v; // never a formula in someone's spreadsheet
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const year = (y: number) => `${y}/${String((y + 1) % 100).padStart(2, '0')}`;

export function writeDwpRequestFile(lines: DwpRequestLine[]): string {
  const out = [DWP_REQUEST_COLUMNS.join(',')];
  for (const l of lines) {
    const postcode = l.addressLines.length > 1 ? l.addressLines[l.addressLines.length - 1] : '';
    const street = postcode ? l.addressLines.slice(0, -1) : l.addressLines;
    // Three address lines: the first two as they are, anything further joined into the third.
    const address = [street[0] ?? '', street[1] ?? '', street.slice(2).join(', ')];
    out.push([String(l.requestId), l.councilReference, l.accountReference, l.niNumber, l.surname, l.forenames, l.dateOfBirth ?? '',
      ...address, postcode, l.benefit, l.period, penceToPounds(l.deductionPence), penceToPounds(l.outstandingPence),
      l.liabilityOrderYears.map(year).join(' '), l.requestedOn].map(cell).join(','));
  }
  return out.join('\r\n') + '\r\n';
}
