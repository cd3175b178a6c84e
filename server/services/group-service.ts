import type { Knex } from 'knex';
import { v7 as uuidv7 } from 'uuid';
import { Group } from '../models/directory';
import { nowIso } from '../models/base-model';
import { AppError, conflict, notFound } from '../errors/app-error';
import { assertInTenant } from './tenant-rows';
import type { Actor } from '../http/context';
import type { Database } from '../db/database';
import { isUuid } from '../db/ids';
import { resolvePaging, type PagingInput } from '../queries/paging';
import { escapeLike } from '../queries/like';
import { CONTAINS_SQL, GROUP_AND_DESCENDANTS_IDS } from '../queries/group-graph';
import { eventActorOf, recordActivity } from './activity-log';
import type { TenantService } from './tenant-service';
import type { Versioned } from './user-service';
import { presentGroup, presentGroupMember, type GroupMemberRow, type GroupRow } from '../presenters/group-presenter';

/** member_count counts what the members list shows: groups and live users (deleted users keep their rows, for a restore). */
const GROUP_COLUMNS = `groups.*, (SELECT COUNT(*) FROM group_members gm LEFT JOIN users u ON u.id = gm.user_id
  WHERE gm.group_id = groups.id AND u.deleted_at IS NULL) AS member_count`;
const normalizeName = (name: string) => name.trim().normalize('NFKC').toLowerCase();

export interface GroupInput {
  name?: string;
  description?: string | null;
  external_id?: string | null;
}

export class GroupService {
  constructor(
    private readonly db: Database,
    private readonly tenants: TenantService,
  ) {}

