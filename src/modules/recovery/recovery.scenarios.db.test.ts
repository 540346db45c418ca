// A council's recovery year, day by day with the fixed clock: every account below is billed ten
// monthly instalments of £100.00 from 1 April 2026 (business rates: £500.00), pays as its scenario
// says (payments are written up front with their dates; each run only sees what had happened by its
// as-of date), and the real daily run previews and a senior officer approves, from 2 April to
// 31 October 2026. Holds start and end, and the court sits, on the days they would.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import type { Db } from '../../db/database.ts';
import { addDays, addMonths, diffDays } from '../../domain/calendar.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../../errors.ts';
import { recoveryWorld, type RecoveryWorld, type TestAccount } from './scenario-support.ts';

let db: Db;
let f: FixtureCouncil;
let w: RecoveryWorld;
const a: Record<string, TestAccount> = {};
const DUE = Array.from({ length: 10 }, (_, i) => addMonths('2026-04-01', i));
const rerun: { before: Record<string, number>; after: Record<string, number>; status: string } = { before: {}, after: {}, status: '' };
const heldSeen = new Map<string, string[]>();

const counts = async () => {
  const tables = ['recovery_steps', 'documents', 'ledger_entries', 'outbox_messages', 'events', 'court_cases'];
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = (await db.query<{ n: number }>(`select count(*)::int as n from ${t}`))[0].n;
  return out;
};

/** Pays every instalment on its due date except those listed (by 1-based number). */
async function payOnDue(acc: TestAccount, except: number[] = [], amount = 10_000) {
  for (const [i, due] of DUE.entries()) if (!except.includes(i + 1)) await w.pay(acc, due, amount);
}

before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
  w = recoveryWorld(db, f);
  f.clock.set('2026-04-01');
  // The court sits every Wednesday from 27 May, 20 cases a time.
  for (let d = '2026-05-27'; d <= '2027-03-31'; d = addDays(d, 7)) {
    await f.services.court.addHearing(w.officer, f.authorities.wigan, { courtName: 'Wigan and Leigh Magistrates’ Court', courtAddress: 'Darlington Street, Wigan WN1 1DW', hearingOn: d, hearingTime: '10:00', capacity: 20 });
  }

  a.onTime = await w.account({ name: 'Olive Ontime' });
  await payOnDue(a.onTime);

  a.oneMiss = await w.account({ name: 'Oscar Onemiss', email: 'oscar@example.org' });
  await payOnDue(a.oneMiss, [2]);
  await w.pay(a.oneMiss, '2026-05-12', 10_000);

  a.secondFailure = await w.account({ name: 'Sally Second' });
  await payOnDue(a.secondFailure, [2, 4]);
  await w.pay(a.secondFailure, '2026-05-12', 10_000);
  await w.pay(a.secondFailure, '2026-07-10', 10_000);

  a.thirdFailure = await w.account({ name: 'Terry Third' });
  await payOnDue(a.thirdFailure, [2, 4, 6, 7, 8, 9, 10]);
  await w.pay(a.thirdFailure, '2026-05-12', 10_000);
  await w.pay(a.thirdFailure, '2026-07-10', 10_000);
  await w.pay(a.thirdFailure, '2026-09-07', 50_000); // the whole balance, after the final notice

  a.toLiabilityOrder = await w.account({ name: 'Larry Liability' });
  await w.pay(a.toLiabilityOrder, '2026-04-01', 10_000);

  a.paidBeforeHearing = await w.account({ name: 'Penny Paidup' });
  await w.pay(a.paidBeforeHearing, '2026-04-01', 10_000);
  await w.pay(a.paidBeforeHearing, '2026-06-05', 98_000); // £900 balance + £80 summons costs

  a.ddReturn = await w.account({ name: 'Dennis Debit', paymentMethod: 'direct_debit' });
  await payOnDue(a.ddReturn);
  await w.returnDirectDebit(a.ddReturn, '2026-08-01', '2026-08-05');
  await w.pay(a.ddReturn, '2026-08-12', 10_000);

  for (const type of ['arrangement', 'direct_debit', 'dispute', 'vulnerability', 'insolvency', 'deceased', 'benefit_claim_pending']) {
    const acc = await w.account({ name: `Holly ${type}` });
    await payOnDue(acc, [3, 4, 5]);
    await w.pay(acc, '2026-08-20', 30_000);
    a[`hold_${type}`] = acc;
  }

  a.breathingSpace = await w.account({ name: 'Brenda Breathing' });
  await w.pay(a.breathingSpace, '2026-04-01', 10_000);
  a.mentalHealth = await w.account({ name: 'Martin Crisis' });
  await w.pay(a.mentalHealth, '2026-04-01', 10_000);

  // Breathing Space scope: last year all due and unpaid (in scope), this year not yet reminded (not in scope).
  a.scope = await w.account({ name: 'Steph Scope', year: 2025 });
  for (let i = 0; i < 4; i++) await w.pay(a.scope, addMonths('2025-04-01', i), 10_000, 2025);
  await w.bill(a.scope, { year: 2026, instalments: 10, amountPence: 10_000 });
  await payOnDue(a.scope, [2]);
  await w.pay(a.scope, '2026-05-13', 10_000);
  await f.services.holds.createHold(w.officer, { accountId: a.scope.id }, { type: 'breathing_space_standard', reason: 'Insolvency Service notice', reference: 'BS-000123', startsOn: '2026-04-01' });

  a.nndr = await w.account({ name: 'Corner Shop Ltd', stream: 'business_rates', amountPence: 50_000 });
  await payOnDue(a.nndr, [2, 4, 5, 6, 7, 8, 9, 10], 50_000);
  await w.pay(a.nndr, '2026-05-12', 50_000);
  await w.pay(a.nndr, '2026-07-05', 350_000);
});
after(() => db.close());

