// Bacs reports as XML (BACSDocument/Data/…): ARUDD (unpaid Direct Debits returned by payers' banks)
// and ADDACS (payers' banks telling of cancelled or amended instructions). Documents are small (one
// day's advices), so they are read whole with fast-xml-parser. Each item is checked; a report whose
// items do not add up to its Totals is a file problem. See docs/formats.md "ARUDD and ADDACS".
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { decimalToPence, isoDateOrNull } from '../payment-file.ts';

export const ARUDD_REASONS: Record<string, string> = {
  '0': 'Refer to payer', '1': 'Instruction cancelled', '2': 'Payer deceased', '3': 'Account transferred',
  '4': 'Advance notice disputed', '5': 'No account (or wrong account type)', '6': 'No instruction', '7': 'Amount differs',
  '8': 'Amount not yet due', '9': 'Presentation overdue', A: 'Service user differs', B: 'Account closed',
};

export const ADDACS_REASONS: Record<string, { text: string; effect: 'cancel' | 'amend' | 'dispute' | 'reinstate' }> = {
  '0': { text: 'Instruction cancelled: refer to payer', effect: 'cancel' },
  '1': { text: 'Instruction cancelled by the payer', effect: 'cancel' },
  '2': { text: 'Payer deceased', effect: 'cancel' },
  '3': { text: 'Account transferred to a new branch', effect: 'amend' },
  B: { text: 'Account closed', effect: 'cancel' },
  C: { text: 'Account transferred to a new bank', effect: 'amend' },
  D: { text: 'Advance notice disputed', effect: 'dispute' },
  E: { text: 'Instruction amended', effect: 'amend' },
  R: { text: 'Instruction reinstated', effect: 'reinstate' },
};

export interface AruddItem {
  index: number;
  reference: string;
  transactionCode: string;
  returnCode: string;
  returnReason: string;
  originalProcessingDate: string;
  amountPence: number;
  payerName: string;
  payerSortCode: string;
  payerAccountNumber: string;
  raw: string;
}

export interface AddacsItem {
  index: number;
  reference: string;
  reasonCode: string;
  reason: string;
  effect: 'cancel' | 'amend' | 'dispute' | 'reinstate';
  effectiveDate: string | null;
  payerName: string;
  sortCode: string;
  accountNumber: string;
  newSortCode: string | null;
  newAccountNumber: string | null;
  newName: string | null;
  raw: string;
}

export interface ReportParse<T> {
  items: T[];
  rejected: { index: number; raw: string; problem: string }[];
  problems: string[];
}

// attributes as '@_name' (an attribute called valueOf must not meet Object.prototype)
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', isArray: (name) => ['OriginatingAccountRecord', 'ReturnedDebitItem', 'MessagingAdvice'].includes(name) });
type XmlValue = string | number | boolean | XmlNode | XmlNode[] | undefined;
interface XmlNode { [key: string]: XmlValue }
const isNode = (v: XmlValue): v is XmlNode => typeof v === 'object' && v !== null && !Array.isArray(v);
/** The element at a path of child names, or undefined. */
function child(node: XmlNode | undefined, ...path: string[]): XmlNode | undefined {
  let current: XmlNode | undefined = node;
  for (const name of path) {
    const next: XmlValue = current?.[name];
    current = Array.isArray(next) ? next[0] : isNode(next) ? next : undefined;
  }
  return current;
}
/** The repeated child elements of a node. */
const children = (node: XmlNode | undefined, name: string): XmlNode[] => {
  const v = node?.[name];
  return Array.isArray(v) ? v : isNode(v) ? [v] : [];
};
const attrs = (o: XmlNode) => Object.entries(o).filter(([k, v]) => k.startsWith('@_') && typeof v !== 'object').map(([k, v]) => `${k.slice(2)}="${String(v)}"`).join(' ');
/** An attribute's value as text ('' when absent). */
const attr = (o: XmlNode | undefined, name: string) => (o && o[`@_${name}`] !== undefined ? String(o[`@_${name}`]) : '');

