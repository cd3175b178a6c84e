import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { serverEnvironment, type ServerCommand } from './server-command';

export interface LocalServerOptions {
  command: ServerCommand;
  /** ROSTER_DATA_DIR of the server: its SQLite database lives here. */
  dataDir: string;
  /** The server's output is appended here (and its tail kept for error messages). */
  logFile: string;
  parentEnv?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
  stopTimeoutMs?: number;
}

export interface AdminAccount { email: string; password: string }

/** The file the server creates on first start (server/config.ts: ROSTER_DATA_DIR/roster.sqlite). */
/** The line a Roster server logs once it listens, with the address it got. */
const LISTENING = /Roster listening on (http:\/\/127\.0\.0\.1:\d+)/;

export function databaseFile(dataDir: string): string {
  return path.join(dataDir, 'roster.sqlite');
}

/**
 * The Roster server as a child process on 127.0.0.1 and a free port: started, watched until
 * /readyz answers, and stopped with SIGTERM (the server closes its database) then SIGKILL after a
 * timeout.
 */
export class LocalServer {
  private child: ChildProcess | null = null;
  private exited: Promise<void> | null = null;
  private baseUrl: string | null = null;
  private tail = '';
  /** The address the running server announced, once it has. */
  private announced: string | null = null;
  private stopping = false;
  private exitListener: ((message: string) => void) | null = null;

  constructor(private readonly opts: LocalServerOptions) {}

  get url(): string | null {
    return this.baseUrl;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Called when the server exits by itself after it was ready (a crash), with a message for the user. */
  onUnexpectedExit(listener: (message: string) => void): void {
    this.exitListener = listener;
  }

  async start(admin?: AdminAccount): Promise<string> {
    if (this.child) throw new Error('The local server is already running');
    fs.mkdirSync(this.opts.dataDir, { recursive: true });
    fs.mkdirSync(path.dirname(this.opts.logFile), { recursive: true });
    const { command } = this.opts;
    const own: Record<string, string> = {
      ...(command.env as Record<string, string>),
      ROSTER_DATA_DIR: this.opts.dataDir,
      HOST: '127.0.0.1',
      // The system picks the port and the server says which: a port chosen here could be taken
      // by another program before the server binds it, and /readyz would then answer for that one.
      PORT: '0',
      LOG_LEVEL: 'info',
      ...(admin ? { ROSTER_ADMIN_EMAIL: admin.email, ROSTER_ADMIN_PASSWORD: admin.password } : {}),
    };
    const child = spawn(command.command, command.args, {
      cwd: command.cwd,
      env: serverEnvironment(this.opts.parentEnv ?? process.env, own),
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.child = child;
    this.tail = '';
    this.announced = null;
    this.stopping = false;
    const log = fs.createWriteStream(this.opts.logFile, { flags: 'a' });
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.on('data', (chunk: Buffer) => {
        log.write(chunk);
        this.tail = (this.tail + chunk.toString('utf8')).slice(-8000);
        this.announced ??= LISTENING.exec(this.tail)?.[1] ?? null;
      });
    }
    let spawnError: Error | null = null;
    this.exited = new Promise<void>((resolve) => {
      let done = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (done) return;
        done = true;
        log.end();
        const wasReady = this.baseUrl !== null;
        this.child = null;
        this.baseUrl = null;
        if (wasReady && !this.stopping) this.exitListener?.(`The local server stopped unexpectedly (${signal ?? `exit code ${code}`}).${this.lastWords()}`);
        resolve();
      };
      child.once('exit', finish);
      child.once('error', (err) => {
        spawnError = err;
        // A process that never started emits no 'exit'.
        if (child.pid === undefined) finish(null, null);
      });
    });

    let url: string;
    try {
      url = await this.waitUntilReady(() => spawnError);
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.baseUrl = url;
    return url;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.exited) return;
    this.stopping = true;
    this.baseUrl = null;
    child.kill('SIGTERM');
    // The server gives open requests 10 s to finish on SIGTERM; only then is it killed.
    const timeout = this.opts.stopTimeoutMs ?? 15_000;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), timeout); }),
    ]);
    clearTimeout(timer);
    if (gaveUp) {
      child.kill('SIGKILL');
      await this.exited;
    }
  }

  /** The address the server announced once it answers /readyz there. */
  private async waitUntilReady(spawnError: () => Error | null): Promise<string> {
    const deadline = Date.now() + (this.opts.readyTimeoutMs ?? 60_000);
    for (;;) {
      const failed = spawnError();
      if (failed) throw new Error(`The local server could not be started: ${failed.message}`);
      if (!this.child) throw new Error(`The local server stopped before it was ready.${this.lastWords()}`);
      const url = this.announced;
      try {
        if (url && (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) })).ok) return url;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new Error(`The local server did not get ready in time.${this.lastWords()}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  /** The end of the server's output, for an error message: what it said before it died. */
  private lastWords(): string {
    const lines = this.tail.split('\n').map((l) => l.trim()).filter(Boolean);
    const errorLine = [...lines].reverse().find((l) => /^(\w*Error|error:)|"level":(50|60)/.test(l));
    const said = errorLine ?? lines.at(-1);
    return said ? ` It said: ${said.slice(0, 600)}` : '';
  }
}
