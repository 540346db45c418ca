// A move in through the real server in Chromium: from the property search to the new bill's PDF,
// one question per page, with the accessibility scan on every page. Then the billing pages a
// senior officer uses: the charges, the run preview, a VOA file with a bad line.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { PASSWORD } from '../support/fixture-council.ts';
import { setUpBilling } from '../support/billing-fixture.ts';
import { SCREENSHOT_DIR, assertAccessible, screenshot, startHarness, type BrowserHarness } from './browser-support.ts';

let h: BrowserHarness;
let page: Page;
const consoleErrors: string[] = [];

before(async () => {
  h = await startHarness();
  await setUpBilling(h.f);
  h.f.clock.set('2026-11-22');
  await h.db.query(`insert into properties (authority_id, kind, address_line1, town, postcode, band) values ($1, 'dwelling', '27 Orchard Way', 'Wigan', 'WN5 0LP', 'C')`, [h.f.authorities.wigan]);
  page = await h.browser.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().includes('status of 400 (Bad Request)')) consoleErrors.push(msg.text());
  });
});
after(() => h.close());

async function signIn(p: Page, username: string) {
  await p.goto(`${h.baseUrl}/sign-in`);
  await p.getByLabel('Username').fill(username);
  await p.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('link', { name: 'Billing' }).first().waitFor();
}

test('a move in, from search to the new bill', async () => {
  await signIn(page, 'recovery.officer');
  await page.getByRole('link', { name: 'Billing' }).first().click();
  await page.getByRole('heading', { name: 'Billing', exact: true }).waitFor();
  await assertAccessible(page, 'billing hub');
  await page.getByRole('link', { name: 'Properties' }).click();
  await page.getByLabel('Find a property').fill('WN5 0LP');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('heading', { name: '1 property found' }).waitFor();
  await assertAccessible(page, 'property search');
  await screenshot(page, 'billing-01-search');

  await page.getByRole('link', { name: /27 Orchard Way/ }).click();
  await page.getByRole('heading', { name: /27 Orchard Way/ }).waitFor();
  await assertAccessible(page, 'property');
  await page.getByRole('link', { name: 'Record a move in' }).click();

  // Question 1: an impossible date first, to see the error.
  await page.getByRole('heading', { name: 'When did they move in?' }).waitFor();
  await assertAccessible(page, 'move in: date');
  await page.getByLabel('Day').fill('31');
  await page.getByLabel('Month').fill('9');
  await page.getByLabel('Year').fill('2026');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('link', { name: 'The date they moved in must be a real date' }).waitFor();
  await assertAccessible(page, 'move in: date with error');
  await screenshot(page, 'billing-02-date-error');
  await page.getByLabel('Day').fill('1');
  await page.getByLabel('Month').fill('10');
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.getByRole('heading', { name: 'Who is liable for the council tax?' }).waitFor();
  await assertAccessible(page, 'move in: who');
  await page.getByLabel('Title (optional)').fill('Ms');
  await page.getByLabel('First name').fill('Grace');
  await page.getByLabel('Last name').fill('Okonkwo');
  await screenshot(page, 'billing-03-who');
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.getByRole('heading', { name: 'Is anyone else jointly liable?' }).waitFor();
  await assertAccessible(page, 'move in: anyone else liable');
  await page.getByLabel('No').check();
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.getByRole('heading', { name: 'Does anyone else aged 18 or over live at the property?' }).waitFor();
  await assertAccessible(page, 'move in: lives alone');
  await page.getByLabel('No').check();
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.getByRole('heading', { name: 'How will they pay?' }).waitFor();
  await assertAccessible(page, 'move in: how they pay');
  await page.getByLabel('Direct Debit').check();
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.getByRole('heading', { name: 'Which day of the month should instalments be due?' }).waitFor();
  await assertAccessible(page, 'move in: day');
  await page.getByLabel('The 15th').check();
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.getByRole('heading', { name: 'Do they want their bills by email as well as by post?' }).waitFor();
  await assertAccessible(page, 'move in: email?');
  await page.getByLabel('Yes').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'What is their email address?' }).waitFor();
  await page.getByLabel('Email address').fill('grace.okonkwo@example.org');
  await assertAccessible(page, 'move in: email address');
  await screenshot(page, 'billing-04-email');
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.getByRole('heading', { name: 'Check your answers' }).waitFor();
  assert.ok(await page.getByText('Ms Grace Okonkwo').isVisible());
  assert.ok(await page.getByText('No, they live alone (single person discount)').isVisible());
  await assertAccessible(page, 'move in: check your answers');
  await screenshot(page, 'billing-05-check');
  await page.getByRole('button', { name: 'Record move in and issue the bill' }).click();

  await page.getByRole('heading', { name: 'Move in recorded' }).waitFor();
  await assertAccessible(page, 'move in: confirmation');
  await screenshot(page, 'billing-06-confirmation');
  const reference = (await page.locator('.govuk-panel__body strong').textContent())!.trim();
  assert.match(reference, /^1\d{9}$/);

  // The bill: fetched with the officer's session, read back, and drawn to a PNG to look at.
  const href = (await page.getByRole('link', { name: 'View the bill (PDF)' }).getAttribute('href'))!;
  const response = await page.request.get(`${h.baseUrl}${href}`);
  assert.equal(response.headers()['content-type'], 'application/pdf');
  const pdf = await response.body();
  const pdfPath = path.join(SCREENSHOT_DIR, 'billing-07-bill.pdf');
  fs.writeFileSync(pdfPath, pdf);
  try {
    const text = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    for (const expected of ['Council Tax bill 2026/27', 'Ms Grace Okonkwo', '27 Orchard Way', `Reference: ${reference}`, 'Valuation band C', 'Single person discount 25%', 'We will collect these by Direct Debit']) {
      assert.ok(text.includes(expected), `the bill should say "${expected}"`);
    }
    execFileSync('pdftoppm', ['-png', '-r', '60', pdfPath, path.join(SCREENSHOT_DIR, 'billing-07-bill')]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // poppler not installed: text not checked
  }

  await page.getByRole('link', { name: 'Charges and bills on the account' }).click();
  await page.getByRole('heading', { name: 'Charges and bills' }).waitFor();
  assert.ok(await page.getByText('Single person discount 25%').first().isVisible());
  await assertAccessible(page, 'charges and bills');
  await screenshot(page, 'billing-08-charges');
  await page.getByText('Where the council tax goes').first().click();
  await assertAccessible(page, 'charges with precepts open');

  await page.goto(`${h.baseUrl}/properties`);
  await page.getByLabel('Find a property').fill('Orchard');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: /27 Orchard Way/ }).click();
  assert.ok(await page.getByRole('link', { name: 'Ms Grace Okonkwo' }).isVisible(), 'the property shows who is liable');
  await assertAccessible(page, 'property with its liability');
  assert.deepEqual(consoleErrors, []);
});

