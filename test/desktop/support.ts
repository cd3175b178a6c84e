import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SafeStorageLike } from '../../desktop/main/token-store';
import type { EmbeddedServer } from '../../desktop/main/desktop-controller';
import type { AdminAccount } from '../../desktop/main/local-server';
import { databaseFile } from '../../desktop/main/local-server';

export function tempDir(prefix = 'roster-desktop-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A stand-in for Electron's safeStorage: a real cipher (XOR with a key, then a marker) so clear text never reaches disk. */
export function fakeSafeStorage(available = true): SafeStorageLike & { calls: number } {
  const key = 0x5a;
  const store = {
    calls: 0,
    isEncryptionAvailable: () => available,
    encryptString(plain: string) {
      store.calls += 1;
      return Buffer.concat([Buffer.from('ENC1'), Buffer.from(plain, 'utf8').map((b) => b ^ key)]);
    },
    decryptString(buf: Buffer) {
      if (buf.subarray(0, 4).toString() !== 'ENC1') throw new Error('not ours');
      return Buffer.from(buf.subarray(4).map((b) => b ^ key)).toString('utf8');
    },
  };
  return store;
}

/** An embedded server that answers instantly: for mode logic; the real one has its own test. */
export class FakeServer implements EmbeddedServer {
  url: string | null = null;
  starts: (AdminAccount | undefined)[] = [];
  stops = 0;
  failWith: string | null = null;
  private onExit: ((m: string) => void) | null = null;

  constructor(private readonly dataDir: string) {}

  async start(admin?: AdminAccount): Promise<string> {
    this.starts.push(admin);
    // Like the real server: the database exists once it has started, even when startup then fails.
    fs.mkdirSync(this.dataDir, { recursive: true });
    fs.writeFileSync(databaseFile(this.dataDir), 'db');
    if (this.failWith) throw new Error(this.failWith);
    this.url = 'http://127.0.0.1:5999';
    return this.url;
  }

  async stop(): Promise<void> {
    if (this.url) this.stops += 1;
    this.url = null;
  }

  onUnexpectedExit(listener: (message: string) => void): void {
    this.onExit = listener;
  }

  crash(message: string): void {
    this.url = null;
    this.onExit?.(message);
  }
}
