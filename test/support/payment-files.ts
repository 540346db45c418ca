// Hand-made payment files for tests, the browser test and the benchmark: small writers for the
// formats Levy reads, so each test states its lines and the file is built the way a bank would.
import { formatBureauRecord, formatBureauTrailer } from '../../src/integrations/bureau/bureau.ts';

export interface BureauLine {
  narrative?: string;
  reference: string;
  amountPence: number;
  channelCode?: string;
  paidOn: string;
}

export function bureauFile(lines: BureauLine[], trailer?: { count?: number; totalPence?: number } | null): string {
  const body = lines.map((l) => formatBureauRecord({ ...l, channelCode: l.channelCode ?? 'P' }));
  const total = lines.reduce((s, l) => s + l.amountPence, 0);
  const end = trailer === null ? [] : [formatBureauTrailer(trailer?.count ?? lines.length, trailer?.totalPence ?? total)];
  return [...body, ...end].join('\r\n') + '\r\n';
}

export interface CamtEntry {
  amount: string; // "12.30"
  currency?: string;
  credit?: boolean;
  bookingDate: string;
  bankRef?: string;
  reference?: string; // structured creditor reference
  unstructured?: string;
  payerName?: string;
  payerIban?: string;
  status?: string;
}

const entryXml = (e: CamtEntry) => `
      <Ntry>
        <Amt Ccy="${e.currency ?? 'GBP'}">${e.amount}</Amt>
        <CdtDbtInd>${e.credit === false ? 'DBIT' : 'CRDT'}</CdtDbtInd>
        <Sts>${e.status ?? 'BOOK'}</Sts>
        <BookgDt><Dt>${e.bookingDate}</Dt></BookgDt>
        <ValDt><Dt>${e.bookingDate}</Dt></ValDt>
        ${e.bankRef ? `<AcctSvcrRef>${e.bankRef}</AcctSvcrRef>` : ''}
        <NtryDtls><TxDtls>
          <RltdPties>${e.payerName ? `<Dbtr><Nm>${e.payerName}</Nm></Dbtr>` : ''}${e.payerIban ? `<DbtrAcct><Id><IBAN>${e.payerIban}</IBAN></Id></DbtrAcct>` : ''}</RltdPties>
          <RmtInf>${e.unstructured ? `<Ustrd>${e.unstructured}</Ustrd>` : ''}${e.reference ? `<Strd><CdtrRefInf><Ref>${e.reference}</Ref></CdtrRefInf></Strd>` : ''}</RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>`;

const toPence = (amount: string) => Math.round(Number(amount) * 100);

export function camt053File(entries: CamtEntry[], options: { opening?: number; closing?: number; statementId?: string } = {}): string {
  const opening = options.opening ?? 100000;
  const net = entries.filter((e) => (e.status ?? 'BOOK') === 'BOOK').reduce((s, e) => s + (e.credit === false ? -1 : 1) * toPence(e.amount), 0);
  const closing = options.closing ?? opening + net;
  const bal = (code: string, pence: number, date: string) =>
    `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="GBP">${(Math.abs(pence) / 100).toFixed(2)}</Amt><CdtDbtInd>${pence < 0 ? 'DBIT' : 'CRDT'}</CdtDbtInd><Dt><Dt>${date}</Dt></Dt></Bal>`;
  const date = entries[0]?.bookingDate ?? '2026-11-20';
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>LEVYTEST${options.statementId ?? '1'}</MsgId><CreDtTm>${date}T18:00:00+00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>${options.statementId ?? 'STMT-1'}</Id>
      <CreDtTm>${date}T18:00:00+00:00</CreDtTm>
      <Acct><Id><IBAN>GB33BUKB20201555555555</IBAN></Id><Ccy>GBP</Ccy></Acct>
      ${bal('OPBD', opening, date)}
      ${bal('CLBD', closing, date)}${entries.map(entryXml).join('')}
    </Stmt>
  </BkToCstmrStmt>
</Document>
`;
}

export function camt054File(entries: CamtEntry[]): string {
  const date = entries[0]?.bookingDate ?? '2026-11-20';
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>LEVYNTF1</MsgId><CreDtTm>${date}T12:00:00+00:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>NTF-1</Id>
      <Acct><Id><IBAN>GB33BUKB20201555555555</IBAN></Id><Ccy>GBP</Ccy></Acct>${entries.map(entryXml).join('')}
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
`;
}

export interface Mt940Line {
  date: string; // ISO
  amount: string; // "12,30"
  credit?: boolean;
  customerRef?: string;
  bankRef?: string;
  info?: string;
}

const yymmdd = (iso: string) => iso.slice(2).replace(/-/g, '');

export function mt940File(lines: Mt940Line[], options: { opening?: string; closing?: string; wrap?: boolean } = {}): string {
  const toP = (a: string) => Number(a.replace(',', '.')) * 100;
  const opening = options.opening ?? '1000,00';
  const net = lines.reduce((s, l) => s + (l.credit === false ? -1 : 1) * Math.round(toP(l.amount)), 0);
  const closingP = Math.round(toP(opening)) + net;
  const closing = options.closing ?? `${Math.floor(closingP / 100)},${String(closingP % 100).padStart(2, '0')}`;
  const date = lines[0]?.date ?? '2026-11-20';
  const body = [
    ':20:LEVYSTMT001',
    ':25:20201555555555',
    ':28C:00042/001',
    `:60F:C${yymmdd(date)}GBP${opening}`,
    ...lines.flatMap((l) => [
      `:61:${yymmdd(l.date)}${l.date.slice(5).replace('-', '')}${l.credit === false ? 'D' : 'C'}${l.amount}NTRF${l.customerRef ?? 'NONREF'}${l.bankRef ? `//${l.bankRef}` : ''}`,
      ...(l.info ? [`:86:${l.info}`] : []),
    ]),
    `:62F:C${yymmdd(date)}GBP${closing}`,
  ];
  return (options.wrap ? ['{1:F01BUKBGB22AXXX0000000000}{2:O9401200261120BUKBGB22AXXX00000000002611201200N}{4:', ...body, '-}'] : body).join('\r\n') + '\r\n';
}
