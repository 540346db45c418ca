// A manager's reports through the real server in Chromium: the dashboard, every report page (each
// scanned for accessibility problems), a filter, an XLSX download parsed back, the targets form; and
// an officer who sees only their own workload.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { openTestDb } from '../support/test-db.ts';
import { buildReportsFixture, PASSWORD, type ReportsFixture } from '../support/reports-fixture.ts';
import { createApp } from '../../src/web/app.ts';
import type { Db } from '../../src/db/database.ts';
import { REPORTS } from '../../src/modules/reports/reports.service.ts';
import { assertAccessible, screenshot, SCREENSHOT_DIR } from './browser-support.ts';

let db: Db;
let f: ReportsFixture;
let app: FastifyInstance;
let browser: Browser;
let baseUrl: string;
const consoleErrors: string[] = [];

before(async () => {
  db = await openTestDb();
  f = await buildReportsFixture(db);
  app = await createApp({ services: f.services, logLevel: 'silent' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await chromium.launch({
    executablePath: process.env.LEVY_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
});
after(async () => {
  await browser.close();
  await app.close();
  await db.close();
});

async function signIn(username: string): Promise<Page> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().includes('status of 400 (Bad Request)')) consoleErrors.push(`${username}: ${msg.text()}`);
  });
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
  return page;
}

test('a manager opens the dashboard, every report, filters, and downloads an XLSX', async () => {
  const page = await signIn('burnley.manager');
  await page.getByRole('link', { name: 'Reports', exact: true }).click();
  await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
  assert.ok(await page.getByText('60.66%').first().isVisible());
  await assertAccessible(page, 'reports dashboard');
  await screenshot(page, 'reports-01-dashboard');

  for (const [i, report] of REPORTS.entries()) {
    await page.goto(`${baseUrl}/reports`);
    await page.getByRole('link', { name: report.title, exact: true }).click();
    await page.getByRole('heading', { name: report.title, level: 1 }).waitFor();
    const charts = page.getByRole('img');
    assert.ok((await charts.count()) >= 1, `${report.name} shows a chart`);
    assert.ok(await charts.first().isVisible());
    await assertAccessible(page, report.name);
    await screenshot(page, `reports-${String(i + 2).padStart(2, '0')}-${report.name}`);
  }

  // Filter the collection rate to council tax: one chart, its name read from the SVG's <title>.
  await page.goto(`${baseUrl}/reports/collection-rate`);
  await page.getByLabel('Stream').selectOption('council_tax');
  await page.getByRole('button', { name: 'Show report' }).click();
  await page.waitForURL(/stream=council_tax/);
  assert.equal(await page.getByRole('img').count(), 1);
  assert.ok(await page.getByRole('img', { name: /Council Tax collection rate by month, 2026\/27/ }).isVisible());
  const november = page.getByRole('row', { name: /Council Tax November 2026/ });
  assert.match(await november.innerText(), /60\.66%/);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download this report as a spreadsheet (XLSX)' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'levy-collection-rate-E07000117-2026-11-22.xlsx');
  const file = await download.path();
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(file);
  assert.deepEqual(book.worksheets.map((s) => s.name), ['About', 'Collection rate by month', '2026-27 in the QRC4 definition']);
  const year = book.worksheets[2];
  assert.deepEqual((year.getRow(2).values as unknown[]).slice(1, 2), ['Council Tax']);
  assert.equal(year.getRow(2).getCell(5).value, 7445); // net collectable debit, £
  assert.equal(year.getRow(2).getCell(10).value, 60.66); // collection rate, %

  // A filter that makes no sense is explained, accessibly.
  await page.goto(`${baseUrl}/reports/arrears?from=2026-10-01&to=2026-09-01`);
  await page.getByText('There is a problem').waitFor();
  await assertAccessible(page, 'arrears with a filter error');
  await page.context().close();
});

test('a manager sets collection-rate targets', async () => {
  const page = await signIn('burnley.manager');
  await page.goto(`${baseUrl}/reports/targets?stream=council_tax&year=2026/27`);
  await assertAccessible(page, 'targets');
  await page.getByLabel('April 2026').fill('ten');
  await page.getByRole('button', { name: 'Save targets' }).click();
  await page.getByText('There is a problem').waitFor();
  await assertAccessible(page, 'targets with an error');
  const profile = ['10', '19.5', '28.8', '38', '47.2', '56.4', '65.5', '74.6', '83.7', '92.8', '95.5', '96.2'];
  const labels = ['April 2026', 'May 2026', 'June 2026', 'July 2026', 'August 2026', 'September 2026', 'October 2026', 'November 2026', 'December 2026', 'January 2027', 'February 2027', 'March 2027'];
  for (const [i, label] of labels.entries()) await page.getByLabel(label).fill(profile[i]);
  await page.getByRole('button', { name: 'Save targets' }).click();
  await page.getByText('Targets saved').waitFor();
  await screenshot(page, 'reports-20-targets');
  await page.goto(`${baseUrl}/reports/collection-rate?stream=council_tax`);
  assert.match(await page.getByRole('row', { name: /Council Tax November 2026/ }).innerText(), /74\.60%\s+−13\.94\s/);
  await screenshot(page, 'reports-21-collection-rate-with-targets');
  await page.context().close();
});

test('an officer sees their own workload and no other report', async () => {
  const page = await signIn('burnley.officer');
  await page.getByRole('link', { name: 'My workload' }).click();
  await page.getByRole('heading', { name: 'Officer workload', level: 1 }).waitFor();
  assert.equal(await page.getByRole('row', { name: /Burnley manager/ }).count(), 0);
  assert.equal(await page.getByRole('row', { name: /Burnley officer/ }).count(), 1);
  await assertAccessible(page, 'own workload');
  await screenshot(page, 'reports-22-own-workload');
  assert.deepEqual(consoleErrors, []);
  const refused = await page.goto(`${baseUrl}/reports/collection-rate`);
  assert.equal(refused?.status(), 403);
  await page.context().close();
});
