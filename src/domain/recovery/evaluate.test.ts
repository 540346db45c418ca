// The recovery policy from data: each rule of SI 1992/613 regs 23, 33–35 (and the NNDR equivalents)
// as a snapshot and an as-of date, with the decision worked out by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addMonths } from '../calendar.ts';
import { evaluate, liabilityOrderAction, YearPosition, type Movement, type RecoverySnapshot, type StepRecord } from './evaluate.ts';
import { defaultTimetables } from './default-timetables.ts';
import type { HoldRecord, HoldType } from './holds.ts';
import type { StageCode, Timetable } from './timetable.ts';

const CT = defaultTimetables('england')[0];
const NNDR = defaultTimetables('england')[1];

/** Ten monthly instalments of £100.00 from 1 April 2026; charge £1,000.00. */
const plan = (first = '2026-04-01', n = 10, amount = 10_000) =>
  Array.from({ length: n }, (_, i) => ({ seq: i + 1, dueOn: addMonths(first, i), amountPence: amount }));

const charge = (amount = 100_000, on = '2026-04-01'): Movement => ({ on, amountPence: amount, isCost: false });
const pay = (on: string, amount = 10_000): Movement => ({ on, amountPence: -amount, isCost: false });
/** Paid each of the first k instalments on its due date. */
const paidOnTime = (k: number, first = '2026-04-01') => Array.from({ length: k }, (_, i) => pay(addMonths(first, i)));

function snap(over: Partial<RecoverySnapshot> = {}): RecoverySnapshot {
  return { accountId: 1, financialYear: 2026, stream: 'council_tax', timetable: CT, instalments: plan(), movements: [charge(), ...paidOnTime(1)], steps: [], holds: [], ...over };
}

function step(stage: StageCode, issuedOn: string, over: Partial<StepRecord> = {}): StepRecord {
  const payBy = stage.startsWith('reminder') || stage === 'final_notice' ? addDays(issuedOn, 7) : null;
  return { stage, issuedOn, payBy, escalatesOn: payBy ? addDays(payBy, stage === 'final_notice' ? 1 : 7) : null, balanceDueOn: null, amountPence: 10_000, costsPence: 0, outcome: null, outcomeOn: null, ...over };
}

function hold(type: HoldType, startsOn: string, over: Partial<HoldRecord> = {}): HoldRecord {
  return { id: 1, type, reason: 'test', startsOn, expiresOn: null, endedOn: null, reviewOn: null, on: 'account', ...over };
}

