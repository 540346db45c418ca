import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import type { Db } from '../../db/database.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';

let db: Db;
let f: FixtureCouncil;
before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
});
after(() => db.close());

const officer = () => f.users.recovery_officer.actor;

test('search by surname finds both jointly liable Hugheses in Wigan, never the Cardiff one', async () => {
  const { kind, hits } = await f.services.customers.search(officer(), 'hughes');
  assert.equal(kind, 'name or address');
  assert.deepEqual(hits.map((h) => h.display_name).sort(), ['Derek Hughes', 'Margaret Hughes']);
  const margaret = hits.find((h) => h.display_name === 'Margaret Hughes')!;
  // £260.00 (2025/26) + £861.33 (2026/27) + £125.00 sundry
  assert.equal(margaret.balance_pence, 124633);
  assert.equal(margaret.postcode, 'WN1 2AB');
  const derek = hits.find((h) => h.display_name === 'Derek Hughes')!;
  assert.equal(derek.warning, 'Violent or abusive: visit in pairs only');
  // Jointly and severally liable: the whole council tax debt is Derek's too.
  assert.equal(derek.balance_pence, 112133);
  assert.deepEqual(derek.references, [f.accounts.hughesCt.reference]);
});

test('search by several words needs them all, in name or address', async () => {
  assert.deepEqual((await f.services.customers.search(officer(), 'margaret hughes')).hits.map((h) => h.display_name), ['Margaret Hughes']);
  const byAddress = await f.services.customers.search(officer(), 'acacia avenue');
  assert.deepEqual(byAddress.hits.map((h) => h.display_name).sort(), ['Derek Hughes', 'Margaret Hughes']);
});

test('search by account reference and by postcode', async () => {
  const byRef = await f.services.customers.search(officer(), f.accounts.okaforCt.reference);
  assert.equal(byRef.kind, 'reference');
  assert.deepEqual(byRef.hits.map((h) => h.display_name), ['Peter Okafor']);
  const byPostcode = await f.services.customers.search(officer(), 'wn3 5q');
  assert.equal(byPostcode.kind, 'postcode');
  assert.deepEqual(byPostcode.hits.map((h) => h.display_name), ['Peter Okafor']);
});

test('a too-short search is refused naming the field, and is not audited as a search', async () => {
  const before = await db.query<{ n: number }>(`select count(*)::int as n from audit_log where action = 'search'`);
  await assert.rejects(f.services.customers.search(officer(), ' h '), (e: unknown) => e instanceof ValidationError && e.fields[0].field === 'q');
  const afterCount = await db.query<{ n: number }>(`select count(*)::int as n from audit_log where action = 'search'`);
  assert.equal(afterCount[0].n, before[0].n);
});

test('the single view of debt lists every stream the customer owes on, and the view is audited', async () => {
  const view = await f.services.customers.getCustomerView(officer(), f.customers.margaret);
  assert.deepEqual(view.accounts.map((a) => a.stream).sort(), ['council_tax', 'sundry']);
  // Arrears are what is unpaid from years before 2026/27: the £260.00 from 2025/26, not this year's bill.
  assert.deepEqual(view.accounts.map((a) => [a.stream, a.arrears_pence]).sort(), [['council_tax', 26000], ['sundry', 0]]);
  assert.equal(view.totalBalancePence, 124633);
  // Derek is a joint party on the council tax account, so it is his debt too.
  const derek = await f.services.customers.getCustomerView(officer(), f.customers.derek);
  assert.deepEqual(derek.accounts.map((a) => a.reference), [f.accounts.hughesCt.reference]);
  const audit = await db.query<{ user_id: number; entity_id: string }>(
    `select user_id, entity_id from audit_log where action = 'view.customer' order by id`);
  assert.deepEqual(audit.map((a) => a.entity_id), [String(f.customers.margaret), String(f.customers.derek)]);
  assert.ok(audit.every((a) => a.user_id === officer().userId));
});

test('a customer in another authority is not found, and a system administrator sees no cases', async () => {
  await assert.rejects(f.services.customers.getCustomerView(officer(), f.customers.ceri), NotFoundError);
  await assert.rejects(f.services.customers.search(f.users.system_administrator.actor, 'hughes'), ForbiddenError);
});
