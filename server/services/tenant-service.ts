import type { Knex } from 'knex';
import { Tenant } from '../models/tenant';
import { Partner } from '../models/partner';
import { AppError, conflict, forbidden, notFound, validationError } from '../errors/app-error';
import { canReachTenant } from '../auth/permissions';
import { roleOf, type Principal } from '../auth/principal';
import type { Actor } from '../http/context';
import type { Database } from '../db/database';
import { resolvePaging, type PagingInput } from '../queries/paging';
import { recordActivity, eventActorOf } from './activity-log';
import { mergeSettings, type TenantSettings, type TenantSettingsPatch } from '../../shared/schemas/tenant';
import { presentTenant } from '../presenters/tenant-presenter';
import { isUuid } from '../db/ids';

export const DEFAULT_TENANT_SLUG = 'default';

export interface TenantRow {
  id: string;
  partnerId: string | null;
  slug: string;
  status: 'ACTIVE' | 'SUSPENDED';
  settings: TenantSettings;
}

export interface TenantCreateInput {
  name: string;
  slug?: string;
  partner_id?: string | null;
  status: 'ACTIVE' | 'SUSPENDED';
  settings?: TenantSettingsPatch;
}
export type TenantUpdateInput = Partial<TenantCreateInput>;

export class TenantService {
  constructor(private readonly db: Database) {}

  /** A tenant by id or slug, as a caller may see it; another's is "not found", never "forbidden". */
  async resolve(principal: Principal, ref: string): Promise<TenantRow> {
    const tenant = await this.find(ref);
    if (!tenant || !canReachTenant(principal, tenant)) throw notFound('Tenant');
    return tenant;
  }

  /** Hot path: every tenant-scoped request resolves its tenant. */
  async find(ref: string): Promise<TenantRow | undefined> {
    const column = isUuid(ref) ? 'id' : 'slug';
    const row = await this.db.reads.first<TenantRow & { settings: unknown }>(
      `SELECT id, partner_id, slug, status, settings FROM tenants WHERE ${column} = ?`,
      [column === 'slug' ? ref.toLowerCase() : ref],
    );
    if (!row) return undefined;
    const stored = typeof row.settings === 'string' ? JSON.parse(row.settings) : row.settings;
    return { ...row, settings: mergeSettings(stored as Partial<TenantSettings> | null, undefined) };
  }

