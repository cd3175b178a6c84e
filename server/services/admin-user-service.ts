import type { Database } from '../db/database';
import type { Actor } from '../http/context';
import { conflict } from '../errors/app-error';
import { canReachTenant } from '../auth/permissions';
import { roleOf } from '../auth/principal';
import { nowIso } from '../models/base-model';
import { bool } from '../presenters/values';
import { pageOfUsers } from '../queries/user-list-query';
import { eventActorOf, recordActivity } from './activity-log';
import type { UserService } from './user-service';
import type { TenantService } from './tenant-service';
import type { z } from 'zod';
import type { UserCreate, UserUpdate } from '../../shared/schemas/user';
import type { AdminUserListQuery } from '../../shared/schemas/admin';

/**
 * Seed 001's admin routes: users addressed by id alone, across every tenant the caller reaches.
 * Each action finds the user's tenant, checks reach, and hands over to the tenant directory's
 * rules in UserService, so nothing here re-implements them.
 */
export class AdminUserService {
  constructor(
    private readonly db: Database,
    private readonly users: UserService,
    private readonly tenants: TenantService,
  ) {}

  async list(actor: Actor, q: z.infer<typeof AdminUserListQuery>) {
    const tenantIds = await this.reachableTenants(actor, q.tenant_id, q.partner_id);
    const { tenant_id: _t, partner_id: _p, ...rest } = q;
    return pageOfUsers(this.db, tenantIds, rest);
  }

  create(actor: Actor, input: UserCreate & { tenant_id?: string }) {
    const { tenant_id, ...user } = input;
    return this.users.create(actor, tenant_id ?? actor.principal.tenantId, user);
  }

  async get(actor: Actor, userId: string) {
    return this.users.get(actor, await this.users.tenantOf(actor, userId), userId, ['groups']);
  }

  async update(actor: Actor, userId: string, input: UserUpdate, ifMatch?: number) {
    return this.users.update(actor, await this.users.tenantOf(actor, userId), userId, input, { ifMatch });
  }

  /** Seed 001: a soft delete without the tenant route's confirm_email. */
  async delete(actor: Actor, userId: string, ifMatch?: number) {
    const tenantId = await this.users.tenantOf(actor, userId);
    const { email } = await this.users.get(actor, tenantId, userId);
    await this.users.delete(actor, tenantId, userId, { confirm_email: email }, { ifMatch });
  }

  async groups(actor: Actor, userId: string) {
    await this.users.tenantOf(actor, userId);
    return this.users.effectiveGroups(userId);
  }

  async setPassword(actor: Actor, userId: string, input: { new_password: string; require_password_change: boolean }) {
    const tenantId = await this.users.tenantOf(actor, userId);
    const tenant = await this.tenants.resolve(actor.principal, tenantId);
    await this.users.setPassword(actor, tenant, userId, input.new_password, ['body', 'new_password'], { requireChange: input.require_password_change });
    return this.users.get(actor, tenantId, userId);
  }

  async disableMfa(actor: Actor, userId: string) {
    const tenantId = await this.users.tenantOf(actor, userId);
    await this.users.mutate(actor, tenantId, userId, (user) => {
      if (!bool(user.mfaEnabled)) throw conflict('MFA is not enabled for this user');
      return {
        patch: { mfaEnabled: false, totpSecret: null, totpPendingSecret: null, totpLastEpoch: null },
        also: (trx) => trx('mfa_recovery_codes').where({ userId: user.id }).delete(),
        action: 'user.mfa_disabled',
        details: { by: 'admin' },
      };
    });
    return this.users.get(actor, tenantId, userId);
  }

