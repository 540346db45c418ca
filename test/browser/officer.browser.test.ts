// An officer's day through the real server in Chromium: sign in, search, open a customer and an
// account, add a note, log a call. Every page visited is scanned for accessibility problems.
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
  page = await h.browser.newPage();
  page.on('console', (msg) => {
    // A form re-shown with errors answers 400 by design; anything else (CSP, script errors, 404s) counts.
    if (msg.type() === 'error' && !msg.text().includes('status of 400 (Bad Request)')) consoleErrors.push(msg.text());
  });
});
after(() => h.close());

test('sign in, search, customer, account, note and call', async () => {
  await page.goto(`${h.baseUrl}/`);
  assert.match(page.url(), /\/sign-in\?returnTo=%2F$/);
  await assertAccessible(page, 'sign in');
  await screenshot(page, '01-sign-in');

  // A wrong password first: the error summary must itself be accessible.
  await page.getByLabel('Username').fill('recovery.officer');
  await page.getByLabel('Password', { exact: true }).fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Enter a correct username and password').first().waitFor();
  await assertAccessible(page, 'sign in with error');

  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Find a customer or account' }).waitFor();
  await assertAccessible(page, 'home');
  await screenshot(page, '02-home');

  await page.getByLabel('Find a customer or account').fill('hughes');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('heading', { name: /2 customers found/ }).waitFor();
  assert.equal(await page.getByText('Ceri Hughes').count(), 0);
  await assertAccessible(page, 'search results');
  await screenshot(page, '03-search');

  await page.getByRole('link', { name: 'Margaret Hughes' }).click();
  await page.getByRole('heading', { name: 'Debts owed: £1,246.33' }).waitFor();
  await assertAccessible(page, 'customer');
  await screenshot(page, '04-customer');

  await page.getByRole('link', { name: h.f.accounts.hughesCt.reference }).click();
  await page.getByRole('heading', { name: `Account ${h.f.accounts.hughesCt.reference}` }).waitFor();
  assert.ok(await page.getByText('Derek Hughes: Violent or abusive: visit in pairs only').isVisible());
  await assertAccessible(page, 'account');
  await screenshot(page, '05-account');

  await page.getByRole('link', { name: 'Add a note' }).click();
  await page.getByRole('button', { name: 'Save note' }).click();
  await page.getByRole('link', { name: 'Enter the note' }).waitFor();
  await assertAccessible(page, 'note form with error');
  await page.getByLabel('Add a note').fill('Customer asked for a statement of account');
  await page.getByRole('button', { name: 'Save note' }).click();
  await page.getByText('Note added').waitFor();
  assert.ok(await page.getByText('Customer asked for a statement of account').isVisible());

  await page.getByRole('link', { name: 'Log a contact' }).click();
  await assertAccessible(page, 'contact form');
  await page.getByLabel('The customer (inbound)').check();
  await page.getByLabel('Phone call').check();
  await page.getByLabel('Outcome').selectOption('promise_to_pay');
  await page.getByLabel('What was said (optional)').fill('Will pay £100 on Friday');
  await screenshot(page, '06-contact-form');
  await page.getByRole('button', { name: 'Save contact' }).click();
  await page.getByText('Contact logged').waitFor();
  assert.ok(await page.getByText('Inbound phone call: promise to pay').isVisible());
  await assertAccessible(page, 'account after contact');
  await screenshot(page, '07-account-after');

  const [event] = await h.db.query<{ type: string; by_user_id: number }>(`select type, by_user_id from events order by id desc limit 1`);
  assert.deepEqual(event, { type: 'contact', by_user_id: h.f.users.recovery_officer.id });
  assert.deepEqual(consoleErrors, []);
});

test('administration pages are accessible too', async () => {
  const admin = await h.browser.newPage();
  await admin.goto(`${h.baseUrl}/sign-in`);
  await admin.getByLabel('Username').fill('system.administrator');
  await admin.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await admin.getByRole('button', { name: 'Sign in' }).click();
  await admin.getByRole('heading', { name: 'API tokens' }).waitFor();
  await assertAccessible(admin, 'API tokens');
  await admin.goto(`${h.baseUrl}/admin/users/new`);
  await admin.getByRole('button', { name: 'Add user' }).click();
  await admin.getByText('There is a problem').waitFor();
  await assertAccessible(admin, 'add user with errors');
  await screenshot(admin, '08-add-user-errors');
  await admin.goto(`${h.baseUrl}/audit`);
  await assertAccessible(admin, 'audit trail');
  await admin.close();
});
