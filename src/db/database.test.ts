import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPglite } from './database.ts';

test('the embedded database takes its page cache size; PGlite keeps its own default otherwise', async () => {
  const sized = await openPglite(undefined, '64MB');
  const plain = await openPglite();
  try {
    assert.deepEqual(await sized.query('show shared_buffers'), [{ shared_buffers: '64MB' }]);
    assert.deepEqual(await plain.query('show shared_buffers'), [{ shared_buffers: '128MB' }]);
    // The rest of PGlite's start-up settings still apply (single process, no parallel workers).
    assert.deepEqual(await sized.query('show max_parallel_workers_per_gather'), [{ max_parallel_workers_per_gather: '0' }]);
  } finally {
    await sized.close();
    await plain.close();
  }
});
