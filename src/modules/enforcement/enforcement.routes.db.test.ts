// Enforcement pages and API through HTTP (Fastify inject): the account's enforcement page in its
// clear, senior-decision and blocked states, referral by the allocation rules, recall and the recall
// file, the rules page, the charging order, bankruptcy and committal pages, and the new API routes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { openTestDb } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil, type FixtureCouncil } from '../../../test/support/fixture-council.ts';
import { bearerHeaders, signInThroughForm } from '../../../test/support/web-session.ts';
import type { Db } from '../../db/database.ts';
import { createApp } from '../../web/app.ts';

let db: Db;
let f: FixtureCouncil;
let app: FastifyInstance;
let firmId: number;
let n = 0;

async function debtorAccount(options: { warning?: string; pence?: number } = {}) {
  n += 1;
  const [c] = await db.query<{ id: number }>(`insert into customers (authority_id, kind, surname, display_name, warning, date_of_birth) values ($1, 'person', 'Page', 'Pat Page ' || $2::text, $3, '1970-01-01') returning id`, [f.authorities.wigan, n, options.warning ?? null]);
  await db.query(`insert into customer_addresses (customer_id, address_line1, town, postcode, from_date) values ($1, '3 Church St', 'Wigan', 'WN5 0AA', '2024-04-01')`, [c.id]);
  const [p] = await db.query<{ id: number }>(`insert into properties (authority_id, kind, address_line1, town, postcode, band) values ($1, 'dwelling', $2 || ' Church St', 'Wigan', 'WN5 0AA', 'B') returning id`, [f.authorities.wigan, n]);
  const [a] = await db.query<{ id: number }>(`insert into accounts (authority_id, reference, stream, customer_id, property_id, opened_on) values ($1, $2, 'council_tax', $3, $4, '2024-04-01') returning id`, [f.authorities.wigan, `1000${9000 + n}0`, c.id, p.id]);
  await db.query(`insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source) values ($1, 'charge', $2, 2026, '2026-04-01', 'test')`, [a.id, options.pence ?? 180000]);
  await db.query(`insert into recovery_steps (authority_id, account_id, financial_year, stage, issued_on, reason) values ($1, $2, 2026, 'liability_order', '2026-10-01', 'granted')`, [f.authorities.wigan, a.id]);
  return Number(a.id);
}

before(async () => {
  db = await openTestDb();
  f = await buildFixtureCouncil(db);
  app = await createApp({ services: f.services, logLevel: 'silent' });
  firmId = await f.services.enforcement.addFirm(f.users.senior_recovery_officer.actor, { name: 'Northern Enforcement Ltd', code: 'NEL' });
});
after(async () => {
  await app.close();
  await db.close();
});

test('rules page: a senior adds a fallback rule (errors shown on the form), an officer can only read', async () => {
  const senior = await signInThroughForm(app, 'senior.recovery.officer');
  const bad = await app.inject({ method: 'POST', url: '/enforcement/allocation-rules', cookies: senior.cookies, payload: { _csrf: senior.csrf, stream: 'council_tax', postcodePrefixes: 'WN1 1AA', minBalance: 'lots' } });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /govuk-error-summary/);
  assert.match(bad.body, /Enter an amount in pounds/);
  const good = await app.inject({ method: 'POST', url: '/enforcement/allocation-rules', cookies: senior.cookies, payload: { _csrf: senior.csrf, fallback: 'yes', stream: '', [`share_${firmId}`]: '1' } });
  assert.equal(good.statusCode, 303);
  const page = await app.inject({ method: 'GET', url: '/enforcement/allocation-rules', cookies: senior.cookies });
  assert.match(page.body, /Fallback<\/strong> every case no other rule matches/);
  assert.match(page.body, /Northern Enforcement Ltd/);

  const officer = await signInThroughForm(app, 'recovery.officer');
  const read = await app.inject({ method: 'GET', url: '/enforcement/allocation-rules', cookies: officer.cookies });
  assert.equal(read.statusCode, 200);
  assert.doesNotMatch(read.body, /Add a rule/);
  const refused = await app.inject({ method: 'POST', url: '/enforcement/allocation-rules', cookies: officer.cookies, payload: { _csrf: officer.csrf, fallback: 'yes', [`share_${firmId}`]: '1' } });
  assert.equal(refused.statusCode, 403);
});

