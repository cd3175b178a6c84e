import type { Knex } from 'knex';
import * as foundation from './20261123000001_foundation';
import * as directory from './20261124000001_directory';
import * as mfa from './20261124000002_mfa';
import * as scim from './20261124000003_scim';
import * as applicationUsage from './20261124000004_application_usage';
import * as importJobs from './20261124000005_import_jobs';
import * as importJobHeartbeat from './20261125000001_import_job_heartbeat';
import * as liveUserIndexes from './20261125000002_live_user_indexes';
import * as loginRateLimits from './20261125000003_login_rate_limits';

/**
 * Migrations are listed here rather than discovered on disk, so a bundled server (and the
 * desktop app) carries them inside its build. Append new ones; never reorder or rename.
 */
const migrations: Record<string, Knex.Migration> = {
  '20261123000001_foundation': foundation,
  '20261124000001_directory': directory,
  '20261124000002_mfa': mfa,
  '20261124000003_scim': scim,
  '20261124000004_application_usage': applicationUsage,
  '20261124000005_import_jobs': importJobs,
  '20261125000001_import_job_heartbeat': importJobHeartbeat,
  '20261125000002_live_user_indexes': liveUserIndexes,
  '20261125000003_login_rate_limits': loginRateLimits,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};
