import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { freePort } from './processes';

/**
 * A throwaway PostgreSQL cluster on a loopback port, for the test suite and the benchmark:
 * initdb into a temporary folder, trust authentication, stopped and removed afterwards.
 * As root (CI), the server runs as the `postgres` system user, since PostgreSQL refuses root.
 */
export interface PgServer {
  url: string;
  stop(): void;
}

/** A PostgreSQL program: on PATH, or in the newest /usr/lib/postgresql/<version>/bin. */
function pgBin(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = path.join(dir, name);
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const candidate = path.join(root, v, 'bin', name);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`PostgreSQL's ${name} was not found: install PostgreSQL (Debian: apt-get install postgresql)`);
}

/**
 * initdb, pg_ctl start and stop for a cluster whose files are under `dir` (data in `dir`/data,
 * the log and socket in `dir`). PostgreSQL refuses to run as root: there it runs as `postgres`.
 */
export function pgCluster(dir: string) {
  const asRoot = process.getuid?.() === 0;
  const data = path.join(dir, 'data');
  const run = (bin: string, args: string[]) => {
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', pgBin(bin), ...args]] : [pgBin(bin), args];
    execFileSync(cmd, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
  };
  return {
    data,
    init() {
      if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
      run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
    },
    /** Starts on 127.0.0.1:`port` with `settings` (`-c name=value ...`), waiting up to `timeoutS`. */
    start(port: number, settings: string, timeoutS: number) {
      run('pg_ctl', [
        '-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', String(timeoutS), 'start',
        '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 ${settings}`,
      ]);
    },
    stop() {
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
  };
}

export async function startPgServer(): Promise<PgServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-pg-'));
  const port = await freePort();
  const cluster = pgCluster(dir);
  fs.chmodSync(dir, 0o755);
  cluster.init();
  cluster.start(port, '-c fsync=off -c max_connections=200', 60);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        cluster.stop();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
