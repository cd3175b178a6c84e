import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ADMIN_EMAIL, type TestApp } from '../support/test-app';
import { metricValue, parseMetrics } from './prom-text';

async function scrape(app: TestApp) {
  const res = await app.http.get('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(res.text).samples;
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('/metrics', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('counts and times requests by route template, method and status', async () => {
    const { tenantId, auth } = await app.tenantWithUser('tenant_admin');
    const labels = { method: 'GET', route: '/api/v1/tenants/{tenant_id}/users', status: '200' };
    const before = await scrape(app);
    const countBefore = metricValue(before, 'roster_http_requests_total', labels) ?? 0;
    const histBefore = metricValue(before, 'roster_http_request_duration_seconds_count', labels) ?? 0;
    for (let i = 0; i < 3; i++) expect((await app.http.get(`/api/v1/tenants/${tenantId}/users`).set(auth)).status).toBe(200);
    expect((await app.http.get(`/api/v1/tenants/${tenantId}/users/01a20000-0000-7000-8000-000000000000`).set(auth)).status).toBe(404);
    expect((await app.http.get('/no/such/route/4711')).status).toBe(404);

    const after = await scrape(app);
    expect(metricValue(after, 'roster_http_requests_total', labels)).toBe(countBefore + 3);
    expect(metricValue(after, 'roster_http_request_duration_seconds_count', labels)).toBe(histBefore + 3);
    expect(metricValue(after, 'roster_http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(histBefore + 3);
    expect(metricValue(after, 'roster_http_requests_total', { route: '/api/v1/tenants/{tenant_id}/users/{user_id}', status: '404' })).toBe(1);
    // No raw URL ever becomes a label: an unknown path is counted as `unmatched`.
    expect(metricValue(after, 'roster_http_requests_total', { route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(after.some((s) => s.labels.route?.includes('4711') || s.labels.route?.includes(tenantId))).toBe(false);
  });

  it('counts refused sign-ins by reason', async () => {
    const reason = { reason: 'invalid_credentials' };
    const before = metricValue(await scrape(app), 'roster_login_failures_total', reason) ?? 0;
    const bad = await app.http.post('/api/v1/auth/token').send({ grant_type: 'password', username: ADMIN_EMAIL, password: 'not-the-password', tenant: 'default' });
    expect(bad.status).toBe(401);
    const unknown = await app.http.post('/api/v1/auth/token').send({ grant_type: 'password', username: 'nobody@nowhere.test', password: 'whatever-it-is', tenant: 'default' });
    expect(unknown.status).toBe(401);
    // A good sign-in and a refresh with a bad token are not sign-in failures.
    await app.login(ADMIN_EMAIL, 'root-password-123');
    expect((await app.http.post('/api/v1/auth/token').send({ grant_type: 'refresh_token', refresh_token: 'nope' })).status).toBe(401);
    expect(metricValue(await scrape(app), 'roster_login_failures_total', reason)).toBe(before + 2);
  });

  it('reports import jobs by status from the database, the pool and process metrics', async () => {
    const { tenantId, auth } = await app.tenantWithUser('tenant_admin');
    const before = metricValue(await scrape(app), 'roster_import_jobs', { status: 'completed' }) ?? 0;
    const res = await app.http.post(`/api/v1/users/bulk-import?tenant_id=${tenantId}`).set(auth).set('Content-Type', 'text/csv').send('email\nm1@example.com\nm2@example.com\n');
    expect(res.status).toBe(202);
    await until(async () => (await app.http.get(`/api/v1/import-jobs/${res.body.data.id}?tenant_id=${tenantId}`).set(auth)).body.data.status === 'completed');

    const samples = await scrape(app);
    expect(metricValue(samples, 'roster_import_jobs', { status: 'completed' })).toBe(before + 1);
    for (const status of ['queued', 'running', 'failed', 'aborted', 'interrupted']) expect(metricValue(samples, 'roster_import_jobs', { status })).toBeDefined();
    expect(metricValue(samples, 'roster_db_pool_max')).toBe(app.roster.db.dialect === 'sqlite' ? 1 : 10);
    expect(metricValue(samples, 'roster_db_pool_connections', { state: 'used' })).toBeGreaterThanOrEqual(0);
    expect(metricValue(samples, 'roster_db_pool_connections', { state: 'pending_acquire' })).toBe(0);
    expect(metricValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(metricValue(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('gauges the open activity streams', async () => {
    const server = http.createServer(app.roster.app.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const before = metricValue(await scrape(app), 'roster_sse_clients');
      expect(before).toBe(0);
      const abort = new AbortController();
      const res = await fetch(`${url}/api/v1/tenants/${app.defaultTenantId}/audit-events/stream`, { headers: app.rootAuth, signal: abort.signal });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      await reader.read();
      expect(metricValue(await scrape(app), 'roster_sse_clients')).toBe(1);
      abort.abort();
      await reader.read().catch(() => undefined);
      await until(async () => metricValue(await scrape(app), 'roster_sse_clients') === 0);
      // The stream's request is counted once it ends, under its route.
      await until(async () => (metricValue(await scrape(app), 'roster_http_requests_total', { route: '/api/v1/tenants/{tenant_id}/audit-events/stream' }) ?? 0) === 1);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('refuses a request that came through a proxy when no token is set', async () => {
    const res = await app.http.get('/metrics').set('X-Forwarded-For', '203.0.113.9');
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'forbidden' });
    expect((await app.http.post('/metrics')).status).toBe(405);
  });

  const external = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
  it.skipIf(!external)('refuses a caller that is not on loopback when no token is set', async () => {
    const server = http.createServer(app.roster.app.callback());
    await new Promise<void>((r) => server.listen(0, external!.address, r));
    try {
      const res = await fetch(`http://${external!.address}:${(server.address() as AddressInfo).port}/metrics`);
      expect(res.status).toBe(403);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('/metrics with ROSTER_METRICS_TOKEN', () => {
  const token = 'metrics-token-0123456789abcdef';
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ ROSTER_METRICS_TOKEN: token });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('requires the bearer token, from loopback too', async () => {
    const none = await app.http.get('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.body.error).toMatchObject({ code: 'unauthorized' });
    expect((await app.http.get('/metrics').set('Authorization', `Bearer ${token}x`)).status).toBe(401);
    // A user's access token is not the metrics token.
    expect((await app.http.get('/metrics').set(app.rootAuth)).status).toBe(401);
    const ok = await app.http.get('/metrics').set('Authorization', `Bearer ${token}`).set('X-Forwarded-For', '203.0.113.9');
    expect(ok.status).toBe(200);
    expect(metricValue(parseMetrics(ok.text).samples, 'roster_http_requests_total', { route: '/metrics', status: '401' })).toBe(3);
  });
});
