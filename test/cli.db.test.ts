// The `levy` command as a person runs it: real child processes, real exit codes and messages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPglite } from '../src/db/database.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'levy-cli-'));
// PGlite only: the CLI opens its own database here; the PostgreSQL pass covers the services.
const env = { ...process.env, LEVY_DATA_DIR: dataDir, DATABASE_URL: '', LEVY_TODAY: '2026-11-22', LOG_LEVEL: 'silent' };
delete (env as Record<string, string | undefined>).DATABASE_URL;

function levy(args: string[], extraEnv: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['bin/levy.js', ...args], { env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

before(() => {
  const migrated = levy(['migrate']);
  assert.equal(migrated.code, 0, migrated.err);
});
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

test('check-vectors passes every shared vector and ends with the closing line', () => {
  const vectors = process.env.LEVY_VECTORS_DIR ?? path.resolve('../shared/vectors');
  const { code, out } = levy(['check-vectors', vectors]);
  assert.equal(code, 0);
  assert.match(out.trim().split('\n').at(-1)!, /^\d+ passed, 0 failed$/);
  const json = JSON.parse(levy(['check-vectors', vectors, '--json']).out);
  assert.equal(json.failed, 0);
  assert.ok(json.passed >= 60);
});

test('check-vectors fails (exit 1) on a wrong case and an unknown calculator', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'levy-vectors-'));
  fs.writeFileSync(path.join(dir, 'council-tax-band-amounts.json'), JSON.stringify({ title: 't', source: 's', cases: [{ name: 'wrong on purpose', input: { band_d_pence: 215300, band: 'A' }, expected: { annual_pence: 1 } }] }));
  fs.writeFileSync(path.join(dir, 'dog-licences.json'), JSON.stringify({ title: 't', source: 's', cases: [] }));
  const { code, out } = levy(['check-vectors', dir]);
  assert.equal(code, 1);
  assert.match(out, /wrong on purpose/);
  assert.match(out, /dog-licences\.json/);
  assert.match(out.trim().split('\n').at(-1)!, /^0 passed, \d+ failed$/);
  assert.equal(levy(['check-vectors', path.join(dir, 'nope')]).code, 2);
});

test('bad arguments are named, exit 2, and change nothing', async () => {
  const seed = levy(['seed', '--authority', 'E08000010', '--dwellings', 'lots']);
  assert.equal(seed.code, 2);
  assert.match(seed.err, /--dwellings must be a whole number/);
  const asOf = levy(['seed', '--authority', 'E08000010', '--as-of', '22/11/2026']);
  assert.equal(asOf.code, 2);
  assert.match(asOf.err, /--as-of must be a date as YYYY-MM-DD/);
  const role = levy(['users', 'add', '--username', 'x.y', '--name', 'X', '--role', 'bailiff']);
  assert.equal(role.code, 2);
  assert.match(role.err, /role must be one of/);
  const shortPassword = levy(['users', 'add', '--username', 'short.pw', '--name', 'X', '--role', 'auditor'], { LEVY_NEW_PASSWORD: 'short' });
  assert.equal(shortPassword.code, 2);
  assert.match(shortPassword.err, /password: Password must be at least 12 characters/);
  const unknownAuthority = levy(['users', 'add', '--username', 'no.where', '--name', 'X', '--role', 'auditor', '--authority', 'E99999999']);
  assert.equal(unknownAuthority.code, 2);
  assert.match(unknownAuthority.err, /no billing authority with ONS code "E99999999"/);
  const db = await openPglite(dataDir);
  try {
    assert.deepEqual(await db.query('select username from users'), []);
  } finally {
    await db.close();
  }
});

test('users add creates a sign-in with a generated password, once', () => {
  const added = levy(['users', 'add', '--username', 'first.admin', '--name', 'First Admin', '--role', 'system_administrator', '--json']);
  assert.equal(added.code, 0, added.err);
  const body = JSON.parse(added.out);
  assert.equal(body.username, 'first.admin');
  assert.ok(body.password.length >= 12);
  const again = levy(['users', 'add', '--username', 'first.admin', '--name', 'Again', '--role', 'auditor']);
  assert.equal(again.code, 4);
  assert.match(again.err, /already exists/);
  const list = JSON.parse(levy(['users', 'list', '--json']).out);
  assert.deepEqual(list.map((u: { username: string }) => u.username), ['first.admin']);
});
