import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerDatabase, rootAuthOf, startServer, type ServerDatabase, type ServerProcess } from '../support/server-process';
import { PASSWORD } from '../support/test-app';

/**
 * Issue 8's claim that several stateless servers on one PostgreSQL database behave as one, proven
 * with two real server processes started together on an empty database. The claim is about
 * PostgreSQL (the SQLite file is for one server), so this runs under `npm run test:pg` only.
 */
const onPg = Boolean(process.env.TEST_DATABASE_URL);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers, read field by field

async function call(base: string, method: string, path: string, auth?: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(auth ? { Authorization: auth } : {}), ...(body === undefined ? {} : { 'Content-Type': contentType }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
}

async function login(base: string, username: string, tenant: string, password = PASSWORD) {
  const res = await call(base, 'POST', '/api/v1/auth/token', undefined, { grant_type: 'password', username, password, tenant });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { auth: `Bearer ${res.body.access_token}`, refresh: res.body.refresh_token as string };
}

describe.skipIf(!onPg)('two servers on one PostgreSQL database (npm run test:pg; skipped on SQLite, where one server owns the file)', () => {
  let db: ServerDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  let root: string;
  let tenant: { id: string; slug: string };

  beforeAll(async () => {
    db = await createServerDatabase();
    // Both on the empty database at once: migrations and the first-start bootstrap must not trip
    // over each other (Knex's migration lock; insert-if-absent for the first tenant and admin).
    const started = await Promise.allSettled([startServer(db.env), startServer(db.env)]);
    const [first, second] = started.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
    [a, b] = [first!, second!];
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    root = (await rootAuthOf(a.url)).Authorization;
    const slug = `t-${crypto.randomUUID().slice(0, 8)}`;
    const t = await call(a.url, 'POST', '/api/v1/tenants', root, { name: `Tenant ${slug}`, slug });
    expect(t.status).toBe(201);
    tenant = { id: t.body.data.id, slug };
  }, 180_000);

  afterAll(async () => {
    await Promise.all([a?.kill(), b?.kill()]);
    await db?.drop();
  });

  async function userIn(base: string, fields: Json = {}) {
    const email = `u-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const res = await call(base, 'POST', `/api/v1/tenants/${tenant.id}/users`, root, { email, password: PASSWORD, send_welcome_email: false, ...fields });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.data as Json;
  }

  it('migrated the empty database once, both servers answering with one signing secret', async () => {
    const check = await db.open();
    try {
      const done = await check.knex('knex_migrations').select('name');
      const names = done.map((r: { name: string }) => r.name);
      expect(new Set(names).size).toBe(names.length);
      const admins = await check.knex('users').where({ role: 'super_admin' }).count({ n: '*' });
      expect(Number(admins[0].n)).toBe(1);
      const [lock] = await check.knex('knex_migrations_lock').select('is_locked');
      expect(Number(lock.isLocked)).toBe(0);
    } finally {
      await check.close();
    }
    // A token minted by A is good on B.
    expect((await call(b.url, 'GET', `/api/v1/tenants/${tenant.id}`, root)).status).toBe(200);
  });

  it('a session revoked through A is refused by B at once', async () => {
    const user = await userIn(a.url);
    const session = await login(a.url, user.email, tenant.slug);
    expect((await call(b.url, 'GET', '/api/v1/users/me', session.auth)).status).toBe(200);
    expect((await call(a.url, 'POST', '/api/v1/auth/revoke', session.auth, { token: session.refresh })).status).toBe(200);
    const after = await call(b.url, 'GET', '/api/v1/users/me', session.auth);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthorized');
  });

  it('a user disabled through A is refused by B at once', async () => {
    const user = await userIn(a.url);
    const session = await login(b.url, user.email, tenant.slug);
    expect((await call(b.url, 'GET', '/api/v1/users/me', session.auth)).status).toBe(200);
    const disabled = await call(a.url, 'PUT', `/api/v1/tenants/${tenant.id}/users/${user.id}/status`, root, { status: 'DISABLED' });
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
    expect((await call(b.url, 'GET', '/api/v1/users/me', session.auth)).status).toBe(401);
    // Nor can the disabled user sign in again through B.
    const again = await call(b.url, 'POST', '/api/v1/auth/token', undefined, { grant_type: 'password', username: user.email, password: PASSWORD, tenant: tenant.slug });
    expect(again.status).not.toBe(200);
  });

  it('the same email created through A and B at the same instant: exactly one 201 and one 409, every time', async () => {
    for (let round = 0; round < 10; round++) {
      const email = `Race-${round}-${crypto.randomUUID().slice(0, 8)}@Example.com`;
      // The second spelling differs only in case: uniqueness is the database's, case-insensitively.
      const [ra, rb] = await Promise.all([
        call(a.url, 'POST', `/api/v1/tenants/${tenant.id}/users`, root, { email, send_welcome_email: false }),
        call(b.url, 'POST', `/api/v1/tenants/${tenant.id}/users`, root, { email: email.toLowerCase(), send_welcome_email: false }),
      ]);
      expect([ra.status, rb.status].sort(), JSON.stringify([ra.body, rb.body])).toEqual([201, 409]);
      const loser = ra.status === 409 ? ra : rb;
      expect(loser.body.error).toMatchObject({ code: 'duplicate_email', field: 'email' });
      const list = await call(b.url, 'GET', `/api/v1/tenants/${tenant.id}/users?email=${encodeURIComponent(email)}`, root);
      expect(list.body.pagination.total_items).toBe(1);
    }
  });

  it('an activity stream opened on B delivers an event written through A within two seconds', async () => {
    const abort = new AbortController();
    const res = await fetch(`${b.url}/api/v1/tenants/${tenant.id}/audit-events/stream`, { headers: { Authorization: root }, signal: abort.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    try {
      await readUntil(reader, (s) => s.includes(': connected'), 5_000);
      const written = Date.now();
      const user = await userIn(a.url);
      const text = await readUntil(reader, (s) => s.includes(user.id), 5_000);
      const elapsed = Date.now() - written;
      expect(elapsed).toBeLessThan(2_000);
      const event = text.split('\n\n').find((block) => block.includes(user.id))!;
      const data = JSON.parse(event.split('\n').find((l) => l.startsWith('data: '))!.slice(6));
      expect(data).toMatchObject({ action: 'user.created', subject_id: user.id });
    } finally {
      abort.abort();
    }
  });

  it('an import started on A, A killed with SIGKILL, is resumed through B with no duplicate and no lost row', async () => {
    const rows = 20_000;
    const prefix = `imp-${crypto.randomUUID().slice(0, 6)}`;
    const csv = ['email,first_name,last_name', ...Array.from({ length: rows }, (_, i) => `${prefix}-${i}@example.com,Row,Number ${i}`)].join('\n');
    const admin = await userIn(a.url, { role: 'tenant_admin' });
    const onA = await login(a.url, admin.email, tenant.slug);
    const started = await call(a.url, 'POST', '/api/v1/users/bulk-import?mode=create&on_error=skip', onA.auth, csv, 'text/csv');
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const jobId = started.body.data.id as string;

    // Killed once at least one batch is committed and before the last one is.
    for (;;) {
      const job = (await call(a.url, 'GET', `/api/v1/import-jobs/${jobId}`, onA.auth)).body.data;
      expect(job.status, 'the import finished before the kill; make the file larger').not.toBe('completed');
      if (job.committed_rows > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await a.kill();

    const onB = await login(b.url, admin.email, tenant.slug);
    const seen = (await call(b.url, 'GET', `/api/v1/import-jobs/${jobId}`, onB.auth)).body.data;
    expect(seen.status).toBe('interrupted');
    expect(seen.committed_rows).toBeGreaterThan(0);
    expect(seen.committed_rows).toBeLessThan(rows);
    const resumed = await call(b.url, 'POST', `/api/v1/import-jobs/${jobId}/resume`, onB.auth);
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(202);

    let done: Json = {};
    for (let i = 0; i < 600; i++) {
      done = (await call(b.url, 'GET', `/api/v1/import-jobs/${jobId}`, onB.auth)).body.data;
      if (done.status !== 'queued' && done.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(done).toMatchObject({ status: 'completed', created: rows, failed: 0, skipped: 0, committed_rows: rows });

    const check = await db.open();
    try {
      const [{ n, uniq }] = await check.knex('users').where('tenantId', tenant.id).where('email', 'like', `${prefix}-%`)
        .select(check.knex.raw('COUNT(*) AS n'), check.knex.raw('COUNT(DISTINCT email) AS uniq'));
      expect(Number(n)).toBe(rows);
      expect(Number(uniq)).toBe(rows);
    } finally {
      await check.close();
    }
  }, 180_000);
});

async function readUntil(reader: ReadableStreamDefaultReader<string>, done: (text: string) => boolean, timeoutMs: number): Promise<string> {
  let text = '';
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`stream: nothing matching within ${timeoutMs} ms; got:\n${text}`)), timeoutMs);
  });
  try {
    while (!done(text)) {
      const { value, done: ended } = await Promise.race([reader.read(), timeout]);
      if (ended) throw new Error(`stream ended; got:\n${text}`);
      text += value;
    }
    return text;
  } finally {
    clearTimeout(timer);
  }
}