test('the account page links to enforcement; refer by the rules, recall with a reason, and the recall file', async () => {
  const account = await debtorAccount();
  const { cookies, csrf } = await signInThroughForm(app, 'recovery.officer');
  const accountPage = await app.inject({ method: 'GET', url: `/accounts/${account}`, cookies });
  assert.match(accountPage.body, new RegExp(`href="/accounts/${account}/enforcement">Enforcement agents and court remedies`));

  const page = await app.inject({ method: 'GET', url: `/accounts/${account}/enforcement`, cookies });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Pre-referral checks/);
  assert.doesNotMatch(page.body, /Blocks referral|Senior decision<\/strong>/);
  assert.match(page.body, /2026\/27: £1,800\.00 owed/);

  const missing = await app.inject({ method: 'POST', url: `/accounts/${account}/enforcement/refer`, cookies, payload: { _csrf: csrf, firmId: '' } });
  assert.equal(missing.statusCode, 400);
  assert.match(missing.body, /Enter the financial year/);

  const referred = await app.inject({ method: 'POST', url: `/accounts/${account}/enforcement/refer`, cookies, payload: { _csrf: csrf, firmId: '', financialYear: '2026' } });
  assert.equal(referred.statusCode, 303);
  assert.match(decodeURIComponent(referred.headers.location as string), /Referred to Northern Enforcement Ltd \(by the allocation rules\)/);
  const [ref] = await db.query<{ id: number }>('select id from ea_referrals where account_id = $1', [account]);
  await f.services.enforcement.exportForFirm(f.users.recovery_officer.actor, firmId);

  const withRecall = await app.inject({ method: 'GET', url: `/accounts/${account}/enforcement`, cookies });
  assert.match(withRecall.body, new RegExp(`action="/enforcement/referrals/${ref.id}/recall"`));
  assert.match(withRecall.body, /Every year under a liability order is already referred or paid/);

  const recalled = await app.inject({ method: 'POST', url: `/enforcement/referrals/${ref.id}/recall`, cookies, payload: { _csrf: csrf, reason: 'arrangement', note: 'Agreed £50 a month', returnTo: `/accounts/${account}/enforcement` } });
  assert.equal(recalled.statusCode, 303);
  assert.match(recalled.headers.location as string, new RegExp(`^/accounts/${account}/enforcement\\?message=`));
  const after = await app.inject({ method: 'GET', url: recalled.headers.location as string, cookies });
  assert.match(after.body, /the firm is told in its next recall file/);
  assert.match(after.body, /Recalled<br><span class="govuk-body-s">Arrangement,/);

  const hub = await app.inject({ method: 'GET', url: '/after-liability-order', cookies });
  assert.match(hub.body, /Recalls to send to enforcement firms<\/a><\/td><td class="govuk-table__cell govuk-table__cell--numeric govuk-!-font-weight-bold">1</);
  assert.match(hub.body, /href="\/enforcement\/allocation-rules"/);
  const list = await app.inject({ method: 'GET', url: '/enforcement?status=recalled', cookies });
  assert.match(list.body, new RegExp(`action="/enforcement/firms/${firmId}/recalls.csv"`));
  assert.match(list.body, />Northern Enforcement Ltd: 1 recall</);

  // It marks recalls as sent, so it is a form post with the CSRF token, never a link.
  assert.equal((await app.inject({ method: 'GET', url: `/enforcement/firms/${firmId}/recalls.csv`, cookies })).statusCode, 404);
  assert.equal((await app.inject({ method: 'POST', url: `/enforcement/firms/${firmId}/recalls.csv`, cookies, payload: {} })).statusCode, 403);
  const file = await app.inject({ method: 'POST', url: `/enforcement/firms/${firmId}/recalls.csv`, cookies, payload: { _csrf: csrf } });
  assert.equal(file.statusCode, 200);
  assert.match(file.headers['content-disposition'] as string, /NEL-recalls-\d{4}-\d\d-\d\d\.csv/);
  assert.match(file.body, new RegExp(`^referral_id,.*\\r\\n${ref.id},1000\\d+,Pat Page \\d+,2026/27,\\d{4}-\\d\\d-\\d\\d,arrangement,Arrangement agreed with the council\\r\\n$`));
});

test('the referral form shows the senior-decision and blocked states', async () => {
  const { cookies } = await signInThroughForm(app, 'recovery.officer');
  const warned = await debtorAccount({ warning: 'Aggressive on the doorstep' });
  const senior = await app.inject({ method: 'GET', url: `/accounts/${warned}/enforcement`, cookies });
  assert.match(senior.body, /Senior decision<\/strong>/);
  assert.match(senior.body, /A referral will wait for a senior officer’s decision/);

  const held = await debtorAccount();
  await f.services.holds.createHold(f.users.recovery_officer.actor, { accountId: held }, { type: 'dispute', reason: 'Liability disputed' });
  const blocked = await app.inject({ method: 'GET', url: `/accounts/${held}/enforcement`, cookies });
  assert.match(blocked.body, /Blocks referral<\/strong>/);
  assert.match(blocked.body, /cannot be referred to an enforcement agent while a check blocks it/);
  assert.doesNotMatch(blocked.body, /Refer to enforcement agent/);
});

