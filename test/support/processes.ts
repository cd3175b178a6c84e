import fs from 'node:fs';
import net from 'node:net';
import { spawn } from 'node:child_process';

/**
 * Child processes that serve HTTP, for the tests and the benchmark: a free loopback port, a start
 * that waits until a path answers, stop/kill that wait for the exit, and the process's memory.
 * Roster itself is started through test/support/server-process.ts, which builds on this.
 */
export interface ChildServer {
  url: string;
  pid: number;
  /** The exit code (null when ended by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM, then the exit code (SIGKILL if it has not exited after 15 s). */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash or the OOM killer would, and waits for the exit. */
  kill(): Promise<void>;
  /** Resident and peak resident memory in bytes (VmRSS/VmHWM of /proc/<pid>/status), while it runs. */
  memory(): { rss: number; peak: number };
  /** The last of what the process wrote to stdout and stderr, for failure messages. */
  output(): string;
}

export interface ChildOptions {
  /** The path polled until it answers 2xx; `/` unless given. */
  readyPath?: string;
  timeoutMs?: number;
  /** Working directory of the child. */
  cwd?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** The parent's test settings stay out: a child gets exactly the database and settings it is given. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DATABASE_URL', 'TEST_DATABASE_URL', 'NODE_OPTIONS', 'VITEST', 'VITEST_WORKER_ID', 'VITEST_POOL_ID']) delete base[name];
  return { ...base, LOG_LEVEL: 'warn', ...env };
}

/** Runs `node ARGV` with `env`, HOST 127.0.0.1 and PORT on a free port, and resolves once `readyPath` answers. */
export async function startChild(argv: string[], env: Record<string, string>, opts: ChildOptions = {}): Promise<ChildServer> {
  const port = await freePort();
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const child = spawn(process.execPath, argv, { cwd: opts.cwd, env: childEnv({ ...env, HOST: '127.0.0.1', PORT: String(port) }), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-50_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running = () => child.exitCode === null && child.signalCode === null;
  const end = async (signal: NodeJS.Signals) => {
    if (running()) child.kill(signal);
    const timer = signal === 'SIGKILL' ? undefined : setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  const server: ChildServer = {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    exited,
    stop: () => end('SIGTERM'),
    kill: async () => void (await end('SIGKILL')),
    memory: () => memoryOf(child.pid!),
    output: () => output,
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!running()) throw new Error(`${argv.join(' ')} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`);
    const ok = await fetch(`${server.url}${opts.readyPath ?? '/'}`).then((r) => r.ok, () => false);
    if (ok) return server;
    if (Date.now() > deadline) {
      await server.kill();
      throw new Error(`${argv.join(' ')} not ready after ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function memoryOf(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => {
    const value = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
    if (!value) throw new Error(`no ${name} for process ${pid}`);
    return Number(value) * 1024;
  };
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}
