import type { Knex } from 'knex';
import { Partner } from '../models/partner';
import { AppError, conflict, notFound } from '../errors/app-error';
import type { Actor } from '../http/context';
import { roleOf, type Principal } from '../auth/principal';
import type { Database } from '../db/database';
import { isUuid } from '../db/ids';
import { resolvePaging, type PagingInput } from '../queries/paging';
import { escapeLike } from '../queries/like';
import { eventActorOf, recordActivity } from './activity-log';
import { slugify } from './tenant-service';
import { iso } from '../presenters/values';

const COLUMNS = 'partners.*, (SELECT COUNT(*) FROM tenants t WHERE t.partner_id = partners.id) AS tenant_count';

interface PartnerRow { id: string; name: string; slug: string; tenantCount: number | string; createdAt: unknown; updatedAt: unknown }
const present = (p: PartnerRow) => ({
  id: p.id, name: p.name, slug: p.slug, tenant_count: Number(p.tenantCount), created_at: iso(p.createdAt)!, updated_at: iso(p.updatedAt)!,
});

/** Partners (MSPs) own tenants. Super admins manage them; a partner admin sees its own. */
export class PartnerService {
  constructor(private readonly db: Database) {}

  async list(principal: Principal, q: PagingInput & { search?: string; sort_by?: string; sort_order?: 'asc' | 'desc' }) {
    const paging = resolvePaging(q);
    const base = () =>
      this.db.knex('partners').modify((qb) => {
        if (roleOf(principal) !== 'super_admin') {
          if (principal.partnerId === null) qb.whereRaw('1 = 0');
          else qb.where('partners.id', principal.partnerId);
        }
        if (q.search) qb.whereRaw(`lower(partners.name) LIKE ? ESCAPE '\\'`, [`%${escapeLike(q.search.toLowerCase())}%`]);
      });
    const [{ total }] = await base().count({ total: '*' });
    const order = q.sort_order ?? 'asc';
    const rows: PartnerRow[] = await base().select(this.db.knex.raw(COLUMNS)).orderBy(`partners.${q.sort_by ?? 'name'}`, order).orderBy('partners.id', order).limit(paging.limit).offset(paging.offset);
    return { items: rows.map(present), page: paging.page, perPage: paging.perPage, totalItems: Number(total) };
  }

  async get(principal: Principal, id: string) {
    return present(await this.row(this.db.knex, principal, id));
  }

  async create(actor: Actor, input: { name: string; slug?: string }) {
    const id = await this.db.knex.transaction(async (trx) => {
      const slug = input.slug ?? slugify(input.name);
      await this.assertSlugFree(trx, slug);
      const partner = await Partner.query(trx).insert({ name: input.name, slug });
      await recordActivity(trx, { tenantId: actor.principal.tenantId, action: 'partner.created', actor: eventActorOf(actor), subjectType: 'partner', subjectId: partner.id, details: { name: partner.name, slug } });
      return partner.id;
    });
    return this.get(actor.principal, id);
  }

  async update(actor: Actor, id: string, input: { name?: string; slug?: string }) {
    await this.db.knex.transaction(async (trx) => {
      const partner = await this.row(trx, actor.principal, id);
      if (input.slug && input.slug !== partner.slug) await this.assertSlugFree(trx, input.slug);
      await Partner.query(trx).patch(input).where({ id: partner.id });
      await recordActivity(trx, { tenantId: actor.principal.tenantId, action: 'partner.updated', actor: eventActorOf(actor), subjectType: 'partner', subjectId: partner.id, details: { fields: Object.keys(input) } });
    });
    return this.get(actor.principal, id);
  }

  /** Only a partner without tenants can go: tenants are never orphaned or removed as a side effect. */
  async delete(actor: Actor, id: string) {
    await this.db.knex.transaction(async (trx) => {
      const partner = await this.row(trx, actor.principal, id);
      if (Number(partner.tenantCount) > 0) throw conflict(`The partner still owns ${partner.tenantCount} tenant(s); move or delete them first`);
      await trx('partners').where({ id: partner.id }).delete();
      await recordActivity(trx, { tenantId: actor.principal.tenantId, action: 'partner.deleted', actor: eventActorOf(actor), subjectType: 'partner', subjectId: partner.id, details: { slug: partner.slug } });
    });
  }

  private async row(knex: Knex, principal: Principal, id: string): Promise<PartnerRow> {
    if (!isUuid(id) || (roleOf(principal) !== 'super_admin' && principal.partnerId !== id)) throw notFound('Partner');
    const row = await knex('partners').where('partners.id', id).first(knex.raw(COLUMNS));
    if (!row) throw notFound('Partner');
    return row as PartnerRow;
  }

  private async assertSlugFree(trx: Knex, slug: string) {
    if (await trx('partners').where({ slug }).first('id')) throw new AppError(409, 'conflict', `The slug "${slug}" is already taken`, 'slug');
  }
}
