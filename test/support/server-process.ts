import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import crypto from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import knexFactory from 'knex';
import { openDatabase, type Database } from '../../server/db/database';
import { parseDatabaseUrl } from '../../server/config';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from './test-app';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The real server (`server/index.ts`) as a process of its own: for what only a process shows
 * (its peak memory, being killed with SIGKILL, several servers on one database).
 */
export interface ServerProcess {
  url: string;
  pid: number;
  /** SIGTERM, then waits for the exit (SIGKILL after 15 s). */
  stop(): Promise<void>;
  /** SIGKILL, as a crash or the OOM killer would, and waits for the exit. */
  kill(): Promise<void>;
  /** Resident and peak resident memory in bytes (VmRSS/VmHWM of /proc/<pid>/status), while it runs. */
  memory(): { rss: number; peak: number };
  /** What the process wrote to stderr so far, for failure messages. */
  stderr(): string;
}

/**
 * Starts the server with `env` on top of a quiet default (127.0.0.1, a free port, LOG_LEVEL
 * silent) and resolves once GET /healthz answers. Rejects with its stderr if it exits first.
 */
export async function startServer(env: Record<string, string>, timeoutMs = 60_000): Promise<ServerProcess> {
  const port = await freePort();
  const base: NodeJS.ProcessEnv = { ...process.env };
  // The parent's test settings must not leak into the server: it gets exactly the database it is given.
  for (const name of ['DATABASE_URL', 'TEST_DATABASE_URL', 'NODE_OPTIONS', 'VITEST', 'VITEST_WORKER_ID', 'VITEST_POOL_ID']) delete base[name];
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: ROOT,
    env: { ...base, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errText = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => { errText = (errText + s).slice(-20_000); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before it answered:\n${errText}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`the server did not answer within ${timeoutMs} ms:\n${errText}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = signal === 'SIGKILL' ? undefined : setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  return {
    url,
    pid: child.pid!,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    memory: () => memoryOf(child),
    stderr: () => errText,
  };
}

function memoryOf(child: ChildProcess): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * A fresh database for server processes: a temporary data dir with SQLite in it, or (under
 * `npm run test:pg`) a new PostgreSQL database on TEST_DATABASE_URL's server. `env` is what every
 * server on this database gets; `open()` gives the test its own connection for checks.
 */
export interface ServerDatabase {
  env: Record<string, string>;
  dataDir: string;
  open(): Promise<Database>;
  drop(): Promise<void>;
}

export async function createServerDatabase(): Promise<ServerDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-proc-'));
  const serverUrl = process.env.TEST_DATABASE_URL;
  let dbUrl: string | undefined;
  let dropPg: (() => Promise<void>) | undefined;
  if (serverUrl) {
    const name = `roster_proc_${crypto.randomBytes(6).toString('hex')}`;
    const admin = knexFactory({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } });
    await admin.raw(`CREATE DATABASE ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    dbUrl = url.toString();
    dropPg = async () => {
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    };
  }
  const env: Record<string, string> = {
    ROSTER_DATA_DIR: dataDir,
    ROSTER_ADMIN_EMAIL: ADMIN_EMAIL,
    ROSTER_ADMIN_PASSWORD: ADMIN_PASSWORD,
    ROSTER_HASH_THREADS: '2',
    ...(dbUrl ? { DATABASE_URL: dbUrl } : {}),
  };
  return {
    env,
    dataDir,
    open: () => openDatabase(parseDatabaseUrl(dbUrl, dataDir)),
    async drop() {
      await dropPg?.();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The bootstrap super admin's bearer header on a server process. */
export async function rootAuthOf(url: string): Promise<{ Authorization: string }> {
  const res = await fetch(`${url}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ grant_type: 'password', username: ADMIN_EMAIL, password: ADMIN_PASSWORD, tenant: 'default' }),
  });
  if (res.status !== 200) throw new Error(`root login failed: ${res.status} ${await res.text()}`);
  return { Authorization: `Bearer ${((await res.json()) as { access_token: string }).access_token}` };
}
