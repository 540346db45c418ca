// The bulk liability order complaint list sent to the magistrates' court, and the outcomes file that
// comes back. There is no national standard: the layouts are Levy's, documented in
// docs/court-list-format.md. CSV per RFC 4180 (quoted when needed, CRLF line ends, UTF-8).
import { isIsoDate } from '../../domain/calendar.ts';
import { formatFinancialYear } from '../../domain/calendar.ts';

export const COMPLAINT_LIST_COLUMNS = [
  'case_number', 'hearing_date', 'hearing_time', 'court', 'authority', 'account_reference', 'liability', 'financial_year',
  'defendant', 'address', 'summons_issued', 'complaint_amount', 'costs', 'total',
] as const;

export const OUTCOME_COLUMNS = ['case_number', 'outcome', 'adjourned_to', 'reason'] as const;
export const OUTCOMES = ['granted', 'withdrawn', 'adjourned', 'dismissed'] as const;
export type CourtOutcome = (typeof OUTCOMES)[number];

const pounds = (pence: number) => `${pence < 0 ? '-' : ''}${Math.floor(Math.abs(pence) / 100)}.${String(Math.abs(pence) % 100).padStart(2, '0')}`;

function cell(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: (string | number | null)[][]): string {
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

export interface ComplaintLine {
  caseNumber: string;
  hearingOn: string;
  hearingTime: string;
  court: string;
  authority: string;
  accountReference: string;
  stream: string;
  financialYear: number;
  defendant: string;
  address: string | null;
  summonsIssuedOn: string;
  complaintPence: number;
  costsPence: number;
}

export function complaintListCsv(lines: ComplaintLine[]): string {
  return toCsv(COMPLAINT_LIST_COLUMNS, lines.map((l) => [
    l.caseNumber, l.hearingOn, l.hearingTime, l.court, l.authority, l.accountReference,
    l.stream === 'council_tax' ? 'Council Tax' : 'Business Rates', formatFinancialYear({ startYear: l.financialYear }),
    l.defendant, l.address, l.summonsIssuedOn, pounds(l.complaintPence), pounds(l.costsPence), pounds(l.complaintPence + l.costsPence),
  ]));
}

/** Splits CSV text into records of fields (RFC 4180 quoting), with the line each record starts on. */
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  const body = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && body[i + 1] === '\n') i++;
      fields.push(field);
      if (fields.some((f) => f !== '')) records.push({ line: start, fields });
      fields = [];
      field = '';
      line++;
      start = line;
    } else field += ch;
  }
  if (field !== '' || fields.length) {
    fields.push(field);
    if (fields.some((f) => f !== '')) records.push({ line: start, fields });
  }
  return records;
}

export interface OutcomeLine {
  line: number;
  caseNumber: string;
  outcome: CourtOutcome;
  adjournedTo: string | null;
  reason: string | null;
}

/** Reads an outcomes file; every problem is reported with its line number, and nothing is accepted if any. */
export function parseOutcomesCsv(text: string): { lines: OutcomeLine[]; problems: { line: number; message: string }[] } {
  const records = parseCsv(text);
  const problems: { line: number; message: string }[] = [];
  if (!records.length) return { lines: [], problems: [{ line: 1, message: 'The file is empty' }] };
  const header = records[0].fields.map((f) => f.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  for (const required of ['case_number', 'outcome']) {
    if (col(required) < 0) problems.push({ line: records[0].line, message: `The header must include ${required} (columns: ${OUTCOME_COLUMNS.join(', ')})` });
  }
  if (problems.length) return { lines: [], problems };
  const lines: OutcomeLine[] = [];
  const seen = new Set<string>();
  for (const r of records.slice(1)) {
    const get = (name: string) => (col(name) >= 0 ? (r.fields[col(name)] ?? '').trim() : '');
    const caseNumber = get('case_number');
    const outcome = get('outcome').toLowerCase();
    const adjournedTo = get('adjourned_to') || null;
    if (!caseNumber) problems.push({ line: r.line, message: 'case_number is empty' });
    else if (seen.has(caseNumber)) problems.push({ line: r.line, message: `case ${caseNumber} appears twice` });
    seen.add(caseNumber);
    if (!(OUTCOMES as readonly string[]).includes(outcome)) problems.push({ line: r.line, message: `outcome must be one of ${OUTCOMES.join(', ')}; got "${get('outcome')}"` });
    if (outcome === 'adjourned' && (!adjournedTo || !isIsoDate(adjournedTo))) problems.push({ line: r.line, message: 'an adjourned case needs adjourned_to as a date (YYYY-MM-DD)' });
    if (outcome !== 'adjourned' && adjournedTo) problems.push({ line: r.line, message: 'adjourned_to is only for adjourned cases' });
    lines.push({ line: r.line, caseNumber, outcome: outcome as CourtOutcome, adjournedTo, reason: get('reason') || null });
  }
  return { lines, problems };
}
