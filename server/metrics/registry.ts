import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from '../db/database';

/** What tarn (Knex's pool) tells about itself; read at scrape time. */
interface PoolStats {
  max: number;
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
}

const IMPORT_STATUSES = ['queued', 'running', 'completed', 'failed', 'aborted', 'interrupted'] as const;

export interface RosterMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  loginFailures: Counter<'reason'>;
  sseClients: Gauge;
  /** Process metrics start on the first scrape, so apps that are never scraped (tests) pay nothing. */
  ensureProcessMetrics(): void;
}

/**
 * One registry per app, never prom-client's global one: two apps in one process (tests, the CLI)
 * keep their own figures. Gauges read from the database or the pool at scrape time, so they are
 * true for the whole cluster (import jobs) or this process (pool) at the moment Prometheus asks.
 */
export function createMetrics(db: Database): RosterMetrics {
  const registry = new Registry();
  const httpRequests = new Counter({
    name: 'roster_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'roster_http_request_duration_seconds',
    help: 'Time to answer an HTTP request (a stream counts until it ends), by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const loginFailures = new Counter({
    name: 'roster_login_failures_total',
    help: 'Refused sign-ins at /api/v1/auth/token, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const sseClients = new Gauge({
    name: 'roster_sse_clients',
    help: 'Activity streams (Server-Sent Events) open on this process',
    registers: [registry],
  });

  const pool = () => (db.knex.client as { pool?: PoolStats }).pool;
  new Gauge({
    name: 'roster_db_pool_connections',
    help: 'Database pool connections by state (SQLite: the one writer connection)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const p = pool();
      this.reset();
      if (!p) return;
      this.set({ state: 'used' }, p.numUsed());
      this.set({ state: 'free' }, p.numFree());
      this.set({ state: 'pending_acquire' }, p.numPendingAcquires());
      this.set({ state: 'pending_create' }, p.numPendingCreates());
    },
  });
  new Gauge({
    name: 'roster_db_pool_max',
    help: 'Largest number of connections the pool opens',
    registers: [registry],
    collect() {
      this.set(pool()?.max ?? 0);
    },
  });
  new Gauge({
    name: 'roster_import_jobs',
    help: 'Bulk-import jobs in the database, by status',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      // One grouped count over a small table; a failing database leaves the series out rather
      // than failing the whole scrape (the pool and process figures matter most then).
      const rows = (await db.knex('importJobs').select('status').count({ n: '*' }).groupBy('status').catch(() => [])) as { status: string; n: number | string }[];
      const counts = new Map(rows.map((r) => [r.status, Number(r.n)]));
      for (const status of IMPORT_STATUSES) this.set({ status }, counts.get(status) ?? 0);
    },
  });

  let processMetrics = false;
  return {
    registry, httpRequests, httpDuration, loginFailures, sseClients,
    ensureProcessMetrics() {
      if (processMetrics) return;
      processMetrics = true;
      collectDefaultMetrics({ register: registry });
    },
  };
}
