// Benchmark: the daily recovery run.
//
// PostgreSQL (DATABASE_URL): 1,000,000 council tax accounts with 10,000,000 instalments and about
// 8,000,000 payments, generated set-based in SQL, on a peak day (as of 8 November 2026, a week after
// the November instalment): 3% newly behind (a reminder each), 1% summonsed and waiting for their
// hearing, 0.5% due a summons today, 0.5% held, 1% back on instalments after a reminder. The run —
// the set-based selection, the pure evaluation of every candidate, the preview recorded, approved,
// and issued in batches (steps, costs, court cases, events, the case index) — is timed without
// producing letters, beside the floor: one bare SQL query selecting the same accounts due a reminder.
// The ratio must be under 3 and the run under 60 s. The same run with letters is timed too.
//
// PGlite: the 150,000-dwelling demo council (src/jobs/seed-council.ts): its first recovery run (no
// history, so every arrear in two years is caught at once) and the next day's, timed the same way;
// the daily run must be under 15 s.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/recovery.bench.ts
//   options: --accounts N (default 1000000) --dwellings N (PGlite, default 150000) --skip-postgres --skip-pglite --keep
import { fixedClock } from '../src/clock.ts';
import { openPglite, openPostgres, type Db } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import type { Actor } from '../src/modules/auth/context.ts';
import { createRepositories, createServices } from '../src/services.ts';
import { seedCouncil } from '../src/jobs/seed-council.ts';
import { setUpRecoveryForAuthority } from '../src/jobs/recovery-run.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const flag = (name: string) => args.includes(`--${name}`);
const ACCOUNTS = option('accounts', 1_000_000);
const DWELLINGS = option('dwellings', 150_000);
const AS_OF = '2026-11-08';

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const log = (line: string) => process.stdout.write(`${line}\n`);
async function timed<T>(label: string, fn: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const t = performance.now();
  const result = await fn();
  const ms = performance.now() - t;
  log(`  ${label}: ${seconds(ms)} s`);
  return { result, ms };
}

/** The floor: one bare SQL statement selecting the account-years due a reminder on the as-of date. */
const FLOOR_SQL = `
  select o.account_id, o.financial_year
    from (select account_id, financial_year, sum(amount_pence) as owed from ledger_entries
           where kind <> 'cost' and effective_date <= $1::date group by account_id, financial_year) o
    join (select ip.account_id, ip.financial_year, sum(i.amount_pence) filter (where i.due_date > $1::date - 7) as not_due
            from instalment_plans ip join instalments i on i.plan_id = ip.id where ip.superseded_at is null
           group by ip.account_id, ip.financial_year) f using (account_id, financial_year)
    left join recovery_cases c using (account_id, financial_year)
   where (c.account_id is null or (c.position in ('on_instalments', 'paid', 'withdrawn', 'dismissed') and c.reminders_served < 2))
     and o.owed - coalesce(f.not_due, 0) >= 500
     and not exists (select 1 from holds h where h.account_id = o.account_id and h.starts_on <= $1::date
                      and (h.ended_on is null or h.ended_on > $1::date) and (h.expires_on is null or h.expires_on >= $1::date))`;

