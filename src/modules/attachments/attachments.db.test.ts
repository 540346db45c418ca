import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import type { Db } from '../../db/database.ts';
import { ConflictError } from '../../errors.ts';

let db: Db;
let f: FixtureCouncil;
before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
  // A liability order for 2025/26 on the Hughes account (£260.00 owed that year, costs included).
  await db.query(`insert into recovery_steps (authority_id, account_id, financial_year, stage, issued_on, reason, outcome) values ($1, $2, 2025, 'liability_order', '2026-05-01', 'granted', 'granted')`,
    [f.authorities.wigan, f.accounts.hughesCt.id]);
});
after(() => db.close());

test('an AEO is calculated from the statutory table, sent to the employer, and monitored to clearance', async () => {
  const officer = f.users.recovery_officer.actor;
  await assert.rejects(f.services.attachments.makeOrder(officer, f.accounts.okaforCt.id, { employerId: 1, payPeriod: 'monthly', netEarningsPence: 150000 }), /Check the order|no liability order/);
  const employerId = await f.services.attachments.registerEmployer(officer, { name: 'Wigan Pies Ltd', address: 'Payroll, 1 Mill St\nWigan\nWN1 3XX' });
  await assert.rejects(f.services.attachments.makeOrder(officer, f.accounts.okaforCt.id, { employerId, payPeriod: 'monthly', netEarningsPence: 150000 }), ConflictError, 'no liability order');

  // England, monthly net £1,500.00: over £1,420 and up to £2,020 → 17% = £255.00.
  const id = await f.services.attachments.makeOrder(officer, f.accounts.hughesCt.id, { employerId, payPeriod: 'monthly', netEarningsPence: 150000, worksNumber: 'W42', madeOn: '2026-10-01' });
  let { order } = await f.services.attachments.getOrder(officer, id);
  assert.deepEqual([order.deduction_pence, order.rate, order.order_pence, order.status], [25500, '17', 26000, 'active']);
  const [doc] = await db.query<{ kind: string; content: { to: { name: string }; blocks: { type: string; rows?: string[][] }[] } }>('select kind, content from documents where id = $1', [order.document_id]);
  assert.equal(doc.kind, 'aeo_order');
  assert.match(doc.content.to.name, /Wigan Pies Ltd/);
  assert.ok(doc.content.blocks.some((b) => b.rows?.some((r) => r[0] === 'Deduction each pay day' && r[1] === '£255.00')));

  let watch = await f.services.attachments.monitor(officer, '2026-11-22');
  assert.deepEqual(watch.map((w) => [w.id, w.expected_pence, w.received_pence, w.shortfall_pence]), [[id, 25500, 0, 25500]], 'one month in: one deduction expected, none remitted');

  assert.deepEqual(await f.services.attachments.recordRemittance(officer, id, { amountPence: 25500, receivedOn: '2026-11-19' }), { receivedPence: 25500, cleared: false });
  watch = await f.services.attachments.monitor(officer, '2026-11-22');
  assert.equal(watch[0].shortfall_pence, 0);
  assert.deepEqual(await f.services.attachments.recordRemittance(officer, id, { amountPence: 500, receivedOn: '2026-12-19' }), { receivedPence: 26000, cleared: true });
  ({ order } = await f.services.attachments.getOrder(officer, id));
  assert.equal(order.status, 'cleared');
  const [bal] = await db.query<{ b: number }>(`select sum(amount_pence)::bigint as b from ledger_entries where account_id = $1 and financial_year = 2025`, [f.accounts.hughesCt.id]);
  assert.equal(Number(bal.b), 0, 'the year under the liability order is cleared');
  assert.ok((await db.query(`select 1 from documents where kind = 'aeo_discharge'`)).length, 'employer told to stop');
  assert.deepEqual(await f.services.attachments.monitor(officer, '2027-01-22'), []);
});

test('no more than two orders at once; an ended order frees a place', async () => {
  const officer = f.users.recovery_officer.actor;
  await db.query(`insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source) values ($1, 'cost', 10000, 2025, '2026-11-01', 'test')`, [f.accounts.hughesCt.id]);
  const employerId = await f.services.attachments.registerEmployer(officer, { name: 'Second Job Ltd', address: '2 Mill St, Wigan, WN1 3XY' });
  const first = await f.services.attachments.makeOrder(officer, f.accounts.hughesCt.id, { employerId, payPeriod: 'weekly', netEarningsPence: 30000 });
  await f.services.attachments.makeOrder(officer, f.accounts.hughesCt.id, { employerId, payPeriod: 'weekly', netEarningsPence: 20000 });
  await assert.rejects(f.services.attachments.makeOrder(officer, f.accounts.hughesCt.id, { employerId, payPeriod: 'weekly', netEarningsPence: 20000 }), /no more than two/);
  await f.services.attachments.endOrder(officer, first, { reason: 'Left the employer' });
  const third = await f.services.attachments.makeOrder(officer, f.accounts.hughesCt.id, { employerId, payPeriod: 'weekly', netEarningsPence: 30000 });
  // England weekly £300.00: over £225 and up to £335 → 12% = £36.00 (Wales would use £355, same band here).
  assert.equal((await f.services.attachments.getOrder(officer, third)).order.deduction_pence, 3600);
  const newEmployer = await f.services.attachments.registerEmployer(officer, { name: 'Third Job Ltd', address: '3 Mill St, Wigan, WN1 3XZ' });
  const moved = await f.services.attachments.changeEmployer(officer, third, { employerId: newEmployer, payPeriod: 'monthly', netEarningsPence: 100000 });
  assert.equal((await f.services.attachments.getOrder(officer, third)).order.status, 'ended');
  const { order } = await f.services.attachments.getOrder(officer, moved);
  assert.deepEqual([order.employer_name, order.deduction_pence, order.rate], ['Third Job Ltd', 12000, '12'], 'monthly £1,000.00: over £900 up to £1,420 → 12% = £120.00');
});
