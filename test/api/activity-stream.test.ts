import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Auth, type TestApp } from '../support/test-app';

/** Streams need a real socket: supertest would wait for the response to end. */
let app: TestApp;
let server: http.Server;
let base: string;
let t: { tenantId: string; slug: string; auth: Auth };

beforeAll(async () => {
  app = await createTestApp();
  server = http.createServer(app.roster.app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t = await app.tenantWithUser('tenant_admin');
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await app.close();
});

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
}

/** Opens an SSE stream and collects parsed events; `until` says when enough has arrived. */
async function listen(path: string, auth: Auth, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(`${base}${path}`, { headers: { ...auth, Accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const events: SseEvent[] = [];
  const raw: string[] = [];
  const reader = res.body!.getReader();
  let buffer = '';
  const pump = (async () => {
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          raw.push(block);
          const event: SseEvent = {};
          for (const line of block.split('\n')) {
            const m = /^(id|event|data): (.*)$/.exec(line);
            if (m) event[m[1] as keyof SseEvent] = m[2];
          }
          if (event.data) events.push(event);
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    res,
    events,
    raw,
    async until(check: () => boolean, ms = 3000) {
      const start = Date.now();
      while (!check() && Date.now() - start < ms) await new Promise((r) => setTimeout(r, 25));
      return check();
    },
    async close() {
      controller.abort();
      await pump;
    },
  };
}

const patch = (userId: string, body: Record<string, unknown>) => app.http.patch(`/api/v1/tenants/${t.tenantId}/users/${userId}`).set(t.auth).send(body);

describe('activity streams', () => {
  it('deliver an event caused by another request within a second, with keep-alive headers', async () => {
    const u = await app.createUser(t.tenantId, { password: undefined });
    const stream = await listen(`/api/v1/users/${u.id}/activities/stream`, t.auth);
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await stream.until(() => stream.raw.some((b) => b.includes(': connected')))).toBe(true);

    const started = Date.now();
    expect((await patch(u.id, { job_title: 'Live' })).status).toBe(200);
    expect(await stream.until(() => stream.events.length >= 1, 2000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1500);
    const event = JSON.parse(stream.events[0].data!);
    expect(stream.events[0]).toMatchObject({ event: 'activity', id: event.id });
    expect(event).toMatchObject({ action: 'user.updated', subject_id: u.id, details: { changes: { job_title: { from: null, to: 'Live' } } } });
    await stream.close();
  });

  it('resume after Last-Event-ID without gaps or repeats', async () => {
    const u = await app.createUser(t.tenantId, { password: undefined });
    const first = await listen(`/api/v1/users/${u.id}/activities/stream`, t.auth);
    await first.until(() => first.raw.length > 0);
    await patch(u.id, { job_title: 'one' });
    await first.until(() => first.events.length === 1);
    const lastId = first.events[0].id!;
    await first.close();

    // Written while no one listens.
    await patch(u.id, { job_title: 'two' });
    await patch(u.id, { job_title: 'three' });

    const second = await listen(`/api/v1/users/${u.id}/activities/stream`, t.auth, { 'Last-Event-ID': lastId });
    expect(await second.until(() => second.events.length >= 2)).toBe(true);
    await patch(u.id, { job_title: 'four' });
    expect(await second.until(() => second.events.length >= 3)).toBe(true);
    await new Promise((r) => setTimeout(r, 900)); // a few more polls: nothing may come twice
    const titles = second.events.map((e) => JSON.parse(e.data!).details.changes.job_title.to);
    expect(titles).toEqual(['two', 'three', 'four']);
    const ids = second.events.map((e) => e.id!);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id > lastId)).toBe(true);
    await second.close();
  });

  it('the tenant stream carries every event of the tenant and nothing of another', async () => {
    const other = await app.tenantWithUser('tenant_admin');
    const stream = await listen(`/api/v1/tenants/${t.tenantId}/audit-events/stream`, t.auth);
    await stream.until(() => stream.raw.length > 0);
    const mine = await app.createUser(t.tenantId, { password: undefined });
    await app.createUser(other.tenantId, { password: undefined });
    expect(await stream.until(() => stream.events.some((e) => JSON.parse(e.data!).subject_id === mine.id))).toBe(true);
    await new Promise((r) => setTimeout(r, 600));
    expect(stream.events.every((e) => JSON.parse(e.data!).tenant_id === t.tenantId)).toBe(true);
    await stream.close();
    // Out of reach: no stream at all.
    const denied = await fetch(`${base}/api/v1/tenants/${other.tenantId}/audit-events/stream`, { headers: t.auth });
    expect(denied.status).toBe(404);
    const anonymous = await fetch(`${base}/api/v1/tenants/${t.tenantId}/audit-events/stream`);
    expect(anonymous.status).toBe(401);
  });
});
