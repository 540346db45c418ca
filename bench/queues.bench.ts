// Every work queue (issue 6, item 7) and the home page opened through the real server (a child
// process running `levy serve` on PGlite) on the demo council, with thousands of items on every
// queue and a third of each assigned to the officer. Target: each opens in under 200 ms (p95).
//
//   npx tsx bench/queues.bench.ts [--dwellings 150000] [--items 3000] [--history 3] [--requests 20] [--explain] [--fresh]
//
// The seeded council is kept in bench/.data/queues-<dwellings>/ and reused (delete it or --fresh);
// the work items are added to it once, set-based, straight into the database before the server
// starts, with --history times as many closed ones (kept arrangements, decided write-offs, closed
// trace tasks…) as a council has after a few years. --explain prints each queue page's plan (from the repository's own SQL) first.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { percentile, signIn, startLevyServer } from './support/levy-server.ts';
import { openPglite, type Db } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { QUEUE_DEFS, QUEUES } from '../src/modules/work-queues/queues.ts';
import { createWorkQueuesRepository } from '../src/modules/work-queues/work-queues.repository.ts';

const { values } = parseArgs({
  options: {
    dwellings: { type: 'string', default: '150000' },
    items: { type: 'string', default: '3000' },
    history: { type: 'string', default: '3' },
    requests: { type: 'string', default: '20' },
    explain: { type: 'boolean', default: false },
    fresh: { type: 'boolean', default: false },
  },
});
const dwellings = Number(values.dwellings);
const items = Number(values.items);
const history = Number(values.history);
const requests = Number(values.requests);
const TODAY = '2026-11-22';
const TARGET_MS = 200;
const dataDir = path.resolve(`bench/.data/queues-${dwellings}`);
if (values.fresh) fs.rmSync(dataDir, { recursive: true, force: true });


