// A report table as CSV (RFC 4180: comma-separated, double-quoted where needed, CRLF line ends),
// UTF-8 with a byte-order mark so Excel reads "£" and "’" correctly. Money is written in pounds
// with two decimals ("1234.56", the column named "… (£)"), percentages with two decimals, dates as
// YYYY-MM-DD. Text that a spreadsheet would run as a formula (=, +, -, @ first) is quoted with a
// leading apostrophe, so a name in a report cannot become a formula in someone's Excel.
export type SheetColumnType = 'text' | 'date' | 'pence' | 'count' | 'percent' | 'points' | 'year';
export type SheetCell = string | number | null;

export interface SheetTable {
  key: string;
  title: string;
  columns: { key: string; label: string; type: SheetColumnType }[];
  rows: Record<string, SheetCell>[];
  totals?: Record<string, SheetCell>;
}

/** Pence as pounds with two decimals, exactly ("-12.05"), never through floating point. */
export function penceToPounds(pence: number): string {
  const negative = pence < 0;
  const abs = Math.abs(pence);
  return `${negative ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function columnHeading(column: { label: string; type: SheetColumnType }): string {
  return column.type === 'pence' ? `${column.label} (£)` : column.label;
}

function csvValue(value: SheetCell, type: SheetColumnType): string {
  if (value === null || value === undefined || value === '') return '';
  if (typeof value === 'number') {
    if (type === 'pence') return penceToPounds(value);
    if (type === 'percent' || type === 'points') return value.toFixed(2);
    return String(value);
  }
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

export function tableToCsv(table: SheetTable): string {
  const lines = [table.columns.map((c) => quote(columnHeading(c)))];
  for (const row of [...table.rows, ...(table.totals ? [table.totals] : [])]) {
    lines.push(table.columns.map((c) => quote(csvValue(row[c.key] ?? null, c.type))));
  }
  return `\uFEFF${lines.map((l) => l.join(',')).join('\r\n')}\r\n`;
}
