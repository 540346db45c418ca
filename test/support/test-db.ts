// A fresh database for one test file: in-memory PGlite by default, or a brand-new database on the
// PostgreSQL server when LEVY_TEST_DB=postgres (DATABASE_URL names the server). Dropped on close.
import crypto from 'node:crypto';
import { openPglite, openPostgres, type Db } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';

export const testEngine = (): 'pglite' | 'postgres' => (process.env.LEVY_TEST_DB === 'postgres' ? 'postgres' : 'pglite');

export async function openTestDb(): Promise<Db> {
  if (testEngine() === 'pglite') {
    const db = await openPglite();
    await migrate(db);
    return db;
  }
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('LEVY_TEST_DB=postgres needs DATABASE_URL');
  const name = `levy_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = await openPostgres(serverUrl, 1);
  await admin.exec(`create database ${name}`);
  await admin.close();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openPostgres(url.toString());
  await migrate(db);
  return {
    ...db,
    kind: db.kind,
    query: db.query.bind(db),
    exec: db.exec.bind(db),
    transaction: db.transaction.bind(db),
    async close() {
      await db.close();
      const cleanup = await openPostgres(serverUrl, 1);
      await cleanup.exec(`drop database if exists ${name} with (force)`);
      await cleanup.close();
    },
  };
}
