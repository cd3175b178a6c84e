import crypto from 'node:crypto';
import sqlite3 from 'sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, type TestApp } from '../support/test-app';

/*
 * SQLite under conditions the server does not control: another process holding the write lock,
 * a read-only database, a full disk. Each must answer 503 with Retry-After and the contract's
 * error body (never a 500, never a hang), write nothing, and pass again by itself once the cause
 * is gone, with PRAGMA integrity_check still ok.
 */
const onSqlite = !process.env.TEST_DATABASE_URL;
const BUSY_MS = 300;

let app: TestApp;
let filename: string;
beforeAll(async () => {
  if (!onSqlite) return;
  app = await createTestApp({ ROSTER_DB_BUSY_TIMEOUT_MS: String(BUSY_MS) });
  filename = (app.roster.db.knex.client.config.connection as { filename: string }).filename;
});
afterAll(() => app?.close());

const newUser = () => ({ email: `f-${crypto.randomUUID().slice(0, 8)}@example.com`, password: PASSWORD, send_welcome_email: false });
const create = () => app.http.post(`/api/v1/tenants/${app.defaultTenantId}/users`).set(app.rootAuth).send(newUser());

function openOther(): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(filename, (err) => (err ? reject(err) : resolve(db)));
  });
}
const exec = (db: sqlite3.Database, sql: string) => new Promise<void>((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve())));
const close = (db: sqlite3.Database) => new Promise<void>((resolve) => db.close(() => resolve()));

async function integrityCheck(): Promise<string> {
  const rows = await app.roster.db.knex.raw('PRAGMA integrity_check');
  // One column, named integrity_check (the snake_case mappers rename it): take its value.
  return rows.map((r: Record<string, string>) => Object.values(r)[0]).join(',');
}

function expect503(res: { status: number; body: { error?: { code: string; message: string } }; headers: Record<string, string> }, message: RegExp) {
  expect(res.status, JSON.stringify(res.body)).toBe(503);
  expect(res.body.error?.code).toBe('service_unavailable');
  expect(res.body.error?.message).toMatch(message);
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
}

const countUsers = async () => Number((await app.roster.db.knex('users').count({ n: '*' }))[0].n);

describe.runIf(onSqlite)('SQLite faults', () => {
  it('opens write transactions with BEGIN IMMEDIATE', async () => {
    const statements: string[] = [];
    const listener = (q: { sql: string }) => statements.push(q.sql);
    app.roster.db.knex.on('query', listener);
    try {
      expect((await create()).status).toBe(201);
    } finally {
      app.roster.db.knex.off('query', listener);
    }
    expect(statements).toContain('BEGIN IMMEDIATE;');
    expect(statements).not.toContain('BEGIN;');
  });

  it('a write lock held by another connection: 503 with Retry-After within the busy timeout, reads still served, then recovery', async () => {
    const other = await openOther();
    await exec(other, 'BEGIN IMMEDIATE');
    try {
      const before = await countUsers();
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 5 }, () => create()));
      const took = Date.now() - started;
      for (const res of answers) expect503(res, /busy/);
      // Bounded: five queued writes do not wait without end behind each other.
      expect(took).toBeLessThan(10 * BUSY_MS + 3000);
      const read = await app.http.get(`/api/v1/tenants/${app.defaultTenantId}/users`).set(app.rootAuth);
      expect(read.status).toBe(200);
      await exec(other, 'ROLLBACK');
      expect(await countUsers()).toBe(before);
    } finally {
      await close(other);
    }
    expect((await create()).status).toBe(201);
    expect(await integrityCheck()).toBe('ok');
  });

  it('a lock released within the busy timeout is waited for, not refused', async () => {
    const other = await openOther();
    await exec(other, 'BEGIN IMMEDIATE');
    const pending = create();
    await new Promise((r) => setTimeout(r, BUSY_MS / 3));
    await exec(other, 'COMMIT');
    await close(other);
    expect((await pending).status).toBe(201);
  });

  it('a read-only database: 503 naming it, nothing written, reads served, then recovery', async () => {
    const before = await countUsers();
    // The server's one writer connection turns read-only, as when the file or its disk does.
    await app.roster.db.knex.raw('PRAGMA query_only = ON');
    try {
      expect503(await create(), /read-only/);
      const patch = await app.http.patch(`/api/v1/tenants/${app.defaultTenantId}`).set(app.rootAuth).send({ name: 'Renamed while read-only' });
      expect503(patch, /read-only/);
      expect((await app.http.get(`/api/v1/tenants/${app.defaultTenantId}/users`).set(app.rootAuth)).status).toBe(200);
      expect(await countUsers()).toBe(before);
    } finally {
      await app.roster.db.knex.raw('PRAGMA query_only = OFF');
    }
    expect((await create()).status).toBe(201);
    expect(await integrityCheck()).toBe('ok');
  });

  it('a full database (max_page_count): 503 naming it, whole writes or none, then recovery', { timeout: 90_000 }, async () => {
    const knex = app.roster.db.knex;
    const [{ pageCount }] = await knex.raw('PRAGMA page_count');
    await knex.raw(`PRAGMA max_page_count = ${Number(pageCount) + 8}`);
    // Fill what is left, as other data on the same disk would: no free page remains.
    await knex.raw('CREATE TABLE fault_filler (b BLOB)');
    let filled = false;
    try {
      for (let i = 0; i < 1000 && !filled; i++) {
        await knex.raw('INSERT INTO fault_filler VALUES (randomblob(2048))').catch((err: { code?: string }) => {
          if (err.code !== 'SQLITE_FULL') throw err;
          filled = true;
        });
      }
      expect(filled, 'the database never filled up').toBe(true);
      // Rows still fit in the free space of pages already in use; write until they no longer do.
      const statuses: number[] = [];
      let refused: Awaited<ReturnType<typeof create>> | undefined;
      for (let i = 0; i < 300 && !refused; i++) {
        const before = await countUsers();
        const res = await app.http.post(`/api/v1/tenants/${app.defaultTenantId}/users`).set(app.rootAuth)
          .send({ email: `full-${i}-${crypto.randomUUID()}@example.com`, first_name: 'x'.repeat(150), send_welcome_email: false });
        statuses.push(res.status);
        if (res.status !== 201) {
          refused = res;
          // Refused means not written at all.
          expect(await countUsers()).toBe(before);
        }
      }
      expect(refused, `never refused: ${statuses.length} writes`).toBeDefined();
      expect503(refused!, /out of space/);
      expect503(await create(), /out of space/);
      expect((await app.http.get(`/api/v1/tenants/${app.defaultTenantId}/users`).set(app.rootAuth)).status).toBe(200);
    } finally {
      await knex.raw('PRAGMA max_page_count = 1073741823');
      await knex.raw('DROP TABLE IF EXISTS fault_filler');
    }
    expect((await create()).status).toBe(201);
    expect(await integrityCheck()).toBe('ok');
  });
});
