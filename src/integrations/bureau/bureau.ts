// Payment bureau daily file (Allpay-style fixed width; DOMAIN.md §9, docs/formats.md "Bureau").
//
//   detail   0–6 narrative · 7–22 account reference · 23–31 amount in pence · 32 channel · 33–42 dd/MM/yyyy
//   header   optional, first line: "HEADER " · 7–16 file date dd/MM/yyyy · 17– bureau name
//   trailer  last line: "TRAILER" · 7–16 number of detail records · 17–30 total of detail amounts in pence
//
// A detail record that cannot be read becomes an exception item with its line number. The trailer
// is compared with what was read: a missing trailer, a wrong count or a wrong total is a file
// problem (the file is incomplete or corrupt, so none of it should be posted).
import { textLines, ukDate, type ParseItem, type TextSource } from '../payment-file.ts';

export const BUREAU_CHANNELS: Record<string, { channel: string; label: string }> = {
  P: { channel: 'post_office', label: 'Post Office' },
  T: { channel: 'paypoint', label: 'PayPoint' },
  Z: { channel: 'payzone', label: 'Payzone' },
  B: { channel: 'bills_online', label: 'Bills online' },
  N: { channel: 'ivr', label: 'Telephone (IVR)' },
  A: { channel: 'allpay_app', label: 'Allpay app' },
};

export const BUREAU_RECORD_LENGTH = 43;

export async function* parseBureau(source: TextSource): AsyncGenerator<ParseItem> {
  let records = 0;
  let readableTotal = 0;
  let unreadableAmounts = 0;
  let trailer: { lineNo: number; count: number | null; total: number | null } | null = null;

  for await (const { lineNo, text } of textLines(source)) {
    if (text.trim() === '') continue; // blank lines carry nothing (a trailing newline, a blank at the end)
    if (trailer) {
      yield { kind: 'file-problem', message: `line ${lineNo} comes after the trailer on line ${trailer.lineNo}`, sourceLine: lineNo };
      continue;
    }
    if (lineNo === 1 && text.startsWith('HEADER ')) continue; // the optional header names the file, no money
    if (text.startsWith('TRAILER')) {
      const countText = text.slice(7, 17).trim();
      const totalText = text.slice(17, 31).trim();
      trailer = {
        lineNo,
        count: /^\d+$/.test(countText) ? Number(countText) : null,
        total: /^\d+$/.test(totalText) ? Number(totalText) : null,
      };
      if (trailer.count === null || trailer.total === null) {
        yield { kind: 'file-problem', message: `trailer on line ${lineNo} is not readable: "${text}"`, sourceLine: lineNo };
      }
      continue;
    }

    records++;
    const raw = text;
    const amountText = text.slice(23, 32);
    // whole pence: read as an integer, never as pounds
    const amountPence = /^\d{9}$/.test(amountText) ? Number(amountText) : null;
    const reject = (problem: string) => ({ kind: 'record' as const, lineNo: records, sourceLine: lineNo, raw, ok: false as const, problem, ...(amountPence ? { amountPence } : {}) });
    if (amountPence === null) unreadableAmounts++;
    else readableTotal += amountPence;

    if (text.trimEnd().length < BUREAU_RECORD_LENGTH) {
      yield reject(`record is ${text.trimEnd().length} characters long; a payment record is ${BUREAU_RECORD_LENGTH}`);
      continue;
    }
    if (text.length > BUREAU_RECORD_LENGTH && text.slice(BUREAU_RECORD_LENGTH).trim() !== '') {
      yield reject(`unexpected text after position ${BUREAU_RECORD_LENGTH - 1}: "${text.slice(BUREAU_RECORD_LENGTH).trim()}"`);
      continue;
    }
    if (amountPence === null) {
      yield reject(`amount "${amountText}" (positions 23–31) is not 9 digits of pence`);
      continue;
    }
    if (amountPence === 0) {
      yield reject('amount is zero');
      continue;
    }
    const code = text[32];
    const channel = BUREAU_CHANNELS[code];
    if (!channel) {
      yield reject(`channel code "${code}" (position 32) is not one of ${Object.keys(BUREAU_CHANNELS).join(', ')}`);
      continue;
    }
    const dateText = text.slice(33, 43);
    const paidOn = ukDate(dateText);
    if (!paidOn) {
      yield reject(`date "${dateText}" (positions 33–42) is not a real date as dd/MM/yyyy`);
      continue;
    }
    const narrative = text.slice(0, 7).trim();
    const reference = text.slice(7, 23).replace(/\s/g, '') || null;
    yield {
      kind: 'record', lineNo: records, sourceLine: lineNo, raw, ok: true,
      fields: {
        baseKey: `bureau:${paidOn}:${code}:${narrative}:${reference ?? ''}:${amountPence}`,
        reference, amountPence, currency: 'GBP', direction: 'credit', paidOn,
        channel: channel.channel, narrative: narrative || null,
      },
    };
  }

  if (!trailer) {
    yield { kind: 'file-problem', message: 'the file has no trailer record: it may be incomplete' };
    return;
  }
  if (trailer.count === null || trailer.total === null) return;
  yield { kind: 'declared', lines: trailer.count, amountPence: trailer.total };
  if (trailer.count !== records) {
    yield { kind: 'file-problem', message: `trailer says ${trailer.count} records but the file has ${records}`, sourceLine: trailer.lineNo };
  }
  if (unreadableAmounts > 0) {
    yield { kind: 'file-problem', message: `${unreadableAmounts} record(s) have an unreadable amount, so the trailer total cannot be confirmed`, sourceLine: trailer.lineNo };
  } else if (trailer.total !== readableTotal) {
    yield { kind: 'file-problem', message: `trailer total is ${trailer.total} pence but the records add up to ${readableTotal} pence`, sourceLine: trailer.lineNo };
  }
}

/** Writes a bureau file (for tests, demos and the benchmark). */
export function formatBureauRecord(r: { narrative?: string; reference: string; amountPence: number; channelCode: string; paidOn: string }): string {
  const [y, m, d] = r.paidOn.split('-');
  return `${(r.narrative ?? '').padEnd(7).slice(0, 7)}${r.reference.padEnd(16).slice(0, 16)}${String(r.amountPence).padStart(9, '0')}${r.channelCode}${d}/${m}/${y}`;
}

export function formatBureauTrailer(count: number, totalPence: number): string {
  return `TRAILER${String(count).padStart(10, '0')}${String(totalPence).padStart(14, '0')}`;
}
