// What every payment-file parser produces: one item per record, in file order, streamed. A record
// that cannot be read is still an item (ok: false) with its line number, raw text and the problem,
// so nothing is ever silently skipped. File-level facts (declared totals, a wrong trailer, truncated
// XML) arrive as their own items; the import service decides what to do with them.
import { Readable } from 'node:stream';
import { checkAccountReference } from '../domain/account-reference.ts';
import { assertIsoDate, isIsoDate, type IsoDate } from '../domain/calendar.ts';

export interface PaymentFields {
  /** The transaction's identity as the file states it (before duplicates in the same file are numbered). */
  baseKey: string;
  /** The account reference as the payer gave it, spaces removed; null when none was found. */
  reference: string | null;
  amountPence: number;
  currency: string;
  direction: 'credit' | 'debit';
  paidOn: IsoDate;
  channel: string;
  payerName?: string | null;
  payerAccount?: string | null;
  narrative?: string | null;
  /** The bank marked the entry as a reversal of an earlier one. */
  reversal?: boolean;
}

export type ParsedRecord =
  | { kind: 'record'; lineNo: number; sourceLine: number; raw: string; ok: true; fields: PaymentFields }
  /** amountPence: the amount, when it could be read although the record could not (for control totals). */
  | { kind: 'record'; lineNo: number; sourceLine: number; raw: string; ok: false; problem: string; amountPence?: number };

/** Totals the file declares about itself (a trailer, statement balances): checked by the parser. */
export interface DeclaredTotals {
  kind: 'declared';
  lines?: number;
  amountPence?: number;
}

/** A problem with the file as a whole: the import is rejected and nothing is posted. */
export interface FileProblem {
  kind: 'file-problem';
  message: string;
  sourceLine?: number;
}

/** Worth telling the officer, but the file can still be posted. */
export interface FileWarning {
  kind: 'warning';
  message: string;
}

export type ParseItem = ParsedRecord | DeclaredTotals | FileProblem | FileWarning;

export type TextSource = AsyncIterable<string | Buffer> | Iterable<string | Buffer> | string;

/** A string, a Buffer, or a stream, as an async iterable of text chunks. */
export async function* textChunks(source: TextSource): AsyncGenerator<string> {
  if (typeof source === 'string') {
    yield source;
    return;
  }
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of source) {
    yield typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/** Splits text into physical lines (CRLF or LF), numbered from 1, without holding the file. */
export async function* textLines(source: TextSource): AsyncGenerator<{ lineNo: number; text: string }> {
  let pending = '';
  let lineNo = 0;
  for await (const chunk of textChunks(source)) {
    pending += chunk;
    let start = 0;
    let nl: number;
    while ((nl = pending.indexOf('\n', start)) >= 0) {
      const text = pending.slice(start, nl);
      lineNo++;
      yield { lineNo, text: text.endsWith('\r') ? text.slice(0, -1) : text };
      start = nl + 1;
    }
    pending = pending.slice(start);
  }
  if (pending.length) {
    lineNo++;
    yield { lineNo, text: pending.endsWith('\r') ? pending.slice(0, -1) : pending };
  }
}

export function streamOf(text: string): Readable {
  return Readable.from([Buffer.from(text, 'utf8')]);
}

/** dd/MM/yyyy → ISO, or null when it is not a real date. */
export function ukDate(text: string): IsoDate | null {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text.trim());
  if (!m) return null;
  const iso = `${m[3]}-${m[2]}-${m[1]}`;
  return isIsoDate(iso) ? iso : null;
}

/** YYMMDD (SWIFT) → ISO; years 00–79 are 20xx, 80–99 are 19xx. */
export function swiftDate(text: string): IsoDate | null {
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) return null;
  const yy = Number(m[1]);
  const iso = `${yy < 80 ? 2000 + yy : 1900 + yy}-${m[2]}-${m[3]}`;
  return isIsoDate(iso) ? iso : null;
}

export function isoDateOrNull(text: string | undefined | null): IsoDate | null {
  if (!text) return null;
  const head = text.trim().slice(0, 10);
  try {
    return assertIsoDate(head);
  } catch {
    return null;
  }
}

/**
 * Decimal amount text ("123.45", "123,45" with comma decimals, "123") to pence, or null. Never a float:
 * the digits are read as integers.
 */
export function decimalToPence(text: string, decimalSeparator: '.' | ',' = '.'): number | null {
  const t = text.trim();
  const re = decimalSeparator === '.' ? /^(\d+)(?:\.(\d{0,2}))?$/ : /^(\d+)(?:,(\d{0,2}))?$/;
  const m = re.exec(t);
  if (!m) return null;
  const pence = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0') || '0');
  return Number.isSafeInteger(pence) ? pence : null;
}

/**
 * Finds an account reference in free text: the first run of 10 digits (spaces or dashes allowed
 * between digit groups) that passes the check digit, else the first 10-digit run, else null.
 */
export function findReference(...texts: (string | null | undefined)[]): string | null {
  let firstTenDigits: string | null = null;
  for (const text of texts) {
    if (!text) continue;
    const candidates = [...text.matchAll(/(?<!\d)\d{10}(?!\d)/g)].map((m) => m[0]);
    for (const m of text.matchAll(/(?<!\d)\d{1,6}(?:[ -]\d{1,6}){1,4}(?!\d)/g)) {
      const digits = m[0].replace(/[ -]/g, '');
      if (digits.length === 10) candidates.push(digits);
    }
    for (const digits of candidates) {
      if (checkAccountReference(digits).valid) return digits;
      firstTenDigits ??= digits;
    }
  }
  return firstTenDigits;
}
