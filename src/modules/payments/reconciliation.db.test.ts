// The daily cash report and the GL journal: every penny received is on an account, in suspense or
// returned, and the journal balances.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import { bureauFile } from '../../../test/support/payment-files.ts';
import type { Db } from '../../db/database.ts';
import { makeAccountReference } from '../../domain/account-reference.ts';

let db: Db;
let f: FixtureCouncil;
before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
});
after(() => db.close());

test('cash report and GL journal for a day with matched, suspense and later-allocated money', async () => {
  const officer = f.users.recovery_officer.actor;
  const unknown = makeAccountReference('council_tax', 9999);
  await f.services.payments.importFile(officer, { name: 'day.txt', open: () => [bureauFile([
    { narrative: 'D1', reference: f.accounts.hughesCt.reference, amountPence: 10000, paidOn: '2026-11-22' },
    { narrative: 'D2', reference: unknown, amountPence: 2500, paidOn: '2026-11-22', channelCode: 'T' },
    { narrative: 'D3', reference: unknown, amountPence: 1000, paidOn: '2026-11-22', channelCode: 'T' },
  ])] }, { format: 'bureau' });
  const { items } = await f.services.suspense.listSuspense(officer);
  await f.services.suspense.allocateFromSuspense(officer, items.find((i) => i.amount_pence === 2500)!.id, { accountReference: f.accounts.sundry.reference, reason: 'customer phoned' });

  const report = await f.services.reconciliation.dailyCash(officer, '2026-11-22');
  assert.equal(report.balanced, true);
  assert.deepEqual(report.totals, { receipts: 3, received: 13500, onAccounts: 12500, suspense: 1000, returned: 0 });
  assert.deepEqual(report.channels.map((c) => [c.channel, c.received_pence, c.on_accounts_pence, c.suspense_pence]), [['paypoint', 3500, 2500, 1000], ['post_office', 10000, 10000, 0]]);
  assert.equal(report.imports[0].balanced, true);

  const journal = await f.services.reconciliation.glJournal(officer, { from: '2026-11-22', to: '2026-11-22' });
  const byCode = (code: string) => journal.lines.filter((l) => l.glCode === code).reduce((s, l) => s + l.debitPence - l.creditPence, 0);
  assert.equal(byCode('BANK-POST_OFFICE'), 10000);
  assert.equal(byCode('BANK-PAYPOINT'), 3500);
  assert.equal(byCode('SUSPENSE'), -1000); // £35 in, £25 out to the sundry account
  assert.equal(byCode('COLL-COUNCIL_TAX'), -10000);
  assert.equal(byCode('COLL-SUNDRY'), -2500);
  assert.match(journal.csv, /^journal_date,gl_code,description,debit,credit,reference\r\n/);
});
