// Work queues on a real database: assigning and unassigning, who may be given what (same council,
// the queue's permission), a bulk approval where the write-off rules refuse some items, the home
// page's counts, and the paged queue with its "assigned to me" filter.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, PASSWORD, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import type { Db } from '../../db/database.ts';
import { ForbiddenError, ValidationError } from '../../errors.ts';
import type { Actor } from '../auth/context.ts';

let db: Db;
let f: FixtureCouncil;
let shared: Actor; // a shared-services manager working for Wigan and Cardiff
let cardiffOfficer: Actor;
const tasks: Record<string, number> = {};

before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
  const addUser = async (username: string, role: Actor['role'], authorityIds: number[]): Promise<Actor> => {
    const id = await f.services.auth.addUser(null, { username, displayName: username, password: PASSWORD, role, authorityIds });
    return { userId: id, username, role, authorityIds };
  };
  shared = await addUser('shared.manager', 'recovery_manager', [f.authorities.wigan, f.authorities.cardiff]);
  cardiffOfficer = await addUser('cardiff.officer', 'recovery_officer', [f.authorities.cardiff]);
  tasks.margaret = await f.services.tracing.openTask(shared, f.customers.margaret, { trigger: 'returned_mail' });
  tasks.peter = await f.services.tracing.openTask(shared, f.customers.peter, { trigger: 'gone_away' });
  tasks.ceri = await f.services.tracing.openTask(shared, f.customers.ceri, { trigger: 'officer' });
});
after(() => db.close());

const assignees = async () => Object.fromEntries((await db.query<{ item_id: number; assigned_to: number }>(
  `select item_id, assigned_to from work_assignments where queue = 'tracing' order by item_id`)).map((r) => [Number(r.item_id), Number(r.assigned_to)]));

test('an officer assigns trace tasks to themself and a colleague, and unassigns them', async () => {
  const officer = f.users.recovery_officer.actor;
  const senior = f.users.senior_recovery_officer;
  assert.deepEqual(await f.services.workQueues.assign(officer, 'tracing', [tasks.margaret]), { done: [tasks.margaret], refused: [] });
  assert.deepEqual(await f.services.workQueues.assign(officer, 'tracing', [tasks.peter], senior.id), { done: [tasks.peter], refused: [] });
  assert.deepEqual(await assignees(), { [tasks.margaret]: officer.userId, [tasks.peter]: senior.id });

  const mine = await f.services.workQueues.page(officer, 'tracing', { assigned: 'mine' });
  assert.deepEqual(mine.items.map((i) => [i.id, i.assigned_to_name]), [[tasks.margaret, 'Test recovery_officer']]);
  assert.equal(mine.total, 1);
  const anyone = await f.services.workQueues.page(officer, 'tracing', {});
  assert.deepEqual(anyone.items.map((i) => i.id), [tasks.peter, tasks.margaret], 'newest first, Cardiff’s task not shown to a Wigan officer');

  // Reassigning moves it; unassigning removes it.
  await f.services.workQueues.assign(officer, 'tracing', [tasks.peter]);
  assert.equal((await assignees())[tasks.peter], officer.userId);
  assert.deepEqual(await f.services.workQueues.unassign(officer, 'tracing', [tasks.margaret, tasks.peter]), { done: [tasks.margaret, tasks.peter], refused: [] });
  assert.deepEqual(await assignees(), {});
  assert.equal((await f.services.workQueues.page(officer, 'tracing', { assigned: 'unassigned' })).total, 2);
  const [audit] = await db.query<{ action: string; detail: { ids: number[] } }>(`select action, detail from audit_log where action like '%assign.work' order by id desc limit 1`);
  assert.equal(audit.action, 'unassign.work');
  assert.deepEqual(audit.detail.ids.map(Number), [tasks.margaret, tasks.peter]);
});

test('items go only to officers of their own council who work the queue', async () => {
  const officer = f.users.recovery_officer.actor;
  // A Wigan officer cannot pick a Cardiff officer, nor touch Cardiff's task.
  await assert.rejects(f.services.workQueues.assign(officer, 'tracing', [tasks.margaret], cardiffOfficer.userId),
    (e: unknown) => e instanceof ValidationError && e.fields[0].field === 'assigneeId');
  assert.deepEqual(await f.services.workQueues.assign(officer, 'tracing', [tasks.ceri]), { done: [], refused: [{ id: tasks.ceri, reason: 'not found' }] });
  // The shared-services manager sees both councils: the Cardiff task is refused for a Wigan officer, the Wigan one done.
  const r = await f.services.workQueues.assign(shared, 'tracing', [tasks.margaret, tasks.ceri], officer.userId);
  assert.deepEqual(r.done, [tasks.margaret]);
  assert.deepEqual(r.refused, [{ id: tasks.ceri, reason: 'Test recovery_officer does not work for that council' }]);
  assert.deepEqual(await assignees(), { [tasks.margaret]: officer.userId });
  // The auditor only reads; an administrator cannot be given write-offs (no approval permission).
  await assert.rejects(f.services.workQueues.assign(f.users.auditor.actor, 'tracing', [tasks.peter]), ForbiddenError);
  await assert.rejects(f.services.workQueues.assign(officer, 'write_offs', [1], f.users.recovery_administrator.id), ValidationError);
  await f.services.workQueues.unassign(officer, 'tracing', [tasks.margaret]);
});

