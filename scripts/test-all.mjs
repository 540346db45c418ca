#!/usr/bin/env node
// `npm test`: everything a newcomer needs to trust a change.
//  0. static checks: TypeScript (strict) and ESLint with zero warnings
//  1. unit and service tests on embedded PGlite (always)
//  2. the same service tests (*.db.test.ts) on a PostgreSQL server (when DATABASE_URL is set)
//  3. browser tests through the real server in Chromium with an accessibility scan (when Chromium is found)
// A pass that cannot run says so plainly and why. The last line totals every pass.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);

function findTests(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) findTests(full, out);
    else if (entry.name.endsWith('.test.ts')) out.push(path.relative(root, full));
  }
  return out.sort();
}

const all = [...findTests('src'), ...findTests('test')];
const browser = all.filter((f) => f.includes('.browser.test.ts'));
const fast = all.filter((f) => !browser.includes(f));
const dbTests = fast.filter((f) => f.includes('.db.test.ts'));

const totals = { passed: 0, failed: 0, skipped: 0 };
const notes = [];

function runPass(name, files, env) {
  console.log(`\n=== ${name}: ${files.length} test files ===`);
  const tap = path.join(os.tmpdir(), `levy-tap-${process.pid}-${name.replace(/\W+/g, '-')}.txt`);
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files],
    { stdio: 'inherit', env: { ...process.env, ...env } },
  );
  const text = fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '';
  fs.rmSync(tap, { force: true });
  const count = (label) => Number((new RegExp(`^# ${label} (\\d+)$`, 'm').exec(text) ?? [])[1] ?? 0);
  const passed = count('pass');
  const failed = count('fail') + count('cancelled');
  totals.passed += passed;
  totals.failed += failed + (result.status !== 0 && failed === 0 ? 1 : 0);
  totals.skipped += count('skipped');
  console.log(`--- ${name}: ${passed} passed, ${failed} failed (exit ${result.status})`);
}

function runCheck(name, command, args) {
  console.log(`\n=== ${name} ===`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status === 0) totals.passed += 1;
  else totals.failed += 1;
  console.log(`--- ${name}: ${result.status === 0 ? 'ok' : 'FAILED'}`);
}

const bin = (name) => path.join(root, 'node_modules', '.bin', name);
runCheck('typecheck (tsc --noEmit)', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
runCheck('lint (eslint, zero warnings)', bin('eslint'), ['--max-warnings', '0', 'src', 'test', 'scripts', 'bin', 'bench']);

runPass('unit and service tests on PGlite', fast, { LEVY_TEST_DB: 'pglite' });

if (process.env.DATABASE_URL) {
  runPass('service tests on PostgreSQL', dbTests, { LEVY_TEST_DB: 'postgres' });
} else {
  notes.push('SKIPPED service tests on PostgreSQL: DATABASE_URL is not set (e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm test)');
}

const chromium = process.env.LEVY_CHROMIUM ?? '/usr/bin/chromium';
if (browser.length && fs.existsSync(chromium)) {
  runPass('browser tests in Chromium', browser, { LEVY_CHROMIUM: chromium });
} else if (browser.length) {
  notes.push(`SKIPPED browser tests: no Chromium at ${chromium} (apt-get install chromium, or set LEVY_CHROMIUM)`);
}

console.log('');
for (const note of notes) console.log(note);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
