// Remittance CSVs with a saved column mapping: DWP deduction schedules, employers' attachment of
// earnings remittances, enforcement agents' remittances (docs/formats.md "CSV with a mapping").
// A mapping names the columns (by header text, or by 1-based number when there is no header), the
// date and amount formats, the channel, and optionally a control-total row whose figure must equal
// the sum of the rows. Quoted fields (RFC 4180, with "" for a quote and line breaks inside quotes)
// are read correctly; each row becomes one record.
import { z } from 'zod';
import { isIsoDate } from '../../domain/calendar.ts';
import { decimalToPence, findReference, textChunks, type ParseItem, type TextSource } from '../payment-file.ts';

export const DATE_FORMATS = ['dd/MM/yyyy', 'yyyy-MM-dd', 'dd-MM-yyyy', 'dd.MM.yyyy', 'yyyyMMdd'] as const;

export const csvMappingSchema = z.object({
  channel: z.string().trim().regex(/^[a-z_]{2,30}$/, 'Channel must be lower-case words joined by _ (for example dwp, employer, enforcement_agent)'),
  delimiter: z.enum([',', ';', '\t', '|']).default(','),
  hasHeader: z.boolean().default(true),
  columns: z.object({
    reference: z.string().trim().min(1, 'Name the reference column'),
    amount: z.string().trim().min(1, 'Name the amount column'),
    date: z.string().trim().min(1, 'Name the date column'),
    payerName: z.string().trim().min(1).optional(),
    transactionId: z.string().trim().min(1).optional(),
    narrative: z.string().trim().min(1).optional(),
  }),
  dateFormat: z.enum(DATE_FORMATS).default('dd/MM/yyyy'),
  amountFormat: z.enum(['pounds', 'pence']).default('pounds'),
  /** A row whose first cell is this label carries the file's control total in the amount column. */
  totalRowLabel: z.string().trim().min(1).optional(),
});
export type CsvMapping = z.infer<typeof csvMappingSchema>;

/** Splits CSV text into rows of fields, streaming; each row knows the physical line it starts on. */
export async function* csvRows(source: TextSource, delimiter: string): AsyncGenerator<{ line: number; fields: string[]; raw: string; unterminated?: boolean }> {
  let field = '';
  let fields: string[] = [];
  let raw = '';
  let inQuotes = false;
  let quoteJustClosed = false;
  let line = 1;
  let rowLine = 1;
  let atFieldStart = true;
  for await (const chunk of textChunks(source)) {
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i];
      if (inQuotes) {
        raw += ch;
        if (ch === '"') {
          inQuotes = false;
          quoteJustClosed = true;
        } else {
          if (ch === '\n') line++;
          field += ch;
        }
        continue;
      }
      if (ch === '"' && quoteJustClosed) {
        // "" inside a quoted field is one quote
        raw += ch;
        field += '"';
        inQuotes = true;
        quoteJustClosed = false;
        continue;
      }
      quoteJustClosed = false;
      if (ch === '"' && atFieldStart) {
        raw += ch;
        inQuotes = true;
        atFieldStart = false;
        continue;
      }
      if (ch === delimiter) {
        raw += ch;
        fields.push(field);
        field = '';
        atFieldStart = true;
        continue;
      }
      if (ch === '\n' || ch === '\r') {
        if (ch === '\r' && chunk[i + 1] === '\n') continue; // handled at the \n
        fields.push(field);
        yield { line: rowLine, fields, raw };
        field = '';
        fields = [];
        raw = '';
        atFieldStart = true;
        line++;
        rowLine = line;
        continue;
      }
      raw += ch;
      field += ch;
      atFieldStart = false;
    }
  }
  if (inQuotes) {
    fields.push(field);
    yield { line: rowLine, fields, raw, unterminated: true };
  } else if (raw.length || fields.length) {
    fields.push(field);
    yield { line: rowLine, fields, raw };
  }
}

function parseDate(text: string, format: CsvMapping['dateFormat']): string | null {
  const t = text.trim();
  const patterns: Record<CsvMapping['dateFormat'], RegExp> = {
    'dd/MM/yyyy': /^(?<d>\d{2})\/(?<m>\d{2})\/(?<y>\d{4})$/,
    'yyyy-MM-dd': /^(?<y>\d{4})-(?<m>\d{2})-(?<d>\d{2})$/,
    'dd-MM-yyyy': /^(?<d>\d{2})-(?<m>\d{2})-(?<y>\d{4})$/,
    'dd.MM.yyyy': /^(?<d>\d{2})\.(?<m>\d{2})\.(?<y>\d{4})$/,
    yyyyMMdd: /^(?<y>\d{4})(?<m>\d{2})(?<d>\d{2})$/,
  };
  const g = patterns[format].exec(t)?.groups;
  if (!g) return null;
  const iso = `${g.y}-${g.m}-${g.d}`;
  return isIsoDate(iso) ? iso : null;
}

function parseAmount(text: string, format: CsvMapping['amountFormat']): number | null {
  const t = text.trim().replace(/^£/, '').replace(/,(?=\d{3}(\D|$))/g, '');
  if (format === 'pence') return /^\d+$/.test(t) ? Number(t) : null;
  return decimalToPence(t, '.');
}