async function generate(db: Db, n: number) {
  const [{ id: authorityId }] = await db.query<{ id: number }>(`insert into billing_authorities (ons_code, name, nation, letter_address) values ('E08000010', 'Wigan', 'england', '{"Town Hall","Library Street","Wigan","WN1 1YN"}') returning id`);
  const statements: [string, string][] = [
    ['customers', `insert into customers (id, authority_id, kind, forenames, surname, display_name)
       select g, $1, 'person', 'Bench', 'Payer' || g, 'Bench Payer ' || g from generate_series(1, $2) g`],
    ['addresses', `insert into customer_addresses (customer_id, address_line1, town, postcode, from_date)
       select g, (g % 400 + 1) || ' Bench Street', 'Wigan', 'WN' || (g % 9 + 1) || ' ' || (g % 9 + 1) || 'AB', '2020-01-01' from generate_series(1, $2) g`],
    ['accounts', `insert into accounts (id, authority_id, reference, stream, customer_id, opened_on, payment_method)
       select g, $1, '1' || lpad(g::text, 9, '0'), 'council_tax', g, '2020-01-01', case when g % 3 = 0 then 'cash' else 'direct_debit' end
         from generate_series(1, $2) g`],
    ['plans', `insert into instalment_plans (id, account_id, financial_year, issued_on, total_pence)
       select g, g, 2026, '2026-03-10', 140000 from generate_series(1, $2) g`],
    ['instalments (10 per account)', `insert into instalments (plan_id, seq, due_date, amount_pence)
       select g, s, ('2026-04-01'::date + make_interval(months => s - 1))::date, 14000 from generate_series(1, $2) g, generate_series(1, 10) s`],
    ['charges', `insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source, reason)
       select g, 'charge', 140000, 2026, '2026-04-01', 'bench', 'Annual bill 2026/27' from generate_series(1, $2) g`],
    // Segments by h = g × 2654435761 mod 1000: <30 missed November; 30–39 in court (paid to September);
    // 40–44 summons due today (paid to September); 45–49 held and missed November; 50–59 missed
    // October, reminded, paid it, paid November; the rest paid April to November on the due dates.
    ['payments', `insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source, reason)
       select g, 'payment', -14000, 2026, ('2026-04-01'::date + make_interval(months => m - 1))::date, 'bench', 'Payment'
         from generate_series(1, $2) g
         cross join lateral (select (g::bigint * 2654435761) % 1000 as h) x
         cross join lateral generate_series(1, case when x.h < 30 or (x.h >= 45 and x.h < 50) then 7 when x.h < 45 then 6 else 8 end) m
        where not (x.h >= 50 and x.h < 60 and m = 7)`],
    ['late payments (reminded in October, paid)', `insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source, reason)
       select g, 'payment', -14000, 2026, '2026-10-12', 'bench', 'Payment' from generate_series(1, $2) g where (g::bigint * 2654435761) % 1000 between 50 and 59`],
    ['hearings', `insert into court_hearings (authority_id, court_name, court_address, hearing_on, hearing_time, capacity)
       values ($1, 'Wigan and Leigh Magistrates’ Court', 'Darlington Street, Wigan', '2026-11-11', '10:00', greatest(1, $2 / 50)),
              ($1, 'Wigan and Leigh Magistrates’ Court', 'Darlington Street, Wigan', '2026-11-25', '10:00', greatest(1, $2 / 50))`],
    ['history: reminders', `insert into recovery_steps (authority_id, account_id, financial_year, stage, issued_on, pay_by, escalates_on, balance_due_on, amount_pence, reason, outcome, outcome_on)
       select $1, g, 2026, 'reminder_1', d::date, d::date + 7, d::date + 14, d::date + 14, 14000, 'bench history', o, d::date + 7
         from generate_series(1, $2) g
         cross join lateral (select (g::bigint * 2654435761) % 1000 as h) x
         cross join lateral (select case when x.h < 40 then '2026-10-08' else case when x.h < 45 then '2026-10-25' else '2026-10-08' end end as d,
                                    case when x.h < 45 then 'unpaid' else 'paid' end as o) y
        where x.h between 30 and 44 or x.h between 50 and 59`],
    ['history: summonses', `insert into recovery_steps (authority_id, account_id, financial_year, stage, issued_on, amount_pence, costs_pence, reason)
       select $1, g, 2026, 'summons', '2026-10-22', 84000 + 8000, 8000, 'bench history' from generate_series(1, $2) g where (g::bigint * 2654435761) % 1000 between 30 and 39`],
    ['history: summons costs', `insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, source, reason)
       select account_id, 'cost', 8000, 2026, '2026-10-22', 'bench', 'Summons costs' from recovery_steps where stage = 'summons'`],
    ['history: court cases', `insert into court_cases (authority_id, case_number, account_id, financial_year, summons_step_id, hearing_id, complaint_pence, costs_pence)
       select $1, 'CT/2026/' || lpad(s.id::text, 7, '0'), s.account_id, 2026, s.id, (select min(id) from court_hearings), 84000, 8000 from recovery_steps s where s.stage = 'summons'`],
    ['history: cases', `insert into recovery_cases (account_id, financial_year, authority_id, stream, position, reminders_served, review_on, reason, balance_pence)
       select g, 2026, $1, 'council_tax',
              case when x.h < 40 then 'summons' when x.h < 45 then 'balance_due' else 'on_instalments' end, 1,
              case when x.h < 45 then '2026-11-08'::date end, 'bench history',
              case when x.h < 40 then 92000 when x.h < 45 then 84000 else 42000 end
         from generate_series(1, $2) g cross join lateral (select (g::bigint * 2654435761) % 1000 as h) x
        where x.h between 30 and 44 or x.h between 50 and 59`],
    ['holds', `insert into holds (authority_id, account_id, type, reason, starts_on, review_on)
       select $1, g, 'arrangement', '£20 a week agreed by phone', '2026-11-03', '2026-12-03' from generate_series(1, $2) g where (g::bigint * 2654435761) % 1000 between 45 and 49`],
  ];
  for (const [label, sql] of statements) {
    await timed(`generate ${label}`, () => db.transaction(async (tx) => {
      await tx.exec("set local session_replication_role = replica; set local synchronous_commit = off; set local work_mem = '256MB'");
      const text = sql.replaceAll('$2', String(Math.trunc(n)));
      await tx.query(text, text.includes('$1') ? [authorityId] : []);
    }));
  }
  for (const seq of ['customers', 'accounts', 'instalment_plans']) await db.query(`select setval('${seq}_id_seq', (select max(id) from ${seq}))`);
  await timed('vacuum analyze', () => db.exec('vacuum analyze'));
  return authorityId;
}