  /** LOCKED -> ACTIVE with the failed-login count cleared; an ACTIVE user just has the count cleared. */
  async unlock(actor: Actor, userId: string) {
    const tenantId = await this.users.tenantOf(actor, userId);
    await this.users.mutate(actor, tenantId, userId, (user) => {
      if (user.status !== 'LOCKED' && user.status !== 'ACTIVE') throw conflict(`A ${user.status} user cannot be unlocked; enable it instead`, 'status');
      return {
        patch: { status: 'ACTIVE', failedLoginCount: 0, lockedAt: null, lockReason: null },
        action: 'user.unlocked',
        details: { was_locked: user.status === 'LOCKED', failed_attempts_cleared: user.failedLoginCount },
      };
    });
    return this.users.get(actor, tenantId, userId);
  }

  /**
   * Seed 001: a user with a federated identity at an LDAP provider should have identity_source
   * LDAP, and so on for OIDC and SAML. The expected source is the type of the user's earliest
   * linked identity. With `fix`, each mismatch is corrected and recorded as an event.
   */
  async identitySourceMismatches(actor: Actor, q: { tenant_id?: string; fix: boolean }) {
    const tenantIds = await this.reachableTenants(actor, q.tenant_id, undefined);
    if (!tenantIds.length) return { items: [], fixed: 0 };
    const rows: { userId: string; tenantId: string; email: string; identitySource: string; type: string; alias: string; role: string }[] = await this.db.knex('users as u')
      .join('user_identities as ui', 'ui.user_id', 'u.id')
      .join('identity_providers as ip', 'ip.id', 'ui.provider_id')
      .whereIn('u.tenant_id', tenantIds)
      .whereNull('u.deleted_at')
      .whereRaw('ui.linked_at = (SELECT MIN(f.linked_at) FROM user_identities f WHERE f.user_id = u.id)')
      .whereRaw('u.identity_source <> ip.type')
      .select('u.id as user_id', 'u.tenant_id', 'u.email', 'u.identity_source', 'ip.type', 'ip.alias', 'u.role')
      .orderBy('u.email_normalized')
      .limit(10_000);
    const seen = new Set<string>();
    const items = [];
    let fixed = 0;
    for (const r of rows) {
      if (seen.has(r.userId)) continue;
      seen.add(r.userId);
      let didFix = false;
      if (q.fix) {
        await this.db.knex.transaction(async (trx) => {
          const n = await trx('users').where({ id: r.userId, identitySource: r.identitySource }).update({ identitySource: r.type, updatedAt: nowIso(), version: trx.raw('version + 1') });
          if (n !== 1) return;
          await recordActivity(trx, {
            tenantId: r.tenantId, action: 'user.identity_source_fixed', actor: eventActorOf(actor), subjectType: 'user', subjectId: r.userId,
            details: { from: r.identitySource, to: r.type, provider: r.alias },
          });
          didFix = true;
        });
        if (didFix) fixed++;
      }
      items.push({
        user_id: r.userId, tenant_id: r.tenantId, email: r.email, identity_source: r.identitySource as never, expected_identity_source: r.type as never,
        provider_alias: r.alias, provider_type: r.type, fixed: didFix,
      });
    }
    return { items, fixed };
  }

  /** Tenant ids the caller reaches, narrowed by an optional tenant (id or slug) or partner. */
  private async reachableTenants(actor: Actor, tenantRef: string | undefined, partnerId: string | undefined): Promise<string[]> {
    const { principal } = actor;
    if (tenantRef) {
      const tenant = await this.tenants.resolve(actor.principal, tenantRef);
      return partnerId && tenant.partnerId !== partnerId ? [] : [tenant.id];
    }
    const q = this.db.knex('tenants').select('id', 'partnerId');
    if (partnerId) q.where('partnerId', partnerId);
    const role = roleOf(principal);
    if (role === 'partner_admin') q.where('partnerId', principal.partnerId ?? '00000000-0000-0000-0000-000000000000');
    else if (role !== 'super_admin') q.where('id', principal.tenantId);
    const rows: { id: string; partnerId: string | null }[] = await q;
    return rows.filter((t) => canReachTenant(principal, t)).map((t) => t.id);
  }
}
