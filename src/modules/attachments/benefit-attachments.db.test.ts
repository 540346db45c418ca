// Attachment of benefits: request → DWP file → accepted → deductions received → cleared, on a real
// database; bad input refused with field names and nothing written; rejection, benefit ended and
// withdrawal; the pages and the JSON API through HTTP.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, TODAY, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import { bearerHeaders, signInThroughForm } from '../../../test/support/web-session.ts';
import type { Db } from '../../db/database.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import { parseCsv } from '../../integrations/open-data.ts';
import { DWP_REQUEST_COLUMNS } from '../../integrations/dwp/benefit-deduction-requests.ts';
import { createApp } from '../../web/app.ts';

let db: Db;
let f: FixtureCouncil;
let app: FastifyInstance;
before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
  app = await createApp({ services: f.services, logLevel: 'silent' });
  // A liability order for 2025/26 on the Hughes account: £260.00 owed that year, costs included.
  await db.query(`insert into recovery_steps (authority_id, account_id, financial_year, stage, issued_on, reason, outcome) values ($1, $2, 2025, 'liability_order', '2026-05-01', 'granted', 'granted')`,
    [f.authorities.wigan, f.accounts.hughesCt.id]);
});
afterEach(() => f.clock.set(TODAY));
after(async () => {
  await app.close();
  await db.close();
});

const fieldsOf = (e: unknown) => (e instanceof ValidationError ? e.fields.map((p) => p.field).sort() : []);
const count = async (sql: string) => (await db.query<{ n: number }>(sql))[0].n;
const written = () => Promise.all([
  count('select count(*)::int as n from benefit_attachments'),
  count(`select count(*)::int as n from documents where kind like 'aob_%'`),
  count(`select count(*)::int as n from ledger_entries where source like 'aob:%'`),
]);
const balance2025 = async (accountId: number) =>
  Number((await db.query<{ b: number }>('select coalesce(sum(amount_pence), 0)::bigint as b from ledger_entries where account_id = $1 and financial_year = 2025', [accountId]))[0].b);

test('bad input is refused with the fields named, and nothing is written', async () => {
  const officer = f.users.recovery_officer.actor;
  const good = { benefitType: 'income_support', niNumber: 'AB 12 34 56 C' };
  const cases: [number, Record<string, unknown>, string[]][] = [
    [f.accounts.hughesCt.id, { benefitType: 'income_support' }, ['niNumber']],
    [f.accounts.hughesCt.id, { benefitType: 'income_support', niNumber: '   ' }, ['niNumber']],
    [f.accounts.hughesCt.id, { benefitType: 'income_support', niNumber: 'QQ123456C' }, ['niNumber']], // QQ is never issued
    [f.accounts.hughesCt.id, { benefitType: 'housing_benefit', niNumber: 'AB123456C' }, ['benefitType']],
    [f.accounts.hughesCt.id, { benefitType: 'universal_credit', niNumber: 'AB123456C' }, ['ucAllowance']],
    [f.accounts.hughesCt.id, { ...good, requestedOn: '2027-01-01' }, ['requestedOn']],
    [f.accounts.okaforCt.id, good, ['accountId']], // no liability order
    [f.accounts.sundry.id, good, ['accountId']], // not council tax
  ];
  for (const [accountId, input, fields] of cases) {
    await assert.rejects(f.services.benefitAttachments.request(officer, accountId, input), (e: unknown) => {
      assert.deepEqual(fieldsOf(e), fields, JSON.stringify(input));
      return true;
    });
  }
  const noLo = await f.services.benefitAttachments.request(officer, f.accounts.okaforCt.id, good).catch((e: ValidationError) => e);
  assert.match((noLo as ValidationError).fields[0].message, /no liability order/);
  assert.deepEqual(await written(), [0, 0, 0], 'no request, no letter, no payment');
  await assert.rejects(f.services.benefitAttachments.request(f.users.auditor.actor, f.accounts.hughesCt.id, good), /permission|not allowed|cannot/i);
});

