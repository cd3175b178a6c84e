import type { Knex } from 'knex';
import { IdentityProvider, UserIdentity } from '../models/directory';
import { nowIso } from '../models/base-model';
import { AppError, forbidden, notFound, validationError } from '../errors/app-error';
import { outranksOrEquals } from '../auth/permissions';
import { rankRole } from '../auth/principal';
import type { Actor } from '../http/context';
import type { Database } from '../db/database';
import { isUuid } from '../db/ids';
import { resolvePaging, type PagingInput } from '../queries/paging';
import { eventActorOf, recordActivity } from './activity-log';
import type { TenantService } from './tenant-service';
import { bool, iso, json } from '../presenters/values';

// Users, not identities: one user may hold several accounts (subjects) at the same provider.
const IDP_COLUMNS = 'identity_providers.*, (SELECT COUNT(DISTINCT ui.user_id) FROM user_identities ui WHERE ui.provider_id = identity_providers.id) AS linked_users';

interface IdpRow { id: string; tenantId: string; alias: string; type: 'OIDC' | 'SAML' | 'LDAP'; name: string; issuer: string | null; enabled: unknown; config: unknown; linkedUsers: number | string; createdAt: unknown; updatedAt: unknown }
const presentIdp = (p: IdpRow) => ({
  id: p.id, tenant_id: p.tenantId, alias: p.alias, type: p.type, name: p.name, issuer: p.issuer ?? null, enabled: bool(p.enabled),
  config: json<Record<string, unknown>>(p.config) ?? {}, linked_users: Number(p.linkedUsers), created_at: iso(p.createdAt)!, updated_at: iso(p.updatedAt)!,
});

interface IdentityRow { id: string; userId: string; providerId: string; alias: string; type: 'OIDC' | 'SAML' | 'LDAP'; subject: string; externalUsername: string | null; linkedAt: unknown }
const presentIdentity = (i: IdentityRow) => ({
  id: i.id, user_id: i.userId, provider_id: i.providerId, provider_alias: i.alias, provider_type: i.type, subject: i.subject,
  external_username: i.externalUsername ?? null, linked_at: iso(i.linkedAt)!,
});

/** A tenant's identity providers, and the federated identities that link its users to them. */
export class IdentityService {
  constructor(
    private readonly db: Database,
    private readonly tenants: TenantService,
  ) {}

