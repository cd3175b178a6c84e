import type { Knex } from 'knex';

const isSqlite = (knex: Knex) => ['sqlite3', 'better-sqlite3'].includes(String(knex.client.config.client));

/**
 * What a SCIM client writes and the users table had no place for: the client's own id for the
 * user (looked up per tenant, so indexed with it) and the SCIM attributes without a column of
 * their own (nickName, userType, addresses, further emails, enterprise fields...), kept as JSON.
 */
export async function up(knex: Knex): Promise<void> {
  const sqlite = isSqlite(knex);
  await knex.schema.alterTable('users', (t) => {
    t.string('external_id', 255).nullable();
    if (sqlite) t.text('scim_attributes').nullable();
    else t.jsonb('scim_attributes').nullable();
    t.index(['tenant_id', 'external_id'], 'users_tenant_external_id_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropIndex(['tenant_id', 'external_id'], 'users_tenant_external_id_idx');
    t.dropColumn('scim_attributes');
    t.dropColumn('external_id');
  });
}
