import sqlite3 from 'sqlite3';
import type { Knex } from 'knex';
import type { DatabaseConfig } from '../config';
import { camelCaseKeys } from './case';

/**
 * The one place that knows how hot reads reach the driver. SQL is written once with `?`
 * placeholders and snake_case columns; rows come back with camelCase keys, like Objection's.
 * On SQLite a separate read-only connection keeps prepared statements, so reads neither queue
 * behind the writer connection nor pay Knex's query-building cost. WAL lets it see every
 * committed write at its next statement.
 */
export interface FastReads {
  first<T>(sql: string, params: unknown[]): Promise<T | undefined>;
  all<T>(sql: string, params: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function createFastReads(config: DatabaseConfig, knex: Knex): Promise<FastReads> {
  if (config.client === 'pg') return knexReads(knex);
  return sqliteReads(config.filename, config.busyTimeoutMs ?? 5000);
}

function knexReads(knex: Knex): FastReads {
  // Raw results keep the driver's snake_case keys (the mappers only see the result object).
  const all = async <T>(sql: string, params: unknown[]) => {
    const result = await knex.raw(sql, params as Knex.RawBinding[]);
    return (result.rows as Record<string, unknown>[]).map((r) => camelCaseKeys(r) as T);
  };
  return {
    all,
    first: async <T>(sql: string, params: unknown[]) => (await all<T>(sql, params))[0],
    async close() {},
  };
}

async function sqliteReads(filename: string, busyTimeoutMs: number): Promise<FastReads> {
  // The file may not exist until the writer connection creates it and migrations run, so the
  // reader opens lazily on first use.
  let dbPromise: Promise<sqlite3.Database> | undefined;
  const statements = new Map<string, Promise<sqlite3.Statement>>();

  const open = () =>
    (dbPromise ??= new Promise<sqlite3.Database>((resolve, reject) => {
      const db = new sqlite3.Database(filename, sqlite3.OPEN_READONLY, (err) => {
        if (err) return reject(err);
        db.configure('busyTimeout', busyTimeoutMs);
        resolve(db);
      });
    }));

  // The promise is cached, not the statement, so concurrent first uses prepare only once.
  function statement(sql: string): Promise<sqlite3.Statement> {
    let stmt = statements.get(sql);
    if (!stmt) {
      stmt = open().then(
        (db) => new Promise<sqlite3.Statement>((resolve, reject) => {
          const s = db.prepare(sql, (err) => (err ? reject(err) : resolve(s)));
        }),
      );
      stmt.catch(() => statements.delete(sql));
      statements.set(sql, stmt);
    }
    return stmt;
  }

  async function all<T>(sql: string, params: unknown[]): Promise<T[]> {
    const stmt = await statement(sql);
    const rows = await new Promise<Record<string, unknown>[]>((resolve, reject) =>
      stmt.all(params, (err, r) => (err ? reject(err) : resolve(r as Record<string, unknown>[]))),
    );
    return rows.map((r) => camelCaseKeys(r) as T);
  }

  return {
    all,
    async first<T>(sql: string, params: unknown[]) {
      // all(), not get(): get() leaves the statement mid-step, which holds its read snapshot
      // open, and the connection would stop seeing new commits.
      const rows = await all<T>(sql, params);
      return rows[0];
    },
    async close() {
      for (const pending of statements.values()) {
        const stmt = await pending.catch(() => undefined);
        if (stmt) await new Promise<void>((r) => stmt.finalize(() => r()));
      }
      statements.clear();
      if (dbPromise) {
        const db = await dbPromise;
        await new Promise<void>((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())));
      }
    },
  };
}
