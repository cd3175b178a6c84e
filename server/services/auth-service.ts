import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { Session, RefreshToken } from '../models/session';
import { User } from '../models/user';
import { nowIso } from '../models/base-model';
import { AppError, unauthorized } from '../errors/app-error';
import type { MfaService } from './mfa-service';
import { assertNotReused, assertPasswordPolicy, rememberPassword } from './password-policy';
import { APPLICATION_EFFECTIVE_USERS_SQL } from '../queries/group-graph';
import { randomToken, sha256, type TokenSigner } from '../auth/token-signer';
import type { ApplicationPrincipal, Principal } from '../auth/principal';
import { bool, json } from '../presenters/values';
import type { Database } from '../db/database';
import { recordActivity, type EventActor } from './activity-log';
import { normalizeEmail, normalizeUsername } from './normalize';
import type { PasswordHasher } from './password-hasher';
import type { TenantRow, TenantService } from './tenant-service';
import type { Role } from '../../shared/schemas/user';

export interface ClientInfo {
  ip: string;
  userAgent: string | null;
  requestId: string;
}

export interface TokenPair {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
  /** The tenant requires MFA and the user has none: this session can only enrol. */
  mfa_enrollment_required?: true;
}

/** One answer for unknown user, wrong password, locked, disabled: nothing to enumerate. */
const BAD_CREDENTIALS = 'Invalid username or password';

const PRINCIPAL_SQL = `SELECT s.id AS session_id, s.revoked_at, s.expires_at, s.mfa_enrollment_only, u.id AS user_id, u.tenant_id, u.role, u.status,
  u.deleted_at, t.partner_id, t.status AS tenant_status
  FROM sessions s JOIN users u ON u.id = s.user_id JOIN tenants t ON t.id = u.tenant_id WHERE s.id = ?`;

interface PrincipalRow {
  sessionId: string;
  mfaEnrollmentOnly: unknown;
  revokedAt: unknown;
  expiresAt: unknown;
  userId: string;
  tenantId: string;
  role: Role;
  status: string;
  deletedAt: unknown;
  partnerId: string | null;
  tenantStatus: string;
}

export class AuthService {
  constructor(
    private readonly db: Database,
    private readonly tenants: TenantService,
    private readonly hasher: PasswordHasher,
    private readonly signer: TokenSigner,
    private readonly mfa: MfaService,
  ) {}

