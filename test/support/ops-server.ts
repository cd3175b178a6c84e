import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import knexFactory from 'knex';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/roster.mjs');

export const OPS_ADMIN_EMAIL = 'root@ops.test';
export const OPS_ADMIN_PASSWORD = 'root-password-123';

/**
 * Child processes for the operations tests. Beside test/support/server-process.ts (server/index.ts
 * for the scale tests), this runs the `roster` command itself (bin/roster.mjs: `serve` and every
 * other command) and reports exit codes, which graceful shutdown is judged by.
 *
 * A data dir and database of their own for child processes: a temporary folder, and on
 * `npm run test:pg` a fresh PostgreSQL database on the test server. `env` is what the CLI and
 * the server read.
 */
export interface OpsDatabase {
  dir: string;
  env: Record<string, string>;
  pg: boolean;
  drop(): Promise<void>;
}

export async function opsDatabase(): Promise<OpsDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-ops-'));
  const server = process.env.TEST_DATABASE_URL;
  let url = '';
  let drop = async () => {};
  if (server) {
    const name = `roster_ops_${crypto.randomBytes(6).toString('hex')}`;
    const admin = knexFactory({ client: 'pg', connection: server, pool: { min: 0, max: 1 } });
    await admin.raw(`CREATE DATABASE ${name}`);
    const u = new URL(server);
    u.pathname = `/${name}`;
    url = u.toString();
    drop = async () => {
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    };
  }
  return {
    dir,
    pg: Boolean(server),
    // An empty DATABASE_URL means the SQLite file in the data dir, whatever the parent has set.
    env: { ROSTER_DATA_DIR: dir, DATABASE_URL: url, ROSTER_ADMIN_EMAIL: OPS_ADMIN_EMAIL, ROSTER_ADMIN_PASSWORD: OPS_ADMIN_PASSWORD, ROSTER_HASH_THREADS: '1' },
    async drop() {
      await drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The parent's test settings stay out: a child gets exactly the database and settings it is given. */
const childEnv = (env: Record<string, string>) => {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DATABASE_URL', 'TEST_DATABASE_URL', 'NODE_OPTIONS', 'VITEST', 'VITEST_WORKER_ID', 'VITEST_POOL_ID']) delete base[name];
  return { ...base, LOG_LEVEL: 'warn', ...env };
};

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

export interface OpsServer {
  url: string;
  pid: number;
  /** The exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
  output(): string;
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

/** `roster serve` in a child process on a free loopback port, once /readyz answers. */
export async function startServer(env: Record<string, string>, timeoutMs = 60_000): Promise<OpsServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve'], { cwd: ROOT, env: childEnv({ ...env, HOST: '127.0.0.1', PORT: String(port) }), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-50_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running = () => child.exitCode === null && child.signalCode === null;
  const server: OpsServer = {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    exited,
    async stop() {
      if (running()) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
    output: () => output,
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!running()) throw new Error(`roster serve exited before it was ready:\n${output}`);
    const ok = await fetch(`${server.url}/readyz`).then((r) => r.ok, () => false);
    if (ok) return server;
    if (Date.now() > deadline) {
      await server.kill();
      throw new Error(`roster serve not ready after ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A bearer header for the bootstrap super admin of a server started with opsDatabase().env. */
export async function adminAuth(url: string): Promise<{ Authorization: string }> {
  const res = await fetch(`${url}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ grant_type: 'password', username: OPS_ADMIN_EMAIL, password: OPS_ADMIN_PASSWORD, tenant: 'default' }),
  });
  if (res.status !== 200) throw new Error(`admin login failed: ${res.status} ${await res.text()}`);
  return { Authorization: `Bearer ${((await res.json()) as { access_token: string }).access_token}` };
}
