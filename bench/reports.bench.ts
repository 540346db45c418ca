// Every report page on a 1,000,000-account council on PostgreSQL. Target: each page under 1 s.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/reports.bench.ts \
//     [--accounts 1000000] [--runs 5] [--keep] [--reuse <database>]
//
// 1. A fresh database with the council made set-based in SQL, in chunks of 100,000 accounts:
//    95% council tax, 4.5% business rates, 0.5% sundry; two years (2025/26 and 2026/27 to 22
//    November 2026) of charges, discounts and reliefs, monthly payments by habit (80% pay every
//    instalment, 15% pay some, 5% nothing; some arrears paid in 2026/27), summons costs, refunds and
//    write-offs; recovery cases, steps, runs, hearings, court cases and outcomes; holds; suspense;
//    refunds; 50 councillors with instalment plans; officers' notes and contacts among batch events.
//    The bulk ledger is written with triggers off (session_replication_role = replica, as
//    pg_restore does) and the aggregates rebuilt once, timed.
// 2. The trigger path timed on top: 100,000 more payments posted normally (the statement trigger
//    appends deltas) against the same insert with triggers off (rolled back); then the fold.
// 3. Each report through the real app (Fastify inject, signed in as a manager): the page with its
//    SVG charts and tables, --runs times; median and worst, and the JSON figures' headline.
// 4. A full reconciliation of the aggregates against the 1M-account ledger, timed.
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { fixedClock } from '../src/clock.ts';
import { openPostgres, type Db } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { createRepositories, createServices } from '../src/services.ts';
import { createApp } from '../src/web/app.ts';
import { REPORTS } from '../src/modules/reports/reports.service.ts';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
  },
});
const N = Number(values.accounts);
const RUNS = Number(values.runs);
const TODAY = '2026-11-22';
const PASSWORD = 'bench password for reports';
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  console.error('DATABASE_URL must name a PostgreSQL server (the benchmark makes its own database)');
  process.exit(2);
}

const ms = (start: number) => Date.now() - start;
const secs = (t: number) => (t / 1000).toFixed(1);
async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const start = Date.now();
  const result = await fn();
  console.log(`  ${label}: ${secs(ms(start))} s`);
  return result;
}

/** Runs bulk statements in one transaction with triggers (and foreign-key checks) off, as pg_restore does. */
async function bulk(db: Db, statements: { sql: string; params?: unknown[] }[]) {
  await db.transaction(async (tx) => {
    await tx.exec('set local session_replication_role = replica; set local synchronous_commit = off');
    for (const s of statements) await tx.query(s.sql, s.params ?? []);
  });
}

class Rollback extends Error {}

// Deterministic habits from the account id (Knuth's multiplicative hash), as the seed does.
const H = `((a.id * 2654435761) % 1000)`;

