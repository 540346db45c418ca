// Benchmark: bulk referral by the allocation rules and bulk recall (issue 6): N account-years under
// a liability order (default 5,000) in four postcode districts, a shared rule (2:1) and a fallback;
// all referred in one call, then all recalled in one call.
//
//   node --import tsx bench/ea-bulk.bench.ts [--cases N]
import { openPglite } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { fixedClock } from '../src/clock.ts';
import { createRepositories, createServices } from '../src/services.ts';

const args = process.argv.slice(2);
const i = args.indexOf('--cases');
const N = i >= 0 ? Number(args[i + 1]) : 5000;

async function main() {
  const db = await openPglite();
  await migrate(db);
  const services = createServices(db, createRepositories(db), fixedClock('2026-11-22'), { sessionIdleMinutes: 60 });
  const [{ id: authority }] = await db.query<{ id: number }>(`insert into billing_authorities (ons_code, name, nation) values ('E08000010', 'Wigan', 'england') returning id`);
  const actor = { userId: null, username: 'bench', role: 'recovery_manager' as const, authorityIds: [authority] };
  await db.query(`insert into customers (id, authority_id, kind, surname, display_name) select g, $1, 'person', 'D' || g, 'Debtor ' || g from generate_series(1, $2::int) g`, [authority, N]);
  await db.query(`insert into customer_addresses (customer_id, address_line1, town, postcode, from_date) select g, g || ' High St', 'Wigan', (array['WN1 1AA','WN2 2BB','BL1 1AA','M1 1AA'])[1 + g % 4], '2020-01-01' from generate_series(1, $1::int) g`, [N]);
  await db.query(`insert into accounts (id, authority_id, reference, stream, customer_id, opened_on) select g, $1, 'B' || g, 'council_tax', g, '2020-04-01' from generate_series(1, $2::int) g`, [authority, N]);
  await db.query(`insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source) select g, 'charge', 50000 + g * 10, 2025, '2025-04-01', 'bench' from generate_series(1, $1::int) g`, [N]);
  await db.query(`insert into recovery_steps (authority_id, account_id, financial_year, stage, issued_on, reason) select $1, g, 2025, 'liability_order', '2026-03-01', 'bench' from generate_series(1, $2::int) g`, [authority, N]);
  await db.query(`insert into ea_firms (id, authority_id, name, code) select g, $1, 'Firm ' || g, 'F' || g from generate_series(1, 3) g`, [authority]);
  await db.exec('analyze');
  await services.enforcement.addRule(actor, { postcodePrefixes: 'WN', minBalancePence: 60000, firms: [{ firmId: 1, share: 2 }, { firmId: 2, share: 1 }] });
  await services.enforcement.addRule(actor, { fallback: true, firms: [{ firmId: 3, share: 1 }] });
  const t = performance.now();
  const r = await services.enforcement.referMany(actor, { cases: Array.from({ length: N }, (_, i) => ({ accountReference: `B${i + 1}`, financialYear: 2025 })) });
  const ms = performance.now() - t;
  console.log(`bulk referral of ${N}: ${ms.toFixed(0)} ms; referred ${r.referred.length}, not ${r.notReferred.length}`);
  console.log(await db.query('select firm_id, count(*)::int from ea_referrals group by 1 order by 1'));
  const t2 = performance.now();
  const rc = await services.enforcement.recallMany(actor, { reason: 'error', cases: Array.from({ length: N }, (_, i) => ({ accountReference: `B${i + 1}` })) });
  console.log(`bulk recall of ${N}: ${(performance.now() - t2).toFixed(0)} ms; recalled ${rc.recalled.length}`);
  await db.close();
}

main().catch((error) => { console.error(error); process.exit(1); });
