import type { Knex } from 'knex';

/**
 * Bulk import jobs and every per-row error they report. `committed_rows` advances in the same
 * transaction as each batch, so a restarted job knows exactly where to go on from.
 */
export async function up(knex: Knex): Promise<void> {
  const sqlite = knex.client.config.client === 'sqlite3';
  const json = (t: Knex.CreateTableBuilder, name: string) => (sqlite ? t.text(name) : t.jsonb(name));

  await knex.schema.createTable('import_jobs', (t) => {
    t.uuid('id').primary();
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    json(t, 'actor');
    t.string('format', 10).notNullable();
    t.string('mode', 10).notNullable();
    t.boolean('dry_run').notNullable().defaultTo(false);
    t.string('on_error', 10).notNullable();
    t.string('status', 20).notNullable();
    t.text('upload_path').nullable();
    t.integer('rows_read').notNullable().defaultTo(0);
    t.integer('committed_rows').notNullable().defaultTo(0);
    t.integer('created').notNullable().defaultTo(0);
    t.integer('updated').notNullable().defaultTo(0);
    t.integer('skipped').notNullable().defaultTo(0);
    t.integer('failed').notNullable().defaultTo(0);
    t.text('message').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('started_at', { useTz: true }).nullable();
    t.timestamp('finished_at', { useTz: true }).nullable();
    t.index(['tenant_id', 'id']);
    t.index(['status']);
  });

  await knex.schema.createTable('import_job_errors', (t) => {
    t.increments('seq').primary();
    t.uuid('job_id').notNullable().references('id').inTable('import_jobs').onDelete('CASCADE');
    t.integer('row').notNullable();
    t.string('field', 200).nullable();
    t.string('code', 60).notNullable();
    t.text('message').notNullable();
    t.index(['job_id', 'row']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('import_job_errors');
  await knex.schema.dropTableIfExists('import_jobs');
}