const courtCase = async (acc: TestAccount) =>
  (await db.query<{ id: number; hearing_id: number; status: string; hearing_on: string; case_number: string }>(
    `select c.id, c.hearing_id, c.status, h.hearing_on, c.case_number from court_cases c join court_hearings h on h.id = c.hearing_id where c.account_id = $1`, [acc.id]))[0];

test('the year runs day by day: previews, approvals, holds and the court', { timeout: 600_000 }, async () => {
  for (let day = '2026-04-02'; day <= '2026-10-31'; day = addDays(day, 1)) {
    f.clock.set(day);
    if (day === '2026-05-20') {
      await f.services.holds.createHold(w.officer, { accountId: a.breathingSpace.id }, { type: 'breathing_space_standard', reason: 'Debt advice: StepChange', reference: 'BS-000124' });
      await f.services.holds.createHold(w.officer, { accountId: a.mentalHealth.id }, { type: 'breathing_space_mental_health', reason: 'AMHP certificate', reference: 'BS-000125' });
    }
    if (day === '2026-05-25') {
      for (const type of ['arrangement', 'direct_debit', 'dispute', 'vulnerability', 'insolvency', 'deceased', 'benefit_claim_pending']) {
        const target = type === 'deceased' ? { customerId: a[`hold_${type}`].customerId } : { accountId: a[`hold_${type}`].id };
        await f.services.holds.createHold(w.officer, target, { type, reason: `Scenario: ${type}`, reviewOn: type === 'vulnerability' ? '2026-07-25' : '' });
      }
    }
    if (day === '2026-08-01') {
      const [hold] = await db.query<{ id: number }>('select id from holds where account_id = $1', [a.mentalHealth.id]);
      await f.services.holds.endHold(w.officer, hold.id, { reason: 'Crisis treatment ended', treatmentEndedOn: '2026-08-01' });
    }
    if (day === '2026-08-14') {
      for (const [k, acc] of Object.entries(a).filter(([k]) => k.startsWith('hold_'))) {
        const holds = await f.services.holds.holdsForAccount(w.officer, acc.id);
        await f.services.holds.endHold(w.officer, holds[0].id, { reason: `Scenario: ${k} over` });
      }
    }
    const c = await courtCase(a.toLiabilityOrder);
    if (c && c.hearing_on === day && c.status === 'listed') {
      await f.services.court.recordOutcomes(w.officer, c.hearing_id, [{ caseId: c.id, outcome: 'granted' }]);
    }

    const preview = await w.runDay(day);
    if (preview.runId) {
      const held = await db.query<{ account_id: number; reason: string }>(`select account_id, reason from recovery_run_items where run_id = $1 and kind = 'held'`, [preview.runId]);
      for (const h of held) heldSeen.set(`${h.account_id}:${day}`, [h.reason]);
    }
    if (day === '2026-05-08') {
      rerun.before = await counts();
      const again = await w.runDay(day);
      rerun.status = again.status;
      rerun.after = await counts();
    }
  }
  const runs = await db.query<{ status: string; n: number }>(`select status, count(*)::int as n from recovery_runs group by status`);
  assert.deepEqual(runs, [{ status: 'completed', n: 214 }]);
});

