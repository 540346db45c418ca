// Annual billing of a large council on PostgreSQL, and demand notices rendered as PDF.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/billing.bench.ts \
//     [--dwellings 500000] [--letters 20000] [--pdfs 2000] [--keep]
//
// 1. A fresh database with N dwellings made set-based in SQL (Wigan's band mix; 30% single person
//    discount, some exemptions and second homes; 65% Direct Debit on the 1st or 15th; 0.2% with an
//    award ending during the year, billed one by one), and the year's charges.
// 2. The annual run for 2027/28 without demand notices: bills, ledger entries, instalment plans and
//    instalments. Printed as accounts/s beside the floor: a bare INSERT … SELECT writing the same rows
//    into the same tables (rolled back), and the ratio. Target: under 2 minutes for 500,000.
// 3. The run's demand notices as documents (letters + outbox + events) for --letters of the bills.
// 4. PDF demand notices rendered per minute (worker threads, one per CPU). Target: 10,000/min.
import crypto from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { fixedClock } from '../src/clock.ts';
import { openPostgres } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { createRepositories, createServices } from '../src/services.ts';
import type { Actor } from '../src/modules/auth/context.ts';
import type { LetterContent } from '../src/modules/documents/letter.ts';

const { values } = parseArgs({
  options: {
    dwellings: { type: 'string', default: '500000' },
    letters: { type: 'string', default: '20000' },
    pdfs: { type: 'string', default: '2000' },
    keep: { type: 'boolean', default: false },
  },
});
const N = Number(values.dwellings);
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  console.error('DATABASE_URL must name a PostgreSQL server (the benchmark makes and drops its own database)');
  process.exit(2);
}

const secs = (ms: number) => (ms / 1000).toFixed(1);
const rate = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en-GB');

