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

test('a surname search puts surnames starting with the word first, in name order, and stops at the page limit', async () => {
  // Fifty-two Smiths and a Goldsmith: a page of 50 Smiths in name order; the Goldsmith, who sorts
  // before them alphabetically but only contains the word, follows when there is room.
  const [{ id: authority }] = await db.query<{ id: number }>(`select authority_id as id from customers where id = $1`, [f.customers.margaret]);
  await db.query(
    `insert into customers (authority_id, kind, forenames, surname, display_name)
     select $1::int, 'person', 'Person' || lpad(n::text, 2, '0'), 'Smith', 'Person' || lpad(n::text, 2, '0') || ' Smith' from generate_series(1, 52) n
     union all select $1::int, 'person', 'Anne', 'Goldsmith', 'Anne Goldsmith'`,
    [authority],
  );
  const page = await f.services.customers.search(officer(), 'smith');
  assert.equal(page.hits.length, 50);
  assert.deepEqual(page.hits.slice(0, 3).map((h) => h.display_name), ['Person01 Smith', 'Person02 Smith', 'Person03 Smith']);
  assert.ok(!page.hits.some((h) => h.display_name === 'Anne Goldsmith'));
  // A narrower word leaves room: prefix matches first, then the rest in name order.
  const narrow = await f.services.customers.search(officer(), 'goldsmi');
  assert.deepEqual(narrow.hits.map((h) => h.display_name), ['Anne Goldsmith']);
  const oneSmith = await f.services.customers.search(officer(), 'person01');
  assert.deepEqual(oneSmith.hits.map((h) => h.display_name), ['Person01 Smith']);
});

test('a postcode district search lists people in postcode and street order', async () => {
  const [{ id: authority }] = await db.query<{ id: number }>(`select authority_id as id from customers where id = $1`, [f.customers.margaret]);
  const people = await db.query<{ id: number }>(
    `insert into customers (authority_id, kind, forenames, surname, display_name)
     values ($1, 'person', 'Zoe', 'Adams', 'Zoe Adams'), ($1, 'person', 'Alan', 'Young', 'Alan Young') returning id`,
    [authority],
  );
  // Zoe Adams sorts first by name, but lives further along the district than Alan Young.
  await db.query(
    `insert into customer_addresses (customer_id, address_line1, town, postcode, from_date)
     values ($1, '9 Zephyr Road', 'Wigan', 'WN8 7ZZ', '2024-01-01'), ($2, '1 Abbey Lane', 'Wigan', 'WN8 1AA', '2024-01-01')`,
    [people[0].id, people[1].id],
  );
  const district = await f.services.customers.search(officer(), 'WN8');
  assert.equal(district.kind, 'postcode');
  assert.deepEqual(district.hits.map((h) => h.display_name), ['Alan Young', 'Zoe Adams']);
});
