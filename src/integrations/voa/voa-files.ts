// VOA files: parse only. Each line is read on its own; a line that cannot be read is reported with
// its line number and never half-read. See docs/formats.md for the layouts.
//
// Business rates list entries: the VOA's compiled-list / change-update "list entries" layout,
// fields separated by '*', no header, one hereditament per line:
//   1 incrementing entry number   2 billing authority code   3 NDR community code   4 BA reference
//   5 primary and secondary description code   6 primary description text   7 UARN
//   8 full property identifier   9 firm's name   10 number or name   11 street   12 town
//   13 postal district   14 county   15 postcode   16 effective date   17 composite indicator
//   18 rateable value   19 appeal settlement code   20 assessment reference   21 list alteration date
//   22 SCAT code and suffix   23–25 sub-street levels 3, 2, 1   26 case number
//   27 current from date   28 current to date
// Dates are written 01-APR-2023 by the VOA; ISO 2023-04-01 and 01/04/2023 are accepted too.
//
// Council tax band changes: the VOA sends schedules of band changes but publishes no public file
// layout for them, so Levy reads this one ('*'-delimited, no header):
//   1 billing authority code   2 UPRN   3 address   4 postcode   5 band   6 effective date
//   7 reason (NEW, ALTERED, APPEAL, DELETED…)   8 VOA schedule reference
import { isIsoDate } from '../../domain/calendar.ts';

export interface LineProblem {
  line: number;
  message: string;
}

export interface NndrListEntry {
  line: number;
  entryNumber: number;
  baCode: string;
  communityCode: string;
  baReference: string;
  descriptionCode: string;
  description: string;
  uarn: string;
  propertyIdentifier: string;
  firmName: string;
  address: { numberOrName: string; street: string; town: string; postalDistrict: string; county: string; postcode: string };
  effectiveDate: string;
  compositeIndicator: string;
  rateableValuePounds: number;
  appealSettlementCode: string;
  assessmentReference: string;
  listAlterationDate: string | null;
  scatCode: string;
  caseNumber: string;
  currentFrom: string | null;
  currentTo: string | null;
}

export interface CtBandChange {
  line: number;
  baCode: string;
  uprn: string;
  address: string;
  postcode: string;
  band: string;
  effectiveDate: string;
  reason: string;
  scheduleReference: string;
}

export interface ParsedFile<T> {
  records: T[];
  problems: LineProblem[];
  lines: number;
}

const MONTHS: Record<string, string> = { JAN: '01', FEB: '02', MAR: '03', APR: '04', MAY: '05', JUN: '06', JUL: '07', AUG: '08', SEP: '09', OCT: '10', NOV: '11', DEC: '12' };

/** "01-APR-2023", "2023-04-01" or "01/04/2023" → ISO; null when it is none of those real dates. */
export function parseVoaDate(text: string): string | null {
  const t = text.trim().toUpperCase();
  let iso: string | null = null;
  let m = /^(\d{1,2})-([A-Z]{3})-(\d{4})$/.exec(t);
  if (m && MONTHS[m[2]]) iso = `${m[3]}-${MONTHS[m[2]]}-${m[1].padStart(2, '0')}`;
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (m) iso = t;
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  if (m) iso = `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}`;
  return iso && isIsoDate(iso) ? iso : null;
}

const POSTCODE = /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/i;

export function formatPostcode(text: string): string {
  const compact = text.replace(/\s+/g, '').toUpperCase();
  return compact.length > 3 ? `${compact.slice(0, -3)} ${compact.slice(-3)}` : compact;
}

function splitLines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
}

