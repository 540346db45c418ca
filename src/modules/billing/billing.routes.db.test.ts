// Billing pages and API through HTTP (Fastify inject): the move-in journey without JavaScript,
// validation on each question, the charges page, the run preview, VOA pages and the JSON API.
import fs from 'node:fs';
import path from 'node:path';
import { signInThroughForm } from '../../../test/support/web-session.ts';
import { multipartForm } from '../../../test/support/multipart.ts';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import { makeLiableAccount, setUpBilling } from '../../../test/support/billing-fixture.ts';
import type { Db } from '../../db/database.ts';
import { createApp } from '../../web/app.ts';

let db: Db;
let f: FixtureCouncil;
let app: FastifyInstance;
before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
  await setUpBilling(f);
  app = await createApp({ services: f.services, logLevel: 'silent' });
});
after(async () => {
  await app.close();
  await db.close();
});

const signIn = (username: string) => signInThroughForm(app, username);

test('move in, one question per page, without JavaScript, to the bill', async () => {
  f.clock.set('2026-11-22');
  const officer = await signIn('recovery.officer');
  const [prop] = await db.query<{ id: number }>(`insert into properties (authority_id, kind, address_line1, town, postcode, band) values ($1, 'dwelling', '8 Kenyon Road', 'Wigan', 'WN1 2DU', 'B') returning id`, [f.authorities.wigan]);

  const search = await app.inject({ method: 'GET', url: '/properties?q=WN1%202DU', cookies: officer.cookies });
  assert.match(search.body, /8 Kenyon Road/);
  assert.match(search.body, /Nobody/);
  const property = await app.inject({ method: 'GET', url: `/properties/${prop.id}`, cookies: officer.cookies });
  assert.match(property.body, /Record a move in/);

  const start = await app.inject({ method: 'GET', url: `/move-in/start?propertyId=${prop.id}`, cookies: officer.cookies });
  assert.equal(start.statusCode, 303);
  const base = start.headers.location!.replace(/\/date$/, '');
  const post = (step: string, payload: Record<string, string>, query = '') =>
    app.inject({ method: 'POST', url: `${base}/${step}${query}`, cookies: officer.cookies, payload: { _csrf: officer.csrf, ...payload } });

  // A date that is not a real date is refused with the GOV.UK message, on the same page.
  const bad = await post('date', { 'moveInDate-day': '31', 'moveInDate-month': '9', 'moveInDate-year': '2026' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /The date they moved in must be a real date/);
  assert.match(bad.body, /govuk-error-summary/);
  assert.equal((await post('date', { 'moveInDate-day': '1', 'moveInDate-month': '10', 'moveInDate-year': '2026' })).headers.location, `${base}/who`);
  assert.equal((await post('who', { forenames: '', surname: '' })).statusCode, 400);
  assert.equal((await post('who', { title: 'Mr', forenames: 'Tomasz', surname: 'Nowak' })).headers.location, `${base}/another`);
  assert.equal((await post('another', { anotherPerson: 'no' })).headers.location, `${base}/alone`);
  assert.equal((await post('alone', { livesAlone: 'no' })).headers.location, `${base}/pay`);
  assert.equal((await post('pay', { paymentMethod: 'direct_debit' })).headers.location, `${base}/day`);
  const day = await app.inject({ method: 'GET', url: `${base}/day`, cookies: officer.cookies });
  assert.match(day.body, /The 1st/);
  assert.match(day.body, /The 15th/);
  assert.doesNotMatch(day.body, /The 22nd/, 'Direct Debit payers choose from the council’s collection days');
  assert.equal((await post('day', { instalmentDay: '15' })).headers.location, `${base}/email`);
  assert.equal((await post('email', {})).statusCode, 400);
  assert.equal((await post('email', { wantsEmail: 'yes' })).headers.location, `${base}/email-address`);
  assert.equal((await post('email-address', { email: 'not an email' })).statusCode, 400);
  assert.equal((await post('email-address', { email: 'tomasz@example.org' })).headers.location, `${base}/check`);

  const check = await app.inject({ method: 'GET', url: `${base}/check`, cookies: officer.cookies });
  assert.match(check.body, /Check your answers/);
  assert.match(check.body, /Mr Tomasz Nowak/);
  assert.match(check.body, /No, they live alone \(single person discount\)/);
  // Change an answer from check your answers and come straight back.
  assert.equal((await post('day', { instalmentDay: '1' }, '?change=1')).headers.location, `${base}/check`);

  const done = await post('check', {});
  assert.equal(done.headers.location, `${base}/done`);
  const confirmation = await app.inject({ method: 'GET', url: `${base}/done`, cookies: officer.cookies });
  assert.match(confirmation.body, /Move in recorded/);
  const documentId = /href="\/documents\/(\d+)\/pdf"/.exec(confirmation.body)![1];
  const pdf = await app.inject({ method: 'GET', url: `/documents/${documentId}/pdf`, cookies: officer.cookies });
  assert.equal(pdf.headers['content-type'], 'application/pdf');
  // Posting again does not record the move twice.
  assert.equal((await post('check', {})).headers.location, `${base}/done`);
  const [{ n }] = await db.query<{ n: number }>('select count(*)::int as n from liabilities where property_id = $1', [prop.id]);
  assert.equal(n, 1);

  const accountId = /href="\/accounts\/(\d+)\/charges"/.exec(confirmation.body)![1];
  const charges = await app.inject({ method: 'GET', url: `/accounts/${accountId}/charges`, cookies: officer.cookies });
  assert.equal(charges.statusCode, 200);
  assert.match(charges.body, /Single person discount 25%/);
  assert.match(charges.body, /1 October 2026 to 31 March 2027/);

  // And out again: the last day liable, a forwarding address, check, the final bill.
  f.clock.set('2027-01-20');
  const later = await signIn('recovery.officer'); // two months on: a new session
  const out = await app.inject({ method: 'GET', url: `/accounts/${accountId}/move-out`, cookies: later.cookies });
  const outBase = out.headers.location!.replace(/\/date$/, '');
  const postOut = (step: string, payload: Record<string, string>) =>
    app.inject({ method: 'POST', url: `${outBase}/${step}`, cookies: later.cookies, payload: { _csrf: later.csrf, ...payload } });
  assert.equal((await postOut('date', { 'moveOutDate-day': '15', 'moveOutDate-month': '1', 'moveOutDate-year': '2027' })).headers.location, `${outBase}/address`);
  assert.equal((await postOut('address', { knowsAddress: 'yes' })).headers.location, `${outBase}/new-address`);
  assert.equal((await postOut('new-address', { line1: '2 Bridge Street', town: 'Leigh', postcode: 'nope' })).statusCode, 400);
  assert.equal((await postOut('new-address', { line1: '2 Bridge Street', town: 'Leigh', postcode: 'wn7 1ea' })).headers.location, `${outBase}/check`);
  assert.equal((await postOut('check', {})).headers.location, `${outBase}/done`);
  const outDone = await app.inject({ method: 'GET', url: `${outBase}/done`, cookies: later.cookies });
  assert.match(outDone.body, /Move out recorded/);
  assert.match(outDone.body, /in one instalment/, 'a final bill issued in January is payable at once');
  const [liability] = await db.query<{ to_date: string }>('select to_date from liabilities where account_id = $1', [accountId]);
  assert.equal(liability.to_date, '2027-01-15');

  // Someone else cannot use this officer's journey.
  const other = await signIn('senior.recovery.officer');
  assert.equal((await app.inject({ method: 'GET', url: `${base}/check`, cookies: other.cookies })).statusCode, 404);
});

test('pages need the right permission; the auditor can look but not change', async () => {
  const auditor = await signIn('auditor');
  assert.equal((await app.inject({ method: 'GET', url: `/accounts/${f.accounts.hughesCt.id}/charges`, cookies: auditor.cookies })).statusCode, 200);
  assert.equal((await app.inject({ method: 'GET', url: `/accounts/${f.accounts.hughesCt.id}/awards/new`, cookies: auditor.cookies })).statusCode, 403);
  assert.equal((await app.inject({ method: 'GET', url: '/billing/runs/preview?year=2027/28', cookies: auditor.cookies })).statusCode, 403);
  for (const url of ['/billing', '/billing/runs', '/billing/charges?year=2026/27', '/billing/voa', '/properties']) {
    assert.equal((await app.inject({ method: 'GET', url, cookies: auditor.cookies })).statusCode, 200, url);
  }
});

test('award form, payment form, run preview and VOA pages', async () => {
  f.clock.set('2026-11-22');
  const senior = await signIn('senior.recovery.officer');
  const id = f.accounts.okaforCt.id;
  const form = await app.inject({ method: 'GET', url: `/accounts/${id}/awards/new`, cookies: senior.cookies });
  assert.match(form.body, /Long-term empty premium/);
  const missing = await app.inject({ method: 'POST', url: `/accounts/${id}/awards/new`, cookies: senior.cookies, payload: { _csrf: senior.csrf, code: 'single_person' } });
  assert.equal(missing.statusCode, 400);
  assert.match(missing.body, /Enter the date it starts/);
  const ok = await app.inject({ method: 'POST', url: `/accounts/${id}/awards/new`, cookies: senior.cookies, payload: { _csrf: senior.csrf, code: 'single_person', 'fromDate-day': '1', 'fromDate-month': '11', 'fromDate-year': '2026' } });
  assert.equal(ok.statusCode, 303);
  const pay = await app.inject({ method: 'POST', url: `/accounts/${id}/payment`, cookies: senior.cookies, payload: { _csrf: senior.csrf, paymentMethod: 'direct_debit', ddDay: '15' } });
  assert.equal(pay.statusCode, 303);

  const preview = await app.inject({ method: 'GET', url: '/billing/runs/preview?year=2027/28', cookies: senior.cookies });
  assert.equal(preview.statusCode, 200);
  assert.match(preview.body, /Issue \d+ bills/);
  const badYear = await app.inject({ method: 'GET', url: '/billing/runs/preview?year=2027', cookies: senior.cookies });
  assert.equal(badYear.statusCode, 400);

  const voa = await app.inject({ method: 'POST', url: '/billing/voa', cookies: senior.cookies, payload: { _csrf: senior.csrf, kind: 'ct_bands', fileName: 'bands.txt', content: '4250*999*x*WN1 1AA*Z*01-APR-2026*NEW*1' } });
  assert.equal(voa.statusCode, 303);
  const page = await app.inject({ method: 'GET', url: voa.headers.location!, cookies: senior.cookies });
  assert.match(page.body, /Line 1: band &quot;Z&quot; is not a council tax band A to I|band "Z" is not a council tax band/);
  assert.doesNotMatch(page.body, /Apply the changes and rebill/);
});

test('the JSON API: charges, preview, reissue', async () => {
  const { token } = await f.services.auth.createApiToken(f.users.recovery_manager.actor, 'billing test');
  const headers = { authorization: `Bearer ${token}` };
  const charges = await app.inject({ method: 'GET', url: `/api/v1/accounts/${f.accounts.hughesCt.id}/charge?year=2026/27`, headers });
  assert.equal(charges.statusCode, 200);
  assert.equal(charges.json().totals.net, 143_533);
  const reissue = await app.inject({ method: 'POST', url: `/api/v1/accounts/${f.accounts.hughesCt.id}/bills`, headers, payload: { financialYear: '2026/27', reason: 'API test' } });
  assert.equal(reissue.statusCode, 201);
  assert.match(reissue.json().bills[0].pdfUrl, /^\/api\/v1\/documents\/\d+\/pdf$/);
  const preview = await app.inject({ method: 'GET', url: '/api/v1/billing/annual/preview?year=2027/28', headers });
  assert.equal(preview.statusCode, 200);
  assert.ok(preview.json().accountsToBill >= 2);
  const invalid = await app.inject({ method: 'POST', url: '/api/v1/move-ins', headers, payload: { propertyId: 999999 } });
  assert.equal(invalid.statusCode, 400);
  assert.equal(invalid.json().error.code, 'validation_failed');
  const openapi = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
  assert.ok(openapi.paths['/api/v1/move-ins'].post);
});

test('change who is liable: remove one joint payer and add another from a date, check answers, rebill; and the API', async () => {
  f.clock.set('2026-11-22');
  const officer = await signIn('recovery.officer');
  const a = await makeLiableAccount(db, { authorityId: f.authorities.wigan, band: 'C', from: '2025-06-01', name: 'Ruth Okafor' });
  const [partner] = await db.query<{ id: number }>(
    `insert into customers (authority_id, kind, forenames, surname, display_name) values ($1, 'person', 'Daniel', 'Okafor', 'Daniel Okafor') returning id`, [f.authorities.wigan]);
  await db.query('insert into liability_parties (liability_id, customer_id) values ($1, $2)', [a.liabilityId, partner.id]);
  await f.services.billing.reissueBill(f.users.recovery_officer.actor, a.accountId, { financialYear: '2026/27', reason: 'annual bill' });

  const charges = await app.inject({ method: 'GET', url: `/accounts/${a.accountId}/charges`, cookies: officer.cookies });
  assert.match(charges.body, /Change who is liable/);
  const start = await app.inject({ method: 'GET', url: `/accounts/${a.accountId}/liable-parties`, cookies: officer.cookies });
  assert.equal(start.statusCode, 303);
  const base = start.headers.location!.replace(/\/date$/, '');
  const post = (step: string, payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: `${base}/${step}`, cookies: officer.cookies, payload: { _csrf: officer.csrf, ...payload } });

  // Before the liability started: refused on the same page.
  const early = await post('date', { 'changeFrom-day': '1', 'changeFrom-month': '1', 'changeFrom-year': '2025' });
  assert.equal(early.statusCode, 400);
  assert.match(early.body, /after the liability started/);
  assert.equal((await post('date', { 'changeFrom-day': '1', 'changeFrom-month': '9', 'changeFrom-year': '2026' })).headers.location, `${base}/keep`);

  // Both current payers are listed, ticked, under a question that names the date.
  const keepPage = await app.inject({ method: 'GET', url: `${base}/keep`, cookies: officer.cookies });
  assert.match(keepPage.body, /Who is still liable from 1 September 2026\?/);
  assert.match(keepPage.body, /Ruth Okafor/);
  assert.match(keepPage.body, /Daniel Okafor/);
  assert.equal((keepPage.body.match(/checked/g) ?? []).length, 2);
  assert.equal((await post('keep', { keep: ['999999'] })).statusCode, 400, 'only the people listed');
  // Daniel moves out: keep Ruth only.
  assert.equal((await post('keep', { keep: String(a.customerId) })).headers.location, `${base}/add`);
  assert.equal((await post('add', { anotherPerson: 'yes' })).headers.location, `${base}/new-person`);
  assert.equal((await post('new-person', { forenames: 'Grace', surname: '' })).statusCode, 400);
  assert.equal((await post('new-person', { title: 'Ms', forenames: 'Grace', surname: 'Mensah' })).headers.location, `${base}/add`);
  assert.equal((await post('add', { anotherPerson: 'no' })).headers.location, `${base}/check`);

  const check = await app.inject({ method: 'GET', url: `${base}/check`, cookies: officer.cookies });
  assert.equal(check.statusCode, 200);
  for (const expected of ['1 September 2026', 'Ruth Okafor', 'Ms Grace Mensah', 'Change who is liable and issue the amended bill']) assert.ok(check.body.includes(expected), expected);
  assert.doesNotMatch(check.body.replace(/Change who is liable: account/g, ''), /Daniel Okafor/);

  const done = await post('check', {});
  assert.equal(done.statusCode, 303);
  assert.equal(done.headers.location, `${base}/done`);
  const confirmation = await app.inject({ method: 'GET', url: done.headers.location!, cookies: officer.cookies });
  assert.match(confirmation.body, /Liable people changed/);
  assert.match(confirmation.body, /The amended bill is for £/);

  const periods = await db.query<{ from_date: string; to_date: string | null; names: string[] }>(
    `select li.from_date, li.to_date, array(select c.display_name from liability_parties lp join customers c on c.id = lp.customer_id where lp.liability_id = li.id order by c.display_name) as names
       from liabilities li where li.account_id = $1 order by li.from_date`, [a.accountId]);
  assert.deepEqual(periods.map((p) => [p.from_date, p.to_date, p.names]), [
    ['2025-06-01', '2026-08-31', ['Daniel Okafor', 'Ruth Okafor']],
    ['2026-09-01', null, ['Ms Grace Mensah', 'Ruth Okafor']],
  ]);
  const [bill] = await db.query<{ reason: string }>('select reason from bills where account_id = $1 order by id desc limit 1', [a.accountId]);
  assert.match(bill.reason, /liable people changed from 1 September 2026/);
  // The finished journey cannot be submitted twice.
  assert.equal((await post('check', {})).headers.location, `${base}/done`);

  // The same change through the JSON API: Daniel back from 1 January 2027.
  const { token } = await f.services.auth.createApiToken(f.users.recovery_manager.actor, 'liable parties test');
  const api = await app.inject({
    method: 'POST', url: `/api/v1/accounts/${a.accountId}/liable-parties`, headers: { authorization: `Bearer ${token}` },
    payload: { fromDate: '2027-01-01', customerIds: [a.customerId, partner.id] },
  });
  assert.equal(api.statusCode, 201, api.body);
  assert.ok(api.json().bills.length >= 1);
  const none = await app.inject({
    method: 'POST', url: `/api/v1/accounts/${a.accountId}/liable-parties`, headers: { authorization: `Bearer ${token}` }, payload: { fromDate: '2027-02-01' },
  });
  assert.equal(none.statusCode, 400);
  const openapi = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
  assert.ok(openapi.paths['/api/v1/accounts/{accountId}/liable-parties'].post);
});