async function generate(db: Db, authorityId: number) {
  const CT = Math.round(N * 0.95);
  const NNDR = Math.round(N * 0.045);
  console.log(`Generating ${N.toLocaleString('en-GB')} accounts (${CT.toLocaleString('en-GB')} council tax, ${NNDR.toLocaleString('en-GB')} business rates, the rest sundry)`);
  await timed('customers and accounts', async () => {
    await bulk(db, [{ sql:
      `insert into customers (id, authority_id, kind, forenames, surname, business_name, display_name, is_councillor)
       select g, $1, case when g <= $2 or g > $2 + $3 then 'person' else 'business' end,
              case when g <= $2 or g > $2 + $3 then 'Pat' end, case when g <= $2 or g > $2 + $3 then 'Resident ' || g end,
              case when g > $2 and g <= $2 + $3 then 'Business ' || g end,
              case when g > $2 and g <= $2 + $3 then 'Business ' || g else 'Pat Resident ' || g end,
              g <= $2 and g % ($2 / 50) = 0
         from generate_series(1, $4::int) g`, params: [authorityId, CT, NNDR, N] }, { sql:
      `insert into accounts (id, authority_id, reference, stream, customer_id, opened_on)
       select g, $1, lpad(g::text, 10, '0'),
              case when g <= $2 then 'council_tax' when g <= $2 + $3 then 'business_rates' else 'sundry' end, g, '2020-04-01'
         from generate_series(1, $4::int) g`, params: [authorityId, CT, NNDR, N] }]);
    await db.exec(`select setval('customers_id_seq', ${N}); select setval('accounts_id_seq', ${N})`);
  });

  const chunk = 100_000;
  await timed('ledger: two years of charges, reductions, payments, costs, refunds and write-offs (triggers off)', async () => {
    for (let lo = 1; lo <= N; lo += chunk) {
      const hi = Math.min(lo + chunk - 1, N);
      await db.transaction(async (tx) => {
        await tx.exec(`set local session_replication_role = replica; set local synchronous_commit = off`);
        await tx.query(
          `insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source, reason)
           select a.id, e.kind, e.amount, e.fy, e.on_date, 'bench', e.reason
             from (select a.*, ${H} as h,
                          case a.stream when 'council_tax' then 100000 + (a.id % 8) * 25000
                                        when 'business_rates' then 500000 + (a.id % 20) * 100000 else 25000 end as charge
                     from accounts a where a.id between $1 and $2) a
             cross join lateral (
               select y.fy, 'charge' as kind, (a.charge * (1 + (y.fy - 2025) * 0.04))::bigint as amount, make_date(y.fy, 4, 1) as on_date, null::text as reason
                 from (values (2025), (2026)) y(fy)
               union all
               select y.fy, 'adjustment', -((a.charge * (1 + (y.fy - 2025) * 0.04))::bigint / 4), make_date(y.fy, 4, 1), 'Single person discount'
                 from (values (2025), (2026)) y(fy) where a.stream = 'council_tax' and a.id % 4 = 0
               union all
               -- monthly payments: 10 in 2025/26; April to November in 2026/27
               select y.fy, 'payment', -(((a.charge * (1 + (y.fy - 2025) * 0.04))::bigint - case when a.stream = 'council_tax' and a.id % 4 = 0 then (a.charge * (1 + (y.fy - 2025) * 0.04))::bigint / 4 else 0 end) / 10),
                      (make_date(y.fy, 4, 1) + (k || ' months')::interval)::date, null
                 from (values (2025, 10), (2026, 8)) y(fy, due)
                 cross join generate_series(0, 9) k
                where a.stream <> 'sundry' and k < y.due and (a.h < 800 or (a.h < 950 and k < a.h % 10))
               union all
               select 2025, 'payment', -(a.charge / 4), date '2026-06-15', null where a.h between 950 and 974
               union all
               select 2025, 'cost', 8000, date '2026-02-15', 'Summons costs' where a.h >= 900 and a.stream <> 'sundry'
               union all
               select 2025, 'payment', -1000, date '2025-06-01', null where a.id % 500 = 0
               union all
               select 2025, 'refund', 1000, date '2026-03-30', 'Refund: overpaid' where a.id % 500 = 0
               union all
               select 2025, 'write_off', -(a.charge / 5), date '2026-09-01',
                      (array['Uneconomic to pursue', 'Statute-barred', 'Insolvent', 'Deceased, no estate'])[1 + a.id % 4]
                where a.h >= 990
             ) e
            where e.amount <> 0`,
          [lo, hi]);
      });
      process.stdout.write(`    … ${hi.toLocaleString('en-GB')} accounts\n`);
    }
  });

  await timed('recovery cases, steps, runs, hearings, court cases, outcomes and holds', async () => {
    await bulk(db, [
      { sql: `insert into batch_runs (id, authority_id, kind, as_of, status)
       select g, $1, 'recovery', date '2026-04-06' + (g - 1) * 7, 'completed' from generate_series(1, 33) g`, params: [authorityId] },
      { sql: `insert into recovery_runs (batch_run_id, authority_id, as_of, status, report)
                    select id, authority_id, as_of, case when id = 33 then 'awaiting_approval' else 'completed' end, '{}' from batch_runs where id <= 33` },
      { sql: `insert into recovery_cases (account_id, financial_year, authority_id, stream, position, held, reason, balance_pence)
       select a.id, y.fy, a.authority_id, a.stream,
              case when y.fy = 2025 then case when ${H} >= 950 then 'liability_order' else 'summons' end
                   when ${H} < 900 then 'reminder_1' when ${H} < 950 then 'final_notice' when ${H} < 980 then 'summons' else 'liability_order' end,
              a.id % 37 = 0, 'bench', 0
         from accounts a cross join (values (2025), (2026)) y(fy)
        where a.stream in ('council_tax', 'business_rates') and ${H} >= case when y.fy = 2025 then 900 else 800 end` },
      { sql: `insert into recovery_steps (authority_id, account_id, financial_year, stage, batch_run_id, issued_on, amount_pence, costs_pence, reason)
       select c.authority_id, c.account_id, c.financial_year, s.stage, 1 + (c.account_id + s.n * 3) % 32,
              date '2026-04-06' + ((c.account_id + s.n * 3) % 32)::int * 7, 50000, case when s.stage = 'summons' then 8000 else 0 end, 'bench'
         from recovery_cases c
         cross join lateral (select * from (values (1, 'reminder_1'), (2, 'final_notice'), (3, 'summons'), (4, 'liability_order')) v(n, stage)
                              where v.n <= case c.position when 'reminder_1' then 1 when 'final_notice' then 2 when 'summons' then 3 else 4 end) s` },
      { sql: `insert into court_hearings (id, authority_id, court_name, hearing_on, capacity)
       select g, $1, 'Wigan and Leigh Magistrates Court', date '2026-04-14' + (g - 1) * 7, 5000 from generate_series(1, 33) g`, params: [authorityId] },
      { sql: `insert into court_cases (authority_id, case_number, account_id, financial_year, summons_step_id, hearing_id, complaint_pence, costs_pence, status, outcome_on)
       select s.authority_id, 'WIG-' || s.id, s.account_id, s.financial_year, s.id, 1 + (s.id % 33), 50000, 8000,
              case when s.id % 33 >= 31 then 'listed' when s.id % 10 = 0 then 'withdrawn' else 'granted' end,
              case when s.id % 33 < 31 then date '2026-04-14' + (s.id % 33)::int * 7 end
         from recovery_steps s where s.stage = 'summons'` },
      { sql: `insert into court_case_outcomes (case_id, hearing_id, outcome, recorded_on, source)
       select id, hearing_id, status, outcome_on, 'bench' from court_cases where status <> 'listed'` },
      { sql: `insert into holds (authority_id, account_id, type, reason, starts_on, review_on)
       select $1, account_id, 'vulnerability', 'bench', date '2026-06-01', date '2026-06-01' + (account_id % 200)::int
         from recovery_cases where held`, params: [authorityId] },
    ]);
    await db.exec(`select setval('batch_runs_id_seq', 100)`);
    await db.exec(`select setval('court_hearings_id_seq', 100)`);
  });
  await timed('suspense, refunds, councillors’ plans, users and events', async () => {
    await bulk(db, [
      { sql: `insert into receipts (authority_id, transaction_key, channel, amount_pence, received_on, status, suspense_reason)
       select $1, 'bench-s' || g, 'bank_transfer', 1000 + g % 50000, date '2026-11-21' - (g % 600), 'suspense', 'No reference'
         from generate_series(1, 5000) g`, params: [authorityId] },
      { sql: `insert into refunds (authority_id, account_id, amount_pence, payee_name, sort_code, account_number, reason, status, needs_approval, requested_at)
       select $1, (g * 300) % $2 + 1, 1000 + g % 20000, 'Payee', '200000', '12345678', 'Overpaid',
              (array['requested', 'approved', 'paid', 'paid', 'rejected'])[1 + g % 5], false, timestamp '2025-04-01' + (g % 600) * interval '1 day'
         from generate_series(1, 3000) g`, params: [authorityId, N] },
      { sql: `insert into instalment_plans (account_id, financial_year, issued_on, total_pence)
       select c.id, y.fy, make_date(y.fy, 3, 10), 1000000 from customers c cross join (values (2025), (2026)) y(fy) where c.is_councillor` },
      // the year's net charge in ten instalments, as billing would have set it
      { sql: `insert into instalments (plan_id, seq, due_date, amount_pence)
       select p.id, k + 1, (make_date(p.financial_year, 4, 1) + (k || ' months')::interval)::date,
              greatest(1, (select sum(l.amount_pence) from ledger_entries l where l.account_id = p.account_id and l.financial_year = p.financial_year
                                                                               and l.kind in ('charge', 'adjustment')) / 10)
         from instalment_plans p cross join generate_series(0, 9) k` },
      { sql: `insert into users (id, username, display_name, password_hash, role)
       select g, 'officer' || g, 'Officer ' || g, 'x', 'recovery_officer' from generate_series(1, 60) g` },
      { sql: `insert into user_authorities (user_id, authority_id) select id, $1 from users`, params: [authorityId] },
      { sql: `insert into events (authority_id, customer_id, account_id, at, type, summary, by_system)
       select $1, g % $2 + 1, g % $2 + 1, timestamptz '2025-04-01 09:00+00' + (g % 600) * interval '1 day', 'payment', 'Payment', 'bench'
         from generate_series(1, 2000000) g`, params: [authorityId, N] },
    ]);
    await db.exec(`select setval('users_id_seq', 100)`);
  });
  await timed('officers’ notes, contacts and actions in 2026/27, with the officer-day trigger on', () =>
    db.query(`insert into events (authority_id, customer_id, account_id, at, type, summary, by_user_id)
       select $1, (g::bigint * 7919) % $2 + 1, (g::bigint * 7919) % $2 + 1, timestamptz '2026-04-01 09:00+01' + (g % 235) * interval '1 day' + (g % 480) * interval '1 minute',
              (array['note', 'contact', 'contact', 'hold', 'payment'])[1 + (g / 60) % 5], 'bench', 1 + g % 60
         from generate_series(1, 500000) g`, [authorityId, N]));
  await timed('rebuild the report aggregates from the ledger', () => db.transaction((tx) => tx.query('select levy_report_rebuild()')));
  await timed('recovery cases: what each owed at the last run (as the run records it)', () =>
    db.exec(`update recovery_cases c set balance_pence = b.balance_pence from report_account_years b
              where b.account_id = c.account_id and b.financial_year = c.financial_year`));
  await timed('analyze', () => db.exec('analyze'));
}

