// Benchmark: performance by firm (issue 6) with the reports benchmark's enforcement mix: 4 firms,
// 30,000 referrals (a third with an agent, two thirds closed), a return for every closed one, 1 in 97
// over the scale. Prints the query's time (median of 9), checks the figures against an aggregate over
// the referrals themselves, and with --plan prints the plan.
//
//   node --import tsx bench/ea-performance.bench.ts [--referrals N]
import { openPglite } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { fixedClock } from '../src/clock.ts';
import type { Actor } from '../src/modules/auth/context.ts';
import { createRepositories, createServices } from '../src/services.ts';

const args = process.argv.slice(2);
const i = args.indexOf('--referrals');
const N = i >= 0 ? Number(args[i + 1]) : 30_000;

async function main() {
  const db = await openPglite();
  await migrate(db);
  const services = createServices(db, createRepositories(db), fixedClock('2026-11-22'), { sessionIdleMinutes: 60 });
  const [{ id: authority }] = await db.query<{ id: number }>(`insert into billing_authorities (ons_code, name, nation) values ('E08000010', 'Wigan', 'england') returning id`);
  const actor: Actor = { userId: null, username: 'bench', role: 'recovery_manager', authorityIds: [authority] };
  await db.query(`insert into customers (id, authority_id, kind, surname, display_name) select g, $1, 'person', 'Debtor' || g, 'Debtor ' || g from generate_series(1, $2::int) g`, [authority, N]);
  await db.query(`insert into accounts (id, authority_id, reference, stream, customer_id, opened_on) select g, $1, 'B' || g, 'council_tax', g, '2020-04-01' from generate_series(1, $2::int) g`, [authority, N]);
  await db.query(`insert into ea_firms (id, authority_id, name, code) select g, $1, 'Agents ' || g, 'EA' || g from generate_series(1, 4) g`, [authority]);
  await db.query(`insert into ea_referrals (id, authority_id, account_id, customer_id, financial_year, firm_id, sum_pence, status, exported_at, collected_pence)
       select g, $1, g, g, 2025, 1 + g % 4, 60000 + g % 50000, case when g % 3 = 0 then 'with_agent' else 'closed' end,
              timestamptz '2025-09-01 10:00+00' + (g % 440) * interval '1 day', case when g % 3 = 1 then 30000 else 0 end
         from generate_series(1, $2::int) g`, [authority, N]);
  await db.query(`update ea_referrals set return_code = case when id % 3 = 1 then 'paid' else 'no_goods' end, returned_on = (exported_at + interval '45 days')::date where status = 'closed'`);
  await db.query(`insert into ea_returns (referral_id, file_name, line_no, status, returned_on, paid_pence, fee_stage, fee_pence, over_scale)
       select r.id, 'bench.csv', r.id, r.return_code, r.returned_on, r.collected_pence, 'compliance', 7500, r.id % 97 = 0 from ea_referrals r where r.status = 'closed'`);
  await db.exec('analyze');
  const times: number[] = [];
  let result: unknown;
  for (let k = 0; k < 9; k++) {
    const t = performance.now();
    result = await services.enforcement.performance(actor);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(`performance by firm over ${N.toLocaleString('en-GB')} referrals: median ${times[4].toFixed(1)} ms (min ${times[0].toFixed(1)}, max ${times[8].toFixed(1)})`);
  if (args.includes('--show')) console.log(result);
  // The per-firm totals must agree with the referrals they summarise.
  const live = await createRepositories(db).enforcement.performanceFromReferrals([authority]);
  const kept = (result as Record<string, unknown>[]).map(({ firm_name: _name, ...rest }) => rest).sort((a, b) => Number(a.firm_id) - Number(b.firm_id));
  console.log(JSON.stringify(kept) === JSON.stringify(live) ? 'totals agree with the referrals' : `TOTALS DISAGREE\n${JSON.stringify(kept)}\n${JSON.stringify(live)}`);
  if (args.includes('--plan')) {
    // The repository's statement, as the database runs it (EXPLAIN ANALYZE).
    const seen: { sql: string; params: unknown[] }[] = [];
    const spy = { ...db, query: async (sql: string, params: unknown[] = []) => { seen.push({ sql, params }); return db.query(sql, params); } };
    await createRepositories(spy as typeof db).enforcement.performance([authority]);
    for (const row of await db.query<{ 'QUERY PLAN': string }>(`explain analyze ${seen[0].sql}`, seen[0].params)) console.log(row['QUERY PLAN']);
  }
  await db.close();
}

main().catch((error) => { console.error(error); process.exit(1); });