test('change who is liable: nobody left liable is refused on the question', async () => {
  const officer = await signIn('recovery.officer');
  const a = await makeLiableAccount(db, { authorityId: f.authorities.wigan, band: 'A', from: '2025-06-01' });
  const start = await app.inject({ method: 'GET', url: `/accounts/${a.accountId}/liable-parties`, cookies: officer.cookies });
  const base = start.headers.location!.replace(/\/date$/, '');
  const post = (step: string, payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: `${base}/${step}`, cookies: officer.cookies, payload: { _csrf: officer.csrf, ...payload } });
  await post('date', { 'changeFrom-day': '1', 'changeFrom-month': '10', 'changeFrom-year': '2026' });
  assert.equal((await post('keep', {})).headers.location, `${base}/add`);
  const refused = await post('add', { anotherPerson: 'no' });
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /Someone must be liable/);
  // Jumping to "check" early sends the officer back to the unanswered question.
  assert.equal((await app.inject({ method: 'GET', url: `${base}/check`, cookies: officer.cookies })).headers.location, `${base}/add`);
});

const voaFixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, '../../../test/fixtures/voa', name));

test('VOA file upload: malformed lines are listed by number and nothing applies until they are left out', async () => {
  const shop = await makeLiableAccount(db, { authorityId: f.authorities.wigan, kind: 'hereditament', rateableValuePounds: 18_000, description: 'Shop and premises', from: '2020-04-01', name: 'Market News' });
  await db.query(`update properties set ba_reference = '42500000777' where id = $1`, [shop.propertyId]);
  f.clock.set('2026-03-10');
  await f.services.billing.reissueBill(f.users.senior_recovery_officer.actor, shop.accountId, { financialYear: '2026/27', reason: 'annual bill' });
  f.clock.set('2026-11-20');
  const senior = await signIn('senior.recovery.officer');

  const page = await app.inject({ method: 'GET', url: '/billing/voa', cookies: senior.cookies });
  assert.match(page.body, /enctype="multipart\/form-data"/);
  assert.match(page.body, /type="file"/);

  // No file and nothing pasted: the GOV.UK error on the file field.
  const empty = multipartForm({ _csrf: senior.csrf, kind: 'nndr_list' });
  const none = await app.inject({ method: 'POST', url: '/billing/voa', cookies: senior.cookies, ...empty });
  assert.equal(none.statusCode, 400);
  assert.match(none.body, /Choose a VOA file to upload/);
  // Without the CSRF token the upload is refused.
  const forged = multipartForm({ kind: 'nndr_list' }, { field: 'file', filename: 'NDR_4250_20261120.txt', data: voaFixture('NDR_4250_20261120.txt') });
  assert.equal((await app.inject({ method: 'POST', url: '/billing/voa', cookies: senior.cookies, ...forged })).statusCode, 403);

  const form = multipartForm({ _csrf: senior.csrf, kind: 'nndr_list' }, { field: 'file', filename: 'NDR_4250_20261120.txt', data: voaFixture('NDR_4250_20261120.txt') });
  const upload = await app.inject({ method: 'POST', url: '/billing/voa', cookies: senior.cookies, ...form });
  assert.equal(upload.statusCode, 303, upload.body);
  const importId = Number(upload.headers.location!.split('/').pop());
  const preview = await app.inject({ method: 'GET', url: upload.headers.location!, cookies: senior.cookies });
  assert.match(preview.body, /NDR_4250_20261120\.txt/);
  assert.match(preview.body, /Line 3: rateable value &quot;TBC&quot; is not a whole number of pounds/);
  assert.match(preview.body, /Line 4: effective date &quot;31-SEP-2026&quot; is not a date/);
  assert.match(preview.body, /Rejected/);
  assert.doesNotMatch(preview.body, /Apply the changes and rebill/);
  assert.deepEqual(await db.query(`select 1 from property_valuations where property_id = $1 and source like 'voa%'`, [shop.propertyId]), [], 'nothing applied');
  // The Latin-1 file was read as Latin-1 (CAFÉ, not a replacement character), its CRLF line ends dropped.
  const [cafe] = await db.query<{ raw: string }>('select raw from voa_import_lines where import_id = $1 and line_no = 2', [importId]);
  assert.match(cafe.raw, /\*CAFÉ ROMA LTD\*/);
  assert.doesNotMatch(cafe.raw, /\r/);
  // Applying through the page is refused too while the bad lines are in.
  const refused = await app.inject({ method: 'POST', url: `/billing/voa/${importId}/apply`, cookies: senior.cookies, payload: { _csrf: senior.csrf } });
  assert.equal(refused.statusCode, 400);

  // Leave lines 3 and 4 out; then the file applies and the shop is rebilled from 1 October.
  const exclude = await app.inject({ method: 'POST', url: `/billing/voa/${importId}/exclude`, cookies: senior.cookies, payload: { _csrf: senior.csrf, lines: ['3', '4'] } });
  assert.equal(exclude.statusCode, 303);
  const apply = await app.inject({ method: 'POST', url: `/billing/voa/${importId}/apply`, cookies: senior.cookies, payload: { _csrf: senior.csrf } });
  assert.equal(apply.statusCode, 303, apply.body);
  assert.match(decodeURIComponent(apply.headers.location!), /Applied: 1 changed, 1 new, 1 bills issued/);
  const [rv] = await db.query<{ rateable_value_pounds: number }>('select rateable_value_pounds from properties where id = $1', [shop.propertyId]);
  assert.equal(rv.rateable_value_pounds, 13_500);

  // The same bytes uploaded again are the same import, not a second one.
  const again = await app.inject({ method: 'POST', url: '/billing/voa', cookies: senior.cookies, ...multipartForm({ _csrf: senior.csrf, kind: 'nndr_list' }, { field: 'file', filename: 'copy.txt', data: voaFixture('NDR_4250_20261120.txt') }) });
  assert.equal(again.headers.location, `/billing/voa/${importId}`);

  // A council tax schedule uploaded clean is ready to apply at once.
  const ct = await app.inject({ method: 'POST', url: '/billing/voa', cookies: senior.cookies, ...multipartForm({ _csrf: senior.csrf, kind: 'ct_bands' }, { field: 'file', filename: 'CT_4250_schedule_2026_0042.txt', data: voaFixture('CT_4250_schedule_2026_0042.txt') }) });
  assert.equal(ct.statusCode, 303);
  const ctPage = await app.inject({ method: 'GET', url: ct.headers.location!, cookies: senior.cookies });
  assert.match(ctPage.body, /Apply the changes and rebill/);
  assert.doesNotMatch(ctPage.body, /Cannot be read/);
});

