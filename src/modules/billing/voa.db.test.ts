// VOA schedules end to end: a file with a malformed line applies nothing until the line is
// excluded; then each entry applies from its effective date and the liable accounts are rebilled.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import { makeLiableAccount, setUpBilling } from '../../../test/support/billing-fixture.ts';
import type { Db } from '../../db/database.ts';
import { ForbiddenError, ValidationError } from '../../errors.ts';

let db: Db;
let f: FixtureCouncil;
before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
  await setUpBilling(f);
});
after(() => db.close());

const entry = (fields: { n: number; ref: string; description: string; street: string; postcode: string; effective: string; rv: string }) => [
  String(fields.n), '4250', '0', fields.ref, 'CS', fields.description, `1001${fields.n}`, '', '', String(fields.n), fields.street, 'WIGAN', '', '',
  fields.postcode, fields.effective, '', fields.rv, '', `${fields.ref}/01`, '15-NOV-2026', '249G', '', '', '', `CASE${fields.n}`, fields.effective, '',
].join('*');

test('business rates list entries: preview, a malformed line holds the file, exclude it, apply with rebills', async () => {
  const senior = f.users.senior_recovery_officer.actor;
  const shop = await makeLiableAccount(db, { authorityId: f.authorities.wigan, kind: 'hereditament', rateableValuePounds: 18_000, description: 'Shop and premises', from: '2020-04-01', name: 'Pennington News' });
  await db.query(`update properties set ba_reference = '42500000123' where id = $1`, [shop.propertyId]);
  await db.query(`insert into account_reductions (account_id, code, from_date) values ($1, 'small_business_relief', '2020-04-01')`, [shop.accountId]);
  f.clock.set('2026-03-10');
  await f.services.billing.reissueBill(senior, shop.accountId, { financialYear: '2026/27', reason: 'annual bill' });

  const file = [
    entry({ n: 1, ref: '42500000123', description: 'Shop and premises', street: 'MARKET STREET', postcode: 'WN1 1HX', effective: '01-OCT-2026', rv: '13500' }),
    entry({ n: 2, ref: '42500000999', description: 'Cafe and premises', street: 'STANDISHGATE', postcode: 'WN1 1XL', effective: '01-NOV-2026', rv: '7250' }),
    entry({ n: 3, ref: '42500000555', description: 'Office and premises', street: 'KING STREET', postcode: 'WN1 1BN', effective: '01-NOV-2026', rv: 'TBC' }),
  ].join('\n');
  f.clock.set('2026-11-20');
  await assert.rejects(f.services.billing.voa.importFile(f.users.recovery_officer.actor, { authorityId: f.authorities.wigan, kind: 'nndr_list', fileName: 'x.txt', content: file }), ForbiddenError);
  const imported = await f.services.billing.voa.importFile(senior, { authorityId: f.authorities.wigan, kind: 'nndr_list', fileName: 'NDR_4250_20261120.txt', content: file });
  assert.equal(imported.status, 'rejected');
  assert.deepEqual(imported.problems, [{ line: 3, message: 'rateable value "TBC" is not a whole number of pounds' }]);
  const change = imported.lines.find((l) => l.line === 1)!;
  assert.deepEqual([change.action, change.current, change.proposed, change.effectiveDate, change.accountsToRebill], ['change', 'RV £18,000', 'RV £13,500', '2026-10-01', [shop.reference]]);
  assert.equal(imported.lines.find((l) => l.line === 2)!.action, 'new_property');

  // Nothing from the file applies while line 3 is wrong.
  await assert.rejects(f.services.billing.voa.apply(senior, imported.id), (e: Error) => e instanceof ValidationError && /line 3/.test(e.message));
  assert.deepEqual(await db.query(`select 1 from property_valuations where source like 'voa%'`), []);
  // The same file again is the same import (idempotent).
  assert.equal((await f.services.billing.voa.importFile(senior, { authorityId: f.authorities.wigan, kind: 'nndr_list', fileName: 'again.txt', content: file })).id, imported.id);

  const excluded = await f.services.billing.voa.exclude(senior, imported.id, [3]);
  assert.equal(excluded.status, 'ready');
  const applied = await f.services.billing.voa.apply(senior, imported.id);
  assert.equal(applied.status, 'applied');
  assert.deepEqual({ changed: applied.report!.changed, created: applied.report!.created, bills: applied.report!.bills, failures: applied.report!.failures }, { changed: 1, created: 1, bills: 1, failures: [] });
  // Rebilled from 1 October with small business rate relief at 50%.
  const [bill] = await db.query<{ charge_pence: number; reason: string }>('select charge_pence, reason from bills where account_id = $1 order by id desc limit 1', [shop.accountId]);
  // RV £18,000 × 38.2p (retail, small) for 183 days = £3,447.42; RV £13,500 × 38.2p for 182 days
  // = £2,571.44, less 50% small business rate relief £1,285.72.
  assert.equal(bill.charge_pence, 344_742 + 257_144 - 128_572);
  assert.match(bill.reason, /rateable value £13,500 from 1 October 2026/);
  const history = await db.query<{ effective_from: string; rateable_value_pounds: number; source: string }>('select effective_from, rateable_value_pounds, source from property_valuations where property_id = $1 order by effective_from', [shop.propertyId]);
  assert.deepEqual(history.map((h) => [h.effective_from, h.rateable_value_pounds, h.source]), [['1990-04-01', 18_000, 'baseline'], ['2026-10-01', 13_500, `voa-import:${imported.id}`]]);
  const [cafe] = await db.query<{ rateable_value_pounds: number; description: string; postcode: string }>(`select rateable_value_pounds, description, postcode from properties where ba_reference = '42500000999'`);
  assert.deepEqual(cafe, { rateable_value_pounds: 7_250, description: 'Cafe and premises', postcode: 'WN1 1XL' });
  const [event] = await db.query<{ summary: string; by_system: string }>(`select summary, by_system from events where account_id = $1 and type = 'valuation_changed'`, [shop.accountId]);
  assert.equal(event.by_system, `voa-import:${imported.id}`);
  // Applying twice changes nothing more.
  const again = await f.services.billing.voa.apply(senior, imported.id);
  assert.equal(again.report!.changed, 1);
});

