// Keeping the embedded database's planner statistics fresh. A PostgreSQL server's autovacuum runs
// ANALYZE as tables change; PGlite has no background workers, so a table that grows after its last
// ANALYZE keeps the statistics of when it was small, and the planner can pick a plan that is fine
// for 100 rows and ruinous for 50,000 (seen: the EA export scanning an index per case, 70 s instead
// of 2 s). So the server looks every few minutes for tables that have grown by a fifth since their
// statistics were taken (pg_class.relpages, set by ANALYZE) and analyzes just those.
import type { Db } from './database.ts';

export const ANALYZE_EVERY_MS = 5 * 60_000;

/** Analyzes each table that has grown by more than a fifth (and 8 pages) since its last ANALYZE; returns their names. */
export async function analyzeGrownTables(db: Db): Promise<string[]> {
  const grown = await db.query<{ name: string }>(
    `select c.relname as name from pg_class c
      where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
        and pg_relation_size(c.oid) / 8192 > greatest(c.relpages * 1.2, c.relpages + 8)
      order by c.relname`,
  );
  for (const { name } of grown) await db.exec(`analyze "${name.replace(/"/g, '""')}"`);
  return grown.map((g) => g.name);
}
