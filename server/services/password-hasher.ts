import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';

/** A hash that verifies nothing, checked when a login names no such user, so both cost the same. */
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3Ak2Ybqz+b4O9tVNvo7mSRHy3jGMo7qmj3Xgo5sFMoo';

/**
 * Argon2id (19 MiB, t=2, the OWASP baseline) on a pool of worker threads of its own. Other
 * algorithms of imported hashes are added beside `verify` when imports need them.
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
    if (!hash || !hash.startsWith('$argon2')) {
      await this.pool.run({ op: 'verify', hash: DUMMY_HASH, password });
      return false;
    }
    return this.pool.run({ op: 'verify', hash, password });
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
