import type { Knex } from 'knex';

/**
 * Which process runs an import job, and when it last showed it was alive. Several servers may
 * share one database: a starting server must interrupt only the jobs whose runner is gone (its
 * process no longer exists on this host, or its heartbeat is stale), never a live server's job.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_jobs', (t) => {
    t.timestamp('heartbeat_at', { useTz: true }).nullable();
    t.string('runner_host', 300).nullable();
    t.integer('runner_pid').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_jobs', (t) => {
    t.dropColumn('runner_pid');
    t.dropColumn('runner_host');
    t.dropColumn('heartbeat_at');
  });
}
