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
      // Not "with (force)": killing a backend the pool is still closing surfaces as an uncaught
      // error in the test process. Wait instead for our own connections to finish going away.
      const cleanup = await openPostgres(serverUrl, 1);
      try {
        for (let attempt = 0; ; attempt++) {
          try {
            await cleanup.exec(`drop database if exists ${name}`);
            break;
          } catch (error) {
            if ((error as { code?: string }).code !== '55006' || attempt >= 50) throw error; // 55006: in use
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      } finally {
        await cleanup.close();
      }
    },
  };
}
