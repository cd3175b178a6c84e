import type { Knex } from 'knex';

/**
 * The sign-in rate limits' counters, shared by every server on one PostgreSQL database (the
 * shape rate-limiter-flexible reads and writes). SQLite installs are one process: their counters
 * live in memory and need no table.
 */
export async function up(knex: Knex): Promise<void> {
  if (knex.client.dialect !== 'postgresql') return;
  await knex.raw(`CREATE TABLE IF NOT EXISTS login_rate_limits (
    key varchar(255) PRIMARY KEY,
    points integer NOT NULL DEFAULT 0,
    expire bigint
  )`);
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.dialect !== 'postgresql') return;
  await knex.schema.dropTableIfExists('login_rate_limits');
}
