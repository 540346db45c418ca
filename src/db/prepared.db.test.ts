// Prepared reads (Db.queryPrepared) on either engine: the same rows and types as an ordinary query,
// errors reported without breaking the connection, and never inside another caller's transaction.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from './database.ts';
import { openTestDb } from '../../test/support/test-db.ts';

let db: Db;
before(async () => {
  db = await openTestDb();
  await db.exec(`create table prepared_probe (id bigint primary key, name text not null, born date)`);
  await db.query(`insert into prepared_probe values (1, 'O''Brien', '1980-02-29'), (2, 'Smith', null)`);
});
after(async () => {
  await db.close();
});

const SQL = `select id, name, born, $2::int[] as ids, $3::text as said from prepared_probe where id = any($1::bigint[]) order by id`;

test('a prepared read returns what an ordinary query returns, run after run', async () => {
  const params = [[1, 2], [7, 8], "it's"];
  const expected = await db.query(SQL, params);
  assert.deepEqual(expected, [
    { id: 1, name: "O'Brien", born: '1980-02-29', ids: [7, 8], said: "it's" },
    { id: 2, name: 'Smith', born: null, ids: [7, 8], said: "it's" },
  ]);
  // past the five custom plans after which PostgreSQL may keep a generic one
  for (let run = 0; run < 8; run++) assert.deepEqual(await db.queryPrepared(SQL, params), expected);
  assert.deepEqual(await db.queryPrepared(SQL, [[2], [], null]), [{ id: 2, name: 'Smith', born: null, ids: [], said: null }]);
});

test('an error in a prepared read is reported, and the connection goes on working', async () => {
  await assert.rejects(db.queryPrepared('select 1 / $1::int as x', [0]), /division by zero/);
  assert.deepEqual(await db.queryPrepared('select 1 / $1::int as x', [1]), [{ x: 1 }]);
  await assert.rejects(db.queryPrepared('select * from no_such_table where id = $1', [1]), /no_such_table/);
  assert.deepEqual(await db.queryPrepared(SQL, [[1], [], 'ok']), [{ id: 1, name: "O'Brien", born: '1980-02-29', ids: [], said: 'ok' }]);
});

test('a prepared read never sees another caller’s unfinished transaction; inside its own it does', async () => {
  const count = `select count(*)::int as n from prepared_probe`;
  let inside!: () => void;
  const started = new Promise<void>((resolve) => (inside = resolve));
  let finish!: () => void;
  const held = new Promise<void>((resolve) => (finish = resolve));
  const writer = db
    .transaction(async (tx) => {
      await tx.query(`insert into prepared_probe values (3, 'Jones', null)`);
      assert.deepEqual(await tx.queryPrepared(count), [{ n: 3 }], 'its own transaction’s row');
      inside();
      await held;
      throw new Error('roll back');
    })
    .catch((error: Error) => error.message);
  await started;
  // On PGlite this waits for the transaction to end; on PostgreSQL it runs on another connection.
  const reading = db.queryPrepared<{ n: number }>(count);
  finish();
  assert.deepEqual(await reading, [{ n: 2 }]);
  assert.equal(await writer, 'roll back');
  assert.deepEqual(await db.queryPrepared(count), [{ n: 2 }]);
});
