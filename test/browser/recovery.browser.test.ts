// A senior recovery officer's day in Chromium through the real server: preview the daily run, look
// at what it would do, approve it, open a reminder letter, hold an account, and at the magistrates'
// court withdraw a paid case and record outcomes. Every page visited is scanned for accessibility.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { PASSWORD } from '../support/fixture-council.ts';
import { assertAccessible, screenshot, SCREENSHOT_DIR, startHarness, type BrowserHarness } from './browser-support.ts';
import { recoveryWorld, type RecoveryWorld, type TestAccount } from '../../src/modules/recovery/scenario-support.ts';

let h: BrowserHarness;
let w: RecoveryWorld;
let page: Page;
const consoleErrors: string[] = [];
const court: TestAccount[] = [];
const june: TestAccount[] = [];

before(async () => {
  h = await startHarness();
  w = recoveryWorld(h.db, h.f);
  h.f.clock.set('2026-04-01');
  await h.f.services.court.addHearing(w.officer, h.f.authorities.wigan, { courtName: 'Wigan and Leigh Magistrates’ Court', courtAddress: 'Darlington Street, Wigan WN1 1DW', hearingOn: '2026-06-10', capacity: 20 });
  await h.f.services.court.addHearing(w.officer, h.f.authorities.wigan, { courtName: 'Wigan and Leigh Magistrates’ Court', courtAddress: 'Darlington Street, Wigan WN1 1DW', hearingOn: '2026-06-24', capacity: 20 });
  // Three who stop paying after April: summonsed for 10 June. One pays in full with costs on 9 June.
  for (const name of ['Alan Ashworth', 'Beth Barlow', 'Carl Crompton']) {
    const a = await w.account({ name, warning: name === 'Carl Crompton' ? 'Violent or abusive: visit in pairs only' : null });
    await w.pay(a, '2026-04-01', 10_000);
    court.push(a);
  }
  await w.pay(court[1], '2026-06-09', 98_000);
  // Two who miss June: reminders in the run the officer previews on 8 June.
  for (const name of ['Dora Dean', 'Eric Eckersley']) {
    const a = await w.account({ name, email: name === 'Dora Dean' ? 'dora@example.org' : null });
    for (const due of ['2026-04-01', '2026-05-01']) await w.pay(a, due, 10_000);
    june.push(a);
  }
  for (const day of ['2026-05-08', '2026-05-16', '2026-05-22']) await w.runDay(day);
  h.f.clock.set('2026-06-08');

  page = await h.browser.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/status of 40[09]/.test(msg.text())) consoleErrors.push(msg.text());
  });
  await page.goto(`${h.baseUrl}/sign-in`);
  await signIn();
  await page.getByRole('heading', { name: 'Find a customer or account' }).waitFor();
});

