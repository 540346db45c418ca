// The two open data sets bundled in data/ (see data/README.md): VOA dwellings by council tax band for
// every English and Welsh billing authority (CTSOP 2016), and Band D council tax by English authority.
// Parse, match and return; nothing else. Used to build realistic synthetic councils.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotFoundError, ValidationError } from '../errors.ts';
import { parsePence } from '../domain/money.ts';

export const DATA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../data');
export const DWELLINGS_CSV = 'ctsop2016-dwellings-by-band.csv';
export const BAND_D_CSV = 'band-d-by-authority.csv';

export const BANDS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I'] as const;
export type Band = (typeof BANDS)[number];
export type Nation = 'england' | 'wales';

/** English authority classes in the Band D table: London borough, metropolitan/shire district, unitary. */
export type AuthorityClass = 'LB' | 'MD' | 'UA' | 'SD';

export interface DwellingsRow {
  onsCode: string;
  /** VOA billing authority code (4 digits) */
  baCode: string;
  name: string;
  dwellingsByBand: Record<Band, number>;
  total: number;
}

export interface BandDRow {
  code: string;
  name: string;
  authorityClass: AuthorityClass;
  bandDPence: number;
}

export interface BandDSource {
  /**
   * 'authority' when the authority's own row matched by name; 'successor' when a 2016 district has
   * since been merged into a new authority (2019–2023 reorganisations) and that authority's row is
   * used; 'class-average' for the fallback (London boroughs, Wales).
   */
  kind: 'authority' | 'successor' | 'class-average';
  /** The Band D table row used (its code and name as printed there). */
  code: string;
  name: string;
  /** Why the fallback was used, when it was. */
  note?: string;
}

export interface Authority {
  onsCode: string;
  /** The VOA's four-digit billing authority code (e.g. "4250" for Wigan). */
  baCode: string;
  /** Name as the VOA prints it, without the " UA" suffix (e.g. "Wigan", "Bristol, City of"). */
  name: string;
  nation: Nation;
  /** The main town, for synthetic addresses (e.g. "Bristol", "Gwynedd"). */
  town: string;
  authorityClass: AuthorityClass;
  dwellingsByBand: Record<Band, number>;
  totalDwellings: number;
  bandDPence: number;
  bandDSource: BandDSource;
}

// ---------------------------------------------------------------------------------------------
// CSV

/** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks; CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (quoted) throw new ValidationError('CSV ends inside a quoted field');
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

/** "67,340" → 67340; "N/A" (no band I in England), "-" (VOA: fewer than 5, suppressed) or empty → 0. */
export function parseCount(text: string, where: string): number {
  const t = text.trim();
  if (t === '' || t === '-' || t.toUpperCase() === 'N/A') return 0;
  if (!/^\d{1,3}(,\d{3})*$|^\d+$/.test(t)) throw new ValidationError(`${where}: "${text}" is not a count`);
  return Number(t.replace(/,/g, ''));
}

/** The file as text: UTF-8 when valid, else Latin-1 (the VOA file is Latin-1: "Ynys Môn"). */
function readText(file: string): string {
  const bytes = fs.readFileSync(file);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('latin1').decode(bytes);
  }
}

function headerIndex(header: string[], names: string[], file: string): number[] {
  return names.map((n) => {
    const idx = header.findIndex((h) => h.trim().toUpperCase() === n.toUpperCase());
    if (idx < 0) throw new ValidationError(`${file}: missing column ${n}`);
    return idx;
  });
}

export function parseDwellingsCsv(text: string, file = DWELLINGS_CSV): DwellingsRow[] {
  const [header, ...rows] = parseCsv(text);
  const bandCols = BANDS.map((b) => `BAND_${b}`);
  const [geo, ba, ecode, area, all, ...bandIdx] = headerIndex(
    header,
    ['GEOGRAPHY', 'BA_CODE', 'ECODE', 'AREA_NAME', 'ALL_PROPERTIES', ...bandCols],
    file,
  );
  const out: DwellingsRow[] = [];
  rows.forEach((r, n) => {
    if (r[geo] !== 'LAUA') return; // national, regional and county totals
    const where = `${file} line ${n + 2}`;
    const dwellingsByBand = {} as Record<Band, number>;
    BANDS.forEach((b, k) => (dwellingsByBand[b] = parseCount(r[bandIdx[k]] ?? '', `${where} BAND_${b}`)));
    out.push({
      onsCode: r[ecode].trim(),
      baCode: r[ba].trim(),
      name: r[area].trim(),
      dwellingsByBand,
      total: parseCount(r[all], `${where} ALL_PROPERTIES`),
    });
  });
  return out;
}

