// `levy attachments dwp-requests` and `levy write-offs report` as the CLI runs them (in-process, on a
// PGlite data folder holding the fixture council): files written, read back, and mistakes refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { openPglite } from '../../db/database.ts';
import { migrate } from '../../db/migrate.ts';
import { parseCsv } from '../../integrations/open-data.ts';
import { runCli } from '../../cli/main.ts';
import { buildFixtureCouncil, TODAY } from '../../../test/support/fixture-council.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'levy-after-lo-cli-'));
const saved = { dir: process.env.LEVY_DATA_DIR, today: process.env.LEVY_TODAY, url: process.env.DATABASE_URL };
let reference = '';
let requestId = 0;

before(async () => {
  const db = await openPglite(dataDir);
  await migrate(db);
  const f = await buildFixtureCouncil(db);
  reference = f.accounts.hughesCt.reference;
  await db.query(`insert into recovery_steps (authority_id, account_id, financial_year, stage, issued_on, reason, outcome) values ($1, $2, 2025, 'liability_order', '2026-05-01', 'granted', 'granted')`, [f.authorities.wigan, f.accounts.hughesCt.id]);
  requestId = await f.services.benefitAttachments.request(f.users.recovery_officer.actor, f.accounts.hughesCt.id, { benefitType: 'pension_credit', niNumber: 'AB123456C' });
  const w = await f.services.writeOffs.recommend(f.users.recovery_officer.actor, f.accounts.hughesCt.id, { financialYear: 2026, reason: 'other', note: 'Test' });
  await f.services.writeOffs.approve(f.users.senior_recovery_officer.actor, w);
  await db.close();
  process.env.LEVY_DATA_DIR = dataDir;
  process.env.LEVY_TODAY = TODAY;
  delete process.env.DATABASE_URL;
});
after(() => {
  for (const [k, v] of [['LEVY_DATA_DIR', saved.dir], ['LEVY_TODAY', saved.today], ['DATABASE_URL', saved.url]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('levy attachments dwp-requests --out FILE: each request in one file only', async () => {
  const first = path.join(dataDir, 'dwp-1.csv');
  assert.equal(await runCli(['attachments', 'dwp-requests', '--authority', 'E08000010', '--out', first]), 0);
  const rows = parseCsv(fs.readFileSync(first, 'utf8'));
  assert.equal(rows.length, 2);
  assert.deepEqual([rows[1][0], rows[1][2], rows[1][3], rows[1][11], rows[1][13]], [String(requestId), reference, 'AB123456C', 'pension_credit', '4.55']);
  const second = path.join(dataDir, 'dwp-2.csv');
  assert.equal(await runCli(['attachments', 'dwp-requests', '--authority', 'E08000010', '--out', second]), 0);
  assert.equal(parseCsv(fs.readFileSync(second, 'utf8')).length, 1, 'only the header: the request is already in dwp-1.csv');
  assert.equal(await runCli(['attachments', 'dwp-requests']), 2, 'two councils: --authority is needed');
});

test('levy write-offs report --format xlsx --out FILE: the workbook holds the real rows', async () => {
  const file = path.join(dataDir, 'write-offs.xlsx');
  assert.equal(await runCli(['write-offs', 'report', '--format', 'xlsx', '--from', '2026-11-01', '--to', '2026-11-30', '--authority', 'E08000010', '--out', file]), 0);
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(file);
  const row = book.getWorksheet('Write-offs')!.getRow(2);
  assert.deepEqual([row.getCell(2).value, row.getCell(4).value, row.getCell(5).value, row.getCell(7).value], [reference, 2026, 861.33, 'approved']);
  const csv = path.join(dataDir, 'write-offs.csv');
  assert.equal(await runCli(['write-offs', 'report', '--from', '2026-11-01', '--to', '2026-11-30', '--authority', 'E08000010', '--out', csv]), 0);
  assert.match(fs.readFileSync(csv, 'utf8'), /861\.33,Other,approved/);
  assert.equal(await runCli(['write-offs', 'report', '--format', 'pdf', '--authority', 'E08000010']), 2);
  assert.equal(await runCli(['write-offs', 'report', '--format', 'xlsx', '--authority', 'E08000010']), 2, 'a workbook needs --out');
});
