import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import type { Db } from '../../db/database.ts';
import { NotFoundError } from '../../errors.ts';
import { summariseBalances } from './accounts.service.ts';

let db: Db;
let f: FixtureCouncil;
before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
});
after(() => db.close());

test('balances by year and kind are derived from the ledger', async () => {
  const view = await f.services.accounts.getAccountView(f.users.recovery_officer.actor, f.accounts.hughesCt.id);
  assert.equal(view.balances.totalPence, 112133);
  assert.deepEqual(view.balances.years, [
    { financialYear: 2026, byKind: { charge: 143533, payment: -57400 }, balancePence: 86133 },
    { financialYear: 2025, byKind: { charge: 138000, cost: 8000, payment: -120000 }, balancePence: 26000 },
  ]);
  assert.equal(view.ledger.length, 5);
  assert.deepEqual(view.liabilities[0].parties.map((p) => p.name), ['Derek Hughes', 'Margaret Hughes']);
});

test('an account in credit shows a negative balance', async () => {
  const view = await f.services.accounts.getAccountView(f.users.auditor.actor, f.accounts.okaforCt.id);
  assert.equal(view.balances.totalPence, -44);
});

test('the ledger is append-only: updates and deletes are refused by the database', async () => {
  const [entry] = await db.query<{ id: number }>('select id from ledger_entries limit 1');
  await assert.rejects(db.query('update ledger_entries set amount_pence = 1 where id = $1', [entry.id]), /append-only/);
  await assert.rejects(db.query('delete from ledger_entries where id = $1', [entry.id]), /append-only/);
});

test('accounts outside the officer’s authority are not found', async () => {
  await assert.rejects(f.services.accounts.getAccountView(f.users.recovery_officer.actor, f.accounts.cardiffCt.id), NotFoundError);
  assert.equal(await f.services.accounts.findByReference(f.users.recovery_officer.actor, f.accounts.cardiffCt.reference), undefined);
});

test('summariseBalances folds rows and totals them', () => {
  const result = summariseBalances([
    { financial_year: 2025, kind: 'charge', amount_pence: 100 },
    { financial_year: 2026, kind: 'charge', amount_pence: 300 },
    { financial_year: 2026, kind: 'payment', amount_pence: -50 },
  ]);
  assert.equal(result.totalPence, 350);
  assert.deepEqual(result.years.map((y) => [y.financialYear, y.balancePence]), [[2026, 250], [2025, 100]]);
});
