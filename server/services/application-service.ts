import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { v7 as uuidv7 } from 'uuid';
import { Application } from '../models/application';
import { nowIso } from '../models/base-model';
import { notFound } from '../errors/app-error';
import { assertInTenant } from './tenant-rows';
import type { Actor } from '../http/context';
import type { Database } from '../db/database';
import { isUuid } from '../db/ids';
import { randomToken, sha256 } from '../auth/token-signer';
import { resolvePaging, type PagingInput } from '../queries/paging';
import { escapeLike } from '../queries/like';
import { APPLICATION_EFFECTIVE_USERS_SQL, USER_APPLICATIONS_SQL } from '../queries/group-graph';
import { eventActorOf, recordActivity } from './activity-log';
import type { TenantService } from './tenant-service';
import { bool, iso, json } from '../presenters/values';

// assigned_users counts live users only, as the assignments list shows them.
const COLUMNS = `applications.*,
  (SELECT COUNT(*) FROM application_assignments a JOIN users u ON u.id = a.user_id WHERE a.application_id = applications.id AND u.deleted_at IS NULL) AS assigned_users,
  (SELECT COUNT(*) FROM application_assignments a WHERE a.application_id = applications.id AND a.group_id IS NOT NULL) AS assigned_groups`;

interface AppRow {
  id: string; tenantId: string; name: string; description: string | null; clientId: string; scopes: unknown; enabled: unknown;
  assignedUsers: number | string; assignedGroups: number | string; createdAt: unknown; updatedAt: unknown;
}
const present = (a: AppRow, clientSecret?: string) => ({
  id: a.id, tenant_id: a.tenantId, name: a.name, description: a.description ?? null, client_id: a.clientId,
  scopes: json<string[]>(a.scopes) ?? [], enabled: bool(a.enabled), assigned_users: Number(a.assignedUsers), assigned_groups: Number(a.assignedGroups),
  created_at: iso(a.createdAt)!, updated_at: iso(a.updatedAt)!, ...(clientSecret ? { client_secret: clientSecret } : {}),
});

/** Applications (seed 002's workspaces): assignments, effective users, client credentials. */
export class ApplicationService {
  constructor(
    private readonly db: Database,
    private readonly tenants: TenantService,
  ) {}

