import type { Knex } from 'knex';
import { User } from '../models/user';
import { Group, GroupMember, Ou } from '../models/directory';
import { nowIso } from '../models/base-model';
import { AppError, conflict, forbidden, notFound, validationError } from '../errors/app-error';
import { outranksOrEquals } from '../auth/permissions';
import { principalId, rankRole } from '../auth/principal';
import type { Actor } from '../http/context';
import type { Database } from '../db/database';
import type { Config } from '../config';
import { pageOfUsers } from '../queries/user-list-query';
import { presentUser, type UserRow, type UserIncludes } from '../presenters/user-presenter';
import { eventActorOf, recordActivity } from './activity-log';
import { enqueueMail } from './outbox';
import { issueUserToken } from './user-tokens';
import { queueWelcomeMail } from './welcome-mail';
import { normalizeEmail, normalizeUsername, searchTextOf } from './normalize';
import { revokeUserSessions } from './session-revocation';
import { isUuid } from '../db/ids';
import { APPLICATION_EFFECTIVE_USERS_SQL, USER_EFFECTIVE_GROUPS_SQL } from '../queries/group-graph';
import { assertNotReused, assertPasswordPolicy, rememberPassword } from './password-policy';
import type { ApplicationService } from './application-service';
import type { PasswordHasher } from './password-hasher';
import type { TenantRow, TenantService } from './tenant-service';
import { STATUS_TRANSITIONS, type UserCreate, type UserListQuery, type UserResponse, type UserStatus, type UserUpdate } from '../../shared/schemas/user';

export { STATUS_TRANSITIONS };

/** Fields of UserUpdate -> model properties, in one place. */
const UPDATABLE: Record<keyof UserUpdate, keyof User> = {
  email: 'email',
  username: 'username',
  first_name: 'firstName',
  last_name: 'lastName',
  display_name: 'displayName',
  phone: 'phone',
  locale: 'locale',
  timezone: 'timezone',
  ou_id: 'ouId',
  custom_attributes: 'customAttributes',
  role: 'role',
  email_verified: 'emailVerified',
  avatar_url: 'avatarUrl',
  company: 'company',
  job_title: 'jobTitle',
  metadata: 'metadata',
  is_onboarded: 'isOnboarded',
  password_expired: 'passwordExpired',
  require_password_change: 'requirePasswordChange',
};

const USER_BY_ID_SQL = `SELECT u.*, o.path AS ou_path FROM users u LEFT JOIN ous o ON o.id = u.ou_id
  WHERE u.id = ? AND u.tenant_id = ? AND u.deleted_at IS NULL`;

/**
 * What only a provisioning channel writes: the client's id for the user, SCIM attributes without
 * a column of their own, and which identity source the change comes from (that source may change
 * the email and username it manages).
 */
export interface ProvisionedFields {
  externalId?: string | null;
  scimAttributes?: Record<string, unknown> | null;
  source?: UserCreate['identity_source'];
}

export interface Versioned {
  /** The caller's If-Match version, when it sent one. */
  ifMatch?: number;
}