export function parseBandDCsv(text: string, file = BAND_D_CSV): BandDRow[] {
  const [header, ...rows] = parseCsv(text);
  const [code, name, cls, rate] = headerIndex(header, ['code', 'authority', 'class', 'band_d_rate'], file);
  return rows.map((r, n) => {
    const authorityClass = r[cls].trim() as AuthorityClass;
    if (!['LB', 'MD', 'UA', 'SD'].includes(authorityClass)) {
      throw new ValidationError(`${file} line ${n + 2}: unknown class "${r[cls]}"`);
    }
    return {
      code: r[code].trim(),
      name: r[name].trim(),
      authorityClass,
      bandDPence: parsePence(r[rate]),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Matching

/** Authority names as the two files spell them differently: "Kingston upon Hull, City of UA" vs
 * "Kingston upon Hull UA", "King's Lynn and West Norfolk" vs "King's Lynn & West Norfolk",
 * "County Durham UA" vs "Durham UA", "Leicester UA" vs "Leicester City UA". */
export function normaliseAuthorityName(name: string): string {
  return name
    .split(' / ')[0] // Welsh rows: "Gwynedd / Gwynedd"
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/\bua\s*$/, '')
    .replace(/,\s*(city|county) of\b/, '')
    .replace(/^(city of|county)\s+/, '')
    .replace(/\s+city\s*$/, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const CLASS_BY_ONS_PREFIX: Record<string, AuthorityClass> = {
  E06: 'UA',
  E07: 'SD',
  E08: 'MD',
  E09: 'LB',
  W06: 'UA',
};

/** The class average rows including major preceptors (what a Band D resident actually pays). */
const CLASS_AVERAGE_CODE: Record<AuthorityClass, string> = {
  LB: 'Lon incl',
  MD: 'MD',
  UA: 'UA',
  SD: 'SD',
};

/**
 * 2016 authorities abolished or renamed since (the Band D table is later than CTSOP 2016), mapped
 * to the Band D table code of the authority that now bills their area.
 */
const SUCCESSOR_BAND_D_CODE: Record<string, string> = {
  // Cumbria, 1 April 2023
  E07000026: 'E0901', // Allerdale → Cumberland
  E07000028: 'E0901', // Carlisle → Cumberland
  E07000029: 'E0901', // Copeland → Cumberland
  E07000027: 'E0902', // Barrow-in-Furness → Westmorland and Furness
  E07000030: 'E0902', // Eden → Westmorland and Furness
  E07000031: 'E0902', // South Lakeland → Westmorland and Furness
  // North Yorkshire, 1 April 2023
  E07000163: 'E2702',
  E07000164: 'E2702',
  E07000165: 'E2702',
  E07000166: 'E2702',
  E07000167: 'E2702',
  E07000168: 'E2702',
  E07000169: 'E2702',
  // Somerset, 1 April 2023
  E07000187: 'E3301',
  E07000188: 'E3301',
  E07000189: 'E3301',
  E07000190: 'E3301',
  E07000191: 'E3301',
  // Northamptonshire, 1 April 2021
  E07000150: 'E2801', // Corby → North Northamptonshire
  E07000152: 'E2801', // East Northamptonshire
  E07000153: 'E2801', // Kettering
  E07000156: 'E2801', // Wellingborough
  E07000151: 'E2802', // Daventry → West Northamptonshire
  E07000154: 'E2802', // Northampton
  E07000155: 'E2802', // South Northamptonshire
  // Buckinghamshire, 1 April 2020
  E07000004: 'E0402',
  E07000005: 'E0402',
  E07000006: 'E0402',
  E07000007: 'E0402',
  // Dorset, 1 April 2019
  E06000028: 'E1204', // Bournemouth → Bournemouth, Christchurch & Poole
  E06000029: 'E1204', // Poole
  E07000048: 'E1204', // Christchurch
  E07000049: 'E1203', // East Dorset → Dorset Council
  E07000050: 'E1203',
  E07000051: 'E1203',
  E07000052: 'E1203',
  E07000053: 'E1203',
  // Suffolk, 1 April 2019
  E07000201: 'E3539', // Forest Heath → West Suffolk
  E07000204: 'E3539', // St Edmundsbury → West Suffolk
  E07000205: 'E3538', // Suffolk Coastal → East Suffolk
  E07000206: 'E3538', // Waveney → East Suffolk
  // renamed
  E07000112: 'E2240', // Shepway → Folkestone & Hythe (2018)
  E06000020: 'E3201', // Telford and Wrekin → Telford and the Wrekin
};

export interface OpenData {
  dwellings: DwellingsRow[];
  bandD: BandDRow[];
}

let cached: OpenData | undefined;

/** Reads and parses both bundled files (once per process). */
export function loadOpenData(dataDir = DATA_DIR): OpenData {
  if (dataDir === DATA_DIR && cached) return cached;
  const data = {
    dwellings: parseDwellingsCsv(readText(path.join(dataDir, DWELLINGS_CSV))),
    bandD: parseBandDCsv(readText(path.join(dataDir, BAND_D_CSV))),
  };
  if (dataDir === DATA_DIR) cached = data;
  return data;
}

function townOf(name: string): string {
  return name
    .split(' / ')[0]
    .replace(/\s+UA$/, '')
    .replace(/,\s*(City|County) of$/, '')
    .replace(/^County\s+/, '')
    .trim();
}

/**
 * The billing authority with this ONS code (e.g. "E08000010" → Wigan): its real band mix and a
 * Band D level. Throws NotFoundError for a code that is not a billing authority in the data.
 */
export function findAuthority(onsCode: string, data: OpenData = loadOpenData()): Authority {
  const code = onsCode.trim().toUpperCase();
  const row = data.dwellings.find((d) => d.onsCode === code);
  if (!row) {
    throw new NotFoundError(
      `No billing authority with ONS code "${onsCode}" in ${DWELLINGS_CSV}: ` +
        'use a local authority district code such as E08000010 (Wigan) or W06000015 (Cardiff)',
    );
  }
  const nation: Nation = code.startsWith('W') ? 'wales' : 'england';
  const authorityClass = CLASS_BY_ONS_PREFIX[code.slice(0, 3)] ?? 'UA';
  const wanted = normaliseAuthorityName(row.name);
  const matches = data.bandD.filter(
    (b) => !Object.values(CLASS_AVERAGE_CODE).includes(b.code) && !/ ex /.test(b.code) && normaliseAuthorityName(b.name) === wanted,
  );
  let bandD: BandDRow;
  let bandDSource: BandDSource;
  const successor = data.bandD.find((b) => b.code === SUCCESSOR_BAND_D_CODE[code]);
  if (nation === 'england' && matches.length === 1) {
    bandD = matches[0];
    bandDSource = { kind: 'authority', code: bandD.code, name: bandD.name };
  } else if (nation === 'england' && matches.length === 0 && successor) {
    bandD = successor;
    bandDSource = {
      kind: 'successor',
      code: successor.code,
      name: successor.name,
      note: `"${row.name}" has since been merged or renamed; using its successor "${successor.name}"`,
    };
  } else {
    const averageCode = CLASS_AVERAGE_CODE[authorityClass];
    const average = data.bandD.find((b) => b.code === averageCode);
    if (!average) throw new ValidationError(`${BAND_D_CSV}: no class average row "${averageCode}"`);
    bandD = average;
    const why =
      nation === 'wales'
        ? 'the Band D table has no Welsh authorities'
        : matches.length > 1
          ? `several Band D rows match "${row.name}"`
          : `no Band D row matches "${row.name}"`;
    bandDSource = {
      kind: 'class-average',
      code: average.code,
      name: average.name.trim(),
      note: `${why}; using the class average "${average.name.trim()}"`,
    };
  }
  return {
    onsCode: code,
    baCode: row.baCode,
    name: row.name.replace(/\s+UA$/, ''),
    nation,
    town: townOf(row.name),
    authorityClass,
    dwellingsByBand: { ...row.dwellingsByBand },
    totalDwellings: row.total,
    bandDPence: bandD.bandDPence,
    bandDSource,
  };
}

/** Every billing authority in the dwellings file (for pickers and checks). */
export function listAuthorities(data: OpenData = loadOpenData()): { onsCode: string; name: string }[] {
  return data.dwellings.map((d) => ({ onsCode: d.onsCode, name: d.name.replace(/\s+UA$/, '') }));
}
