import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { freePort } from './child';

/**
 * A PostgreSQL cluster kept under bench/tmp/pg between runs, so a seeded database is reused.
 * Started on a loopback port for the run and stopped after it. BENCH_DATABASE_URL (a server
 * where the user may create databases) is used instead when set.
 */
export interface PgCluster {
  /** URL of a database on the cluster. */
  url(db: string): string;
  stop(): void;
}

function pgBin(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && fs.existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const candidate = path.join(root, v, 'bin', name);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`PostgreSQL's ${name} was not found: install PostgreSQL (Debian: apt-get install postgresql)`);
}

export async function startPgCluster(tmpDir: string): Promise<PgCluster> {
  const given = process.env.BENCH_DATABASE_URL;
  if (given) {
    return {
      url: (db) => Object.assign(new URL(given), { pathname: `/${db}` }).toString(),
      stop() {},
    };
  }
  // PostgreSQL refuses to run as root: there it runs as the `postgres` system user.
  const asRoot = process.getuid?.() === 0;
  const run = (bin: string, args: string[]) => {
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', pgBin(bin), ...args]] : [pgBin(bin), args];
    execFileSync(cmd, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
  };
  const dir = path.join(tmpDir, 'pg');
  const data = path.join(dir, 'data');
  if (!fs.existsSync(path.join(data, 'PG_VERSION'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  }
  // A cluster left running by an interrupted run is stopped first.
  if (fs.existsSync(path.join(data, 'postmaster.pid'))) {
    try {
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    } catch {
      fs.rmSync(path.join(data, 'postmaster.pid'), { force: true });
    }
  }
  const port = await freePort();
  // Durable settings (fsync on): the figures are those of a real deployment, not of a test server.
  run('pg_ctl', [
    '-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '120', 'start',
    '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=100 -c shared_buffers=1GB -c maintenance_work_mem=512MB`,
  ]);
  return {
    url: (db) => `postgres://postgres@127.0.0.1:${port}/${db}`,
    stop() {
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
  };
}
