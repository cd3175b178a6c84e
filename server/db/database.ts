import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { knexSnakeCaseMappers } from 'objection';
import type { DatabaseConfig } from '../config';
import { migrateLatest } from './migrate';
import { createFastReads, type FastReads } from './fast-reads';
import { useImmediateTransactions } from './sqlite-immediate';

export type Dialect = 'sqlite' | 'pg';

export interface Database {
  knex: Knex;
  dialect: Dialect;
  /** Hot read paths (get by id, auth checks) through prepared statements. */
  reads: FastReads;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  const busyTimeoutMs = config.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const knex = config.client === 'sqlite' ? openSqlite(config.filename, busyTimeoutMs) : openPg(config.connectionString, busyTimeoutMs);
  const dialect: Dialect = config.client;
  const reads = await createFastReads(config, knex);
  return {
    knex,
    dialect,
    reads,
    async migrate() {
      await migrateLatest(knex);
    },
    async close() {
      await reads.close();
      await knex.destroy();
    },
  };
}

/**
 * How long a request waits for the one writer connection before giving up with 503. Bounded, so
 * a lock held elsewhere makes queued writes fail fast instead of piling up behind each other.
 */
const acquireTimeout = (busyTimeoutMs: number) => Math.max(2 * busyTimeoutMs, 2000);

function openSqlite(filename: string, busyTimeoutMs: number): Knex {
  fs.mkdirSync(path.dirname(filename), { recursive: true });
  // Transactions begin IMMEDIATE: they wait (busy_timeout) for a lock held by another process
  // instead of failing half-way at their first write.
  return useImmediateTransactions(knexFactory({
    client: 'sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    // Error messages carry the SQL with placeholders, never the values: those may be password
    // hashes or personal data, and error messages end up in logs.
    compileSqlOnError: false,
    acquireConnectionTimeout: acquireTimeout(busyTimeoutMs),
    // One writer connection: SQLite serialises writes anyway, and a single connection means our
    // own transactions never meet SQLITE_BUSY from each other. Reads go through FastReads.
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) {
        conn.serialize(() => {
          conn.run('PRAGMA journal_mode = WAL');
          // NORMAL in WAL mode survives a killed process (kill -9); only a power loss can drop
          // the last transactions. Documented in the README.
          conn.run('PRAGMA synchronous = NORMAL');
          conn.run('PRAGMA foreign_keys = ON');
          conn.run(`PRAGMA busy_timeout = ${busyTimeoutMs}`, (err: Error | null) => done(err, conn));
        });
      },
    },
    ...knexSnakeCaseMappers(),
  }));
}

function openPg(connectionString: string, busyTimeoutMs: number): Knex {
  return knexFactory({
    client: 'pg',
    // A statement waiting for a lock gives up after busyTimeoutMs (55P03, answered 503), so a lock
    // held elsewhere never hangs a request; connecting is bounded the same way.
    connection: { connectionString, options: `-c lock_timeout=${busyTimeoutMs}`, connectionTimeoutMillis: acquireTimeout(busyTimeoutMs) },
    acquireConnectionTimeout: acquireTimeout(busyTimeoutMs),
    compileSqlOnError: false,
    pool: { min: 0, max: 10 },
    ...knexSnakeCaseMappers(),
  });
}

interface SqliteConnection {
  serialize(fn: () => void): void;
  run(sql: string, cb?: (err: Error | null) => void): void;
}

export { DEFAULT_BUSY_TIMEOUT_MS };