  async passwordGrant(input: { username: string; password: string; tenant: string; mfa_code?: string; new_password?: string; client_id?: string }, client: ClientInfo): Promise<TokenPair> {
    const tenant = await this.tenants.find(input.tenant);
    const user = tenant && tenant.status === 'ACTIVE' ? await this.findLoginUser(tenant.id, input.username) : undefined;
    if (!tenant || !user) {
      await this.hasher.verify(null, input.password);
      throw unauthorized(BAD_CREDENTIALS);
    }
    const actor: EventActor = { type: 'user', id: user.id, ip: client.ip, requestId: client.requestId };
    if (user.status === 'LOCKED') await this.expireLockout(tenant, user, actor);

    const valid = await this.hasher.verify(user.passwordHash, input.password);
    if (!valid) {
      if (user.status === 'ACTIVE') await this.countFailure(tenant, user, actor);
      throw unauthorized(BAD_CREDENTIALS);
    }
    if (user.status !== 'ACTIVE') throw unauthorized(BAD_CREDENTIALS);

    // The second factor is asked for only once the password is right, as Okta and Keycloak do;
    // a wrong code counts towards the lockout like a wrong password.
    const mfaEnabled = bool(user.mfaEnabled);
    if (mfaEnabled && !input.mfa_code) throw new AppError(401, 'unauthorized', 'An MFA code is required', 'mfa_code', undefined, { 'WWW-Authenticate': 'Bearer' });
    if (mfaEnabled && !(await this.db.knex.transaction((trx) => this.mfa.verifyAndConsume(trx, user, input.mfa_code!)))) {
      await this.countFailure(tenant, user, actor, 'bad_mfa_code');
      throw new AppError(401, 'unauthorized', 'The MFA code is not valid', 'mfa_code', undefined, { 'WWW-Authenticate': 'Bearer' });
    }
    // An admin asked for a new password, or it expired: it is set as part of this sign-in, under the
    // tenant's policy and history, before any token is issued.
    if (bool(user.requirePasswordChange) || bool(user.passwordExpired)) {
      if (!input.new_password) {
        throw new AppError(401, 'unauthorized', 'The password must be changed: send new_password with this request', 'new_password', undefined, { 'WWW-Authenticate': 'Bearer' });
      }
      await this.changeOwnPassword(tenant, user, input.new_password, actor);
    }
    const enrollmentOnly = !mfaEnabled && tenant.settings.mfa.required;
    // An imported bcrypt (or older argon2) hash is replaced by argon2id now that the password is known.
    const rehashed = user.passwordHash && this.hasher.needsRehash(user.passwordHash) ? await this.hasher.hash(input.password) : undefined;
    // Signing in through an application (its client_id): the user must be assigned to it, and the
    // sign-in is remembered as use of it ("active workspaces").
    const application = input.client_id ? await this.applicationFor(tenant.id, input.client_id, user.id) : undefined;

    const pair = await this.db.knex.transaction(async (trx) => {
      const now = nowIso();
      // Conditional on ACTIVE: a lock that lands between the password check and here wins.
      const signedIn = await User.query(trx).patch({ lastLoginAt: now, failedLoginCount: 0 }).where({ id: user.id, status: 'ACTIVE' });
      if (signedIn !== 1) return undefined;
      // Only over the hash just verified: a password changed meanwhile stays as it is.
      if (rehashed) await User.query(trx).patch({ passwordHash: rehashed }).where({ id: user.id, passwordHash: user.passwordHash! });
      await recordActivity(trx, {
        tenantId: tenant.id, action: 'user.login', actor, subjectType: 'user', subjectId: user.id,
        details: {
          method: mfaEnabled ? 'password+totp' : 'password',
          ...(enrollmentOnly ? { mfa_enrollment_required: true } : {}),
          ...(application ? { application_id: application.id } : {}),
        },
      });
      if (application) {
        await trx('application_usage')
          .insert({ applicationId: application.id, userId: user.id, tenantId: tenant.id, firstUsedAt: now, lastUsedAt: now, signIns: 1 })
          .onConflict(['application_id', 'user_id'])
          .merge({ lastUsedAt: now, signIns: trx.raw('application_usage.sign_ins + 1') });
      }
      return this.startSession(trx, tenant, user, client, enrollmentOnly);
    });
    if (!pair) throw unauthorized(BAD_CREDENTIALS);
    return pair;
  }

  /**
   * A signed-in user changes its password: the current one must be right (a wrong one counts
   * towards the lockout, as at sign-in); every other session of the user ends.
   */
  async changePasswordForSelf(principal: Principal, current: string, next: string, client: ClientInfo) {
    if (principal.kind !== 'user') throw new AppError(403, 'forbidden', 'Only a signed-in person has a password to change');
    const user = await User.query(this.db.knex).findById(principal.userId);
    const tenant = await this.tenants.find(principal.tenantId);
    if (!user || !tenant) throw unauthorized('The session has ended');
    const actor: EventActor = { type: 'user', id: user.id, ip: client.ip, requestId: client.requestId };
    if (!(await this.hasher.verify(user.passwordHash, current))) {
      await this.countFailure(tenant, user, actor, 'bad_current_password');
      throw new AppError(422, 'validation_error', 'The current password is not right', 'current_password', [
        { loc: ['body', 'current_password'], msg: 'is not the current password', type: 'value_error' },
      ]);
    }
    await this.changeOwnPassword(tenant, user, next, actor, principal.sessionId);
  }

  private async applicationFor(tenantId: string, clientId: string, userId: string) {
    const app = await this.db.reads.first<{ id: string; enabled: unknown }>('SELECT id, enabled FROM applications WHERE client_id = ? AND tenant_id = ?', [clientId, tenantId]);
    if (!app || !bool(app.enabled)) throw new AppError(401, 'unauthorized', 'Unknown or disabled client_id', 'client_id', undefined, { 'WWW-Authenticate': 'Bearer' });
    const assigned = await this.db.reads.first(`SELECT 1 AS hit FROM (${APPLICATION_EFFECTIVE_USERS_SQL}) x WHERE x.id = ?`, [app.id, app.id, tenantId, app.id, userId]);
    if (!assigned) throw new AppError(403, 'forbidden', 'You are not assigned to this application');
    return app;
  }

