import type { Knex } from 'knex';

const SORTED = ['created_at', 'updated_at', 'last_name', 'display_name', 'last_login_at', 'status'];
/** Equality filters: their indexes go on in the list's default order, so a filtered page is a range too. */
const FILTERED = ['role', 'identity_source', 'mfa_enabled', 'status', 'ou_id'];

/**
 * Lists show live users only (`deleted_at IS NULL`). The list indexes said nothing about
 * deleted_at, so every row a list counted or skipped was read from the table to check it: a
 * total over a million users took over half a second, where an index-only scan takes tens of
 * milliseconds. The indexes are now partial, over live users, so counts and deep pages never
 * leave the index; role, identity source and MFA (list filters) get partial indexes too.
 * SQLite reads a partial index's condition column from the table unless the index holds it, so
 * there deleted_at ends each index (always NULL, nearly free); PostgreSQL knows the predicate.
 */
export async function up(knex: Knex): Promise<void> {
  const sqlite = knex.client.config.client === 'sqlite3';
  const nullsFirst = sqlite ? '' : ' NULLS FIRST';
  const tail = sqlite ? ', deleted_at' : '';
  for (const col of [...SORTED, 'ou_id']) await knex.raw(`DROP INDEX IF EXISTS users_tenant_${col}`);
  for (const col of SORTED) {
    await knex.raw(`CREATE INDEX users_live_${col} ON users (tenant_id, ${col}${nullsFirst}, id${tail}) WHERE deleted_at IS NULL`);
  }
  for (const col of FILTERED) {
    await knex.raw(`CREATE INDEX users_live_${col}_created ON users (tenant_id, ${col}, created_at, id${tail}) WHERE deleted_at IS NULL`);
  }
}

export async function down(knex: Knex): Promise<void> {
  const sqlite = knex.client.config.client === 'sqlite3';
  for (const col of FILTERED) await knex.raw(`DROP INDEX IF EXISTS users_live_${col}_created`);
  for (const col of SORTED) await knex.raw(`DROP INDEX IF EXISTS users_live_${col}`);
  for (const col of [...SORTED, 'ou_id']) {
    await knex.raw(`CREATE INDEX users_tenant_${col} ON users (tenant_id, ${col}${sqlite ? '' : ' NULLS FIRST'}, id)`);
  }
}
