import type { Knex } from 'knex';
import type { Database } from '../db/database';
import type { Config } from '../config';
import type { Actor } from '../http/context';
import { AppError, forbidden, invalidRequest } from '../errors/app-error';
import { nowIso } from '../models/base-model';
import { outranksOrEquals } from '../auth/permissions';
import { sha256 } from '../auth/token-signer';
import type { UserTokenPurpose } from '../models/user-token';
import { resolvePaging } from '../queries/paging';
import { isUuid } from '../db/ids';
import { eventActorOf, recordActivity } from './activity-log';
import { enqueueMail } from './outbox';
import { issueUserToken } from './user-tokens';
import { assertNotReused, assertPasswordPolicy, rememberPassword } from './password-policy';
import { revokeUserSessions } from './session-revocation';
import type { PasswordHasher } from './password-hasher';
import type { TenantService } from './tenant-service';
import type { UserService } from './user-service';
import { Role } from '../../shared/schemas/user';
import type { OutboxListQuery } from '../../shared/schemas/mail';
import type { z } from 'zod';

/** Who completes a link: the user it was mailed to, from wherever they opened it. */
export interface LinkClient {
  ip: string;
  requestId: string;
}

interface OutboxRow {
  id: string; tenantId: string; userId: string | null; kind: string; toAddress: string; subject: string; bodyText: string;
  status: 'PENDING' | 'SENDING' | 'SENT' | 'FAILED'; attempts: number | string; nextAttemptAt: unknown; lastError: string | null;
  createdAt: unknown; sentAt: unknown;
}

interface TokenRow { id: string; tenantId: string; userId: string; expiresAt: unknown; usedAt: unknown }

// One answer for unknown, used and expired tokens alike: the caller learns nothing about which.
const BAD_LINK: Record<UserTokenPurpose, string> = {
  password_reset: 'This password reset link is invalid, has already been used or has expired; ask for a new one',
  email_verification: 'This verification link is invalid, has already been used or has expired; ask for a new one',
};

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());

export const presentOutboxMessage = (m: OutboxRow) => ({
  id: m.id,
  tenant_id: m.tenantId,
  user_id: m.userId,
  kind: m.kind,
  to: m.toAddress,
  subject: m.subject,
  body_text: m.bodyText,
  status: m.status,
  attempts: Number(m.attempts),
  next_attempt_at: m.status === 'PENDING' || m.status === 'SENDING' ? iso(m.nextAttemptAt) : null,
  last_error: m.lastError,
  created_at: iso(m.createdAt)!,
  sent_at: iso(m.sentAt),
});

