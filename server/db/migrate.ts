import type { Knex } from 'knex';
import { migrationSource } from '../../db/migrations/index';

/** Any fixed number: the advisory lock every Roster server takes to migrate a PostgreSQL database. */
const MIGRATION_LOCK = 7_460_301;

/**
 * Brings the schema to this version; answers the batch and the migrations applied. Knex creates
 * its own bookkeeping tables before it takes its migration lock, so two servers starting together
 * on an empty PostgreSQL database race to create them and one fails. On PostgreSQL the whole run
 * therefore happens under one advisory lock, held by a transaction of its own; SQLite has one
 * writer anyway.
 */
export async function migrateLatest(knex: Knex): Promise<[number, string[]]> {
  if (knex.client.dialect !== 'postgresql') return knex.migrate.latest({ migrationSource });
  const lock = await knex.transaction();
  try {
    await lock.raw('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK]);
    return await knex.migrate.latest({ migrationSource });
  } finally {
    await lock.commit();
  }
}