  async listProviders(actor: Actor, tenantRef: string, q: PagingInput & { type?: string; enabled?: boolean; sort_order?: 'asc' | 'desc' }) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    const paging = resolvePaging(q);
    const base = () => this.db.knex('identity_providers').where('identity_providers.tenant_id', tenant.id).modify((qb) => {
      if (q.type) qb.where('identity_providers.type', q.type);
      if (q.enabled !== undefined) qb.where('identity_providers.enabled', q.enabled);
    });
    const [{ total }] = await base().count({ total: '*' });
    const rows: IdpRow[] = await base().select(this.db.knex.raw(IDP_COLUMNS)).orderBy('identity_providers.alias', q.sort_order ?? 'asc').limit(paging.limit).offset(paging.offset);
    return { items: rows.map(presentIdp), page: paging.page, perPage: paging.perPage, totalItems: Number(total) };
  }

  async getProvider(actor: Actor, tenantRef: string, id: string) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    return presentIdp(await this.providerRow(this.db.knex, tenant.id, id));
  }

  async createProvider(actor: Actor, tenantRef: string, input: { alias: string; type: 'OIDC' | 'SAML' | 'LDAP'; name: string; issuer?: string | null; enabled: boolean; config?: Record<string, unknown> | null }) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    const id = await this.db.knex.transaction(async (trx) => {
      if (await trx('identity_providers').where({ tenantId: tenant.id, alias: input.alias }).first('id')) {
        throw new AppError(409, 'conflict', `An identity provider with alias "${input.alias}" already exists`, 'alias');
      }
      const idp = await IdentityProvider.query(trx).insert({ tenantId: tenant.id, alias: input.alias, type: input.type, name: input.name, issuer: input.issuer ?? null, enabled: input.enabled, config: input.config ?? {} });
      await recordActivity(trx, { tenantId: tenant.id, action: 'identity_provider.created', actor: eventActorOf(actor), subjectType: 'identity_provider', subjectId: idp.id, details: { alias: idp.alias, type: idp.type } });
      return idp.id;
    });
    return this.getProvider(actor, tenant.id, id);
  }

  async updateProvider(actor: Actor, tenantRef: string, id: string, input: { name?: string; issuer?: string | null; enabled?: boolean; config?: Record<string, unknown> | null }) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    await this.db.knex.transaction(async (trx) => {
      const idp = await this.providerRow(trx, tenant.id, id);
      await IdentityProvider.query(trx).patch({ ...input, ...(input.config !== undefined ? { config: input.config ?? {} } : {}) }).where({ id: idp.id });
      await recordActivity(trx, { tenantId: tenant.id, action: 'identity_provider.updated', actor: eventActorOf(actor), subjectType: 'identity_provider', subjectId: idp.id, details: { fields: Object.keys(input) } });
    });
    return this.getProvider(actor, tenant.id, id);
  }

  /** Deleting a provider unlinks its users (their identities go); the users stay. */
  async deleteProvider(actor: Actor, tenantRef: string, id: string) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    await this.db.knex.transaction(async (trx) => {
      const idp = await this.providerRow(trx, tenant.id, id);
      // linked_users counts users; the identities removed with the provider are counted here.
      const [{ n }] = await trx('user_identities').where({ providerId: idp.id }).count({ n: '*' });
      await trx('identity_providers').where({ id: idp.id }).delete();
      await recordActivity(trx, { tenantId: tenant.id, action: 'identity_provider.deleted', actor: eventActorOf(actor), subjectType: 'identity_provider', subjectId: idp.id, details: { alias: idp.alias, identities_removed: Number(n) } });
    });
  }

  async listIdentities(actor: Actor, tenantRef: string, userId: string) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    await this.assertUser(this.db.knex, tenant.id, userId);
    return (await this.identityQuery(this.db.knex).where('ui.user_id', userId).orderBy('ip.alias')).map(presentIdentity);
  }

  async link(actor: Actor, tenantRef: string, userId: string, input: { provider_id?: string; provider_alias?: string; subject: string; external_username?: string | null }) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    const id = await this.db.knex.transaction(async (trx) => {
      await this.assertUser(trx, tenant.id, userId, actor);
      const idp = await trx('identity_providers').where({ tenantId: tenant.id }).where(input.provider_id ? { id: input.provider_id } : { alias: input.provider_alias }).first('id', 'alias');
      if (!idp) throw validationError(['body', input.provider_id ? 'provider_id' : 'provider_alias'], 'No identity provider with this id or alias in the tenant');
      const taken = await trx('user_identities').where({ providerId: idp.id, subject: input.subject }).first('userId');
      if (taken) throw new AppError(409, 'conflict', `The subject "${input.subject}" of ${idp.alias} is already linked${taken.userId === userId ? ' to this user' : ' to another user'}`, 'subject');
      const identity = await UserIdentity.query(trx).insert({ tenantId: tenant.id, userId, providerId: idp.id, subject: input.subject, externalUsername: input.external_username ?? null, linkedAt: nowIso() });
      await recordActivity(trx, { tenantId: tenant.id, action: 'user.identity_linked', actor: eventActorOf(actor), subjectType: 'user', subjectId: userId, details: { provider: idp.alias, subject: input.subject } });
      return identity.id;
    });
    return presentIdentity(await this.identityQuery(this.db.knex).where('ui.id', id).first());
  }

  async unlink(actor: Actor, tenantRef: string, userId: string, identityId: string) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    await this.db.knex.transaction(async (trx) => {
      await this.assertUser(trx, tenant.id, userId, actor);
      const identity = isUuid(identityId) ? await this.identityQuery(trx).where({ 'ui.id': identityId, 'ui.user_id': userId }).first() : undefined;
      if (!identity) throw notFound('Identity');
      await trx('user_identities').where({ id: identityId }).delete();
      await recordActivity(trx, { tenantId: tenant.id, action: 'user.identity_unlinked', actor: eventActorOf(actor), subjectType: 'user', subjectId: userId, details: { provider: identity.alias, subject: identity.subject } });
    });
  }

  private identityQuery(knex: Knex) {
    return knex('user_identities as ui').join('identity_providers as ip', 'ip.id', 'ui.provider_id')
      .select('ui.id', 'ui.user_id', 'ui.provider_id', 'ip.alias', 'ip.type', 'ui.subject', 'ui.external_username', 'ui.linked_at');
  }

  private async providerRow(knex: Knex, tenantId: string, id: string): Promise<IdpRow> {
    if (!isUuid(id)) throw notFound('Identity provider');
    const row = await knex('identity_providers').where({ 'identity_providers.tenant_id': tenantId, 'identity_providers.id': id }).first(knex.raw(IDP_COLUMNS));
    if (!row) throw notFound('Identity provider');
    return row as IdpRow;
  }

  /**
   * The user must be live in the tenant; a writer (`actor`) must also rank at least as high as
   * the user, as for any other change to an account: who links an identity to an admin can sign
   * in as that admin through the provider.
   */
  private async assertUser(knex: Knex, tenantId: string, userId: string, actor?: Actor) {
    const user = isUuid(userId) ? await knex('users').where({ id: userId, tenantId }).whereNull('deletedAt').first('id', 'role') : undefined;
    if (!user) throw notFound('User');
    if (actor && !outranksOrEquals(actor.principal, user.role)) throw forbidden(`A ${rankRole(actor.principal)} cannot change a ${user.role}`);
  }
}
