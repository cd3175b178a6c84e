import type { Knex } from 'knex';
import type { Actor } from '../http/context';
import type { Database } from '../db/database';
import { isUuid } from '../db/ids';
import { notFound } from '../errors/app-error';
import { escapeLike } from '../queries/like';
import { iso, json } from '../presenters/values';
import type { TenantService } from './tenant-service';

const PAGE_DEFAULT = 50;
const PAGE_MAX = 100;

export interface ActivityFilter {
  action?: string;
  since?: string;
  until?: string;
  actor_id?: string;
  subject_id?: string;
  cursor?: string;
  limit?: number;
}

interface EventRow {
  id: string; tenantId: string; action: string; actorType: 'user' | 'system' | 'token' | 'application'; actorId: string | null;
  subjectType: string; subjectId: string | null; details: unknown; ip: string | null; requestId: string | null; createdAt: unknown;
}

export const presentEvent = (e: EventRow) => ({
  id: e.id, tenant_id: e.tenantId, action: e.action, actor_type: e.actorType, actor_id: e.actorId ?? null, subject_type: e.subjectType,
  subject_id: e.subjectId ?? null, details: json<Record<string, unknown>>(e.details) ?? {}, ip: e.ip ?? null, request_id: e.requestId ?? null,
  created_at: iso(e.createdAt)!,
});

/**
 * The activity log, read-only: nothing here changes or deletes an event. Pages go newest first by
 * id (UUIDv7, so by time) with a cursor, which the (tenant_id, id) and (subject_id, id) indexes serve
 * directly and which new events never shift.
 */
export class ActivityService {
  constructor(
    private readonly db: Database,
    private readonly tenants: TenantService,
  ) {}

  async forTenant(actor: Actor, tenantRef: string, f: ActivityFilter) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    return this.page(this.db.knex('activity_events').where('tenantId', tenant.id), f);
  }

  async forUser(actor: Actor, tenantId: string, userId: string, f: ActivityFilter) {
    await this.assertUser(actor, tenantId, userId);
    return this.page(this.ofUser(userId), f);
  }

  async countForUser(actor: Actor, tenantId: string, userId: string, f: ActivityFilter) {
    await this.assertUser(actor, tenantId, userId);
    const [{ count }] = await filtered(this.ofUser(userId), f).count({ count: '*' });
    return { count: Number(count) };
  }

  /** The query a live stream of the tenant's events polls, once the caller's reach is checked. */
  async tenantEvents(actor: Actor, tenantRef: string) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    return () => this.db.knex('activity_events').where('tenantId', tenant.id);
  }

  /** The query a live stream of one user's events polls. */
  async userEvents(actor: Actor, tenantId: string, userId: string) {
    await this.assertUser(actor, tenantId, userId);
    return () => this.ofUser(userId);
  }

  /** A user's events, and those of the accounts merged into it: history survives a merge. */
  private ofUser(userId: string) {
    return this.db.knex('activity_events').where((w) =>
      w.where('subjectId', userId).orWhereIn('subjectId', this.db.knex('users').where('mergedInto', userId).select('id')),
    );
  }

  private async page(base: Knex.QueryBuilder, f: ActivityFilter) {
    const limit = Math.min(f.limit ?? PAGE_DEFAULT, PAGE_MAX);
    const q = filtered(base, f);
    if (f.cursor) q.where('id', '<', f.cursor);
    const rows: EventRow[] = await q.orderBy('id', 'desc').limit(limit + 1).select('*');
    const more = rows.length > limit;
    const items = rows.slice(0, limit).map(presentEvent);
    return { items, perPage: limit, nextCursor: more ? items[items.length - 1].id : null };
  }

  private async assertUser(actor: Actor, tenantRef: string, userId: string) {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    // Events outlive their user (soft or permanent delete), so the check is on the tenant's events.
    if (!isUuid(userId)) throw notFound('User');
    const known = await this.db.knex('users').where({ id: userId, tenantId: tenant.id }).first('id')
      ?? await this.db.knex('activity_events').where({ subjectId: userId, tenantId: tenant.id }).first('id');
    if (!known) throw notFound('User');
  }
}

function filtered(q: Knex.QueryBuilder, f: ActivityFilter): Knex.QueryBuilder {
  if (f.action) {
    const actions = f.action.split(',').map((a) => a.trim()).filter(Boolean);
    q.where((w) => {
      for (const a of actions) {
        if (a.endsWith('*')) w.orWhereRaw(`action LIKE ? ESCAPE '\\'`, [`${escapeLike(a.slice(0, -1))}%`]);
        else w.orWhere('action', a);
      }
    });
  }
  if (f.since) q.where('createdAt', '>=', new Date(f.since).toISOString());
  if (f.until) q.where('createdAt', '<', new Date(f.until).toISOString());
  if (f.actor_id) q.where('actorId', f.actor_id);
  if (f.subject_id) q.where('subjectId', f.subject_id);
  return q;
}
