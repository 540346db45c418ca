// A recovery officer in Chromium after the liability order: an income and expenditure statement,
// an arrangement within what it shows is affordable, then an attachment of earnings order sent to a
// newly registered employer and a remittance against it; the work queues. Every page is scanned.
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { PASSWORD } from '../support/fixture-council.ts';
import { assertAccessible, screenshot, startHarness, type BrowserHarness } from './browser-support.ts';

let h: BrowserHarness;
let page: Page;
const consoleErrors: string[] = [];

before(async () => {
  h = await startHarness();
  await h.db.query(`insert into recovery_steps (authority_id, account_id, financial_year, stage, issued_on, reason, outcome) values ($1, $2, 2025, 'liability_order', '2026-05-01', 'granted', 'granted')`,
    [h.f.authorities.wigan, h.f.accounts.hughesCt.id]);
  page = await h.browser.newPage();
  page.on('console', (msg) => { if (msg.type() === 'error' && !/status of 40[09]/.test(msg.text())) consoleErrors.push(msg.text()); });
  await page.goto(`${h.baseUrl}/sign-in`);
  await page.getByLabel('Username').fill('recovery.officer');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Find a customer or account' }).waitFor();
});
after(() => h.close());

test('income and expenditure, then an arrangement within what is affordable', async () => {
  await page.goto(`${h.baseUrl}/accounts/${h.f.accounts.hughesCt.id}`);
  await page.getByRole('link', { name: 'Income and expenditure, then an arrangement' }).click();
  await page.getByRole('heading', { name: 'Income and expenditure' }).waitFor();
  await assertAccessible(page, 'income and expenditure form');
  await page.getByLabel('Earnings from employment or self-employment').fill('1,500.00');
  await page.getByLabel('Home and contents (rent, mortgage, energy, water, insurance)').fill('800');
  await page.getByLabel('Food and housekeeping').fill('lots');
  await page.getByRole('button', { name: 'Save and work out what is affordable' }).click();
  await page.locator('.govuk-error-summary').getByText('Enter an amount in pounds').waitFor();
  await assertAccessible(page, 'income and expenditure with an error');
  await page.getByLabel('Food and housekeeping').fill('400.00');
  await page.getByRole('button', { name: 'Save and work out what is affordable' }).click();

  await page.getByRole('heading', { name: 'Make an arrangement' }).waitFor();
  assert.match(await page.locator('.govuk-summary-list').innerText(), /£300\.00 a month/);
  await assertAccessible(page, 'arrangement form');
  await page.getByLabel('Monthly').check();
  await page.getByLabel('Each payment').fill('350.00');
  await page.getByLabel('First payment').fill('2026-12-01');
  await page.getByRole('button', { name: 'Agree the arrangement' }).click();
  await page.locator('.govuk-error-summary').getByText('£300.00 a month is affordable').waitFor();
  await page.getByLabel('Each payment').fill('300.00');
  await page.getByRole('button', { name: 'Agree the arrangement' }).click();
  await page.getByText('Arrangement agreed: recovery is held').waitFor();
  assert.match(await page.locator('.govuk-summary-list').innerText(), /£1,246\.33/);
  await assertAccessible(page, 'arrangement');
  await screenshot(page, 'after-lo-arrangement');

  await page.getByRole('link', { name: 'After the order' }).click();
  await page.getByRole('heading', { name: 'After the liability order' }).waitFor();
  await assertAccessible(page, 'after the liability order hub');
  await page.getByRole('link', { name: 'Arrangements', exact: true }).click();
  await page.getByRole('link', { name: 'Margaret Hughes' }).waitFor();
  await assertAccessible(page, 'arrangements queue');
  await screenshot(page, 'after-lo-arrangements');
});