async function signIn() {
  await page.getByLabel('Username').fill('senior.recovery.officer');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
after(() => h.close());

test('preview the daily run, look at it, approve it, open a reminder', async () => {
  await page.getByRole('link', { name: 'Recovery', exact: true }).click();
  await page.getByRole('heading', { name: 'Recovery', exact: true }).waitFor();
  await assertAccessible(page, 'recovery home');
  await screenshot(page, 'recovery-01-home');

  assert.equal(await page.getByLabel('Run recovery as of').inputValue(), '2026-06-08');
  await page.getByRole('button', { name: 'Preview the run' }).click();
  await page.getByRole('heading', { name: /^Recovery run \d+$/ }).waitFor();
  assert.ok(await page.getByText('Awaiting approval').first().isVisible());
  const reminders = page.getByRole('row', { name: /First reminder/ });
  assert.match(await reminders.innerText(), /2\s+£200\.00\s+£0\.00/);
  await assertAccessible(page, 'run preview');
  await screenshot(page, 'recovery-02-preview');

  await page.getByRole('link', { name: 'First reminder' }).click();
  await page.getByRole('heading', { name: 'Notices and steps: First reminder' }).waitFor();
  assert.ok(await page.getByText('Dora Dean').isVisible());
  assert.ok(await page.getByText(/Failure 1 in the year: £100.00 of instalment 3 due 1 June 2026 unpaid/).first().isVisible());
  await assertAccessible(page, 'run items');
  await screenshot(page, 'recovery-03-items');
  await page.getByRole('link', { name: /Back to run/ }).click();

  await page.getByRole('button', { name: 'Approve and issue' }).click();
  await page.getByText('Run approved: the notices have been issued').waitFor();
  assert.ok(await page.getByRole('link', { name: 'download the print file, PDF' }).isVisible());
  await assertAccessible(page, 'run issued');
  await screenshot(page, 'recovery-04-issued');

  await page.goto(`${h.baseUrl}/accounts/${june[0].id}`);
  await page.locator('#recovery-heading').waitFor();
  const yearRow = page.getByRole('row', { name: /2026\/27/ }).first();
  assert.match(await yearRow.innerText(), /First reminder/);
  assert.match(await yearRow.innerText(), /15 June 2026/);
  await assertAccessible(page, 'account with recovery');
  await screenshot(page, 'recovery-05-account');

  const letterLink = page.getByRole('link', { name: 'First reminder (PDF)' });
  const href = await letterLink.getAttribute('href');
  const pdf = await page.request.get(`${h.baseUrl}${href}`);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  const bytes = await pdf.body();
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  fs.writeFileSync(path.join(SCREENSHOT_DIR, 'recovery-reminder-letter.pdf'), bytes);

  // The same letter went to Dora by email (held locally: no Notify key), and to the print file.
  const [msgs] = await h.db.query<{ n: number }>(`select count(*)::int as n from outbox_messages where account_id = $1`, [june[0].id]);
  assert.equal(msgs.n, 2);
});

test('hold an account: the form explains itself and says what is wrong', async () => {
  await page.goto(`${h.baseUrl}/accounts/${june[1].id}`);
  await page.getByRole('link', { name: 'Hold recovery on this account' }).click();
  await page.getByRole('heading', { name: 'Hold recovery' }).waitFor();
  await page.getByRole('button', { name: 'Hold recovery' }).click();
  await page.getByText('There is a problem').waitFor();
  await assertAccessible(page, 'hold form with errors');
  await page.getByRole('radio', { name: 'Vulnerability' }).check();
  await page.getByLabel('Reason and what was decided').fill('Recently bereaved; referred to Citizens Advice');
  await page.getByRole('button', { name: 'Hold recovery' }).click();
  await page.getByRole('link', { name: 'Enter a review date for a vulnerability hold' }).waitFor();
  await page.getByLabel('Review on (needed for vulnerability)').fill('2026-07-08');
  await screenshot(page, 'recovery-06-hold-form');
  await page.getByRole('button', { name: 'Hold recovery' }).click();
  await page.getByText('Recovery held', { exact: true }).waitFor();
  await assertAccessible(page, 'hold');
  await screenshot(page, 'recovery-07-hold');
  await page.goto(`${h.baseUrl}/holds`);
  assert.ok(await page.getByRole('link', { name: 'Vulnerability' }).isVisible());
  await assertAccessible(page, 'holds list');
});

test('at court on the day: withdraw the paid case, record outcomes', async () => {
  h.f.clock.set('2026-06-10'); // two days on: the session has expired, so sign in again
  await page.goto(`${h.baseUrl}/court`);
  await signIn();
  await page.getByRole('heading', { name: 'Magistrates’ court' }).waitFor();
  await assertAccessible(page, 'court');
  await screenshot(page, 'recovery-08-court');
  await page.getByRole('link', { name: '10 June 2026 at 10:00' }).click();
  await page.getByRole('heading', { name: 'Hearing 10 June 2026 at 10:00' }).waitFor();
  assert.ok(await page.getByText('Carl Crompton: Violent or abusive: visit in pairs only').isVisible(), 'the warning shows before anyone contacts Carl');
  assert.ok(await page.getByText('Derek Hughes: Violent or abusive: visit in pairs only').isVisible(), 'and a joint party’s warning on a joint account');
  await assertAccessible(page, 'hearing');

  await page.getByRole('button', { name: 'Withdraw cases paid in full' }).click();
  await page.getByText(/1 case paid in full with costs withdrawn/).waitFor();
  await assertAccessible(page, 'hearing after withdrawals');

  const caseNumber = async (a: TestAccount) => (await h.db.query<{ case_number: string; id: number }>('select case_number, id from court_cases where account_id = $1', [a.id]))[0];
  const alan = await caseNumber(court[0]);
  const carl = await caseNumber(court[2]);
  await page.getByLabel(`Outcome for case ${alan.case_number}`).selectOption('granted');
  await page.getByLabel(`Outcome for case ${carl.case_number}`).selectOption('adjourned');
  await screenshot(page, 'recovery-09-outcomes');
  await page.getByRole('button', { name: 'Record outcomes', exact: true }).click();
  await page.getByText(/Outcomes recorded: 1 granted, 1 adjourned/).waitFor();
  await assertAccessible(page, 'hearing with outcomes');
  await screenshot(page, 'recovery-10-recorded');

  const steps = await w.steps(court[0]);
  assert.deepEqual(steps.map((s) => s.stage), ['reminder_1', 'summons', 'liability_order']);
  const [moved] = await h.db.query<{ hearing_on: string }>('select h.hearing_on from court_cases c join court_hearings h on h.id = c.hearing_id where c.id = $1', [carl.id]);
  assert.equal(moved.hearing_on, '2026-06-24');
});

test('pipeline, timetables and the customer page are accessible too', async () => {
  for (const [url, label] of [['/recovery/pipeline', 'pipeline'], ['/recovery/pipeline?position=liability_order', 'pipeline filtered'], ['/recovery/timetables', 'timetables'], [`/customers/${court[2].customerId}`, 'customer with holds section']] as const) {
    await page.goto(`${h.baseUrl}${url}`);
    await assertAccessible(page, label);
    await screenshot(page, `recovery-11-${label.replace(/\W+/g, '-')}`);
  }
  assert.deepEqual(consoleErrors, []);
});