  async list(actor: Actor, tenantRef: string, q: PagingInput & { search?: string; name?: string; sort_by?: string; sort_order?: 'asc' | 'desc' }) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    const paging = resolvePaging(q);
    const base = () =>
      this.db.knex('groups').where('groups.tenant_id', tenant.id).modify((qb) => {
        if (q.name) qb.where('groups.name_normalized', normalizeName(q.name));
        if (q.search) qb.whereRaw(`groups.name_normalized LIKE ? ESCAPE '\\'`, [`%${escapeLike(normalizeName(q.search))}%`]);
      });
    const [{ total }] = await base().count({ total: '*' });
    const sortBy = q.sort_by === 'name' || !q.sort_by ? 'name_normalized' : q.sort_by;
    const order = q.sort_order ?? 'asc';
    const rows: GroupRow[] = await base().select(this.db.knex.raw(GROUP_COLUMNS)).orderBy(`groups.${sortBy}`, order).orderBy('groups.id', order).limit(paging.limit).offset(paging.offset);
    return { items: rows.map(presentGroup), page: paging.page, perPage: paging.perPage, totalItems: Number(total) };
  }

  async get(actor: Actor, tenantRef: string, groupId: string) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    return presentGroup(await this.row(this.db.knex, tenant.id, groupId));
  }

  async create(actor: Actor, tenantRef: string, input: GroupInput & { name: string }) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    const id = await this.db.knex.transaction(async (trx) => {
      await this.assertNameFree(trx, tenant.id, input.name);
      const group = await Group.query(trx).insert({
        tenantId: tenant.id, name: input.name, nameNormalized: normalizeName(input.name),
        description: input.description ?? null, externalId: input.external_id ?? null, version: 1,
      });
      await recordActivity(trx, { tenantId: tenant.id, action: 'group.created', actor: eventActorOf(actor), subjectType: 'group', subjectId: group.id, details: { name: group.name } });
      return group.id;
    });
    return presentGroup(await this.row(this.db.knex, tenant.id, id));
  }

  async update(actor: Actor, tenantRef: string, groupId: string, input: GroupInput, opts: Versioned = {}) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    await this.db.knex.transaction(async (trx) => {
      const group = await this.forWrite(trx, tenant.id, groupId, opts);
      const patch: Partial<Group> = {};
      if (input.name !== undefined && input.name !== group.name) {
        if (normalizeName(input.name) !== normalizeName(group.name)) await this.assertNameFree(trx, tenant.id, input.name);
        Object.assign(patch, { name: input.name, nameNormalized: normalizeName(input.name) });
      }
      if (input.description !== undefined && input.description !== group.description) patch.description = input.description;
      if (input.external_id !== undefined && input.external_id !== group.externalId) patch.externalId = input.external_id;
      // As for users: a PATCH that changes nothing keeps the version (no spurious 412s for others) and writes no event.
      if (!Object.keys(patch).length) return;
      await this.bumpVersion(trx, group, patch);
      await recordActivity(trx, { tenantId: tenant.id, action: 'group.updated', actor: eventActorOf(actor), subjectType: 'group', subjectId: group.id, details: { fields: Object.keys(input), from_name: group.name } });
    });
    return presentGroup(await this.row(this.db.knex, tenant.id, groupId));
  }

  async delete(actor: Actor, tenantRef: string, groupId: string, opts: Versioned = {}) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    await this.db.knex.transaction(async (trx) => {
      const group = await this.forWrite(trx, tenant.id, groupId, opts);
      await trx('groups').where({ id: group.id }).delete();
      await recordActivity(trx, { tenantId: tenant.id, action: 'group.deleted', actor: eventActorOf(actor), subjectType: 'group', subjectId: group.id, details: { name: group.name } });
    });
  }

  /** Direct members (users and groups), or with `effective` every user at any depth. */
  async members(actor: Actor, tenantRef: string, groupId: string, q: PagingInput & { effective?: boolean }) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    await this.row(this.db.knex, tenant.id, groupId);
    const paging = resolvePaging(q);
    const { sql, params } = q.effective ? effectiveMembersSql(groupId) : directMembersSql(groupId);
    const [{ total }] = (await this.db.reads.all<{ total: number | string }>(`SELECT COUNT(*) AS total FROM (${sql}) m`, params));
    const rows = await this.db.reads.all<GroupMemberRow>(`${sql} ORDER BY member_type DESC, name, id LIMIT ? OFFSET ?`, [...params, paging.limit, paging.offset]);
    return { items: rows.map(presentGroupMember), page: paging.page, perPage: paging.perPage, totalItems: Number(total) };
  }

  /** Adds users and groups; those already direct members stay; a group that would contain itself is a 409. */
  async addMembers(actor: Actor, tenantRef: string, groupId: string, input: { user_ids: string[]; group_ids: string[] }, opts: Versioned = {}) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    const userIds = [...new Set(input.user_ids)];
    const groupIds = [...new Set(input.group_ids)];
    const added = await this.db.knex.transaction(async (trx) => {
      const group = await this.forWrite(trx, tenant.id, groupId, opts);
      await assertInTenant(trx, 'users', tenant.id, userIds, 'user_ids');
      await assertInTenant(trx, 'groups', tenant.id, groupIds, 'group_ids');
      if (groupIds.length && this.db.dialect === 'pg') {
        // Nesting changes of one tenant take turns: two opposite additions (A into B, B into A)
        // each checked alone would pass and commit a cycle. SQLite runs one writer at a time.
        await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [`group-graph:${tenant.id}`]);
      }
      for (const child of groupIds) {
        const cycle = child === group.id || (await trx.raw(CONTAINS_SQL, [child, group.id]).then(rowsOf)).length > 0;
        if (cycle) throw conflict(`Adding group ${child} would make ${group.name} contain itself`, 'group_ids');
      }
      const existing = await trx('group_members').where({ groupId: group.id }).andWhere((w) => w.whereIn('userId', userIds).orWhereIn('memberGroupId', groupIds)).select('userId', 'memberGroupId');
      const present = new Set(existing.flatMap((r: { userId: string | null; memberGroupId: string | null }) => [r.userId, r.memberGroupId]));
      const now = nowIso();
      const rows = [
        ...userIds.filter((id) => !present.has(id)).map((userId) => ({ id: uuidv7(), tenantId: tenant.id, groupId: group.id, userId, memberGroupId: null, createdAt: now })),
        ...groupIds.filter((id) => !present.has(id)).map((memberGroupId) => ({ id: uuidv7(), tenantId: tenant.id, groupId: group.id, userId: null, memberGroupId, createdAt: now })),
      ];
      // Through knex, not the model: Objection inserts an array in one statement only on
      // PostgreSQL and refuses it on SQLite. Ids are set here, as the model would.
      for (let i = 0; i < rows.length; i += 200) await trx('group_members').insert(rows.slice(i, i + 200));
      if (rows.length) {
        await this.bumpVersion(trx, group, {});
        await recordActivity(trx, {
          tenantId: tenant.id, action: 'group.members_added', actor: eventActorOf(actor), subjectType: 'group', subjectId: group.id,
          details: { user_ids: rows.flatMap((r) => (r.userId ? [r.userId] : [])), group_ids: rows.flatMap((r) => (r.memberGroupId ? [r.memberGroupId] : [])) },
        });
      }
      return rows.length;
    });
    return { added, group: presentGroup(await this.row(this.db.knex, tenant.id, groupId)) };
  }

  async removeMember(actor: Actor, tenantRef: string, groupId: string, memberId: string, opts: Versioned = {}) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    await this.db.knex.transaction(async (trx) => {
      const group = await this.forWrite(trx, tenant.id, groupId, opts);
      const removed = isUuid(memberId)
        ? await trx('group_members').where({ groupId: group.id }).andWhere((w) => w.where('userId', memberId).orWhere('memberGroupId', memberId)).delete()
        : 0;
      if (!removed) throw notFound('Member');
      await this.bumpVersion(trx, group, {});
      await recordActivity(trx, { tenantId: tenant.id, action: 'group.member_removed', actor: eventActorOf(actor), subjectType: 'group', subjectId: group.id, details: { member_id: memberId } });
    });
  }

  /**
   * Removes many direct members in one transaction and one version step (a SCIM PATCH may name
   * hundreds); each removal writes the same event as removeMember. Ids that are not members are
   * skipped; `strict` makes them a 404 instead.
   */
  async removeMembers(actor: Actor, tenantRef: string, groupId: string, memberIds: string[], opts: Versioned & { strict?: boolean } = {}) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    const ids = [...new Set(memberIds)].filter(isUuid);
    if (opts.strict && ids.length !== new Set(memberIds).size) throw notFound('Member');
    return this.db.knex.transaction(async (trx) => {
      const group = await this.forWrite(trx, tenant.id, groupId, opts);
      const removed: string[] = [];
      for (let i = 0; i < ids.length; i += 400) {
        const chunk = ids.slice(i, i + 400);
        const rows: { userId: string | null; memberGroupId: string | null }[] = await trx('group_members').where({ groupId: group.id })
          .andWhere((w) => w.whereIn('userId', chunk).orWhereIn('memberGroupId', chunk)).select('userId', 'memberGroupId');
        if (!rows.length) continue;
        await trx('group_members').where({ groupId: group.id }).andWhere((w) => w.whereIn('userId', chunk).orWhereIn('memberGroupId', chunk)).delete();
        removed.push(...rows.map((r) => (r.userId ?? r.memberGroupId)!));
      }
      if (opts.strict && removed.length !== ids.length) throw notFound('Member');
      if (!removed.length) return 0;
      await this.bumpVersion(trx, group, {});
      for (const memberId of removed) {
        await recordActivity(trx, { tenantId: tenant.id, action: 'group.member_removed', actor: eventActorOf(actor), subjectType: 'group', subjectId: group.id, details: { member_id: memberId } });
      }
      return removed.length;
    });
  }

  private async row(knex: Knex, tenantId: string, groupId: string): Promise<GroupRow> {
    if (!isUuid(groupId)) throw notFound('Group');
    const row = await knex('groups').where({ 'groups.tenant_id': tenantId, 'groups.id': groupId }).first(knex.raw(GROUP_COLUMNS));
    if (!row) throw notFound('Group');
    return row as GroupRow;
  }

  private async forWrite(trx: Knex, tenantId: string, groupId: string, opts: Versioned): Promise<Group> {
    if (!isUuid(groupId)) throw notFound('Group');
    const group = await Group.query(trx).findOne({ id: groupId, tenantId });
    if (!group) throw notFound('Group');
    if (opts.ifMatch !== undefined && opts.ifMatch !== group.version) {
      throw new AppError(412, 'precondition_failed', 'The group was changed by someone else; reload it and try again');
    }
    return group;
  }

  private async bumpVersion(trx: Knex, group: Group, patch: Partial<Group>) {
    const n = await Group.query(trx).patch({ ...patch, version: group.version + 1 }).where({ id: group.id, version: group.version });
    if (n !== 1) throw new AppError(412, 'precondition_failed', 'The group was changed by someone else; reload it and try again');
  }

  private async assertNameFree(trx: Knex, tenantId: string, name: string) {
    if (await trx('groups').where({ tenantId, nameNormalized: normalizeName(name) }).first('id')) {
      throw new AppError(409, 'conflict', `A group named "${name}" already exists`, 'name');
    }
  }


}

