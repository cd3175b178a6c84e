import pino, { type Logger } from 'pino';
import crypto from 'node:crypto';
import type { Config } from '../config';
import { openDatabase, type Database } from '../db/database';
import { TokenSigner } from '../auth/token-signer';
import { PasswordHasher } from '../services/password-hasher';
import { createServices, type Services } from '../services';
import { ensureJwtSecret } from '../services/bootstrap';
import type { Actor } from '../http/context';
import { CliError } from './cli-error';

export interface CliContext {
  config: Config;
  db: Database;
  hasher: PasswordHasher;
  services: Services;
  logger: Logger;
  close(): Promise<void>;
}

/** Logs of the commands go to stderr, so stdout carries only what a command prints. */
export const cliLogger = (config: Config) => pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel }, pino.destination(2));

/**
 * The database and services the server would have, for one command: migrated to the code's
 * schema (Knex's lock makes that safe beside running servers), but without the server's
 * start-up work (first-admin bootstrap, recovering jobs), which belongs to `serve`.
 */
export async function openCli(config: Config): Promise<CliContext> {
  const db = await openDatabase(config.database);
  const hasher = new PasswordHasher(config.hashThreads);
  try {
    await db.migrate();
    const signer = new TokenSigner(await ensureJwtSecret(db, config));
    const services = createServices(db, config, hasher, signer);
    return {
      config, db, hasher, services, logger: cliLogger(config),
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

/**
 * Whoever can run the CLI on the server can read the database file itself, so commands act
 * with a super admin's rights. Audit events name the oldest super admin (the one the
 * directory was bootstrapped with), from the local machine, with a `cli-` request id.
 */
export async function cliActor(db: Database): Promise<Actor> {
  const admin: { id: string; tenantId: string } | undefined = await db.knex('users')
    .where({ role: 'super_admin', status: 'ACTIVE' }).whereNull('deletedAt').orderBy('createdAt').orderBy('id').first('id', 'tenantId');
  if (!admin) throw new CliError('There is no super admin yet: create one with `roster create-admin --email E --password P` (or start the server once)');
  return {
    principal: { kind: 'user', userId: admin.id, tenantId: admin.tenantId, partnerId: null, role: 'super_admin', sessionId: 'cli' },
    ip: '127.0.0.1',
    requestId: `cli-${crypto.randomUUID()}`,
  };
}
