import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { knexSnakeCaseMappers } from 'objection';
import type { DatabaseConfig } from '../config';
import { migrationSource } from '../../db/migrations/index';
import { createFastReads, type FastReads } from './fast-reads';

export type Dialect = 'sqlite' | 'pg';

export interface Database {
  knex: Knex;
  dialect: Dialect;
  /** Hot read paths (get by id, auth checks) through prepared statements. */
  reads: FastReads;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

const SQLITE_BUSY_TIMEOUT_MS = 5000;

export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  const knex = config.client === 'sqlite' ? openSqlite(config.filename) : openPg(config.connectionString);
  const dialect: Dialect = config.client;
  const reads = await createFastReads(config, knex);
  return {
    knex,
    dialect,
    reads,
    async migrate() {
      await knex.migrate.latest({ migrationSource });
    },
    async close() {
      await reads.close();
      await knex.destroy();
    },
  };
}

function openSqlite(filename: string): Knex {
  fs.mkdirSync(path.dirname(filename), { recursive: true });
  return knexFactory({
    client: 'sqlite3',
    connection: { filename },
    useNullAsDefault: true,
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
          conn.run(`PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`, (err: Error | null) => done(err, conn));
        });
      },
    },
    ...knexSnakeCaseMappers(),
  });
}

function openPg(connectionString: string): Knex {
  return knexFactory({
    client: 'pg',
    connection: connectionString,
    pool: { min: 0, max: 10 },
    ...knexSnakeCaseMappers(),
  });
}

interface SqliteConnection {
  serialize(fn: () => void): void;
  run(sql: string, cb?: (err: Error | null) => void): void;
}

export { SQLITE_BUSY_TIMEOUT_MS };
