import type { Knex } from 'knex';
import type { AppDeps } from '../app';
import type { Actor } from '../http/context';
import { isUuid } from '../db/ids';
import { parseScimFilter } from './filter-parser';
import { applySqlFilter, compileScimFilter } from './filter-to-sql';
import { GROUP_ATTRIBUTES } from './group-attributes';
import { applyPatch, parsePatchBody } from './patch';
import { etagOf, fromScimGroup, GROUP_SCHEMA, project, toScimGroup, type MemberRow, type ScimGroupRow } from './resources';
import { MAX_PATCH_OPERATIONS } from './schemas';
import { listResponse } from './http';
import { sortColumn, wants, type ListParams } from './list-params';
import { invalidValue, scimError } from './scim-error';
import type { ScimCall } from './users';

type Obj = Record<string, unknown>;

/** SCIM Groups over GroupService, for the routes and /Bulk alike. */
export function scimGroups({ db, services }: Pick<AppDeps, 'db' | 'services'>) {
  const knex = db.knex;

  const row = async (tenantId: string, id: string): Promise<ScimGroupRow> => {
    const found = isUuid(id) ? await knex('groups').where({ tenantId, id }).first() : undefined;
    if (!found) throw scimError(404, undefined, `Group ${id} not found`);
    return found as ScimGroupRow;
  };

  const membersOf = async (groupIds: string[]): Promise<MemberRow[]> => {
    const out: MemberRow[] = [];
    for (let i = 0; i < groupIds.length; i += 500) {
      const rows = await knex('group_members as gm')
        .leftJoin('users as u', 'u.id', 'gm.user_id')
        .leftJoin('groups as g', 'g.id', 'gm.member_group_id')
        .whereIn('gm.group_id', groupIds.slice(i, i + 500))
        .where((w) => w.whereNull('gm.user_id').orWhereNull('u.deleted_at'))
        .orderBy('gm.created_at').orderBy('gm.id')
        .select('gm.group_id', 'gm.user_id', 'gm.member_group_id', knex.raw('COALESCE(u.display_name, u.email, g.name) AS display'));
      out.push(...(rows as MemberRow[]));
    }
    return out;
  };

  const resource = async (call: ScimCall, id: string): Promise<Obj> => {
    const r = await row(call.tenantId, id);
    return toScimGroup(r, await membersOf([r.id]), call.base);
  };

  const list = async (call: ScimCall, p: ListParams) => {
    await services.tenants.resolve(call.actor.principal, call.tenantId);
    const where = p.filter !== undefined ? compileScimFilter(parseScimFilter(p.filter), db.dialect, GROUP_ATTRIBUTES) : undefined;
    const order = p.sortBy ? sortColumn(p.sortBy, GROUP_ATTRIBUTES) : 'groups.created_at';
    const q = () => knex('groups').where('groups.tenant_id', call.tenantId).modify((qb: Knex.QueryBuilder) => {
      if (where) applySqlFilter(qb, where);
    });
    const [{ total }] = await q().count({ total: '*' });
    const rows = (p.count ? await q().select('groups.*').orderBy(order, p.sortOrder).orderBy('groups.id', p.sortOrder).limit(p.count).offset(p.startIndex - 1) : []) as ScimGroupRow[];
    const excludesMembers = p.excludedAttributes?.some((a) => a.toLowerCase() === 'members') || (p.attributes?.length && !wants(p, 'members'));
    const members = rows.length && !excludesMembers ? await membersOf(rows.map((r) => r.id)) : [];
    const resources = rows.map((r) => project(toScimGroup(r, members.filter((m) => m.groupId === r.id), call.base), GROUP_SCHEMA, p.attributes, p.excludedAttributes));
    return listResponse(resources, Number(total), p.startIndex);
  };

  /**
   * Makes the direct members exactly `wanted`: adds the missing, removes the rest, each in one
   * service call. Every id is checked to be a user or group of the tenant before anything is
   * written, so a bad member changes nothing.
   */
  const syncMembers = async (actor: Actor, tenantId: string, groupId: string, wanted: string[], opts: { ifMatch?: number }) => {
    const current = new Set((await membersOf([groupId])).map((m) => (m.userId ?? m.memberGroupId)!));
    const toAdd = wanted.filter((id) => !current.has(id));
    const toRemove = [...current].filter((id) => !wanted.includes(id));
    let first = opts;
    if (toAdd.length) {
      const { userIds, groupIds } = await classify(tenantId, toAdd);
      await services.groups.addMembers(actor, tenantId, groupId, { user_ids: userIds, group_ids: groupIds }, first);
      first = {};
    }
    if (toRemove.length) await services.groups.removeMembers(actor, tenantId, groupId, toRemove, first);
  };

  /** Splits member ids into the tenant's live users and groups; any other id is a 400. */
  const classify = async (tenantId: string, ids: string[]) => {
    const bad = ids.find((id) => !isUuid(id));
    if (bad) throw invalidValue(`"${bad}" is not the id of a user or group`);
    const userIds = new Set<string>();
    const groupIds = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      for (const r of await knex('groups').where({ tenantId }).whereIn('id', chunk).select('id')) groupIds.add(r.id);
      for (const r of await knex('users').where({ tenantId }).whereNull('deletedAt').whereIn('id', chunk).select('id')) userIds.add(r.id);
    }
    const missing = ids.find((id) => !userIds.has(id) && !groupIds.has(id));
    if (missing) throw invalidValue(`Member "${missing}" is not a user or group of this tenant`);
    return { userIds: [...userIds], groupIds: [...groupIds] };
  };

  const write = async (actor: Actor, tenantId: string, id: string, res: unknown, opts: { ifMatch?: number }) => {
    const f = fromScimGroup(res);
    const before = await row(tenantId, id);
    await classify(tenantId, f.memberIds.filter((m) => m !== id));
    await services.groups.update(actor, tenantId, id, { name: f.displayName, external_id: f.externalId }, opts);
    const after = await row(tenantId, id);
    await syncMembers(actor, tenantId, id, f.memberIds, after.version === before.version ? opts : {});
  };

  const create = async (call: ScimCall, body: unknown): Promise<Obj> => {
    const f = fromScimGroup(body);
    if (f.memberIds.length) await classify(call.tenantId, f.memberIds);
    const created = await services.groups.create(call.actor, call.tenantId, { name: f.displayName, external_id: f.externalId });
    if (f.memberIds.length) await syncMembers(call.actor, call.tenantId, created.id, f.memberIds, {});
    return resource(call, created.id);
  };

  const replace = async (call: ScimCall, id: string, body: unknown, opts: { ifMatch?: number }): Promise<Obj> => {
    await write(call.actor, call.tenantId, id, body, opts);
    return resource(call, id);
  };

  const patch = async (call: ScimCall, id: string, body: unknown, opts: { ifMatch?: number }): Promise<Obj> => {
    const ops = parsePatchBody(body, MAX_PATCH_OPERATIONS);
    const current = await resource(call, id);
    if (opts.ifMatch !== undefined && (current.meta as { version: string }).version !== etagOf(opts.ifMatch)) {
      throw scimError(412, undefined, 'The group was changed by someone else; reload it and try again');
    }
    await write(call.actor, call.tenantId, id, applyPatch(structuredClone(current), ops, GROUP_SCHEMA), opts);
    return resource(call, id);
  };

  const remove = async (call: ScimCall, id: string, opts: { ifMatch?: number }) => {
    await row(call.tenantId, id);
    await services.groups.delete(call.actor, call.tenantId, id, opts);
  };

  return { row, resource, list, create, replace, patch, remove };
}

export type ScimGroups = ReturnType<typeof scimGroups>;
