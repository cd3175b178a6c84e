import fs from 'node:fs';
import crypto from 'node:crypto';
import { z } from 'zod';
import type { ConnectionProfile, DesktopState, StoredTokens } from '../shared/bridge';
import { profileSchema, type Settings, type SettingsStore } from './settings';
import { storedTokensSchema, type TokenStore } from './token-store';
import { databaseFile, type AdminAccount } from './local-server';
import { parseOrThrow } from './validation';

/** What the controller needs of the embedded server (LocalServer in the app). */
export interface EmbeddedServer {
  readonly url: string | null;
  start(admin?: AdminAccount): Promise<string>;
  stop(): Promise<void>;
  onUnexpectedExit(listener: (message: string) => void): void;
}

export interface ControllerOptions {
  settings: SettingsStore;
  tokens: TokenStore;
  server: EmbeddedServer;
  /** Local mode's data folder (userData/data). */
  dataDir: string;
  /** Resolves when a remote Roster answers, rejects with a reason otherwise. */
  checkRemote(url: string): Promise<void>;
}

export const adminAccountSchema = z.object({
  email: z.email('Enter a valid email address').max(320),
  // The default tenant's password policy (8) is the floor the server enforces on the first admin.
  password: z.string().min(8, 'The password must be at least 8 characters long').max(256),
}).strict();

export const profileIdSchema = z.string().min(1).max(100);

export const profileInputSchema = profileSchema.extend({ id: profileIdSchema.optional() }).strict();

/**
 * The desktop app's modes: which server the renderer talks to, started and stopped here. Every
 * operation runs after the previous one has finished, so two clicks cannot start two servers.
 */
