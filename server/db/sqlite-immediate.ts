import { createRequire } from 'node:module';
import type { Knex } from 'knex';

/*
 * knex's sqlite3 client opens every transaction with a plain `BEGIN`, which SQLite runs as a
 * deferred transaction: it takes the write lock only at its first write. When another connection
 * or process holds that lock by then, SQLite cannot wait for it (the transaction has already read
 * and might deadlock) and fails at once with SQLITE_BUSY, ignoring busy_timeout. `BEGIN IMMEDIATE`
 * takes the write lock up front, where busy_timeout applies, so a transaction either waits its
 * turn (bounded by busy_timeout) or fails before it has done anything.
 *
 * knex keeps its dialect classes out of its typings, hence the require and the small interfaces.
 */
const require = createRequire(import.meta.url);

interface TransactionBase {
  query(conn: unknown, sql: string): Promise<unknown>;
  rollback(conn: unknown, error: unknown): Promise<unknown>;
  _rejecter: (err: unknown) => void;
}
type TransactionClass = new (...args: unknown[]) => TransactionBase;

const SqliteTransaction = require('knex/lib/dialects/sqlite3/execution/sqlite-transaction.js') as TransactionClass;

class ImmediateTransaction extends SqliteTransaction {
  // Nested transactions use SAVEPOINT (knex decides that before calling begin), so only the
  // outermost one comes here.
  begin(conn: unknown) {
    return this.query(conn, 'BEGIN IMMEDIATE;');
  }

  /*
   * After SQLITE_FULL, SQLITE_IOERR or SQLITE_BUSY inside a transaction, SQLite may already have
   * rolled it back itself; knex's ROLLBACK then fails with "no transaction is active" and knex
   * rejects with that error instead of the one that caused the rollback, so the caller would see
   * a meaningless error (a 500) instead of "database full" (a 503). Keep the cause.
   */
  override rollback(conn: unknown, error: unknown) {
    const reject = this._rejecter;
    this._rejecter = (err: unknown) =>
      reject(error !== undefined && /no transaction is active/.test((err as Error | undefined)?.message ?? '') ? error : err);
    return super.rollback(conn, error);
  }
}

/**
 * Makes every transaction of this sqlite3 knex begin with `BEGIN IMMEDIATE`. The client itself is
 * kept (not subclassed) so `client.config.client` stays 'sqlite3', which migrations test.
 */
export function useImmediateTransactions(knex: Knex): Knex {
  const client = knex.client as { transaction: (...args: unknown[]) => unknown };
  client.transaction = function (this: unknown, ...args: unknown[]) {
    return new ImmediateTransaction(this, ...args);
  };
  return knex;
}
