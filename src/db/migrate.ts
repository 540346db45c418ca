// Forward-only migrations: every src/db/migrations/NNN_name.sql not yet applied, in order, each in a
// transaction with its record in schema_migrations.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './database.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export async function migrate(db: Db): Promise<string[]> {
  await db.exec(`create table if not exists schema_migrations (
    name text primary key, applied_at timestamptz not null default now())`);
  const applied = new Set(
    (await db.query<{ name: string }>('select name from schema_migrations')).map((r) => r.name),
  );
  const files = fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  const newlyApplied: string[] = [];
  for (const file of files) {
    if (applied.has(file)) continue;
    const sql = fs.readFileSync(path.join(MIGRATIONS_DIR, file), 'utf8');
    await db.transaction(async (tx) => {
      // On a shared server two processes may start together: the advisory lock makes one wait.
      if (tx.kind === 'postgres') await tx.query('select pg_advisory_xact_lock(7275001)');
      const done = await tx.query('select 1 from schema_migrations where name = $1', [file]);
      if (done.length) return;
      await tx.exec(sql);
      await tx.query('insert into schema_migrations(name) values ($1)', [file]);
    });
    newlyApplied.push(file);
  }
  return newlyApplied;
}
