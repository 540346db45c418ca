// A small council for the reports (issue 7) with every figure worked out by hand: Burnley, beside
// the standard fixture's Wigan and Cardiff, with its own manager, officer and auditor. Today is the
// standard fixture's 22 November 2026. The expected figures are in the comments and in
// src/modules/reports/reports.db.test.ts, which checks each one to the penny.
//
// Council tax (CT) accounts, 2025/26 and 2026/27:
//   A Alice Ashworth   25/26 charge 1,200.00 − SPD 300.00, paid 10 × 90.00 (1 Apr 2025 – 1 Jan 2026)
//                      26/27 charge 1,260.00 − SPD 315.00, plan 10 × 94.50, paid 8 × 94.50 (Apr–Nov)
//   B Bob Birtwistle*  25/26 1,500.00 paid in full; 26/27 1,500.00, plan 10 × 150.00, paid Apr–Jul
//   C Carol Clegg*     26/27 charge 1,600.00 − SPD 400.00, plan 10 × 120.00, paid Apr–Nov
//   D Eve Entwistle, jointly with Dave Duckworth* (no instalment plans: legacy)
//                      25/26 1,000.00, paid 950.00 on 1 Jun 2025, costs 80.00 (10 Feb 2026)
//                      26/27 1,000.00, paid 400.00 on 1 May 2026
//   E Frank Fielding   25/26 900.00 paid 1 Apr 2025; 26/27 960.00 prepaid on 20 Mar 2026;
//                      50.00 paid on 10 Nov 2026 towards 2027/28 (a prepayment for next year)
//   F Grace Greenhalgh 25/26 800.00, paid 850.00, 50.00 refunded on 30 Mar 2026 (before the year end)
//                      26/27 840.00 paid 2 Apr 2026
//   G Harry Haworth    25/26 600.00, paid 620.00, 20.00 refunded on 15 Apr 2026 (after the year end)
//   H Ivy Ingham       25/26 1,000.00, paid 500.00, costs 80.00; in 2026/27 paid 200.00 of arrears,
//                      80.00 allocated to the costs (through the payments module), 100.00 written
//                      off (uneconomic) and 20.00 written back on; 26/27 1,000.00 unpaid
//   M Mo Moss          24/25 500.00 unpaid; an attachment of earnings order sends 20.00 in July,
//                      August and September 2026
// Business rates (NNDR): J Jolly Cafe Ltd, K Kay's Garage. Sundry: L Liam Lord (5.00 written off as
// untraceable, then written back on). Arrangements, an employer, and two enforcement agent firms.
// * councillors (customers.is_councillor), plus Zoe Zed, a councillor with no account.
import type { Db } from '../../src/db/database.ts';
import { makeAccountReference, type Stream } from '../../src/domain/account-reference.ts';
import type { Actor } from '../../src/modules/auth/context.ts';
import type { Role } from '../../src/modules/auth/roles.ts';
import { createRepositories } from '../../src/services.ts';
import { buildFixtureCouncil, PASSWORD } from './fixture-council.ts';

export { PASSWORD };
export const BURNLEY = 'E07000117';

/** The first of each month from `from` for `count` months, as YYYY-MM-01. */
function monthlyFirsts(from: string, count: number): string[] {
  const [y, m] = from.split('-').map(Number);
  return Array.from({ length: count }, (_, i) => {
    const index = y * 12 + (m - 1) + i;
    return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
  });
}

