// Benchmark: the enforcement agent export and returns import (issue 6): N referrals ready for one
// firm (default 50,000), generated set-based; the export to CSV, then a returns file with a line for
// every case (a third paid, a third with an over-scale fee, a third gone away), imported. Both must
// be under 30 s. Then the work queues the officer opens (arrangements, attachments, write-offs,
// enforcement) are timed with those cases present; each should be under 200 ms.
//
//   node --import tsx bench/after-lo.bench.ts [--cases N]      (PGlite; DATABASE_URL with --postgres)
import { fixedClock } from '../src/clock.ts';
import { openPglite, openPostgres, type Db } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import type { Actor } from '../src/modules/auth/context.ts';
import { createRepositories, createServices } from '../src/services.ts';

const args = process.argv.slice(2);
const i = args.indexOf('--cases');
const CASES = i >= 0 ? Number(args[i + 1]) : 50_000;
const log = (line: string) => process.stdout.write(`${line}\n`);

async function timed<T>(label: string, fn: () => Promise<T>) {
  const t = performance.now();
  const result = await fn();
  const ms = performance.now() - t;
  log(`${label}: ${ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`}`);
  return { result, ms };
}

async function main() {
  let db: Db;
  if (args.includes('--postgres')) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('--postgres needs DATABASE_URL');
    const name = `levy_bench_afterlo_${process.pid}`;
    const admin = await openPostgres(url, 1);
    await admin.exec(`create database ${name}`);
    await admin.close();
    const u = new URL(url);
    u.pathname = `/${name}`;
    db = await openPostgres(u.toString());
  } else db = await openPglite();
  await migrate(db);
  const clock = fixedClock('2026-11-22');
  const services = createServices(db, createRepositories(db), clock, { sessionIdleMinutes: 60 });
  const [{ id: authority }] = await db.query<{ id: number }>(`insert into billing_authorities (ons_code, name, nation) values ('E08000010', 'Wigan', 'england') returning id`);
  const actor: Actor = { userId: null, username: 'bench', role: 'recovery_manager', authorityIds: [authority] };

  await timed(`generate ${CASES.toLocaleString('en-GB')} referrals`, async () => {
    await db.query(`insert into customers (id, authority_id, kind, surname, display_name) select g, $1, 'person', 'Debtor' || g, 'Debtor ' || g from generate_series(1, $2::int) g`, [authority, CASES]);
    await db.query(`insert into customer_addresses (customer_id, address_line1, town, postcode, from_date) select g, g || ' High Street', 'Wigan', 'WN1 1AA', '2020-01-01' from generate_series(1, $1::int) g`, [CASES]);
    await db.query(`insert into accounts (id, authority_id, reference, stream, customer_id, opened_on) select g, $1, 'B' || g, 'council_tax', g, '2020-04-01' from generate_series(1, $2::int) g`, [authority, CASES]);
    await db.query(`insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source) select g, 'charge', 180000, 2025, '2025-04-01', 'bench' from generate_series(1, $1::int) g`, [CASES]);
    await db.query(`insert into recovery_steps (authority_id, account_id, financial_year, stage, issued_on, reason) select $1, g, 2025, 'liability_order', '2026-03-01', 'bench' from generate_series(1, $2::int) g`, [authority, CASES]);
    await db.query(`insert into ea_firms (id, authority_id, name, code) values (1, $1, 'Bench Enforcement', 'BEN')`, [authority]);
    await db.query(`insert into ea_referrals (authority_id, account_id, customer_id, financial_year, firm_id, sum_pence, status) select $1, g, g, 2025, 1, 180000, 'ready' from generate_series(1, $2::int) g`, [authority, CASES]);
    for (const t of ['customers', 'customer_addresses', 'accounts', 'ledger_entries', 'ea_referrals', 'recovery_steps']) await db.exec(`analyze ${t}`);
  });

  const exported = await timed('ea export', () => services.enforcement.exportForFirm(actor, 1));
  log(`  ${exported.result.cases.toLocaleString('en-GB')} cases, ${(exported.result.csv.length / 1e6).toFixed(1)} MB`);
  const ids = exported.result.csv.trim().split('\r\n').slice(1).map((l) => Number(l.split(',')[0]));
  const lines = ['referral_id,status,date,paid,fee_stage,fee', ...ids.map((id, n) =>
    n % 3 === 0 ? `${id},paid,2026-11-20,1800.00,compliance,75.00` : n % 3 === 1 ? `${id},part_paid,2026-11-20,100.00,enforcement,300.00` : `${id},gone_away,2026-11-20,,compliance,75.00`)];
  const imported = await timed('ea import-returns', () => services.enforcement.importReturns(actor, 'bench.csv', lines.join('\n')));
  log(`  ${imported.result.applied.toLocaleString('en-GB')} lines, ${imported.result.overScale.length.toLocaleString('en-GB')} over scale, ${imported.result.problems.length} problems`);

  for (const [label, fn] of [
    ['queue: arrangements', () => services.arrangements.listArrangements(actor, 'active')],
    ['queue: attachments monitor', () => services.attachments.monitor(actor)],
    ['queue: write-offs', () => services.writeOffs.list(actor, 'recommended')],
    ['queue: enforcement (with agent)', () => services.enforcement.listReferrals(actor, 'with_agent')],
    ['queue: enforcement performance', () => services.enforcement.performance(actor)],
  ] as const) await timed(label, fn as () => Promise<unknown>);
  await db.close();
}

main().catch((error) => { console.error(error); process.exit(1); });
