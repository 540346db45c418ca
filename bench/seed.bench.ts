// How fast the demo-council generator seeds, and that its memory stays flat as the council grows.
//
//   npx tsx bench/seed.bench.ts                       both engines, default sizes
//   npx tsx bench/seed.bench.ts --pglite 150000       PGlite only (small run 15,000 + this size)
//   npx tsx bench/seed.bench.ts --postgres 1000000    PostgreSQL only (small run 100,000 + this size)
//   options: --small-pglite N, --small-postgres N, --postgres-url URL (an admin connection; default
//            postgres://postgres@127.0.0.1:5432/postgres), --authority E08000010
//
// Timings are wall-clock, so other work on the machine slows them: each run prints the load
// average before and after, and the CPU seconds this process used (on PGlite, all of the work).
//
// Each run is a fresh child process on a fresh database (PGlite in a temp dir; a new PostgreSQL
// database, dropped afterwards), so each peak is its own. Memory is sampled every 100 ms and after
// every chunk (PGlite runs in this thread, so a long statement holds the timer back); peak heapUsed
// depends on when V8 collects, so every 10th chunk a full collection also measures the live heap. Businesses are
// 1 per 20 dwellings, as in a real borough. Targets: 150,000 dwellings on PGlite in 60 s;
// 1,000,000 on PostgreSQL in 300 s.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';

const TARGETS = { pglite: { dwellings: 150_000, seconds: 60 }, postgres: { dwellings: 1_000_000, seconds: 300 } };
const AS_OF = '2026-11-20';

interface RunResult {
  engine: 'pglite' | 'postgres';
  dwellings: number;
  businesses: number;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMb: number;
  peakHeapMb: number;
  /** Largest heap still live after a full collection (every 10th chunk): what the seed holds on to. */
  liveHeapMb: number;
  samples: number;
  /** 1-minute load average when the run started and ended (other work on the machine skews timings). */
  load: [number, number];
  /** CPU seconds used by this process while seeding: all of the work on PGlite, the client's share on PostgreSQL. */
  cpuSeconds: number;
  /** Seconds per step of the seed (the report's phaseSeconds). */
  phaseSeconds: Record<string, number>;
}

const { values } = parseArgs({
  options: {
    pglite: { type: 'string' },
    postgres: { type: 'string' },
    'small-pglite': { type: 'string', default: '15000' },
    'small-postgres': { type: 'string', default: '100000' },
    'postgres-url': { type: 'string', default: process.env.LEVY_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    authority: { type: 'string', default: 'E08000010' },
    child: { type: 'string' }, // internal: engine:dwellings:url|dir
  },
});

const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;

async function child(spec: string) {
  const [engine, dwellingsText, target] = spec.split('|');
  const dwellings = Number(dwellingsText);
  const businesses = Math.round(dwellings / 20);
  const { openPglite, openPostgres } = await import('../src/db/database.ts');
  const { migrate } = await import('../src/db/migrate.ts');
  const { seedCouncil } = await import('../src/jobs/seed-council.ts');
  const db = engine === 'pglite' ? await openPglite(target) : await openPostgres(target);
  await migrate(db);
  let peakRss = 0;
  let peakHeap = 0;
  let samples = 0;
  let chunks = 0;
  let liveHeap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    samples++;
  };
  const timer = setInterval(sample, 100);
  sample();
  const loadBefore = os.loadavg()[0];
  const cpuBefore = process.cpuUsage();
  const report = await seedCouncil(db, {
    onsCode: values.authority!,
    dwellings,
    businesses,
    seed: 1,
    asOf: AS_OF,
    onProgress: (line, progress) => {
      sample();
      if (++chunks % 10 === 0 && typeof globalThis.gc === 'function') {
        globalThis.gc();
        liveHeap = Math.max(liveHeap, process.memoryUsage().heapUsed);
      }
      if (progress.done === progress.total || progress.done % 100_000 === 0) process.stderr.write(`    ${line}\n`);
    },
  });
  sample();
  const cpu = process.cpuUsage(cpuBefore);
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    liveHeap = Math.max(liveHeap, process.memoryUsage().heapUsed);
  }
  clearInterval(timer);
  await db.close();
  const result: RunResult = {
    engine: engine as RunResult['engine'],
    dwellings,
    businesses,
    rows: report.rows,
    seconds: report.seconds,
    rowsPerSecond: Math.round(report.rows / report.seconds),
    peakRssMb: mb(peakRss),
    peakHeapMb: mb(peakHeap),
    liveHeapMb: mb(liveHeap),
    samples,
    load: [Math.round(loadBefore * 10) / 10, Math.round(os.loadavg()[0] * 10) / 10],
    cpuSeconds: Math.round((cpu.user + cpu.system) / 1e5) / 10,
    phaseSeconds: report.phaseSeconds,
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

function runChild(spec: string): RunResult {
  const script = fileURLToPath(import.meta.url);
  const out = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, '--child', spec, '--authority', values.authority!], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = out.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (out.status !== 0 || !line) throw new Error(`seed run ${spec.split('|').slice(0, 2).join(' ')} failed (exit ${out.status})`);
  return JSON.parse(line.slice(7)) as RunResult;
}

