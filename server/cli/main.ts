import { Command, Option } from 'commander';
import { loadConfig, type Config } from '../config';
import { createLogger } from '../logger';
import { ROSTER_VERSION } from '../version';
import { describeError } from './cli-error';

// Each command loads only what it needs: `--help` and `backup` start without loading the app.

/** Every command reads the server's configuration: the environment, DATABASE_URL, ROSTER_DATA_DIR. */
const config = (): Config => loadConfig();

/** Runs a command and leaves with its exit code; the pool and worker threads are closed by then. */
const run = (fn: () => Promise<number | void>) => async () => {
  try {
    process.exitCode = (await fn()) ?? 0;
  } catch (err) {
    const { message, exitCode } = describeError(err);
    process.stderr.write(`roster: ${message}\n`);
    process.exitCode = exitCode;
  }
};

const program = new Command('roster')
  .description('Roster, a self-hosted multi-tenant user directory. Configuration comes from the environment (see the README).')
  .version(ROSTER_VERSION)
  .showHelpAfterError();

program.command('serve')
  .description('start the HTTP server (the same as npm start); SIGTERM stops it gracefully')
  .action(async () => {
    const c = config();
    const { serve } = await import('./serve');
    await serve(c, createLogger(c));
  });

program.command('migrate')
  .description('apply pending database migrations (the server also does on start)')
  .option('--status', 'list applied and pending migrations, change nothing')
  .action((opts: { status?: boolean }) => run(async () => (await import('./migrate')).migrateCommand(config(), opts))());

program.command('create-admin')
  .description('create a super admin, or with --tenant a tenant admin of that tenant')
  .requiredOption('--email <email>', 'email (the sign-in name)')
  .requiredOption('--password <password>', 'password, under the tenant\'s policy')
  .option('--tenant <tenant>', 'tenant slug or id: make a tenant_admin there instead of a super admin')
  .option('--username <username>', 'a username to sign in with besides the email')
  .action((opts: { email: string; password: string; tenant?: string; username?: string }) => run(async () => (await import('./create-admin')).createAdminCommand(config(), opts))());

program.command('import')
  .description('bulk-import users from a CSV, JSON (array) or NDJSON file; exit 0 all imported, 2 some rows refused, 1 failed or aborted, 130 interrupted')
  .argument('<file>', 'the file; its extension (.csv, .json, .ndjson, .jsonl) gives the format')
  .requiredOption('--tenant <tenant>', 'tenant slug or id')
  .addOption(new Option('--mode <mode>', 'create new users, or upsert by email').choices(['create', 'upsert']).default('create'))
  .option('--dry-run', 'validate and count, change nothing', false)
  .addOption(new Option('--on-error <policy>', 'skip bad rows, or abort the whole job at the first').choices(['skip', 'abort']).default('skip'))
  .addOption(new Option('--format <format>', 'the file\'s format, when its name does not tell').choices(['csv', 'json', 'ndjson']))
  .action((file: string, opts: { tenant: string; mode: 'create' | 'upsert'; dryRun: boolean; onError: 'skip' | 'abort'; format?: 'csv' | 'json' | 'ndjson' }) =>
    run(async () => (await import('./import')).importCommand(config(), file, opts))());

program.command('export-user')
  .description('everything held about a user, as the GDPR export document (JSON)')
  .argument('<id>', 'the user\'s id')
  .option('--tenant <tenant>', 'tenant slug or id (found from the user when left out)')
  .option('--out <file>', 'write to this file (mode 600) instead of stdout')
  .action((id: string, opts: { tenant?: string; out?: string }) => run(async () => (await import('./export-user')).exportUserCommand(config(), id, opts))());

program.command('backup')
  .description('online backup of the SQLite database into FILE, consistent while the server writes (PostgreSQL: use pg_dump)')
  .argument('<file>', 'where to write the backup; must not exist')
  .action((file: string) => run(async () => (await import('./backup')).backupCommand(config(), file))());

program.command('restore')
  .description('replace the SQLite database with a backup, after checking it; stop the servers first (PostgreSQL: use pg_restore)')
  .argument('<file>', 'a file written by `roster backup`')
  .action((file: string) => run(async () => (await import('./restore')).restoreCommand(config(), file))());

await program.parseAsync(process.argv);