async function main() {
  const name = `levy_bench_billing_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  const admin = await openPostgres(serverUrl!, 1);
  await admin.exec(`create database ${name}`);
  await admin.close();
  const url = new URL(serverUrl!);
  url.pathname = `/${name}`;
  const db = await openPostgres(url.toString(), 8);
  try {
    await migrate(db);
    const clock = fixedClock('2027-03-08');
    const services = createServices(db, createRepositories(db), clock, { sessionIdleMinutes: 60 });
    const [{ id: authorityId }] = await db.query<{ id: number }>(
      `insert into billing_authorities (ons_code, name, nation, letter_address, phone, website)
       values ('E08000010', 'Wigan', 'england', '{"Town Hall","Library Street","Wigan","WN1 1YN"}', '01942 404364', 'www.wigan.gov.uk') returning id`);
    const actor: Actor = { userId: null, username: 'bench', role: 'recovery_manager', authorityIds: [authorityId] };
    await services.billing.setChargeYear(actor, authorityId, {
      financialYear: '2027/28', bandDPence: 226_000, source: 'bench',
      precepts: [{ preceptor: 'Wigan Council (including adult social care)', bandDPence: 187_000 }, { preceptor: 'Police and Crime Commissioner', bandDPence: 30_000 }, { preceptor: 'Fire and Rescue', bandDPence: 9_000 }],
    });

    // --- the council, set-based -------------------------------------------------------------
    let t = performance.now();
    await db.exec(`set synchronous_commit = off`);
    await db.query(
      `insert into properties (id, authority_id, kind, uprn, address_line1, town, postcode, band)
       select i, $1, 'dwelling', (100000000000 + i)::text, i || ' Bench Street', 'Wigan', 'WN' || (1 + i % 7) || ' ' || (i % 9) || 'AB',
              case when i % 1000 < 470 then 'A' when i % 1000 < 650 then 'B' when i % 1000 < 800 then 'C' when i % 1000 < 900 then 'D'
                   when i % 1000 < 960 then 'E' when i % 1000 < 985 then 'F' when i % 1000 < 998 then 'G' else 'H' end
         from generate_series(1, $2::int) i`, [authorityId, N]);
    await db.query(
      `insert into customers (id, authority_id, kind, forenames, surname, display_name, email, notify_by_email)
       select i, $1, 'person', 'Pat', 'Payer' || i, 'Pat Payer' || i, case when i % 10 = 0 then 'payer' || i || '@example.org' end, i % 20 = 0
         from generate_series(1, $2::int) i`, [authorityId, N]);
    await db.query(
      `insert into accounts (id, authority_id, reference, stream, customer_id, property_id, payment_method, opened_on)
       select i, $1, '1' || lpad(i::text, 8, '0') || '0', 'council_tax', i, i, case when i % 100 < 65 then 'direct_debit' else 'cash' end, date '2015-04-01'
         from generate_series(1, $2::int) i`, [authorityId, N]);
    await db.query(`insert into liabilities (id, account_id, property_id, from_date) select i, i, i, date '2015-04-01' + (i % 3000) from generate_series(1, $1::int) i`, [N]);
    await db.query(`insert into liability_parties (liability_id, customer_id) select i, i from generate_series(1, $1::int) i`, [N]);
    await db.query(
      `insert into customer_addresses (customer_id, kind, property_id, address_line1, town, postcode, from_date)
       select i, 'residential', i, i || ' Bench Street', 'Wigan', 'WN' || (1 + i % 7) || ' ' || (i % 9) || 'AB', date '2015-04-01' from generate_series(1, $1::int) i`, [N]);
    await db.query(
      `insert into account_billing (account_id, instalment_day, twelve_instalments, legacy_adopted_at)
       select i, case when i % 100 < 65 and i % 2 = 0 then 15 else 1 end, i % 20 = 7, now() from generate_series(1, $1::int) i`, [N]);
    await db.query(
      `insert into account_reductions (account_id, code, from_date, to_date)
       select i, case when i % 1000 < 300 then 'single_person' when i % 1000 < 310 then 'exempt_n' when i % 1000 < 315 then 'second_home' else 'single_person' end,
              date '2015-04-01', case when i % 1000 >= 315 then date '2027-09-30' end
         from generate_series(1, $1::int) i where i % 1000 < 317`, [N]);
    for (const seq of ['properties', 'customers', 'accounts', 'liabilities']) await db.query(`select setval('${seq}_id_seq', $1)`, [N]);
    await db.exec('analyze');
    const setupMs = performance.now() - t;
    console.log(`council: ${N.toLocaleString('en-GB')} dwellings made in ${secs(setupMs)} s`);

    // --- the annual run, without demand notices ---------------------------------------------------
    t = performance.now();
    let lastLine = '';
    const report = await services.billing.annual.run(actor, {
      authorityId, financialYear: 2027, letters: false,
      onProgress: (line) => { if (line !== lastLine) process.stderr.write(`  ${line}\r`); lastLine = line; },
    });
    const runMs = performance.now() - t;
    process.stderr.write('\n');
    const rows = report.billsIssued + report.ledgerEntries + report.instalmentPlans + report.instalments;
    console.log(`annual run: ${report.billsIssued.toLocaleString('en-GB')} bills (${report.billedByTariff.toLocaleString('en-GB')} by tariff, ${report.billedOneByOne.toLocaleString('en-GB')} one by one), ` +
      `${report.ledgerEntries.toLocaleString('en-GB')} ledger entries, ${report.instalmentPlans.toLocaleString('en-GB')} plans, ${report.instalments.toLocaleString('en-GB')} instalments (${rows.toLocaleString('en-GB')} rows)`);

    // --- the floor: the same rows by bare INSERT … SELECT, rolled back ---------------------------------
    const run = report.batchRunId;
    const floorMs = await db.transaction(async (tx) => {
      const started = performance.now();
      await tx.query(
        `insert into bills (account_id, financial_year, kind, issued_on, reason, charge_pence, previous_charge_pence, credits_before_pence, run_tariff_key, batch_run_id, plan_id, created_at)
         select account_id, financial_year + 100, kind, issued_on, reason, charge_pence, previous_charge_pence, credits_before_pence, run_tariff_key, batch_run_id, plan_id, created_at
           from bills where batch_run_id = $1`, [run]);
      await tx.query(
        `insert into ledger_entries (account_id, kind, amount_pence, financial_year, effective_date, posted_at, posted_by, source, reason, billing_component)
         select account_id, kind, amount_pence, financial_year, effective_date, posted_at, posted_by, 'floor', reason, billing_component
           from ledger_entries where source = $1`, [`billing-run:${run}`]);
      await tx.query(
        `insert into instalment_plans (id, account_id, financial_year, issued_on, total_pence, created_at, bill_id, credits_before_pence)
         select ip.id + 1000000000, ip.account_id, ip.financial_year, ip.issued_on, ip.total_pence, ip.created_at, ip.bill_id, ip.credits_before_pence
           from instalment_plans ip join bills b on b.plan_id = ip.id where b.batch_run_id = $1 and b.financial_year = 2027`, [run]);
      await tx.query(
        `insert into instalments (plan_id, seq, due_date, amount_pence)
         select i.plan_id + 1000000000, i.seq, i.due_date, i.amount_pence from instalments i join bills b on b.plan_id = i.plan_id where b.batch_run_id = $1 and b.financial_year = 2027`, [run]);
      const ms = performance.now() - started;
      throw Object.assign(new Error('rollback'), { ms });
    }).catch((e: Error & { ms?: number }) => {
      if (e.ms === undefined) throw e;
      return e.ms;
    });
    console.log('');
    console.log(`  annual run (bills, ledger, plans, instalments): ${secs(runMs)} s   ${rate(report.billsIssued, runMs)} accounts/s`);
    console.log(`  floor (bare INSERT … SELECT of the same rows):  ${secs(floorMs)} s   ${rate(report.billsIssued, floorMs)} accounts/s`);
    console.log(`  ratio run / floor: ${(runMs / floorMs).toFixed(2)}×   target: ${N.toLocaleString('en-GB')} in under 120 s → ${runMs < 120_000 ? 'met' : 'NOT met'}`);

    // --- demand notices as data -------------------------------------------------------------------
    const letters = Math.min(Number(values.letters), report.billsIssued);
    if (letters > 0) {
      t = performance.now();
      const issued = await services.billing.annual.issueNotices(actor, run, { limit: letters });
      const ms = performance.now() - t;
      console.log(`  demand notices as documents (letter + outbox + event): ${issued.toLocaleString('en-GB')} in ${secs(ms)} s = ${rate(issued, ms)}/s ` +
        `(${Math.round((N / (issued / (ms / 1000))) / 60 * 10) / 10} min for all ${N.toLocaleString('en-GB')})`);
    }

    // --- PDFs ---------------------------------------------------------------------------------------
    const pdfs = Number(values.pdfs);
    const documents = (await db.query<{ content: LetterContent }>('select content from documents where batch_run_id = $1 order by id limit $2', [run, pdfs])).map((d) => d.content);
    if (documents.length) {
      const threads = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
      const { bytes, ms } = await renderInWorkers(documents, threads);
      const perMinute = Math.round(documents.length / (ms / 60_000));
      console.log(`  PDF demand notices: ${documents.length.toLocaleString('en-GB')} in ${secs(ms)} s on ${threads} threads = ${perMinute.toLocaleString('en-GB')}/min ` +
        `(target 10,000/min → ${perMinute >= 10_000 ? 'met' : 'NOT met'}; ${Math.round(bytes / documents.length / 1024)} KB each)`);
    }
  } finally {
    await db.close();
    if (!values.keep) {
      const cleanup = await openPostgres(serverUrl!, 1);
      await cleanup.exec(`drop database if exists ${name} with (force)`);
      await cleanup.close();
    } else console.log(`kept database ${name}`);
  }
}

/**
 * Renders letters in worker threads and returns the bytes produced and the milliseconds taken once
 * every worker had loaded the renderer and drawn one letter (steady state, not start-up).
 */
async function renderInWorkers(letters: LetterContent[], threads: number): Promise<{ bytes: number; ms: number }> {
  // A plain-JavaScript worker that loads the TypeScript renderer through tsx's API.
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    (async () => {
      const { tsImport } = await import('tsx/esm/api');
      const { renderLetterPdf } = await tsImport(workerData.module, workerData.module);
      await renderLetterPdf(workerData.letters[0]);
      parentPort.postMessage('ready');
      parentPort.once('message', async () => {
        let bytes = 0;
        for (const letter of workerData.letters) bytes += (await renderLetterPdf(letter)).length;
        parentPort.postMessage(bytes);
      });
    })();`;
  const module = new URL('../src/modules/documents/letter.ts', import.meta.url).href;
  const shares = Array.from({ length: threads }, (_, i) => letters.filter((_, k) => k % threads === i));
  const workers = shares.map((share) => new Worker(source, { eval: true, workerData: { module, letters: share } }));
  await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => { w.once('message', () => resolve()); w.once('error', reject); })));
  const started = performance.now();
  const results = await Promise.all(workers.map((w) => new Promise<number>((resolve, reject) => {
    w.once('message', (bytes: number) => resolve(bytes));
    w.once('error', reject);
    w.postMessage('go');
  })));
  const ms = performance.now() - started;
  await Promise.all(workers.map((w) => w.terminate()));
  return { bytes: results.reduce((a, b) => a + b, 0), ms };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