export function parseNndrListEntries(text: string): ParsedFile<NndrListEntry> {
  const records: NndrListEntry[] = [];
  const problems: LineProblem[] = [];
  const lines = splitLines(text);
  let counted = 0;
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    counted++;
    const f = raw.split('*').map((x) => x.trim());
    const bad = (message: string) => problems.push({ line, message });
    if (f.length < 18) return bad(`has ${f.length} fields; a list entry has at least 18 (up to the rateable value), separated by '*'`);
    if (!/^\d+$/.test(f[0])) return bad(`entry number "${f[0]}" is not a whole number`);
    if (!/^\d{4}$/.test(f[1])) return bad(`billing authority code "${f[1]}" is not 4 digits`);
    if (!f[3]) return bad('the billing authority reference (field 4) is empty');
    if (f[6] && !/^\d+$/.test(f[6])) return bad(`UARN "${f[6]}" is not a number`);
    const effectiveDate = parseVoaDate(f[15]);
    if (!effectiveDate) return bad(`effective date "${f[15]}" is not a date like 01-APR-2023`);
    if (!/^\d+$/.test(f[17].replace(/,/g, ''))) return bad(`rateable value "${f[17]}" is not a whole number of pounds`);
    if (f[14] && !POSTCODE.test(f[14])) return bad(`postcode "${f[14]}" is not a UK postcode`);
    const dates: (string | null)[] = [];
    for (const [k, label] of [[20, 'list alteration date'], [26, 'current from date'], [27, 'current to date']] as const) {
      if (!f[k]) {
        dates.push(null);
        continue;
      }
      const d = parseVoaDate(f[k]);
      if (!d) return bad(`${label} (field ${k + 1}) "${f[k]}" is not a date`);
      dates.push(d);
    }
    const [alteration, from, to] = dates;
    records.push({
      line,
      entryNumber: Number(f[0]),
      baCode: f[1],
      communityCode: f[2],
      baReference: f[3],
      descriptionCode: f[4] ?? '',
      description: f[5] ?? '',
      uarn: f[6] ?? '',
      propertyIdentifier: f[7] ?? '',
      firmName: f[8] ?? '',
      address: { numberOrName: f[9] ?? '', street: f[10] ?? '', town: f[11] ?? '', postalDistrict: f[12] ?? '', county: f[13] ?? '', postcode: f[14] ? formatPostcode(f[14]) : '' },
      effectiveDate,
      compositeIndicator: f[16] ?? '',
      rateableValuePounds: Number(f[17].replace(/,/g, '')),
      appealSettlementCode: f[18] ?? '',
      assessmentReference: f[19] ?? '',
      listAlterationDate: alteration,
      scatCode: f[21] ?? '',
      caseNumber: f[25] ?? '',
      currentFrom: from,
      currentTo: to,
    });
  });
  return { records, problems, lines: counted };
}

const BANDS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I'];

export function parseCtBandChanges(text: string): ParsedFile<CtBandChange> {
  const records: CtBandChange[] = [];
  const problems: LineProblem[] = [];
  let counted = 0;
  splitLines(text).forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    counted++;
    const f = raw.split('*').map((x) => x.trim());
    const bad = (message: string) => problems.push({ line, message });
    if (f.length < 7) return bad(`has ${f.length} fields; a band change has 8, separated by '*'`);
    if (!/^\d{4}$/.test(f[0])) return bad(`billing authority code "${f[0]}" is not 4 digits`);
    if (!/^\d{1,12}$/.test(f[1])) return bad(`UPRN "${f[1]}" is not a number of up to 12 digits`);
    if (f[3] && !POSTCODE.test(f[3])) return bad(`postcode "${f[3]}" is not a UK postcode`);
    const band = f[4].toUpperCase();
    if (!BANDS.includes(band)) return bad(`band "${f[4]}" is not a council tax band A to I`);
    const effectiveDate = parseVoaDate(f[5]);
    if (!effectiveDate) return bad(`effective date "${f[5]}" is not a date like 01-APR-2026`);
    records.push({ line, baCode: f[0], uprn: f[1], address: f[2], postcode: f[3] ? formatPostcode(f[3]) : '', band, effectiveDate, reason: f[6] ?? '', scheduleReference: f[7] ?? '' });
  });
  return { records, problems, lines: counted };
}
