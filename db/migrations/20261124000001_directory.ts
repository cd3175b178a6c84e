import type { Knex } from 'knex';

const isSqlite = (knex: Knex) => knex.client.config.client === 'sqlite3';

/** Partners' admins, OU descriptions, versioned groups, applications and API tokens. */
export async function up(knex: Knex): Promise<void> {
  const sqlite = isSqlite(knex);
  const json = (t: Knex.CreateTableBuilder, name: string) => (sqlite ? t.text(name) : t.jsonb(name));

  await knex.schema.alterTable('ous', (t) => {
    t.text('description').nullable();
  });
  await knex.schema.alterTable('groups', (t) => {
    t.integer('version').notNullable().defaultTo(1);
    t.string('external_id', 255).nullable();
  });
  await knex.schema.alterTable('identity_providers', (t) => {
    json(t, 'config');
  });

  await knex.schema.createTable('password_history', (t) => {
    t.uuid('id').primary();
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('password_hash').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['user_id', 'created_at']);
  });

  await knex.schema.createTable('applications', (t) => {
    t.uuid('id').primary();
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.string('name', 200).notNullable();
    t.text('description').nullable();
    t.string('client_id', 64).notNullable().unique();
    t.string('client_secret_hash', 64).nullable();
    json(t, 'scopes');
    t.boolean('enabled').notNullable().defaultTo(true);
    timestamps(t);
    t.index(['tenant_id', 'name']);
  });

  await knex.schema.createTable('application_assignments', (t) => {
    t.uuid('id').primary();
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.uuid('application_id').notNullable().references('id').inTable('applications').onDelete('CASCADE');
    t.uuid('user_id').nullable().references('id').inTable('users').onDelete('CASCADE');
    t.uuid('group_id').nullable().references('id').inTable('groups').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.unique(['application_id', 'user_id']);
    t.unique(['application_id', 'group_id']);
    t.index(['user_id']);
    t.index(['group_id']);
  });

  if (!sqlite) await knex.raw('ALTER TABLE applications ALTER COLUMN name TYPE varchar(200) COLLATE "C"');

  await knex.schema.createTable('api_tokens', (t) => {
    t.uuid('id').primary();
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.string('name', 200).notNullable();
    t.string('secret_hash', 64).notNullable();
    json(t, 'scopes');
    t.uuid('created_by').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).nullable();
    t.timestamp('revoked_at', { useTz: true }).nullable();
    t.timestamp('last_used_at', { useTz: true }).nullable();
    t.index(['tenant_id', 'created_at']);
  });
}

function timestamps(t: Knex.CreateTableBuilder) {
  t.timestamp('created_at', { useTz: true }).notNullable();
  t.timestamp('updated_at', { useTz: true }).notNullable();
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['api_tokens', 'application_assignments', 'applications', 'password_history']) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.schema.alterTable('identity_providers', (t) => t.dropColumn('config'));
  await knex.schema.alterTable('groups', (t) => {
    t.dropColumn('version');
    t.dropColumn('external_id');
  });
  await knex.schema.alterTable('ous', (t) => t.dropColumn('description'));
}