export async function buildReportsFixture(db: Db) {
  const base = await buildFixtureCouncil(db);
  const { services } = base;
  const [burnley] = await db.query<{ id: number }>(
    `insert into billing_authorities (ons_code, name, nation) values ($1, 'Burnley', 'england') returning id`, [BURNLEY]);
  const authorityId = burnley.id;

  const users = {} as Record<'manager' | 'officer' | 'auditor' | 'administrator', { id: number; actor: Actor; username: string }>;
  const roles: [keyof typeof users, Role][] = [['manager', 'recovery_manager'], ['officer', 'recovery_officer'], ['auditor', 'auditor'], ['administrator', 'recovery_administrator']];
  for (const [key, role] of roles) {
    const username = `burnley.${key}`;
    const id = await services.auth.addUser(null, { username, displayName: `Burnley ${key}`, password: PASSWORD, role, authorityIds: [authorityId] });
    users[key] = { id, username, actor: { userId: id, username, role, authorityIds: [authorityId] } };
  }

  const person = async (forenames: string, surname: string, councillor = false) => {
    const [row] = await db.query<{ id: number }>(
      `insert into customers (authority_id, kind, forenames, surname, display_name, is_councillor) values ($1, 'person', $2, $3, $4, $5) returning id`,
      [authorityId, forenames, surname, `${forenames} ${surname}`, councillor]);
    return row.id;
  };
  const business = async (name: string) => {
    const [row] = await db.query<{ id: number }>(
      `insert into customers (authority_id, kind, business_name, display_name) values ($1, 'business', $2, $2) returning id`, [authorityId, name]);
    return row.id;
  };
  let propertyNo = 0;
  const account = async (number: number, customerId: number, stream: Stream, parties: number[] = [customerId]) => {
    propertyNo++;
    const [property] = await db.query<{ id: number }>(
      stream === 'business_rates'
        ? `insert into properties (authority_id, kind, address_line1, town, postcode, rateable_value_pounds) values ($1, 'hereditament', $2, 'Burnley', 'BB11 1AA', 25000) returning id`
        : `insert into properties (authority_id, kind, address_line1, town, postcode, band) values ($1, 'dwelling', $2, 'Burnley', 'BB10 2AB', 'C') returning id`,
      [authorityId, `${propertyNo} Report Street`]);
    const reference = makeAccountReference(stream, number);
    const [row] = await db.query<{ id: number }>(
      `insert into accounts (authority_id, reference, stream, customer_id, property_id, opened_on) values ($1, $2, $3, $4, $5, '2025-04-01') returning id`,
      [authorityId, reference, stream, customerId, stream === 'sundry' ? null : property.id]);
    const [liability] = await db.query<{ id: number }>(
      `insert into liabilities (account_id, property_id, from_date) values ($1, $2, '2025-04-01') returning id`, [row.id, property.id]);
    for (const party of parties) await db.query('insert into liability_parties (liability_id, customer_id) values ($1, $2)', [liability.id, party]);
    return { id: row.id, reference, customerId };
  };
  const post = (accountId: number, kind: string, amount: number, year: number, date: string, reason: string | null = null) =>
    db.query(`insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source, reason) values ($1, $2, $3, $4, $5, 'fixture', $6)`,
      [accountId, kind, amount, year, date, reason]);
  const payMonthly = async (accountId: number, amount: number, year: number, from: string, count: number) => {
    for (const date of monthlyFirsts(from, count)) await post(accountId, 'payment', -amount, year, date);
  };
  const plan = async (accountId: number, year: number, issuedOn: string, amount: number, count: number) => {
    const [p] = await db.query<{ id: number }>(
      `insert into instalment_plans (account_id, financial_year, issued_on, total_pence) values ($1, $2, $3, $4) returning id`,
      [accountId, year, issuedOn, amount * count]);
    const dates = monthlyFirsts(`${year}-04-01`, count);
    for (let i = 0; i < count; i++) await db.query('insert into instalments (plan_id, seq, due_date, amount_pence) values ($1, $2, $3, $4)', [p.id, i + 1, dates[i], amount]);
  };

  // ---- Council tax ----
  const alice = await person('Alice', 'Ashworth');
  const A = await account(7001, alice, 'council_tax');
  await post(A.id, 'charge', 120000, 2025, '2025-04-01');
  await post(A.id, 'adjustment', -30000, 2025, '2025-04-01', 'Single person discount');
  await payMonthly(A.id, 9000, 2025, '2025-04-01', 10);
  await post(A.id, 'charge', 126000, 2026, '2026-04-01');
  await post(A.id, 'adjustment', -31500, 2026, '2026-04-01', 'Single person discount');
  await plan(A.id, 2026, '2026-03-10', 9450, 10);
  await payMonthly(A.id, 9450, 2026, '2026-04-01', 8);

  const bob = await person('Bob', 'Birtwistle', true);
  const B = await account(7002, bob, 'council_tax');
  await post(B.id, 'charge', 150000, 2025, '2025-04-01');
  await payMonthly(B.id, 15000, 2025, '2025-04-01', 10);
  await post(B.id, 'charge', 150000, 2026, '2026-04-01');
  await plan(B.id, 2026, '2026-03-10', 15000, 10);
  await payMonthly(B.id, 15000, 2026, '2026-04-01', 4);

  const carol = await person('Carol', 'Clegg', true);
  const C = await account(7003, carol, 'council_tax');
  await post(C.id, 'charge', 160000, 2026, '2026-04-01');
  await post(C.id, 'adjustment', -40000, 2026, '2026-04-01', 'Single person discount');
  await plan(C.id, 2026, '2026-03-10', 12000, 10);
  await payMonthly(C.id, 12000, 2026, '2026-04-01', 8);

  const eve = await person('Eve', 'Entwistle');
  const dave = await person('Dave', 'Duckworth', true);
  const D = await account(7004, eve, 'council_tax', [eve, dave]);
  await post(D.id, 'charge', 100000, 2025, '2025-04-01');
  await post(D.id, 'payment', -95000, 2025, '2025-06-01');
  await post(D.id, 'cost', 8000, 2025, '2026-02-10', 'Summons costs');
  await post(D.id, 'charge', 100000, 2026, '2026-04-01');
  await post(D.id, 'payment', -40000, 2026, '2026-05-01');

  const frank = await person('Frank', 'Fielding');
  const E = await account(7005, frank, 'council_tax');
  await post(E.id, 'charge', 90000, 2025, '2025-04-01');
  await post(E.id, 'payment', -90000, 2025, '2025-04-01');
  await post(E.id, 'charge', 96000, 2026, '2026-04-01');
  await post(E.id, 'payment', -96000, 2026, '2026-03-20'); // prepaid before the year began
  await post(E.id, 'payment', -5000, 2027, '2026-11-10'); // towards 2027/28

  const grace = await person('Grace', 'Greenhalgh');
  const F = await account(7006, grace, 'council_tax');
  await post(F.id, 'charge', 80000, 2025, '2025-04-01');
  await post(F.id, 'payment', -85000, 2025, '2025-05-01');
  await post(F.id, 'refund', 5000, 2025, '2026-03-30', 'Refund 1: overpaid');
  await post(F.id, 'charge', 84000, 2026, '2026-04-01');
  await post(F.id, 'payment', -84000, 2026, '2026-04-02');

  const harry = await person('Harry', 'Haworth');
  const G = await account(7007, harry, 'council_tax');
  await post(G.id, 'charge', 60000, 2025, '2025-04-01');
  await post(G.id, 'payment', -62000, 2025, '2025-04-10');
  await post(G.id, 'refund', 2000, 2025, '2026-04-15', 'Refund 2: overpaid');

  const ivy = await person('Ivy', 'Ingham');
  const H = await account(7008, ivy, 'council_tax');
  await post(H.id, 'charge', 100000, 2025, '2025-04-01');
  await post(H.id, 'payment', -50000, 2025, '2025-09-01');
  await post(H.id, 'cost', 8000, 2025, '2026-02-20', 'Summons costs');
  await post(H.id, 'charge', 100000, 2026, '2026-04-01');
  await post(H.id, 'payment', -20000, 2025, '2026-06-15');
  // £80.00 received on 1 July 2026 through the payments module: costs first, so it pays the costs.
  const repos = createRepositories(db);
  await db.transaction(async (tx) => {
    const [receipt] = await tx.query<{ id: number }>(
      `insert into receipts (authority_id, transaction_key, channel, amount_pence, received_on, reference, account_id, status)
       values ($1, 'fixture-ivy-costs', 'bank_transfer', 8000, '2026-07-01', $2, $3, 'allocated') returning id`, [authorityId, H.reference, H.id]);
    await repos.receipts.allocate(tx, [receipt.id], { now: new Date('2026-07-01T12:00:00Z'), userId: null, bySystem: 'fixture', currentYear: 2026 });
  });
  await post(H.id, 'write_off', -10000, 2025, '2026-09-01', 'Uneconomic to pursue');
  await post(H.id, 'write_on', 2000, 2025, '2026-10-01', 'Uneconomic to pursue');

  // ---- Business rates and sundry ----
  const jolly = await business('Jolly Cafe Ltd');
  const J = await account(8001, jolly, 'business_rates');
  await post(J.id, 'charge', 500000, 2025, '2025-04-01');
  await post(J.id, 'adjustment', -100000, 2025, '2025-04-01', 'Small business rate relief');
  await payMonthly(J.id, 40000, 2025, '2025-04-01', 10);
  await post(J.id, 'charge', 520000, 2026, '2026-04-01');
  await post(J.id, 'adjustment', -104000, 2026, '2026-04-01', 'Small business rate relief');
  await payMonthly(J.id, 41600, 2026, '2026-04-01', 8);

  const kay = await business("Kay's Garage");
  const K = await account(8002, kay, 'business_rates');
  await post(K.id, 'charge', 300000, 2025, '2025-04-01');
  await post(K.id, 'payment', -240000, 2025, '2025-06-01');
  await post(K.id, 'write_off', -5000, 2025, '2026-08-01', 'Insolvent');
  await post(K.id, 'charge', 310000, 2026, '2026-04-01');
  await post(K.id, 'payment', -100000, 2026, '2026-05-01');

  const liam = await person('Liam', 'Lord');
  const L = await account(9001, liam, 'sundry');
  await post(L.id, 'charge', 12500, 2026, '2026-06-01', 'Trade waste');

  const zoe = await person('Zoe', 'Zed', true);

  // Mo Moss: 2024/25 left unpaid; an attachment of earnings order from June 2026 sends 20.00 a month.
  const mo = await person('Mo', 'Moss');
  const M = await account(7009, mo, 'council_tax');
  await post(M.id, 'charge', 50000, 2024, '2024-04-01');
  const [employer] = await db.query<{ id: number }>(`insert into employers (authority_id, name) values ($1, 'Burnley Biscuits Ltd') returning id`, [authorityId]);
  const [order] = await db.query<{ id: number }>(
    `insert into attachment_orders (authority_id, account_id, customer_id, employer_id, made_on, pay_period, net_earnings_pence, deduction_pence, rate, table_source, order_pence)
     values ($1, $2, $3, $4, '2026-06-01', 'monthly', 80000, 2000, '3%', 'England (SI 2006/3395)', 50000) returning id`, [authorityId, M.id, mo, employer.id]);
  for (const on of ['2026-07-01', '2026-08-01', '2026-09-01']) {
    const [entry] = await db.query<{ id: number }>(
      `insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source, reason) values ($1, 'payment', -2000, 2024, $2, 'fixture', 'Attachment of earnings') returning id`, [M.id, on]);
    await db.query('insert into attachment_remittances (order_id, received_on, amount_pence, ledger_entry_id) values ($1, $2, 2000, $3)', [order.id, on, entry.id]);
  }
  await db.query(`insert into attachment_orders (authority_id, account_id, customer_id, employer_id, made_on, pay_period, net_earnings_pence, deduction_pence, rate, table_source, order_pence, status, ended_on)
                  values ($1, $2, $3, $4, '2025-09-01', 'weekly', 20000, 600, '3%', 'England (SI 2006/3395)', 9000, 'cleared', '2026-05-20')`, [authorityId, D.id, eve, employer.id]);

  // Arrangements: one being paid, one kept and one broken this year, one broken last year.
  const arrangement = (customerId: number, total: number, status: string, createdAt: string, statusOn: string | null) =>
    db.query(`insert into arrangements (authority_id, customer_id, frequency, instalment_pence, total_pence, starts_on, status, status_on, created_at)
              values ($1, $2, 'monthly', 5000, $3, $4::timestamptz::date, $5, $6, $4)`, [authorityId, customerId, total, createdAt, status, statusOn]);
  await arrangement(eve, 30000, 'active', '2026-04-20T10:00:00Z', null);
  await arrangement(ivy, 20000, 'kept', '2026-05-10T10:00:00Z', '2026-09-30');
  await arrangement(kay, 60000, 'broken', '2026-06-01T10:00:00Z', '2026-08-15');
  await arrangement(alice, 10000, 'broken', '2025-10-01T10:00:00Z', '2026-01-10');

  // Enforcement agents: Kay's business rates with one firm (no return yet), Ivy's council tax with another.
  const firm = async (name: string, code: string) =>
    (await db.query<{ id: number }>(`insert into ea_firms (authority_id, name, code) values ($1, $2, $3) returning id`, [authorityId, name, code]))[0].id;
  const northern = await firm('Northern Enforcement', 'NE');
  const pennine = await firm('Pennine Agents', 'PA');
  await db.query(`insert into ea_referrals (authority_id, account_id, customer_id, financial_year, firm_id, sum_pence, status, exported_at)
                  values ($1, $2, $3, 2025, $4, 55000, 'with_agent', '2026-10-20T10:00:00Z')`, [authorityId, K.id, kay, northern]);
  const [ivyReferral] = await db.query<{ id: number }>(
    `insert into ea_referrals (authority_id, account_id, customer_id, financial_year, firm_id, sum_pence, status, exported_at, collected_pence)
     values ($1, $2, $3, 2025, $4, 22000, 'closed', '2026-07-10T10:00:00Z', 5000) returning id`, [authorityId, H.id, ivy, pennine]);
  await db.query(`insert into ea_returns (referral_id, file_name, line_no, status, returned_on, paid_pence, fee_stage, fee_pence)
                  values ($1, 'pa-returns.csv', 1, 'part_paid', '2026-08-20', 5000, 'compliance', 7500), ($1, 'pa-returns.csv', 2, 'returned', '2026-09-15', 0, null, 0)`, [ivyReferral.id]);

  // Liam's sundry debt written off as untraceable, then written back on when he was found.
  const [liamOff] = await db.query<{ id: number }>(
    `insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source, reason) values ($1, 'write_off', -500, 2026, '2026-10-10', 'fixture', 'Untraceable') returning id`, [L.id]);
  await db.query(`insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source, reason, reverses_entry_id)
                  values ($1, 'write_on', 500, 2026, '2026-11-01', 'fixture', 'Debtor traced to a new address', $2)`, [L.id, liamOff.id]);

  // ---- Suspense and refunds ----
  for (const [key, amount, on] of [['s1', 1500, '2026-11-20'], ['s2', 2500, '2026-10-01'], ['s3', 999, '2025-10-01']] as const) {
    await db.query(`insert into receipts (authority_id, transaction_key, channel, amount_pence, received_on, status, suspense_reason) values ($1, $2, 'bank_transfer', $3, $4, 'suspense', 'No reference')`,
      [authorityId, `fixture-${key}`, amount, on]);
  }
  const refund = (accountId: number | null, amount: number, status: string, at: string) =>
    db.query(`insert into refunds (authority_id, account_id, amount_pence, payee_name, sort_code, account_number, reason, status, needs_approval, requested_at)
              values ($1, $2, $3, 'Payee', '200000', '12345678', 'Overpaid', $4, false, $5)`, [authorityId, accountId, amount, status, at]);
  await refund(F.id, 5000, 'paid', '2026-03-30T10:00:00Z');
  await refund(G.id, 2000, 'approved', '2026-04-15T10:00:00Z');
  await refund(E.id, 3000, 'requested', '2026-11-01T10:00:00Z');
  const [s3] = await db.query<{ id: number }>(`select id from receipts where transaction_key = 'fixture-s3'`);
  await db.query(`insert into refunds (authority_id, receipt_id, amount_pence, payee_name, sort_code, account_number, reason, status, needs_approval, requested_at)
                  values ($1, $2, 999, 'Payer', '200000', '12345678', 'Paid us by mistake', 'rejected', false, '2026-10-05T10:00:00Z')`, [authorityId, s3.id]);

  // ---- Recovery: runs, steps, positions, a hold and the court ----
  const run = async (asOf: string, status: string) => {
    const [b] = await db.query<{ id: number }>(`insert into batch_runs (authority_id, kind, as_of, status) values ($1, 'recovery', $2, 'completed') returning id`, [authorityId, asOf]);
    await db.query(`insert into recovery_runs (batch_run_id, authority_id, as_of, status, report) values ($1, $2, $3, $4, '{}')`, [b.id, authorityId, asOf, status]);
    return b.id;
  };
  const step = async (accountId: number, year: number, stage: string, runId: number | null, issuedOn: string, amount: number, costs: number) => {
    const [s] = await db.query<{ id: number }>(
      `insert into recovery_steps (authority_id, account_id, financial_year, stage, batch_run_id, issued_on, amount_pence, costs_pence, reason)
       values ($1, $2, $3, $4, $5, $6, $7, $8, 'fixture') returning id`, [authorityId, accountId, year, stage, runId, issuedOn, amount, costs]);
    return s.id;
  };
  const r1 = await run('2026-07-06', 'completed');
  const r2 = await run('2026-08-03', 'completed');
  const r3 = await run('2026-09-08', 'completed');
  const r4 = await run('2026-10-05', 'completed');
  await run('2026-11-20', 'awaiting_approval');
  await step(H.id, 2025, 'summons', null, '2026-02-20', 50000, 8000); // before 2026/27
  await step(K.id, 2025, 'final_notice', r1, '2026-07-06', 60000, 0);
  const kaySummons = await step(K.id, 2025, 'summons', r2, '2026-08-03', 60000, 10000);
  await step(B.id, 2026, 'reminder_1', r3, '2026-09-08', 30000, 0);
  const eveSummons = await step(D.id, 2025, 'summons', r4, '2026-10-05', 5000, 0);
  await step(K.id, 2025, 'liability_order', null, '2026-10-06', 55000, 5000);
  for (const [acc, year, position, held] of [[A.id, 2026, 'on_instalments', false], [B.id, 2026, 'reminder_1', false], [H.id, 2025, 'summons', false], [K.id, 2025, 'liability_order', true], [D.id, 2025, 'summons', false]] as const) {
    // As the last recovery run left them: the balance then (here, now).
    await db.query(`insert into recovery_cases (account_id, financial_year, authority_id, stream, position, held, reason, balance_pence)
                    select $1, $2, $3, stream, $4, $5, 'fixture',
                           (select coalesce(sum(amount_pence), 0) from ledger_entries where account_id = $1 and financial_year = $2)
                      from accounts where id = $1`, [acc, year, authorityId, position, held]);
  }
  await db.query(`insert into holds (authority_id, account_id, type, reason, starts_on, review_on) values ($1, $2, 'dispute', 'Disputes the rateable value', '2026-08-02', '2026-11-01')`, [authorityId, K.id]);
  const hearing = async (on: string) => {
    const [h] = await db.query<{ id: number }>(`insert into court_hearings (authority_id, court_name, hearing_on, capacity) values ($1, 'Burnley Magistrates Court', $2, 100) returning id`, [authorityId, on]);
    return h.id;
  };
  const h1 = await hearing('2026-09-01');
  const h2 = await hearing('2026-10-06');
  const h3 = await hearing('2026-11-03');
  const [kayCase] = await db.query<{ id: number }>(
    `insert into court_cases (authority_id, case_number, account_id, financial_year, summons_step_id, hearing_id, complaint_pence, costs_pence, status, outcome_on)
     values ($1, 'BUR-1', $2, 2025, $3, $4, 55000, 10000, 'granted', '2026-10-06') returning id`, [authorityId, K.id, kaySummons, h2]);
  await db.query(`insert into court_case_outcomes (case_id, hearing_id, outcome, recorded_on, adjourned_to_hearing_id, source) values ($1, $2, 'adjourned', '2026-09-01', $3, 'screen'), ($1, $3, 'granted', '2026-10-06', null, 'screen')`,
    [kayCase.id, h1, h2]);
  await db.query(`insert into court_cases (authority_id, case_number, account_id, financial_year, summons_step_id, hearing_id, complaint_pence, costs_pence, status)
                  values ($1, 'BUR-2', $2, 2025, $3, $4, 5000, 0, 'listed')`, [authorityId, D.id, eveSummons, h3]);

  // ---- What officers recorded ----
  const event = (customerId: number, accountId: number | null, type: string, at: string, byUserId: number | null, bySystem: string | null = null) =>
    db.query(`insert into events (authority_id, customer_id, account_id, at, type, summary, by_user_id, by_system) values ($1, $2, $3, $4, $5, 'fixture', $6, $7)`,
      [authorityId, customerId, accountId, at, type, byUserId, bySystem]);
  await event(alice, A.id, 'note', '2026-05-10T09:00:00Z', users.officer.id);
  await event(bob, B.id, 'note', '2026-06-11T09:00:00Z', users.officer.id);
  await event(bob, B.id, 'contact', '2026-06-11T09:05:00Z', users.officer.id);
  await event(bob, B.id, 'note', '2026-06-12T09:00:00Z', users.officer.id); // Bob again, the next day
  await event(kay, K.id, 'hold', '2026-08-02T10:00:00Z', users.officer.id);
  await event(ivy, H.id, 'note', '2026-09-02T10:00:00Z', users.manager.id);
  await event(alice, A.id, 'note', '2026-03-01T10:00:00Z', users.officer.id); // before 2026/27
  await event(bob, B.id, 'reminder_1', '2026-09-08T06:00:00Z', null, 'recovery-run:3'); // a batch, not an officer
  await event(carol, C.id, 'document', '2026-09-09T06:00:00Z', users.manager.id, 'recovery-run:3'); // a batch a manager approved

  return {
    ...base,
    burnley: { id: authorityId, onsCode: BURNLEY },
    burnleyUsers: users,
    burnleyAccounts: { A, B, C, D, E, F, G, H, J, K, L, M },
    burnleyCustomers: { alice, bob, carol, eve, dave, frank, grace, harry, ivy, jolly, kay, liam, zoe, mo },
  };
}
export type ReportsFixture = Awaited<ReturnType<typeof buildReportsFixture>>;
