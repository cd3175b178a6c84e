import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import { createTestApp, type Auth, type Json, type TestApp } from '../support/test-app';
import { createPlainUser, createTenant, eventsFor, expectError, expectValidation, usersBase } from './users-helpers';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const TOKEN_KEYS = ['created_at', 'created_by', 'expires_at', 'id', 'last_used_at', 'name', 'revoked_at', 'scopes', 'tenant_id'];
const SECRET = /^rst_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;
const MISSING = '01900000-0000-7000-8000-000000000000';
const sha256 = (v: string) => crypto.createHash('sha256').update(v).digest('hex');
const uniq = () => crypto.randomUUID().slice(0, 8);
const knex = () => app.roster.db.knex;
const bearer = (token: string): Auth => ({ Authorization: `Bearer ${token}` });

const tokensBase = (t: string) => `/api/v1/tenants/${t}/api-tokens`;
const createToken = (t: string, body: Record<string, unknown>, auth: Auth = app.rootAuth) =>
  app.http.post(tokensBase(t)).set(auth).send({ name: `Token ${uniq()}`, ...body });
const tokenRow = (id: string) => knex()('api_tokens').where({ id }).first();
/** Every secret handed out in this file: none may show up where it should not. */
const secrets: string[] = [];

async function newToken(t: string, scopes: string[], body: Record<string, unknown> = {}): Promise<{ data: Json; token: string; auth: Auth }> {
  const res = await createToken(t, { scopes, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  secrets.push(res.body.data.token);
  return { data: res.body.data, token: res.body.data.token, auth: bearer(res.body.data.token) };
}

function expectUnauthorized(res: Response) {
  expectError(res, 401, 'unauthorized');
  expect(res.headers['www-authenticate']).toBe('Bearer');
}

describe('managing API tokens', () => {
  let admin: Awaited<ReturnType<TestApp['tenantWithUser']>>;
  beforeAll(async () => {
    admin = await app.tenantWithUser('tenant_admin');
  });

  it('creates a token and answers its secret once; the database keeps its SHA-256 only', async () => {
    const res = await createToken(admin.tenantId, { name: '  SCIM bridge ', scopes: ['scim', 'users:read', 'scim'] }, admin.auth);
    expect(res.status).toBe(201);
    const data = res.body.data;
    secrets.push(data.token);
    expect(Object.keys(data).sort()).toEqual([...TOKEN_KEYS, 'token'].sort());
    expect(data).toMatchObject({
      tenant_id: admin.tenantId, name: 'SCIM bridge', scopes: ['scim', 'users:read'], created_by: admin.user.id, expires_at: null, revoked_at: null, last_used_at: null,
    });
    expect(data.created_at).toMatch(ISO);
    const m = SECRET.exec(data.token);
    expect(m).not.toBeNull();
    expect(m![1]).toBe(data.id.replace(/-/g, ''));

    const row = await tokenRow(data.id);
    expect(row.secretHash).toBe(sha256(m![2]));
    expect(JSON.stringify(row)).not.toContain(m![2]);

    const events = await eventsFor(knex(), data.id);
    expect(events.map((e: Json) => e.action)).toEqual(['api_token.created']);
    expect(events[0]).toMatchObject({ tenantId: admin.tenantId, actorType: 'user', actorId: admin.user.id, subjectType: 'api_token' });
    expect(events[0].details).toEqual({ name: 'SCIM bridge', scopes: ['scim', 'users:read', 'scim'], expires_at: null });
  });

  it('keeps an expiry, normalised to UTC', async () => {
    const at = new Date(Date.now() + 3 * 3_600_000);
    const local = `${at.toISOString().slice(0, 19)}+02:00`;
    const { data } = await newToken(admin.tenantId, ['users:read'], { expires_at: local });
    expect(data.expires_at).toBe(new Date(local).toISOString());
    expect(new Date((await tokenRow(data.id)).expiresAt).toISOString()).toBe(new Date(local).toISOString());
  });

  it('validates scopes, name and expiry (422)', async () => {
    const bad = await createToken(admin.tenantId, { name: '', scopes: ['users:read', 'admin'], expires_at: 'tomorrow' }, admin.auth);
    expectValidation(bad, [['body', 'name'], ['body', 'scopes', 1], ['body', 'expires_at']]);
    expectValidation(await createToken(admin.tenantId, { scopes: [] }, admin.auth), [['body', 'scopes']]);
    expectValidation(await createToken(admin.tenantId, {}, admin.auth), [['body', 'scopes']]);
    const past = await createToken(admin.tenantId, { scopes: ['users:read'], expires_at: new Date(Date.now() - 60_000).toISOString() }, admin.auth);
    expectValidation(past, [['body', 'expires_at']]);
    expect(past.body.error.message).toBe('expires_at must be in the future');
    const [{ n }] = await knex()('api_tokens').where({ tenantId: admin.tenantId, name: '' }).count({ n: '*' });
    expect(Number(n)).toBe(0);
  });

  it('lists newest first without secrets, hides revoked tokens unless asked, gets one', async () => {
    const t = await createTenant(app);
    const first = await newToken(t.id, ['users:read']);
    const second = await newToken(t.id, ['groups:read']);
    const third = await newToken(t.id, ['users:write']);
    expect((await app.http.delete(`${tokensBase(t.id)}/${second.data.id}`).set(app.rootAuth)).status).toBe(204);

    const live = await app.http.get(tokensBase(t.id)).set(app.rootAuth);
    expect(live.status).toBe(200);
    expect(live.body.pagination).toEqual({ page: 1, per_page: 20, total_items: 2, total_pages: 1 });
    expect(live.body.data.map((x: Json) => x.id)).toEqual([third.data.id, first.data.id]);
    for (const x of live.body.data) expect(Object.keys(x).sort()).toEqual(TOKEN_KEYS);

    const all = await app.http.get(tokensBase(t.id)).query({ include_revoked: 'true' }).set(app.rootAuth);
    expect(all.body.data.map((x: Json) => x.id)).toEqual([third.data.id, second.data.id, first.data.id]);
    expect(all.body.data[1].revoked_at).toMatch(ISO);
    expect((await app.http.get(tokensBase(t.id)).query({ include_revoked: 'false' }).set(app.rootAuth)).body.pagination.total_items).toBe(2);
    const paged = await app.http.get(tokensBase(t.id)).query({ include_revoked: 'true', per_page: 2, page: 2 }).set(app.rootAuth);
    expect(paged.body.data.map((x: Json) => x.id)).toEqual([first.data.id]);

    const got = await app.http.get(`${tokensBase(t.id)}/${first.data.id}`).set(app.rootAuth);
    expect(got.status).toBe(200);
    const { token: _t, ...rest } = first.data;
    expect(got.body.data).toEqual(rest);
    const revoked = await app.http.get(`${tokensBase(t.id)}/${second.data.id}`).set(app.rootAuth);
    expect(revoked.body.data.revoked_at).toMatch(ISO);

    for (const body of [live.body, all.body, paged.body, got.body, revoked.body]) {
      for (const s of secrets) expect(JSON.stringify(body)).not.toContain(s.slice(37));
    }
  });

  it('revokes: 204, it stops working at once, again is 409', async () => {
    const { data, auth } = await newToken(admin.tenantId, ['users:read']);
    expect((await app.http.get(usersBase(admin.tenantId)).set(auth)).status).toBe(200);

    const res = await app.http.delete(`${tokensBase(admin.tenantId)}/${data.id}`).set(admin.auth);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await tokenRow(data.id)).revokedAt).not.toBeNull();
    expectUnauthorized(await app.http.get(usersBase(admin.tenantId)).set(auth));

    const again = await app.http.delete(`${tokensBase(admin.tenantId)}/${data.id}`).set(admin.auth);
    expectError(again, 409, 'conflict');
    const events = await eventsFor(knex(), data.id, 'api_token.revoked');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorType: 'user', actorId: admin.user.id, details: { name: data.name } });
  });

  it("answers 404 for another tenant's tokens and unknown ids", async () => {
    const theirs = await app.tenantWithUser('tenant_admin');
    const their = await newToken(theirs.tenantId, ['users:read']);
    for (const res of [
      await app.http.get(`${tokensBase(admin.tenantId)}/${their.data.id}`).set(admin.auth),
      await app.http.delete(`${tokensBase(admin.tenantId)}/${their.data.id}`).set(admin.auth),
      await app.http.get(tokensBase(theirs.tenantId)).set(admin.auth),
      await createToken(theirs.tenantId, { scopes: ['users:read'] }, admin.auth),
      await app.http.delete(`${tokensBase(theirs.tenantId)}/${their.data.id}`).set(admin.auth),
      await app.http.get(`${tokensBase(admin.tenantId)}/${MISSING}`).set(admin.auth),
      await app.http.get(`${tokensBase(admin.tenantId)}/not-a-uuid`).set(admin.auth),
    ]) {
      expectError(res, 404, 'not_found');
    }
    expect((await tokenRow(their.data.id)).revokedAt).toBeNull();
    expect((await app.http.get(usersBase(theirs.tenantId)).set(their.auth)).status).toBe(200);
  });

  it('is for admins only: staff and tokens themselves get 403', async () => {
    const viewer = await app.tenantWithUser('viewer');
    expectError(await app.http.get(tokensBase(viewer.tenantId)).set(viewer.auth), 403, 'forbidden');
    expectError(await createToken(viewer.tenantId, { scopes: ['users:read'] }, viewer.auth), 403, 'forbidden');
    const { data, auth } = await newToken(viewer.tenantId, ['users:write', 'groups:write', 'scim']);
    expectError(await app.http.get(tokensBase(viewer.tenantId)).set(auth), 403, 'forbidden');
    expectError(await createToken(viewer.tenantId, { scopes: ['users:read'] }, auth), 403, 'forbidden');
    expectError(await app.http.delete(`${tokensBase(viewer.tenantId)}/${data.id}`).set(auth), 403, 'forbidden');
    expect(await knex()('api_tokens').where({ tenantId: viewer.tenantId })).toHaveLength(1);
  });
});

