import sqlite3 from 'sqlite3';
import pg from 'pg';

/**
 * The database drivers Roster itself uses (sqlite3, pg), without Knex: for seeding and for the
 * ceilings the targets are measured against. SQL is written once with `?` placeholders.
 */
export interface RawDb {
  dialect: 'sqlite' | 'pg';
  run(sql: string, params?: unknown[]): Promise<void>;
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function openRawSqlite(filename: string): Promise<RawDb> {
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const d = new sqlite3.Database(filename, (err) => (err ? reject(err) : resolve(d)));
  });
  db.configure('busyTimeout', 5000);
  const raw: RawDb = {
    dialect: 'sqlite',
    run: (sql, params = []) => new Promise((resolve, reject) => db.run(sql, params, (err) => (err ? reject(err) : resolve()))),
    all: <T>(sql: string, params: unknown[] = []) =>
      new Promise<T[]>((resolve, reject) => db.all(sql, params, (err, rows) => (err ? reject(err) : resolve(rows as T[])))),
    close: () => new Promise((resolve, reject) => db.close((err) => (err ? reject(err) : resolve()))),
  };
  // The same settings as the server's connections (server/db/database.ts).
  await raw.run('PRAGMA journal_mode = WAL');
  await raw.run('PRAGMA synchronous = NORMAL');
  return raw;
}

/** `?` -> `$1, $2, …` (the SQL here never holds a literal question mark). */
export function pgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export async function openRawPg(connectionString: string): Promise<RawDb> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  return {
    dialect: 'pg',
    run: async (sql, params = []) => {
      await client.query(pgPlaceholders(sql), params);
    },
    all: async <T>(sql: string, params: unknown[] = []) => (await client.query(pgPlaceholders(sql), params)).rows as T[],
    close: () => client.end(),
  };
}

export const openRaw = (dialect: 'sqlite' | 'pg', target: string) => (dialect === 'sqlite' ? openRawSqlite(target) : openRawPg(target));