/** N items on every queue for the council, a third assigned to the officer and a third to the senior. */
async function addWorkItems(db: Db) {
  const t0 = performance.now();
  const [{ id: authority }] = await db.query<{ id: number }>('select id from billing_authorities order by id limit 1');
  const users = Object.fromEntries((await db.query<{ id: number; username: string }>(`select id, username from users`)).map((u) => [u.username, u.id]));
  // Distinct debtors and their council tax accounts, spread over the council.
  await db.exec(`create temporary table bench_debtors as
    select row_number() over (order by customer_id) as n, account_id, customer_id from (
      select distinct on (a.customer_id) a.id as account_id, a.customer_id from accounts a
       where a.authority_id = ${authority} and a.stream = 'council_tax' order by a.customer_id, a.id) d`);
  await db.query(`insert into arrangements (authority_id, customer_id, frequency, instalment_pence, total_pence, starts_on)
                  select $1, customer_id, 'monthly', 5000, 60000, '2026-06-01' from bench_debtors where n <= $2 order by n`, [authority, items]);
  await db.query(`insert into arrangement_accounts (arrangement_id, account_id, balance_pence)
                  select ar.id, d.account_id, 60000 from arrangements ar join bench_debtors d on d.customer_id = ar.customer_id where ar.authority_id = $1`, [authority]);
  const [{ id: employer }] = await db.query<{ id: number }>(`insert into employers (authority_id, name) values ($1, 'Bench Payroll Ltd') returning id`, [authority]);
  await db.query(`insert into attachment_orders (authority_id, account_id, customer_id, employer_id, made_on, pay_period, net_earnings_pence, deduction_pence, rate, table_source, order_pence)
                  select $1, account_id, customer_id, $2, '2026-08-01', 'monthly', 150000, 7500 + (n % 7) * 500, '5%', 'bench', 90000 from bench_debtors where n > $3 and n <= $3 * 2`, [authority, employer, items]);
  await db.query(`insert into ea_firms (authority_id, name, code) values ($1, 'Bench Enforcement', 'BEN')`, [authority]);
  await db.query(`insert into ea_referrals (authority_id, account_id, customer_id, financial_year, firm_id, sum_pence, status)
                  select $1, account_id, customer_id, 2025, (select id from ea_firms where code = 'BEN'), 90000, case when n % 2 = 0 then 'awaiting_decision' else 'ready' end
                    from bench_debtors where n > $2 * 2 and n <= $2 * 4`, [authority, items]);
  await db.query(`insert into write_offs (authority_id, account_id, financial_year, amount_pence, reason, note, by_rule, recommended_on)
                  select $1, account_id, 2025, 500 + n % 900, 'uneconomic', 'Recommended by rule', true, '2026-11-01' from bench_debtors where n > $2 * 4 and n <= $2 * 5`, [authority, items]);
  await db.query(`insert into trace_tasks (authority_id, customer_id, account_id, trigger) select $1, customer_id, account_id, 'returned_mail' from bench_debtors where n > $2 * 5 and n <= $2 * 6`, [authority, items]);
  await db.query(`insert into holds (authority_id, account_id, type, reason, starts_on, review_on)
                  select $1, account_id, 'dispute', 'Disputes the bill', '2026-06-01', date '2026-11-01' + (n % 40)::int from bench_debtors where n > $2 * 6 and n <= $2 * 7`, [authority, items]);
  for (const key of QUEUES) {
    const table = QUEUE_DEFS[key].table;
    await db.query(`insert into work_assignments (queue, item_id, authority_id, assigned_to, assigned_by)
                    select $1, t.id, t.authority_id, case when t.id % 3 = 0 then $3::int else $4::int end, $3::int from ${table} t
                     where t.authority_id = $2 and t.id % 3 <> 2 on conflict do nothing`, [key, authority, users['recovery.officer'], users['senior.officer']]);
  }
  for (const t of ['arrangements', 'arrangement_accounts', 'attachment_orders', 'ea_referrals', 'write_offs', 'trace_tasks', 'holds', 'work_assignments']) await db.exec(`analyze ${t}`);
  console.log(`Added ${items.toLocaleString('en-GB')} items to each queue (referrals: half awaiting a decision) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** Closed work, as years of it pile up: the queues' open items must still be found by index. */
async function addHistory(db: Db) {
  const t0 = performance.now();
  const [{ id: authority }] = await db.query<{ id: number }>('select id from billing_authorities order by id limit 1');
  await db.exec(`create temporary table bench_history as
    select row_number() over (order by customer_id) as n, account_id, customer_id from (
      select distinct on (a.customer_id) a.id as account_id, a.customer_id from accounts a
       where a.authority_id = ${authority} and a.stream = 'council_tax' order by a.customer_id, a.id) d`);
  const src = `from bench_history h join generate_series(1, ${history}) g on true where h.n <= ${items}`;
  await db.query(`insert into arrangements (authority_id, customer_id, frequency, instalment_pence, total_pence, starts_on, status, status_on)
                  select $1, customer_id, 'monthly', 5000, 60000, '2024-06-01', case when g % 2 = 0 then 'kept' else 'broken' end, '2025-06-01' ${src}`, [authority]);
  await db.query(`insert into attachment_orders (authority_id, account_id, customer_id, employer_id, made_on, pay_period, net_earnings_pence, deduction_pence, rate, table_source, order_pence, status, ended_on)
                  select $1, account_id, customer_id, (select min(id) from employers), '2024-08-01', 'monthly', 150000, 7500, '5%', 'bench', 90000, 'cleared', '2025-08-01' ${src}`, [authority]);
  await db.query(`insert into ea_referrals (authority_id, account_id, customer_id, financial_year, firm_id, sum_pence, status)
                  select $1, account_id, customer_id, 2020 + g, (select id from ea_firms where code = 'BEN'), 90000, 'closed' ${src}`, [authority]);
  await db.query(`insert into write_offs (authority_id, account_id, financial_year, amount_pence, reason, note, by_rule, recommended_on, status)
                  select $1, account_id, 2020 + g, 700, 'uneconomic', 'Recommended by rule', true, '2025-11-01', case when g % 2 = 0 then 'rejected' else 'approved' end ${src}`, [authority]);
  await db.query(`insert into trace_tasks (authority_id, customer_id, trigger, status, closed_on) select $1, customer_id, 'returned_mail', 'untraceable', '2025-01-01' ${src}`, [authority]);
  await db.query(`insert into holds (authority_id, account_id, type, reason, starts_on, ended_on, end_reason)
                  select $1, account_id, 'dispute', 'Disputed the bill', '2024-06-01', '2024-09-01', 'Resolved' ${src}`, [authority]);
  for (const t of ['arrangements', 'attachment_orders', 'ea_referrals', 'write_offs', 'trace_tasks', 'holds']) await db.exec(`analyze ${t}`);
  console.log(`Added ${(items * history).toLocaleString('en-GB')} closed items to each queue's table in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** The plan of each queue's default page, "assigned to me" and the home counts, from the repository's own SQL. */
async function explain(db: Db) {
  const captured: { sql: string; params: unknown[] }[] = [];
  // Run each statement for real (the second step needs the first's ids) and keep it to explain.
  const capture: Db = { ...db, query: async (sql: string, params: unknown[] = []) => { captured.push({ sql, params }); return db.query(sql, params) as never; } } as Db;
  const repo = createWorkQueuesRepository(capture);
  const [{ id: authority }] = await db.query<{ id: number }>('select id from billing_authorities order by id limit 1');
  const [{ id: officer }] = await db.query<{ id: number }>(`select id from users where username = 'recovery.officer'`);
  for (const key of QUEUES) {
    for (const assigned of ['anyone', 'mine'] as const) {
      captured.length = 0;
      await repo.page(key, { authorityIds: [authority], today: TODAY, status: QUEUE_DEFS[key].statuses[0], assigned, userId: officer, limit: 50, offset: 0 });
      for (const [i, q] of captured.entries()) {
        const plan = await db.query<{ 'QUERY PLAN': string }>(`explain (analyze, costs off, timing off) ${q.sql}`, q.params);
        const lines = plan.map((r) => r['QUERY PLAN']);
        const scans = lines.filter((l) => /Scan|Execution Time/.test(l)).map((l) => l.trim().replace(/\s+\(actual.*$/, '')).filter((l, n, all) => all.indexOf(l) === n);
        console.log(`${key} ${assigned} ${['page ids', 'their rows', 'count'][i]}: ${lines.at(-1)!.trim()}\n    ${scans.join('\n    ')}`);
      }
    }
  }
  captured.length = 0;
  await repo.counts([authority], officer, TODAY);
  const plan = await db.query<{ 'QUERY PLAN': string }>(`explain (analyze, costs off, timing off) ${captured[0].sql}`, captured[0].params);
  const lines = plan.map((r) => r['QUERY PLAN']);
  console.log(`home counts: ${lines.at(-1)!.trim()}\n    ${[...new Set(lines.filter((l) => /Scan/.test(l)).map((l) => l.trim().replace(/\s+\(actual.*$/, '')))].join('\n    ')}`);
}

// 1. The council (seeded by the server on first start), 2. its work items, 3. the timings.
if (!fs.existsSync(path.join(dataDir, 'demo-sign-ins.json'))) {
  console.log(`Seeding the ${dwellings.toLocaleString('en-GB')}-dwelling demo council (once)…`);
  await (await startLevyServer({ dataDir, dwellings, today: TODAY })).stop();
}
const marker = path.join(dataDir, `work-items-${items}.done`);
const historyMarker = path.join(dataDir, `history-${items}x${history}.done`);
if (!fs.existsSync(marker) || !fs.existsSync(historyMarker) || values.explain) {
  const db = await openPglite(dataDir);
  try {
    await migrate(db);
    if (!fs.existsSync(marker)) {
      await addWorkItems(db);
      fs.writeFileSync(marker, new Date().toISOString());
    }
    if (history > 0 && !fs.existsSync(historyMarker)) {
      await addHistory(db);
      fs.writeFileSync(historyMarker, new Date().toISOString());
    }
    if (values.explain) await explain(db);
  } finally {
    await db.close();
  }
}

const server = await startLevyServer({ dataDir, dwellings, today: TODAY });
try {
  const signIns = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-sign-ins.json'), 'utf8')) as { username: string; password: string }[];
  const officer = signIns.find((s) => s.username === 'recovery.officer')!;
  const cookie = await signIn(server.url, officer.username, officer.password);
  const pages: [string, string][] = [['home page', '/'], ['after the order hub', '/after-liability-order']];
  for (const key of QUEUES) {
    const def = QUEUE_DEFS[key];
    const base = `${def.href}?${def.statusParam}=${def.statuses[0]}`;
    pages.push([`${key}`, base], [`${key}, mine`, `${base}&assigned=mine`], [`${key}, unassigned, page 3`, `${base}&assigned=unassigned&page=3`]);
  }
  console.log(`\n${requests} sequential requests per page after 2 to warm up; server set up in ${server.setupSeconds.toFixed(1)} s; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs`);
  console.log('\n| page | rows | p50 ms | p95 ms | max ms | under 200 ms |');
  console.log('| --- | ---: | ---: | ---: | ---: | --- |');
  let worst = 0;
  for (const [label, url] of pages) {
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < requests + 2; i++) {
      const t0 = performance.now();
      const res = await fetch(`${server.url}${url}`, { headers: { cookie } });
      const body = await res.text();
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
      if (i >= 2) times.push(ms);
      rows = (body.match(/name="ids" type="checkbox"/g) ?? []).length;
    }
    const sorted = times.sort((a, b) => a - b);
    const p95 = percentile(sorted, 95);
    worst = Math.max(worst, p95);
    console.log(`| ${label} | ${rows || '–'} | ${percentile(sorted, 50).toFixed(1)} | ${p95.toFixed(1)} | ${sorted.at(-1)!.toFixed(1)} | ${p95 < TARGET_MS ? 'PASS' : 'MISS'} |`);
  }
  console.log(`\nworst p95: ${worst.toFixed(1)} ms (target ${TARGET_MS} ms) ${worst < TARGET_MS ? 'PASS' : 'MISS'}; load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  await server.stop();
}
