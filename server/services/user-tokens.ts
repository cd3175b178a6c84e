import type { Knex } from 'knex';
import { UserToken, type UserTokenPurpose } from '../models/user-token';
import { nowIso } from '../models/base-model';
import { randomToken, sha256 } from '../auth/token-signer';

const LIFETIME_MS: Record<UserTokenPurpose, number> = {
  password_reset: 60 * 60 * 1000,
  email_verification: 7 * 24 * 60 * 60 * 1000,
};

/**
 * Issues a one-time token and returns its plain value (to be mailed); only the hash is kept.
 * Earlier unused tokens of the same purpose stop working, so only the newest link is valid.
 */
export async function issueUserToken(trx: Knex, tenantId: string, userId: string, purpose: UserTokenPurpose) {
  const now = nowIso();
  await UserToken.query(trx).patch({ usedAt: now }).where({ userId, purpose }).whereNull('usedAt');
  const token = randomToken();
  const expiresAt = new Date(Date.now() + LIFETIME_MS[purpose]).toISOString();
  await UserToken.query(trx).insert({ tenantId, userId, purpose, tokenHash: sha256(token), createdAt: now, expiresAt });
  return { token, expiresAt };
}