  async list(principal: Principal, q: PagingInput & { search?: string; partner_id?: string; status?: string; sort_by?: string; sort_order?: 'asc' | 'desc' }) {
    const paging = resolvePaging(q);
    const base = this.db.knex('tenants').modify((qb) => {
      const role = roleOf(principal);
      if (role === 'partner_admin') {
        // where(column, null) means IS NULL: a partner admin outside any partner would list every
        // tenant without one. It reaches none (canReachTenant), so it lists none.
        if (principal.partnerId === null) qb.whereRaw('1 = 0');
        else qb.where('partnerId', principal.partnerId);
      } else if (role !== 'super_admin') qb.where('id', principal.tenantId);
      if (q.partner_id) qb.where('partnerId', q.partner_id);
      if (q.status) qb.where('status', q.status);
      if (q.search) {
        const like = `%${q.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        qb.where((w) => w.whereRaw(`lower(name) LIKE ? ESCAPE '\\'`, [like]).orWhereRaw(`slug LIKE ? ESCAPE '\\'`, [like]));
      }
    });
    const [{ total }] = await base.clone().count({ total: '*' });
    const sortBy = q.sort_by ?? 'name';
    const order = q.sort_order ?? 'asc';
    const rows = await Tenant.query(this.db.knex)
      .whereIn('id', base.clone().select('id'))
      .orderBy(sortBy, order)
      .orderBy('id', order)
      .limit(paging.limit)
      .offset(paging.offset);
    return { items: rows.map(presentTenant), page: paging.page, perPage: paging.perPage, totalItems: Number(total) };
  }

  async get(principal: Principal, ref: string) {
    const { id } = await this.resolve(principal, ref);
    return presentTenant(await Tenant.query(this.db.knex).findById(id).throwIfNotFound());
  }

  /** A partner admin creates tenants in its own partner only; a super admin anywhere. */
  async create(actor: Actor, input: TenantCreateInput) {
    const role = roleOf(actor.principal);
    if (role === 'partner_admin') {
      if (!actor.principal.partnerId) throw forbidden('You belong to no partner');
      if (input.partner_id && input.partner_id !== actor.principal.partnerId) throw forbidden('You can create tenants in your own partner only');
      input = { ...input, partner_id: actor.principal.partnerId };
    }
    return this.db.knex.transaction(async (trx) => {
      const slug = input.slug ?? (await this.freeSlug(trx, slugify(input.name)));
      await this.assertSlugFree(trx, slug);
      if (input.partner_id) await this.assertPartner(trx, input.partner_id);
      const tenant = await Tenant.query(trx).insert({
        name: input.name,
        slug,
        partnerId: input.partner_id ?? null,
        status: input.status,
        settings: mergeSettings(undefined, input.settings),
      });
      await recordActivity(trx, {
        tenantId: tenant.id,
        action: 'tenant.created',
        actor: eventActorOf(actor),
        subjectType: 'tenant',
        subjectId: tenant.id,
        details: { name: tenant.name, slug: tenant.slug, partner_id: tenant.partnerId },
      });
      return presentTenant(tenant);
    });
  }

  /**
   * Tenant admins change their tenant's name and settings; partner admins also its slug and
   * status; only a super admin moves a tenant between partners.
   */
  async update(actor: Actor, ref: string, input: TenantUpdateInput) {
    const { id } = await this.resolve(actor.principal, ref);
    const role = roleOf(actor.principal);
    const allowed = role === 'super_admin' ? null : role === 'partner_admin' ? ['name', 'settings', 'slug', 'status'] : ['name', 'settings'];
    const refused = allowed ? Object.keys(input).filter((k) => !allowed.includes(k)) : [];
    if (refused.length) throw forbidden(`A ${role} cannot change ${refused.join(', ')} of a tenant`);
    return this.db.knex.transaction(async (trx) => {
      const tenant = await Tenant.query(trx).findById(id).throwIfNotFound();
      const patch: Partial<Tenant> = {};
      if (input.name !== undefined) patch.name = input.name;
      if (input.status !== undefined) patch.status = input.status;
      if (input.slug !== undefined && input.slug !== tenant.slug) {
        if (tenant.slug === DEFAULT_TENANT_SLUG) throw conflict('The default tenant keeps its slug', 'slug');
        await this.assertSlugFree(trx, input.slug);
        patch.slug = input.slug;
      }
      if (input.partner_id !== undefined) {
        if (input.partner_id) await this.assertPartner(trx, input.partner_id);
        patch.partnerId = input.partner_id;
      }
      if (input.settings) patch.settings = mergeSettings(tenant.settings, input.settings);
      if (tenant.slug === DEFAULT_TENANT_SLUG && patch.status === 'SUSPENDED') throw conflict('The default tenant cannot be suspended', 'status');

      const updated = await tenant.$query(trx).patchAndFetch(patch);
      await recordActivity(trx, {
        tenantId: id,
        action: 'tenant.updated',
        actor: eventActorOf(actor),
        subjectType: 'tenant',
        subjectId: id,
        details: { fields: Object.keys(input) },
      });
      return presentTenant(updated);
    });
  }

  /** Only an empty tenant can be deleted: users are never removed as a side effect. */
  async delete(actor: Actor, ref: string): Promise<void> {
    const { id, slug } = await this.resolve(actor.principal, ref);
    if (slug === DEFAULT_TENANT_SLUG) throw conflict('The default tenant cannot be deleted');
    if (id === actor.principal.tenantId) throw conflict('You cannot delete your own tenant');
    await this.db.knex.transaction(async (trx) => {
      const [{ live }] = await trx('users').where({ tenantId: id }).whereNull('deletedAt').count({ live: '*' });
      if (Number(live) > 0) throw conflict(`The tenant still has ${live} user(s); delete or move them first`);
      await trx('tenants').where({ id }).delete();
      await recordActivity(trx, {
        tenantId: actor.principal.tenantId,
        action: 'tenant.deleted',
        actor: eventActorOf(actor),
        subjectType: 'tenant',
        subjectId: id,
        details: { slug },
      });
    });
  }

  private async assertSlugFree(trx: Knex, slug: string) {
    const taken = await trx('tenants').where({ slug }).first('id');
    if (taken) throw new AppError(409, 'conflict', `The slug "${slug}" is already taken`, 'slug');
  }

  private async freeSlug(trx: Knex, base: string): Promise<string> {
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? base : `${base.slice(0, 58)}-${n}`;
      if (!(await trx('tenants').where({ slug: candidate }).first('id'))) return candidate;
    }
  }

  private async assertPartner(trx: Knex, partnerId: string) {
    if (!(await Partner.query(trx).findById(partnerId))) throw validationError(['body', 'partner_id'], 'No partner with this id');
  }
}

export function slugify(name: string): string {
  // Cut to length before trimming dashes, so a cut cannot leave one at the end.
  const slug = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
  if (slug.length < 2) return `tenant-${slug || 'x'}`;
  // find() reads a UUID-shaped reference as an id: such a slug could never be looked up.
  return isUuid(slug) ? `tenant-${slug}` : slug;
}
