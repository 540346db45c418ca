// The magistrates' court: hearing capacity, the complaint list, the updated list on the day, and
// outcomes in bulk by file or on screen.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import type { Db } from '../../db/database.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import { parseCsv } from './court-list.ts';
import { recoveryWorld, type RecoveryWorld, type TestAccount } from '../recovery/scenario-support.ts';

let db: Db;
let f: FixtureCouncil;
let w: RecoveryWorld;
const acc: TestAccount[] = [];
let first: number;
let second: number;

const caseOf = async (a: TestAccount) => (await db.query<{ id: number; case_number: string; hearing_id: number; status: string }>(
  'select id, case_number, hearing_id, status from court_cases where account_id = $1', [a.id]))[0];

before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
  w = recoveryWorld(db, f);
  f.clock.set('2026-04-01');
  first = await f.services.court.addHearing(w.officer, f.authorities.wigan, { courtName: 'Wigan and Leigh Magistrates’ Court', courtAddress: 'Darlington Street, Wigan WN1 1DW', hearingOn: '2026-06-10', hearingTime: '10:00', capacity: 4 });
  second = await f.services.court.addHearing(w.officer, f.authorities.wigan, { courtName: 'Wigan and Leigh Magistrates’ Court', courtAddress: 'Darlington Street, Wigan WN1 1DW', hearingOn: '2026-06-17', capacity: 10 });
  for (let i = 0; i < 5; i++) {
    const a = await w.account({ name: `Cora Court${i}` });
    await w.pay(a, '2026-04-01', 10_000);
    acc.push(a);
  }
  await w.pay(acc[1], '2026-06-09', 98_000); // paid in full with costs the day before the hearing
  for (const day of ['2026-05-08', '2026-05-16', '2026-05-22']) await w.runDay(day);
});
after(() => db.close());

test('hearing dates: validated, no duplicates, none in the past', async () => {
  f.clock.set('2026-05-22');
  await assert.rejects(f.services.court.addHearing(w.officer, f.authorities.wigan, { courtName: '', hearingOn: '2026-13-01', capacity: 0 }),
    (e: unknown) => e instanceof ValidationError && ['courtName', 'hearingOn', 'capacity'].every((k) => e.fields.some((p) => p.field === k)));
  await assert.rejects(f.services.court.addHearing(w.officer, f.authorities.wigan, { courtName: 'Wigan and Leigh Magistrates’ Court', hearingOn: '2026-06-10', hearingTime: '10:00', capacity: 5 }), ConflictError);
  await assert.rejects(f.services.court.addHearing(w.officer, f.authorities.wigan, { courtName: 'X', hearingOn: '2026-05-01', capacity: 5 }), (e: unknown) => e instanceof ValidationError && /past/.test(e.fields[0].message));
  await assert.rejects(f.services.court.addHearing(f.users.auditor.actor, f.authorities.wigan, { courtName: 'X', hearingOn: '2026-07-01', capacity: 5 }), /permission/);
});

test('summonses fill a hearing to its capacity, then the next', async () => {
  const hearings = await f.services.court.listHearings(w.officer);
  assert.deepEqual(hearings.map((h) => [h.hearing_on, h.allocated, h.capacity]), [['2026-06-10', 4, 4], ['2026-06-17', 2, 10]]);
  // The fixture's Hughes account (an old year's final notice) is summonsed in the same run.
  assert.equal((await caseOf(acc[4])).hearing_id, second);
});

test('the complaint list for the court', async () => {
  const { csv, filename } = await f.services.court.complaintList(w.officer, first);
  assert.equal(filename, `complaint-list-2026-06-10-${first}.csv`);
  const rows = parseCsv(csv);
  assert.deepEqual(rows[0].fields, ['case_number', 'hearing_date', 'hearing_time', 'court', 'authority', 'account_reference', 'liability', 'financial_year', 'defendant', 'address', 'summons_issued', 'complaint_amount', 'costs', 'total']);
  assert.equal(rows.length, 5);
  const cora = rows.find((r) => r.fields[8] === 'Cora Court0')!.fields;
  assert.deepEqual(cora.slice(1, 8), ['2026-06-10', '10:00', 'Wigan and Leigh Magistrates’ Court', 'Wigan', acc[0].reference, 'Council Tax', '2026/27']);
  assert.deepEqual(cora.slice(10), ['2026-05-22', '900.00', '80.00', '980.00']);
  assert.match(cora[0], /^CT\/2026\/\d{7}$/);
});

test('outcomes cannot be recorded before the hearing day', async () => {
  f.clock.set('2026-06-09');
  await assert.rejects(f.services.court.recordOutcomes(w.officer, first, [{ caseId: (await caseOf(acc[0])).id, outcome: 'granted' }]), /from that day/);
});

test('on the day: the updated list withdraws cases paid in full with costs', async () => {
  f.clock.set('2026-06-10');
  const { csv, withdrawn } = await f.services.court.updatedList(w.officer, first);
  const c1 = await caseOf(acc[1]);
  assert.deepEqual(withdrawn, [c1.case_number]);
  assert.equal(c1.status, 'withdrawn');
  assert.equal(parseCsv(csv).length, 1 + 3);
  assert.ok(!csv.includes('Cora Court1'));
  const [step] = await db.query<{ outcome: string }>(`select outcome from recovery_steps where account_id = $1 and stage = 'summons'`, [acc[1].id]);
  assert.equal(step.outcome, 'withdrawn');
});

