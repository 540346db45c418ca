// General-ledger journal as CSV for the finance system (Agresso/Unit4-style flat journal import).
// One line per (date, GL code, description) with a debit or a credit; every journal balances.
// See docs/formats.md "General-ledger journal".
export interface JournalLine {
  journalDate: string;
  glCode: string;
  description: string;
  debitPence: number;
  creditPence: number;
  reference: string;
}

export const JOURNAL_HEADER = ['journal_date', 'gl_code', 'description', 'debit', 'credit', 'reference'];

const money = (pence: number) => (pence === 0 ? '' : `${Math.floor(pence / 100)}.${String(pence % 100).padStart(2, '0')}`);
const csvField = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export function journalCsv(lines: JournalLine[]): string {
  const rows = [JOURNAL_HEADER, ...lines.map((l) => [l.journalDate, l.glCode, l.description, money(l.debitPence), money(l.creditPence), l.reference])];
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Σ debits = Σ credits per journal date: the check a finance system makes before it posts. */
export function unbalancedDates(lines: JournalLine[]): string[] {
  const byDate = new Map<string, number>();
  for (const l of lines) byDate.set(l.journalDate, (byDate.get(l.journalDate) ?? 0) + l.debitPence - l.creditPence);
  return [...byDate].filter(([, net]) => net !== 0).map(([d]) => d);
}
