// Bacs Standard 18 files: Direct Debit collections (codes 01, 17, 18, 19), AUDDIS lodgements
// (0N, 0C, 0S) and direct credits (99, for refunds). See docs/formats.md "Bacs Standard 18".
//
// Data record (100 characters, positions from 0):
//   0–5 destination sort code · 6–13 destination account · 14 account type · 15–16 transaction code
//   17–22 originating sort code · 23–30 originating account · 31–34 free (spaces) · 35–45 amount in pence
//   46–63 service user's name (the contra's narrative) · 64–81 reference · 82–99 destination account name
// Labels (80 characters): VOL1, HDR1, HDR2, UHL1 before the data; EOF1, EOF2, UTL1 after. UTL1 carries
// the debit and credit totals and counts, which the reader checks.
export type TransactionCode = '01' | '17' | '18' | '19' | '99' | '0N' | '0C' | '0S';

export interface Standard18Record {
  sortCode: string;
  accountNumber: string;
  transactionCode: TransactionCode;
  amountPence: number;
  reference: string;
  accountName: string;
}

export interface Standard18File {
  serviceUserNumber: string;
  serviceUserName: string;
  originSortCode: string;
  originAccountNumber: string;
  /** The Bacs processing day (ISO date). */
  processingDate: string;
  /** The day the file is made (ISO date). */
  creationDate: string;
  fileNumber: number;
  records: Standard18Record[];
}

const DEBIT_CODES = new Set(['01', '17', '18', '19']);

/** Bacs-safe text: upper case letters, digits, space and . & / - only; cut or padded to width. */
export function bacsText(text: string, width: number): string {
  return text.toUpperCase().replace(/[^A-Z0-9 .&/-]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, width).padEnd(width, ' ');
}

const julian = (iso: string) => {
  const d = new Date(`${iso}T00:00:00Z`);
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  const day = Math.floor((d.getTime() - start) / 86_400_000) + 1;
  return `${String(d.getUTCFullYear()).slice(2)}${String(day).padStart(3, '0')}`;
};
const label = (text: string) => text.slice(0, 80).padEnd(80, ' ');
const digits = (n: number, width: number) => {
  if (!Number.isSafeInteger(n) || n < 0 || String(n).length > width) throw new RangeError(`${n} does not fit in ${width} digits`);
  return String(n).padStart(width, '0');
};

export function dataRecord(r: Standard18Record, origin: { sortCode: string; accountNumber: string; serviceUserName: string }): string {
  if (!/^\d{6}$/.test(r.sortCode) || !/^\d{8}$/.test(r.accountNumber)) throw new RangeError(`bad bank details ${r.sortCode} ${r.accountNumber}`);
  const line = `${r.sortCode}${r.accountNumber}0${r.transactionCode}${origin.sortCode}${origin.accountNumber}    ${digits(r.amountPence, 11)}`
    + `${bacsText(origin.serviceUserName, 18)}${bacsText(r.reference, 18)}${bacsText(r.accountName, 18)}`;
  if (line.length !== 100) throw new Error(`record is ${line.length} characters`);
  return line;
}

export interface Standard18Totals {
  debitPence: number;
  creditPence: number;
  debitCount: number;
  creditCount: number;
}