export class UserService {
  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly tenants: TenantService,
    private readonly hasher: PasswordHasher,
    private readonly applications: ApplicationService,
  ) {}

  async list(actor: Actor, tenantRef: string, q: UserListQuery) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    return pageOfUsers(this.db, tenant.id, q, (qb) => this.limitToReach(qb, actor, tenant.id));
  }

  async get(actor: Actor, tenantRef: string, userId: string, include: string[] = []): Promise<UserResponse> {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    const row = await this.findLive(tenant.id, userId);
    if (actor.principal.kind === 'application' && !(await this.applications.reaches(actor.principal.applicationId, tenant.id, row.id))) {
      throw notFound('User');
    }
    return presentUser(row, await this.includes(row, include));
  }

  /** A user in any state, deleted ones included (what a permanent delete may erase). */
  async anyState(actor: Actor, tenantRef: string, userId: string): Promise<{ email: string }> {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    const row = isUuid(userId) ? await this.db.knex('users').where({ id: userId, tenantId: tenant.id }).first('email') : undefined;
    if (!row) throw notFound('User');
    return row;
  }

  /** A user's groups at any depth: DIRECT, or INHERITED through nested groups. */
  async effectiveGroups(userId: string) {
    const rows = await this.db.reads.all<{ groupId: string; name: string; depth: number | string }>(USER_EFFECTIVE_GROUPS_SQL, [userId]);
    return rows.map((g) => ({ group_id: g.groupId, name: g.name, membership_type: Number(g.depth) === 0 ? ('DIRECT' as const) : ('INHERITED' as const) }));
  }

  /** The tenant a user belongs to, if the caller reaches it (admin routes name users by id alone). */
  async tenantOf(actor: Actor, userId: string, { includeDeleted = false } = {}): Promise<string> {
    if (!isUuid(userId)) throw notFound('User');
    const row = await this.db.reads.first<{ tenantId: string; deletedAt: unknown }>('SELECT tenant_id, deleted_at FROM users WHERE id = ?', [userId]);
    if (!row || (row.deletedAt && !includeDeleted)) throw notFound('User');
    await this.tenants.resolve(actor.principal, row.tenantId);
    return row.tenantId;
  }

  /**
   * One change to one user under the directory's rules (reach, rank, version): `change` names the
   * fields and the event; the version is bumped and the event written in the same transaction.
   */
  async mutate(
    actor: Actor, tenantId: string, userId: string,
    change: (user: User) => { patch: Partial<User>; action: string; details: Record<string, unknown>; also?: (trx: Knex) => Promise<unknown> },
  ) {
    await this.db.knex.transaction(async (trx) => {
      const user = await this.loadForWrite(trx, actor, tenantId, userId, {});
      const { patch, action, details, also } = change(user);
      await this.patchVersioned(trx, user, patch);
      await also?.(trx);
      await recordActivity(trx, { tenantId, action, actor: eventActorOf(actor), subjectType: 'user', subjectId: user.id, details });
    });
  }

  /** Applications see only the users assigned to them, directly or through groups. */
  private limitToReach(qb: Knex.QueryBuilder, actor: Actor, tenantId: string) {
    if (actor.principal.kind !== 'application') return;
    const id = actor.principal.applicationId;
    qb.whereRaw(`users.id IN (SELECT x.id FROM (${APPLICATION_EFFECTIVE_USERS_SQL}) x)`, [id, id, tenantId, id]);
  }

  async create(actor: Actor, tenantRef: string, input: UserCreate, extra: ProvisionedFields = {}): Promise<UserResponse> {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    this.assertMayGrant(actor, input.role);
    if (input.password) assertPasswordPolicy(tenant.settings.password_policy, input.password, ['body', 'password']);
    const passwordHash = input.password ? await this.hasher.hash(input.password) : null;
    const now = nowIso();

    const id = await this.db.knex.transaction(async (trx) => {
      await this.assertUnique(trx, tenant.id, input.email, input.username ?? null);
      if (input.ou_id) await this.assertOu(trx, tenant.id, input.ou_id);
      const groupIds = [...new Set(input.group_ids)];
      await this.assertGroups(trx, tenant.id, groupIds);

      const fields = {
        tenantId: tenant.id,
        email: input.email,
        emailNormalized: normalizeEmail(input.email),
        emailVerified: input.email_verified,
        username: input.username ?? null,
        usernameNormalized: input.username ? normalizeUsername(input.username) : null,
        firstName: input.first_name ?? null,
        lastName: input.last_name ?? null,
        displayName: input.display_name ?? defaultDisplayName(input.first_name, input.last_name),
        phone: input.phone ?? null,
        locale: input.locale ?? tenant.settings.defaults.locale,
        timezone: input.timezone ?? tenant.settings.defaults.timezone,
        avatarUrl: input.avatar_url ?? null,
        company: input.company ?? null,
        jobTitle: input.job_title ?? null,
        ouId: input.ou_id ?? null,
        status: 'ACTIVE' as const,
        identitySource: input.identity_source,
        mfaEnabled: false,
        customAttributes: input.custom_attributes ?? {},
        metadata: input.metadata ?? {},
        role: input.role,
        isInternal: input.is_internal,
        isOnboarded: input.is_onboarded,
        passwordExpired: false,
        requirePasswordChange: input.require_password_change,
        passwordHash,
        passwordChangedAt: passwordHash ? now : null,
        failedLoginCount: 0,
        version: 1,
        externalId: extra.externalId ?? null,
        scimAttributes: extra.scimAttributes ?? null,
      };
      const user = await User.query(trx).insert({ ...fields, searchText: searchTextOf(fields) });
      for (const groupId of groupIds) {
        await GroupMember.query(trx).insert({ tenantId: tenant.id, groupId, userId: user.id, createdAt: now });
      }
      const { password: _p, send_welcome_email: _s, ...recorded } = input;
      await recordActivity(trx, {
        tenantId: tenant.id,
        action: 'user.created',
        actor: eventActorOf(actor),
        subjectType: 'user',
        subjectId: user.id,
        details: { ...recorded, password_set: Boolean(passwordHash), ...(extra.externalId ? { external_id: extra.externalId } : {}) },
      });
      if (input.send_welcome_email) await this.queueWelcome(trx, user);
      return user.id;
    });
    return this.get(actor, tenant.id, id);
  }

  async update(actor: Actor, tenantRef: string, userId: string, input: UserUpdate, opts: Versioned = {}, extra: ProvisionedFields = {}): Promise<UserResponse> {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    await this.db.knex.transaction(async (trx) => {
      const user = await this.loadForWrite(trx, actor, tenant.id, userId, opts);
      if (input.role !== undefined && input.role !== user.role) {
        this.assertMayGrant(actor, input.role);
        if (user.id === principalId(actor.principal)) throw forbidden('You cannot change your own role');
      }

      const patch: Partial<User> = {};
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const [field, prop] of Object.entries(UPDATABLE) as [keyof UserUpdate, keyof User][]) {
        if (!(field in input)) continue;
        const to = input[field] ?? null;
        const from = user[prop] ?? null;
        if (JSON.stringify(from) === JSON.stringify(to) || (typeof from === 'number' && Boolean(from) === to)) continue;
        (patch as Record<string, unknown>)[prop] = to;
        changes[field] = { from, to };
      }
      if (extra.externalId !== undefined && (extra.externalId ?? null) !== (user.externalId ?? null)) {
        patch.externalId = extra.externalId;
        changes.external_id = { from: user.externalId ?? null, to: extra.externalId };
      }
      if (extra.scimAttributes !== undefined && JSON.stringify(user.scimAttributes ?? null) !== JSON.stringify(extra.scimAttributes)) {
        patch.scimAttributes = extra.scimAttributes;
        changes.scim_attributes = { from: user.scimAttributes ?? null, to: extra.scimAttributes };
      }
      if (!Object.keys(changes).length) return;

      if (user.identitySource !== 'LOCAL' && user.identitySource !== extra.source) {
        // Every refused field is named in `detail`, as schema validation does.
        const managed = (['email', 'username'] as const).filter((field) => changes[field]);
        if (managed.length) {
          const msg = (field: string) => `The ${field} of a user from ${user.identitySource} is managed by that identity provider and cannot be changed here`;
          throw new AppError(422, 'validation_error', msg(managed[0]), managed[0], managed.map((field) => ({ loc: ['body', field], msg: msg(field), type: 'value_error' })));
        }
      }
      if (changes.email || changes.username) {
        await this.assertUnique(trx, tenant.id, changes.email ? input.email! : null, changes.username ? (input.username ?? null) : null, user.id);
      }
      if (changes.email) {
        patch.emailNormalized = normalizeEmail(input.email!);
        if (!('email_verified' in input)) patch.emailVerified = false;
        // A link mailed to the old address must not verify the new one.
        await trx('user_tokens').where({ userId: user.id, purpose: 'email_verification' }).whereNull('usedAt').update({ usedAt: nowIso() });
      }
      if (changes.username) patch.usernameNormalized = input.username ? normalizeUsername(input.username) : null;
      if (changes.ou_id && input.ou_id) await this.assertOu(trx, tenant.id, input.ou_id);
      patch.searchText = searchTextOf({ ...user, ...patch });

      await this.patchVersioned(trx, user, patch);
      await recordActivity(trx, {
        tenantId: tenant.id,
        action: 'user.updated',
        actor: eventActorOf(actor),
        subjectType: 'user',
        subjectId: user.id,
        details: { changes },
      });
      if (changes.role) await revokeUserSessions(trx, user.id, 'role_changed');
    });
    return this.get(actor, tenant.id, userId);
  }

  /** PUT: the profile as sent; profile fields left out are cleared. Role and flags change only when sent. */
  async replace(actor: Actor, tenantRef: string, userId: string, input: UserUpdate & { email: string }, opts: Versioned = {}): Promise<UserResponse> {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    const cleared: UserUpdate = {
      first_name: null, last_name: null, display_name: null, phone: null, avatar_url: null, company: null, job_title: null, ou_id: null,
      custom_attributes: {}, metadata: {}, locale: tenant.settings.defaults.locale, timezone: tenant.settings.defaults.timezone,
    };
    return this.update(actor, tenant.id, userId, { ...cleared, ...input }, opts);
  }

  async setStatus(actor: Actor, tenantRef: string, userId: string, input: { status: UserStatus; reason?: string | null; terminate_sessions: boolean }, opts: Versioned = {}) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    await this.db.knex.transaction(async (trx) => {
      const user = await this.loadForWrite(trx, actor, tenant.id, userId, opts);
      if (user.id === principalId(actor.principal)) throw forbidden('You cannot change your own status');
      if (user.status === input.status) throw conflict(`The user is already ${input.status}`, 'status');
      if (!STATUS_TRANSITIONS[user.status].includes(input.status)) {
        throw conflict(`A user cannot go from ${user.status} to ${input.status}; allowed: ${STATUS_TRANSITIONS[user.status].join(', ')}`, 'status');
      }
      const now = nowIso();
      const patch: Partial<User> = { status: input.status };
      if (input.status === 'LOCKED') Object.assign(patch, { lockedAt: now, lockReason: 'admin' });
      if (user.status === 'LOCKED') Object.assign(patch, { lockedAt: null, lockReason: null, failedLoginCount: 0 });
      await this.patchVersioned(trx, user, patch);
      const revoked = input.terminate_sessions ? await revokeUserSessions(trx, user.id, 'terminated_by_admin') : 0;
      await recordActivity(trx, {
        tenantId: tenant.id,
        action: 'user.status_changed',
        actor: eventActorOf(actor),
        subjectType: 'user',
        subjectId: user.id,
        details: { from: user.status, to: input.status, reason: input.reason ?? null, terminate_sessions: input.terminate_sessions, sessions_revoked: revoked },
      });
    });
    return this.get(actor, tenant.id, userId);
  }

  async resetPassword(actor: Actor, tenantRef: string, userId: string, input: { method: 'EMAIL' | 'DIRECT'; new_password?: string | null; redirect_uri?: string | null }) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    if (input.method === 'DIRECT') {
      if (!input.new_password) throw validationError(['body', 'new_password'], 'new_password is required when method is DIRECT', 'missing');
      await this.setPassword(actor, tenant, userId, input.new_password, ['body', 'new_password']);
      return { method: 'DIRECT' as const, message: 'The password has been set and the user signed out everywhere', expires_at: null, outbox_message_id: null };
    }
    return this.sendResetLink(actor, tenant, userId, input.redirect_uri ?? null);
  }

  /**
   * Sets a password as an admin: the tenant's policy and history apply, the old hash joins the
   * history, and the user is signed out everywhere.
   */
  async setPassword(actor: Actor, tenant: TenantRow, userId: string, password: string, loc: (string | number)[], opts: { requireChange?: boolean } = {}) {
    const policy = tenant.settings.password_policy;
    assertPasswordPolicy(policy, password, loc);
    const hash = await this.hasher.hash(password);
    await this.db.knex.transaction(async (trx) => {
      const user = await this.loadForWrite(trx, actor, tenant.id, userId, {});
      await assertNotReused(trx, this.hasher, policy, user, password, loc);
      await rememberPassword(trx, user.id, user.passwordHash);
      const patch: Partial<User> = { passwordHash: hash, passwordChangedAt: nowIso(), passwordExpired: false };
      if (opts.requireChange !== undefined) patch.requirePasswordChange = opts.requireChange;
      await this.patchVersioned(trx, user, patch);
      const revoked = await revokeUserSessions(trx, user.id, 'password_reset');
      await recordActivity(trx, {
        tenantId: tenant.id, action: 'user.password_reset', actor: eventActorOf(actor), subjectType: 'user', subjectId: user.id,
        details: { method: 'DIRECT', sessions_revoked: revoked, ...(opts.requireChange !== undefined ? { require_password_change: opts.requireChange } : {}) },
      });
    });
  }

  private async sendResetLink(actor: Actor, tenant: TenantRow, userId: string, redirectUri: string | null) {
    return this.db.knex.transaction(async (trx) => {
      const user = await this.loadForWrite(trx, actor, tenant.id, userId, {});
      // Like DIRECT (and as the route documents): an admin-initiated reset signs the user out everywhere.
      const revoked = await revokeUserSessions(trx, user.id, 'password_reset');
      const { token, expiresAt } = await issueUserToken(trx, tenant.id, user.id, 'password_reset');
      const link = withToken(redirectUri ?? `${this.config.publicUrl}/admin/#/reset-password`, token);
      const mail = await enqueueMail(trx, {
        tenantId: tenant.id,
        userId: user.id,
        kind: 'password_reset',
        to: user.email,
        subject: 'Reset your password',
        body: `Hello ${user.displayName ?? user.email},\n\nA password reset was requested for your account. Open this link to choose a new password:\n\n${link}\n\nThe link works once and expires at ${expiresAt}. If you did not ask for this, ignore this message.\n`,
      });
      await recordActivity(trx, {
        tenantId: tenant.id, action: 'user.password_reset', actor: eventActorOf(actor), subjectType: 'user', subjectId: user.id,
        details: { method: 'EMAIL', outbox_message_id: mail.id, expires_at: expiresAt, sessions_revoked: revoked },
      });
      return { method: 'EMAIL' as const, message: `A reset link was queued for ${user.email}`, expires_at: expiresAt, outbox_message_id: mail.id };
    });
  }

  /**
   * Soft delete (restorable) by default. `permanent` erases personal data for good: the row and
   * everything hanging off it go, and the user's events keep only ids and actions.
   */
  async delete(actor: Actor, tenantRef: string, userId: string, input: { confirm_email: string; permanent?: boolean }, opts: Versioned = {}): Promise<void> {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    await this.db.knex.transaction(async (trx) => {
      const user = await this.loadForWrite(trx, actor, tenant.id, userId, opts, { includeDeleted: Boolean(input.permanent) });
      if (normalizeEmail(input.confirm_email) !== user.emailNormalized) {
        throw validationError(['query', 'confirm_email'], "confirm_email does not match the user's email");
      }
      if (user.isInternal) throw conflict('Internal users cannot be deleted');
      if (user.id === principalId(actor.principal)) throw conflict('You cannot delete yourself');

      if (input.permanent) {
        await trx('activity_events').where({ subjectId: user.id }).update({ details: null, ip: null });
        await trx('users').where({ id: user.id }).delete();
      } else {
        await this.patchVersioned(trx, user, { deletedAt: nowIso() });
        await revokeUserSessions(trx, user.id, 'user_deleted');
      }
      await recordActivity(trx, {
        tenantId: tenant.id,
        action: 'user.deleted',
        actor: eventActorOf(actor),
        subjectType: 'user',
        subjectId: user.id,
        details: { permanent: Boolean(input.permanent) },
      });
    });
  }

  /**
   * Undoes a soft delete: the same row comes back with its groups, identities and assignments,
   * which a soft delete leaves in place. Sessions ended by the delete stay ended. Another live
   * user holding the email or username by now makes it a 409.
   */
  async restore(actor: Actor, tenantRef: string, userId: string, opts: Versioned = {}): Promise<UserResponse> {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    await this.db.knex.transaction(async (trx) => {
      const user = await this.loadForWrite(trx, actor, tenant.id, userId, opts, { includeDeleted: true });
      if (!user.deletedAt) throw conflict('The user is not deleted');
      if (user.mergedInto) throw conflict('The user was merged into another account; it cannot be restored');
      await this.patchVersioned(trx, user, { deletedAt: null, updatedAt: nowIso() });
      await recordActivity(trx, { tenantId: tenant.id, action: 'user.restored', actor: eventActorOf(actor), subjectType: 'user', subjectId: user.id });
    });
    return this.get(actor, tenant.id, userId);
  }

  // --- helpers -------------------------------------------------------------------------------

  /** Hot path: a prepared statement, not the query builder. */
  private async findLive(tenantId: string, userId: string): Promise<UserRow> {
    if (!isUuid(userId)) throw notFound('User');
    const row = await this.db.reads.first<UserRow>(USER_BY_ID_SQL, [userId, tenantId]);
    if (!row) throw notFound('User');
    return row;
  }

  private async loadForWrite(trx: Knex, actor: Actor, tenantId: string, userId: string, opts: Versioned, { includeDeleted = false } = {}) {
    if (!isUuid(userId)) throw notFound('User');
    const user = await User.query(trx)
      .findOne({ id: userId, tenantId })
      .modify((qb) => (includeDeleted ? qb : qb.whereNull('deletedAt')));
    if (!user) throw notFound('User');
    if (!outranksOrEquals(actor.principal, user.role)) throw forbidden(`A ${rankRole(actor.principal)} cannot change a ${user.role}`);
    if (opts.ifMatch !== undefined && opts.ifMatch !== user.version) {
      throw new AppError(412, 'precondition_failed', 'The user was changed by someone else; reload it and try again');
    }
    return user;
  }

  /** Writes only if nobody else wrote since we read: a lost update becomes a 412. */
  private async patchVersioned(trx: Knex, user: User, patch: Partial<User>) {
    const count = await User.query(trx)
      .patch({ ...patch, version: user.version + 1 })
      .where({ id: user.id, version: user.version });
    if (count !== 1) throw new AppError(412, 'precondition_failed', 'The user was changed by someone else; reload it and try again');
  }

  private async includes(row: UserRow, include: string[]): Promise<UserIncludes> {
    const out: UserIncludes = {};
    if (include.includes('groups')) {
      out.groups = await this.effectiveGroups(row.id);
    }
    if (include.includes('identities')) {
      const ids = await this.db.reads.all<{ id: string; providerId: string; alias: string; type: string; subject: string; linkedAt: unknown }>(
        `SELECT ui.id, ui.provider_id, ip.alias, ip.type, ui.subject, ui.linked_at FROM user_identities ui
         JOIN identity_providers ip ON ip.id = ui.provider_id WHERE ui.user_id = ? ORDER BY ip.alias`,
        [row.id],
      );
      out.identities = ids.map((i) => ({
        id: i.id, provider_id: i.providerId, provider_alias: i.alias, provider_type: i.type, subject: i.subject,
        linked_at: new Date(i.linkedAt as string).toISOString(),
      }));
    }
    if (include.includes('ou')) {
      out.ou = row.ouId ? await this.db.reads.first<{ id: string; name: string; path: string }>('SELECT id, name, path FROM ous WHERE id = ?', [row.ouId]) ?? null : null;
    }
    return out;
  }

  private assertMayGrant(actor: Actor, role: User['role']) {
    if (!outranksOrEquals(actor.principal, role)) throw forbidden(`A ${rankRole(actor.principal)} cannot grant the role ${role}`);
  }



  private async assertUnique(trx: Knex, tenantId: string, email: string | null, username: string | null, exceptId?: string) {
    const live = () => trx('users').where({ tenantId }).whereNull('deletedAt').modify((qb) => (exceptId ? qb.whereNot('id', exceptId) : qb));
    if (email && (await live().where('emailNormalized', normalizeEmail(email)).first('id'))) {
      throw new AppError(409, 'duplicate_email', 'A user with this email already exists', 'email');
    }
    if (username && (await live().where('usernameNormalized', normalizeUsername(username)).first('id'))) {
      throw new AppError(409, 'duplicate_username', 'A user with this username already exists', 'username');
    }
  }

  private async assertOu(trx: Knex, tenantId: string, ouId: string) {
    if (!(await Ou.query(trx).findOne({ id: ouId, tenantId }))) throw validationError(['body', 'ou_id'], 'No organisational unit with this id in the tenant');
  }

  private async assertGroups(trx: Knex, tenantId: string, groupIds: string[]) {
    if (!groupIds.length) return;
    const found = await Group.query(trx).where({ tenantId }).whereIn('id', groupIds).select('id');
    const known = new Set(found.map((g) => g.id));
    const missing = groupIds.filter((g) => !known.has(g));
    if (missing.length) throw validationError(['body', 'group_ids'], `No group with id ${missing.join(', ')} in the tenant`);
  }

  private async queueWelcome(trx: Knex, user: User) {
    await queueWelcomeMail(trx, this.config.publicUrl, {
      id: user.id, tenantId: user.tenantId, email: user.email, username: user.username ?? null, displayName: user.displayName ?? null, passwordHash: user.passwordHash ?? null,
    });
  }
}

function defaultDisplayName(first?: string | null, last?: string | null): string | null {
  const name = [first, last].filter(Boolean).join(' ').trim();
  return name || null;
}

function withToken(base: string, token: string): string {
  const hashAt = base.indexOf('#');
  // Links into the admin app carry the token in the fragment route; others as a query parameter.
  const sep = (hashAt >= 0 ? base.slice(hashAt) : base).includes('?') ? '&' : '?';
  return `${base}${sep}token=${encodeURIComponent(token)}`;
}