test('an attachment of earnings order to a newly registered employer, and a remittance', async () => {
  await page.goto(`${h.baseUrl}/accounts/${h.f.accounts.hughesCt.id}`);
  await page.getByRole('link', { name: 'Attachment of earnings order' }).click();
  await page.getByRole('heading', { name: 'Attachment of earnings order' }).waitFor();
  await page.getByRole('link', { name: 'Register a new employer' }).click();
  await assertAccessible(page, 'employer form');
  await page.getByLabel('Employer’s name').fill('Wigan Pies Ltd');
  await page.getByLabel('Payroll address').fill('1 Mill Street\nWigan\nWN1 3XX');
  await page.getByRole('button', { name: 'Register employer' }).click();
  await page.getByRole('heading', { name: 'Attachment of earnings order' }).waitFor();
  await assertAccessible(page, 'order form');
  await page.getByLabel('Employer', { exact: true }).selectOption({ label: 'Wigan Pies Ltd' });
  await page.getByLabel('Monthly').check();
  await page.getByLabel('Net earnings each pay period').fill('1500.00');
  await page.getByRole('button', { name: 'Make the order and send it to the employer' }).click();
  await page.getByText('Order made and sent to the employer').waitFor();
  const summary = await page.locator('.govuk-summary-list').innerText();
  assert.match(summary, /£255\.00 \(17%\)/);
  assert.match(summary, /£260\.00/);
  await assertAccessible(page, 'attachment order');
  await page.getByLabel('Amount').fill('255.00');
  await page.getByRole('button', { name: 'Record remittance' }).click();
  await page.getByText('Remittance recorded').waitFor();
  await screenshot(page, 'after-lo-attachment');
  const pdf = await page.request.get(`${h.baseUrl}${await page.getByRole('link', { name: 'The order sent to the employer (PDF)' }).getAttribute('href')}`);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');

  await page.goto(`${h.baseUrl}/attachments`);
  await page.getByRole('link', { name: 'Margaret Hughes' }).waitFor();
  await assertAccessible(page, 'attachments queue');
  await page.goto(`${h.baseUrl}/write-offs`);
  await assertAccessible(page, 'write-offs queue');
  await h.f.services.tracing.openTask(h.f.users.recovery_officer.actor, h.f.customers.derek, { trigger: 'returned_mail' });
  await page.goto(`${h.baseUrl}/tracing`);
  await page.getByRole('link', { name: 'Derek Hughes' }).waitFor();
  await assertAccessible(page, 'tracing queue');
  // Work queues: "Assign to me" on the row (the bulk form, without script), then the "Me" filter.
  await page.getByRole('button', { name: /Assign to me.*Derek Hughes/ }).click();
  assert.equal(await page.locator('.govuk-inset-text[role=status]').innerText(), '1 done, 0 refused');
  await page.getByRole('link', { name: 'Me', exact: true }).click();
  assert.match(await page.locator('table').innerText(), /Derek Hughes[\s\S]*Test recovery_officer/);
  await assertAccessible(page, 'tracing queue, assigned to me');
  await page.goto(`${h.baseUrl}/`);
  assert.equal(await page.getByRole('link', { name: '1 yours: debtors to trace' }).getAttribute('href'), '/tracing?status=open&assigned=mine');
  await assertAccessible(page, 'home page with work queue counts');
  await page.goto(`${h.baseUrl}/after-liability-order`);
  await assertAccessible(page, 'after the liability order hub with counts');
  await screenshot(page, 'after-lo-hub');
  assert.deepEqual(consoleErrors, []);
});

test('the enforcement queue and the export to a firm', async () => {
  const [c] = await h.db.query<{ id: number }>(`insert into customers (authority_id, kind, forenames, surname, display_name) values ($1, 'person', 'Sam', 'Ward', 'Sam Ward') returning id`, [h.f.authorities.wigan]);
  const [a] = await h.db.query<{ id: number }>(`insert into accounts (authority_id, reference, stream, customer_id, opened_on) values ($1, '100007770', 'council_tax', $2, '2025-04-01') returning id`, [h.f.authorities.wigan, c.id]);
  await h.db.query(`insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source) values ($1, 'charge', 180000, 2026, '2026-04-01', 'test')`, [a.id]);
  await h.db.query(`insert into recovery_steps (authority_id, account_id, financial_year, stage, issued_on, reason) values ($1, $2, 2026, 'liability_order', '2026-10-01', 'granted')`, [h.f.authorities.wigan, a.id]);
  const firmId = await h.f.services.enforcement.addFirm(h.f.users.senior_recovery_officer.actor, { name: 'Northern Enforcement Ltd', code: 'NEL' });
  await h.f.services.enforcement.refer(h.f.users.recovery_officer.actor, a.id, { firmId, financialYear: 2026 });
  await page.goto(`${h.baseUrl}/enforcement?status=ready`);
  await page.getByRole('link', { name: '100007770' }).waitFor();
  await assertAccessible(page, 'enforcement queue');
  await screenshot(page, 'after-lo-enforcement');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Northern Enforcement Ltd (NEL)' }).click()]);
  assert.match(fs.readFileSync(await download.path(), 'utf8'), /100007770,Sam Ward,.*,1800\.00,/);
  assert.deepEqual(consoleErrors, []);
});