export function writeStandard18(file: Standard18File): { text: string; totals: Standard18Totals } {
  const origin = { sortCode: file.originSortCode, accountNumber: file.originAccountNumber, serviceUserName: file.serviceUserName };
  const lodgement = file.records.every((r) => r.transactionCode.startsWith('0') && /^0[NCS]$/.test(r.transactionCode));
  const debits = file.records.filter((r) => DEBIT_CODES.has(r.transactionCode));
  const credits = file.records.filter((r) => r.transactionCode === '99');
  const lines = file.records.map((r) => dataRecord(r, origin));
  const debitTotal = debits.reduce((s, r) => s + r.amountPence, 0);
  const creditTotal = credits.reduce((s, r) => s + r.amountPence, 0);
  // A contra balances the file against the council's own account: a credit for collected debits,
  // a debit for paid-out credits. Lodgement files (AUDDIS) carry no money and no contra.
  if (!lodgement && debits.length) lines.push(dataRecord({ sortCode: origin.sortCode, accountNumber: origin.accountNumber, transactionCode: '99', amountPence: debitTotal, reference: 'CONTRA', accountName: file.serviceUserName }, origin));
  if (!lodgement && credits.length) lines.push(dataRecord({ sortCode: origin.sortCode, accountNumber: origin.accountNumber, transactionCode: '17', amountPence: creditTotal, reference: 'CONTRA', accountName: file.serviceUserName }, origin));
  const totals: Standard18Totals = {
    debitPence: debitTotal + (credits.length && !lodgement ? creditTotal : 0),
    creditPence: creditTotal + (debits.length && !lodgement ? debitTotal : 0),
    debitCount: debits.length + (credits.length && !lodgement ? 1 : 0),
    creditCount: credits.length + (debits.length && !lodgement ? 1 : 0),
  };
  const sun = file.serviceUserNumber;
  const fileId = `A${sun}S  ${digits(file.fileNumber, 3)}`;
  const text = [
    label(`VOL1${digits(file.fileNumber, 6)} ${' '.repeat(30)}${sun}${' '.repeat(38)}1`),
    label(`HDR1${fileId.padEnd(17)}${sun.padEnd(6)}00010001       ${julian(file.creationDate)} ${julian(file.processingDate)} 000000`),
    label(`HDR2F0200000100${' '.repeat(35)}00`),
    label(`UHL1 ${julian(file.processingDate)}999999    000000001 DAILY  ${digits(file.fileNumber, 3)}`),
    ...lines,
    label(`EOF1${fileId.padEnd(17)}${sun.padEnd(6)}00010001       ${julian(file.creationDate)} ${julian(file.processingDate)} 000000`),
    label(`EOF2F0200000100${' '.repeat(35)}00`),
    label(`UTL1${digits(totals.debitPence, 13)}${digits(totals.creditPence, 13)}${digits(totals.debitCount, 7)}${digits(totals.creditCount, 7)}`),
  ].join('\r\n');
  return { text: `${text}\r\n`, totals };
}

/** Reads a Standard 18 file back (tests, and checking a file before it is sent): records, and the UTL1 check. */
export function readStandard18(text: string): { records: (Standard18Record & { line: number })[]; problems: string[]; processingDate: string | null } {
  const problems: string[] = [];
  const records: (Standard18Record & { line: number })[] = [];
  let utl: Standard18Totals | null = null;
  let processingDate: string | null = null;
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line) return;
    if (/^(VOL1|HDR1|HDR2|EOF1|EOF2)/.test(line)) return;
    if (line.startsWith('UHL1')) {
      const yyddd = line.slice(5, 10);
      const year = 2000 + Number(yyddd.slice(0, 2));
      const d = new Date(Date.UTC(year, 0, Number(yyddd.slice(2))));
      processingDate = d.toISOString().slice(0, 10);
      return;
    }
    if (line.startsWith('UTL1')) {
      utl = { debitPence: Number(line.slice(4, 17)), creditPence: Number(line.slice(17, 30)), debitCount: Number(line.slice(30, 37)), creditCount: Number(line.slice(37, 44)) };
      return;
    }
    if (line.length !== 100) {
      problems.push(`line ${i + 1} is ${line.length} characters; a data record is 100`);
      return;
    }
    records.push({
      line: i + 1, sortCode: line.slice(0, 6), accountNumber: line.slice(6, 14), transactionCode: line.slice(15, 17) as TransactionCode,
      amountPence: Number(line.slice(35, 46)), reference: line.slice(64, 82).trim(), accountName: line.slice(82, 100).trim(),
    });
  });
  if (!utl) problems.push('no UTL1 trailer label');
  else {
    const t = utl as Standard18Totals;
    const debitRecords = records.filter((r) => DEBIT_CODES.has(r.transactionCode));
    const creditRecords = records.filter((r) => r.transactionCode === '99');
    const sum = (rs: Standard18Record[]) => rs.reduce((s, r) => s + r.amountPence, 0);
    if (t.debitCount !== debitRecords.length || t.debitPence !== sum(debitRecords)) problems.push(`UTL1 debits ${t.debitCount}/${t.debitPence} do not match the records ${debitRecords.length}/${sum(debitRecords)}`);
    if (t.creditCount !== creditRecords.length || t.creditPence !== sum(creditRecords)) problems.push(`UTL1 credits ${t.creditCount}/${t.creditPence} do not match the records ${creditRecords.length}/${sum(creditRecords)}`);
  }
  return { records, problems, processingDate };
}