describe('calling the API with a token', () => {
  let t: { id: string; slug: string };
  let other: { id: string; slug: string };
  let plain: Json;
  let tadmin: Json;
  let stranger: Json;

  beforeAll(async () => {
    t = await createTenant(app);
    other = await createTenant(app);
    plain = await createPlainUser(app, t.id, { email: 'plain@example.com' });
    tadmin = await createPlainUser(app, t.id, { email: 'admin@example.com', role: 'tenant_admin' });
    stranger = await createPlainUser(app, other.id, { email: 'stranger@example.com' });
  });

  it('users:read lists and gets the users of its own tenant, and may not create', async () => {
    const { auth } = await newToken(t.id, ['users:read']);
    const listed = await app.http.get(usersBase(t.id)).query({ sort_by: 'email' }).set(auth);
    expect(listed.status).toBe(200);
    const inDb = await knex()('users').where({ tenantId: t.id }).whereNull('deletedAt').count({ n: '*' });
    expect(listed.body.pagination.total_items).toBe(Number(inDb[0].n));
    expect(listed.body.data.map((u: Json) => u.email)).toEqual(expect.arrayContaining(['admin@example.com', 'plain@example.com']));
    const got = await app.http.get(`${usersBase(t.id)}/${tadmin.id}`).set(auth);
    expect(got.status).toBe(200);
    expect(got.body.data.role).toBe('tenant_admin');
    const bySlug = await app.http.get(`${usersBase(t.slug)}/${plain.id}`).set(auth);
    expect(bySlug.status).toBe(200);

    expectError(await app.http.post(usersBase(t.id)).set(auth).send({ email: `no-${uniq()}@example.com` }), 403, 'forbidden');
    expectError(await app.http.patch(`${usersBase(t.id)}/${plain.id}`).set(auth).send({ first_name: 'X' }), 403, 'forbidden');
    expectError(await app.http.get(`/api/v1/tenants/${t.id}/groups`).set(auth), 403, 'forbidden');
    expectError(await app.http.get(`/api/v1/tenants/${t.id}`).set(auth), 403, 'forbidden');
    expectError(await app.http.get('/api/v1/admin/users').set(auth), 403, 'forbidden');
  });

  it('users:write creates plain users, but no admin, and changes no admin', async () => {
    const { data, auth } = await newToken(t.id, ['users:write']);
    const email = `by-token-${uniq()}@example.com`;
    const created = await app.http.post(usersBase(t.id)).set(auth).send({ email, first_name: 'Tok' });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ email, role: 'user', tenant_id: t.id });
    const events = await eventsFor(knex(), created.body.data.id, 'user.created');
    expect(events[0]).toMatchObject({ actorType: 'token', actorId: data.id });

    for (const role of ['tenant_admin', 'helpdesk', 'viewer', 'partner_admin', 'super_admin']) {
      const res = await app.http.post(usersBase(t.id)).set(auth).send({ email: `${role}-${uniq()}@example.com`, role });
      expectError(res, 403, 'forbidden');
    }
    expect(await knex()('users').where({ tenantId: t.id }).whereNot({ role: 'user' }).pluck('id')).toEqual([tadmin.id]);

    const promote = await app.http.patch(`${usersBase(t.id)}/${plain.id}`).set(auth).send({ role: 'tenant_admin' });
    expectError(promote, 403, 'forbidden');
    const touchAdmin = await app.http.patch(`${usersBase(t.id)}/${tadmin.id}`).set(auth).send({ first_name: 'Owned' });
    expectError(touchAdmin, 403, 'forbidden');
    expectError(await app.http.put(`${usersBase(t.id)}/${tadmin.id}/status`).set(auth).send({ status: 'DISABLED' }), 403, 'forbidden');
    expectError(await app.http.delete(`${usersBase(t.id)}/${tadmin.id}`).query({ confirm_email: tadmin.email }).set(auth), 403, 'forbidden');
    expect(await knex()('users').where({ id: tadmin.id }).first()).toMatchObject({ firstName: null, status: 'ACTIVE', role: 'tenant_admin', version: 1 });

    const ok = await app.http.patch(`${usersBase(t.id)}/${plain.id}`).set(auth).send({ first_name: 'Changed' });
    expect(ok.status).toBe(200);
    expect(ok.body.data.first_name).toBe('Changed');
    expect((await knex()('users').where({ id: plain.id }).first()).role).toBe('user');
  });

  it('groups:read reads groups, not users', async () => {
    const { auth } = await newToken(t.id, ['groups:read']);
    expect((await app.http.get(`/api/v1/tenants/${t.id}/groups`).set(auth)).status).toBe(200);
    expectError(await app.http.get(usersBase(t.id)).set(auth), 403, 'forbidden');
    expectError(await app.http.get(`${usersBase(t.id)}/${plain.id}`).set(auth), 403, 'forbidden');
  });

  it("gets 404 for another tenant and its users' ids", async () => {
    const { auth } = await newToken(t.id, ['users:write', 'groups:write']);
    for (const res of [
      await app.http.get(usersBase(other.id)).set(auth),
      await app.http.get(`${usersBase(other.id)}/${stranger.id}`).set(auth),
      await app.http.get(`${usersBase(t.id)}/${stranger.id}`).set(auth),
      await app.http.patch(`${usersBase(t.id)}/${stranger.id}`).set(auth).send({ first_name: 'X' }),
      await app.http.post(usersBase(other.id)).set(auth).send({ email: `x-${uniq()}@example.com` }),
      await app.http.get(`/api/v1/tenants/${other.id}/groups`).set(auth),
      await app.http.get(usersBase('default')).set(auth),
    ]) {
      expectError(res, 404, 'not_found');
    }
    expect((await knex()('users').where({ id: stranger.id }).first()).firstName).toBeNull();
  });

  it('refuses revoked, expired, tampered and malformed tokens with 401', async () => {
    const expired = await newToken(t.id, ['users:read']);
    expect((await app.http.get(usersBase(t.id)).set(expired.auth)).status).toBe(200);
    await knex()('api_tokens').where({ id: expired.data.id }).update({ expiresAt: new Date(Date.now() - 1000).toISOString() });
    expectUnauthorized(await app.http.get(usersBase(t.id)).set(expired.auth));

    const good = await newToken(t.id, ['users:read']);
    const m = SECRET.exec(good.token)!;
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'a' ? 'b' : 'a') + s.slice(i + 1);
    const otherId = (await newToken(t.id, ['users:read'])).data.id.replace(/-/g, '');
    const variants = [
      `rst_${m[1]}_${flip(m[2], 10)}`,
      `rst_${flip(m[1], 31)}_${m[2]}`,
      `rst_${otherId}_${m[2]}`,
      `rst_${m[1]}_${m[2]}x`,
      `rst_${m[1]}`,
      'rst_garbage',
      good.token.toUpperCase(),
    ];
    for (const v of variants) expectUnauthorized(await app.http.get(usersBase(t.id)).set(bearer(v)));
    expect((await app.http.get(usersBase(t.id)).set(good.auth)).status).toBe(200);
    // Not accepted in the URL or as another scheme.
    expectUnauthorized(await app.http.get(usersBase(t.id)).query({ access_token: good.token }));
    expectUnauthorized(await app.http.get(usersBase(t.id)).set('Authorization', `Token ${good.token}`));
  });

  it('stops working while its tenant is suspended', async () => {
    const s = await createTenant(app);
    const { auth } = await newToken(s.id, ['users:read']);
    expect((await app.http.get(usersBase(s.id)).set(auth)).status).toBe(200);
    expect((await app.http.patch(`/api/v1/tenants/${s.id}`).set(app.rootAuth).send({ status: 'SUSPENDED' })).status).toBe(200);
    expectUnauthorized(await app.http.get(usersBase(s.id)).set(auth));
    expect((await app.http.patch(`/api/v1/tenants/${s.id}`).set(app.rootAuth).send({ status: 'ACTIVE' })).status).toBe(200);
    expect((await app.http.get(usersBase(s.id)).set(auth)).status).toBe(200);
  });

  it('sets last_used_at when used', async () => {
    const { data, auth } = await newToken(t.id, ['users:read']);
    expect((await tokenRow(data.id)).lastUsedAt).toBeNull();
    const before = Date.now();
    expect((await app.http.get(usersBase(t.id)).set(auth)).status).toBe(200);
    const used = (await tokenRow(data.id)).lastUsedAt;
    expect(used).not.toBeNull();
    expect(new Date(used).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(new Date(used).getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    const got = await app.http.get(`${tokensBase(t.id)}/${data.id}`).set(app.rootAuth);
    expect(got.body.data.last_used_at).toBe(new Date(used).toISOString());

    // Written at most once a minute: an old stamp is renewed on the next use.
    const old = new Date(Date.now() - 5 * 60_000).toISOString();
    await knex()('api_tokens').where({ id: data.id }).update({ lastUsedAt: old });
    expect((await app.http.get(usersBase(t.id)).set(auth)).status).toBe(200);
    expect(new Date((await tokenRow(data.id)).lastUsedAt).getTime()).toBeGreaterThan(new Date(old).getTime() + 60_000);
  });

  it('never shows a secret in activity events', async () => {
    const rows = await knex()('activity_events').select('details');
    const text = JSON.stringify(rows);
    expect(secrets.length).toBeGreaterThan(5);
    for (const s of secrets) {
      expect(text).not.toContain(s);
      expect(text).not.toContain(s.slice(37));
    }
  });
});
