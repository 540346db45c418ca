// Enforcement agent files (docs/formats.md, "Enforcement agents"): the case export to a firm and the
// returns file it sends back. Parse and produce only; the enforcement module does the rest.
import { parseCsv } from '../open-data.ts';
import { isIsoDate } from '../../domain/calendar.ts';
import { parsePence } from '../../domain/money.ts';

export const EXPORT_COLUMNS = [
  'referral_id', 'account_reference', 'debtor_name', 'address_line1', 'address_line2', 'town', 'postcode',
  'financial_year', 'liability_order_date', 'amount', 'warning',
] as const;

export interface ExportCase {
  referralId: number;
  accountReference: string;
  debtorName: string;
  addressLine1: string;
  addressLine2: string;
  town: string;
  postcode: string;
  financialYear: number;
  liabilityOrderDate: string;
  amountPence: number;
  warning: string | null;
}

const cell = (v: string) => {
  const s = /^[=+\-@]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const pounds = (pence: number) => `${pence < 0 ? '-' : ''}${Math.floor(Math.abs(pence) / 100)}.${String(Math.abs(pence) % 100).padStart(2, '0')}`;

export function writeExport(cases: ExportCase[]): string {
  const lines = [EXPORT_COLUMNS.join(',')];
  for (const c of cases) {
    lines.push([String(c.referralId), c.accountReference, c.debtorName, c.addressLine1, c.addressLine2, c.town, c.postcode, `${c.financialYear}/${String((c.financialYear + 1) % 100).padStart(2, '0')}`,
      c.liabilityOrderDate, pounds(c.amountPence), c.warning ?? ''].map(cell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** The recall file: cases the council has taken back from the firm (docs/formats.md). */
export const RECALL_COLUMNS = ['referral_id', 'account_reference', 'debtor_name', 'financial_year', 'recalled_on', 'reason', 'reason_text'] as const;

export interface RecallLine {
  referralId: number;
  accountReference: string;
  debtorName: string;
  financialYear: number;
  recalledOn: string;
  reason: string;
  reasonText: string;
}

export function writeRecalls(recalls: RecallLine[]): string {
  const lines = [RECALL_COLUMNS.join(',')];
  for (const r of recalls) {
    lines.push([String(r.referralId), r.accountReference, r.debtorName, `${r.financialYear}/${String((r.financialYear + 1) % 100).padStart(2, '0')}`, r.recalledOn, r.reason, r.reasonText].map(cell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

export const RETURN_COLUMNS = ['referral_id', 'status', 'date', 'paid', 'fee_stage', 'fee'] as const;
export const RETURN_STATUSES = ['paid', 'part_paid', 'arrangement', 'no_goods', 'gone_away', 'returned'] as const;
export type ReturnStatus = (typeof RETURN_STATUSES)[number];
export const FEE_STAGES = ['compliance', 'enforcement', 'sale'] as const;

export interface ReturnLine {
  line: number;
  referralId: number;
  status: ReturnStatus;
  date: string;
  paidPence: number;
  feeStage: (typeof FEE_STAGES)[number] | null;
  feePence: number;
}

export interface ReturnProblem {
  line: number;
  message: string;
}

/** Reads a returns file: a header row naming the columns (any order), then one line per case event. */
export function parseReturns(text: string): { lines: ReturnLine[]; problems: ReturnProblem[] } {
  const rows = parseCsv(text.replace(/^\uFEFF/, '')).filter((r) => r.some((c) => c.trim() !== ''));
  if (!rows.length) return { lines: [], problems: [{ line: 1, message: 'the file is empty' }] };
  const header = rows[0].map((h) => h.trim().toLowerCase());
  const missing = RETURN_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) return { lines: [], problems: [{ line: 1, message: `missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}` }] };
  const at = Object.fromEntries(RETURN_COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<(typeof RETURN_COLUMNS)[number], number>;
  const lines: ReturnLine[] = [];
  const problems: ReturnProblem[] = [];
  rows.slice(1).forEach((row, i) => {
    const line = i + 2;
    const get = (c: (typeof RETURN_COLUMNS)[number]) => (row[at[c]] ?? '').trim();
    const id = get('referral_id');
    const status = get('status').toLowerCase();
    const date = get('date');
    const stage = get('fee_stage').toLowerCase();
    const money = (c: 'paid' | 'fee') => {
      const v = get(c);
      if (v === '') return 0;
      try { return parsePence(v); } catch { problems.push({ line, message: `${c} "${v}" is not an amount of money` }); return NaN; }
    };
    if (!/^\d+$/.test(id)) return void problems.push({ line, message: `referral_id "${id}" is not a number` });
    if (!(RETURN_STATUSES as readonly string[]).includes(status)) return void problems.push({ line, message: `status "${status}" is not one of ${RETURN_STATUSES.join(', ')}` });
    if (!isIsoDate(date)) return void problems.push({ line, message: `date "${date}" is not a date as YYYY-MM-DD` });
    if (stage && !(FEE_STAGES as readonly string[]).includes(stage)) return void problems.push({ line, message: `fee_stage "${stage}" is not one of ${FEE_STAGES.join(', ')}` });
    const paidPence = money('paid');
    const feePence = money('fee');
    if (Number.isNaN(paidPence) || Number.isNaN(feePence)) return;
    if (feePence > 0 && !stage) return void problems.push({ line, message: 'a fee needs its fee_stage' });
    lines.push({ line, referralId: Number(id), status: status as ReturnStatus, date, paidPence, feeStage: (stage || null) as ReturnLine['feeStage'], feePence });
  });
  return { lines, problems };
}
