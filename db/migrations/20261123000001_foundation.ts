import type { Knex } from 'knex';

const isSqlite = (knex: Knex) => knex.client.config.client === 'sqlite3';

/** Timestamps are written as ISO 8601 UTC by the application on both engines. */
function timestamps(t: Knex.CreateTableBuilder) {
  t.timestamp('created_at', { useTz: true }).notNullable();
  t.timestamp('updated_at', { useTz: true }).notNullable();
}

export async function up(knex: Knex): Promise<void> {
  const sqlite = isSqlite(knex);
  const json = (t: Knex.CreateTableBuilder, name: string) => (sqlite ? t.text(name) : t.jsonb(name));

  await knex.schema.createTable('server_settings', (t) => {
    t.string('key', 100).primary();
    t.text('value').notNullable();
  });

  await knex.schema.createTable('partners', (t) => {
    t.uuid('id').primary();
    t.string('name', 200).notNullable();
    t.string('slug', 63).notNullable().unique();
    timestamps(t);
  });

  await knex.schema.createTable('tenants', (t) => {
    t.uuid('id').primary();
    t.uuid('partner_id').nullable().references('id').inTable('partners').onDelete('RESTRICT');
    t.string('name', 200).notNullable();
    t.string('slug', 63).notNullable().unique();
    t.string('status', 20).notNullable().defaultTo('ACTIVE');
    json(t, 'settings');
    timestamps(t);
    t.index(['partner_id']);
  });

  await knex.schema.createTable('ous', (t) => {
    t.uuid('id').primary();
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.uuid('parent_id').nullable().references('id').inTable('ous').onDelete('RESTRICT');
    t.string('name', 200).notNullable();
    t.string('path', 2000).notNullable();
    timestamps(t);
    t.unique(['tenant_id', 'path']);
    t.index(['parent_id']);
  });

  // Sortable text compares byte-wise on PostgreSQL too (COLLATE "C"), as SQLite does, so both
  // engines order pages the same way whatever the server's locale, and the indexes still apply.
  const sortable = (t: Knex.CreateTableBuilder, name: string, length: number) =>
    sqlite ? t.string(name, length) : t.specificType(name, `varchar(${length}) COLLATE "C"`);

  await knex.schema.createTable('users', (t) => {
    // SQLite: an explicit INTEGER PRIMARY KEY keeps rowids stable across VACUUM, which the
    // external-content FTS index below depends on. PostgreSQL needs no such column.
    if (sqlite) {
      t.increments('seq').primary();
      t.uuid('id').notNullable().unique();
    } else {
      t.uuid('id').primary();
    }
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.string('email', 320).notNullable();
    sortable(t, 'email_normalized', 320).notNullable();
    t.boolean('email_verified').notNullable().defaultTo(false);
    t.string('username', 255).nullable();
    sortable(t, 'username_normalized', 255).nullable();
    t.string('first_name', 200).nullable();
    sortable(t, 'last_name', 200).nullable();
    sortable(t, 'display_name', 400).nullable();
    t.string('phone', 50).nullable();
    t.string('locale', 35).notNullable().defaultTo('en');
    t.string('timezone', 64).notNullable().defaultTo('UTC');
    t.string('avatar_url', 2048).nullable();
    t.string('company', 200).nullable();
    t.string('job_title', 200).nullable();
    t.uuid('ou_id').nullable().references('id').inTable('ous').onDelete('RESTRICT');
    t.string('status', 40).notNullable().defaultTo('ACTIVE');
    t.string('identity_source', 10).notNullable().defaultTo('LOCAL');
    t.boolean('mfa_enabled').notNullable().defaultTo(false);
    json(t, 'custom_attributes');
    json(t, 'metadata');
    t.string('role', 20).notNullable().defaultTo('user');
    t.boolean('is_internal').notNullable().defaultTo(false);
    t.boolean('is_onboarded').notNullable().defaultTo(false);
    t.boolean('password_expired').notNullable().defaultTo(false);
    t.boolean('require_password_change').notNullable().defaultTo(false);
    t.text('password_hash').nullable();
    t.integer('failed_login_count').notNullable().defaultTo(0);
    timestamps(t);
    t.timestamp('last_login_at', { useTz: true }).nullable();
    t.timestamp('password_changed_at', { useTz: true }).nullable();
    t.timestamp('locked_at', { useTz: true }).nullable();
    t.string('lock_reason', 20).nullable();
    t.timestamp('deleted_at', { useTz: true }).nullable();
    t.uuid('merged_into').nullable();
    t.integer('version').notNullable().defaultTo(1);
    // Lower-cased, accent-stripped email, username and names: what free-text search matches.
    t.text('search_text').notNullable().defaultTo('');
  });
  // Uniqueness holds among live users only, so an address can be reused after a delete;
  // restoring a deleted user re-checks it.
  await knex.raw('CREATE UNIQUE INDEX users_tenant_email_unique ON users (tenant_id, email_normalized) WHERE deleted_at IS NULL');
  await knex.raw('CREATE UNIQUE INDEX users_tenant_username_unique ON users (tenant_id, username_normalized) WHERE deleted_at IS NULL AND username_normalized IS NOT NULL');
  // The list's default order and its sortable columns; id breaks ties so paging is stable.
  // PostgreSQL is told to sort NULL first ascending, as SQLite does; its indexes say the same.
  for (const col of ['created_at', 'updated_at', 'last_name', 'display_name', 'last_login_at', 'status', 'ou_id']) {
    await knex.raw(`CREATE INDEX users_tenant_${col} ON users (tenant_id, ${col}${sqlite ? '' : ' NULLS FIRST'}, id)`);
  }

  if (sqlite) {
    await knex.raw(`CREATE VIRTUAL TABLE users_fts USING fts5(search_text, content='users', content_rowid='seq', tokenize='trigram remove_diacritics 1')`);
    await knex.raw(`CREATE TRIGGER users_fts_ai AFTER INSERT ON users BEGIN
      INSERT INTO users_fts(rowid, search_text) VALUES (new.seq, new.search_text); END`);
    await knex.raw(`CREATE TRIGGER users_fts_ad AFTER DELETE ON users BEGIN
      INSERT INTO users_fts(users_fts, rowid, search_text) VALUES ('delete', old.seq, old.search_text); END`);
    await knex.raw(`CREATE TRIGGER users_fts_au AFTER UPDATE OF search_text ON users BEGIN
      INSERT INTO users_fts(users_fts, rowid, search_text) VALUES ('delete', old.seq, old.search_text);
      INSERT INTO users_fts(rowid, search_text) VALUES (new.seq, new.search_text); END`);
  } else {
    await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await knex.raw('CREATE INDEX users_search_trgm ON users USING gin (search_text gin_trgm_ops)');
  }

  await knex.schema.createTable('groups', (t) => {
    t.uuid('id').primary();
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.string('name', 255).notNullable();
    t.string('name_normalized', 255).notNullable();
    t.text('description').nullable();
    timestamps(t);
    t.unique(['tenant_id', 'name_normalized']);
  });

  await knex.schema.createTable('group_members', (t) => {
    t.uuid('id').primary();
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.uuid('group_id').notNullable().references('id').inTable('groups').onDelete('CASCADE');
    t.uuid('user_id').nullable().references('id').inTable('users').onDelete('CASCADE');
    t.uuid('member_group_id').nullable().references('id').inTable('groups').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.unique(['group_id', 'user_id']);
    t.unique(['group_id', 'member_group_id']);
    t.index(['user_id']);
    t.index(['member_group_id']);
  });

  await knex.schema.createTable('identity_providers', (t) => {
    t.uuid('id').primary();
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.string('alias', 63).notNullable();
    t.string('type', 10).notNullable();
    t.string('name', 200).notNullable();
    t.string('issuer', 2048).nullable();
    t.boolean('enabled').notNullable().defaultTo(true);
    timestamps(t);
    t.unique(['tenant_id', 'alias']);
  });

  await knex.schema.createTable('user_identities', (t) => {
    t.uuid('id').primary();
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.uuid('provider_id').notNullable().references('id').inTable('identity_providers').onDelete('CASCADE');
    t.string('subject', 255).notNullable();
    t.string('external_username', 255).nullable();
    t.timestamp('linked_at', { useTz: true }).notNullable();
    t.unique(['provider_id', 'subject']);
    t.index(['user_id']);
  });

  await knex.schema.createTable('sessions', (t) => {
    t.uuid('id').primary();
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('last_used_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('revoked_at', { useTz: true }).nullable();
    t.string('revoked_reason', 100).nullable();
    t.string('ip', 64).nullable();
    t.string('user_agent', 512).nullable();
    t.index(['user_id']);
  });

  await knex.schema.createTable('refresh_tokens', (t) => {
    t.uuid('id').primary();
    t.uuid('session_id').notNullable().references('id').inTable('sessions').onDelete('CASCADE');
    t.string('token_hash', 64).notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true }).nullable();
    t.index(['session_id']);
  });

  await knex.schema.createTable('user_tokens', (t) => {
    t.uuid('id').primary();
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('purpose', 30).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true }).nullable();
    t.index(['user_id', 'purpose']);
  });

  await knex.schema.createTable('outbox', (t) => {
    t.uuid('id').primary();
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.uuid('user_id').nullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('kind', 40).notNullable();
    t.string('to_address', 320).notNullable();
    t.string('subject', 500).notNullable();
    t.text('body_text').notNullable();
    t.string('status', 20).notNullable().defaultTo('PENDING');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable();
    t.text('last_error').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('sent_at', { useTz: true }).nullable();
    t.index(['status', 'next_attempt_at']);
    t.index(['tenant_id', 'created_at']);
    t.index(['user_id']);
  });

  if (!sqlite) {
    // Names and paths that lists sort by compare byte-wise, as on SQLite (see users above).
    for (const [table, column, type] of [['tenants', 'name', 'varchar(200)'], ['tenants', 'slug', 'varchar(63)'], ['partners', 'name', 'varchar(200)'],
      ['partners', 'slug', 'varchar(63)'], ['ous', 'name', 'varchar(200)'], ['ous', 'path', 'varchar(2000)'], ['groups', 'name_normalized', 'varchar(255)']]) {
      await knex.raw(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE ${type} COLLATE "C"`);
    }
  }

  await knex.schema.createTable('activity_events', (t) => {
    // UUIDv7 ids are time-ordered: ordering by id is ordering by time, and a cursor is an id.
    t.uuid('id').primary();
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.string('action', 60).notNullable();
    t.string('actor_type', 20).notNullable();
    t.uuid('actor_id').nullable();
    t.string('subject_type', 30).notNullable();
    t.uuid('subject_id').nullable();
    json(t, 'details');
    t.string('ip', 64).nullable();
    t.string('request_id', 128).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['tenant_id', 'id']);
    t.index(['subject_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['activity_events', 'outbox', 'user_tokens', 'refresh_tokens', 'sessions', 'user_identities',
    'identity_providers', 'group_members', 'groups']) {
    await knex.schema.dropTableIfExists(table);
  }
  if (isSqlite(knex)) await knex.raw('DROP TABLE IF EXISTS users_fts');
  for (const table of ['users', 'ous', 'tenants', 'partners', 'server_settings']) {
    await knex.schema.dropTableIfExists(table);
  }
}
