import crypto from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Logger } from 'pino';
import { wrapError, UniqueViolationError } from 'db-errors';
import type { Database } from '../db/database';
import type { Config } from '../config';
import { Tenant } from '../models/tenant';
import { User } from '../models/user';
import { nowIso } from '../models/base-model';
import { recordActivity, SYSTEM_ACTOR } from './activity-log';
import { normalizeEmail, searchTextOf } from './normalize';
import { DEFAULT_TENANT_SLUG } from './tenant-service';
import type { PasswordHasher } from './password-hasher';
import { DEFAULT_TENANT_SETTINGS } from '../../shared/schemas/tenant';

const DEFAULT_ADMIN_EMAIL = 'admin@roster.local';

/**
 * The signing secret every server of one database shares: from the environment, or made once and
 * kept in the database. Two servers starting together both insert-if-absent, then read the winner.
 */
export async function ensureJwtSecret(db: Database, config: Config): Promise<string> {
  if (config.jwtSecret) return config.jwtSecret;
  await db.knex('server_settings').insert({ key: 'jwt_secret', value: crypto.randomBytes(48).toString('base64url') }).onConflict('key').ignore();
  const row = await db.knex('server_settings').where({ key: 'jwt_secret' }).first('value');
  return row.value as string;
}

export interface BootstrapResult {
  tenantId: string;
  createdAdmin?: { email: string; password: string; generated: boolean };
}

/** First start on an empty database: the `default` tenant and its super admin, as Keycloak does. */
export async function bootstrapDirectory(db: Database, config: Config, hasher: PasswordHasher, logger: Logger): Promise<BootstrapResult> {
  const now = nowIso();
  await db.knex('tenants')
    .insert({ id: uuidv7(), name: 'Default', slug: DEFAULT_TENANT_SLUG, status: 'ACTIVE', settings: JSON.stringify(DEFAULT_TENANT_SETTINGS), createdAt: now, updatedAt: now })
    .onConflict('slug')
    .ignore();
  const tenant = await Tenant.query(db.knex).findOne({ slug: DEFAULT_TENANT_SLUG }).throwIfNotFound();

  const existing = await User.query(db.knex).findOne({ role: 'super_admin' }).whereNull('deletedAt');
  if (existing) return { tenantId: tenant.id };

  const generated = !config.adminPassword;
  const password = config.adminPassword ?? crypto.randomBytes(18).toString('base64url');
  if (password.length < DEFAULT_TENANT_SETTINGS.password_policy.min_length) {
    throw new Error(`ROSTER_ADMIN_PASSWORD must be at least ${DEFAULT_TENANT_SETTINGS.password_policy.min_length} characters long`);
  }
  const email = (config.adminEmail ?? DEFAULT_ADMIN_EMAIL).trim();
  const passwordHash = await hasher.hash(password);

  const created = db.knex.transaction(async (trx) => {
    const fields = { email, username: 'admin', displayName: 'Administrator' };
    const user = await User.query(trx).insert({
      ...fields,
      tenantId: tenant.id,
      emailNormalized: normalizeEmail(email),
      usernameNormalized: 'admin',
      emailVerified: true,
      status: 'ACTIVE',
      identitySource: 'LOCAL',
      role: 'super_admin',
      isInternal: true,
      isOnboarded: false,
      mfaEnabled: false,
      passwordExpired: false,
      requirePasswordChange: false,
      customAttributes: {},
      metadata: {},
      locale: 'en',
      timezone: 'UTC',
      passwordHash,
      passwordChangedAt: now,
      failedLoginCount: 0,
      version: 1,
      searchText: searchTextOf(fields),
    });
    await recordActivity(trx, { tenantId: tenant.id, action: 'user.created', actor: SYSTEM_ACTOR, subjectType: 'user', subjectId: user.id, details: { email, role: 'super_admin', bootstrap: true } });
  });
  try {
    await created;
  } catch (err) {
    // Another server started on the same empty database and created the first admin meanwhile.
    if (wrapError(err as Error) instanceof UniqueViolationError && (await User.query(db.knex).findOne({ role: 'super_admin' }).whereNull('deletedAt'))) {
      return { tenantId: tenant.id };
    }
    throw err;
  }
  logger.info({ email }, 'created the first super admin');
  return { tenantId: tenant.id, createdAdmin: { email, password, generated } };
}
