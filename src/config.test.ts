import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './config.ts';

test('defaults are safe locally; an empty DATABASE_URL means the embedded database', () => {
  const config = loadConfig({ DATABASE_URL: '' });
  assert.equal(config.DATABASE_URL, undefined);
  assert.equal(config.PORT, 3000);
  assert.equal(config.HOST, '127.0.0.1');
});

test('production refuses to start without a database server', () => {
  assert.throws(() => loadConfig({ NODE_ENV: 'production' }), /DATABASE_URL must be set in production/);
  assert.equal(loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://u:p@db:5432/levy' }).NODE_ENV, 'production');
});

test('bad values name the variable', () => {
  assert.throws(() => loadConfig({ PORT: 'eighty' }), /PORT/);
  assert.throws(() => loadConfig({ DATABASE_URL: 'not a url' }), /DATABASE_URL/);
  assert.throws(() => loadConfig({ LEVY_TODAY: '22/11/2026' }), /LEVY_TODAY/);
});

test('the embedded page cache is a size, or unset when empty', () => {
  assert.equal(loadConfig({ LEVY_PGLITE_SHARED_BUFFERS: '1GB' }).LEVY_PGLITE_SHARED_BUFFERS, '1GB');
  assert.equal(loadConfig({ LEVY_PGLITE_SHARED_BUFFERS: '' }).LEVY_PGLITE_SHARED_BUFFERS, undefined);
  assert.throws(() => loadConfig({ LEVY_PGLITE_SHARED_BUFFERS: 'lots' }), /LEVY_PGLITE_SHARED_BUFFERS: a size such as 512MB/);
});
