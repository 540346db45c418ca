// One small interface over the two engines Levy runs on: embedded PGlite (default) and a PostgreSQL
// server (when DATABASE_URL is set). Same SQL, same migrations. Repositories write plain SQL with
// $1 parameters; see docs/decisions/0002-plain-sql.md for why this is not an ORM.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { PGlite, parse as pgliteParse, protocol } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import pg from 'pg';

export type DatabaseKind = 'pglite' | 'postgres';

export interface Db {
  readonly kind: DatabaseKind;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * A read that runs on every page view with only its values changing: prepared once per connection
   * and its plan kept, instead of being parsed and planned each time (planning was most of an
   * account page's database time on PGlite, docs/performance.md). The SQL must be a constant text:
   * each distinct text is kept for the life of the connection. Inside a transaction it is an
   * ordinary query.
   */
  queryPrepared<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs several statements with no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs fn in one transaction; nested calls join the outer transaction. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// int8 (sums of pence, ids) as JS numbers: pence totals stay far below 2^53. Dates stay ISO strings.
const INT8 = 20;
const DATE = 1082;
const NUMERIC = 1700;

/**
 * sharedBuffers: PostgreSQL's page cache inside PGlite (its default is 128MB). A page not in it is
 * read through the WebAssembly file layer, which costs far more per page than a server's read, so
 * a council-sized database serving officers wants most of its hot tables here (see docs/performance.md).
 */
export async function openPglite(dataDir?: string, sharedBuffers?: string): Promise<Db> {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const lite = await PGlite.create({
    dataDir,
    extensions: { pg_trgm },
    startParams: [
      ...(PGlite as unknown as { defaultStartParams: string[] }).defaultStartParams,
      // An embedded database has no replicas or archive to feed, so it logs only what crash recovery
      // needs. This also lets a bulk load into a table emptied in the same transaction skip the
      // write-ahead log altogether (the seed's first load, docs/seed.md).
      ...['-c', 'wal_level=minimal', '-c', 'max_wal_senders=0'],
      ...(sharedBuffers ? ['-c', `shared_buffers=${sharedBuffers}`] : []),
    ],
    parsers: { [INT8]: (v: string) => Number(v), [DATE]: (v: string) => v, [NUMERIC]: (v: string) => v },
  });
  // PGlite's pages live in memory: random reads cost about what sequential ones do, so tell the
  // planner (otherwise it prefers a seq scan over the trigram indexes behind name search).
  await lite.exec('set random_page_cost = 1.1');
  return wrapPglite(lite);
}

type LiteLike = Pick<PGlite, 'query' | 'exec'>;

/** A prepared statement's name: the same text, the same name. */
const statementName = (sql: string) => `levy_${crypto.createHash('sha1').update(sql).digest('hex').slice(0, 16)}`;

/** The parts of PGlite's query path that a prepared statement uses (see preparedOn). */
interface LiteInternals {
  _runExclusiveTransaction<R>(fn: () => Promise<R>): Promise<R>;
  _runExclusiveQuery<R>(fn: () => Promise<R>): Promise<R>;
  serializers: Record<number, (value: unknown) => string>;
  parsers: Parameters<typeof pgliteParse.parseResults>[1];
}

/**
 * Named prepared statements on PGlite, whose own query() parses, describes and plans every
 * statement afresh. This is its query path (parse, describe, bind, execute, sync over the wire
 * protocol) with the parse and the statement's describe done once per text; PostgreSQL then plans
 * it afresh for its first five runs and keeps a generic plan after, where that is no dearer. It
 * takes the same two locks query() does, so it never runs inside another caller's transaction.
 * Rows are written through query() only: this path does not sync PGlite's file system.
 */
function preparedOn(lite: PGlite) {
  const internals = lite as unknown as LiteInternals;
  const { serialize } = protocol;
  const statements = new Map<string, { name: string; paramTypes: number[] }>();
  let parses = 0;
  const send = (message: Uint8Array) => lite.execProtocolStream(message, { syncToFs: false });
  return <T>(sql: string, params: unknown[]): Promise<T[]> =>
    internals._runExclusiveTransaction(() =>
      internals._runExclusiveQuery(async () => {
        const messages: Awaited<ReturnType<typeof send>> = [];
        try {
          let statement = statements.get(sql);
          if (!statement) {
            // numbered, so a statement whose describe failed after its parse is never named again
            const name = `${statementName(sql)}_${++parses}`;
            await send(serialize.parse({ name, text: sql }));
            const paramTypes = pgliteParse.parseDescribeStatementResults(await send(serialize.describe({ type: 'S', name })));
            statement = { name, paramTypes };
            statements.set(sql, statement);
          }
          const types = statement.paramTypes;
          const values = params.map((v, i) => (v === null || v === undefined ? null : (internals.serializers[types[i]] ?? String)(v)));
          messages.push(...(await send(serialize.bind({ statement: statement.name, values }))));
          messages.push(...(await send(serialize.describe({ type: 'P' }))));
          messages.push(...(await send(serialize.execute({}))));
        } finally {
          messages.push(...(await send(serialize.sync())));
        }
        return pgliteParse.parseResults(messages, internals.parsers)[0].rows as T[];
      }),
    );
}

function wrapPglite(lite: PGlite): Db {
  const prepared = preparedOn(lite);
  const inner = (conn: LiteLike, inTx: boolean): Db => ({
    kind: 'pglite',
    async query<T>(sql: string, params: unknown[] = []) {
      const result = await conn.query<T>(sql, params);
      return result.rows;
    },
    async queryPrepared<T>(sql: string, params: unknown[] = []) {
      if (inTx) return (await conn.query<T>(sql, params)).rows;
      return prepared<T>(sql, params);
    },
    async exec(sql: string) {
      await conn.exec(sql);
    },
    async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      if (inTx) return fn(inner(conn, true));
      return lite.transaction((tx) => fn(inner(tx as unknown as LiteLike, true)));
    },
    async close() {
      if (!inTx) await lite.close();
    },
  });
  return inner(lite, false);
}

pg.types.setTypeParser(INT8, (v) => Number(v));
pg.types.setTypeParser(DATE, (v) => v);

export async function openPostgres(connectionString: string, max = 10): Promise<Db> {
  const pool = new pg.Pool({ connectionString, max });
  // An idle connection the server drops (restart, failover, admin) must not crash the process:
  // the pool discards it and the next query opens a fresh one.
  pool.on('error', (error) => console.error(`PostgreSQL connection lost: ${error.message}`));
  await pool.query('select 1');
  const onClient = (client: pg.PoolClient): Db => ({
    kind: 'postgres',
    async query<T>(sql: string, params: unknown[] = []) {
      const result = await client.query(sql, params);
      return result.rows as T[];
    },
    async queryPrepared<T>(sql: string, params: unknown[] = []) {
      const result = await client.query(sql, params);
      return result.rows as T[];
    },
    async exec(sql: string) {
      await client.query(sql);
    },
    transaction: (fn) => fn(onClient(client)),
    async close() {},
  });
  return {
    kind: 'postgres',
    async query<T>(sql: string, params: unknown[] = []) {
      const result = await pool.query(sql, params);
      return result.rows as T[];
    },
    async queryPrepared<T>(sql: string, params: unknown[] = []) {
      // node-postgres prepares a named statement once on each pooled connection.
      const result = await pool.query({ name: statementName(sql), text: sql, values: params });
      return result.rows as T[];
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn(onClient(client));
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback');
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

export async function openDatabase(options: { databaseUrl?: string; dataDir?: string; pgliteSharedBuffers?: string }): Promise<Db> {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openPglite(options.dataDir, options.pgliteSharedBuffers);
}
