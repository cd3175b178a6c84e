import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createServerDatabase, rootAuthOf, startServer, type ServerDatabase, type ServerProcess } from '../support/server-process';
import { PASSWORD } from '../support/test-app';

/*
 * A real server process killed with SIGKILL in the middle of a stream of writes. Every write it
 * acknowledged (201) must be there after a restart, whole (the user with its creation event), and
 * on SQLite the file must pass PRAGMA integrity_check. Runs on SQLite, and on PostgreSQL under
 * `npm run test:pg`.
 */
let store: ServerDatabase | undefined;
let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.kill();
  await store?.drop();
});

interface Ack { id: string; email: string }

async function writeUntilStopped(url: string, auth: Record<string, string>, tenantId: string, acked: Ack[], stop: { now: boolean }) {
  while (!stop.now) {
    const email = `k-${crypto.randomUUID()}@example.com`;
    try {
      const res = await fetch(`${url}/api/v1/tenants/${tenantId}/users`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD, send_welcome_email: false, first_name: 'Kill', last_name: 'Nine' }),
      });
      if (res.status === 201) acked.push({ id: ((await res.json()) as { data: { id: string } }).data.id, email });
    } catch {
      // The connection died with the process: this write was never acknowledged.
      return;
    }
  }
}

describe('kill -9 under a stream of writes', () => {
  it('keeps every acknowledged write, whole, and an intact database', { timeout: 120_000 }, async () => {
    store = await createServerDatabase();
    server = await startServer(store.env);
    const auth = await rootAuthOf(server.url);
    const tenant = await fetch(`${server.url}/api/v1/tenants`, {
      method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'Kill nine', slug: `k9-${crypto.randomUUID().slice(0, 8)}` }),
    });
    const tenantId = ((await tenant.json()) as { data: { id: string } }).data.id;

    const acked: Ack[] = [];
    const stop = { now: false };
    const writers = Array.from({ length: 6 }, () => writeUntilStopped(server!.url, auth, tenantId, acked, stop));
    // Kill once a good number of writes went through, with more of them in flight.
    const until = Date.now() + 30_000;
    while (acked.length < 40 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await server.kill();
    stop.now = true;
    await Promise.all(writers);
    expect(acked.length).toBeGreaterThanOrEqual(40);

    server = await startServer(store.env);
    const db = await store.open();
    try {
      const ids = acked.map((a) => a.id);
      const rows = await db.knex('users').whereIn('id', ids).select('id', 'email');
      expect(rows.length).toBe(ids.length);
      expect(new Map(rows.map((r: { id: string; email: string }) => [r.id, r.email]))).toEqual(new Map(acked.map((a) => [a.id, a.email])));
      const events = await db.knex('activity_events').whereIn('subject_id', ids).where({ action: 'user.created' }).countDistinct({ n: 'subject_id' });
      expect(Number(events[0].n)).toBe(ids.length);
      // Nothing half-written either: no user in the tenant without its creation event.
      const all = await db.knex('users').where({ tenantId }).pluck('id');
      const withEvent = await db.knex('activity_events').whereIn('subject_id', all).where({ action: 'user.created' }).countDistinct({ n: 'subject_id' });
      expect(Number(withEvent[0].n)).toBe(all.length);
      if (db.dialect === 'sqlite') {
        const check = await db.knex.raw('PRAGMA integrity_check');
        expect(check.map((r: Record<string, string>) => Object.values(r)[0])).toEqual(['ok']);
      }
    } finally {
      await db.close();
    }

    // The restarted server serves the acknowledged rows and takes writes again.
    const auth2 = await rootAuthOf(server.url);
    const some = await fetch(`${server.url}/api/v1/tenants/${tenantId}/users/${acked[acked.length - 1].id}`, { headers: auth2 });
    expect(some.status).toBe(200);
    const more = await fetch(`${server.url}/api/v1/tenants/${tenantId}/users`, {
      method: 'POST', headers: { ...auth2, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: `after-${crypto.randomUUID().slice(0, 8)}@example.com`, password: PASSWORD, send_welcome_email: false }),
    });
    expect(more.status).toBe(201);
  });
});
