import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';

/** A hash that verifies nothing, checked when a login names no such user, so both cost the same. */
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3Ak2Ybqz+b4O9tVNvo7mSRHy3jGMo7qmj3Xgo5sFMoo';

const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;
const ARGON2_HASH = /^\$argon2(id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

/** A stored hash that `verify` can check: argon2 (PHC string) or bcrypt ($2a$/$2b$/$2y$), as imports may bring. */
export const isVerifiableHash = (hash: string) => ARGON2_HASH.test(hash) || BCRYPT_HASH.test(hash);

/**
 * Argon2id (19 MiB, t=2, the OWASP baseline) on a pool of worker threads of its own. Imported
 * bcrypt and other argon2 hashes verify too; `needsRehash` tells login to replace them with argon2id.
 */
export class PasswordHasher {
  private readonly pool: Piscina;

  constructor(threads: number) {
    this.pool = new Piscina({
      filename: workerFile(),
      minThreads: 1,
      maxThreads: threads,
      idleTimeout: 60_000,
    });
  }

  hash(password: string): Promise<string> {
    return this.pool.run({ op: 'hash', password });
  }

  /** Constant work whether or not `hash` is null. */
  async verify(hash: string | null, password: string): Promise<boolean> {
    if (!hash || !isVerifiableHash(hash)) {
      await this.pool.run({ op: 'verify', hash: DUMMY_HASH, password });
      return false;
    }
    return this.pool.run({ op: 'verify', hash, password });
  }

  /** A hash from before argon2id (an imported bcrypt one, argon2i/d): replaced at the next good login. */
  needsRehash(hash: string): boolean {
    return !hash.startsWith('$argon2id$');
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

/** Beside the sources (server/workers/) or beside the bundle (dist/server/workers/). */
function workerFile(): string {
  const candidates = ['../workers/password-hash.worker.cjs', './workers/password-hash.worker.cjs'].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  return candidates.find((file) => fs.existsSync(file)) ?? candidates[0];
}