function load(text: string): { doc: XmlNode | null; problem: string | null } {
  const valid = XMLValidator.validate(text);
  if (valid !== true) return { doc: null, problem: `the XML is not well-formed (line ${valid.err.line}): ${valid.err.msg}` };
  const doc = parser.parse(text) as XmlNode;
  if (!child(doc, 'BACSDocument', 'Data')) return { doc: null, problem: 'this is not a Bacs report (no BACSDocument/Data)' };
  return { doc, problem: null };
}

export function parseArudd(text: string): ReportParse<AruddItem> {
  const out: ReportParse<AruddItem> = { items: [], rejected: [], problems: [] };
  const { doc, problem } = load(text);
  if (!doc) return { ...out, problems: [problem!] };
  const arudd = child(doc, 'BACSDocument', 'Data', 'ARUDD');
  if (!arudd) return { ...out, problems: ['this Bacs report is not an ARUDD (no Data/ARUDD)'] };
  let index = 0;
  for (const record of children(child(arudd, 'Advice', 'OriginatingAccountRecords'), 'OriginatingAccountRecord')) {
    let count = 0;
    let sum = 0;
    for (const item of children(record, 'ReturnedDebitItem')) {
      index++;
      const payer = child(item, 'PayerAccount') ?? {};
      const raw = `<ReturnedDebitItem ${attrs(item)}><PayerAccount ${attrs(payer)}/></ReturnedDebitItem>`;
      const amountPence = decimalToPence(attr(item, 'valueOf'));
      const date = isoDateOrNull(attr(item, 'originalProcessingDate'));
      const reject = (p: string) => out.rejected.push({ index, raw, problem: p });
      if (amountPence !== null) { count++; sum += amountPence; } else count++;
      if (amountPence === null || amountPence === 0) { reject(`amount "${attr(item, 'valueOf')}" is not an amount`); continue; }
      if (!date) { reject(`original processing date "${attr(item, 'originalProcessingDate')}" is not a date`); continue; }
      const reference = (attr(item, 'ref') || attr(payer, 'ref')).trim();
      if (!reference) { reject('no reference on the returned item'); continue; }
      const code = attr(item, 'returnCode').trim();
      out.items.push({
        index, reference, transactionCode: attr(item, 'transCode'), returnCode: code,
        returnReason: attr(item, 'returnDescription') || ARUDD_REASONS[code] || `return code ${code}`,
        originalProcessingDate: date, amountPence, payerName: attr(payer, 'name'), payerSortCode: attr(payer, 'sortCode'),
        payerAccountNumber: attr(payer, 'number'), raw,
      });
    }
    const totals = child(record, 'Totals');
    if (totals) {
      const declaredCount = Number(attr(totals, 'numberOf'));
      const declaredPence = decimalToPence(attr(totals, 'valueOf'));
      if (declaredCount !== count || declaredPence !== sum) out.problems.push(`the report's totals say ${attr(totals, 'numberOf')} items, ${attr(totals, 'valueOf')}, but the items are ${count}, ${(sum / 100).toFixed(2)}`);
    }
  }
  return out;
}

