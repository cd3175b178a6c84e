import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { CliError } from './cli-error';
import { SqliteFile } from './sqlite-file';
import { fsyncDir, fsyncFile } from './files';

export const PG_BACKUP_HINT = 'This database is PostgreSQL: back it up with its own tools, e.g. `pg_dump --format=custom --file=roster.dump "$DATABASE_URL"`, and restore with `pg_restore --clean --if-exists --dbname="$DATABASE_URL" roster.dump`';

/**
 * `roster backup FILE`: an online copy of the SQLite database, taken with `VACUUM INTO` on a
 * connection of its own. VACUUM INTO reads in one transaction, so the copy is the database as
 * of one instant (WAL lets the server go on writing meanwhile, unblocked), compacted, and in
 * one self-contained file (no -wal beside it). It is written under a temporary name, checked
 * with integrity_check, flushed, then renamed into place: FILE is whole or absent.
 */
export async function backupCommand(config: Config, file: string, out: NodeJS.WritableStream = process.stdout) {
  if (config.database.client !== 'sqlite') throw new CliError(PG_BACKUP_HINT, 2);
  const source = config.database.filename;
  if (!fs.existsSync(source)) throw new CliError(`There is no database at ${source} (ROSTER_DATA_DIR / DATABASE_URL)`);
  const target = path.resolve(file);
  if (fs.existsSync(target)) throw new CliError(`${target} exists already: Roster does not overwrite a backup`);
  const tmp = `${target}.partial-${process.pid}`;
  const started = Date.now();
  try {
    const db = await SqliteFile.open(source, 'readonly');
    try {
      db.busyTimeout(30_000);
      await db.run('VACUUM INTO ?', [tmp]);
    } finally {
      await db.close();
    }
    const copy = await SqliteFile.open(tmp, 'readonly');
    let users: number;
    try {
      const problems = await copy.integrityProblems();
      if (problems.length) throw new CliError(`The backup failed its integrity check:\n  ${problems.slice(0, 10).join('\n  ')}`);
      users = (await copy.all<{ n: number }>('SELECT count(*) AS n FROM users'))[0].n;
    } finally {
      await copy.close();
    }
    fsyncFile(tmp);
    fs.renameSync(tmp, target);
    fsyncDir(path.dirname(target));
    const mb = (fs.statSync(target).size / 1024 / 1024).toFixed(1);
    out.write(`Backup written to ${target} (${mb} MiB, ${users} users, integrity ok, ${Date.now() - started} ms)\n`);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
