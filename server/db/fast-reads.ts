import sqlite3 from 'sqlite3';
import BetterSqlite3 from 'better-sqlite3';
import type { Knex } from 'knex';
import type { DatabaseConfig } from '../config';
import { camelCaseKeys } from './case';

/**
 * The one place that knows how hot reads reach the driver. SQL is written once with `?`
 * placeholders and snake_case columns; rows come back with camelCase keys, like Objection's.
 * On SQLite read-only connections keep prepared statements, so reads neither queue behind the
 * writer connection nor pay Knex's query-building cost. WAL lets them see every committed write
 * at their next statement.
 */
export interface FastReads {
  /**
   * One row found through an index (a key, a unique column): on SQLite it runs synchronously,
   * which for a lookup of a few microseconds costs far less than a trip through the thread pool.
   * Never use it for a scan, a count or a sort over many rows: it would stall every request.
   */
  first<T>(sql: string, params: unknown[]): Promise<T | undefined>;
  /** Any read; on SQLite it runs on the thread pool, so a slow one does not stall the others. */
  all<T>(sql: string, params: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** A query Knex built, run on the read path: Knex only makes the SQL, so reads do not queue behind the writer. */
export function readBuilt<T>(reads: FastReads, qb: Knex.QueryBuilder): Promise<T[]> {
  const { sql, bindings } = qb.toSQL();
  return reads.all<T>(sql, bindings as unknown[]);
}

export async function createFastReads(config: DatabaseConfig, knex: Knex): Promise<FastReads> {
  if (config.client === 'pg') return knexReads(knex);
  return sqliteReads(config.filename, config.busyTimeoutMs ?? 5000);
}

/** What the pg driver's connections answer to; knex's pool hands them out. */
interface PgConnection {
  query(config: { text: string; values: unknown[]; name?: string }): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * PostgreSQL: straight to a pooled connection of Knex's, past its query building. Point lookups
 * (`first`) are named prepared statements, parsed and planned once per connection; their SQL is
 * a fixed text in the code, so the set of names stays small. Any other read is unnamed: list
 * queries take many shapes, and each name would stay in every connection.
 */
function knexReads(knex: Knex): FastReads {
  const prepared = new Map<string, { text: string; name: string }>();
  const numbered = (sql: string) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  const run = async <T>(text: string, params: unknown[], name?: string) => {
    const connection = (await knex.client.acquireConnection()) as PgConnection;
    try {
      const result = await connection.query({ text, values: params, ...(name ? { name } : {}) });
      return result.rows.map((r) => camelCaseKeys(r) as T);
    } finally {
      await knex.client.releaseConnection(connection);
    }
  };
  return {
    all: <T>(sql: string, params: unknown[]) => run<T>(numbered(sql), params),
    async first<T>(sql: string, params: unknown[]) {
      let statement = prepared.get(sql);
      if (!statement) prepared.set(sql, (statement = { text: numbered(sql), name: `roster_read_${prepared.size + 1}` }));
      return (await run<T>(statement.text, params, statement.name))[0];
    },
    async close() {},
  };
}

/**
 * Read connections on SQLite. node-sqlite3 runs each connection's statements one at a time on the
 * libuv thread pool (4 threads by default), so several connections let reads use every core; the
 * writer is the one Knex connection, apart from these.
 */
const SQLITE_READERS = 4;

interface Reader {
  db: Promise<sqlite3.Database>;
  statements: Map<string, Promise<sqlite3.Statement>>;
  busy: number;
}

async function sqliteReads(filename: string, busyTimeoutMs: number): Promise<FastReads> {
  // The file may not exist until the writer connection creates it and migrations run, so the
  // readers open lazily on first use.
  const readers: Reader[] = [];

  const openReader = (): Reader => ({
    busy: 0,
    statements: new Map(),
    db: new Promise<sqlite3.Database>((resolve, reject) => {
      const db = new sqlite3.Database(filename, sqlite3.OPEN_READONLY, (err) => {
        if (err) return reject(err);
        db.configure('busyTimeout', busyTimeoutMs);
        resolve(db);
      });
    }),
  });

  /** The least busy reader; a new one while there are fewer than SQLITE_READERS and all are busy. */
  function reader(): Reader {
    let best = readers[0];
    for (const r of readers) if (r.busy < best.busy) best = r;
    if (best && (best.busy === 0 || readers.length >= SQLITE_READERS)) return best;
    const fresh = openReader();
    // A reader that failed to open is dropped, so the next read tries again.
    fresh.db.catch(() => readers.splice(readers.indexOf(fresh), 1));
    readers.push(fresh);
    return fresh;
  }

  // The promise is cached, not the statement, so concurrent first uses prepare only once.
  function statement(r: Reader, sql: string): Promise<sqlite3.Statement> {
    let stmt = r.statements.get(sql);
    if (!stmt) {
      stmt = r.db.then(
        (db) => new Promise<sqlite3.Statement>((resolve, reject) => {
          const s = db.prepare(sql, (err) => (err ? reject(err) : resolve(s)));
        }),
      );
      stmt.catch(() => r.statements.delete(sql));
      r.statements.set(sql, stmt);
    }
    return stmt;
  }

  async function all<T>(sql: string, params: unknown[]): Promise<T[]> {
    const r = reader();
    r.busy++;
    try {
      const stmt = await statement(r, sql);
      const rows = await new Promise<Record<string, unknown>[]>((resolve, reject) =>
        stmt.all(params, (err, rs) => (err ? reject(err) : resolve(rs as Record<string, unknown>[]))),
      );
      return rows.map((row) => camelCaseKeys(row) as T);
    } finally {
      r.busy--;
    }
  }

  const lookups = syncLookups(filename);
  return {
    all,
    async first<T>(sql: string, params: unknown[]) {
      const found = lookups.first(sql, params);
      if (found !== BUSY) return found as T | undefined;
      // The file is locked for a moment (a checkpoint, a recovery): wait for it off the event
      // loop, where the busy timeout may block. all(), not get(): node-sqlite3's get() leaves the
      // statement mid-step, holding its read snapshot, and the connection stops seeing commits.
      return (await all<T>(sql, params))[0];
    },
    async close() {
      lookups.close();
      for (const r of readers.splice(0)) {
        for (const pending of r.statements.values()) {
          const stmt = await pending.catch(() => undefined);
          if (stmt) await new Promise<void>((done) => stmt.finalize(() => done()));
        }
        r.statements.clear();
        const db = await r.db.catch(() => undefined);
        if (db) await new Promise<void>((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())));
      }
    },
  };
}

const BUSY = Symbol('busy');

/** What node-sqlite3 binds by itself and better-sqlite3 refuses: booleans, dates, undefined. */
function bindable(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  return value === undefined ? null : value;
}

/**
 * A read-only better-sqlite3 connection for `first`: each lookup runs on the event loop, so
 * it must not wait on a lock. With no busy timeout a locked file answers SQLITE_BUSY at once,
 * and the caller retries on the thread pool. better-sqlite3's get() resets the statement after
 * the row, so no read snapshot stays open between lookups.
 */
function syncLookups(filename: string) {
  let db: BetterSqlite3.Database | undefined;
  const statements = new Map<string, BetterSqlite3.Statement>();
  const open = () => (db ??= new BetterSqlite3(filename, { readonly: true, fileMustExist: true, timeout: 0 }));
  return {
    first(sql: string, params: unknown[]): Record<string, unknown> | undefined | typeof BUSY {
      try {
        let stmt = statements.get(sql);
        if (!stmt) statements.set(sql, (stmt = open().prepare(sql)));
        const row = stmt.get(...params.map(bindable)) as Record<string, unknown> | undefined;
        return row && camelCaseKeys(row);
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_BUSY') return BUSY;
        throw err;
      }
    },
    close() {
      statements.clear();
      db?.close();
      db = undefined;
    },
  };
}
