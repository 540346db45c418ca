// A 100,000-line bureau payment file parsed, matched and allocated on PostgreSQL, with memory
// sampled throughout, beside a floor: COPY of the same rows into a table (the fastest PostgreSQL can
// take them in at all). Target: under 20 s, flat memory.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/payments.bench.ts [--lines 100000] [--dwellings 40000] [--chunk 5000]
//
// A scratch database is created on the server and dropped at the end. The council is seeded with
// the real seeder (two years of bills, instalments and payments), so allocation works against a
// realistic ledger; 2% of the file's lines have a mistyped or unknown reference and go to suspense.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { fixedClock } from '../src/clock.ts';
import { openPostgres, type Db } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { makeAccountReference } from '../src/domain/account-reference.ts';
import { formatBureauRecord, formatBureauTrailer } from '../src/integrations/bureau/bureau.ts';
import { seedCouncil } from '../src/jobs/seed-council.ts';
import { createRepositories, createServices } from '../src/services.ts';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '100000' }, dwellings: { type: 'string', default: '40000' }, chunk: { type: 'string', default: '5000' }, profile: { type: 'boolean', default: false } } });
const LINES = Number(values.lines);
const server = process.env.DATABASE_URL;
if (!server) {
  console.error('Set DATABASE_URL to a PostgreSQL server (the benchmark creates and drops its own database).');
  process.exit(2);
}

const name = `levy_bench_payments_${crypto.randomBytes(3).toString('hex')}`;
const admin = new pg.Client({ connectionString: server });
await admin.connect();
await admin.query(`create database ${name}`);
const url = new URL(server);
url.pathname = `/${name}`;
const db = await openPostgres(url.toString());

