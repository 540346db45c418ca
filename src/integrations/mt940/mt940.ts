// SWIFT MT940 customer statement, read line by line (docs/formats.md "MT940").
//
//   :20: transaction reference · :25: account · :28C: statement number · :60F:/:60M: opening balance
//   :61: statement line (one payment) · :86: information to the account owner · :62F:/:62M: closing
//
// :61: is  YYMMDD [MMDD] (C|D|RC|RD) [funds code] amount(comma decimals) type(4) customer-ref [//bank-ref]
// with an optional supplementary line. One record per :61: (with its :86:). Checked: each :61: is
// readable with a real date, every statement has an opening and closing balance, and opening +
// credits − debits = closing (a wrong one is a file problem). SWIFT block wrappers ({1:…}{4: … -})
// are allowed; a block 4 that never closes means the file was cut short.
import { decimalToPence, findReference, swiftDate, textLines, type ParseItem, type TextSource } from '../payment-file.ts';

const LINE_61 = /^(\d{6})(\d{4})?(RC|RD|C|D)([A-Z])?(\d{1,12},\d{0,2})([NSF][A-Z0-9]{3})([^/]{0,16}?)(?:\/\/(.{0,16}))?$/;
const BALANCE = /^([CD])(\d{6})([A-Z]{3})(\d{1,12},\d{0,2})$/;

interface Tag {
  tag: string;
  value: string;
  line: number;
  raw: string[];
}

interface Statement {
  reference: string;
  account: string;
  number: string;
  line: number;
  opening: { signed: number; currency: string } | null;
  closing: { signed: number; currency: string } | null;
  credits: number;
  debits: number;
  unreadable: number;
  pending: Tag | null; // the :61: waiting for its :86:
  seq: number;
}