test('request → in one DWP file only → accepted → deductions received and monitored → cleared', async () => {
  const officer = f.users.recovery_officer.actor;
  const id = await f.services.benefitAttachments.request(officer, f.accounts.hughesCt.id, { benefitType: 'income_support', niNumber: 'ab 12 34 56 c' });
  let { attachment: b } = await f.services.benefitAttachments.get(officer, id);
  assert.deepEqual([b.status, b.ni_number, b.period, Number(b.deduction_pence), Number(b.requested_pence)], ['requested', 'AB123456C', 'weekly', 455, 26000],
    'legacy benefit: the fixed £4.55 a week; the request is for what is owed under the liability order');
  const [letter] = await db.query<{ kind: string; content: { to: { name: string }; blocks: { type: string; rows?: string[][] }[] } }>('select kind, content from documents where id = $1', [b.document_id]);
  assert.equal(letter.kind, 'aob_request');
  assert.equal(letter.content.to.name, 'Department for Work and Pensions');
  const rows = letter.content.blocks.find((x) => x.type === 'keyValue')!.rows!;
  assert.deepEqual(rows.find((r) => r[0] === 'National Insurance number'), ['National Insurance number', 'AB123456C']);
  assert.deepEqual(rows.find((r) => r[0] === 'Deduction applied for'), ['Deduction applied for', '£4.55 a week']);
  assert.deepEqual(rows.find((r) => r[0] === 'Liability orders for'), ['Liability orders for', '2025/26']);

  await assert.rejects(f.services.benefitAttachments.request(officer, f.accounts.hughesCt.id, { benefitType: 'pension_credit', niNumber: 'AB123456C' }), ConflictError, 'one at a time per debtor');
  await assert.rejects(f.services.benefitAttachments.recordReceipt(officer, id, { amountPence: 455 }), /not accepted/);

  // The bulk file carries the request once; the next file does not carry it again.
  const file = await f.services.benefitAttachments.dwpRequestFile(officer);
  assert.equal(file.requests, 1);
  const csv = parseCsv(file.csv);
  assert.deepEqual(csv[0], [...DWP_REQUEST_COLUMNS]);
  const line = Object.fromEntries(DWP_REQUEST_COLUMNS.map((c, i) => [c, csv[1][i]]));
  assert.deepEqual([line.request_id, line.council_reference, line.account_reference, line.ni_number, line.surname, line.forenames, line.date_of_birth],
    [String(id), 'E08000010', f.accounts.hughesCt.reference, 'AB123456C', 'Hughes', 'Margaret', '1961-03-14']);
  assert.deepEqual([line.benefit, line.deduction_period, line.deduction, line.amount_outstanding, line.liability_order_years], ['income_support', 'weekly', '4.55', '260.00', '2025/26']);
  const again = await f.services.benefitAttachments.dwpRequestFile(officer);
  assert.equal(again.requests, 0);
  assert.equal(parseCsv(again.csv).length, 1, 'header only');
  ({ attachment: b } = await f.services.benefitAttachments.get(officer, id));
  assert.equal(b.dwp_file, file.fileName);

  // DWP accepts; the first deduction on Monday 23 November.
  await assert.rejects(f.services.benefitAttachments.recordDecision(officer, id, { outcome: 'maybe' }), (e: unknown) => fieldsOf(e).includes('outcome'));
  await f.services.benefitAttachments.recordDecision(officer, id, { outcome: 'accepted', dwpReference: 'DWP-77', firstDeductionOn: '2026-11-23' });
  await assert.rejects(f.services.benefitAttachments.recordDecision(officer, id, { outcome: 'rejected', reason: 'x' }), ConflictError);

  // Three weeks on: three deductions expected, none paid over yet.
  let watch = await f.services.benefitAttachments.monitor(officer, '2026-12-14');
  assert.deepEqual(watch.map((w) => [Number(w.id), Number(w.expected_pence), Number(w.received_pence), Number(w.shortfall_pence)]), [[id, 1365, 0, 1365]]);
  assert.deepEqual(await f.services.benefitAttachments.monitorCounts(officer, '2026-12-14'), { running: 1, behind: 1 }, 'the hub\'s figures');
  f.clock.set('2026-12-14');
  assert.deepEqual(await f.services.benefitAttachments.recordReceipt(officer, id, { amountPence: 1365 }), { receivedPence: 1365, cleared: false });
  watch = await f.services.benefitAttachments.monitor(officer, '2026-12-14');
  assert.equal(Number(watch[0].shortfall_pence), 0);
  assert.deepEqual(await f.services.benefitAttachments.monitorCounts(officer, '2026-12-14'), { running: 1, behind: 0 });
  assert.equal(await balance2025(f.accounts.hughesCt.id), 26000 - 1365, 'posted as a payment against the liability-order year');
  const [entry] = await db.query<{ kind: string; amount_pence: number }>(`select kind, amount_pence from ledger_entries where source = $1`, [`aob:${id}`]);
  assert.deepEqual([entry.kind, Number(entry.amount_pence)], ['payment', -1365]);

  // The rest arrives (say DWP paid a lump from arrears): cleared, DWP told to stop.
  f.clock.set('2027-01-11');
  assert.deepEqual(await f.services.benefitAttachments.recordReceipt(officer, id, { amountPence: 24635 }), { receivedPence: 26000, cleared: true });
  ({ attachment: b } = await f.services.benefitAttachments.get(officer, id));
  assert.deepEqual([b.status, b.ended_on], ['cleared', '2027-01-11']);
  assert.equal(await balance2025(f.accounts.hughesCt.id), 0);
  assert.equal(await count(`select count(*)::int as n from documents where kind = 'aob_stop'`), 1, 'DWP told to stop');
  assert.deepEqual(await f.services.benefitAttachments.monitor(officer, '2027-01-11'), []);
  assert.deepEqual(await f.services.benefitAttachments.monitorCounts(officer, '2027-01-11'), { running: 0, behind: 0 });
  await assert.rejects(f.services.benefitAttachments.recordReceipt(officer, id, { amountPence: 100 }), /ended/);
  const history = await db.query<{ summary: string }>(`select summary from events where account_id = $1 and type = 'attachment' order by id`, [f.accounts.hughesCt.id]);
  assert.ok(history.some((e) => /DWP accepted/.test(e.summary)) && history.some((e) => /cleared, DWP told to stop/.test(e.summary)), 'on the account’s history');
});

