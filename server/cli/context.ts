import pino, { type Logger } from 'pino';
import crypto from 'node:crypto';
import type { Config } from '../config';
import type { Database } from '../db/database';
import type { PasswordHasher } from '../services/password-hasher';
import type { Services } from '../services';
import { openCore } from '../core';
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
  const { db, hasher, services, close } = await openCore(config);
  return { config, db, hasher, services, logger: cliLogger(config), close };
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
