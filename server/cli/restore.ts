import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { CliError } from './cli-error';
import { SqliteFile } from './sqlite-file';
import { fsyncDir, fsyncFile } from './files';
import { migrationSource } from '../../db/migrations/index';

const PG_RESTORE_HINT = 'This database is PostgreSQL: restore a pg_dump file with `pg_restore --clean --if-exists --dbname="$DATABASE_URL" roster.dump`';

/** Checks that `file` is a sound Roster database this version can run (none of its migrations unknown). */
async function verifyBackup(file: string): Promise<{ users: number }> {
  let db: SqliteFile;
  try {
    db = await SqliteFile.open(file, 'readonly');
  } catch (err) {
    throw new CliError(`${file} cannot be opened as a SQLite database: ${(err as Error).message}`);
  }
  try {
    const problems = await db.integrityProblems().catch((err: Error) => [err.message]);
    if (problems.length) throw new CliError(`${file} failed its integrity check; nothing was changed:\n  ${problems.slice(0, 10).join('\n  ')}`);
    const tables = await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('knex_migrations', 'users')");
    if (tables.length !== 2) throw new CliError(`${file} is not a Roster database; nothing was changed`);
    const known = new Set(await migrationSource.getMigrations([]));
    const applied = await db.all<{ name: string }>('SELECT name FROM knex_migrations');
    const unknown = applied.map((m) => m.name).filter((n) => !known.has(n));
    if (unknown.length) throw new CliError(`${file} comes from a newer Roster (migrations ${unknown.join(', ')}); upgrade Roster first`);
    return { users: (await db.all<{ n: number }>('SELECT count(*) AS n FROM users'))[0].n };
  } finally {
    await db.close();
  }
}

/**
 * Refuses while any connection holds the database. Leaving WAL mode needs every other
 * connection gone (each holds a lock on the -shm file while open), so asking for it is the
 * test; when it succeeds the WAL is checkpointed into the file and removed.
 */
async function assertUnused(target: string) {
  const db = await SqliteFile.open(target, 'readwrite');
  try {
    db.busyTimeout(0);
    const mode = await db.all<{ journal_mode: string }>('PRAGMA journal_mode = DELETE').catch(() => [{ journal_mode: 'busy' }]);
    if (mode[0]?.journal_mode !== 'delete') {
      throw new CliError(`${target} is in use (a Roster server or another program has it open): stop it, then restore; nothing was changed`);
    }
  } finally {
    await db.close();
  }
}

/**
 * `roster restore FILE`: replaces the SQLite database with a backup. The backup is verified,
 * copied beside the database under a temporary name and flushed; the current database (when
 * there is one, and nothing holds it) is kept as `<name>.before-restore-<time>`; then the copy
 * is renamed into place, so at every instant the database file is either the old one or the
 * whole backup. Servers must be stopped; start them again afterwards.
 */
export async function restoreCommand(config: Config, file: string, out: NodeJS.WritableStream = process.stdout) {
  if (config.database.client !== 'sqlite') throw new CliError(PG_RESTORE_HINT, 2);
  const source = path.resolve(file);
  if (!fs.existsSync(source)) throw new CliError(`No such file: ${source}`);
  const { users } = await verifyBackup(source);

  const target = config.database.filename;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.restore-${process.pid}`;
  try {
    fs.copyFileSync(source, tmp);
    fsyncFile(tmp);
    let keptAs: string | undefined;
    if (fs.existsSync(target)) {
      await assertUnused(target);
      keptAs = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      fs.linkSync(target, keptAs);
    }
    // A -wal or -shm left beside the old file belongs to it, never to the backup.
    for (const suffix of ['-wal', '-shm', '-journal']) fs.rmSync(`${target}${suffix}`, { force: true });
    fs.renameSync(tmp, target);
    fsyncDir(path.dirname(target));
    out.write(`Restored ${source} to ${target} (${users} users)${keptAs ? `; the previous database is kept as ${keptAs}` : ''}\n`);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