function servicesFor(db: Db, asOf: string) {
  const clock = fixedClock(asOf);
  return createServices(db, createRepositories(db), clock, { sessionIdleMinutes: 60 });
}

async function runRecovery(db: Db, authorityId: number, asOf: string, options: { withoutLetters: boolean }) {
  const services = servicesFor(db, asOf);
  const system: Actor = { userId: null, username: 'bench', role: 'recovery_manager', authorityIds: [authorityId] };
  const t0 = performance.now();
  const preview = await services.recovery.preview(system, { asOf, authorityId });
  const tPreview = performance.now() - t0;
  const issued = preview.runId && preview.status === 'awaiting_approval'
    ? await services.recovery.approve(system, preview.runId, { batchSize: 2_000, withoutLetters: options.withoutLetters })
    : null;
  const total = performance.now() - t0;
  return { preview, issued, tPreview, total };
}

async function postgresBench() {
  const server = process.env.DATABASE_URL;
  if (!server) {
    log('PostgreSQL: skipped (set DATABASE_URL)');
    return;
  }
  const url = (name: string) => Object.assign(new URL(server), { pathname: `/${name}` }).toString();
  const admin = await openPostgres(server, 1);
  const base = 'levy_bench_recovery';
  log(`\nPostgreSQL: ${ACCOUNTS.toLocaleString('en-GB')} accounts, as of ${AS_OF}`);
  await admin.exec(`drop database if exists ${base} with (force)`);
  await admin.exec(`create database ${base}`);
  let db = await openPostgres(url(base));
  await migrate(db);
  const authorityId = await generate(db, ACCOUNTS);
  const [{ instalments, ledger }] = await db.query<{ instalments: number; ledger: number }>(
    'select (select count(*) from instalments)::int as instalments, (select count(*) from ledger_entries)::int as ledger');
  log(`  ${instalments.toLocaleString('en-GB')} instalments, ${ledger.toLocaleString('en-GB')} ledger entries`);
  await db.close();

  const results: Record<string, number> = {};
  for (const variant of ['without letters', 'with letters'] as const) {
    const name = `${base}_run`;
    await admin.exec(`drop database if exists ${name} with (force)`);
    await timed(`copy the council for the run ${variant}`, () => admin.exec(`create database ${name} template ${base}`));
    await admin.exec(`alter database ${name} set work_mem = '256MB'`); // the same settings for the floor and the run
    db = await openPostgres(url(name));
    await db.query(FLOOR_SQL, [AS_OF]); // warm the cache for both
    const floor = await timed('floor: one bare SQL query selecting the accounts due a reminder', () => db.query<{ account_id: number }>(FLOOR_SQL, [AS_OF]));
    const run = await runRecovery(db, authorityId, AS_OF, { withoutLetters: variant === 'without letters' });
    const r = run.preview.report;
    log(`  run ${variant}: ${seconds(run.total)} s (preview ${seconds(run.tPreview)} s: select ${r.seconds.select} s, evaluate ${r.seconds.evaluate} s, write ${r.seconds.write} s; issue ${seconds(run.total - run.tPreview)} s)`);
    log(`    ${r.candidates.toLocaleString('en-GB')} account-years selected; ${r.actions.map((a) => `${a.stage} ${a.count.toLocaleString('en-GB')}`).join(', ')}; held ${r.held.count}; exceptions ${r.exceptions}; reviews ${r.reviews}`);
    if (run.issued) log(`    issued ${Object.entries(run.issued.issueReport.steps).map(([k, v]) => `${k} ${v.toLocaleString('en-GB')}`).join(', ')}; ${run.issued.issueReport.letters.toLocaleString('en-GB')} letters; costs £${(run.issued.issueReport.costsPence / 100).toLocaleString('en-GB')}`);
    // The run's reminders are exactly the floor's accounts.
    const reminded = new Set((await db.query<{ account_id: number }>(`select account_id from recovery_steps where stage = 'reminder_1' and batch_run_id = $1`, [run.preview.runId])).map((x) => x.account_id));
    const floorSet = new Set(floor.result.map((x) => x.account_id));
    const sameSet = reminded.size === floorSet.size && [...floorSet].every((id) => reminded.has(id));
    log(`    same accounts as the floor: ${sameSet ? 'yes' : `NO (run ${reminded.size}, floor ${floorSet.size})`}`);
    const ratio = run.total / floor.ms;
    log(`  => ${variant}: run ${seconds(run.total)} s vs floor ${seconds(floor.ms)} s: ratio ${ratio.toFixed(2)} ${ratio < 3 ? '(under 3)' : '(NOT under 3)'}; ${run.total < 60_000 ? 'under' : 'OVER'} 60 s`);
    results[variant] = run.total;
    await db.close();
    if (!flag('keep')) await admin.exec(`drop database if exists ${name} with (force)`);
  }
  if (!flag('keep')) await admin.exec(`drop database if exists ${base} with (force)`);
  await admin.close();
}