test('on time: no action all year', async () => {
  assert.deepEqual(await w.steps(a.onTime), []);
  const [c] = await db.query(`select 1 from recovery_cases where account_id = $1`, [a.onTime.id]);
  assert.equal(c, undefined);
});

test('one missed instalment then paid: a first reminder, then back on instalments', async () => {
  const steps = await w.steps(a.oneMiss);
  assert.deepEqual(steps.map((s) => [s.stage, s.issued_on, s.pay_by, s.amount_pence, s.outcome, s.outcome_on]), [
    ['reminder_1', '2026-05-08', '2026-05-15', 10_000, 'paid', '2026-05-15'],
  ]);
  const [doc] = await db.query<{ title: string; batch_run_id: number }>(`select title, batch_run_id from documents where id = $1`, [steps[0].document_id]);
  assert.equal(doc.title, 'Council Tax reminder notice');
  // Opted in to email: the reminder went by email too (held locally: no Notify key in tests).
  const channels = await db.query<{ channel: string }>(`select channel from outbox_messages where document_id = $1 order by channel`, [steps[0].document_id]);
  assert.deepEqual(channels.map((c) => c.channel), ['email', 'letter']);
  const [kase] = await db.query<{ position: string }>(`select position from recovery_cases where account_id = $1`, [a.oneMiss.id]);
  assert.equal(kase.position, 'on_instalments');
  const events = await db.query<{ summary: string }>(`select summary from events where account_id = $1 and type = 'recovery' order by id`, [a.oneMiss.id]);
  assert.deepEqual(events.map((e) => e.summary), [
    'First reminder (2026/27): Failure 1 in the year: £100.00 of instalment 2 due 1 May 2026 unpaid (£100.00 in all). First reminder: pay £100.00 by 15 May 2026 or the balance of £900.00 falls due on 22 May 2026',
    'First reminder paid by 15 May 2026: back on instalments',
  ]);
});

test('a second failure: the second reminder', async () => {
  assert.deepEqual((await w.steps(a.secondFailure)).map((s) => [s.stage, s.issued_on, s.outcome]), [
    ['reminder_1', '2026-05-08', 'paid'],
    ['reminder_2', '2026-07-08', 'paid'],
  ]);
  const [doc] = await db.query<{ title: string }>(`select d.title from documents d join recovery_steps s on s.document_id = d.id where s.account_id = $1 and s.stage = 'reminder_2'`, [a.secondFailure.id]);
  assert.equal(doc.title, 'Council Tax second reminder notice');
});

test('a third failure: the balance falls due the day after, with no reminder; a final notice follows', async () => {
  assert.deepEqual((await w.steps(a.thirdFailure)).map((s) => [s.stage, s.issued_on, s.balance_due_on, s.document_id !== null]), [
    ['reminder_1', '2026-05-08', '2026-05-22', true],
    ['reminder_2', '2026-07-08', '2026-07-22', true],
    ['balance_due', '2026-09-02', '2026-09-02', false],
    ['final_notice', '2026-09-02', '2026-09-02', true],
  ]);
  const [kase] = await db.query<{ position: string }>(`select position from recovery_cases where account_id = $1`, [a.thirdFailure.id]);
  assert.equal(kase.position, 'paid', 'paid in full after the final notice: no summons');
});