  /** The user's own change: policy and history apply, the old hash joins the history, other sessions end. */
  async changeOwnPassword(tenant: TenantRow, user: User, newPassword: string, actor: EventActor, keepSessionId?: string) {
    const policy = tenant.settings.password_policy;
    assertPasswordPolicy(policy, newPassword, ['body', 'new_password']);
    const hash = await this.hasher.hash(newPassword);
    await this.db.knex.transaction(async (trx) => {
      await assertNotReused(trx, this.hasher, policy, user, newPassword, ['body', 'new_password']);
      await rememberPassword(trx, user.id, user.passwordHash);
      await trx('users').where({ id: user.id }).update({
        passwordHash: hash, passwordChangedAt: nowIso(), passwordExpired: false, requirePasswordChange: false, updatedAt: nowIso(), version: trx.raw('version + 1'),
      });
      await trx('sessions').where({ userId: user.id }).whereNull('revokedAt').modify((qb) => (keepSessionId ? qb.whereNot('id', keepSessionId) : qb))
        .update({ revokedAt: nowIso(), revokedReason: 'password_changed' });
      await recordActivity(trx, { tenantId: tenant.id, action: 'user.password_changed', actor, subjectType: 'user', subjectId: user.id, details: { by: 'self' } });
    });
    Object.assign(user, { passwordHash: hash, requirePasswordChange: false, passwordExpired: false });
  }

  /** Rotates the refresh token; presenting a spent one ends the session (token theft). */
  async refreshGrant(refreshToken: string, client: ClientInfo): Promise<TokenPair> {
    const tokenHash = sha256(refreshToken);
    const outcome = await this.db.knex.transaction(async (trx) => {
      const token = await RefreshToken.query(trx).findOne({ tokenHash });
      if (!token) return { error: 'Invalid refresh token' };
      const session = await Session.query(trx).findById(token.sessionId);
      if (!session || session.revokedAt) return { error: 'The session has ended' };
      const now = nowIso();
      const spent = token.usedAt !== null || (await RefreshToken.query(trx).patch({ usedAt: now }).where({ id: token.id }).whereNull('usedAt')) !== 1;
      if (spent) {
        await session.$query(trx).patch({ revokedAt: now, revokedReason: 'refresh_token_reuse' });
        return { error: 'The refresh token was already used; the session has been ended' };
      }
      if (new Date(token.expiresAt as string) < new Date() || new Date(session.expiresAt as string) < new Date()) return { error: 'The session has expired' };
      const user = await User.query(trx).findById(session.userId);
      const tenant = await this.tenants.find(session.tenantId);
      const age = Date.now() - new Date(session.createdAt as string).getTime();
      if (tenant && age > tenant.settings.tokens.session_max_lifetime_seconds * 1000) {
        await session.$query(trx).patch({ revokedAt: now, revokedReason: 'max_lifetime' });
        return { error: 'The session has reached its maximum lifetime; sign in again' };
      }
      if (!user || user.deletedAt || user.status !== 'ACTIVE' || !tenant || tenant.status !== 'ACTIVE') return { error: 'The account cannot sign in' };
      return { pair: await this.continueSession(trx, tenant, user, session, client) };
    });
    if ('error' in outcome) throw unauthorized(outcome.error);
    return outcome.pair!;
  }

  /**
   * RFC 6749 §4.4: an application trades its client id and secret for a short access token (no
   * refresh token). Unknown client, wrong secret and disabled application get the same answer.
   */
  async clientCredentialsGrant(clientId: string | undefined, clientSecret: string | undefined): Promise<Omit<TokenPair, 'refresh_token'>> {
    const app = clientId
      ? await this.db.reads.first<{ id: string; tenantId: string; clientSecretHash: string | null; scopes: unknown; enabled: unknown }>(
          'SELECT id, tenant_id, client_secret_hash, scopes, enabled FROM applications WHERE client_id = ?', [clientId])
      : undefined;
    const given = Buffer.from(sha256(clientSecret ?? ''), 'hex');
    const stored = Buffer.from(app?.clientSecretHash ?? sha256(''), 'hex');
    const secretOk = crypto.timingSafeEqual(given, stored) && Boolean(app?.clientSecretHash) && Boolean(clientSecret);
    const tenant = app ? await this.tenants.find(app.tenantId) : undefined;
    if (!app || !secretOk || !bool(app.enabled) || !tenant || tenant.status !== 'ACTIVE') {
      throw unauthorized('Invalid client credentials');
    }
    const ttl = tenant.settings.tokens.access_token_ttl_seconds;
    const scope = (json<string[]>(app.scopes) ?? []).join(' ');
    return {
      access_token: this.signer.signAccess({ sub: app.id, tid: tenant.id, kind: 'application', scope }, ttl),
      token_type: 'Bearer',
      expires_in: ttl,
      scope,
    };
  }