try {
  await migrate(db);
  const asOf = '2026-11-20';
  const seedStarted = performance.now();
  const seed = await seedCouncil(db, { onsCode: 'E08000010', dwellings: Number(values.dwellings), businesses: Math.round(Number(values.dwellings) / 20), seed: 7, asOf });
  console.log(`Seeded ${seed.name}: ${Number(values.dwellings).toLocaleString('en-GB')} dwellings in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);
  const clock = fixedClock('2026-11-22');
  // --profile: time every statement of the import, grouped by its first words
  const spent = new Map<string, number>();
  const time = async <R>(sql: string, run: () => Promise<R>): Promise<R> => {
    const t = performance.now();
    try { return await run(); } finally {
      const key = sql.replace(/\s+/g, ' ').trim().slice(0, 60);
      spent.set(key, (spent.get(key) ?? 0) + performance.now() - t);
    }
  };
  const timed = (d: Db): Db => ({
    kind: d.kind, exec: (sql) => d.exec(sql), close: () => d.close(),
    query: <T>(sql: string, params?: unknown[]) => time(sql, () => d.query<T>(sql, params)),
    queryPrepared: <T>(sql: string, params?: unknown[]) => time(sql, () => d.queryPrepared<T>(sql, params)),
    transaction: (fn) => d.transaction((tx) => fn(timed(tx))),
  });
  const used = values.profile ? timed(db) : db;
  const services = createServices(used, createRepositories(used), clock, { sessionIdleMinutes: 60 });
  const [authority] = await db.query<{ id: number }>('select id from billing_authorities limit 1');

  // The file: references of real accounts (several payments each), 1% mistyped, 1% unknown.
  const refs = (await db.query<{ reference: string }>(`select reference from accounts where authority_id = $1 and stream = 'council_tax' order by id`, [authority.id])).map((r) => r.reference);
  const file = path.join(os.tmpdir(), `levy-bench-${name}.txt`);
  let total = 0;
  let seq = 0;
  async function* records() {
    for (let i = 0; i < LINES; i++) {
      const h = (i * 2654435761) >>> 0;
      let reference = refs[h % refs.length];
      if (h % 100 === 7) reference = reference.slice(0, 9) + String((Number(reference[9]) + 1) % 10); // a slip: check digit fails
      if (h % 100 === 8) reference = makeAccountReference('council_tax', 90_000_000 + (h % 1_000_000)); // valid, no such account
      const amountPence = 500 + (h % 19_500);
      total += amountPence;
      yield `${formatBureauRecord({ narrative: `B${String(++seq).padStart(6, '0')}`, reference, amountPence, channelCode: 'PTZBNA'[h % 6], paidOn: asOf })}\r\n`;
    }
    yield `${formatBureauTrailer(LINES, total)}\r\n`;
  }
  await pipeline(Readable.from(records()), fs.createWriteStream(file));
  const size = fs.statSync(file).size;
  console.log(`File: ${LINES.toLocaleString('en-GB')} lines, ${(size / 1e6).toFixed(1)} MB, ${(total / 100).toLocaleString('en-GB', { style: 'currency', currency: 'GBP' })}`);

  // Floor: COPY the same rows (as parsed fields plus raw text) into a plain table.
  await db.exec(`create table bench_copy_floor (line_no int, raw text, reference text, amount_pence bigint, channel text, paid_on date)`);
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  const floorStarted = performance.now();
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  async function* tsv() {
    let n = 0;
    for await (const line of lines) {
      if (line.startsWith('TRAILER')) continue;
      const [d, m, y] = line.slice(33, 43).split('/');
      yield `${++n}\t${line}\t${line.slice(7, 23).trim()}\t${Number(line.slice(23, 32))}\t${line[32]}\t${y}-${m}-${d}\n`;
    }
  }
  await pipeline(Readable.from(tsv()), client.query(copyFrom('copy bench_copy_floor from stdin')));
  const floorSeconds = (performance.now() - floorStarted) / 1000;
  await client.end();

  // The import, with memory sampled every 50 ms.
  const actor = { userId: null, username: 'bench', role: 'recovery_manager' as const, authorityIds: [authority.id] };
  let peakRss = 0;
  let peakHeap = 0;
  const baseline = process.memoryUsage();
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 50);
  const started = performance.now();
  const report = await services.payments.importFile(actor, { name: path.basename(file), open: () => fs.createReadStream(file, { highWaterMark: 64 * 1024 }) }, { format: 'bureau', chunkSize: Number(values.chunk) });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const [entries] = await db.query<{ n: number }>(`select count(*)::int as n from ledger_entries where source = $1`, [`import:${report.importId}`]);

  const rate = LINES / seconds;
  const floorRate = LINES / floorSeconds;
  const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;
  console.log('');
  console.log(`Import:  ${seconds.toFixed(2)} s  ${Math.round(rate).toLocaleString('en-GB')} lines/s  (target < 20 s: ${seconds < 20 ? 'met' : 'NOT MET'})`);
  console.log(`Floor:   ${floorSeconds.toFixed(2)} s  ${Math.round(floorRate).toLocaleString('en-GB')} lines/s  (COPY of the same rows into a table)`);
  console.log(`Ratio:   ${(seconds / floorSeconds).toFixed(1)}× the floor's time (${(rate / floorRate * 100).toFixed(1)}% of its rate)`);
  console.log(`Result:  ${report.matched.lines.toLocaleString('en-GB')} matched, ${report.suspense.lines.toLocaleString('en-GB')} suspense, ${report.exceptions.lines} exceptions; ${entries.n.toLocaleString('en-GB')} ledger entries; control totals ${report.balanced ? 'balance' : 'DO NOT balance'}`);
  console.log(`Memory:  RSS ${mb(baseline.rss)} before, peak ${mb(peakRss)}; heap ${mb(baseline.heapUsed)} before, peak ${mb(peakHeap)} (file ${mb(size)})`);
  if (values.profile) {
    console.log('\nTime by statement (ms):');
    for (const [k, v] of [...spent].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`  ${v.toFixed(0).padStart(7)}  ${k}`);
  }
  fs.rmSync(file, { force: true });
} finally {
  await db.close();
  await admin.query(`drop database if exists ${name}`).catch((error: Error) => console.error(`(could not drop ${name}: ${error.message})`));
  await admin.end();
}
