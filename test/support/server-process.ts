import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import knexFactory from 'knex';
import { openDatabase, type Database } from '../../server/db/database';
import { parseDatabaseUrl } from '../../server/config';
import { childEnv, startChild, type ChildServer } from './processes';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from './test-app';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin/roster.mjs');

/**
 * The real server as a process of its own: for what only a process shows (its peak memory, its
 * exit code after SIGTERM, being killed with SIGKILL, several servers on one database).
 */
export type ServerProcess = ChildServer;

export interface StartOptions {
  timeoutMs?: number;
  /** `roster serve` through bin/roster.mjs, as an operator starts it, instead of `server/index.ts`. */
  cli?: boolean;
  /** Options for node itself, before the script (`--cpu-prof` is refused in NODE_OPTIONS). */
  nodeArgs?: string[];
  /** The `npm run build` bundle (dist/server/index.js), as production runs it; it must be built. */
  bundle?: boolean;
}

/**
 * Starts the server with `env` (on 127.0.0.1, a free port) and resolves once GET /readyz answers.
 * Rejects with its output if it exits first.
 */
export function startServer(env: Record<string, string>, opts: StartOptions = {}): Promise<ServerProcess> {
  const script = opts.cli ? [BIN, 'serve'] : opts.bundle ? [...productionNodeFlags(), path.join(ROOT, 'dist/server/index.js')] : ['--import', 'tsx', 'server/index.ts'];
  const argv = [...(opts.nodeArgs ?? []), ...script];
  return startChild(argv, env, { cwd: ROOT, readyPath: '/readyz', timeoutMs: opts.timeoutMs });
}

/** The options `npm run start:dist` gives node (package.json), so a bundle started here runs as in production. */
function productionNodeFlags(): string[] {
  const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const words = scripts['start:dist'].split(/\s+/);
  return words.slice(words.indexOf('node') + 1, words.indexOf('dist/server/index.js'));
}

export interface CliResult { code: number | null; stdout: string; stderr: string }

/** Runs `roster ARGS` (bin/roster.mjs) as a child process and collects what it printed. */
export function runCli(args: string[], env: Record<string, string>, opts: { onSpawn?: (child: ChildProcess) => void } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    opts.onSpawn?.(child);
  });
}

/**
 * A fresh database for server processes and CLI runs: a temporary data dir with SQLite in it, or
 * (under `npm run test:pg`) a new PostgreSQL database on TEST_DATABASE_URL's server. `env` is what
 * every server and command on this database gets; `open()` gives the test its own connection for checks.
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