/** The outbox as admins read it, and the one-time links mailed through it. */
export class MailService {
  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly tenants: TenantService,
    private readonly hasher: PasswordHasher,
    private readonly users: UserService,
  ) {}

  /**
   * Newest first. Messages carry live links (a reset link is as good as a password), so a caller
   * never sees the mail of an account that outranks its own: a helpdesk cannot take over an admin.
   */
  async listOutbox(actor: Actor, tenantRef: string, q: z.output<typeof OutboxListQuery>) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    const paging = resolvePaging(q);
    const hidden = Role.options.filter((r) => !outranksOrEquals(actor.principal, r));
    const base = () => {
      const qb = this.db.knex('outbox').where('outbox.tenantId', tenant.id);
      if (q.status) qb.where('outbox.status', q.status);
      if (q.kind) qb.where('outbox.kind', q.kind);
      if (q.user_id) qb.where('outbox.userId', isUuid(q.user_id) ? q.user_id : null);
      if (hidden.length) {
        qb.where((w) => w.whereNull('outbox.userId').orWhereNotIn('outbox.userId', this.db.knex('users').whereIn('role', hidden).select('id')));
      }
      return qb;
    };
    const [{ count }] = await base().count({ count: '*' });
    const dir = q.sort_order ?? 'desc';
    const rows: OutboxRow[] = await base().orderBy('outbox.createdAt', dir).orderBy('outbox.id', dir).limit(paging.limit).offset(paging.offset).select('outbox.*');
    return { items: rows.map(presentOutboxMessage), page: paging.page, perPage: paging.perPage, totalItems: Number(count) };
  }

  /** Queues a verification link for a user's current address. */
  async sendVerification(actor: Actor, tenantRef: string, userId: string, input: { redirect_uri?: string | null }) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    const user = await this.users.get(actor, tenant.id, userId);
    if (!outranksOrEquals(actor.principal, user.role)) throw forbidden('You cannot act on an account that outranks yours');
    if (user.email_verified) throw new AppError(409, 'conflict', 'The email address is already verified');
    return this.db.knex.transaction(async (trx) => {
      const { token, expiresAt } = await issueUserToken(trx, tenant.id, user.id, 'email_verification');
      const link = withToken(input.redirect_uri ?? `${this.config.publicUrl}/admin/#/verify-email`, token);
      const mail = await enqueueMail(trx, {
        tenantId: tenant.id,
        userId: user.id,
        kind: 'email_verification',
        to: user.email,
        subject: 'Confirm your email address',
        body: `Hello ${user.display_name ?? user.email},\n\nPlease confirm that ${user.email} is your address by opening this link:\n\n${link}\n\nThe link works once and expires at ${expiresAt}. If you do not know this account, ignore this message.\n`,
      });
      await recordActivity(trx, {
        tenantId: tenant.id, action: 'user.email_verification_sent', actor: eventActorOf(actor), subjectType: 'user', subjectId: user.id,
        details: { outbox_message_id: mail.id, expires_at: expiresAt, email: user.email },
      });
      return { message: `A verification link was queued for ${user.email}`, expires_at: expiresAt, outbox_message_id: mail.id };
    });
  }

  /**
   * Completes a mailed reset: the tenant's policy and history apply, and the token is spent only
   * when the new password is accepted, so a refused password can be retried with the same link.
   */
  async completePasswordReset(input: { token: string; new_password: string }, client: LinkClient) {
    const found = await this.findLiveToken(input.token, 'password_reset');
    const tenant = await this.tenants.find(found.tenantId);
    if (!tenant) throw invalidRequest(BAD_LINK.password_reset, 'token');
    const policy = tenant.settings.password_policy;
    const loc = ['body', 'new_password'];
    assertPasswordPolicy(policy, input.new_password, loc);
    const hash = await this.hasher.hash(input.new_password);
    await this.db.knex.transaction(async (trx) => {
      const token = await this.spend(trx, found, 'password_reset');
      const user = await trx('users').where({ id: token.userId, tenantId: token.tenantId }).whereNull('deletedAt').first('id', 'passwordHash');
      if (!user) throw invalidRequest(BAD_LINK.password_reset, 'token');
      await assertNotReused(trx, this.hasher, policy, user, input.new_password, loc);
      await rememberPassword(trx, user.id, user.passwordHash);
      const now = nowIso();
      await trx('users').where({ id: user.id }).update({
        passwordHash: hash, passwordChangedAt: now, passwordExpired: false, requirePasswordChange: false,
        version: trx.raw('version + 1'), updatedAt: now,
      });
      const revoked = await revokeUserSessions(trx, user.id, 'password_reset');
      await recordActivity(trx, {
        tenantId: token.tenantId, action: 'user.password_reset', actor: { type: 'user', id: user.id, ip: client.ip, requestId: client.requestId },
        subjectType: 'user', subjectId: user.id, details: { method: 'LINK', sessions_revoked: revoked },
      });
    });
    return { message: 'The password has been changed; sign in with the new one' };
  }

  /** Marks the address verified; an account waiting only for that becomes ACTIVE. */
  async verifyEmail(input: { token: string }, client: LinkClient) {
    const found = await this.findLiveToken(input.token, 'email_verification');
    await this.db.knex.transaction(async (trx) => {
      const token = await this.spend(trx, found, 'email_verification');
      const user = await trx('users').where({ id: token.userId, tenantId: token.tenantId }).whereNull('deletedAt').first('id', 'status', 'email');
      if (!user) throw invalidRequest(BAD_LINK.email_verification, 'token');
      const activate = user.status === 'PENDING_EMAIL_VERIFICATION';
      await trx('users').where({ id: user.id }).update({
        emailVerified: true, ...(activate ? { status: 'ACTIVE' } : {}), version: trx.raw('version + 1'), updatedAt: nowIso(),
      });
      await recordActivity(trx, {
        tenantId: token.tenantId, action: 'user.email_verified', actor: { type: 'user', id: user.id, ip: client.ip, requestId: client.requestId },
        subjectType: 'user', subjectId: user.id, details: { email: user.email, ...(activate ? { status_changed: { from: 'PENDING_EMAIL_VERIFICATION', to: 'ACTIVE' } } : {}) },
      });
    });
    return { message: 'The email address has been verified' };
  }

  private async findLiveToken(token: string, purpose: UserTokenPurpose): Promise<TokenRow> {
    const row: TokenRow | undefined = await this.db.knex('user_tokens')
      .where({ tokenHash: sha256(token), purpose })
      .first('id', 'tenantId', 'userId', 'expiresAt', 'usedAt');
    if (!row || row.usedAt || new Date(row.expiresAt as string).getTime() <= Date.now()) throw invalidRequest(BAD_LINK[purpose], 'token');
    return row;
  }

  /** Spends a token inside the change it authorises; of two concurrent uses exactly one wins. */
  private async spend(trx: Knex, token: TokenRow, purpose: UserTokenPurpose): Promise<TokenRow> {
    const spent = await trx('user_tokens').where({ id: token.id }).whereNull('usedAt').where('expiresAt', '>', nowIso()).update({ usedAt: nowIso() });
    if (spent !== 1) throw invalidRequest(BAD_LINK[purpose], 'token');
    return token;
  }
}

function withToken(base: string, token: string): string {
  const hashAt = base.indexOf('#');
  const sep = (hashAt >= 0 ? base.slice(hashAt) : base).includes('?') ? '&' : '?';
  return `${base}${sep}token=${encodeURIComponent(token)}`;
}