const rowsOf = (result: unknown): unknown[] => (Array.isArray(result) ? result : ((result as { rows: unknown[] }).rows ?? []));

function directMembersSql(groupId: string) {
  return {
    sql: `SELECT 'USER' AS member_type, u.id AS id, COALESCE(u.display_name, u.email) AS name, u.email, 1 AS direct, gm.created_at AS added_at
      FROM group_members gm JOIN users u ON u.id = gm.user_id WHERE gm.group_id = ? AND u.deleted_at IS NULL
      UNION ALL
      SELECT 'GROUP' AS member_type, g.id AS id, g.name, NULL AS email, 1 AS direct, gm.created_at AS added_at
      FROM group_members gm JOIN groups g ON g.id = gm.member_group_id WHERE gm.group_id = ?`,
    params: [groupId, groupId],
  };
}

function effectiveMembersSql(groupId: string) {
  return {
    sql: `SELECT 'USER' AS member_type, u.id AS id, COALESCE(u.display_name, u.email) AS name, u.email,
        CASE WHEN EXISTS (SELECT 1 FROM group_members d WHERE d.group_id = ? AND d.user_id = u.id) THEN 1 ELSE 0 END AS direct,
        NULL AS added_at
      FROM users u WHERE u.deleted_at IS NULL AND EXISTS (
        SELECT 1 FROM group_members gm WHERE gm.user_id = u.id AND gm.group_id IN (${GROUP_AND_DESCENDANTS_IDS}))`,
    params: [groupId, groupId],
  };
}
