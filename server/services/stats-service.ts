import type { Actor } from '../http/context';
import type { Database, Dialect } from '../db/database';
import type { TenantService } from './tenant-service';
import { UserStatus } from '../../shared/schemas/user';
import type { TenantStats } from '../../shared/schemas/stats';

const DAY_MS = 86_400_000;
const WEEK_DAYS = 7;
const LOGIN = 'user.login';
const LOGIN_FAILED = 'user.login_failed';
const LOCKED = 'user.locked';
const STATUS_CHANGED = 'user.status_changed';

/**
 * The smallest UUIDv7 of a millisecond. Activity and import-job ids are UUIDv7, whose first 48
 * bits are the creation time, so `id >= bound` turns "since then" into a range scan of the
 * existing (tenant_id, id) indexes instead of a scan of the tenant's whole history.
 */
export function uuidV7Floor(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/** The UTC calendar day of a timestamp column, as YYYY-MM-DD, in each engine's own terms. */
const dayOf = (dialect: Dialect, column: string) =>
  dialect === 'pg' ? `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')` : `substr(${column}, 1, 10)`;

/** A text field of a JSON column (only read on the few status-change events). */
const jsonText = (dialect: Dialect, column: string, key: string) =>
  dialect === 'pg' ? `(${column} ->> '${key}')` : `json_extract(${column}, '$.${key}')`;

const dayKey = (ms: number) => new Date(ms).toISOString().slice(0, 10);

interface DayRow { day: string; signIns: unknown; failedSignIns: unknown; lockouts: unknown }

/**
 * The dashboard's figures, every one counted by the database with GROUP BY: users by status,
 * and per UTC day the sign-ins, failed sign-ins and lockouts (automatic ones and admins' locks),
 * plus the imports of the last seven days.
 */
export class StatsService {
  constructor(
    private readonly db: Database,
    private readonly tenants: TenantService,
  ) {}

  async forTenant(actor: Actor, tenantRef: string, days: number): Promise<TenantStats> {
    const tenant = await this.tenants.resolve(actor.principal, tenantRef);
    const now = Date.now();
    const todayStart = Math.floor(now / DAY_MS) * DAY_MS;
    const seriesStart = todayStart - (days - 1) * DAY_MS;
    const weekStart = todayStart - (WEEK_DAYS - 1) * DAY_MS;
    const since = Math.min(seriesStart, weekStart);

    const [byStatus, perDay, imports] = await Promise.all([
      this.usersByStatus(tenant.id),
      this.eventsPerDay(tenant.id, since),
      this.importsSince(tenant.id, weekStart),
    ]);

    const counted = new Map(perDay.map((r) => [r.day, { sign_ins: Number(r.signIns), failed_sign_ins: Number(r.failedSignIns), lockouts: Number(r.lockouts) }]));
    const dayAt = (ms: number) => ({ date: dayKey(ms), ...(counted.get(dayKey(ms)) ?? { sign_ins: 0, failed_sign_ins: 0, lockouts: 0 }) });
    const series = Array.from({ length: days }, (_, i) => dayAt(seriesStart + i * DAY_MS));
    const week = Array.from({ length: WEEK_DAYS }, (_, i) => dayAt(weekStart + i * DAY_MS));
    const sum = (key: 'sign_ins' | 'failed_sign_ins' | 'lockouts') => week.reduce((n, d) => n + d[key], 0);

    const statusCounts = new Map(byStatus.map((r) => [r.status, Number(r.count)]));
    const usersByStatus = UserStatus.options.map((status) => ({ status, count: statusCounts.get(status) ?? 0 }));

    return {
      tenant_id: tenant.id,
      generated_at: new Date(now).toISOString(),
      users_by_status: usersByStatus,
      total_users: usersByStatus.reduce((n, s) => n + s.count, 0),
      days: series,
      week: {
        since: new Date(weekStart).toISOString(),
        sign_ins: sum('sign_ins'),
        failed_sign_ins: sum('failed_sign_ins'),
        lockouts: sum('lockouts'),
        imports: {
          jobs: Number(imports?.jobs ?? 0),
          created: Number(imports?.created ?? 0),
          updated: Number(imports?.updated ?? 0),
          failed: Number(imports?.failed ?? 0),
        },
      },
    };
  }

  /** Served by the (tenant_id, status, id) index. */
  private usersByStatus(tenantId: string): Promise<{ status: string; count: unknown }[]> {
    return this.db.knex('users').where('tenantId', tenantId).whereNull('deletedAt').groupBy('status').select('status').count({ count: '*' });
  }

  private eventsPerDay(tenantId: string, sinceMs: number): Promise<DayRow[]> {
    const { knex, dialect } = this.db;
    const lockout = `(action = '${LOCKED}' OR (action = '${STATUS_CHANGED}' AND ${jsonText(dialect, 'details', 'to')} = 'LOCKED'))`;
    const day = dayOf(dialect, 'created_at');
    return knex('activity_events')
      .where('tenantId', tenantId)
      .where('id', '>=', uuidV7Floor(sinceMs))
      // The id bound narrows the index range; created_at keeps the day boundary exact.
      .where('createdAt', '>=', new Date(sinceMs).toISOString())
      .whereIn('action', [LOGIN, LOGIN_FAILED, LOCKED, STATUS_CHANGED])
      .groupByRaw(day)
      .select(
        knex.raw(`${day} AS day`),
        knex.raw(`SUM(CASE WHEN action = ? THEN 1 ELSE 0 END) AS sign_ins`, [LOGIN]),
        knex.raw(`SUM(CASE WHEN action = ? THEN 1 ELSE 0 END) AS failed_sign_ins`, [LOGIN_FAILED]),
        knex.raw(`SUM(CASE WHEN ${lockout} THEN 1 ELSE 0 END) AS lockouts`),
      );
  }

  private importsSince(tenantId: string, sinceMs: number): Promise<{ jobs: unknown; created: unknown; updated: unknown; failed: unknown } | undefined> {
    return this.db
      .knex('importJobs')
      .where('tenantId', tenantId)
      .where('id', '>=', uuidV7Floor(sinceMs))
      .where('createdAt', '>=', new Date(sinceMs).toISOString())
      .where('dryRun', false)
      .first(
        this.db.knex.raw('COUNT(*) AS jobs'),
        this.db.knex.raw('COALESCE(SUM(created), 0) AS created'),
        this.db.knex.raw('COALESCE(SUM(updated), 0) AS updated'),
        this.db.knex.raw('COALESCE(SUM(failed), 0) AS failed'),
      );
  }
}