test('charging order, bankruptcy and committal pages show their checks; applying records the decision and links the court document', async () => {
  const account = await debtorAccount({ pence: 180000 });
  const { cookies, csrf } = await signInThroughForm(app, 'senior.recovery.officer');
  const co = await app.inject({ method: 'GET', url: `/accounts/${account}/remedies/charging_order`, cookies });
  assert.equal(co.statusCode, 200);
  assert.match(co.body, /At least £1,000\.00 must be outstanding under liability orders \(regulation 50\)/);
  assert.match(co.body, /Apply and prepare the court document/);
  const bk = await app.inject({ method: 'GET', url: `/accounts/${account}/remedies/bankruptcy`, cookies });
  assert.match(bk.body, /A petition debt must be at least £5,000\.00: £1,800\.00 is outstanding/);
  assert.match(bk.body, /Record as refused at the checks/);
  const cm = await app.inject({ method: 'GET', url: `/accounts/${account}/remedies/committal?meansInquiryOn=2026-11-02&finding=wilful_refusal`, cookies });
  assert.match(cm.body, /Means inquiry on 2 November 2026: wilful refusal/);
  assert.match(cm.body, /Enforcement agents must be tried first/);
  const badDate = await app.inject({ method: 'GET', url: `/accounts/${account}/remedies/committal?meansInquiryOn=2026-02-31`, cookies });
  assert.equal(badDate.statusCode, 400);
  assert.equal((await app.inject({ method: 'GET', url: `/accounts/${account}/remedies/distress`, cookies })).statusCode, 404);

  const applied = await app.inject({ method: 'POST', url: `/accounts/${account}/remedies/charging_order`, cookies, payload: { _csrf: csrf } });
  assert.equal(applied.statusCode, 303);
  const refused = await app.inject({ method: 'POST', url: `/accounts/${account}/remedies/bankruptcy`, cookies, payload: { _csrf: csrf } });
  assert.match(decodeURIComponent(refused.headers.location as string), /refused at the checks/);
  const page = await app.inject({ method: 'GET', url: `/accounts/${account}/enforcement`, cookies });
  const [doc] = await db.query<{ document_id: number; id: number }>(`select id, document_id from remedy_applications where account_id = $1 and kind = 'charging_order'`, [account]);
  assert.ok(doc.document_id);
  assert.match(page.body, new RegExp(`href="/documents/${doc.document_id}/pdf">Document for the court \\(PDF\\)`));
  assert.match(page.body, /A petition debt must be at least £5,000\.00/);

  const decided = await app.inject({ method: 'POST', url: `/remedies/${doc.id}/outcome`, cookies, payload: { _csrf: csrf, outcome: 'granted', note: 'Interim charging order made', returnTo: `/accounts/${account}/enforcement` } });
  assert.equal(decided.statusCode, 303);
  const [row] = await db.query<{ status: string }>('select status from remedy_applications where id = $1', [doc.id]);
  assert.equal(row.status, 'granted');
});

test('API: bulk referral by the rules, recall by reference, the rules, and OpenAPI', async () => {
  const headers = await bearerHeaders(f.services, f.users.senior_recovery_officer.actor);
  const a = await debtorAccount();
  const [{ reference }] = await db.query<{ reference: string }>('select reference from accounts where id = $1', [a]);
  const bulk = await app.inject({ method: 'POST', url: '/api/v1/enforcement/referrals/bulk', headers, payload: { cases: [{ accountReference: reference, financialYear: 2026 }, { accountReference: 'nope', financialYear: 2026 }] } });
  assert.equal(bulk.statusCode, 200, bulk.body);
  const body = bulk.json();
  assert.equal(body.referred[0].firmName, 'Northern Enforcement Ltd');
  assert.equal(body.notReferred[0].accountReference, 'nope');
  const preview = await app.inject({ method: 'GET', url: `/api/v1/accounts/${a}/enforcement`, headers });
  assert.equal(preview.json().years[0].live, true);
  const recall = await app.inject({ method: 'POST', url: '/api/v1/enforcement/recalls', headers, payload: { reason: 'error', cases: [{ accountReference: reference }] } });
  assert.equal(recall.statusCode, 200, recall.body);
  assert.equal(recall.json().recalled[0].firmToBeTold, false);
  const rules = await app.inject({ method: 'GET', url: '/api/v1/enforcement/allocation-rules', headers });
  assert.equal(rules.json().rules[0].fallback, true);
  const badRule = await app.inject({ method: 'POST', url: '/api/v1/enforcement/allocation-rules', headers, payload: { stream: 'council_tax', firms: [{ firmId, share: 0 }] } });
  assert.equal(badRule.statusCode, 400);
  const openapi = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
  for (const path of ['/api/v1/enforcement/referrals/bulk', '/api/v1/enforcement/recalls', '/api/v1/enforcement/allocation-rules', '/api/v1/enforcement/allocation-rules/{ruleId}', '/api/v1/enforcement/referrals/{referralId}/recall', '/api/v1/enforcement/firms/{firmId}/recalls'])
    assert.ok(openapi.paths[path], path);
});
