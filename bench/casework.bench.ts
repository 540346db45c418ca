// Account page and search under 20 concurrent officers, through the real server (a child process
// running `levy serve` on PGlite) on a 150,000-dwelling demo council. Target: p95 under 50 ms.
//
//   npx tsx bench/casework.bench.ts [--dwellings 150000] [--users 20] [--seconds 30] [--think-ms 0] [--warmup-seconds 5] [--fresh]
//
// --think-ms: each officer pauses a random 0–2× this long between requests, as people do. With 0
// every officer fires the next request at once: a saturation test of the single-threaded PGlite.
//
// The seeded database is kept in bench/.data/ and reused by later runs (delete it or pass --fresh).
// PGlite's page cache: LEVY_PGLITE_SHARED_BUFFERS=1GB npx tsx bench/casework.bench.ts (docs/performance.md).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { percentile, signIn, startLevyServer } from './support/levy-server.ts';

const { values } = parseArgs({
  options: {
    dwellings: { type: 'string', default: '150000' },
    users: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '30' },
    'think-ms': { type: 'string', default: '0' },
    'warmup-seconds': { type: 'string', default: '5' },
    fresh: { type: 'boolean', default: false },
  },
});
const dwellings = Number(values.dwellings);
const concurrency = Number(values.users);
const seconds = Number(values.seconds);
const thinkMs = Number(values['think-ms']);
const warmupSeconds = Number(values['warmup-seconds']);
const dataDir = path.resolve(`bench/.data/casework-${dwellings}`);
if (values.fresh) fs.rmSync(dataDir, { recursive: true, force: true });

const SURNAMES = ['smith', 'jones', 'taylor', 'brown', 'williams', 'wilson', 'johnson', 'davies', 'robinson', 'wright', 'thompson', 'evans', 'walker', 'white', 'roberts', 'green', 'hall', 'wood', 'jackson', 'clarke'];
const POSTCODES = ['WN1', 'WN2 3', 'WN3', 'WN5 9', 'WN6', 'WN7 1', 'M29', 'WA3 2'];

const server = await startLevyServer({ dataDir, dwellings, today: '2026-11-22' });
try {
  const signIns = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-sign-ins.json'), 'utf8')) as { username: string; password: string }[];
  const officer = signIns.find((s) => s.username === 'recovery.officer')!;
  const cookie = await signIn(server.url, officer.username, officer.password);
  const home = await (await fetch(`${server.url}/`, { headers: { cookie } })).text();
  const accountCount = Number((/Accounts<\/dt><dd class="govuk-summary-list__value">(\d+)/.exec(home) ?? [])[1] ?? dwellings);

  const kinds = {
    'account page': () => `/accounts/${1 + Math.floor(Math.random() * accountCount)}`,
    'customer page': () => `/customers/${1 + Math.floor(Math.random() * accountCount * 0.9)}`,
    'search by name': () => `/search?q=${SURNAMES[Math.floor(Math.random() * SURNAMES.length)]}`,
    'search by postcode': () => `/search?q=${encodeURIComponent(POSTCODES[Math.floor(Math.random() * POSTCODES.length)])}`,
  };
  const timings: Record<string, number[]> = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
  const errors: string[] = [];
  // Officers are mid-way through their day, not all pressing Enter at the same instant on a cold
  // server: each starts after a think time of its own, and the first --warmup-seconds (the page
  // cache filling) are run but not counted.
  const started = Date.now();
  const measureFrom = started + warmupSeconds * 1000;
  const deadline = measureFrom + seconds * 1000;
  const worker = async () => {
    const names = Object.keys(kinds) as (keyof typeof kinds)[];
    if (thinkMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * thinkMs));
    while (Date.now() < deadline) {
      const kind = names[Math.floor(Math.random() * names.length)];
      const url = kinds[kind]();
      const t0 = performance.now();
      const res = await fetch(`${server.url}${url}`, { headers: { cookie }, redirect: 'manual' });
      await res.arrayBuffer();
      const ms = performance.now() - t0;
      if (res.status !== 200 && res.status !== 302 && res.status !== 404) errors.push(`${res.status} ${url}`);
      if (t0 + performance.timeOrigin >= measureFrom) {
        timings[kind].push(ms);
        if (process.env.BENCH_SLOW && ms > Number(process.env.BENCH_SLOW)) console.log(`  slow: ${((Date.now() - started) / 1000).toFixed(1)} s ${ms.toFixed(0)} ms ${url}`);
      }
      if (thinkMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * thinkMs));
    }
  };
  console.log(`\nshared_buffers: ${process.env.LEVY_PGLITE_SHARED_BUFFERS || 'PGlite default (128MB)'}; load average before: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`Load: ${concurrency} concurrent officers (think time ${thinkMs ? `0–${2 * thinkMs} ms` : 'none'}) for ${seconds} s after a ${warmupSeconds} s warm-up on ${accountCount} accounts (server set up in ${server.setupSeconds.toFixed(1)} s)`);
  await Promise.all(Array.from({ length: concurrency }, worker));

  let worstP95 = 0;
  console.log('\n| request | count | p50 ms | p95 ms | p99 ms | max ms |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  const all: number[] = [];
  for (const [kind, list] of Object.entries(timings)) {
    const sorted = [...list].sort((a, b) => a - b);
    all.push(...list);
    const p95 = percentile(sorted, 95);
    if (kind === 'account page' || kind.startsWith('search')) worstP95 = Math.max(worstP95, p95);
    console.log(`| ${kind} | ${sorted.length} | ${percentile(sorted, 50).toFixed(1)} | ${p95.toFixed(1)} | ${percentile(sorted, 99).toFixed(1)} | ${sorted.at(-1)!.toFixed(1)} |`);
  }
  console.log(`\nthroughput: ${(all.length / seconds).toFixed(0)} requests/s; errors: ${errors.length}${errors.length ? ` (first: ${errors[0]})` : ''}`);
  console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`worst p95 of account page and searches: ${worstP95.toFixed(1)} ms (target 50 ms, ratio ${(worstP95 / 50).toFixed(2)}) ${worstP95 < 50 ? 'PASS' : 'MISS'}`);
} finally {
  await server.stop();
}