test('unpaid through summons (costs, 14 days after service) to a liability order (costs)', async () => {
  const steps = await w.steps(a.toLiabilityOrder);
  assert.deepEqual(steps.map((s) => [s.stage, s.issued_on, s.outcome, s.costs_pence]), [
    ['reminder_1', '2026-05-08', 'unpaid', 0],
    ['summons', '2026-05-22', 'granted', 8_000],
    ['liability_order', '2026-06-10', null, 3_000],
  ]);
  assert.equal(steps[1].amount_pence, 90_000 + 8_000);
  const c = await courtCase(a.toLiabilityOrder);
  assert.equal(c.status, 'granted');
  assert.ok(diffDays(addDays('2026-05-22', 2), c.hearing_on) >= 14, 'hearing at least 14 days after deemed service');
  assert.equal(c.hearing_on, '2026-06-10');
  const costs = await db.query<{ amount_pence: number; reason: string; financial_year: number }>(`select amount_pence, reason, financial_year from ledger_entries where account_id = $1 and kind = 'cost' order by id`, [a.toLiabilityOrder.id]);
  assert.deepEqual(costs, [{ amount_pence: 8_000, reason: 'Summons costs', financial_year: 2026 }, { amount_pence: 3_000, reason: 'Liability order costs', financial_year: 2026 }]);
  const [kase] = await db.query<{ position: string; next_action: string }>(`select position, next_action from recovery_cases where account_id = $1`, [a.toLiabilityOrder.id]);
  assert.equal(kase.position, 'liability_order');
  assert.match(kase.next_action, /Choose enforcement/);
  const titles = await db.query<{ title: string }>(`select title from documents where account_id = $1 order by id`, [a.toLiabilityOrder.id]);
  assert.deepEqual(titles.map((t) => t.title), ['Council Tax reminder notice', 'Council Tax summons to the magistrates’ court', 'Council Tax liability order']);
});

test('paid in full with costs before the hearing: the application is withdrawn', async () => {
  const steps = await w.steps(a.paidBeforeHearing);
  assert.deepEqual(steps.map((s) => [s.stage, s.outcome, s.outcome_on]), [['reminder_1', 'unpaid', '2026-05-15'], ['summons', 'withdrawn', '2026-06-05']]);
  const c = await courtCase(a.paidBeforeHearing);
  assert.equal(c.status, 'withdrawn');
  const [o] = await db.query<{ outcome: string; source: string }>(`select outcome, source from court_case_outcomes where case_id = $1`, [c.id]);
  assert.deepEqual(o, { outcome: 'withdrawn', source: `recovery-run:${(await db.query<{ id: number }>(`select batch_run_id as id from recovery_runs where as_of = '2026-06-05'`))[0].id}` });
});

test('a Direct Debit returned unpaid puts the account behind: a reminder', async () => {
  assert.deepEqual((await w.steps(a.ddReturn)).map((s) => [s.stage, s.issued_on, s.amount_pence, s.outcome]), [['reminder_1', '2026-08-08', 10_000, 'paid']]);
});

test('each hold type stops escalation while it lasts; recovery resumes with fresh dates when it ends', async () => {
  for (const type of ['arrangement', 'direct_debit', 'dispute', 'vulnerability', 'insolvency', 'deceased', 'benefit_claim_pending']) {
    const acc = a[`hold_${type}`];
    assert.deepEqual((await w.steps(acc)).map((s) => [s.stage, s.issued_on, s.pay_by, s.amount_pence, s.outcome]), [['reminder_1', '2026-08-14', '2026-08-21', 30_000, 'paid']], type);
    // Held (and said why) on every run from the day the reminder would have gone (8 June) until the hold ended.
    assert.ok(heldSeen.has(`${acc.id}:2026-06-08`), `${type} held on 8 June`);
    assert.ok(heldSeen.has(`${acc.id}:2026-08-13`), `${type} held on 13 August`);
    assert.match(heldSeen.get(`${acc.id}:2026-06-08`)![0], new RegExp(`Scenario: ${type}`));
  }
});