async function runPglite(dwellings: number): Promise<RunResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'levy-seed-bench-'));
  try {
    return runChild(`pglite|${dwellings}|${dir}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function runPostgres(dwellings: number, adminUrl: string): Promise<RunResult> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const name = `levy_seed_bench_${process.pid}_${dwellings}`;
  await admin.query(`drop database if exists ${name}`);
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    return runChild(`postgres|${dwellings}|${url.toString()}`);
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

function printTable(results: RunResult[]) {
  const head = [
    'engine',
    'dwellings',
    'businesses',
    'rows',
    'seconds',
    'rows/s',
    'peak RSS MB',
    'peak heap MB',
    'live heap MB',
    'cpu s',
    'load avg',
  ];
  const rows = results.map((r) => [
    r.engine,
    r.dwellings.toLocaleString('en-GB'),
    r.businesses.toLocaleString('en-GB'),
    r.rows.toLocaleString('en-GB'),
    r.seconds.toFixed(1),
    r.rowsPerSecond.toLocaleString('en-GB'),
    r.peakRssMb.toFixed(1),
    r.peakHeapMb.toFixed(1),
    r.liveHeapMb.toFixed(1),
    r.cpuSeconds.toFixed(1),
    `${r.load[0]}→${r.load[1]}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  // Where the time went, per run (statement times overlap on PostgreSQL, which writes chunks concurrently).
  for (const r of results) {
    console.log(`\n${r.engine} ${r.dwellings.toLocaleString('en-GB')}: seconds per step`);
    for (const [phase, seconds] of Object.entries(r.phaseSeconds).sort((a, b) => b[1] - a[1])) {
      console.log(`  ${seconds.toFixed(1).padStart(7)}  ${phase}`);
    }
  }
}

async function main() {
  if (values.child) return child(values.child);
  const explicit = values.pglite !== undefined || values.postgres !== undefined;
  const plan: { engine: 'pglite' | 'postgres'; small: number; large: number }[] = [];
  if (!explicit || values.pglite !== undefined) {
    plan.push({ engine: 'pglite', small: Number(values['small-pglite']), large: Number(values.pglite ?? TARGETS.pglite.dwellings) });
  }
  if (!explicit || values.postgres !== undefined) {
    plan.push({
      engine: 'postgres',
      small: Number(values['small-postgres']),
      large: Number(values.postgres ?? TARGETS.postgres.dwellings),
    });
  }
  console.log(`Seed benchmark: ${values.authority}, as of ${AS_OF}, ${os.cpus().length} CPUs, Node ${process.version}`);
  const results: RunResult[] = [];
  const verdicts: string[] = [];
  for (const step of plan) {
    if (step.engine === 'postgres') {
      try {
        const probe = new pg.Client({ connectionString: values['postgres-url'], connectionTimeoutMillis: 3000 });
        await probe.connect();
        await probe.end();
      } catch (error) {
        verdicts.push(`postgres: skipped, no server at ${values['postgres-url']} (${(error as Error).message})`);
        continue;
      }
    }
    const run = (n: number) => (step.engine === 'pglite' ? runPglite(n) : runPostgres(n, values['postgres-url']!));
    console.log(`\n${step.engine}: ${step.small.toLocaleString('en-GB')} then ${step.large.toLocaleString('en-GB')} dwellings`);
    const small = await run(step.small);
    results.push(small);
    const large = await run(step.large);
    results.push(large);
    const target = TARGETS[step.engine];
    // the target is for its size; a different size is judged pro rata
    const allowed = (target.seconds * large.dwellings) / target.dwellings;
    const pass = large.seconds <= allowed;
    verdicts.push(
      `${step.engine}: ${large.dwellings.toLocaleString('en-GB')} dwellings in ${large.seconds.toFixed(1)} s ` +
        `(target ${allowed.toFixed(0)} s) ${pass ? 'PASS' : 'MISS'}; ` +
        `peak memory large/small: RSS ×${(large.peakRssMb / small.peakRssMb).toFixed(2)}, ` +
        `heap ×${(large.peakHeapMb / small.peakHeapMb).toFixed(2)}, live heap after GC ×${(large.liveHeapMb / small.liveHeapMb).toFixed(2)} ` +
        `for ×${(large.dwellings / small.dwellings).toFixed(0)} the dwellings`,
    );
  }
  console.log('');
  printTable(results);
  console.log('');
  for (const v of verdicts) console.log(v);
}

await main();
