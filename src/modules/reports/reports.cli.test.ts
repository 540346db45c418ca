// `levy report` as a person runs it: real child processes on a small seeded council (PGlite), the
// figures checked against the ledger itself, files parsed back, exit codes for mistakes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { openPglite } from '../../db/database.ts';
import { parseCsv } from '../../integrations/open-data.ts';
import { percentOf } from './report-model.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'levy-report-cli-'));
const env: Record<string, string | undefined> = { ...process.env, LEVY_DATA_DIR: dataDir, LEVY_TODAY: '2026-11-22', LOG_LEVEL: 'silent' };
delete env.DATABASE_URL;

function levy(args: string[]) {
  const result = spawnSync(process.execPath, ['bin/levy.js', ...args], { env, encoding: 'utf8', timeout: 180_000 });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

before(() => {
  const seeded = levy(['seed', '--authority', 'E07000117', '--dwellings', '300', '--businesses', '20', '--as-of', '2026-11-20', '--json']);
  assert.equal(seeded.code, 0, seeded.err);
});
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

test('levy report collection-rate --year 2026/27 --format json matches the ledger, to the penny', async () => {
  const run = levy(['report', 'collection-rate', '--year', '2026/27', '--format', 'json']);
  assert.equal(run.code, 0, run.err);
  const report = JSON.parse(run.out) as { tables: { key: string; rows: Record<string, number | string | null>[] }[] };
  const year = report.tables.find((t) => t.key === 'year')!;
  const ct = year.rows.find((r) => r.stream === 'Council Tax')!;
  assert.equal(ct.ratePercent, percentOf(ct.receiptsPence as number, ct.debitPence as number));
  assert.ok((ct.ratePercent as number) > 50 && (ct.ratePercent as number) < 100, `a plausible rate: ${ct.ratePercent}`);

  // The same figures straight from the ledger (the CLI has exited, so the database is free).
  const db = await openPglite(dataDir);
  try {
    const [ledger] = await db.query<{ debit: number; receipts: number }>(
      `select coalesce(sum(l.amount_pence) filter (where l.kind in ('charge', 'adjustment')), 0)::bigint as debit,
              coalesce(-sum(l.amount_pence) filter (where l.kind in ('payment', 'transfer', 'refund') and pa.ledger_entry_id is null), 0)::bigint as receipts
         from ledger_entries l join accounts a on a.id = l.account_id
         left join payment_allocations pa on pa.ledger_entry_id = l.id and pa.target = 'cost'
        where a.stream = 'council_tax' and l.financial_year = 2026 and l.effective_date <= '2026-11-22'`);
    assert.deepEqual([ct.debitPence, ct.receiptsPence], [ledger.debit, ledger.receipts]);
  } finally {
    await db.close();
  }
});

test('CSV and XLSX to a file, reconcile, and mistakes named with exit code 2', async () => {
  const csvFile = path.join(dataDir, 'rate.csv');
  const csv = levy(['report', 'collection-rate', '--format', 'csv', '--stream', 'council_tax', '--out', csvFile]);
  assert.equal(csv.code, 0, csv.err);
  const rows = parseCsv(fs.readFileSync(csvFile, 'utf8'));
  assert.equal(rows.length, 13);
  assert.deepEqual(rows[1].slice(0, 3), ['Council Tax', 'April 2026', '2026-04-30']);
  assert.match(rows[1][5], /^\d{1,3}\.\d{2}$/);

  const xlsxFile = path.join(dataDir, 'arrears.xlsx');
  assert.equal(levy(['report', 'arrears', '--authority', 'E07000117', '--format', 'xlsx', '--out', xlsxFile]).code, 0);
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(xlsxFile);
  assert.equal(book.worksheets[0].getCell('A1').value, 'Arrears and aged debt');
  assert.ok(book.worksheets.length >= 5);

  const reconcile = levy(['report', 'reconcile', '--format', 'json']);
  assert.equal(reconcile.code, 0, reconcile.out);
  assert.deepEqual(JSON.parse(reconcile.out), { reconciled: true, differences: [] });

  const unknown = levy(['report', 'dog-licences']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /no report called "dog-licences"/);
  const badYear = levy(['report', 'arrears', '--year', '2026-27']);
  assert.equal(badYear.code, 2);
  assert.match(badYear.err, /year: Enter the financial year like 2026\/27/);
});