test('Universal Credit at 5% of the standard allowance; rejected, then benefit ended; withdrawn tells DWP to stop', async () => {
  const officer = f.users.recovery_officer.actor;
  await db.query(`insert into recovery_steps (authority_id, account_id, financial_year, stage, issued_on, reason, outcome) values ($1, $2, 2026, 'liability_order', '2026-10-01', 'granted', 'granted')`,
    [f.authorities.wigan, f.accounts.okaforCt.id]);
  await db.query(`insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source) values ($1, 'cost', 12000, 2026, '2026-10-01', 'test')`, [f.accounts.okaforCt.id]);
  const first = await f.services.benefitAttachments.request(officer, f.accounts.okaforCt.id, { benefitType: 'universal_credit', ucAllowance: 'single_25_or_over', niNumber: 'JM 10 20 30 A' });
  const { attachment: uc } = await f.services.benefitAttachments.get(officer, first);
  assert.deepEqual([uc.period, Number(uc.deduction_pence)], ['monthly', 1967], '5% of £393.45');
  await assert.rejects(f.services.benefitAttachments.recordDecision(officer, first, { outcome: 'rejected' }), (e: unknown) => fieldsOf(e).join() === 'reason');
  await f.services.benefitAttachments.recordDecision(officer, first, { outcome: 'rejected', reason: 'Deductions limit reached' });
  assert.equal((await f.services.benefitAttachments.get(officer, first)).attachment.status, 'rejected');

  // A rejected request is closed: a new one can be made (say they moved to Pension Credit).
  const second = await f.services.benefitAttachments.request(officer, f.accounts.okaforCt.id, { benefitType: 'pension_credit', niNumber: 'JM102030A' });
  await f.services.benefitAttachments.recordDecision(officer, second, { outcome: 'accepted', deductionPence: 500, period: 'weekly' });
  assert.equal(Number((await f.services.benefitAttachments.get(officer, second)).attachment.deduction_pence), 500, 'DWP’s confirmed figure replaces the one applied for');
  const stops = await count(`select count(*)::int as n from documents where kind = 'aob_stop'`);
  await f.services.benefitAttachments.end(officer, second, { outcome: 'benefit_ended', note: 'DWP: claim closed' });
  assert.equal(await count(`select count(*)::int as n from documents where kind = 'aob_stop'`), stops, 'DWP told us, so no letter back');
  await assert.rejects(f.services.benefitAttachments.end(officer, second, { outcome: 'withdrawn' }), ConflictError);

  const third = await f.services.benefitAttachments.request(officer, f.accounts.okaforCt.id, { benefitType: 'jobseekers_allowance', niNumber: 'JM102030A' });
  // One route at a time: no enforcement agent while DWP has a request (or deductions are running).
  const firmId = await f.services.enforcement.addFirm(f.users.senior_recovery_officer.actor, { name: 'Test Agents Ltd', code: 'TAL' });
  await assert.rejects(f.services.enforcement.refer(officer, f.accounts.okaforCt.id, { firmId, financialYear: 2026 }), /Deductions from benefit have been asked of DWP/);
  await assert.rejects(f.services.benefitAttachments.end(officer, third, { outcome: 'paid' }), (e: unknown) => fieldsOf(e).join() === 'outcome');
  await f.services.benefitAttachments.end(officer, third, { outcome: 'withdrawn', note: 'Arrangement agreed' });
  const { attachment: w } = await f.services.benefitAttachments.get(officer, third);
  assert.deepEqual([w.status, w.end_reason], ['withdrawn', 'Arrangement agreed']);
  assert.equal(await count(`select count(*)::int as n from documents where kind = 'aob_stop'`), stops + 1);
  assert.equal((await f.services.enforcement.refer(officer, f.accounts.okaforCt.id, { firmId, financialYear: 2026 })).status, 'ready', 'withdrawn: the agent route is open again');
});

