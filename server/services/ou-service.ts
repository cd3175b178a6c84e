import type { Knex } from 'knex';
import { Ou } from '../models/directory';
import { nowIso } from '../models/base-model';
import { AppError, conflict, notFound, validationError } from '../errors/app-error';
import type { Actor } from '../http/context';
import type { Database } from '../db/database';
import { isUuid } from '../db/ids';
import { resolvePaging, type PagingInput } from '../queries/paging';
import { escapeLike } from '../queries/like';
import { eventActorOf, recordActivity } from './activity-log';
import type { TenantService } from './tenant-service';
import { presentOu, type OuRow } from '../presenters/ou-presenter';

const OU_COLUMNS = `ous.*,
  (SELECT COUNT(*) FROM users u WHERE u.ou_id = ous.id AND u.deleted_at IS NULL) AS user_count,
  (SELECT COUNT(*) FROM ous c WHERE c.parent_id = ous.id) AS child_count`;

/** Rows of an OU and everything below it, found by path prefix (an index range on (tenant_id, path)). */
export function subtreeWhere(qb: Knex.QueryBuilder, path: string, table = 'ous') {
  return qb.where((w) => w.where(`${table}.path`, path).orWhereRaw(`${table}.path LIKE ? ESCAPE '\\'`, [`${escapeLike(path)}/%`]));
}

export class OuService {
  constructor(
    private readonly db: Database,
    private readonly tenants: TenantService,
  ) {}