  /** The application behind a client-credentials token, while it exists and is enabled. */
  async principalForApplication(applicationId: string, tenantId: string): Promise<ApplicationPrincipal | undefined> {
    const row = await this.db.reads.first<{ id: string; tenantId: string; scopes: unknown; enabled: unknown; partnerId: string | null; tenantStatus: string }>(
      `SELECT a.id, a.tenant_id, a.scopes, a.enabled, t.partner_id, t.status AS tenant_status
       FROM applications a JOIN tenants t ON t.id = a.tenant_id WHERE a.id = ?`, [applicationId]);
    if (!row || row.tenantId !== tenantId || !bool(row.enabled) || row.tenantStatus !== 'ACTIVE') return undefined;
    return { kind: 'application', applicationId: row.id, tenantId: row.tenantId, partnerId: row.partnerId, scopes: json<string[]>(row.scopes) ?? [] };
  }

  /** RFC 7009: revoking an unknown or already revoked token is not an error. */
  async revoke(token: string, client: ClientInfo): Promise<void> {
    let sessionId: string | undefined;
    if (token.split('.').length === 3) {
      try {
        sessionId = this.signer.verifyAccess(token).sid;
      } catch {
        return;
      }
    } else {
      sessionId = (await RefreshToken.query(this.db.knex).findOne({ tokenHash: sha256(token) }))?.sessionId;
    }
    if (!sessionId) return;
    await this.db.knex.transaction(async (trx) => {
      const session = await Session.query(trx).findById(sessionId);
      const ended = await trx('sessions').where({ id: sessionId }).whereNull('revokedAt').update({ revokedAt: nowIso(), revokedReason: 'revoked' });
      if (!session || ended !== 1) return;
      await recordActivity(trx, {
        tenantId: session.tenantId, action: 'user.logout', actor: { type: 'user', id: session.userId, ip: client.ip, requestId: client.requestId },
        subjectType: 'user', subjectId: session.userId, details: { session_id: session.id },
      });
    });
  }

  /**
   * The caller behind an access token, from the database: revocations, status and role changes
   * take effect at the next request, on every server.
   */
  async principalForSession(sessionId: string, userId: string): Promise<Principal | undefined> {
    const row = await this.db.reads.first<PrincipalRow>(PRINCIPAL_SQL, [sessionId]);
    if (!row || row.userId !== userId || row.revokedAt || row.deletedAt || row.status !== 'ACTIVE') return undefined;
    if (new Date(row.expiresAt as string) < new Date()) return undefined;
    if (row.tenantStatus !== 'ACTIVE' && row.role !== 'super_admin') return undefined;
    return {
      kind: 'user', userId: row.userId, tenantId: row.tenantId, partnerId: row.partnerId, role: row.role, sessionId: row.sessionId,
      mfaEnrollmentOnly: bool(row.mfaEnrollmentOnly),
    };
  }

  /** Through the read path: a sign-in is one lookup in a unique index, by email or by username. */
  private async findLoginUser(tenantId: string, login: string): Promise<User | undefined> {
    const lookup = async (column: 'email_normalized' | 'username_normalized', value: string) => {
      const row = await this.db.reads.first<Record<string, unknown>>(`SELECT * FROM users WHERE tenant_id = ? AND ${column} = ? AND deleted_at IS NULL`, [tenantId, value]);
      return row && User.fromDatabaseJson(row);
    };
    const byEmail = login.includes('@') ? await lookup('email_normalized', normalizeEmail(login)) : undefined;
    return byEmail ?? (await lookup('username_normalized', normalizeUsername(login)));
  }