export async function* parseMt940(source: TextSource): AsyncGenerator<ParseItem> {
  const out: ParseItem[] = [];
  let current: Tag | null = null;
  let statement: Statement | null = null;
  let records = 0;
  let inBlock4 = false;
  let sawAnyTag = false;

  const balanceOf = (t: Tag) => {
    const m = BALANCE.exec(t.value.trim());
    if (!m || !swiftDate(m[2])) return null;
    const pence = decimalToPence(m[4], ',');
    if (pence === null) return null;
    return { signed: m[1] === 'D' ? -pence : pence, currency: m[3] };
  };

  function emitLine(st: Statement, t61: Tag, t86: Tag | null) {
    records++;
    st.seq++;
    const raw = [...t61.raw, ...(t86?.raw ?? [])].join('\n');
    const [first, ...supplementary] = t61.value.split('\n');
    const m = LINE_61.exec(first.trim());
    const seen: { amountPence?: number } = {};
    const reject = (problem: string) => out.push({ kind: 'record', lineNo: records, sourceLine: t61.line, raw, ok: false, problem, ...(seen.amountPence ? { amountPence: seen.amountPence } : {}) });
    if (!m) {
      st.unreadable++;
      return reject(`:61: statement line "${first.trim()}" is not YYMMDD[MMDD] C/D amount type reference`);
    }
    const [, valueDate, , mark, , amountText, , customerRef, bankRef] = m;
    const pence = decimalToPence(amountText, ',');
    if (pence === null || pence === 0) {
      st.unreadable++;
      return reject(`:61: amount "${amountText}" is not an amount`);
    }
    seen.amountPence = pence;
    const creditEffect = mark === 'C' || mark === 'RD';
    if (creditEffect) st.credits += pence;
    else st.debits += pence;
    const paidOn = swiftDate(valueDate);
    if (!paidOn) return reject(`:61: value date "${valueDate}" is not a real date (YYMMDD)`);
    const info = t86?.value.replace(/\n/g, ' ').trim() ?? '';
    const reference = findReference(info, customerRef, supplementary.join(' '));
    const cleanRef = customerRef.trim() === 'NONREF' ? '' : customerRef.trim();
    out.push({
      kind: 'record', lineNo: records, sourceLine: t61.line, raw, ok: true,
      fields: {
        baseKey: bankRef?.trim()
          ? `mt940:${st.account}:${bankRef.trim()}`
          : `mt940:${st.account}:${paidOn}:${mark}:${pence}:${cleanRef}:${info.slice(0, 60)}`,
        reference: reference ?? (/^\d+$/.test(cleanRef) ? cleanRef : null),
        amountPence: pence,
        currency: st.opening?.currency ?? '',
        direction: creditEffect ? 'credit' : 'debit',
        paidOn,
        channel: 'bank_transfer',
        narrative: [info, supplementary.join(' ').trim()].filter(Boolean).join(' | ').slice(0, 500) || null,
        reversal: mark.startsWith('R'),
      },
    });
  }

  function closeStatement() {
    if (!statement) return;
    if (statement.pending) emitLine(statement, statement.pending, null);
    statement.pending = null;
    const st = statement;
    statement = null;
    if (!st.opening) out.push({ kind: 'file-problem', message: `statement ${st.reference} (line ${st.line}) has no readable opening balance (:60F:)`, sourceLine: st.line });
    if (!st.closing) {
      out.push({ kind: 'file-problem', message: `statement ${st.reference} (line ${st.line}) has no readable closing balance (:62F:): the file may be incomplete`, sourceLine: st.line });
      return;
    }
    if (!st.opening || st.unreadable) return;
    const expected = st.opening.signed + st.credits - st.debits;
    if (expected !== st.closing.signed) {
      out.push({
        kind: 'file-problem', sourceLine: st.line,
        message: `statement ${st.reference}: opening balance ${st.opening.signed} + credits ${st.credits} − debits ${st.debits} = ${expected} pence, but the closing balance is ${st.closing.signed} pence`,
      });
    }
  }

  function finishTag(t: Tag) {
    sawAnyTag = true;
    if (t.tag === '20') {
      closeStatement();
      statement = { reference: t.value.trim(), account: '', number: '', line: t.line, opening: null, closing: null, credits: 0, debits: 0, unreadable: 0, pending: null, seq: 0 };
      return;
    }
    if (!statement) {
      out.push({ kind: 'file-problem', message: `:${t.tag}: on line ${t.line} comes before any :20: statement reference`, sourceLine: t.line });
      return;
    }
    const st: Statement = statement;
    if (t.tag !== '86' && st.pending) {
      emitLine(st, st.pending, null);
      st.pending = null;
    }
    switch (t.tag) {
      case '25': st.account = t.value.trim(); break;
      case '28C': st.number = t.value.trim(); break;
      case '60F': case '60M': st.opening = balanceOf(t); break;
      case '62F': case '62M': st.closing = balanceOf(t); break;
      case '61': st.pending = t; break;
      case '86':
        if (st.pending) {
          emitLine(st, st.pending, t);
          st.pending = null;
        }
        break;
      default: break; // :64:, :65:, :13D: and others carry no payments
    }
  }

  for await (const { lineNo, text } of textLines(source)) {
    let line = text;
    if (line.startsWith('{1:')) {
      const b4 = line.indexOf('{4:');
      if (b4 < 0) continue;
      inBlock4 = true;
      line = line.slice(b4 + 3);
      if (!line.trim()) continue;
    }
    if (line.trim() === '-}' || line.trim() === '-') {
      if (current) finishTag(current);
      current = null;
      closeStatement();
      inBlock4 = false;
      while (out.length) yield out.shift()!;
      continue;
    }
    const m = /^:(\d{2}[A-Z]?):(.*)$/.exec(line);
    if (m) {
      if (current) finishTag(current);
      current = { tag: m[1], value: m[2], line: lineNo, raw: [line] };
    } else if (current) {
      current.value += `\n${line}`;
      current.raw.push(line);
    } else if (line.trim()) {
      out.push({ kind: 'file-problem', message: `line ${lineNo} is not an MT940 field: "${line.slice(0, 60)}"`, sourceLine: lineNo });
    }
    while (out.length) yield out.shift()!;
  }
  if (current) finishTag(current);
  closeStatement();
  if (inBlock4) out.push({ kind: 'file-problem', message: 'the SWIFT message block never closes ("-}"): the file is truncated' });
  if (!sawAnyTag) out.push({ kind: 'file-problem', message: 'the file has no MT940 fields' });
  while (out.length) yield out.shift()!;
}