  async list(actor: Actor, tenantRef: string, q: PagingInput & { parent_id?: string; roots?: boolean; search?: string; sort_by?: string; sort_order?: 'asc' | 'desc' }) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    const paging = resolvePaging(q);
    const base = () =>
      this.db.knex('ous').where('ous.tenant_id', tenant.id).modify((qb) => {
        if (q.parent_id) qb.where('ous.parent_id', q.parent_id);
        if (q.roots) qb.whereNull('ous.parent_id');
        if (q.search) qb.whereRaw(`lower(ous.name) LIKE ? ESCAPE '\\'`, [`%${escapeLike(q.search.toLowerCase())}%`]);
      });
    const [{ total }] = await base().count({ total: '*' });
    const order = q.sort_order ?? 'asc';
    const rows: OuRow[] = await base()
      .select(this.db.knex.raw(OU_COLUMNS))
      .orderBy(`ous.${q.sort_by ?? 'path'}`, order)
      .orderBy('ous.id', order)
      .limit(paging.limit)
      .offset(paging.offset);
    return { items: rows.map(presentOu), page: paging.page, perPage: paging.perPage, totalItems: Number(total) };
  }

  async get(actor: Actor, tenantRef: string, ouId: string) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    return presentOu(await this.row(this.db.knex, tenant.id, ouId));
  }

  async create(actor: Actor, tenantRef: string, input: { name: string; parent_id?: string | null; description?: string | null }) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    const id = await this.db.knex.transaction(async (trx) => {
      const parent = input.parent_id ? await this.parentOrFail(trx, tenant.id, input.parent_id) : null;
      const path = `${parent?.path ?? ''}/${input.name}`;
      await this.assertPathFree(trx, tenant.id, path);
      const ou = await Ou.query(trx).insert({ tenantId: tenant.id, parentId: parent?.id ?? null, name: input.name, path, description: input.description ?? null });
      await recordActivity(trx, { tenantId: tenant.id, action: 'ou.created', actor: eventActorOf(actor), subjectType: 'ou', subjectId: ou.id, details: { name: ou.name, path } });
      return ou.id;
    });
    return presentOu(await this.row(this.db.knex, tenant.id, id));
  }

  /**
   * Renames and moves rewrite the path of the unit and of every unit below it in one statement,
   * inside one transaction; users follow through their ou_id.
   */
  async update(actor: Actor, tenantRef: string, ouId: string, input: { name?: string; parent_id?: string | null; description?: string | null }) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    await this.db.knex.transaction(async (trx) => {
      const ou = await this.row(trx, tenant.id, ouId);
      const moving = input.parent_id !== undefined && input.parent_id !== ou.parentId;
      const parent = moving ? (input.parent_id ? await this.parentOrFail(trx, tenant.id, input.parent_id) : null) : undefined;
      if (parent && (parent.id === ou.id || parent.path.startsWith(`${ou.path}/`))) {
        throw conflict('A unit cannot move under itself or one of its descendants', 'parent_id');
      }
      const name = input.name ?? ou.name;
      const parentPath = parent === undefined ? ou.path.slice(0, ou.path.length - ou.name.length - 1) : (parent?.path ?? '');
      const path = `${parentPath}/${name}`;
      if (path !== ou.path) {
        await this.assertPathFree(trx, tenant.id, path);
        await subtreeWhere(trx('ous').where('tenant_id', tenant.id), ou.path).update({
          path: trx.raw('? || substr(path, ?)', [path, ou.path.length + 1]),
          updatedAt: nowIso(),
        });
      }
      const patch: Partial<Ou> = { name };
      if (moving) patch.parentId = parent?.id ?? null;
      if (input.description !== undefined) patch.description = input.description;
      await Ou.query(trx).patch(patch).where({ id: ou.id });
      await recordActivity(trx, {
        tenantId: tenant.id, action: moving ? 'ou.moved' : 'ou.updated', actor: eventActorOf(actor), subjectType: 'ou', subjectId: ou.id,
        details: { from_path: ou.path, to_path: path, fields: Object.keys(input) },
      });
    });
    return presentOu(await this.row(this.db.knex, tenant.id, ouId));
  }

  async delete(actor: Actor, tenantRef: string, ouId: string, cascade: 'none' | 'reparent' | 'subtree') {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    await this.db.knex.transaction(async (trx) => {
      const ou = await this.row(trx, tenant.id, ouId);
      const details: Record<string, unknown> = { path: ou.path, cascade };
      if (cascade === 'none' && (Number(ou.userCount) > 0 || Number(ou.childCount) > 0)) {
        throw conflict(`The unit has ${ou.childCount} unit(s) and ${ou.userCount} user(s) under it; move them first, or delete with cascade=reparent or cascade=subtree`);
      }
      if (cascade === 'reparent') {
        details.users_moved = await trx('users').where({ tenantId: tenant.id, ouId: ou.id }).update({ ouId: ou.parentId, updatedAt: nowIso(), version: trx.raw('version + 1') });
        const children = await trx('ous').where({ parentId: ou.id }).select('id');
        const parentPath = ou.path.slice(0, ou.path.length - ou.name.length - 1);
        for (const child of children) {
          // Each child's subtree loses this unit's segment of the path.
          const childRow = await this.row(trx, tenant.id, child.id);
          const newPath = `${parentPath}/${childRow.name}`;
          await this.assertPathFree(trx, tenant.id, newPath);
          await subtreeWhere(trx('ous').where('tenant_id', tenant.id), childRow.path).update({ path: trx.raw('? || substr(path, ?)', [newPath, childRow.path.length + 1]), updatedAt: nowIso() });
          await trx('ous').where({ id: child.id }).update({ parentId: ou.parentId });
        }
        details.units_moved = children.length;
      }
      if (cascade === 'subtree') {
        const ids = (await subtreeWhere(trx('ous').where('tenant_id', tenant.id), ou.path).select('id')).map((r: { id: string }) => r.id);
        details.users_unassigned = await trx('users').whereIn('ouId', ids).update({ ouId: null, updatedAt: nowIso(), version: trx.raw('version + 1') });
        // Deepest first, so no unit is removed while a child still points at it.
        const ordered = await trx('ous').whereIn('id', ids).orderByRaw('length(path) DESC').select('id');
        for (const { id } of ordered) await trx('ous').where({ id }).delete();
        details.units_deleted = ids.length;
      } else {
        await trx('ous').where({ id: ou.id }).delete();
      }
      await recordActivity(trx, { tenantId: tenant.id, action: 'ou.deleted', actor: eventActorOf(actor), subjectType: 'ou', subjectId: ou.id, details });
    });
  }

  private async row(knex: Knex, tenantId: string, ouId: string): Promise<OuRow> {
    if (!isUuid(ouId)) throw notFound('Organisational unit');
    const row = await knex('ous').where({ 'ous.tenant_id': tenantId, 'ous.id': ouId }).first(knex.raw(OU_COLUMNS));
    if (!row) throw notFound('Organisational unit');
    return row as OuRow;
  }

  private async parentOrFail(trx: Knex, tenantId: string, parentId: string) {
    const parent = await Ou.query(trx).findOne({ id: parentId, tenantId });
    if (!parent) throw validationError(['body', 'parent_id'], 'No organisational unit with this id in the tenant');
    return parent;
  }

  private async assertPathFree(trx: Knex, tenantId: string, path: string) {
    if (await trx('ous').where({ tenantId, path }).first('id')) {
      throw new AppError(409, 'conflict', `A unit named ${path} already exists`, 'name');
    }
  }
}