/** Issue 6's tables: arrangements, attachment of earnings orders with remittances, enforcement agents. */
async function afterLiabilityOrder(db: Db, authorityId: number) {
  const [{ n }] = await db.query<{ n: number }>('select count(*)::int as n from arrangements');
  if (n > 0) return;
  await timed('arrangements, attachments of earnings and enforcement agents', () => bulk(db, [
    { sql: `insert into arrangements (authority_id, customer_id, frequency, instalment_pence, total_pence, starts_on, status, status_on, created_at)
       select $1, (g * 37) % $2 + 1, 'monthly', 5000, 60000, date '2025-10-01' + (g % 400), (array['active', 'kept', 'broken', 'broken', 'cancelled'])[1 + g % 5],
              case when g % 5 <> 0 then date '2025-10-01' + (g % 400) + 90 end, timestamptz '2025-10-01 10:00+00' + (g % 400) * interval '1 day'
         from generate_series(1, 20000) g`, params: [authorityId, N] },
    { sql: `insert into employers (id, authority_id, name) select g, $1, 'Employer ' || g from generate_series(1, 500) g`, params: [authorityId] },
    { sql: `insert into attachment_orders (id, authority_id, account_id, customer_id, employer_id, made_on, pay_period, net_earnings_pence, deduction_pence, rate, table_source, order_pence, status, ended_on)
       select g, $1, (g * 53) % $2 + 1, (g * 53) % $2 + 1, 1 + g % 500, date '2025-06-01' + (g % 500), 'monthly', 150000, 7500, '5%', 'bench', 60000,
              case when g % 8 < 5 then 'active' when g % 8 < 7 then 'cleared' else 'ended' end, case when g % 8 >= 5 then date '2025-06-01' + (g % 500) + 200 end
         from generate_series(1, 8000) g`, params: [authorityId, N] },
    { sql: `insert into attachment_remittances (order_id, received_on, amount_pence, ledger_entry_id)
       select o.id, (o.made_on + (k || ' months')::interval)::date, 7500, 1 from attachment_orders o cross join generate_series(1, 8) k
        where (o.made_on + (k || ' months')::interval)::date <= date '2026-11-22'` },
    { sql: `insert into ea_firms (id, authority_id, name, code) select g, $1, 'Agents ' || g, 'EA' || g from generate_series(1, 4) g`, params: [authorityId] },
    { sql: `insert into ea_referrals (id, authority_id, account_id, customer_id, financial_year, firm_id, sum_pence, status, exported_at, collected_pence)
       select g, $1, (g * 61) % $2 + 1, (g * 61) % $2 + 1, 2025, 1 + g % 4, 60000 + g % 50000, case when g % 3 = 0 then 'with_agent' else 'closed' end,
              timestamptz '2025-09-01 10:00+00' + (g % 440) * interval '1 day', case when g % 3 = 1 then 30000 else 0 end
         from generate_series(1, 30000) g`, params: [authorityId, N] },
    { sql: `insert into ea_returns (referral_id, file_name, line_no, status, returned_on, paid_pence, fee_stage, fee_pence, over_scale)
       select r.id, 'bench.csv', r.id, case when r.id % 3 = 1 then 'paid' else 'no_goods' end, (r.exported_at + interval '45 days')::date,
              r.collected_pence, 'compliance', 7500, r.id % 97 = 0
         from ea_referrals r where r.status = 'closed'` },
  ]));
}