test('an outcomes file with any wrong line records nothing and says which lines', async () => {
  const c0 = await caseOf(acc[0]);
  const file = ['case_number,outcome,adjourned_to,reason', `${c0.case_number},granted,,`, 'CT/2026/9999999,granted,,', `${(await caseOf(acc[2])).case_number},adjourned,,`, `${(await caseOf(acc[3])).case_number},postponed,,`].join('\n');
  await assert.rejects(f.services.court.uploadOutcomes(w.officer, first, { name: 'outcomes.csv', text: file }), (e: unknown) => {
    assert.ok(e instanceof ValidationError);
    assert.deepEqual(e.fields.map((p) => p.field), ['line 3', 'line 4', 'line 5']);
    assert.match(e.fields[1].message, /adjourned_to as a date/);
    return true;
  });
  assert.equal((await caseOf(acc[0])).status, 'listed');
});

test('outcomes from the court’s file: granted (order costs, letter, post-order stage) and adjourned', async () => {
  const c0 = await caseOf(acc[0]);
  const c2 = await caseOf(acc[2]);
  const hughes = (await db.query<{ case_number: string; hearing_id: number }>('select case_number, hearing_id from court_cases where account_id = $1', [f.accounts.hughesCt.id]))[0];
  assert.equal(hughes.hearing_id, first);
  const file = `case_number,outcome,adjourned_to,reason\r\n${c0.case_number},granted,,\r\n${c2.case_number},adjourned,2026-06-17,"Defendant asked for time, ""hardship"""\r\n${hughes.case_number},granted,,\r\n`;
  const result = await f.services.court.uploadOutcomes(w.senior, first, { name: 'outcomes-2026-06-10.csv', text: file });
  assert.deepEqual(result.counts, { granted: 2, withdrawn: 0, adjourned: 1, dismissed: 0 });
  const steps = await w.steps(acc[0]);
  assert.deepEqual(steps.map((s) => [s.stage, s.outcome, s.costs_pence]), [['reminder_1', 'unpaid', 0], ['summons', 'granted', 8_000], ['liability_order', null, 3_000]]);
  assert.equal(steps[2].amount_pence, 90_000 + 8_000 + 3_000);
  const [doc] = await db.query<{ title: string; batch_run_id: number }>('select title, batch_run_id from documents where id = $1', [steps[2].document_id]);
  assert.equal(doc.title, 'Council Tax liability order');
  assert.equal(doc.batch_run_id, result.batchRunId);
  const [kase] = await db.query<{ position: string }>('select position from recovery_cases where account_id = $1', [acc[0].id]);
  assert.equal(kase.position, 'liability_order');
  const moved = await caseOf(acc[2]);
  assert.deepEqual([moved.status, moved.hearing_id], ['listed', second]);
  const [o] = await db.query<{ outcome: string; reason: string; source: string }>('select outcome, reason, source from court_case_outcomes where case_id = $1', [c2.id]);
  assert.deepEqual(o, { outcome: 'adjourned', reason: 'Defendant asked for time, "hardship"', source: 'upload:outcomes-2026-06-10.csv' });
});

test('on screen at the next hearing: a held account cannot get an order; dismissed reverses the summons costs', async () => {
  f.clock.set('2026-06-17');
  const c2 = await caseOf(acc[2]);
  const c4 = await caseOf(acc[4]);
  await f.services.holds.createHold(w.officer, { accountId: acc[4].id }, { type: 'breathing_space_standard', reason: 'Notified today', reference: 'BS-9' });
  await assert.rejects(f.services.court.recordOutcomes(w.officer, second, [{ caseId: c4.id, outcome: 'granted' }]), (e: unknown) => e instanceof ValidationError && /recovery is held \(Breathing Space \(standard\)\)/.test(e.fields[0].message));
  await f.services.court.recordOutcomes(w.officer, second, [{ caseId: c2.id, outcome: 'dismissed', reason: 'Liability not proved' }]);
  const costs = await db.query<{ amount_pence: number; reverses_entry_id: number | null }>(`select amount_pence, reverses_entry_id from ledger_entries where account_id = $1 and kind = 'cost' order by id`, [acc[2].id]);
  assert.deepEqual(costs.map((c) => c.amount_pence), [8_000, -8_000]);
  assert.ok(costs[1].reverses_entry_id);
  assert.equal((await caseOf(acc[2])).status, 'dismissed');
  const [kase] = await db.query<{ position: string; exception: boolean }>('select position, exception from recovery_cases where account_id = $1', [acc[2].id]);
  assert.deepEqual(kase, { position: 'dismissed', exception: true });
  await assert.rejects(f.services.court.recordOutcomes(w.officer, second, [{ caseId: c2.id, outcome: 'granted' }]), (e: unknown) => e instanceof ValidationError && /already has an outcome/.test(e.fields[0].message));
});
