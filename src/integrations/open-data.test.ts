import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { NotFoundError } from '../errors.ts';
import {
  BAND_D_CSV,
  DATA_DIR,
  DWELLINGS_CSV,
  findAuthority,
  listAuthorities,
  loadOpenData,
  normaliseAuthorityName,
  parseCount,
  parseCsv,
} from './open-data.ts';

test('CSV: quoted fields with commas, doubled quotes, CRLF and a trailing newline', () => {
  assert.deepEqual(parseCsv('a,"1,234","say ""hi"""\r\nb,N/A,\r\n'), [
    ['a', '1,234', 'say "hi"'],
    ['b', 'N/A', ''],
  ]);
});

test('counts: thousands commas, N/A and the VOA suppression mark', () => {
  assert.equal(parseCount('67,340', 'x'), 67340);
  assert.equal(parseCount('1,201,200', 'x'), 1201200);
  assert.equal(parseCount('50', 'x'), 50);
  assert.equal(parseCount('N/A', 'x'), 0);
  assert.equal(parseCount('-', 'x'), 0);
  assert.throws(() => parseCount('12,34', 'line 9'), /line 9/);
});

test('every billing authority in England and Wales is read, and its bands add up to its total', () => {
  const data = loadOpenData();
  assert.equal(data.dwellings.length, 348);
  for (const row of data.dwellings) {
    const sum = Object.values(row.dwellingsByBand).reduce((a, b) => a + b, 0);
    // the VOA rounds each figure to the nearest 10, so the bands may miss the total by a little
    assert.ok(Math.abs(sum - row.total) <= 60, `${row.name}: bands ${sum} vs total ${row.total}`);
  }
  assert.equal(listAuthorities().length, 348);
});

test('Wigan: real band mix, Band D matched by name across the two coding schemes', () => {
  const wigan = findAuthority('E08000010');
  assert.equal(wigan.name, 'Wigan');
  assert.equal(wigan.nation, 'england');
  assert.equal(wigan.baCode, '4250');
  assert.equal(wigan.dwellingsByBand.A, 67340);
  assert.equal(wigan.dwellingsByBand.I, 0);
  assert.equal(wigan.totalDwellings, 142300);
  assert.equal(wigan.bandDPence, 215300);
  assert.deepEqual(wigan.bandDSource, { kind: 'authority', code: 'E4210', name: 'Wigan' });
});

test('names differing only in suffixes match: " UA", ", City of", "&" for "and", "County"', () => {
  assert.equal(normaliseAuthorityName('Kingston upon Hull, City of UA'), normaliseAuthorityName('Kingston upon Hull UA'));
  assert.equal(normaliseAuthorityName("King's Lynn and West Norfolk"), normaliseAuthorityName("King's Lynn & West Norfolk"));
  assert.equal(normaliseAuthorityName('County Durham UA'), normaliseAuthorityName('Durham UA'));
  assert.equal(findAuthority('E06000010').bandDSource.kind, 'authority'); // Hull
  assert.equal(findAuthority('E06000047').bandDSource.code, 'E1302'); // County Durham → Durham UA
  assert.equal(findAuthority('E06000023').bandDSource.kind, 'authority'); // Bristol, City of
});

test('a district merged since 2016 takes its successor authority’s Band D, and says so', () => {
  const allerdale = findAuthority('E07000026');
  assert.equal(allerdale.bandDSource.kind, 'successor');
  assert.equal(allerdale.bandDSource.name, 'Cumberland');
  assert.match(allerdale.bandDSource.note ?? '', /merged or renamed/);
});

test('no Band D row: the class average is used and the result says so (London, Wales)', () => {
  const camden = findAuthority('E09000007');
  assert.equal(camden.bandDSource.kind, 'class-average');
  assert.equal(camden.bandDSource.code, 'Lon incl');
  assert.match(camden.bandDSource.note ?? '', /no Band D row matches "Camden"/);

  const cardiff = findAuthority('w06000015');
  assert.equal(cardiff.nation, 'wales');
  assert.equal(cardiff.onsCode, 'W06000015');
  assert.ok(cardiff.dwellingsByBand.I > 0, 'Wales has band I');
  assert.equal(cardiff.bandDSource.kind, 'class-average');
  assert.match(cardiff.bandDSource.note ?? '', /no Welsh authorities/);
  assert.equal(findAuthority('W06000001').town, 'Isle of Anglesey');
  assert.match(findAuthority('W06000001').name, /Ynys Môn/); // the Latin-1 file is decoded
});

test('an unknown ONS code is a clear NotFoundError', () => {
  assert.throws(
    () => findAuthority('E99999999'),
    (e: unknown) => {
      assert.ok(e instanceof NotFoundError);
      assert.match((e as Error).message, /No billing authority with ONS code "E99999999"/);
      return true;
    },
  );
  // a region or county is not a billing authority
  assert.throws(() => findAuthority('E11000001'), NotFoundError);
});

test('the bundled copies in data/ are byte-identical to ../shared/data when that folder exists', (t) => {
  const shared = path.resolve(DATA_DIR, '../../shared/data');
  if (!fs.existsSync(shared)) {
    t.skip(`${shared} not found (a clone outside the build workspace): nothing to compare`);
    return;
  }
  for (const file of [DWELLINGS_CSV, BAND_D_CSV]) {
    assert.ok(fs.readFileSync(path.join(DATA_DIR, file)).equals(fs.readFileSync(path.join(shared, file))), `${file} differs`);
  }
});