async function pgliteBench() {
  log(`\nPGlite: the ${DWELLINGS.toLocaleString('en-GB')}-dwelling demo council`);
  const db = await openPglite();
  await migrate(db);
  const seededTo = '2026-11-08';
  const { result: report } = await timed('seed the demo council', () => seedCouncil(db, { onsCode: 'E08000010', dwellings: DWELLINGS, businesses: 0, seed: 2026, asOf: seededTo }));
  await setUpRecoveryForAuthority(db, report.authorityId, { demoHearingsFrom: '2026-11-01' });
  log(`  ${report.accounts.toLocaleString('en-GB')} accounts, ${report.instalments.toLocaleString('en-GB')} instalments, ${report.ledgerEntries.toLocaleString('en-GB')} ledger entries`);
  // The first run catches up every arrear at once (the seed has no recovery history); the next day's
  // run is the daily run a council has every working day after that.
  for (const [label, asOf] of [['first run (catching up on everything)', '2026-11-07'], ['the next day’s run', seededTo]] as const) {
    await db.query(FLOOR_SQL, [asOf]);
    const floor = await timed(`floor for ${asOf}: one bare SQL query selecting the accounts due a reminder`, () => db.query(FLOOR_SQL, [asOf]));
    const run = await runRecovery(db, report.authorityId, asOf, { withoutLetters: true });
    const r = run.preview.report;
    log(`  ${label}, as of ${asOf}, without letters: ${seconds(run.total)} s (preview ${seconds(run.tPreview)} s: select ${r.seconds.select} s, evaluate ${r.seconds.evaluate} s, write ${r.seconds.write} s; issue ${seconds(run.total - run.tPreview)} s)`);
    log(`    ${r.candidates.toLocaleString('en-GB')} account-years selected; ${r.actions.map((a) => `${a.stage} ${a.count.toLocaleString('en-GB')}`).join(', ') || 'nothing due'}; held ${r.held.count}; exceptions ${r.exceptions}; outcomes ${r.outcomes.map((o) => `${o.stage} ${o.outcome} ${o.count}`).join(', ') || 'none'}`);
    log(`  => ${label}: run ${seconds(run.total)} s vs floor ${seconds(floor.ms)} s: ratio ${(run.total / floor.ms).toFixed(2)}; ${run.total < 15_000 ? 'under' : 'OVER'} 15 s`);
  }
  await db.close();
}

if (!flag('skip-postgres')) await postgresBench();
if (!flag('skip-pglite')) await pgliteBench();
