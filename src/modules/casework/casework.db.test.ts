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

const count = async (table: string) => (await db.query<{ n: number }>(`select count(*)::int as n from ${table}`))[0].n;

test('a note on an account lands on the account and customer timelines with who wrote it', async () => {
  const actor = f.users.recovery_administrator.actor;
  await f.services.casework.addNote(actor, { accountId: f.accounts.hughesCt.id }, { text: 'Customer says payment sent Friday' });
  const view = await f.services.accounts.getAccountView(actor, f.accounts.hughesCt.id);
  assert.equal(view.timeline[0].summary, 'Customer says payment sent Friday');
  assert.equal(view.timeline[0].by_name, 'Test recovery_administrator');
  const customer = await f.services.customers.getCustomerView(actor, f.customers.margaret);
  assert.equal(customer.timeline[0].account_reference, f.accounts.hughesCt.reference);
  const [audit] = await db.query<{ action: string; user_id: number }>(`select action, user_id from audit_log where action = 'create.note'`);
  assert.equal(audit.user_id, actor.userId);
});

test('a logged call records direction, channel and outcome', async () => {
  const actor = f.users.recovery_officer.actor;
  await f.services.casework.logContact(actor, { customerId: f.customers.peter }, { direction: 'inbound', channel: 'phone', outcome: 'promise_to_pay', notes: 'Will pay £50 on the 1st' });
  const [event] = await db.query<{ type: string; summary: string; detail: Record<string, string>; account_id: number | null }>(
    `select type, summary, detail, account_id from events where customer_id = $1 and type = 'contact'`, [f.customers.peter]);
  assert.equal(event.summary, 'Inbound phone call: promise to pay');
  assert.equal(event.account_id, null);
  assert.deepEqual(event.detail, { direction: 'inbound', channel: 'phone', outcome: 'promise_to_pay', notes: 'Will pay £50 on the 1st' });
});

test('bad input names the field and changes nothing', async () => {
  const actor = f.users.recovery_officer.actor;
  const eventsBefore = await count('events');
  const auditBefore = await count('audit_log');
  await assert.rejects(f.services.casework.addNote(actor, { accountId: f.accounts.hughesCt.id }, { text: '   ' }),
    (e: unknown) => e instanceof ValidationError && e.fields[0].field === 'text');
  await assert.rejects(f.services.casework.logContact(actor, { accountId: f.accounts.hughesCt.id }, { direction: 'sideways', channel: 'phone', outcome: 'no_answer' }),
    (e: unknown) => e instanceof ValidationError && e.fields.some((x) => x.field === 'direction'));
  assert.equal(await count('events'), eventsBefore);
  assert.equal(await count('audit_log'), auditBefore);
});

test('an auditor cannot write notes; nobody can note a record outside their authority', async () => {
  await assert.rejects(f.services.casework.addNote(f.users.auditor.actor, { accountId: f.accounts.hughesCt.id }, { text: 'x' }), ForbiddenError);
  await assert.rejects(f.services.casework.addNote(f.users.recovery_manager.actor, { accountId: f.accounts.cardiffCt.id }, { text: 'x' }), NotFoundError);
});
