import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultTimetables } from './default-timetables.ts';
import { earliestHearingDate, reminderStages, timetableInForce, validateTimetable, type Timetable } from './timetable.ts';
import { breathingSpaceCovers, breathingSpaceStandardExpiry, holdFreeFrom, isHoldActiveOn, resumeAfterHolds, type HoldRecord } from './holds.ts';

const [ct, nndr] = defaultTimetables('england');
const [walesCt] = defaultTimetables('wales');

test('the default timetables are within the law', () => {
  for (const t of [...defaultTimetables('england'), ...defaultTimetables('wales')]) assert.deepEqual(validateTimetable(t), [], `${t.nation} ${t.stream}`);
  assert.deepEqual(reminderStages(ct).map((s) => s.stage), ['reminder_1', 'reminder_2']);
  assert.deepEqual(reminderStages(nndr).map((s) => s.stage), ['reminder_1']);
  assert.equal(walesCt.stages.find((s) => s.stage === 'summons')!.costsPence, 7_000);
});

test('a timetable outside the law is refused with reasons', () => {
  const change = (t: Timetable, stage: string, over: object): Timetable => ({ ...t, stages: t.stages.map((s) => (s.stage === stage ? { ...s, ...over } : s)) });
  assert.match(validateTimetable(change(ct, 'reminder_1', { payWithinDays: 5 })).join(), /at least 7 days to pay/);
  assert.match(validateTimetable(change(ct, 'reminder_1', { escalateAfterDays: 3 })).join(), /further 7 days/);
  assert.match(validateTimetable(change(ct, 'reminder_1', { issueAfterDays: 0 })).join(), /after the instalment was missed/);
  assert.match(validateTimetable({ ...ct, hearingMinDaysAfterService: 10 }).join(), /at least 14 days/);
  assert.match(validateTimetable({ ...ct, limitationYears: 7 }).join(), /6 years/);
  assert.match(validateTimetable(change(walesCt, 'summons', { costsPence: 6_000 })).join(), /^$/);
  assert.match(validateTimetable(change(walesCt, 'liability_order', { costsPence: 1_000 })).join(), /may not exceed £70/);
  assert.match(validateTimetable({ ...nndr, stages: [...nndr.stages, { ...ct.stages[1] }] }).join(), /business rates allow one reminder/);
  assert.match(validateTimetable(change(ct, 'summons', { nextStages: ['reminder_1'] })).join(), /would go backwards/);
  assert.match(validateTimetable({ ...ct, stages: ct.stages.filter((s) => s.stage !== 'summons') }).join(), /needs a summons stage/);
});

test('the timetable in force is the latest on or before the date', () => {
  const newer: Timetable = { ...ct, effectiveFrom: '2027-04-01', name: 'From April 2027' };
  assert.equal(timetableInForce([ct, newer, nndr], 'council_tax', '2027-03-31')?.name, 'Statutory default');
  assert.equal(timetableInForce([ct, newer, nndr], 'council_tax', '2027-04-01')?.name, 'From April 2027');
  assert.equal(timetableInForce([ct], 'business_rates', '2027-04-01'), undefined);
});

test('hearing at least 14 days after deemed service', () => {
  assert.equal(earliestHearingDate(ct, '2026-11-02'), '2026-11-18');
});

const h = (over: Partial<HoldRecord>): HoldRecord => ({ id: 1, type: 'arrangement', reason: '', startsOn: '2026-05-01', expiresOn: null, endedOn: null, reviewOn: null, on: 'account', ...over });

test('a hold applies from its start to its expiry or the day it was ended', () => {
  const bs = h({ type: 'breathing_space_standard', expiresOn: breathingSpaceStandardExpiry('2026-05-01') });
  assert.equal(bs.expiresOn, '2026-06-29', '60 days beginning with the start day');
  assert.equal(isHoldActiveOn(bs, '2026-06-29'), true);
  assert.equal(isHoldActiveOn(bs, '2026-06-30'), false);
  assert.equal(isHoldActiveOn(bs, '2026-04-30'), false);
  assert.equal(holdFreeFrom({ ...bs, endedOn: '2026-06-01' }), '2026-06-01');
  assert.equal(holdFreeFrom(h({})), null);
});

test('a waiting period a hold touched starts again in full when the hold ends', () => {
  assert.equal(resumeAfterHolds('2026-05-08', '2026-05-15', []), '2026-05-15');
  assert.equal(resumeAfterHolds('2026-05-08', '2026-05-15', [h({ startsOn: '2026-05-20' })]), '2026-05-15', 'after the period');
  assert.equal(resumeAfterHolds('2026-05-08', '2026-05-15', [h({ startsOn: '2026-05-10', endedOn: '2026-05-21' })]), '2026-05-28');
  assert.equal(resumeAfterHolds('2026-05-08', '2026-05-15', [h({ startsOn: '2026-05-10' })]), null, 'open-ended');
  // Chained holds: the second starts inside the restarted period.
  assert.equal(resumeAfterHolds('2026-05-08', '2026-05-15', [h({ startsOn: '2026-05-10', endedOn: '2026-05-21' }), h({ startsOn: '2026-05-25', endedOn: '2026-06-01' })]), '2026-06-08');
});

test('Breathing Space scope rule', () => {
  const base = { startsOn: '2026-07-01', lastInstalmentDueOn: '2027-01-01', unpaidAtStartPence: 5_000, reminderServedOn: null };
  assert.equal(breathingSpaceCovers(base), false);
  assert.equal(breathingSpaceCovers({ ...base, reminderServedOn: '2026-06-08' }), true);
  assert.equal(breathingSpaceCovers({ ...base, reminderServedOn: '2026-07-02' }), false);
  assert.equal(breathingSpaceCovers({ ...base, lastInstalmentDueOn: '2026-06-01' }), true);
  assert.equal(breathingSpaceCovers({ ...base, lastInstalmentDueOn: '2026-06-01', unpaidAtStartPence: 0 }), false);
});
