// Kill -9 half-way through a real `levy payments import` on PostgreSQL, then run it again: the
// import completes and nothing is lost or doubled. (PostgreSQL only: an in-memory PGlite cannot be
// shared with a child process; payments.db.test.ts covers a crash inside a chunk on both engines.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openPostgres } from '../../db/database.ts';
import { migrate } from '../../db/migrate.ts';
import { testEngine } from '../../../test/support/test-db.ts';
import { buildFixtureCouncil } from '../../../test/support/fixture-council.ts';
import { bureauFile } from '../../../test/support/payment-files.ts';

const onPostgres = testEngine() === 'postgres';

test('kill -9 during an import, then re-run: completed once, nothing doubled', { skip: onPostgres ? false : 'needs LEVY_TEST_DB=postgres (a database a child process can share)' }, async () => {
  const server = process.env.DATABASE_URL!;
  const name = `levy_kill_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  admin.on('error', () => {}); // a server-side termination of this maintenance connection must not crash the test
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const db = await openPostgres(url.toString());
  const file = path.join(os.tmpdir(), `${name}.txt`);
  try {
    await migrate(db);
    const f = await buildFixtureCouncil(db);
    const refs = [f.accounts.hughesCt.reference, f.accounts.sundry.reference, f.accounts.okaforCt.reference];
    const lines = Array.from({ length: 6000 }, (_, i) => ({ narrative: `K${i}`, reference: refs[i % 3], amountPence: 100 + (i % 50), paidOn: '2026-11-20' }));
    const total = lines.reduce((s, l) => s + l.amountPence, 0);
    fs.writeFileSync(file, bureauFile(lines));
    const env = { ...process.env, DATABASE_URL: url.toString(), LEVY_TODAY: '2026-11-22', LOG_LEVEL: 'silent' };
    const args = ['bin/levy.js', 'payments', 'import', file, '--format', 'bureau', '--authority', 'E08000010', '--chunk-size', '100', '--json'];

    const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
    let posted = 0;
    for (let i = 0; i < 600 && posted === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      posted = (await db.query<{ n: number }>(`select count(*)::int as n from payment_import_lines where status <> 'pending' and receipt_id is not null`))[0].n;
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const [mid] = await db.query<{ status: string; done: number; pending: number }>(
      `select i.status, count(*) filter (where l.status <> 'pending')::int as done, count(*) filter (where l.status = 'pending')::int as pending
         from payment_imports i left join payment_import_lines l on l.import_id = i.id group by i.status`);
    assert.ok(mid.status === 'posting' || mid.status === 'staging', `killed while ${mid.status}`);
    assert.ok(mid.done > 0 && mid.pending > 0, `killed half-way (${mid.done} done, ${mid.pending} pending)`);

    const rerun = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    assert.equal(rerun.status, 0, rerun.stderr);
    const report = JSON.parse(rerun.stdout);
    assert.deepEqual([report.status, report.lines, report.matched.lines, report.matched.amountPence, report.balanced], ['completed', 6000, 6000, total, true]);
    const [check] = await db.query<{ receipts: number; distinct_keys: number; posted: number; events: number }>(
      `select (select count(*) from receipts)::int as receipts, (select count(distinct transaction_key) from receipts)::int as distinct_keys,
              (select -sum(amount_pence) from ledger_entries where source like 'import:%')::bigint as posted,
              (select count(*) from events where by_system like 'import:%')::int as events`);
    assert.deepEqual(check, { receipts: 6000, distinct_keys: 6000, posted: total, events: 6000 });
  } finally {
    fs.rmSync(file, { force: true });
    await db.close();
    // the killed child's server process may still be rolling back: wait for it rather than force it
    for (let i = 0; ; i++) {
      try {
        await admin.query(`drop database if exists ${name}`);
        break;
      } catch (error) {
        if (i >= 40) throw error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    await admin.end();
  }
});