async function triggerPath(db: Db) {
  console.log('\nThe trigger path: 100,000 more payments (2026/27, 22 November)');
  const insert = `insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source)
                  select id, 'payment', -1234, 2026, date '2026-11-22', 'bench-trigger' from accounts where id <= 100000`;
  let floor = 0;
  await db.transaction(async (tx) => {
    await tx.exec('set local session_replication_role = replica');
    const start = Date.now();
    await tx.exec(insert);
    floor = ms(start);
    throw new Rollback('the floor is measured, not kept');
  }).catch((error: unknown) => {
    if (!(error instanceof Rollback)) throw error;
  });
  const start = Date.now();
  await db.exec(insert);
  const withTrigger = ms(start);
  const [{ n }] = await db.query<{ n: number }>('select count(*)::int as n from report_ledger_deltas');
  const foldStart = Date.now();
  await db.transaction((tx) => tx.query('select levy_report_fold(null)'));
  const fold = ms(foldStart);
  console.log(`  insert without triggers ${floor} ms; with the delta trigger ${withTrigger} ms (×${(withTrigger / Math.max(floor, 1)).toFixed(2)}); ${n.toLocaleString('en-GB')} deltas folded in ${fold} ms`);
  return { floor, withTrigger, deltas: n, fold };
}

