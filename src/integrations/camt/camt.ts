// ISO 20022 bank-to-customer cash management: camt.053 (end-of-day statement) and camt.054
// (debit/credit notification), any version (001.02 … 001.08+), read as a stream with saxes so a
// statement of any size is held one entry at a time. See docs/formats.md "camt.053 and camt.054".
//
// One record per entry (Ntry); an entry that batches several transactions (TxDtls) with their own
// amounts gives one record per transaction. Checked: the document is well-formed and complete (a
// truncated file is a file problem), it is the message type asked for, each entry's amount,
// credit/debit indicator and booking date are readable, and each statement's closing booked balance
// equals the opening balance plus credits minus debits.
import { SaxesParser } from 'saxes';
import { findReference, isoDateOrNull, textChunks, decimalToPence, type ParseItem, type TextSource } from '../payment-file.ts';

export type CamtMessage = 'camt053' | 'camt054';

interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
  line: number;
}

const local = (name: string) => name.slice(name.indexOf(':') + 1);
const CAPTURED = new Set(['Ntry', 'Bal', 'Acct']);

/** The first descendant at a path of local names ("NtryDtls/TxDtls/Refs/EndToEndId"). */
function at(node: XmlNode | undefined, path: string): XmlNode | undefined {
  let current = node;
  for (const step of path.split('/')) {
    if (!current) return undefined;
    current = current.children.find((c) => c.name === step);
  }
  return current;
}
const textAt = (node: XmlNode | undefined, path: string) => at(node, path)?.text.trim() || undefined;
function all(node: XmlNode | undefined, path: string): XmlNode[] {
  if (!node) return [];
  const steps = path.split('/');
  let level = [node];
  for (const step of steps) level = level.flatMap((n) => n.children.filter((c) => c.name === step));
  return level;
}