  async list(actor: Actor, tenantRef: string, q: PagingInput & { search?: string; sort_order?: 'asc' | 'desc' }) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    const paging = resolvePaging(q);
    const base = () => this.db.knex('applications').where('applications.tenant_id', tenant.id).modify((qb) => {
      if (q.search) qb.whereRaw(`lower(applications.name) LIKE ? ESCAPE '\\'`, [`%${escapeLike(q.search.toLowerCase())}%`]);
    });
    const [{ total }] = await base().count({ total: '*' });
    const rows: AppRow[] = await base().select(this.db.knex.raw(COLUMNS)).orderBy('applications.name', q.sort_order ?? 'asc').orderBy('applications.id').limit(paging.limit).offset(paging.offset);
    return { items: rows.map((r) => present(r)), page: paging.page, perPage: paging.perPage, totalItems: Number(total) };
  }

  async get(actor: Actor, tenantRef: string, id: string) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    return present(await this.row(this.db.knex, tenant.id, id));
  }

  /** The client secret is in this answer only; the database keeps its SHA-256. */
  async create(actor: Actor, tenantRef: string, input: { name: string; description?: string | null; scopes: string[]; enabled: boolean }) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    const secret = randomToken();
    const id = await this.db.knex.transaction(async (trx) => {
      const app = await Application.query(trx).insert({
        tenantId: tenant.id, name: input.name, description: input.description ?? null, clientId: `app_${crypto.randomBytes(12).toString('hex')}`,
        clientSecretHash: sha256(secret), scopes: [...new Set(input.scopes)], enabled: input.enabled,
      });
      await recordActivity(trx, { tenantId: tenant.id, action: 'application.created', actor: eventActorOf(actor), subjectType: 'application', subjectId: app.id, details: { name: app.name, scopes: app.scopes } });
      return app.id;
    });
    return present(await this.row(this.db.knex, tenant.id, id), secret);
  }

  async update(actor: Actor, tenantRef: string, id: string, input: { name?: string; description?: string | null; scopes?: string[]; enabled?: boolean }) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    await this.db.knex.transaction(async (trx) => {
      const app = await this.row(trx, tenant.id, id);
      await Application.query(trx).patch({ ...input, ...(input.scopes ? { scopes: [...new Set(input.scopes)] } : {}) }).where({ id: app.id });
      await recordActivity(trx, { tenantId: tenant.id, action: 'application.updated', actor: eventActorOf(actor), subjectType: 'application', subjectId: app.id, details: { fields: Object.keys(input) } });
    });
    return this.get(actor, tenant.id, id);
  }

  async rotateSecret(actor: Actor, tenantRef: string, id: string) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    const secret = randomToken();
    await this.db.knex.transaction(async (trx) => {
      const app = await this.row(trx, tenant.id, id);
      await Application.query(trx).patch({ clientSecretHash: sha256(secret) }).where({ id: app.id });
      await recordActivity(trx, { tenantId: tenant.id, action: 'application.secret_rotated', actor: eventActorOf(actor), subjectType: 'application', subjectId: app.id });
    });
    return present(await this.row(this.db.knex, tenant.id, id), secret);
  }

  async delete(actor: Actor, tenantRef: string, id: string) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    await this.db.knex.transaction(async (trx) => {
      const app = await this.row(trx, tenant.id, id);
      await trx('applications').where({ id: app.id }).delete();
      await recordActivity(trx, { tenantId: tenant.id, action: 'application.deleted', actor: eventActorOf(actor), subjectType: 'application', subjectId: app.id, details: { name: app.name } });
    });
  }

  async assignments(actor: Actor, tenantRef: string, id: string, q: PagingInput) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    await this.row(this.db.knex, tenant.id, id);
    const paging = resolvePaging(q);
    const sql = `SELECT 'USER' AS assignee_type, u.id AS id, COALESCE(u.display_name, u.email) AS name, u.email, a.created_at AS assigned_at
        FROM application_assignments a JOIN users u ON u.id = a.user_id WHERE a.application_id = ? AND u.deleted_at IS NULL
      UNION ALL
      SELECT 'GROUP' AS assignee_type, g.id AS id, g.name, NULL AS email, a.created_at AS assigned_at
        FROM application_assignments a JOIN groups g ON g.id = a.group_id WHERE a.application_id = ?`;
    const [{ total }] = await this.db.reads.all<{ total: number }>(`SELECT COUNT(*) AS total FROM (${sql}) x`, [id, id]);
    const rows = await this.db.reads.all<{ assigneeType: 'USER' | 'GROUP'; id: string; name: string | null; email: string | null; assignedAt: unknown }>(
      `${sql} ORDER BY assignee_type DESC, name, id LIMIT ? OFFSET ?`, [id, id, paging.limit, paging.offset]);
    const items = rows.map((r) => ({ assignee_type: r.assigneeType, id: r.id, name: r.name ?? null, email: r.email ?? null, assigned_at: iso(r.assignedAt)! }));
    return { items, page: paging.page, perPage: paging.perPage, totalItems: Number(total) };
  }

  async assign(actor: Actor, tenantRef: string, id: string, input: { user_ids: string[]; group_ids: string[] }) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    await this.db.knex.transaction(async (trx) => {
      const app = await this.row(trx, tenant.id, id);
      const userIds = await assertInTenant(trx, 'users', tenant.id, [...new Set(input.user_ids)], 'user_ids');
      const groupIds = await assertInTenant(trx, 'groups', tenant.id, [...new Set(input.group_ids)], 'group_ids');
      const present = await trx('application_assignments').where({ applicationId: app.id }).select('userId', 'groupId');
      const have = new Set(present.flatMap((r: { userId: string | null; groupId: string | null }) => [r.userId, r.groupId]));
      const now = nowIso();
      const rows = [
        ...userIds.filter((u) => !have.has(u)).map((userId) => ({ tenantId: tenant.id, applicationId: app.id, userId, createdAt: now })),
        ...groupIds.filter((g) => !have.has(g)).map((groupId) => ({ tenantId: tenant.id, applicationId: app.id, groupId, createdAt: now })),
      ];
      // Through knex, not the model: objection inserts several rows at once on PostgreSQL only.
      for (let i = 0; i < rows.length; i += 200) await trx('application_assignments').insert(rows.slice(i, i + 200).map((r) => ({ id: uuidv7(), ...r })));
      if (rows.length) {
        await recordActivity(trx, { tenantId: tenant.id, action: 'application.assigned', actor: eventActorOf(actor), subjectType: 'application', subjectId: app.id, details: { user_ids: userIds.filter((u) => !have.has(u)), group_ids: groupIds.filter((g) => !have.has(g)) } });
      }
    });
    return this.get(actor, tenant.id, id);
  }

  async unassign(actor: Actor, tenantRef: string, id: string, assigneeId: string) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    await this.db.knex.transaction(async (trx) => {
      const app = await this.row(trx, tenant.id, id);
      const n = isUuid(assigneeId) ? await trx('application_assignments').where({ applicationId: app.id }).andWhere((w) => w.where('userId', assigneeId).orWhere('groupId', assigneeId)).delete() : 0;
      if (!n) throw notFound('Assignment');
      await recordActivity(trx, { tenantId: tenant.id, action: 'application.unassigned', actor: eventActorOf(actor), subjectType: 'application', subjectId: app.id, details: { assignee_id: assigneeId } });
    });
  }

  /** Users the application reaches, directly or through nested groups, paged in SQL. */
  async effectiveUsers(actor: Actor, tenantRef: string, id: string, q: PagingInput & { sort_order?: 'asc' | 'desc' }) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    // An application token reads its own effective users; another application's are not in its reach.
    if (actor.principal.kind === 'application' && actor.principal.applicationId !== id) throw notFound('Application');
    await this.row(this.db.knex, tenant.id, id);
    const paging = resolvePaging(q);
    const params = [id, id, tenant.id, id];
    const [{ total }] = await this.db.reads.all<{ total: number }>(`SELECT COUNT(*) AS total FROM (${APPLICATION_EFFECTIVE_USERS_SQL}) x`, params);
    const order = q.sort_order === 'desc' ? 'DESC' : 'ASC';
    const rows = await this.db.reads.all<{ id: string; email: string; username: string | null; displayName: string | null; status: string; assignment: 'DIRECT' | 'GROUP' }>(
      `${APPLICATION_EFFECTIVE_USERS_SQL} ORDER BY u.email_normalized ${order}, u.id ${order} LIMIT ? OFFSET ?`, [...params, paging.limit, paging.offset]);
    const items = rows.map((u) => ({ id: u.id, email: u.email, username: u.username ?? null, display_name: u.displayName ?? null, status: u.status, assignment: u.assignment }));
    return { items, page: paging.page, perPage: paging.perPage, totalItems: Number(total) };
  }

  /** Seed 002's active workspaces: the applications a user signed in to within `days`, latest first. */
  async activeFor(actor: Actor, tenantRef: string, userId: string, days: number) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    if (!isUuid(userId) || !(await this.db.knex('users').where({ id: userId, tenantId: tenant.id }).whereNull('deletedAt').first('id'))) throw notFound('User');
    const since = new Date(Date.now() - days * 86_400_000).toISOString();
    const rows = await this.db.knex('application_usage as u').join('applications as a', 'a.id', 'u.application_id')
      .where('u.user_id', userId).where('u.last_used_at', '>=', since)
      .orderBy('u.last_used_at', 'desc').select('a.id', 'a.name', 'a.client_id', 'u.first_used_at', 'u.last_used_at', 'u.sign_ins');
    return rows.map((r: { id: string; name: string; clientId: string; firstUsedAt: unknown; lastUsedAt: unknown; signIns: number }) => ({
      application_id: r.id, name: r.name, client_id: r.clientId, first_used_at: iso(r.firstUsedAt)!, last_used_at: iso(r.lastUsedAt)!, sign_ins: Number(r.signIns),
    }));
  }

  /** The applications a user reaches, directly or through (nested) groups: for its GDPR export. */
  async forUser(tenantId: string, userId: string) {
    const rows = await this.db.reads.all<{ id: string; name: string; clientId: string; assignment: 'DIRECT' | 'GROUP' }>(USER_APPLICATIONS_SQL, [userId, userId, tenantId, userId]);
    return rows.map((a) => ({ application_id: a.id, name: a.name, client_id: a.clientId, assignment: a.assignment }));
  }

  /** Whether the application reaches the user: what an application token may read, and nothing else. */
  async reaches(applicationId: string, tenantId: string, userId: string): Promise<boolean> {
    const hit = await this.db.reads.first(`SELECT 1 AS hit FROM (${APPLICATION_EFFECTIVE_USERS_SQL}) x WHERE x.id = ?`, [applicationId, applicationId, tenantId, applicationId, userId]);
    return Boolean(hit);
  }

  private async row(knex: Knex, tenantId: string, id: string): Promise<AppRow> {
    if (!isUuid(id)) throw notFound('Application');
    const row = await knex('applications').where({ 'applications.tenant_id': tenantId, 'applications.id': id }).first(knex.raw(COLUMNS));
    if (!row) throw notFound('Application');
    return row as AppRow;
  }


}