test('council tax band changes from a VOA schedule rebill from the effective date', async () => {
  const senior = f.users.senior_recovery_officer.actor;
  const home = await makeLiableAccount(db, { authorityId: f.authorities.wigan, band: 'C', from: '2019-01-01' });
  await db.query(`update properties set uprn = '100012000777' where id = $1`, [home.propertyId]);
  f.clock.set('2026-03-10');
  const [annual] = await f.services.billing.reissueBill(senior, home.accountId, { financialYear: '2026/27', reason: 'annual bill' });
  f.clock.set('2026-07-01');
  const imported = await f.services.billing.voa.importFile(senior, {
    authorityId: f.authorities.wigan, kind: 'ct_bands', fileName: 'CTB_4250_20260701.txt',
    content: '4250*100012000777*5000 Test Street, Wigan*WN1 9ZZ*B*01-APR-2026*APPEAL*CTS/2026/0042\n',
  });
  assert.equal(imported.status, 'ready');
  assert.deepEqual([imported.lines[0].current, imported.lines[0].proposed], ['Band C', 'Band B']);
  await f.services.billing.voa.apply(senior, imported.id);
  const [bill] = await db.query<{ charge_pence: number; previous_charge_pence: number }>('select charge_pence, previous_charge_pence from bills where account_id = $1 order by id desc limit 1', [home.accountId]);
  assert.equal(bill.previous_charge_pence, annual.chargePence);
  assert.equal(bill.charge_pence, Math.round((215_300 * 7) / 9), 'band B for the whole year, backdated to 1 April');
  const [property] = await db.query<{ band: string }>('select band from properties where id = $1', [home.propertyId]);
  assert.equal(property.band, 'B');
});