function addDays(d: string, n: number) {
  const t = Date.UTC(+d.slice(0, 4), +d.slice(5, 7) - 1, +d.slice(8, 10)) + n * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

test('arrears count only instalments due by a date and money received by another', () => {
  const y = new YearPosition([charge(), pay('2026-04-01'), pay('2026-05-20')], plan());
  assert.equal(y.arrears('2026-05-01', '2026-05-10'), 10_000); // May unpaid on 10 May
  assert.equal(y.arrears('2026-05-01', '2026-05-20'), 0);
  assert.equal(y.arrears('2026-06-01', '2026-05-20'), 10_000);
  assert.deepEqual(y.unpaidInstalments('2026-06-01', '2026-05-10'), [
    { seq: 2, dueOn: '2026-05-01', unpaidPence: 10_000 }, { seq: 3, dueOn: '2026-06-01', unpaidPence: 10_000 }]);
});

test('on time: nothing to do, and the next instalment is shown', () => {
  const d = evaluate(snap({ movements: [charge(), ...paidOnTime(8)] }), '2026-11-20');
  assert.deepEqual(d.actions, []);
  assert.equal(d.position, 'on_instalments');
  assert.deepEqual(d.nextAction, { description: 'Instalment 9 of £100.00 due', on: '2026-12-01' });
  assert.equal(d.reviewOn, null);
});

test('a missed instalment: reminder 7 days later, pay-by +7, balance due +7 more', () => {
  const s = snap();
  assert.deepEqual(evaluate(s, '2026-05-07').actions, [], 'not until 7 days after the due date');
  assert.equal(evaluate(s, '2026-05-07').nextAction?.on, '2026-05-08');
  const d = evaluate(s, '2026-05-08');
  assert.equal(d.actions.length, 1);
  const [a] = d.actions;
  assert.deepEqual([a.stage, a.issueOn, a.payBy, a.escalatesOn, a.demandPence], ['reminder_1', '2026-05-08', '2026-05-15', '2026-05-22', 10_000]);
  assert.equal(a.letterTemplate, 'ct_reminder_1');
  assert.deepEqual(a.instalmentsDemanded, [{ seq: 2, dueOn: '2026-05-01', unpaidPence: 10_000 }]);
  assert.match(a.reason, /Failure 1 in the year: £100.00 of instalment 2 due 1 May 2026 unpaid/);
  assert.equal(d.reviewOn, '2026-05-16');
});

test('a reminder demands the instalments due plus any falling due within its 7 days', () => {
  // The run did not go until 28 May: the June instalment falls due before the pay-by date.
  const [a] = evaluate(snap(), '2026-05-28').actions;
  assert.equal(a.payBy, '2026-06-04');
  assert.equal(a.demandPence, 20_000);
  assert.deepEqual(a.instalmentsDemanded.map((i) => i.seq), [2, 3]);
});

test('paid late but before the reminder would go: no reminder', () => {
  assert.deepEqual(evaluate(snap({ movements: [charge(), ...paidOnTime(1), pay('2026-05-05')] }), '2026-05-08').actions, []);
});

test('less than the minimum overdue: no reminder', () => {
  const d = evaluate(snap({ movements: [charge(), ...paidOnTime(1), pay('2026-05-01', 9_600)] }), '2026-05-08');
  assert.deepEqual(d.actions, []);
  const d2 = evaluate(snap({ movements: [charge(), ...paidOnTime(1), pay('2026-05-01', 9_500)] }), '2026-05-08');
  assert.equal(d2.actions[0].stage, 'reminder_1', 'exactly the £5.00 minimum is chased');
});

test('reminder paid within 7 days: outcome paid, back on instalments', () => {
  const d = evaluate(snap({ movements: [charge(), ...paidOnTime(1), pay('2026-05-14')], steps: [step('reminder_1', '2026-05-08')] }), '2026-05-16');
  assert.deepEqual(d.outcomes.map((o) => [o.stage, o.outcome, o.on]), [['reminder_1', 'paid', '2026-05-15']]);
  assert.equal(d.position, 'on_instalments');
  assert.deepEqual(d.actions, []);
});

test('while the reminder runs nothing happens; the run looks again the day after the pay-by date', () => {
  const d = evaluate(snap({ steps: [step('reminder_1', '2026-05-08')] }), '2026-05-15');
  assert.deepEqual([d.position, d.actions.length, d.outcomes.length, d.reviewOn], ['reminder_1', 0, 0, '2026-05-16']);
});

test('reminder not paid: instalments lost, balance due pay-by + 7, then a summons with costs and the 14-day rule', () => {
  const s = snap({ steps: [step('reminder_1', '2026-05-08')] });
  const lost = evaluate(s, '2026-05-16');
  assert.deepEqual(lost.outcomes.map((o) => [o.outcome, o.on]), [['unpaid', '2026-05-15']]);
  assert.equal(lost.position, 'balance_due');
  assert.deepEqual(lost.actions, []);
  assert.equal(lost.reviewOn, '2026-05-22');
  // Recorded outcome, a week later.
  const recorded = { ...s, steps: [step('reminder_1', '2026-05-08', { outcome: 'unpaid', outcomeOn: '2026-05-15' })] };
  assert.deepEqual(evaluate(recorded, '2026-05-21').actions, []);
  const d = evaluate(recorded, '2026-05-22');
  const [a] = d.actions;
  assert.deepEqual([a.stage, a.costsPence, a.demandPence], ['summons', 8_000, 90_000 + 8_000]);
  assert.equal(a.earliestHearingOn, '2026-06-07', 'issued 22 May, served 24 May, hearing 14 days after service');
  assert.equal(a.balanceDueOn, '2026-05-22');
});

test('second failure: reminder 2; third failure: balance due the day after, no reminder, then final notice', () => {
  const steps = [step('reminder_1', '2026-05-08', { outcome: 'paid', outcomeOn: '2026-05-15' })];
  const movements = [charge(), ...paidOnTime(1), pay('2026-05-14')];
  const second = evaluate(snap({ movements, steps }), '2026-06-08');
  assert.deepEqual(second.actions.map((a) => [a.stage, a.letterTemplate, a.payBy]), [['reminder_2', 'ct_reminder_2', '2026-06-15']]);
  assert.match(second.actions[0].reason, /Failure 2/);

  const steps3 = [...steps, step('reminder_2', '2026-06-08', { outcome: 'paid', outcomeOn: '2026-06-15' })];
  const movements3 = [...movements, pay('2026-06-12')];
  assert.deepEqual(evaluate(snap({ movements: movements3, steps: steps3 }), '2026-07-01').actions, [], 'not on the due date itself');
  const third = evaluate(snap({ movements: movements3, steps: steps3 }), '2026-07-02');
  assert.deepEqual(third.actions.map((a) => [a.stage, a.balanceDueOn, a.letterTemplate]), [
    ['balance_due', '2026-07-02', null],
    ['final_notice', '2026-07-02', 'ct_final_notice'],
  ]);
  assert.equal(third.actions[1].payBy, '2026-07-09');
  assert.equal(third.actions[1].demandPence, 70_000);
  assert.match(third.actions[0].reason, /Failure 3 in the year after 2 reminders/);
  // After the final notice expires: summons.
  const fnSteps = [...steps3, step('balance_due', '2026-07-02', { balanceDueOn: '2026-07-02', payBy: null, escalatesOn: null }), step('final_notice', '2026-07-02', { balanceDueOn: '2026-07-02' })];
  assert.deepEqual(evaluate(snap({ movements: movements3, steps: fnSteps }), '2026-07-09').actions, []);
  assert.deepEqual(evaluate(snap({ movements: movements3, steps: fnSteps }), '2026-07-10').actions.map((a) => a.stage), ['summons']);
});

test('a run that missed days uses the legal date for the balance but issues with today’s dates', () => {
  const steps = [
    step('reminder_1', '2026-05-08', { outcome: 'paid', outcomeOn: '2026-05-15' }),
    step('reminder_2', '2026-06-08', { outcome: 'paid', outcomeOn: '2026-06-15' }),
  ];
  const movements = [charge(), ...paidOnTime(1), pay('2026-05-14'), pay('2026-06-12')];
  const d = evaluate(snap({ movements, steps }), '2026-07-20');
  assert.equal(d.actions[0].balanceDueOn, '2026-07-02');
  assert.equal(d.actions[1].issueOn, '2026-07-20');
  assert.equal(d.actions[1].payBy, '2026-07-27');
});

test('business rates: one reminder only; the second failure makes the balance due', () => {
  const s = snap({ stream: 'business_rates', timetable: NNDR });
  assert.deepEqual(evaluate(s, '2026-05-08').actions.map((a) => [a.stage, a.letterTemplate]), [['reminder_1', 'nndr_reminder']]);
  const after = evaluate({ ...s, movements: [charge(), ...paidOnTime(1), pay('2026-05-10')], steps: [step('reminder_1', '2026-05-08', { outcome: 'paid', outcomeOn: '2026-05-15' })] }, '2026-06-02');
  assert.deepEqual(after.actions.map((a) => a.stage), ['balance_due', 'final_notice']);
  assert.equal(after.actions[1].letterTemplate, 'nndr_final_notice');
});

test('a Direct Debit returned unpaid puts the account behind: reminder', () => {
  const returned: Movement = { on: '2026-05-06', amountPence: 10_000, isCost: false }; // ARUDD reversal
  const d = evaluate(snap({ movements: [charge(), ...paidOnTime(2), returned] }), '2026-05-08');
  assert.equal(d.actions[0]?.stage, 'reminder_1');
});

test('summons: paid in full with costs before the hearing → withdrawn; part paid → waits for the hearing', () => {
  const steps = [step('reminder_1', '2026-05-08', { outcome: 'unpaid', outcomeOn: '2026-05-15' }), step('summons', '2026-05-22', { costsPence: 8_000, hearingOn: '2026-06-10' })];
  const cost: Movement = { on: '2026-05-22', amountPence: 8_000, isCost: true };
  const part = evaluate(snap({ steps, movements: [charge(), ...paidOnTime(1), cost, pay('2026-06-01', 90_000)] }), '2026-06-05');
  assert.deepEqual([part.position, part.outcomes.length, part.balancePence, part.nextAction?.on], ['summons', 0, 8_000, '2026-06-10']);
  const full = evaluate(snap({ steps, movements: [charge(), ...paidOnTime(1), cost, pay('2026-06-01', 98_000)] }), '2026-06-05');
  assert.deepEqual(full.outcomes.map((o) => [o.stage, o.outcome]), [['summons', 'withdrawn']]);
  assert.equal(full.position, 'withdrawn');
});

test('liability order: the court grants it, costs are added', () => {
  const a = liabilityOrderAction(snap({ movements: [charge(), ...paidOnTime(1), { on: '2026-05-22', amountPence: 8_000, isCost: true }] }), '2026-06-10');
  assert.deepEqual([a.stage, a.costsPence, a.demandPence, a.letterTemplate], ['liability_order', 3_000, 90_000 + 8_000 + 3_000, 'ct_liability_order']);
  const d = evaluate(snap({ steps: [step('summons', '2026-05-22', { outcome: 'granted' }), step('liability_order', '2026-06-10')] }), '2026-06-11');
  assert.equal(d.position, 'liability_order');
  assert.match(d.nextAction!.description, /enforcement/);
});

test('every hold type stops a due stage; the reason names the hold', () => {
  for (const type of ['arrangement', 'direct_debit', 'dispute', 'vulnerability', 'insolvency', 'deceased', 'benefit_claim_pending', 'breathing_space_mental_health'] as HoldType[]) {
    // A reminder served first, so Breathing Space covers the year too.
    const steps = [step('reminder_1', '2026-05-08', { outcome: 'unpaid', outcomeOn: '2026-05-15' })];
    const d = evaluate(snap({ steps, holds: [hold(type, '2026-05-20', { reason: 'why' })] }), '2026-05-22');
    assert.deepEqual(d.actions, [], type);
    assert.deepEqual(d.held?.wouldTake, ['summons'], type);
    assert.match(d.reason, /^Held: /, type);
  }
});

test('a hold that ended: recovery resumes with fresh dates', () => {
  const held = hold('arrangement', '2026-05-03', { endedOn: '2026-08-01' });
  assert.equal(evaluate(snap({ holds: [held] }), '2026-07-31').held?.wouldTake[0], 'reminder_1');
  const d = evaluate(snap({ holds: [held] }), '2026-08-01');
  assert.deepEqual([d.actions[0].stage, d.actions[0].issueOn, d.actions[0].payBy], ['reminder_1', '2026-08-01', '2026-08-08']);
});

test('a hold inside a reminder’s 7 days restarts them in full when it ends', () => {
  const s = snap({ steps: [step('reminder_1', '2026-05-08')], holds: [hold('dispute', '2026-05-10', { endedOn: '2026-05-21' })] });
  const during = evaluate(s, '2026-05-16');
  assert.deepEqual([during.outcomes.length, during.actions.length, during.reviewOn], [0, 0, '2026-05-21'], 'held: looked at again when the hold ends');
  assert.match(during.reason, /pay-by date of 15 May 2026 passed during the hold/);
  const resumed = evaluate(s, '2026-05-21');
  assert.deepEqual([resumed.held, resumed.outcomes.length, resumed.reviewOn], [null, 0, '2026-05-29'], 'a fresh 7 days from 21 May');
  const after = evaluate(s, '2026-05-29');
  assert.deepEqual(after.outcomes.map((o) => [o.outcome, o.on]), [['unpaid', '2026-05-28']]);
  assert.equal(after.reviewOn, '2026-06-04');
});

test('an open-ended hold keeps a year paused with no review date', () => {
  const d = evaluate(snap({ steps: [step('reminder_1', '2026-05-08')], holds: [hold('deceased', '2026-05-09')] }), '2026-06-30');
  assert.deepEqual([d.actions.length, d.outcomes.length, d.reviewOn], [0, 0, null]);
});

test('Breathing Space (standard) runs 60 days; the interrupted 7 days before the balance falls due restart after it', () => {
  const steps = [step('reminder_1', '2026-05-08', { outcome: 'unpaid', outcomeOn: '2026-05-15' })];
  const bs = hold('breathing_space_standard', '2026-05-20', { expiresOn: '2026-07-18' });
  const d = evaluate(snap({ steps, holds: [bs] }), '2026-06-01');
  assert.deepEqual([d.held?.wouldTake, d.reviewOn], [['summons'], '2026-07-19'], 'held: the summons was due from 22 May');
  assert.equal(evaluate(snap({ steps, holds: [bs] }), '2026-07-19').reviewOn, '2026-07-26', 'free from 19 July, then the full 7 days');
  assert.deepEqual(evaluate(snap({ steps, holds: [bs] }), '2026-07-25').actions, []);
  assert.deepEqual(evaluate(snap({ steps, holds: [bs] }), '2026-07-26').actions.map((a) => a.stage), ['summons']);
  // A hold that starts once the balance is due and the summons date has passed: held until it ends.
  const late = hold('breathing_space_standard', '2026-06-01', { expiresOn: '2026-07-30' });
  const held = evaluate(snap({ steps, holds: [late] }), '2026-06-02');
  assert.deepEqual([held.held?.wouldTake, held.reviewOn], [['summons'], '2026-07-31']);
});

test('Breathing Space scope for council tax: only a year reminded, or with every instalment due, is covered', () => {
  const bs = hold('breathing_space_standard', '2026-06-20', { expiresOn: '2026-08-18' });
  // Current year, no reminder yet, instalments still to fall due: not in scope, the reminder goes.
  const d = evaluate(snap({ holds: [bs] }), '2026-07-01');
  assert.equal(d.actions[0]?.stage, 'reminder_1');
  assert.equal(d.held, null);
  // Same year with a reminder served before the Breathing Space started: in scope, held.
  const reminded = evaluate(snap({ holds: [bs], steps: [step('reminder_1', '2026-05-08', { outcome: 'unpaid', outcomeOn: '2026-05-15' })] }), '2026-07-01');
  assert.deepEqual(reminded.held?.wouldTake, ['summons']);
  // Last year, every instalment due and unpaid at the start: in scope.
  const lastYear = snap({ financialYear: 2025, instalments: plan('2025-04-01'), movements: [charge(100_000, '2025-04-01'), ...paidOnTime(6, '2025-04-01')] });
  assert.deepEqual(evaluate({ ...lastYear, holds: [bs] }, '2026-07-01').held?.wouldTake, ['balance_due', 'final_notice']);
  // A reminder served after the Breathing Space started does not bring the year in.
  const later = evaluate(snap({ holds: [bs], steps: [step('reminder_1', '2026-06-25', { outcome: 'unpaid', outcomeOn: '2026-07-02' })] }), '2026-07-09');
  assert.equal(later.actions[0]?.stage, 'summons');
});

test('a year that ended unpaid with no reminder: balance due and a final notice', () => {
  const s = snap({ financialYear: 2025, instalments: plan('2025-04-01'), movements: [charge(100_000, '2025-04-01'), ...paidOnTime(4, '2025-04-01')] });
  const d = evaluate(s, '2026-04-10');
  assert.deepEqual(d.actions.map((a) => a.stage), ['balance_due', 'final_notice']);
  assert.match(d.actions[0].reason, /year has ended with £600.00 unpaid and no reminder served/);
});

test('no plan for the current year: an exception for an officer, looked at again tomorrow', () => {
  const d = evaluate(snap({ instalments: [] }), '2026-06-01');
  assert.match(d.exception!, /No current instalment plan for 2026\/27/);
  assert.equal(d.reviewOn, '2026-06-02');
  assert.deepEqual(d.actions, []);
});

test('more than 6 years after the balance fell due: no summons (reg 34(3))', () => {
  const s = snap({ financialYear: 2018, instalments: plan('2018-04-01'), movements: [charge(100_000, '2018-04-01')], steps: [step('balance_due', '2019-04-10', { balanceDueOn: '2019-04-10', payBy: null }), step('final_notice', '2019-04-10')] });
  const d = evaluate(s, '2026-05-01');
  assert.match(d.exception!, /More than 6 years/);
  assert.deepEqual(d.actions, []);
});

test('the timetable decides which stage may follow which', () => {
  const strict: Timetable = { ...CT, stages: CT.stages.map((s) => (s.stage === 'reminder_1' ? { ...s, nextStages: ['reminder_2'] } : s)) };
  const d = evaluate(snap({ timetable: strict, steps: [step('reminder_1', '2026-05-08', { outcome: 'unpaid', outcomeOn: '2026-05-15' })] }), '2026-05-22');
  assert.match(d.exception!, /does not allow summons after first reminder/);
  assert.deepEqual(d.actions, []);
});

test('a council’s own offsets are used: reminder 10 days after, 14 to pay', () => {
  const own: Timetable = { ...CT, stages: CT.stages.map((s) => (s.stage === 'reminder_1' ? { ...s, issueAfterDays: 10, payWithinDays: 14 } : s)) };
  assert.deepEqual(evaluate(snap({ timetable: own }), '2026-05-10').actions, []);
  assert.deepEqual(evaluate(snap({ timetable: own }), '2026-05-11').actions.map((a) => [a.stage, a.payBy]), [['reminder_1', '2026-05-25']]);
});

test('a rebill’s fresh plan for what is left is measured the same way', () => {
  // Charge cut from £1,000 to £760 in June; £200 paid; the new plan spreads £560 over Jul–Jan (7 × £80).
  const movements = [charge(), pay('2026-04-01'), pay('2026-05-01'), { on: '2026-04-01', amountPence: -24_000, isCost: false }];
  const rebill = plan('2026-07-01', 7, 8_000);
  assert.deepEqual(evaluate(snap({ instalments: rebill, movements: [...movements, pay('2026-07-01', 8_000)] }), '2026-07-20').actions, []);
  assert.equal(evaluate(snap({ instalments: rebill, movements }), '2026-07-08').actions[0].demandPence, 8_000);
});

test('withdrawn or dismissed, then owed again: an officer decides', () => {
  const d = evaluate(snap({ steps: [step('summons', '2026-05-22', { outcome: 'dismissed' })] }), '2026-07-01');
  assert.equal(d.position, 'dismissed');
  assert.match(d.exception!, /Summons dismissed but £900.00 is owed/);
});