  /** A lockout from failed logins ends by itself when the tenant's lock duration has passed. */
  private async expireLockout(tenant: TenantRow, user: User, actor: EventActor) {
    const minutes = tenant.settings.lockout.lock_duration_minutes;
    if (user.lockReason !== 'failed_logins' || minutes === 0 || !user.lockedAt) return;
    if (Date.now() - new Date(user.lockedAt).getTime() < minutes * 60_000) return;
    await this.db.knex.transaction(async (trx) => {
      const n = await User.query(trx)
        .patch({ status: 'ACTIVE', lockedAt: null, lockReason: null, failedLoginCount: 0, version: user.version + 1 })
        .where({ id: user.id, status: 'LOCKED', version: user.version });
      if (n === 1) {
        await recordActivity(trx, { tenantId: tenant.id, action: 'user.unlocked', actor: { ...actor, type: 'system', id: null }, subjectType: 'user', subjectId: user.id, details: { reason: 'lock_expired' } });
        Object.assign(user, { status: 'ACTIVE', failedLoginCount: 0, version: user.version + 1 });
      }
    });
  }

  /**
   * Counted in SQL, not in JavaScript: parallel wrong passwords each add one, and exactly one of
   * them crosses the threshold and locks. Only a still ACTIVE account counts: attempts that read
   * the user before a parallel one locked it stop there, as they would have one after another,
   * so the count and its `user.login_failed` events end at the threshold.
   */
  private async countFailure(tenant: TenantRow, user: User, actor: EventActor, reason = 'bad_password') {
    const max = tenant.settings.lockout.max_failed_attempts;
    await this.db.knex.transaction(async (trx) => {
      const counted = await trx('users').where({ id: user.id, status: 'ACTIVE' }).increment('failedLoginCount', 1);
      if (counted !== 1) return;
      const { failedLoginCount } = await trx('users').where({ id: user.id }).first('failedLoginCount');
      await recordActivity(trx, { tenantId: tenant.id, action: 'user.login_failed', actor, subjectType: 'user', subjectId: user.id, details: { reason, failed_attempts: failedLoginCount } });
      if (failedLoginCount < max) return;
      const locked = await trx('users')
        .where({ id: user.id, status: 'ACTIVE' })
        .update({ status: 'LOCKED', lockedAt: nowIso(), lockReason: 'failed_logins', version: trx.raw('version + 1'), updatedAt: nowIso() });
      if (locked === 1) {
        await recordActivity(trx, { tenantId: tenant.id, action: 'user.locked', actor: { ...actor, type: 'system', id: null }, subjectType: 'user', subjectId: user.id, details: { reason: 'failed_logins', failed_attempts: failedLoginCount } });
        await trx('sessions').where({ userId: user.id }).whereNull('revokedAt').update({ revokedAt: nowIso(), revokedReason: 'locked' });
      }
    });
  }

  private async startSession(trx: Knex, tenant: TenantRow, user: User, client: ClientInfo, mfaEnrollmentOnly = false): Promise<TokenPair> {
    const now = nowIso();
    const session = await Session.query(trx).insert({
      tenantId: tenant.id,
      userId: user.id,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: this.refreshExpiry(tenant),
      ip: client.ip,
      userAgent: client.userAgent?.slice(0, 512) ?? null,
      mfaEnrollmentOnly,
    });
    return this.continueSession(trx, tenant, user, session, client, { started: true });
  }

  /** A new refresh token for the session; one just started already has its times. */
  private async continueSession(trx: Knex, tenant: TenantRow, user: User, session: Session, _client: ClientInfo, { started = false } = {}): Promise<TokenPair> {
    const refresh = randomToken();
    const expiresAt = started ? session.expiresAt : this.refreshExpiry(tenant);
    await RefreshToken.query(trx).insert({ sessionId: session.id, tokenHash: sha256(refresh), createdAt: nowIso(), expiresAt });
    if (!started) await Session.query(trx).patch({ lastUsedAt: nowIso(), expiresAt }).where({ id: session.id });
    const ttl = tenant.settings.tokens.access_token_ttl_seconds;
    const enrollmentOnly = bool(session.mfaEnrollmentOnly);
    const scope = enrollmentOnly ? 'mfa_enrollment' : 'openid profile';
    return {
      access_token: this.signer.signAccess({ sub: user.id, tid: tenant.id, sid: session.id, role: user.role, scope }, ttl),
      token_type: 'Bearer',
      expires_in: ttl,
      refresh_token: refresh,
      scope,
      ...(enrollmentOnly ? { mfa_enrollment_required: true as const } : {}),
    };
  }

  private refreshExpiry(tenant: TenantRow): string {
    return new Date(Date.now() + tenant.settings.tokens.refresh_token_ttl_seconds * 1000).toISOString();
  }
}
