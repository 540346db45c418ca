// `levy queues` as a person runs it: real child processes on an embedded database with two trace
// tasks, the counts as JSON, a bulk assignment as a named officer, and the exit code for a mistake.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPglite } from '../../db/database.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'levy-queues-cli-'));
const env: Record<string, string | undefined> = { ...process.env, LEVY_DATA_DIR: dataDir, LEVY_TODAY: '2026-11-22', LOG_LEVEL: 'silent' };
delete env.DATABASE_URL;
const tasks: number[] = [];

function levy(args: string[]) {
  const result = spawnSync(process.execPath, ['bin/levy.js', ...args], { env, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

before(async () => {
  assert.equal(levy(['migrate']).code, 0);
  const db = await openPglite(dataDir);
  try {
    const [a] = await db.query<{ id: number }>(`insert into billing_authorities (ons_code, name, nation) values ('E08000010', 'Wigan', 'england') returning id`);
    const [u] = await db.query<{ id: number }>(`insert into users (username, display_name, password_hash, role) values ('sam.officer', 'Sam Officer', 'not-a-hash', 'recovery_officer') returning id`);
    await db.query('insert into user_authorities (user_id, authority_id) values ($1, $2)', [u.id, a.id]);
    for (const name of ['Ann Able', 'Ben Baker']) {
      const [c] = await db.query<{ id: number }>(`insert into customers (authority_id, kind, surname, display_name) values ($1, 'person', $2, $2) returning id`, [a.id, name]);
      const [t] = await db.query<{ id: number }>(`insert into trace_tasks (authority_id, customer_id, trigger) values ($1, $2, 'returned_mail') returning id`, [a.id, c.id]);
      tasks.push(Number(t.id));
    }
  } finally {
    await db.close();
  }
});
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

test('levy queues --json counts, and levy queues bulk assigns as the officer', () => {
  const before = levy(['queues', '--json']);
  assert.equal(before.code, 0, before.err);
  const tracing = JSON.parse(before.out).queues.find((q: { queue: string }) => q.queue === 'tracing');
  assert.deepEqual([tracing.open, tracing.mine, tracing.unassigned], [2, 0, 2]);

  const bulk = levy(['queues', 'bulk', 'tracing', '--as', 'sam.officer', '--action', 'assign_me', '--ids', `${tasks[0]},${tasks[1]},424242`]);
  assert.equal(bulk.code, 0, bulk.err);
  assert.equal(bulk.out.trim(), '2 done, 1 refused (trace task 424242: not found)');

  const mine = JSON.parse(levy(['queues', '--user', 'sam.officer', '--json']).out).queues.find((q: { queue: string }) => q.queue === 'tracing');
  assert.deepEqual([mine.open, mine.mine, mine.unassigned], [2, 2, 0]);

  assert.notEqual(levy(['queues', 'bulk', 'nowhere', '--as', 'sam.officer', '--action', 'unassign', '--ids', '1']).code, 0);
  assert.equal(levy(['queues', 'bulk', 'tracing', '--as', 'nobody', '--action', 'unassign', '--ids', '1']).code, 3, 'not found');
});
