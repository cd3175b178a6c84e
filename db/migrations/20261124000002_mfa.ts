import type { Knex } from 'knex';

/** TOTP second factor: the secret, the last step used (no replays), recovery codes. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.string('totp_secret', 128).nullable();
    t.string('totp_pending_secret', 128).nullable();
    t.bigInteger('totp_last_epoch').nullable();
  });
  await knex.schema.alterTable('sessions', (t) => {
    // A session opened in a tenant that requires MFA by a user without it: good only for enrolling.
    t.boolean('mfa_enrollment_only').notNullable().defaultTo(false);
  });
  await knex.schema.createTable('mfa_recovery_codes', (t) => {
    t.uuid('id').primary();
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('code_hash', 64).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true }).nullable();
    t.unique(['user_id', 'code_hash']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('mfa_recovery_codes');
  await knex.schema.alterTable('sessions', (t) => t.dropColumn('mfa_enrollment_only'));
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('totp_secret');
    t.dropColumn('totp_pending_secret');
    t.dropColumn('totp_last_epoch');
  });
}
