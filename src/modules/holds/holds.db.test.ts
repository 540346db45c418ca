import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import type { Db } from '../../db/database.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';

let db: Db;
let f: FixtureCouncil;
before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
});
after(() => db.close());

const fieldsOf = (e: unknown) => (e instanceof ValidationError ? e.fields.map((p) => p.field) : []);

test('a hold is recorded with who decided, on the history and the audit trail', async () => {
  const officer = f.users.recovery_officer.actor;
  const id = await f.services.holds.createHold(officer, { accountId: f.accounts.hughesCt.id }, { type: 'arrangement', reason: '£50 a month from 1 December', reviewOn: '2026-12-15' });
  const { hold, status } = await f.services.holds.getHold(officer, id);
  assert.deepEqual([hold.type, hold.starts_on, hold.review_on, hold.decided_by_name, status], ['arrangement', '2026-11-22', '2026-12-15', 'Test recovery_officer', 'active']);
  const [event] = await db.query<{ type: string; summary: string; by_user_id: number }>(`select type, summary, by_user_id from events where type = 'hold' order by id desc limit 1`);
  assert.equal(event.summary, 'Recovery held: Arrangement in place from 22 November 2026. £50 a month from 1 December');
  assert.equal(event.by_user_id, officer.userId);
  assert.ok((await db.query(`select 1 from audit_log where action = 'create.hold' and entity_id = $1`, [String(id)])).length);
});

test('Breathing Space (standard) always runs 60 days; a mental health crisis one has no end date', async () => {
  const officer = f.users.recovery_officer.actor;
  const id = await f.services.holds.createHold(officer, { customerId: f.customers.peter }, { type: 'breathing_space_standard', reason: 'Insolvency Service notification', reference: 'BS-1', startsOn: '2026-11-20', expiresOn: '2027-06-01' });
  const { hold } = await f.services.holds.getHold(officer, id);
  assert.equal(hold.expires_on, '2027-01-18', '60 days beginning with 20 November');
  await assert.rejects(
    f.services.holds.createHold(officer, { customerId: f.customers.peter }, { type: 'breathing_space_mental_health', reason: 'x', expiresOn: '2027-01-01' }),
    (e: unknown) => fieldsOf(e).includes('expiresOn'));
});

test('bad input names the field and changes nothing', async () => {
  const officer = f.users.recovery_officer.actor;
  const before = (await db.query<{ n: number }>('select count(*)::int as n from holds'))[0].n;
  await assert.rejects(f.services.holds.createHold(officer, { accountId: f.accounts.okaforCt.id }, { type: 'vulnerability', reason: 'Bereavement' }), (e: unknown) => fieldsOf(e).includes('reviewOn'));
  await assert.rejects(f.services.holds.createHold(officer, { accountId: f.accounts.okaforCt.id }, { type: 'holiday', reason: '' }), (e: unknown) => fieldsOf(e).includes('type') && fieldsOf(e).includes('reason'));
  await assert.rejects(f.services.holds.createHold(officer, { accountId: f.accounts.okaforCt.id }, { type: 'dispute', reason: 'x', startsOn: '2026-02-30' }), (e: unknown) => fieldsOf(e).includes('startsOn'));
  assert.equal((await db.query<{ n: number }>('select count(*)::int as n from holds'))[0].n, before);
});

test('a customer’s hold covers every account they are liable on, joint ones included', async () => {
  const officer = f.users.recovery_officer.actor;
  await f.services.holds.createHold(officer, { customerId: f.customers.derek }, { type: 'vulnerability', reason: 'Hospital admission', reviewOn: '2027-01-10' });
  const onJoint = await f.services.holds.holdsForAccount(officer, f.accounts.hughesCt.id);
  assert.ok(onJoint.some((h) => h.type === 'vulnerability' && h.customer_id === f.customers.derek));
  const derek = await f.services.holds.holdsForCustomer(officer, f.customers.derek);
  assert.ok(derek.some((h) => h.type === 'arrangement'), 'and the account holds of accounts they are on');
  const map = await (await import('./holds.repository.ts')).createHoldsRepository(db).forAccounts([f.accounts.hughesCt.id, f.accounts.sundry.id]);
  assert.deepEqual(map.get(f.accounts.hughesCt.id)!.map((h) => h.type).sort(), ['arrangement', 'vulnerability']);
  assert.equal(map.get(f.accounts.sundry.id), undefined, 'Derek is not liable on Margaret’s sundry account');
});

test('review, then end: recovery is woken to resume with fresh dates', async () => {
  const officer = f.users.recovery_officer.actor;
  const id = await f.services.holds.createHold(officer, { accountId: f.accounts.okaforCt.id }, { type: 'dispute', reason: 'Band appeal', reviewOn: '2026-12-01' });
  await db.query(`insert into recovery_cases (account_id, financial_year, authority_id, stream, position, reason) values ($1, 2026, $2, 'council_tax', 'balance_due', 'x')`, [f.accounts.okaforCt.id, f.authorities.wigan]);
  await assert.rejects(f.services.holds.reviewHold(officer, id, { note: 'VOA still considering', nextReviewOn: '2026-11-01' }), ValidationError);
  await f.services.holds.reviewHold(officer, id, { note: 'VOA still considering', nextReviewOn: '2027-01-05' });
  const { hold, reviews } = await f.services.holds.getHold(officer, id);
  assert.equal(hold.review_on, '2027-01-05');
  assert.equal(reviews[0].note, 'VOA still considering');
  await f.services.holds.endHold(officer, id, { reason: 'Appeal dismissed by the VOA' });
  const after = await f.services.holds.getHold(officer, id);
  assert.deepEqual([after.hold.ended_on, after.hold.end_reason, after.status], ['2026-11-22', 'Appeal dismissed by the VOA', 'ended']);
  const [kase] = await db.query<{ review_on: string }>('select review_on from recovery_cases where account_id = $1', [f.accounts.okaforCt.id]);
  assert.equal(kase.review_on, '2026-11-22');
  await assert.rejects(f.services.holds.endHold(officer, id, { reason: 'again' }), ConflictError);
});

test('a mental health crisis Breathing Space ends 30 days after the treatment', async () => {
  const officer = f.users.recovery_officer.actor;
  const id = await f.services.holds.createHold(officer, { accountId: f.accounts.sundry.id }, { type: 'breathing_space_mental_health', reason: 'AMHP evidence', startsOn: '2026-10-01' });
  await assert.rejects(f.services.holds.endHold(officer, id, { reason: 'x', treatmentEndedOn: 'soon' }), ValidationError);
  await f.services.holds.endHold(officer, id, { reason: 'Treatment ended', treatmentEndedOn: '2026-11-20' });
  const { hold, status } = await f.services.holds.getHold(officer, id);
  assert.deepEqual([hold.expires_on, hold.ended_on, status], ['2026-12-20', null, 'active']);
});

test('who may: auditors read but do not hold; other authorities’ records are not found', async () => {
  await assert.rejects(f.services.holds.createHold(f.users.auditor.actor, { accountId: f.accounts.hughesCt.id }, { type: 'dispute', reason: 'x' }), ForbiddenError);
  await assert.rejects(f.services.holds.createHold(f.users.recovery_officer.actor, { accountId: f.accounts.cardiffCt.id }, { type: 'dispute', reason: 'x' }), NotFoundError);
  assert.ok((await f.services.holds.listHolds(f.users.auditor.actor, 'open')).length >= 3);
  assert.ok((await f.services.holds.listHolds(f.users.auditor.actor, 'review_due')).every((h) => h.review_on! <= '2026-11-22'));
});