export async function* parseMappedCsv(source: TextSource, mapping: CsvMapping, mappingName = 'mapping'): AsyncGenerator<ParseItem> {
  const m = csvMappingSchema.parse(mapping);
  let index: Record<string, number> | null = null;
  let records = 0;
  let total = 0;
  let unreadable = 0;
  let totalRow: { line: number; pence: number | null } | null = null;

  const columnIndex = (header: string[] | null): Record<string, number> | string => {
    const result: Record<string, number> = {};
    for (const [key, name] of Object.entries(m.columns)) {
      if (!name) continue;
      if (header) {
        const i = header.findIndex((h) => h.trim().toLowerCase() === name.toLowerCase());
        if (i < 0) return `column "${name}" (${key}) named in mapping ${mappingName} is not in the header: ${header.map((h) => `"${h.trim()}"`).join(', ')}`;
        result[key] = i;
      } else {
        if (!/^\d+$/.test(name) || Number(name) < 1) return `mapping ${mappingName} has no header row, so column ${key} must be a column number, not "${name}"`;
        result[key] = Number(name) - 1;
      }
    }
    return result;
  };

  for await (const row of csvRows(source, m.delimiter)) {
    if (row.fields.every((f) => f.trim() === '')) continue; // an empty line carries nothing
    if (!index) {
      const found = columnIndex(m.hasHeader ? row.fields : null);
      if (typeof found === 'string') {
        yield { kind: 'file-problem', message: found, sourceLine: row.line };
        return;
      }
      index = found;
      if (m.hasHeader) continue;
    }
    if (totalRow) {
      yield { kind: 'file-problem', message: `line ${row.line} comes after the total row on line ${totalRow.line}`, sourceLine: row.line };
      continue;
    }
    const cell = (key: string) => (index![key] === undefined ? undefined : row.fields[index![key]]?.trim());
    if (m.totalRowLabel && row.fields[0]?.trim().toLowerCase() === m.totalRowLabel.toLowerCase()) {
      const amountText = cell('amount') ?? '';
      totalRow = { line: row.line, pence: parseAmount(amountText, m.amountFormat) };
      if (totalRow.pence === null) yield { kind: 'file-problem', message: `total row on line ${row.line} has no readable amount ("${amountText}")`, sourceLine: row.line };
      continue;
    }
    records++;
    const seen: { amountPence?: number } = {};
    const reject = (problem: string) => ({ kind: 'record' as const, lineNo: records, sourceLine: row.line, raw: row.raw, ok: false as const, problem, ...(seen.amountPence ? { amountPence: seen.amountPence } : {}) });
    if (row.unterminated) {
      unreadable++;
      yield reject('a quoted field is never closed: the file may be cut short');
      continue;
    }
    const needed = Math.max(...Object.values(index)) + 1;
    if (row.fields.length < needed) {
      unreadable++;
      yield reject(`row has ${row.fields.length} fields; the mapping needs at least ${needed}`);
      continue;
    }
    const amountText = cell('amount') ?? '';
    const amountPence = parseAmount(amountText, m.amountFormat);
    if (amountPence === null) {
      unreadable++;
      yield reject(`amount "${amountText}" is not ${m.amountFormat === 'pence' ? 'a whole number of pence' : 'an amount in pounds (for example 12.50)'}`);
      continue;
    }
    total += amountPence;
    seen.amountPence = amountPence;
    if (amountPence === 0) {
      yield reject('amount is zero');
      continue;
    }
    const dateText = cell('date') ?? '';
    const paidOn = parseDate(dateText, m.dateFormat);
    if (!paidOn) {
      yield reject(`date "${dateText}" is not a real date as ${m.dateFormat}`);
      continue;
    }
    const referenceText = cell('reference') ?? '';
    const reference = findReference(referenceText) ?? (referenceText.replace(/\s/g, '') || null);
    const transactionId = cell('transactionId');
    const payerName = cell('payerName') || null;
    yield {
      kind: 'record', lineNo: records, sourceLine: row.line, raw: row.raw, ok: true,
      fields: {
        baseKey: transactionId
          ? `csv:${m.channel}:${transactionId}`
          : `csv:${m.channel}:${paidOn}:${reference ?? ''}:${amountPence}:${payerName ?? ''}`,
        reference, amountPence, currency: 'GBP', direction: 'credit', paidOn, channel: m.channel,
        payerName, narrative: cell('narrative') || null,
      },
    };
  }
  if (!index) {
    yield { kind: 'file-problem', message: 'the file is empty' };
    return;
  }
  if (m.totalRowLabel) {
    if (!totalRow) {
      yield { kind: 'file-problem', message: `the file has no "${m.totalRowLabel}" row: it may be incomplete` };
    } else if (totalRow.pence !== null) {
      yield { kind: 'declared', lines: records, amountPence: totalRow.pence };
      if (unreadable) yield { kind: 'file-problem', message: `${unreadable} row(s) could not be read, so the total row cannot be confirmed`, sourceLine: totalRow.line };
      else if (totalRow.pence !== total) yield { kind: 'file-problem', message: `total row says ${totalRow.pence} pence but the rows add up to ${total} pence`, sourceLine: totalRow.line };
    }
  }
}
