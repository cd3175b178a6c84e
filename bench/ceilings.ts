import path from 'node:path';
import sqlite3 from 'sqlite3';
import pg from 'pg';
import { startChild } from '../test/support/processes';
import { drive, throughput, type LoadOptions, type Measured } from './load';
import { openRaw } from './raw-db';
import { insertUsers, ROWS_PER_INSERT } from './insert-users';
import { seedUser, type BenchScope } from './data';
import type { DbTarget } from './seed';
import { PasswordHasher } from '../server/services/password-hasher';

/** A bare Koa route answering a 20-item JSON array, in a process of its own. */
export async function koaCeiling(opts: LoadOptions): Promise<Measured> {
  const child = await startChild(['--import', 'tsx', 'bench/koa-bare.ts'], {}, { cwd: path.resolve(import.meta.dirname, '..') });
  try {
    return await drive(child.url, { name: 'bare Koa', path: '/' }, opts);
  } finally {
    await child.stop();
  }
}

/**
 * Primary-key lookups of whole user rows through the driver the server uses, as many in flight
 * as the HTTP scenarios keep: the most a get-by-id could do if the server added nothing.
 */
export async function pkSelectCeiling(target: DbTarget, ids: () => string, concurrency: number, durationS: number): Promise<number> {
  const sql = 'SELECT * FROM users WHERE id = ?';
  if (target.dialect === 'sqlite') {
    const db = await new Promise<sqlite3.Database>((resolve, reject) => {
      const d = new sqlite3.Database(target.location, sqlite3.OPEN_READONLY, (err) => (err ? reject(err) : resolve(d)));
    });
    const stmt = await new Promise<sqlite3.Statement>((resolve, reject) => {
      const s = db.prepare(sql, (err) => (err ? reject(err) : resolve(s)));
    });
    try {
      const get = () => new Promise((resolve, reject) => stmt.all([ids()], (err, rows) => (err ? reject(err) : resolve(rows))));
      return (await throughput(get, concurrency, durationS)).perSecond;
    } finally {
      await new Promise<void>((r) => stmt.finalize(() => r()));
      await new Promise<void>((r) => db.close(() => r()));
    }
  }
  // The server's pool holds 10 connections; so does this one.
  const pool = new pg.Pool({ connectionString: target.location, max: 10 });
  try {
    return (await throughput(() => pool.query('SELECT * FROM users WHERE id = $1', [ids()]), concurrency, durationS)).perSecond;
  } finally {
    await pool.end();
  }
}

/**
 * Batched multi-row INSERTs of users into the same table, indexes, FTS triggers and foreign
 * keys in place, one statement of ROWS_PER_INSERT rows per transaction: the most an import could
 * write. Returns rows per second.
 */
export async function insertCeiling(target: DbTarget, scope: BenchScope, rows: number): Promise<number> {
  const db = await openRaw(target.dialect, target.location);
  try {
    if (db.dialect === 'sqlite') await db.run('PRAGMA foreign_keys = ON');
    const started = process.hrtime.bigint();
    for (let start = 0; start < rows; start += ROWS_PER_INSERT) {
      const batch = [];
      for (let i = start; i < Math.min(rows, start + ROWS_PER_INSERT); i++) batch.push(seedUser(scope, i, rows, 'c'));
      await insertUsers(db, scope.tenantId, batch);
    }
    return rows / (Number(process.hrtime.bigint() - started) / 1e9);
  } finally {
    await db.close();
  }
}

/** Password verifications per second with the server's own hasher (argon2id, same threads), nothing else running. */
export async function hashCeiling(hash: string, password: string, threads: number, durationS: number): Promise<number> {
  const hasher = new PasswordHasher(threads);
  try {
    await hasher.verify(hash, password);
    return (await throughput(() => hasher.verify(hash, password), threads * 4, durationS)).perSecond;
  } finally {
    await hasher.close();
  }
}
