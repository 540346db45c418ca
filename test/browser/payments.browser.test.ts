// Money in through the real server in Chromium: import a bureau file, resolve a suspense item,
// request a refund and have a second, senior officer approve it. Every page is scanned with axe.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { PASSWORD } from '../support/fixture-council.ts';
import { bureauFile } from '../support/payment-files.ts';
import { makeAccountReference } from '../../src/domain/account-reference.ts';
import { assertAccessible, screenshot, startHarness, type BrowserHarness } from './browser-support.ts';

let h: BrowserHarness;
const consoleErrors: string[] = [];

before(async () => {
  h = await startHarness();
});
after(() => h.close());

async function signIn(browser: Browser, username: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().includes('status of 400 (Bad Request)')) consoleErrors.push(msg.text());
  });
  await page.goto(`${h.baseUrl}/sign-in`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
  return page;
}

test('import a file, resolve a suspense item, approve a refund', async () => {
  const officer = await signIn(h.browser, 'recovery.officer');
  await officer.getByRole('link', { name: 'Money in' }).click();
  await officer.getByRole('heading', { name: 'Money in' }).waitFor();
  await assertAccessible(officer, 'money in');

  // Importing without a file shows the error summary.
  await officer.getByRole('button', { name: 'Import file' }).click();
  await officer.getByRole('link', { name: 'Choose a file to import' }).waitFor();
  await assertAccessible(officer, 'money in with error');

  const hughes = h.f.accounts.hughesCt.reference;
  const swapped = hughes.slice(0, 7) + hughes[8] + hughes[7] + hughes[9];
  const file = bureauFile([
    { narrative: 'PO00001', reference: hughes, amountPence: 12000, paidOn: '2026-11-20' },
    { narrative: 'PO00002', reference: swapped, amountPence: 4500, paidOn: '2026-11-20' },
    { narrative: 'PZ00003', reference: h.f.accounts.okaforCt.reference, amountPence: 20000, paidOn: '2026-11-21', channelCode: 'Z' },
    { narrative: 'PO00004', reference: makeAccountReference('council_tax', 9999), amountPence: 999, paidOn: '2026-11-21' },
  ]);
  await officer.getByLabel('File format').selectOption('bureau');
  await officer.getByLabel('File', { exact: true }).setInputFiles({ name: 'allpay-20261121.txt', mimeType: 'text/plain', buffer: Buffer.from(file) });
  await officer.getByRole('button', { name: 'Import file' }).click();
  await officer.getByRole('heading', { name: 'allpay-20261121.txt' }).waitFor();
  assert.ok(await officer.getByText('Balanced').first().isVisible());
  await assertAccessible(officer, 'import report');
  await screenshot(officer, 'payments-01-import');

  await officer.getByRole('link', { name: 'Suspense', exact: true }).first().click();
  await officer.getByRole('heading', { name: 'Suspense', level: 1 }).waitFor();
  assert.ok(await officer.getByText('2 payments waiting to be identified').isVisible());
  await assertAccessible(officer, 'suspense queue');
  await screenshot(officer, 'payments-02-suspense');

  await officer.getByLabel('Reference, payer or narrative').fill(swapped);
  await officer.getByRole('button', { name: 'Apply filters' }).click();
  await officer.getByText('1 shown').waitFor();
  await officer.getByRole('link', { name: /20 November 2026/ }).click();
  await officer.getByRole('heading', { name: /£45\.00 received 20 November 2026/ }).waitFor();
  assert.ok(await officer.getByText(`reference ${hughes} is one slip from ${swapped}`).isVisible());
  await assertAccessible(officer, 'suspense item');
  await screenshot(officer, 'payments-03-suspense-item');
  await officer.getByRole('button', { name: `Allocate to ${hughes}` }).click();
  await officer.getByText('Payment allocated').waitFor();
  assert.ok(await officer.getByText('1 payment waiting to be identified').isVisible());

  // Peter Okafor is now £200.44 in credit: ask for a £150 refund (over the £100 limit).
  await officer.goto(`${h.baseUrl}/accounts/${h.f.accounts.okaforCt.id}/payments`);
  await assertAccessible(officer, 'account payments');
  await officer.getByRole('link', { name: 'Refund the credit' }).click();
  await officer.getByRole('heading', { name: 'Refund a credit' }).waitFor();
  await officer.getByLabel('Amount').fill('150.00');
  await officer.getByLabel('Sort code').fill('30-94');
  await officer.getByLabel('Account number').fill('12345678');
  await officer.getByLabel('Reason').fill('Overpaid in November');
  await officer.getByRole('button', { name: 'Request refund' }).click();
  await officer.getByRole('link', { name: 'Enter a sort code of 6 digits, like 30-94-57' }).waitFor();
  await assertAccessible(officer, 'refund form with error');
  await officer.getByLabel('Sort code').fill('30-94-57');
  await officer.getByRole('button', { name: 'Request refund' }).click();
  await officer.getByText('Refund requested: a senior officer will decide').waitFor();
  assert.ok(await officer.getByText('You asked for this refund: another officer must decide.').isVisible());
  await assertAccessible(officer, 'refunds (requester)');

  const senior = await signIn(h.browser, 'senior.recovery.officer');
  await senior.goto(`${h.baseUrl}/payments/refunds`);
  await assertAccessible(senior, 'refunds (approver)');
  await screenshot(senior, 'payments-04-refunds');
  await senior.getByRole('button', { name: /^Approve/ }).click();
  await senior.getByText('Refund approved').waitFor();
  await senior.getByRole('button', { name: 'Make the Bacs credit file' }).click();
  await senior.getByRole('heading', { name: 'Direct Debit' }).waitFor();
  await assertAccessible(senior, 'direct debit');
  const [refund] = await h.db.query<{ status: string; decided_by: number; requested_by: number }>('select status, decided_by, requested_by from refunds');
  assert.deepEqual(refund, { status: 'paid', decided_by: h.f.users.senior_recovery_officer.id, requested_by: h.f.users.recovery_officer.id });

  await senior.goto(`${h.baseUrl}/payments/cash-report?date=2026-11-20`);
  assert.ok(await senior.getByText('Balanced').first().isVisible());
  await assertAccessible(senior, 'cash report');
  await senior.goto(`${h.baseUrl}/accounts/${h.f.accounts.sundry.id}/direct-debit/new`);
  await assertAccessible(senior, 'direct debit form');

  const manager = await signIn(h.browser, 'recovery.manager');
  await manager.goto(`${h.baseUrl}/payments/settings`);
  await assertAccessible(manager, 'payment settings');

  // An auditor sees the queue but cannot act.
  const auditor = await signIn(h.browser, 'auditor');
  const res = await auditor.goto(`${h.baseUrl}/payments/suspense`);
  assert.equal(res?.status(), 200);
  assert.equal(await auditor.getByRole('button', { name: /Allocate/ }).count(), 0);
  assert.deepEqual(consoleErrors, []);
});
