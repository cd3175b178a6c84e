import type { Knex } from 'knex';
import { migrationSource } from '../../db/migrations/index';

/** Any fixed number: the advisory lock every Roster server takes to migrate a PostgreSQL database. */
const MIGRATION_LOCK = 7_460_301;

/**
 * Brings the schema to this version; answers the batch and the migrations applied. Knex creates
 * its own bookkeeping tables before it takes its migration lock, so two servers starting together
 * on an empty PostgreSQL database race to create them and one fails. On PostgreSQL the whole run
 * therefore happens under one advisory lock, held by a transaction of its own. SQLite has one
 * writer anyway; there the lock is taken only when a migration is pending.
 */
export async function migrateLatest(knex: Knex): Promise<[number, string[]]> {
  if (knex.client.dialect !== 'postgresql') {
    // Knex takes its lock, a write, even with nothing to do; a server starting beside another
    // that is busy writing (an import) would wait on it. Reading what is pending needs no lock.
    const [, pending] = (await knex.migrate.list({ migrationSource })) as [unknown[], unknown[]];
    return pending.length ? knex.migrate.latest({ migrationSource }) : [0, []];
  }
  const lock = await knex.transaction();
  try {
    await lock.raw('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK]);
    return await knex.migrate.latest({ migrationSource });
  } finally {
    await lock.commit();
  }
}