test('a senior officer: the annual run preview, the council’s charges, a VOA file with a bad line', async () => {
  const senior = await h.browser.newPage();
  await signIn(senior, 'senior.recovery.officer');
  await senior.goto(`${h.baseUrl}/billing/runs`);
  await assertAccessible(senior, 'billing runs');
  await senior.getByLabel('Financial year to bill').fill('2027/28');
  await senior.getByRole('button', { name: 'Preview the run' }).click();
  await senior.getByRole('heading', { name: 'Preview: annual bills for 2027/28' }).waitFor();
  await assertAccessible(senior, 'run preview');
  await screenshot(senior, 'billing-09-run-preview');
  await senior.getByRole('button', { name: /Issue \d+ bills/ }).click();
  await senior.getByRole('heading', { name: /Annual billing run \d+/ }).waitFor();
  for (let i = 0; i < 50 && !(await senior.getByText('Completed').first().isVisible()); i++) {
    await senior.waitForTimeout(200);
    await senior.reload();
  }
  assert.ok(await senior.getByText('Completed').first().isVisible());
  assert.ok(await senior.getByRole('link', { name: 'download the print file' }).isVisible());
  await assertAccessible(senior, 'run report');
  await screenshot(senior, 'billing-10-run-report');

  await senior.goto(`${h.baseUrl}/billing/charges?year=2027/28`);
  await assertAccessible(senior, 'council tax charges');
  await senior.goto(`${h.baseUrl}/billing/voa`);
  await senior.getByLabel('Council tax band changes').check();
  await assertAccessible(senior, 'VOA upload form');
  // The file as a file, through the upload control (multipart), as an officer sends it.
  await senior.getByLabel('VOA file').setInputFiles({
    name: 'CTB_4250.txt', mimeType: 'text/plain',
    buffer: Buffer.from('4250*100000000001*1 A Street*WN1 1AA*C*01-APR-2026*ALTERED*S1\n4250*100000000002*2 A Street*WN1 1AA*Q*01-APR-2026*ALTERED*S1\n'),
  });
  await senior.getByRole('button', { name: 'Check the file' }).click();
  await senior.getByText('Nothing from this file can be applied').waitFor();
  await assertAccessible(senior, 'VOA file with a bad line');
  await screenshot(senior, 'billing-11-voa');
  await senior.getByLabel(/Line 2: band "Q"/).check();
  await senior.getByRole('button', { name: 'Leave these lines out' }).click();
  await senior.getByRole('button', { name: 'Apply the changes and rebill' }).waitFor();
  await assertAccessible(senior, 'VOA file ready');
  await senior.close();
  assert.deepEqual(consoleErrors, []);
});
