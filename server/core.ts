import type { Config } from './config';
import { openDatabase, type Database } from './db/database';
import { TokenSigner } from './auth/token-signer';
import { PasswordHasher } from './services/password-hasher';
import { createServices, type Services } from './services';
import { ensureJwtSecret } from './services/bootstrap';

/** The database migrated to the code's schema, and the services on it: what the server and every CLI command run on. */
export interface Core {
  db: Database;
  hasher: PasswordHasher;
  signer: TokenSigner;
  services: Services;
  /** Stops running import jobs between batches, then the hash workers, then the pool. */
  close(): Promise<void>;
}

/**
 * Opens the database, migrates it (Knex's lock makes that safe beside running servers) and
 * builds the services. If anything fails on the way, what was opened is closed again.
 */
export async function openCore(config: Config): Promise<Core> {
  const db = await openDatabase(config.database);
  const hasher = new PasswordHasher(config.hashThreads);
  try {
    await db.migrate();
    const signer = new TokenSigner(await ensureJwtSecret(db, config));
    const services = createServices(db, config, hasher, signer);
    return {
      db, hasher, signer, services,
      async close() {
        await services.imports.close();
        await hasher.close();
        await db.close();
      },
    };
  } catch (err) {
    await hasher.close();
    await db.close();
    throw err;
  }
}
