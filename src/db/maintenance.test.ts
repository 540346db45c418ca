import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPglite } from './database.ts';
import { analyzeGrownTables } from './maintenance.ts';

test('tables that have grown since their statistics were taken are analyzed, and only those', async () => {
  const db = await openPglite();
  try {
    await db.exec(`create table grows (id int, note text); create table stays (id int)`);
    await db.exec(`insert into stays select generate_series(1, 10); analyze stays`);
    await db.exec(`insert into grows select g, repeat('x', 100) from generate_series(1, 20000) g`);
    assert.deepEqual(await analyzeGrownTables(db), ['grows']);
    const [stats] = await db.query<{ reltuples: number }>(`select reltuples::int as reltuples from pg_class where relname = 'grows'`);
    assert.equal(stats.reltuples, 20000, 'the planner now knows how big it is');
    // Nothing has changed since: nothing to do.
    assert.deepEqual(await analyzeGrownTables(db), []);
  } finally {
    await db.close();
  }
});