test('pages and API: the form from the account, the detail page, the queue and the bulk file', async () => {
  const officer = await signInThroughForm(app, 'recovery.officer');
  const headers = await bearerHeaders(f.services, f.users.recovery_officer.actor);
  const [c] = await db.query<{ id: number }>(`insert into customers (authority_id, kind, forenames, surname, display_name) values ($1, 'person', 'Web', 'Tester', 'Web Tester') returning id`, [f.authorities.wigan]);
  await db.query(`insert into customer_addresses (customer_id, address_line1, town, postcode, from_date) values ($1, '5 Wallgate', 'Wigan', 'WN1 1BA', '2025-04-01')`, [c.id]);
  const [acc] = await db.query<{ id: number }>(`insert into accounts (authority_id, reference, stream, customer_id, opened_on) values ($1, '100007770', 'council_tax', $2, '2025-04-01') returning id`, [f.authorities.wigan, c.id]);
  await db.query(`insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source) values ($1, 'charge', 50000, 2025, '2025-04-01', 'test')`, [acc.id]);

  const form = await app.inject({ method: 'GET', url: `/accounts/${acc.id}/benefit-attachments/new`, cookies: officer.cookies });
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /name="niNumber"/);
  const before = await written();
  const noLo = await app.inject({ method: 'POST', url: `/accounts/${acc.id}/benefit-attachments/new`, cookies: officer.cookies, payload: { _csrf: officer.csrf, benefitType: 'income_support', niNumber: 'AB123456C' } });
  assert.equal(noLo.statusCode, 400);
  assert.match(noLo.body, /href="#accountId"[^>]*>Account 100007770 has no liability order/);
  const noNi = await app.inject({ method: 'POST', url: `/accounts/${acc.id}/benefit-attachments/new`, cookies: officer.cookies, payload: { _csrf: officer.csrf, benefitType: 'income_support', niNumber: '' } });
  assert.equal(noNi.statusCode, 400);
  assert.match(noNi.body, /href="#niNumber"/);
  const api400 = await app.inject({ method: 'POST', url: `/api/v1/accounts/${acc.id}/benefit-attachments`, headers, payload: { benefitType: 'universal_credit' } });
  assert.equal(api400.statusCode, 400);
  assert.deepEqual(api400.json().error.fields.map((x: { field: string }) => x.field).sort(), ['niNumber']);
  assert.deepEqual(await written(), before, 'nothing written by the refusals');

  await db.query(`insert into recovery_steps (authority_id, account_id, financial_year, stage, issued_on, reason, outcome) values ($1, $2, 2025, 'liability_order', '2026-05-01', 'granted', 'granted')`, [f.authorities.wigan, acc.id]);
  const made = await app.inject({ method: 'POST', url: `/accounts/${acc.id}/benefit-attachments/new`, cookies: officer.cookies, payload: { _csrf: officer.csrf, benefitType: 'universal_credit', ucAllowance: 'joint_25_or_over', niNumber: 'ce 55 66 77 d' } });
  assert.equal(made.statusCode, 303, made.body);
  const id = Number(/\/benefit-attachments\/(\d+)/.exec(made.headers.location!)![1]);
  const page = await app.inject({ method: 'GET', url: `/benefit-attachments/${id}`, cookies: officer.cookies });
  assert.match(page.body, /CE556677D/);
  assert.match(page.body, /£30\.88 a month/);
  const pdfHref = /href="(\/documents\/\d+\/pdf)"/.exec(page.body)![1];
  const pdf = await app.inject({ method: 'GET', url: pdfHref, cookies: officer.cookies });
  assert.equal(pdf.statusCode, 200);
  assert.equal(pdf.rawPayload.subarray(0, 5).toString(), '%PDF-');

  const queue = await app.inject({ method: 'GET', url: '/attachments', cookies: officer.cookies });
  assert.match(queue.body, new RegExp(`href="/benefit-attachments/${id}">Web Tester`));
  const bulk = await app.inject({ method: 'POST', url: '/benefit-attachments/dwp-requests', cookies: officer.cookies, payload: { _csrf: officer.csrf } });
  assert.equal(bulk.statusCode, 200);
  assert.match(String(bulk.headers['content-disposition']), /dwp-deduction-requests-.*\.csv/);
  assert.match(bulk.body, /CE556677D,Tester,Web,,5 Wallgate,Wigan,,WN1 1BA,universal_credit,monthly,30\.88,500\.00,2025\/26,2026-11-22/);
  const none = await app.inject({ method: 'POST', url: '/api/v1/benefit-attachments/dwp-requests', headers });
  assert.equal(none.headers['x-levy-requests'], '0', 'already in a file');

  // DWP's answer with a bad amount names the page's field; then the rest through the API.
  const bad = await app.inject({ method: 'POST', url: `/benefit-attachments/${id}/decision`, cookies: officer.cookies, payload: { _csrf: officer.csrf, outcome: 'accepted', deduction: 'lots' } });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /href="#deduction"/);
  const ok = await app.inject({ method: 'POST', url: `/benefit-attachments/${id}/decision`, cookies: officer.cookies, payload: { _csrf: officer.csrf, outcome: 'accepted', firstDeductionOn: '2026-10-22' } });
  assert.equal(ok.statusCode, 303);
  // The hub counts it: running, and behind (a month has passed with nothing paid over).
  const hub = await app.inject({ method: 'GET', url: '/after-liability-order', cookies: officer.cookies });
  assert.match(hub.body, /Deductions from benefit behind \(of 1 running\)<\/a><\/td><td class="govuk-table__cell govuk-table__cell--numeric govuk-!-font-weight-bold">1</);
  const monitor = await app.inject({ method: 'GET', url: '/api/v1/benefit-attachments/monitor?asOf=2026-11-22', headers });
  assert.deepEqual(monitor.json().attachments.find((x: { id: number }) => x.id === id), { id, accountReference: '100007770', benefitType: 'universal_credit', period: 'monthly', deductionPence: 3088, expectedPence: 3088, receivedPence: 0, shortfallPence: 3088 });
  const receipt = await app.inject({ method: 'POST', url: `/api/v1/benefit-attachments/${id}/receipts`, headers, payload: { amountPence: 3088, receivedOn: '2026-11-20' } });
  assert.deepEqual([receipt.statusCode, receipt.json()], [201, { receivedPence: 3088, cleared: false }]);
  const end = await app.inject({ method: 'POST', url: `/benefit-attachments/${id}/end`, cookies: officer.cookies, payload: { _csrf: officer.csrf, endOutcome: 'withdrawn', note: 'Moved away' } });
  assert.equal(end.statusCode, 303);
  const got = await app.inject({ method: 'GET', url: `/api/v1/benefit-attachments/${id}`, headers: await bearerHeaders(f.services, f.users.auditor.actor) });
  assert.deepEqual([got.json().status, got.json().receivedPence, got.json().receipts], ['withdrawn', 3088, [{ receivedOn: '2026-11-20', amountPence: 3088 }]]);
  const refused = await app.inject({ method: 'POST', url: `/api/v1/benefit-attachments/${id}/end`, headers: await bearerHeaders(f.services, f.users.auditor.actor), payload: { outcome: 'withdrawn' } });
  assert.equal(refused.statusCode, 403);
  const openapi = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
  assert.ok(openapi.paths['/api/v1/benefit-attachments/dwp-requests'] && openapi.paths['/api/v1/accounts/{accountId}/benefit-attachments']);
});
