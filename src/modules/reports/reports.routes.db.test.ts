// The reports through HTTP (Fastify inject): pages with charts and tables, downloads, the JSON API,
// the targets form, who may open what, and the service navigation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import ExcelJS from 'exceljs';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildReportsFixture, BURNLEY, PASSWORD, type ReportsFixture } from '../../../test/support/reports-fixture.ts';
import type { Db } from '../../db/database.ts';
import { createApp } from '../../web/app.ts';
import { parseCsv } from '../../integrations/open-data.ts';
import { REPORT_NAMES } from './reports.service.ts';
import { signInThroughForm } from '../../../test/support/web-session.ts';

let db: Db;
let f: ReportsFixture;
let app: FastifyInstance;
before(async () => {
  db = await openTestDb();
  f = await buildReportsFixture(db);
  app = await createApp({ services: f.services, logLevel: 'silent' });
});
after(async () => {
  await app.close();
  await db.close();
});

const signIn = (username: string) => signInThroughForm(app, username, PASSWORD);

test('the dashboard and every report page render with accessible charts and their tables', async () => {
  const { cookies } = await signIn('burnley.manager');
  const home = await app.inject({ method: 'GET', url: '/reports', cookies });
  assert.equal(home.statusCode, 200);
  assert.match(home.body, /<a class="govuk-service-navigation__link" href="\/reports" aria-current="(page|true)">/);
  assert.match(home.body, /Council Tax 2026\/27 collection rate at 22 November 2026/);
  assert.match(home.body, /60\.66%/);
  for (const name of REPORT_NAMES) assert.match(home.body, new RegExp(`href="/reports/${name}"`));

  for (const name of REPORT_NAMES) {
    const res = await app.inject({ method: 'GET', url: `/reports/${name}`, cookies });
    assert.equal(res.statusCode, 200, name);
    const svgs = res.body.match(/<svg [^>]*role="img" aria-labelledby="(chart-\d+)-title \1-desc"/g) ?? [];
    assert.ok(svgs.length >= 1, `${name} has a chart`);
    assert.match(res.body, /<title id="chart-1-title">/);
    assert.match(res.body, /<table class="govuk-table/);
    assert.doesNotMatch(res.body, / style="/, 'no inline styles: the CSP forbids them');
  }
  const rate = await app.inject({ method: 'GET', url: '/reports/collection-rate?stream=council_tax', cookies });
  // The table beside the chart carries the same figures.
  assert.match(rate.body, /<th scope="row" class="govuk-table__header">Council Tax<\/th>\s*<td class="govuk-table__cell">November 2026<\/td>\s*<td class="govuk-table__cell">22 November 2026<\/td>\s*<td class="govuk-table__cell govuk-table__cell--numeric">£7,445.00<\/td>\s*<td class="govuk-table__cell govuk-table__cell--numeric">£4,516.00<\/td>\s*<td class="govuk-table__cell govuk-table__cell--numeric">60.66%<\/td>/);
  assert.match(rate.body, /href="\/reports\/collection-rate\/download\?stream=council_tax&amp;format=xlsx"/);
});

test('bad filters re-show the form with the problem, and change nothing', async () => {
  const { cookies } = await signIn('burnley.manager');
  const res = await app.inject({ method: 'GET', url: '/reports/arrears?from=2026-13-01', cookies });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /There is a problem/);
  assert.match(res.body, /<a href="#from">Enter the start date as a real date, YYYY-MM-DD<\/a>/);
});

test('officers see their own workload only; the rest is refused', async () => {
  const { cookies } = await signIn('burnley.officer');
  const home = await app.inject({ method: 'GET', url: '/reports', cookies });
  assert.equal(home.statusCode, 403);
  const mine = await app.inject({ method: 'GET', url: '/reports/workload', cookies });
  assert.equal(mine.statusCode, 200);
  assert.match(mine.body, /href="\/reports\/workload" aria-current="(page|true)">[\s\S]{0,200}My workload/);
  assert.match(mine.body, /Burnley officer/);
  assert.doesNotMatch(mine.body, /Burnley manager<\/th>/);
  assert.equal((await app.inject({ method: 'GET', url: '/reports/members-accounts', cookies })).statusCode, 403);
  assert.equal((await app.inject({ method: 'GET', url: '/reports/collection-rate/download?format=csv', cookies })).statusCode, 403);
});

test('downloads: CSV and XLSX with the figures', async () => {
  const { cookies } = await signIn('burnley.auditor');
  const csv = await app.inject({ method: 'GET', url: '/reports/members-accounts/download?format=csv&meetingDate=2026-11-22', cookies });
  assert.equal(csv.statusCode, 200);
  assert.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
  assert.equal(csv.headers['content-disposition'], `attachment; filename="levy-members-accounts-${BURNLEY}-2026-11-22.csv"`);
  assert.deepEqual(parseCsv(csv.body).slice(1).map((r) => [r[0], r[2], r[3]]), [['Bob Birtwistle', '2026/27', '300.00'], ['Dave Duckworth', '2025/26', '50.00'], ['Dave Duckworth', '2026/27', '600.00']]);
  const xlsx = await app.inject({ method: 'GET', url: '/reports/suspense/download?format=xlsx', cookies });
  assert.equal(xlsx.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
  assert.deepEqual((book.worksheets[1].getRow(7).values as unknown[]).slice(1, 3), ['Total', 3]);
  assert.equal(book.worksheets[1].getRow(7).getCell(3).value, 49.99);
  assert.equal((await app.inject({ method: 'GET', url: '/reports/suspense/download?format=pdf', cookies })).statusCode, 400);
});

test('the JSON API: catalogue, each report, CSV and XLSX, targets; documented in OpenAPI', async () => {
  const { token } = await f.services.auth.createApiToken(f.burnleyUsers.manager.actor, 'reports test');
  const headers = { authorization: `Bearer ${token}` };
  const list = await app.inject({ method: 'GET', url: '/api/v1/reports', headers });
  assert.deepEqual(list.json().reports.map((r: { name: string }) => r.name), REPORT_NAMES);
  const rate = await app.inject({ method: 'GET', url: '/api/v1/reports/collection-rate?year=2025/26&stream=council_tax', headers });
  assert.equal(rate.statusCode, 200);
  const year = rate.json().tables.find((t: { key: string }) => t.key === 'year');
  assert.deepEqual([year.rows[0].debitPence, year.rows[0].receiptsPence, year.rows[0].ratePercent], [670000, 617000, 92.09]);
  const bad = await app.inject({ method: 'GET', url: '/api/v1/reports/collection-rate?stream=sundry', headers });
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(bad.json().error.fields, [{ field: 'stream', message: 'Choose council tax or business rates' }]);
  const csv = await app.inject({ method: 'GET', url: '/api/v1/reports/write-offs/csv', headers });
  assert.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
  assert.deepEqual(parseCsv(csv.body)[1], ['Council Tax', 'Uneconomic to pursue', '1', '100.00', '1', '20.00', '80.00']);
  assert.deepEqual(parseCsv(csv.body).at(-1), ['Total', '', '3', '155.00', '2', '25.00', '130.00']);
  const xlsx = await app.inject({ method: 'GET', url: '/api/v1/reports/arrears/xlsx', headers });
  assert.equal(xlsx.statusCode, 200);
  assert.equal(xlsx.rawPayload.subarray(0, 2).toString(), 'PK');

  const put = await app.inject({ method: 'PUT', url: '/api/v1/reports/targets', headers, payload: { stream: 'business_rates', year: '2026/27', months: [9, 18, 27, 36, 45, 54, 63, 72, 81, 90, 97, 98.5] } });
  assert.equal(put.statusCode, 200, put.body);
  const got = await app.inject({ method: 'GET', url: '/api/v1/reports/targets?stream=business_rates&year=2026/27', headers });
  assert.deepEqual(got.json().months.map((m: { percent: number }) => m.percent), [9, 18, 27, 36, 45, 54, 63, 72, 81, 90, 97, 98.5]);
  const { token: officerToken } = await f.services.auth.createApiToken(f.burnleyUsers.officer.actor, 'officer');
  const refused = await app.inject({ method: 'PUT', url: '/api/v1/reports/targets', headers: { authorization: `Bearer ${officerToken}` }, payload: { months: Array(12).fill(null) } });
  assert.equal(refused.statusCode, 403);

  const openapi = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
  assert.ok(openapi.paths['/api/v1/reports/collection-rate'].get);
  assert.ok(openapi.paths['/api/v1/reports/collection-rate/xlsx'].get.responses['200'].content['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']);
  assert.deepEqual(openapi.paths['/api/v1/reports/members-accounts'].get['x-levy-access'], 'reports.view');
});

test('targets form: managers change them with CSRF, errors are shown, auditors only read', async () => {
  const { cookies, csrf } = await signIn('burnley.manager');
  const form = await app.inject({ method: 'GET', url: '/reports/targets?stream=council_tax&year=2026/27', cookies });
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /<label class="govuk-label" for="month1">April 2026<\/label>/);
  const months = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`month${i + 1}`, String(8 * (i + 1))]));
  const bad = await app.inject({ method: 'POST', url: '/reports/targets', cookies, payload: { _csrf: csrf, authority: BURNLEY, stream: 'council_tax', year: '2026/27', ...months, month3: 'lots' } });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /<a href="#month3">Enter a percentage from 0 to 100, with up to two decimal places<\/a>/);
  assert.match(bad.body, /value="lots"/);
  const noCsrf = await app.inject({ method: 'POST', url: '/reports/targets', cookies, payload: { authority: BURNLEY, stream: 'council_tax', year: '2026/27', ...months } });
  assert.equal(noCsrf.statusCode, 403);
  const ok = await app.inject({ method: 'POST', url: '/reports/targets', cookies, payload: { _csrf: csrf, authority: BURNLEY, stream: 'council_tax', year: '2026/27', ...months } });
  assert.equal(ok.statusCode, 303);
  const shown = await app.inject({ method: 'GET', url: ok.headers.location as string, cookies });
  assert.match(shown.body, /Targets saved/);
  assert.match(shown.body, /id="month12" name="month12" type="text" inputmode="decimal" spellcheck="false"\s*value="96.00"/);
  const rate = await f.services.reports.run(f.burnleyUsers.manager.actor, 'collection-rate', { stream: 'council_tax' });
  assert.equal(rate.tables[0].rows.find((r) => r.month === 'November 2026')?.targetPercent, 64);

  const auditor = await signIn('burnley.auditor');
  const readOnly = await app.inject({ method: 'GET', url: '/reports/targets', cookies: auditor.cookies });
  assert.equal(readOnly.statusCode, 200);
  assert.doesNotMatch(readOnly.body, /Save targets/);
  assert.match(readOnly.body, /64.00%/);
  assert.equal((await app.inject({ method: 'POST', url: '/reports/targets', cookies: auditor.cookies, payload: { _csrf: auditor.csrf, ...months } })).statusCode, 403);
});
