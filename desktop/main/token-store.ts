import fs from 'node:fs';
import { z } from 'zod';
import type { StoredTokens } from '../shared/bridge';
import { writeFileAtomic } from './settings';

/** The part of Electron's safeStorage the store uses (OS keychain, DPAPI or libsecret). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export const storedTokensSchema = z.object({
  access_token: z.string().min(1).max(16_384),
  refresh_token: z.string().max(16_384),
  expires_at: z.number().finite().nonnegative(),
}).strict();

const fileSchema = z.record(z.string(), z.string());

/**
 * Tokens of each mode or connection profile, one entry per key, each encrypted on its own with
 * safeStorage and kept in a file in the user's data folder. Without an encryption backend they
 * live in memory only, for this run: never written in clear.
 */
export class TokenStore {
  private readonly memory = new Map<string, StoredTokens>();

  constructor(private readonly file: string, private readonly safeStorage: SafeStorageLike) {}

  load(key: string): StoredTokens | null {
    if (!this.safeStorage.isEncryptionAvailable()) return this.memory.get(key) ?? null;
    const entry = this.readFile()[key];
    if (!entry) return null;
    try {
      const parsed = storedTokensSchema.safeParse(JSON.parse(this.safeStorage.decryptString(Buffer.from(entry, 'base64'))));
      return parsed.success ? parsed.data : null;
    } catch {
      // Encrypted under another key (a copied profile, a new keychain): as if signed out.
      return null;
    }
  }

  save(key: string, tokens: StoredTokens): void {
    const valid = storedTokensSchema.parse(tokens);
    if (!this.safeStorage.isEncryptionAvailable()) {
      this.memory.set(key, valid);
      return;
    }
    const all = this.readFile();
    all[key] = this.safeStorage.encryptString(JSON.stringify(valid)).toString('base64');
    writeFileAtomic(this.file, JSON.stringify(all));
  }

  clear(key: string): void {
    this.memory.delete(key);
    const all = this.readFile();
    if (!(key in all)) return;
    delete all[key];
    writeFileAtomic(this.file, JSON.stringify(all));
  }

  private readFile(): Record<string, string> {
    try {
      const parsed = fileSchema.safeParse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  }
}