export class DesktopController {
  private settings: Settings;
  private error: string | null = null;
  private remoteReady = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: ControllerOptions) {
    this.settings = opts.settings.load();
    opts.server.onUnexpectedExit((message) => { this.error = message; });
  }

  /** At launch: go back to the mode of the last run (the chooser when there was none). */
  resume(): Promise<DesktopState> {
    return this.run(async () => {
      if (this.settings.mode === 'local' && !this.needsSetup()) await this.startLocal();
      if (this.settings.mode === 'remote') await this.connectRemote();
    });
  }

  state(): Promise<DesktopState> {
    return this.run(async () => undefined);
  }

  chooseLocal(): Promise<DesktopState> {
    return this.run(async () => {
      this.remoteReady = false;
      this.error = null;
      this.persist({ mode: 'local' });
      if (!this.opts.server.url && !this.needsSetup()) await this.startLocal();
    });
  }

  setupLocal(input: unknown): Promise<DesktopState> {
    return this.run(async () => {
      const admin = parseOrThrow(adminAccountSchema, input);
      if (this.settings.mode !== 'local') throw new Error('Choose Local before creating its administrator');
      if (!this.needsSetup()) throw new Error('The local directory already has an administrator');
      this.error = null;
      const ok = await this.startLocal(admin);
      // A failed first start must not leave a database without an administrator behind.
      if (!ok) removeDatabase(this.opts.dataDir);
    });
  }

  saveProfile(input: unknown): Promise<DesktopState> {
    return this.run(async () => {
      const p = parseOrThrow(profileInputSchema, input);
      const profiles = [...this.settings.profiles];
      if (p.id) {
        const at = profiles.findIndex((x) => x.id === p.id);
        if (at < 0) throw new Error('No such connection profile');
        profiles[at] = { id: p.id, name: p.name, url: p.url };
        // The active server's address changed: connect again to the new one.
        if (this.settings.mode === 'remote' && this.settings.activeProfileId === p.id) this.remoteReady = false;
      } else {
        profiles.push({ id: crypto.randomUUID(), name: p.name, url: p.url });
      }
      this.persist({ profiles });
    });
  }

  deleteProfile(input: unknown): Promise<DesktopState> {
    return this.run(async () => {
      const id = parseOrThrow(profileIdSchema, input);
      if (!this.settings.profiles.some((x) => x.id === id)) throw new Error('No such connection profile');
      this.opts.tokens.clear(remoteKey(id));
      const active = this.settings.activeProfileId === id;
      if (active && this.settings.mode === 'remote') {
        this.remoteReady = false;
        this.error = null;
      }
      this.persist({
        profiles: this.settings.profiles.filter((x) => x.id !== id),
        activeProfileId: active ? null : this.settings.activeProfileId,
        mode: active && this.settings.mode === 'remote' ? null : this.settings.mode,
      });
    });
  }

  chooseRemote(input: unknown): Promise<DesktopState> {
    return this.run(async () => {
      const id = parseOrThrow(profileIdSchema, input);
      if (!this.settings.profiles.some((x) => x.id === id)) throw new Error('No such connection profile');
      await this.opts.server.stop();
      this.error = null;
      this.remoteReady = false;
      this.persist({ mode: 'remote', activeProfileId: id });
      await this.connectRemote();
    });
  }

  switchMode(): Promise<DesktopState> {
    return this.run(async () => {
      await this.opts.server.stop();
      this.remoteReady = false;
      this.error = null;
      this.persist({ mode: null });
    });
  }

  /** The server the app protocol forwards API requests to, or null. */
  target(): string | null {
    if (this.settings.mode === 'local') return this.opts.server.url;
    if (this.settings.mode === 'remote' && this.remoteReady) return this.activeProfile()?.url ?? null;
    return null;
  }

  loadTokens(): StoredTokens | null {
    const key = this.tokenKey();
    return key ? this.opts.tokens.load(key) : null;
  }

  saveTokens(tokens: unknown): void {
    const key = this.tokenKey();
    if (!key) throw new Error('Choose Local or a connection profile first');
    this.opts.tokens.save(key, parseOrThrow(storedTokensSchema, tokens));
  }

  clearTokens(): void {
    const key = this.tokenKey();
    if (key) this.opts.tokens.clear(key);
  }

  /** On quit: stops the embedded server (after whatever operation is under way). */
  shutdown(): Promise<void> {
    const done = this.queue.then(() => this.opts.server.stop(), () => this.opts.server.stop());
    this.queue = done.catch(() => undefined);
    return done;
  }

  private tokenKey(): string | null {
    if (this.settings.mode === 'local') return 'local';
    if (this.settings.mode === 'remote' && this.settings.activeProfileId) return remoteKey(this.settings.activeProfileId);
    return null;
  }

  private async startLocal(admin?: AdminAccount): Promise<boolean> {
    try {
      await this.opts.server.start(admin);
      return true;
    } catch (err) {
      this.error = (err as Error).message;
      return false;
    }
  }

  private async connectRemote(): Promise<void> {
    const profile = this.activeProfile();
    if (!profile) return;
    try {
      await this.opts.checkRemote(profile.url);
      this.remoteReady = true;
    } catch (err) {
      this.error = `Cannot reach ${profile.name} (${profile.url}): ${(err as Error).message}`;
    }
  }

  private activeProfile(): ConnectionProfile | undefined {
    return this.settings.profiles.find((x) => x.id === this.settings.activeProfileId);
  }

  private needsSetup(): boolean {
    return !this.opts.server.url && !fs.existsSync(databaseFile(this.opts.dataDir));
  }

  private persist(change: Partial<Settings>): void {
    const next = { ...this.settings, ...change };
    this.opts.settings.save(next);
    this.settings = next;
  }

  private snapshot(): DesktopState {
    const mode = this.settings.mode;
    return {
      mode,
      ready: this.target() !== null,
      needsSetup: mode === 'local' && this.needsSetup(),
      profiles: this.settings.profiles.map((p) => ({ ...p })),
      activeProfileId: this.settings.activeProfileId,
      error: this.error,
      dataDir: this.opts.dataDir,
    };
  }

  private run(op: () => Promise<unknown>): Promise<DesktopState> {
    const result = this.queue.then(op).then(() => this.snapshot());
    this.queue = result.catch(() => undefined);
    return result;
  }
}

function remoteKey(profileId: string): string {
  return `remote:${profileId}`;
}

function removeDatabase(dataDir: string): void {
  const db = databaseFile(dataDir);
  for (const f of [db, `${db}-wal`, `${db}-shm`, `${db}-journal`]) fs.rmSync(f, { force: true });
}

/** A remote Roster answers /healthz with {status: "ok"}. */
export async function checkRemoteRoster(url: string, fetchImpl: (u: string, init?: RequestInit) => Promise<Response>): Promise<void> {
  let res: Response;
  try {
    res = await fetchImpl(`${url}/healthz`, { signal: AbortSignal.timeout(8000) });
  } catch (err) {
    throw new Error((err as Error).message || 'no answer');
  }
  if (!res.ok) throw new Error(`it answered ${res.status} to /healthz`);
  const body = await res.json().catch(() => null) as { status?: unknown } | null;
  if (body?.status !== 'ok') throw new Error('it does not look like a Roster server (no {"status":"ok"} at /healthz)');
}
