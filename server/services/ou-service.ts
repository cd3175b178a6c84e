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
    const sortBy = q.sort_by ?? 'path';
    const rows: OuRow[] = await base()
      .select(this.db.knex.raw(OU_COLUMNS))
      .modify((qb) => {
        // Plain path order is not depth-first: ' ', '-' and '.' sort before '/', which would put
        // "/Sales-Ops" between "/Sales" and "/Sales/EMEA". With the separator as the lowest
        // character (byte-wise on both engines) every unit is followed by its whole subtree.
        if (sortBy === 'path') qb.orderByRaw(`${this.db.dialect === 'pg' ? `replace(ous.path, '/', chr(1)) COLLATE "C"` : `replace(ous.path, '/', char(1))`} ${order}`);
        else qb.orderBy(`ous.${sortBy}`, order);
      })
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
      await this.lockTree(trx, tenant.id);
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
      await this.lockTree(trx, tenant.id);
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
      await this.lockTree(trx, tenant.id);
      const ou = await this.row(trx, tenant.id, ouId);
      const details: Record<string, unknown> = { path: ou.path, cascade };
      if (cascade === 'none' && (Number(ou.userCount) > 0 || Number(ou.childCount) > 0)) {
        throw conflict(`The unit has ${ou.childCount} unit(s) and ${ou.userCount} user(s) under it; move them first, or delete with cascade=reparent or cascade=subtree`);
      }
      if (cascade === 'none') {
        // Soft-deleted users are not counted, but their ou_id still references the unit (and the
        // foreign key refuses the delete): they leave it, as live users do with a cascade.
        await trx('users').where({ tenantId: tenant.id, ouId: ou.id }).whereNotNull('deletedAt').update({ ouId: null, updatedAt: nowIso(), version: trx.raw('version + 1') });
      }
      if (cascade === 'reparent') {
        details.users_moved = await trx('users').where({ tenantId: tenant.id, ouId: ou.id }).update({ ouId: ou.parentId, updatedAt: nowIso(), version: trx.raw('version + 1') });
        const children: { id: string; name: string; path: string }[] = await trx('ous').where({ parentId: ou.id }).select('id', 'name', 'path');
        const parentPath = ou.path.slice(0, ou.path.length - ou.name.length - 1);
        // The unit goes first: a child named like it takes over its path.
        await trx('ous').where({ parentId: ou.id }).update({ parentId: ou.parentId });
        await trx('ous').where({ id: ou.id }).delete();
        for (const child of children) {
          // Each child's subtree loses this unit's segment of the path; shallowest first, so a
          // unit only ever takes a path its parent has just left (/A/B/B/B -> /A/B/B).
          const newPath = `${parentPath}/${child.name}`;
          await this.assertPathFree(trx, tenant.id, newPath);
          const subtree: { id: string; path: string }[] = await subtreeWhere(trx('ous').where('tenant_id', tenant.id), child.path).orderByRaw('length(path)').select('id', 'path');
          for (const unit of subtree) {
            await trx('ous').where({ id: unit.id }).update({ path: newPath + unit.path.slice(child.path.length), updatedAt: nowIso() });
          }
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
      } else if (cascade === 'none') {
        await trx('ous').where({ id: ou.id }).delete();
      }
      await recordActivity(trx, { tenantId: tenant.id, action: 'ou.deleted', actor: eventActorOf(actor), subjectType: 'ou', subjectId: ou.id, details });
    });
  }

  /**
   * Changes to one tenant's tree take turns. Each checks the tree as it reads it (cycles, free
   * paths, parents); two opposite moves (A under B, B under A) touch disjoint rows, so on
   * PostgreSQL both would pass their checks and commit a loop. SQLite runs one writer at a time.
   */
  private async lockTree(trx: Knex, tenantId: string) {
    if (this.db.dialect === 'pg') await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [`ou-tree:${tenantId}`]);
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