async function main() {
  const name = values.reuse ?? `levy_bench_reports_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  const url = new URL(serverUrl!);
  url.pathname = `/${name}`;
  if (!values.reuse) {
    const admin = await openPostgres(serverUrl!, 1);
    await admin.exec(`create database ${name}`);
    await admin.close();
  }
  console.log(`Database ${name}`);
  const db = await openPostgres(url.toString(), 8);
  let failed = false;
  try {
    await migrate(db);
    const clock = fixedClock(TODAY);
    const services = createServices(db, createRepositories(db), clock, { sessionIdleMinutes: 60 });
    let [authority] = await db.query<{ id: number }>(`select id from billing_authorities where ons_code = 'E08000010'`);
    if (!authority) {
      [authority] = await db.query<{ id: number }>(`insert into billing_authorities (ons_code, name, nation) values ('E08000010', 'Wigan', 'england') returning id`);
      await generate(db, authority.id);
      await triggerPath(db);
      await afterLiabilityOrder(db, authority.id);
      await services.auth.addUser(null, { username: 'bench.manager', displayName: 'Bench Manager', password: PASSWORD, role: 'recovery_manager', authorityIds: [authority.id] });
    }
    await afterLiabilityOrder(db, authority.id);
    const [counts] = await db.query<{ accounts: number; ledger: number; cases: number; steps: number; events: number }>(
      `select (select count(*) from accounts)::int as accounts, (select count(*) from ledger_entries)::int as ledger,
              (select count(*) from recovery_cases)::int as cases, (select count(*) from recovery_steps)::int as steps, (select count(*) from events)::int as events`);
    console.log(`\n${counts.accounts.toLocaleString('en-GB')} accounts, ${counts.ledger.toLocaleString('en-GB')} ledger entries, ${counts.cases.toLocaleString('en-GB')} recovery cases, ${counts.steps.toLocaleString('en-GB')} steps, ${counts.events.toLocaleString('en-GB')} events`);

    const app = await createApp({ services, logLevel: 'warn' });
    const form = await app.inject({ method: 'GET', url: '/sign-in' });
    const pre = form.cookies.find((c) => c.name === 'levy_signin')!;
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1];
    const signIn = await app.inject({ method: 'POST', url: '/sign-in', cookies: { levy_signin: pre.value }, payload: { _csrf: token, username: 'bench.manager', password: PASSWORD, returnTo: '/' } });
    const cookies = { levy_session: signIn.cookies.find((c) => c.name === 'levy_session')!.value };

    console.log(`\nEach page ${RUNS} times through the app (signed in as a manager), target under 1,000 ms:`);
    console.log(`  ${'page'.padEnd(34)} ${'median'.padStart(8)} ${'worst'.padStart(8)}  figures`);
    const pages = [{ url: '/reports', label: 'dashboard' }, ...REPORTS.map((r) => ({ url: `/reports/${r.name}`, label: r.name })),
      { url: '/reports/collection-rate?year=2025/26', label: 'collection-rate 2025/26' },
      { url: '/reports/members-accounts?meetingDate=2026-10-01', label: 'members-accounts 1 Oct' }];
    for (const page of pages) {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const start = performance.now();
        const res = await app.inject({ method: 'GET', url: page.url, cookies });
        times.push(performance.now() - start);
        if (res.statusCode !== 200) throw new Error(`${page.url} answered ${res.statusCode}`);
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)];
      const worst = times[times.length - 1];
      if (worst >= 1000) failed = true;
      const name = page.label.replace(/ .*/, '');
      const report = REPORTS.find((r) => r.name === name);
      const query = Object.fromEntries(new URLSearchParams(page.url.split('?')[1] ?? ''));
      const figures = report ? (await services.reports.run({ userId: null, username: 'bench', role: 'recovery_manager', authorityIds: [authority.id] }, report.name, query)).headline.map((h) => `${h.label}: ${h.value}`).join('; ') : '';
      console.log(`  ${page.label.padEnd(34)} ${median.toFixed(0).padStart(6)} ms ${worst.toFixed(0).padStart(6)} ms  ${figures}`);
    }
    await app.close();

    console.log('\nReconciliation of the aggregates with the whole ledger:');
    const differences = await timed('reconcile', () => services.reports.reconcile());
    console.log(`  ${differences.length === 0 ? 'the aggregates reconcile with the ledger' : `${differences.length} DIFFERENCES, e.g. ${JSON.stringify(differences.slice(0, 3))}`}`);
    if (differences.length) failed = true;
  } finally {
    await db.close();
    if (!values.keep && !values.reuse) {
      const admin = await openPostgres(serverUrl!, 1);
      await admin.exec(`drop database if exists ${name} with (force)`);
      await admin.close();
    } else console.log(`Kept database ${name} (--reuse ${name} to run the timings again)`);
  }
  console.log(failed ? '\nFAILED: a page took 1 s or more, or the aggregates do not reconcile' : '\nEvery report page answered in under 1 s.');
  if (failed) process.exitCode = 1;
}

await main();