export function parseAddacs(text: string): ReportParse<AddacsItem> {
  const out: ReportParse<AddacsItem> = { items: [], rejected: [], problems: [] };
  const { doc, problem } = load(text);
  if (!doc) return { ...out, problems: [problem!] };
  const advices = child(doc, 'BACSDocument', 'Data', 'MessagingAdvices');
  if (!advices) return { ...out, problems: ['this Bacs report is not an ADDACS (no Data/MessagingAdvices)'] };
  children(advices, 'MessagingAdvice').forEach((a, i) => {
    const raw = `<MessagingAdvice ${attrs(a)}/>`;
    const code = attr(a, 'reason-code').trim();
    const reason = ADDACS_REASONS[code];
    const reference = attr(a, 'reference').trim();
    if (!reason) return out.rejected.push({ index: i + 1, raw, problem: `reason code "${code}" is not an ADDACS code` });
    if (!reference) return out.rejected.push({ index: i + 1, raw, problem: 'no reference on the advice' });
    const nonEmpty = (v: unknown) => (v === undefined || String(v).trim() === '' ? null : String(v).trim());
    out.items.push({
      index: i + 1, reference, reasonCode: code, reason: reason.text, effect: reason.effect,
      effectiveDate: isoDateOrNull(attr(a, 'effective-date')), payerName: attr(a, 'payer-name'),
      sortCode: attr(a, 'payer-sort-code'), accountNumber: attr(a, 'payer-account-number'),
      newSortCode: nonEmpty(attr(a, 'payer-new-sort-code')), newAccountNumber: nonEmpty(attr(a, 'payer-new-account-number')), newName: nonEmpty(attr(a, 'payer-new-name')), raw,
    });
  });
  return out;
}

/** Writes an ARUDD report (for tests and the demo: Bacs sends the real ones). */
export function aruddXml(input: { serviceUserNumber: string; processingDate: string; items: { reference: string; amountPence: number; returnCode: string; originalProcessingDate: string; payerName: string; sortCode: string; accountNumber: string; transCode?: string }[] }): string {
  const money = (p: number) => (p / 100).toFixed(2);
  const total = input.items.reduce((s, i) => s + i.amountPence, 0);
  return `<?xml version="1.0" encoding="UTF-8"?>
<BACSDocument xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Data>
    <ARUDD>
      <Header reportType="REFT1027" adviceNumber="001" currentProcessingDate="${input.processingDate}"/>
      <ServiceLicenseInformation userName="COUNCIL" userNumber="${input.serviceUserNumber}"/>
      <Advice>
        <OriginatingAccountRecords>
          <OriginatingAccountRecord>
            <OriginatingAccount name="COUNCIL TAX" number="00000000" sortCode="000000" type="0"/>
${input.items.map((i) => `            <ReturnedDebitItem ref="${i.reference}" transCode="${i.transCode ?? '17'}" returnCode="${i.returnCode}" returnDescription="${ARUDD_REASONS[i.returnCode] ?? ''}" originalProcessingDate="${i.originalProcessingDate}" valueOf="${money(i.amountPence)}" currency="GBP">
              <PayerAccount number="${i.accountNumber}" ref="${i.reference}" name="${i.payerName}" sortCode="${i.sortCode}"/>
            </ReturnedDebitItem>`).join('\n')}
            <Totals numberOf="${input.items.length}" valueOf="${money(total)}" currency="GBP"/>
          </OriginatingAccountRecord>
        </OriginatingAccountRecords>
      </Advice>
    </ARUDD>
  </Data>
</BACSDocument>
`;
}

/** Writes an ADDACS report (for tests and the demo). */
export function addacsXml(input: { serviceUserNumber: string; items: { reference: string; reasonCode: string; effectiveDate: string; payerName: string; sortCode: string; accountNumber: string; newSortCode?: string; newAccountNumber?: string }[] }): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<BACSDocument xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Data>
    <MessagingAdvices>
      <MessagingHeader user-number="${input.serviceUserNumber}" advice-type="ADDACS"/>
${input.items.map((i) => `      <MessagingAdvice user-number="${input.serviceUserNumber}" record-type="A" effective-date="${i.effectiveDate}" reference="${i.reference}" payer-name="${i.payerName}" payer-account-number="${i.accountNumber}" payer-sort-code="${i.sortCode}" reason-code="${i.reasonCode}" payer-new-account-number="${i.newAccountNumber ?? ''}" payer-new-sort-code="${i.newSortCode ?? ''}" payer-new-name=""/>`).join('\n')}
    </MessagingAdvices>
  </Data>
</BACSDocument>
`;
}
