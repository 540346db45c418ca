import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import type { Db } from '../../db/database.ts';
import { ForbiddenError, ValidationError } from '../../errors.ts';

let db: Db;
let f: FixtureCouncil;
before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
});
after(() => db.close());

const balance = async (accountId: number, year: number) =>
  Number((await db.query<{ b: number }>('select coalesce(sum(amount_pence), 0)::bigint as b from ledger_entries where account_id = $1 and financial_year = $2', [accountId, year]))[0].b);

test('a write-off is approved only by a role within its limit, then reversed by a write-on', async () => {
  const { recovery_officer: officer, senior_recovery_officer: senior, recovery_administrator: admin } = f.users;
  // 2026/27 on the Hughes account: £861.33, over an officer's £500.00 limit, within a senior's £5,000.00.
  const id = await f.services.writeOffs.recommend(admin.actor, f.accounts.hughesCt.id, { financialYear: 2026, reason: 'untraceable', note: 'Gone away; credit reference and DWP searches found nothing' });
  await assert.rejects(f.services.writeOffs.approve(admin.actor, id), ForbiddenError, 'administrators cannot approve');
  await assert.rejects(f.services.writeOffs.approve(officer.actor, id), (e: unknown) => e instanceof ForbiddenError && /delegated limit of £500\.00/.test(e.message));
  assert.equal(await balance(f.accounts.hughesCt.id, 2026), 86133, 'nothing posted');
  await f.services.writeOffs.approve(senior.actor, id);
  assert.equal(await balance(f.accounts.hughesCt.id, 2026), 0);
  const [wo] = await db.query<{ kind: string; amount_pence: number }>(`select kind, amount_pence from ledger_entries where source = $1`, [`write-off:${id}`]);
  assert.deepEqual([wo.kind, Number(wo.amount_pence)], ['write_off', -86133]);

  const csv = await f.services.writeOffs.reportCsv(senior.actor, '2026-11-01', '2026-11-30');
  assert.match(csv, /^id,account_reference,customer,financial_year,amount,reason,status/);
  assert.match(csv, /861\.33,Untraceable,approved/);
  // The same rows as an Excel workbook, read back with exceljs: real cells, not text.
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load((await f.services.writeOffs.reportXlsx(senior.actor, '2026-11-01', '2026-11-30')) as unknown as ArrayBuffer);
  const sheet = workbook.getWorksheet('Write-offs')!;
  assert.deepEqual((sheet.getRow(1).values as unknown[]).slice(1, 8), ['Write-off', 'Account reference', 'Customer', 'Financial year', 'Amount (£)', 'Reason', 'Status']);
  const cells = sheet.getRow(2).values as unknown[];
  assert.deepEqual(cells.slice(1, 8), [id, f.accounts.hughesCt.reference, 'Margaret Hughes', 2026, 861.33, 'Untraceable', 'approved']);
  assert.deepEqual(cells[8], new Date('2026-11-22T00:00:00Z'), 'recommended on: a date cell');
  assert.equal(sheet.getRow(2).getCell(5).numFmt, '£#,##0.00;-£#,##0.00');
  assert.deepEqual([sheet.getRow(3).getCell(2).value, sheet.getRow(3).getCell(5).value], ['Total', 861.33]);
  assert.equal(sheet.rowCount, 3, 'one write-off, then the total');
  await assert.rejects(f.services.writeOffs.reportXlsx(senior.actor, '2026-11-01', '30/11/2026'), (e: unknown) => e instanceof ValidationError && e.fields[0].field === 'to');

  await assert.rejects(f.services.writeOffs.writeOn(officer.actor, id, { reason: 'Found' }), ForbiddenError, 'a write-on is within the limit too');
  const { ledgerEntryId } = await f.services.writeOffs.writeOn(senior.actor, id, { reason: 'Traced to a new address in Leigh' });
  const [on] = await db.query<{ kind: string; amount_pence: number; reverses_entry_id: number }>('select kind, amount_pence, reverses_entry_id from ledger_entries where id = $1', [ledgerEntryId]);
  const written = await f.services.writeOffs.getWriteOff(senior.actor, id);
  assert.deepEqual([on.kind, Number(on.amount_pence), Number(on.reverses_entry_id)], ['write_on', 86133, Number(written.ledger_entry_id)]);
  assert.equal(written.status, 'written_on');
  assert.equal(await balance(f.accounts.hughesCt.id, 2026), 86133);
});

test('the recommender cannot approve their own write-off', async () => {
  const officer = f.users.recovery_officer.actor;
  const id = await f.services.writeOffs.recommend(officer, f.accounts.sundry.id, { financialYear: 2026, reason: 'other', note: 'Disputed invoice settled' });
  await assert.rejects(f.services.writeOffs.approve(officer, id), /Someone other/);
  await f.services.writeOffs.reject(f.users.recovery_manager.actor, id, { note: 'Pursue' });
});

test('rules recommend uneconomic, statute-barred and deceased cases, once', async () => {
  const officer = f.users.recovery_officer.actor;
  const mk = async (n: number, charge: number, year: number, on: string) => {
    const [c] = await db.query<{ id: number }>(`insert into customers (authority_id, kind, surname, display_name) values ($1, 'person', $2, $2) returning id`, [f.authorities.wigan, `Rule${n}`]);
    const [a] = await db.query<{ id: number }>(`insert into accounts (authority_id, reference, stream, customer_id, opened_on) values ($1, $2, 'sundry', $3, '2018-04-01') returning id`, [f.authorities.wigan, `9000${n}`, c.id]);
    await db.query(`insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source) values ($1, 'charge', $2, $3, $4, 'test')`, [a.id, charge, year, on]);
    return { customer: c.id, account: a.id };
  };
  const small = await mk(1, 750, 2026, '2026-06-01');
  const old = await mk(2, 40000, 2019, '2019-06-01');
  const dead = await mk(3, 40000, 2026, '2026-06-01');
  await db.query(`insert into holds (authority_id, customer_id, type, reason, starts_on) values ($1, $2, 'deceased', 'Died 1 October 2026; no estate', '2026-10-10')`, [f.authorities.wigan, dead.customer]);
  const { recommended } = await f.services.writeOffs.applyRules(officer, '2026-11-22');
  const rows = await db.query<{ account_id: number; reason: string }>('select account_id, reason from write_offs where id = any($1::bigint[])', [recommended]);
  const byAccount = new Map(rows.map((r) => [Number(r.account_id), r.reason]));
  assert.equal(byAccount.get(small.account), 'uneconomic');
  assert.equal(byAccount.get(old.account), 'statute_barred');
  assert.equal(byAccount.get(dead.account), 'deceased');
  assert.equal(byAccount.get(f.accounts.hughesCt.id), undefined);
  assert.deepEqual((await f.services.writeOffs.applyRules(officer, '2026-11-22')).recommended, [], 'a second run adds nothing');
});