test('the award page offers the empty property classes on a business rates account, and records one', async () => {
  f.clock.set('2026-11-20');
  const officer = await signIn('recovery.officer');
  const unit = await makeLiableAccount(db, { authorityId: f.authorities.wigan, kind: 'hereditament', rateableValuePounds: 16_000, description: 'Warehouse and premises', from: '2020-04-01' });
  const form = await app.inject({ method: 'GET', url: `/accounts/${unit.accountId}/awards/new`, cookies: officer.cookies });
  assert.equal(form.statusCode, 200);
  for (const expected of ['Empty: first 3 months free, then full rates', 'Empty qualifying industrial property: first 6 months free', 'Empty listed building', 'Empty since (empty property only)']) {
    assert.ok(form.body.includes(expected), expected);
  }
  assert.doesNotMatch(form.body, /Single person discount/);
  const missing = await app.inject({ method: 'POST', url: `/accounts/${unit.accountId}/awards/new`, cookies: officer.cookies,
    payload: { _csrf: officer.csrf, code: 'empty_industrial', 'fromDate-day': '1', 'fromDate-month': '10', 'fromDate-year': '2026' } });
  assert.equal(missing.statusCode, 400);
  assert.match(missing.body, /Enter the date the property became empty/);
  const made = await app.inject({ method: 'POST', url: `/accounts/${unit.accountId}/awards/new`, cookies: officer.cookies,
    payload: { _csrf: officer.csrf, code: 'empty_industrial', 'fromDate-day': '1', 'fromDate-month': '10', 'fromDate-year': '2026', 'emptySince-day': '1', 'emptySince-month': '10', 'emptySince-year': '2026' } });
  assert.equal(made.statusCode, 303, made.body);
  const charges = await app.inject({ method: 'GET', url: `/accounts/${unit.accountId}/charges`, cookies: officer.cookies });
  assert.match(charges.body, /Empty property relief \(first 6 months empty, industrial\)/);
});