test('deductions from benefit: the request form for Universal Credit, DWP’s answer, the queue', async () => {
  await page.goto(`${h.baseUrl}/accounts/${h.f.accounts.hughesCt.id}`);
  await page.getByRole('link', { name: 'Deductions from benefit (DWP)' }).click();
  await page.getByRole('heading', { name: 'Deductions from benefit' }).waitFor();
  await assertAccessible(page, 'benefit request form');
  await page.getByRole('button', { name: 'Send the request to DWP' }).click();
  await page.locator('.govuk-error-summary').getByText('Enter the debtor’s National Insurance number').waitFor();
  await assertAccessible(page, 'benefit request form with errors');
  await page.getByLabel('Universal Credit').check();
  await page.getByLabel('Single, 25 or over').check();
  await page.getByLabel('National Insurance number').fill('AB 12 34 56 C');
  await page.getByRole('button', { name: 'Send the request to DWP' }).click();
  await page.getByText('Request made').waitFor();
  assert.match(await page.locator('.govuk-summary-list').innerText(), /£19\.67 a month/);
  await assertAccessible(page, 'benefit attachment requested');
  await page.getByRole('radio', { name: 'Accepted' }).check();
  await page.getByRole('button', { name: 'Record DWP’s answer' }).click();
  await page.getByText('DWP’s answer recorded').waitFor();
  await assertAccessible(page, 'benefit attachment accepted');
  await screenshot(page, 'after-lo-benefit-attachment');
  await page.goto(`${h.baseUrl}/attachments`);
  await page.getByRole('caption').getByText('Deductions from benefit: 1 running').waitFor();
  await assertAccessible(page, 'attachments queue with benefits');
  assert.deepEqual(consoleErrors, []);
});

test('the account’s enforcement page: refer by the allocation rules, recall, the remedy checks and the rules page', async () => {
  const [a] = await h.db.query<{ id: number }>(`select id from accounts where reference = '100007770'`);
  await h.f.services.enforcement.addRule(h.f.users.senior_recovery_officer.actor, { fallback: true, firms: [{ firmId: (await h.f.services.enforcement.listFirms(h.f.users.recovery_officer.actor))[0].id, share: 1 }] });
  await h.db.query(`insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source) values ($1, 'charge', 90000, 2025, '2025-04-01', 'test')`, [a.id]);
  await h.db.query(`insert into recovery_steps (authority_id, account_id, financial_year, stage, issued_on, reason) values ($1, $2, 2025, 'liability_order', '2026-03-01', 'granted')`, [h.f.authorities.wigan, a.id]);
  await page.goto(`${h.baseUrl}/accounts/${a.id}`);
  await page.getByRole('link', { name: 'Enforcement agents and court remedies' }).click();
  await page.getByRole('heading', { name: 'Pre-referral checks' }).waitFor();
  await assertAccessible(page, 'account enforcement page');
  await page.getByLabel('2025/26: £900.00 owed').check();
  await page.getByRole('button', { name: 'Refer to enforcement agent' }).click();
  await page.getByText('Referred to Northern Enforcement Ltd (by the allocation rules)').waitFor();
  await page.getByLabel('Reason for the recall').first().selectOption({ label: 'Paid direct to the council' });
  await page.getByRole('button', { name: 'Recall the 2026/27 referral' }).click();
  await page.getByText('Referral').filter({ hasText: 'recalled' }).first().waitFor();
  await assertAccessible(page, 'account enforcement page after a recall');
  await screenshot(page, 'after-lo-account-enforcement');
  for (const kind of ['charging_order', 'bankruptcy', 'committal']) {
    await page.goto(`${h.baseUrl}/accounts/${a.id}/remedies/${kind}`);
    await page.getByRole('heading', { name: 'Checks' }).waitFor();
    await assertAccessible(page, `${kind} checks`);
  }
  await page.goto(`${h.baseUrl}/enforcement/allocation-rules`);
  await page.locator('.govuk-tag', { hasText: 'Fallback' }).waitFor();
  await assertAccessible(page, 'allocation rules');
  assert.deepEqual(consoleErrors, []);
});