test('Breathing Space: standard 60 days, then the balance-due week runs again before a summons', async () => {
  assert.deepEqual((await w.steps(a.breathingSpace)).map((s) => [s.stage, s.issued_on, s.outcome]), [
    ['reminder_1', '2026-05-08', 'unpaid'],
    ['summons', '2026-07-26', null],
  ]);
  assert.ok(heldSeen.has(`${a.breathingSpace.id}:2026-05-22`), 'the summons would have gone on 22 May');
  assert.match(heldSeen.get(`${a.breathingSpace.id}:2026-05-22`)![0], /Breathing Space \(standard\)/);
});

test('Breathing Space for a mental health crisis: open until the treatment ends, then 30 days', async () => {
  assert.deepEqual((await w.steps(a.mentalHealth)).map((s) => [s.stage, s.issued_on]), [['reminder_1', '2026-05-08'], ['summons', '2026-09-08']]);
  const [hold] = await db.query<{ expires_on: string; ended_on: string | null }>('select expires_on, ended_on from holds where account_id = $1', [a.mentalHealth.id]);
  assert.deepEqual(hold, { expires_on: '2026-08-31', ended_on: null });
});

test('Breathing Space scope for council tax: last year covered, this year’s reminder still goes', async () => {
  const steps = await w.steps(a.scope);
  assert.deepEqual(steps.map((s) => [s.financial_year, s.stage, s.issued_on]), [
    [2026, 'reminder_1', '2026-05-08'],
    [2025, 'balance_due', '2026-05-31'],
    [2025, 'final_notice', '2026-05-31'],
    [2025, 'summons', '2026-06-08'], // the final notice expired on 7 June
  ]);
  assert.ok(heldSeen.has(`${a.scope.id}:2026-05-08`), 'last year held while this year’s reminder went');
});

test('business rates: one reminder; the second failure makes the balance due, then a final notice', async () => {
  const steps = await w.steps(a.nndr);
  assert.deepEqual(steps.map((s) => [s.stage, s.issued_on, s.outcome]), [
    ['reminder_1', '2026-05-08', 'paid'],
    ['balance_due', '2026-07-02', null],
    ['final_notice', '2026-07-02', null],
  ]);
  const titles = await db.query<{ title: string }>(`select title from documents where account_id = $1 order by id`, [a.nndr.id]);
  assert.deepEqual(titles.map((t) => t.title), ['Business Rates reminder notice', 'Business Rates final notice']);
});

test('re-running the same as-of date changes nothing', () => {
  assert.equal(rerun.status, 'completed');
  assert.deepEqual(rerun.after, rerun.before);
  assert.ok(rerun.before.recovery_steps > 0);
});

test('a run cannot go back before the last as-of date, nor start while one awaits approval', async () => {
  f.clock.set('2026-11-01');
  const field = (pattern: RegExp) => (e: unknown) => e instanceof ValidationError && pattern.test(e.fields[0].message);
  await assert.rejects(f.services.recovery.preview(w.officer, { asOf: '2026-10-30', authorityId: f.authorities.wigan }), field(/cannot go back/));
  await assert.rejects(f.services.recovery.preview(w.officer, { asOf: '2026-11-02', authorityId: f.authorities.wigan }), field(/cannot be after today/));
  const late = await w.account({ name: 'Lena Late' });
  for (const due of DUE.slice(0, 6)) await w.pay(late, due, 10_000);
  const waiting = await w.runDay('2026-11-01', { approve: false });
  assert.equal(waiting.status, 'awaiting_approval');
  await assert.rejects(f.services.recovery.preview(w.officer, { asOf: '2026-11-01', authorityId: f.authorities.wigan }), ConflictError);
  await assert.rejects(f.services.recovery.approve(w.officer, waiting.runId!), ForbiddenError, 'an officer cannot approve');
  await f.services.recovery.cancel(w.officer, waiting.runId!);
  assert.equal((await f.services.recovery.getRun(w.officer, waiting.runId!)).status, 'cancelled');
});
