import crypto from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, type TestApp } from '../support/test-app';

/*
 * PostgreSQL under conditions the server does not control: a lock held by another session
 * (bounded by lock_timeout), the database turned read-only, and the server's connections cut
 * (as on an administrator's shutdown or failover). Each answers 503 with Retry-After, never a
 * 500 or a hang, and the server recovers by itself once the cause is gone.
 */
const onPg = Boolean(process.env.TEST_DATABASE_URL);
const BUSY_MS = 300;

let app: TestApp;
let other: Knex;
let dbName: string;
beforeAll(async () => {
  if (!onPg) return;
  app = await createTestApp({ ROSTER_DB_BUSY_TIMEOUT_MS: String(BUSY_MS) });
  const url = (app.roster.db.knex.client.config.connection as { connectionString: string }).connectionString;
  dbName = new URL(url).pathname.slice(1);
  other = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 2 } });
});
afterAll(async () => {
  await other?.destroy();
  await app?.close();
});

const create = () => app.http.post(`/api/v1/tenants/${app.defaultTenantId}/users`).set(app.rootAuth)
  .send({ email: `pg-${crypto.randomUUID().slice(0, 8)}@example.com`, password: PASSWORD, send_welcome_email: false });
const countUsers = async () => Number((await other('users').count({ n: '*' }))[0].n);

function expect503(res: { status: number; body: { error?: { code: string; message: string } }; headers: Record<string, string> }, message?: RegExp) {
  expect(res.status, JSON.stringify(res.body)).toBe(503);
  expect(res.body.error?.code).toBe('service_unavailable');
  if (message) expect(res.body.error?.message).toMatch(message);
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
}

/** Ends every session of the server on this database but the caller's, as pg_terminate_backend does on failover. */
const cutConnections = () =>
  other.raw('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()', [dbName]);

/** Writes until one succeeds; every refusal on the way must be a 503. */
async function recovers(): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const res = await create();
    if (res.status === 201) return;
    expect503(res);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server did not recover');
}

describe.runIf(onPg)('PostgreSQL faults', () => {
  it('a table lock held by another session: 503 within lock_timeout, reads still served, then recovery', async () => {
    const before = await countUsers();
    const trx = await other.transaction();
    try {
      await trx.raw('LOCK TABLE users IN EXCLUSIVE MODE');
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 4 }, () => create()));
      for (const res of answers) expect503(res, /busy/);
      expect(Date.now() - started).toBeLessThan(10 * BUSY_MS + 3000);
      expect((await app.http.get(`/api/v1/tenants/${app.defaultTenantId}/users`).set(app.rootAuth)).status).toBe(200);
    } finally {
      await trx.rollback();
    }
    expect(await countUsers()).toBe(before);
    expect((await create()).status).toBe(201);
  });

  it('a read-only database and cut connections: 503, nothing written, then recovery', { timeout: 60_000 }, async () => {
    const before = await countUsers();
    await other.raw(`ALTER DATABASE ${dbName} SET default_transaction_read_only = on`);
    try {
      await cutConnections();
      // The first request may meet a cut connection, the next ones a read-only session: all 503.
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await create());
      for (const res of answers) expect503(res);
      expect(answers.at(-1)!.body.error.message).toMatch(/read-only/);
      expect(await countUsers()).toBe(before);
      expect((await app.http.get(`/api/v1/tenants/${app.defaultTenantId}/users`).set(app.rootAuth)).status).toBe(200);
    } finally {
      await other.raw(`ALTER DATABASE ${dbName} RESET default_transaction_read_only`);
    }
    await cutConnections();
    await recovers();
  });

  it('connections cut under a stream of requests: 503s only, then recovery without a restart', async () => {
    const writes = Array.from({ length: 6 }, (_, i) => (i === 2 ? cutConnections().then(() => undefined) : create()));
    const answers = (await Promise.all(writes)).filter((r) => r !== undefined);
    for (const res of answers) expect([201, 503]).toContain(res!.status);
    await recovers();
  });
});
