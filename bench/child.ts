import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A script in a process of its own (the bare Koa ceiling), started on a free port and waited for.
 * Roster itself is started by test/support/server-process.ts.
 */
export interface ChildServer {
  url: string;
  pid: number;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL, then waits for the exit: the process gets no chance to tidy up. */
  kill(): Promise<void>;
  /** Peak resident memory so far (VmHWM), in bytes; Linux only. */
  peakRss(): number;
  /** Everything the process wrote to stderr so far, for failure messages. */
  stderr(): string;
}

const ROOT = path.resolve(import.meta.dirname, '..');

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

/** Starts `script` (relative to the repository) with `env` and PORT on a free port, and waits until `readyPath` answers. */
export async function startChild(
  script: string,
  env: Record<string, string> = {},
  opts: { nodeArgs?: string[]; readyPath?: string; timeoutMs?: number } = {},
): Promise<ChildServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', path.join(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const proc: ChildServer = {
    url,
    pid: child.pid!,
    stop: () => signal(child, 'SIGTERM', exited),
    kill: () => signal(child, 'SIGKILL', exited),
    peakRss: () => peakRss(child.pid!),
    stderr: () => err,
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited before it was ready (${child.exitCode ?? child.signalCode}):\n${err}`);
    try {
      const res = await fetch(`${url}${opts.readyPath ?? '/'}`);
      if (res.ok) return proc;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await proc.kill();
      throw new Error(`server not ready after ${opts.timeoutMs ?? 60_000} ms:\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function signal(child: ChildProcess, sig: NodeJS.Signals, exited: Promise<void>) {
  if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  await exited;
}

function peakRss(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  if (!kb) throw new Error(`no VmHWM for process ${pid}`);
  return Number(kb) * 1024;
}