test('bulk approval re-checks every write-off: limits, four eyes and scope refuse some, the rest are posted', async () => {
  const { recovery_officer: officer, recovery_administrator: admin } = f.users;
  // Hughes 2025/26 owes £260.00 (within an officer's £500.00); 2026/27 owes £861.33 (over it); the
  // sundry invoice is recommended by the officer, who may not approve their own.
  const small = await f.services.writeOffs.recommend(admin.actor, f.accounts.hughesCt.id, { financialYear: 2025, reason: 'uneconomic', note: 'Costs only' });
  const big = await f.services.writeOffs.recommend(admin.actor, f.accounts.hughesCt.id, { financialYear: 2026, reason: 'untraceable', note: 'Gone away' });
  const own = await f.services.writeOffs.recommend(officer.actor, f.accounts.sundry.id, { financialYear: 2026, reason: 'other', note: 'Settled' });
  const result = await f.services.workQueues.bulk(officer.actor, 'write_offs', { action: 'approve', ids: [String(small), String(big), String(own), '999999'] });
  assert.deepEqual(result.done, [small]);
  assert.deepEqual(result.refused.map((r) => r.id), [big, own, 999999]);
  assert.match(result.refused[0].reason, /delegated limit of £500\.00/);
  assert.match(result.refused[1].reason, /Someone other than the officer who recommended it/);
  assert.match(result.refused[2].reason, /not found/);
  const posted = await db.query<{ source: string }>(`select source from ledger_entries where kind = 'write_off' order by id`);
  assert.deepEqual(posted.map((p) => p.source), [`write-off:${small}`]);

  // Bulk assign through the same door; an action the queue does not have is refused whole.
  assert.deepEqual((await f.services.workQueues.bulk(officer.actor, 'write_offs', { action: 'assign_me', ids: [big, own] })).done, [big, own]);
  await assert.rejects(f.services.workQueues.bulk(officer.actor, 'tracing', { action: 'approve', ids: [tasks.peter] }), ValidationError);
  await assert.rejects(f.services.workQueues.bulk(officer.actor, 'tracing', { action: 'assign', ids: [tasks.peter] }),
    (e: unknown) => e instanceof ValidationError && e.fields.some((x) => x.field === 'assigneeId'));
  await assert.rejects(f.services.workQueues.bulk(admin.actor, 'write_offs', { action: 'approve', ids: [big] }), ForbiddenError);
});

test('the home page counts each queue’s open work: all, mine, unassigned', async () => {
  const officer = f.users.recovery_officer.actor;
  await f.services.workQueues.assign(officer, 'tracing', [tasks.peter], f.users.senior_recovery_officer.id);
  const counts = Object.fromEntries((await f.services.workQueues.counts(officer)).map((c) => [c.queue, c]));
  assert.deepEqual(Object.keys(counts).sort(), ['arrangements', 'attachments', 'enforcement', 'holds', 'tracing', 'write_offs']);
  // Write-offs awaiting approval: big and own (both mine, from the bulk assign); small was approved.
  assert.deepEqual([counts.write_offs.open, counts.write_offs.mine, counts.write_offs.unassigned], [2, 2, 0]);
  // Tracing in Wigan: margaret (no one's) and peter (the senior's).
  assert.deepEqual([counts.tracing.open, counts.tracing.mine, counts.tracing.unassigned], [2, 0, 1]);
  assert.equal(counts.tracing.mineHref, '/tracing?status=open&assigned=mine');
  const sharedCounts = Object.fromEntries((await f.services.workQueues.counts(shared)).map((c) => [c.queue, c]));
  assert.equal(sharedCounts.tracing.open, 3, 'both councils');
  // A closed task leaves the count even though it is still assigned.
  await f.services.tracing.untraceable(officer, tasks.peter, { note: 'Nothing found' });
  const after = Object.fromEntries((await f.services.workQueues.counts(f.users.senior_recovery_officer.actor)).map((c) => [c.queue, c]));
  assert.deepEqual([after.tracing.open, after.tracing.mine], [1, 0]);
});

test('the attachments queue finds its page on the orders alone, then reads those rows in full', async () => {
  const officer = f.users.recovery_officer.actor;
  // 2025/26 was written off above; 2026/27 (£861.33) goes to a liability order.
  await db.query(`insert into recovery_steps (authority_id, account_id, financial_year, stage, issued_on, reason) values ($1, $2, 2026, 'liability_order', '2026-11-01', 'granted')`, [f.authorities.wigan, f.accounts.hughesCt.id]);
  const employerId = await f.services.attachments.registerEmployer(officer, { name: 'Queue Payroll Ltd', address: '1 Queue Way, Wigan, WN1 1QQ' });
  const orderId = await f.services.attachments.makeOrder(officer, f.accounts.hughesCt.id, { employerId, payPeriod: 'weekly', netEarningsPence: 40000 });
  await f.services.workQueues.assign(officer, 'attachments', [orderId]);
  const mine = await f.services.workQueues.page<{ employer_name: string; shortfall_pence: number; customer_name: string }>(officer, 'attachments', { assigned: 'mine' });
  assert.equal(mine.total, 1);
  assert.deepEqual(mine.items.map((o) => [o.id, o.employer_name, o.customer_name, Number(o.shortfall_pence), o.assigned_to_name]),
    [[orderId, 'Queue Payroll Ltd', 'Margaret Hughes', 0, 'Test recovery_officer']], 'made today: nothing expected yet');
  const behind = await f.services.workQueues.page(officer, 'attachments', { status: 'behind' });
  assert.deepEqual([behind.total, behind.items.length], [0, 0]);
  const counts = Object.fromEntries((await f.services.workQueues.counts(officer)).map((c) => [c.queue, c]));
  assert.deepEqual([counts.attachments.open, counts.attachments.mine], [1, 1]);
});
