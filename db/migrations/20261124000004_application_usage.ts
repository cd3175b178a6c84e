import type { Knex } from 'knex';

/** When each user last signed in to each application: what "active workspaces" lists. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('application_usage', (t) => {
    t.uuid('application_id').notNullable().references('id').inTable('applications').onDelete('CASCADE');
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.timestamp('first_used_at', { useTz: true }).notNullable();
    t.timestamp('last_used_at', { useTz: true }).notNullable();
    t.integer('sign_ins').notNullable().defaultTo(1);
    t.primary(['application_id', 'user_id']);
    t.index(['user_id', 'last_used_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('application_usage');
}