function serialise(node: XmlNode): string {
  const attrs = Object.entries(node.attrs).map(([k, v]) => ` ${k}="${v.replace(/"/g, '&quot;')}"`).join('');
  const inner = node.children.length ? node.children.map(serialise).join('') : node.text.trim().replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<${node.name}${attrs}>${inner}</${node.name}>`;
}

/** An amount element ("<Amt Ccy="GBP">12.30</Amt>") as pence and currency. */
function amountOf(node: XmlNode | undefined): { pence: number; currency: string } | null {
  if (!node) return null;
  const pence = decimalToPence(node.text);
  if (pence === null) return null;
  return { pence, currency: node.attrs.Ccy ?? '' };
}

const dateOf = (node: XmlNode | undefined) => isoDateOrNull(textAt(node, 'Dt') ?? textAt(node, 'DtTm'));

interface StatementState {
  id: string;
  account: string;
  currency: string | null;
  balances: XmlNode[];
  credits: number;
  debits: number;
  currencies: Set<string>;
  unreadable: number;
  line: number;
}

export async function* parseCamt(source: TextSource, expected: CamtMessage): AsyncGenerator<ParseItem> {
  const queue: ParseItem[] = [];
  const parser = new SaxesParser({ position: true });
  const stack: string[] = [];
  const captureStack: XmlNode[] = [];
  let statement: StatementState | null = null;
  let records = 0;
  let fatal: string | null = null;
  let sawRoot = false;

  const problem = (message: string, sourceLine?: number) => queue.push({ kind: 'file-problem', message, sourceLine });

  parser.on('error', (error) => {
    const detail = error.message.replace(/^(?:[^:]*:)?\d+:\d+: /, '');
    fatal ??= /unclosed tag/.test(detail)
      ? `the XML ends before it is complete (${detail} at line ${parser.line}): the file is truncated`
      : `the XML is not well-formed (line ${parser.line}, column ${parser.column}): ${detail}`;
  });

  parser.on('opentag', (tag) => {
    if (fatal) return;
    const name = local(tag.name);
    if (!sawRoot) {
      sawRoot = true;
      const namespaces = Object.entries(tag.attributes).filter(([k]) => k === 'xmlns' || k.startsWith('xmlns:')).map(([, v]) => String(v));
      const ns = namespaces.find((v) => v.includes(':camt.')) ?? namespaces[0] ?? '';
      const kind = /camt\.053\./.test(ns) ? 'camt053' : /camt\.054\./.test(ns) ? 'camt054' : null;
      if (name !== 'Document' || !kind) fatal ??= `this is not an ISO 20022 camt.053 or camt.054 document (root element ${tag.name}, namespace "${ns}")`;
      else if (kind !== expected) fatal ??= `this is a ${kind === 'camt053' ? 'camt.053 statement' : 'camt.054 notification'}, not the ${expected === 'camt053' ? 'camt.053 statement' : 'camt.054 notification'} asked for`;
    }
    stack.push(name);
    if ((name === 'Stmt' || name === 'Ntfctn') && stack.length === 3) {
      statement = { id: '', account: '', currency: null, balances: [], credits: 0, debits: 0, currencies: new Set(), unreadable: 0, line: parser.line };
    }
    if (captureStack.length || CAPTURED.has(name)) {
      const node: XmlNode = { name, attrs: { ...(tag.attributes as Record<string, string>) }, children: [], text: '', line: parser.line };
      captureStack.at(-1)?.children.push(node);
      captureStack.push(node);
    }
  });

  parser.on('text', (text) => {
    if (fatal) return;
    const node = captureStack.at(-1);
    if (node) node.text += text;
    else if (statement && stack.length === 4 && stack[3] === 'Id') statement.id += text.trim();
  });

  parser.on('closetag', (tag) => {
    if (fatal) return;
    const name = local(tag.name);
    stack.pop();
    if (captureStack.length) {
      const node = captureStack.pop()!;
      if (!captureStack.length && statement) {
        if (name === 'Acct') {
          statement.account = textAt(node, 'Id/IBAN') ?? textAt(node, 'Id/Othr/Id') ?? '';
          statement.currency = textAt(node, 'Ccy') ?? null;
        } else if (name === 'Bal') statement.balances.push(node);
        else if (name === 'Ntry') entry(node, statement);
      }
      return;
    }
    if ((name === 'Stmt' || name === 'Ntfctn') && statement) {
      checkBalances(statement);
      statement = null;
    }
  });

  function entry(node: XmlNode, st: StatementState) {
    const raw = serialise(node);
    const amount = amountOf(at(node, 'Amt'));
    const indicator = textAt(node, 'CdtDbtInd');
    const status = textAt(node, 'Sts/Cd') ?? textAt(node, 'Sts');
    const bookedOn = dateOf(at(node, 'BookgDt')) ?? dateOf(at(node, 'ValDt'));
    const reject = (problem: string) => {
      records++;
      queue.push({ kind: 'record', lineNo: records, sourceLine: node.line, raw, ok: false, problem, ...(amount ? { amountPence: amount.pence } : {}) });
    };
    if (!amount) {
      st.unreadable++;
      return reject(`entry amount "${textAt(node, 'Amt') ?? ''}" is not a decimal amount`);
    }
    if (indicator !== 'CRDT' && indicator !== 'DBIT') {
      st.unreadable++;
      return reject(`credit/debit indicator "${indicator ?? ''}" is neither CRDT nor DBIT`);
    }
    if (status === 'BOOK' || status === undefined) {
      st.currencies.add(amount.currency);
      if (indicator === 'CRDT') st.credits += amount.pence;
      else st.debits += amount.pence;
    }
    if (!bookedOn) {
      const given = textAt(node, 'BookgDt/Dt') ?? textAt(node, 'BookgDt/DtTm') ?? textAt(node, 'ValDt/Dt') ?? '';
      return reject(`booking date "${given}" is not a date (YYYY-MM-DD)`);
    }
    if (status && status !== 'BOOK') return reject(`entry status is ${status}, not booked (BOOK)`);

    const reversal = textAt(node, 'RvslInd') === 'true';
    const bankRef = textAt(node, 'AcctSvcrRef');
    const txs = all(node, 'NtryDtls/TxDtls');
    const txAmounts = txs.map((tx) => amountOf(at(tx, 'Amt') ?? at(tx, 'AmtDtls/TxAmt/Amt')));
    const split = txs.length > 1 && txAmounts.every((a) => a && a.pence > 0) && txAmounts.reduce((s, a) => s + a!.pence, 0) === amount.pence;
    if (txs.length > 1 && !split) {
      queue.push({ kind: 'warning', message: `entry on line ${node.line} batches ${txs.length} transactions without amounts that add up to the entry: it is one record for ${amount.pence} pence` });
    }
    const parts = split ? txs.map((tx, i) => ({ tx, amount: txAmounts[i]!, index: i + 1 })) : [{ tx: txs[0] as XmlNode | undefined, amount, index: 0 }];

    for (const part of parts) {
      const tx = part.tx;
      const e2e = textAt(tx, 'Refs/EndToEndId');
      const structured = all(tx, 'RmtInf/Strd/CdtrRefInf/Ref').map((n) => n.text.trim());
      const unstructured = all(tx, 'RmtInf/Ustrd').map((n) => n.text.trim());
      const extra = (split ? [] : txs.slice(1)).flatMap((t) => [...all(t, 'RmtInf/Strd/CdtrRefInf/Ref'), ...all(t, 'RmtInf/Ustrd')].map((n) => n.text.trim()));
      const reference = findReference(...structured, ...unstructured, e2e, textAt(node, 'AddtlNtryInf'), ...extra)
        ?? (structured[0]?.replace(/\s/g, '') || null);
      const payerName = textAt(tx, 'RltdPties/Dbtr/Nm') ?? textAt(tx, 'RltdPties/Dbtr/Pty/Nm') ?? null;
      const payerAccount = textAt(tx, 'RltdPties/DbtrAcct/Id/IBAN') ?? textAt(tx, 'RltdPties/DbtrAcct/Id/Othr/Id') ?? null;
      const txBankRef = textAt(tx, 'Refs/AcctSvcrRef');
      const identity = txBankRef
        ? `ref:${txBankRef}`
        : bankRef
          ? `ref:${bankRef}:${part.index}`
          : e2e && e2e !== 'NOTPROVIDED'
            ? `e2e:${e2e}:${part.amount.pence}:${bookedOn}`
            : `entry:${bookedOn}:${part.amount.pence}:${reference ?? ''}:${payerName ?? ''}`;
      records++;
      queue.push({
        kind: 'record', lineNo: records, sourceLine: tx && split ? tx.line : node.line, raw: split && tx ? serialise(tx) : raw, ok: true,
        fields: {
          baseKey: `bank:${st.account}:${identity}`,
          reference, amountPence: part.amount.pence, currency: part.amount.currency || st.currency || '',
          direction: indicator === 'CRDT' ? 'credit' : 'debit', paidOn: bookedOn, channel: 'bank_transfer',
          payerName, payerAccount,
          narrative: [...unstructured, ...all(tx, 'RmtInf/Strd/AddtlRmtInf').map((n) => n.text.trim()), ...extra].filter(Boolean).join(' | ').slice(0, 500) || null,
          reversal,
        },
      });
    }
  }

  function checkBalances(st: StatementState) {
    const balance = (code: string) => {
      const node = st.balances.find((b) => textAt(b, 'Tp/CdOrPrtry/Cd') === code);
      if (!node) return null;
      const amount = amountOf(at(node, 'Amt'));
      if (!amount) return null;
      return { ...amount, signed: textAt(node, 'CdtDbtInd') === 'DBIT' ? -amount.pence : amount.pence };
    };
    const opening = balance('OPBD') ?? balance('PRCD');
    const closing = balance('CLBD');
    if (!opening || !closing) return; // notifications carry no balances
    const currencies = new Set([opening.currency, closing.currency, ...st.currencies]);
    if (currencies.size > 1) {
      queue.push({ kind: 'warning', message: `statement ${st.id || '(no id)'}: balances and entries are in different currencies (${[...currencies].join(', ')}), so the balances were not checked` });
      return;
    }
    if (st.unreadable > 0) return; // those entries are already reported; the sum cannot be confirmed
    const expectedClosing = opening.signed + st.credits - st.debits;
    if (expectedClosing !== closing.signed) {
      problem(`statement ${st.id || '(no id)'}: opening balance ${opening.signed} + credits ${st.credits} − debits ${st.debits} = ${expectedClosing} pence, but the closing balance is ${closing.signed} pence`, st.line);
    }
  }

  for await (const chunk of textChunks(source)) {
    if (fatal) break;
    parser.write(chunk);
    while (queue.length) yield queue.shift()!;
  }
  if (!fatal) {
    try {
      parser.close();
    } catch (error) {
      fatal ??= `the XML is not well-formed: ${(error as Error).message}`;
    }
  }
  while (queue.length) yield queue.shift()!;
  if (!sawRoot && !fatal) fatal = 'the file is empty';
  if (fatal) yield { kind: 'file-problem', message: fatal };
  else if (stack.length) yield { kind: 'file-problem', message: `the XML ends before </${stack.at(-1)}>: the file is truncated` };
}
