import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jwt from 'jsonwebtoken';
import type { Response } from 'supertest';
import { createTestApp, type Auth, type Json, type TestApp } from '../support/test-app';
import { createPlainUser, createTenant, eventsFor, expectError, expectValidation, usersBase } from './users-helpers';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const APP_KEYS = ['assigned_groups', 'assigned_users', 'client_id', 'created_at', 'description', 'enabled', 'id', 'name', 'scopes', 'tenant_id', 'updated_at'];
const MISSING = '01900000-0000-7000-8000-000000000000';
const sha256 = (v: string) => crypto.createHash('sha256').update(v).digest('hex');
const uniq = () => crypto.randomUUID().slice(0, 8);
const knex = () => app.roster.db.knex;
const bearer = (token: string): Auth => ({ Authorization: `Bearer ${token}` });

const appsBase = (t: string) => `/api/v1/tenants/${t}/applications`;
const createApp = (t: string, body: Record<string, unknown> = {}, auth: Auth = app.rootAuth) =>
  app.http.post(appsBase(t)).set(auth).send({ name: `App ${uniq()}`, ...body });
const patchApp = (t: string, id: string, body: Record<string, unknown>, auth: Auth = app.rootAuth) => app.http.patch(`${appsBase(t)}/${id}`).set(auth).send(body);
const assign = (t: string, id: string, body: Record<string, unknown>, auth: Auth = app.rootAuth) => app.http.post(`${appsBase(t)}/${id}/assignments`).set(auth).send(body);
const effective = (t: string, id: string, query: Record<string, string | number> = {}, auth: Auth = app.rootAuth) =>
  app.http.get(`${appsBase(t)}/${id}/effective-users`).query(query).set(auth);
const clientCredentials = (body: Record<string, unknown>) => app.http.post('/api/v1/auth/token').send({ grant_type: 'client_credentials', ...body });

async function newApp(t: string, body: Record<string, unknown> = {}): Promise<Json> {
  const res = await createApp(t, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

async function appToken(a: Json): Promise<Auth> {
  const res = await clientCredentials({ client_id: a.client_id, client_secret: a.client_secret });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return bearer(res.body.access_token);
}

async function group(t: string, name: string): Promise<Json> {
  const res = await app.http.post(`/api/v1/tenants/${t}/groups`).set(app.rootAuth).send({ name });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

/** One member per request: what the effective-users rules need, and nothing more of the groups API. */
async function addMembers(t: string, groupId: string, members: { user_ids?: string[]; group_ids?: string[] }) {
  const each = [...(members.user_ids ?? []).map((id) => ({ user_ids: [id] })), ...(members.group_ids ?? []).map((id) => ({ group_ids: [id] }))];
  for (const body of each) {
    const res = await app.http.post(`/api/v1/tenants/${t}/groups/${groupId}/members`).set(app.rootAuth).send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
}

function expectBadClient(res: Response) {
  expect(res.status).toBe(401);
  expect(res.headers['www-authenticate']).toBe('Bearer');
  expect(res.body.error).toEqual({ code: 'unauthorized', message: 'Invalid client credentials' });
  expect(res.body.access_token).toBeUndefined();
}

describe('applications CRUD', () => {
  let t: { id: string; slug: string };
  beforeAll(async () => {
    t = await createTenant(app);
  });

  it('creates an application and answers client_id and client_secret this once; the database keeps only a hash', async () => {
    const res = await createApp(t.id, { name: '  Payroll  ', description: 'Monthly payroll sync' });
    expect(res.status).toBe(201);
    const data = res.body.data;
    expect(Object.keys(data).sort()).toEqual([...APP_KEYS, 'client_secret'].sort());
    expect(data).toMatchObject({
      tenant_id: t.id, name: 'Payroll', description: 'Monthly payroll sync', scopes: ['users:read'], enabled: true, assigned_users: 0, assigned_groups: 0,
    });
    expect(data.client_id).toMatch(/^app_[0-9a-f]{24}$/);
    expect(data.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(data.created_at).toMatch(ISO);

    const row = await knex()('applications').where({ id: data.id }).first();
    expect(row.clientSecretHash).toBe(sha256(data.client_secret));
    expect(row.clientId).toBe(data.client_id);
    expect(JSON.stringify(row)).not.toContain(data.client_secret);

    const got = await app.http.get(`${appsBase(t.id)}/${data.id}`).set(app.rootAuth);
    expect(got.status).toBe(200);
    expect(Object.keys(got.body.data).sort()).toEqual(APP_KEYS);
    const { client_secret: _secret, ...rest } = data;
    expect(got.body.data).toEqual(rest);
    const listed = await app.http.get(appsBase(t.id)).set(app.rootAuth);
    for (const a of listed.body.data) expect(a.client_secret).toBeUndefined();
    expect(JSON.stringify(listed.body)).not.toContain(data.client_secret);

    const events = await eventsFor(knex(), data.id);
    expect(events.map((e: Json) => e.action)).toEqual(['application.created']);
    expect(events[0]).toMatchObject({ tenantId: t.id, subjectType: 'application', details: { name: 'Payroll', scopes: ['users:read'] } });
    expect(JSON.stringify(events)).not.toContain(data.client_secret);
  });

  it('answers 422 for bad bodies', async () => {
    expectValidation(await createApp(t.id, { name: '', scopes: ['users:write'], enabled: 'yes' }), [['body', 'name'], ['body', 'scopes', 0], ['body', 'enabled']]);
    expectValidation(await createApp(t.id, { client_secret: 'mine' }), [['body', 'client_secret']]);
  });

  it('lists with search and paging, and gets, updates and deletes', async () => {
    const s = await createTenant(app);
    const b = await newApp(s.id, { name: 'Bravo' });
    const a = await newApp(s.id, { name: 'Alpha' });
    const c = await newApp(s.id, { name: 'Charlie', enabled: false, scopes: [] });
    expect(c).toMatchObject({ enabled: false, scopes: [] });

    const all = await app.http.get(appsBase(s.id)).set(app.rootAuth);
    expect(all.status).toBe(200);
    expect(all.body.pagination).toEqual({ page: 1, per_page: 20, total_items: 3, total_pages: 1 });
    expect(all.body.data.map((x: Json) => x.id)).toEqual([a.id, b.id, c.id]);
    expect((await app.http.get(appsBase(s.id)).query({ search: 'RAV' }).set(app.rootAuth)).body.data.map((x: Json) => x.id)).toEqual([b.id]);
    const page2 = await app.http.get(appsBase(s.id)).query({ per_page: 2, page: 2 }).set(app.rootAuth);
    expect(page2.body.data.map((x: Json) => x.id)).toEqual([c.id]);

    const patched = await patchApp(s.id, b.id, { name: 'Bravo 2', description: null, enabled: false, scopes: ['users:read', 'users:read'] });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({ id: b.id, name: 'Bravo 2', description: null, enabled: false, scopes: ['users:read'], client_id: b.client_id });
    expect(patched.body.data.client_secret).toBeUndefined();
    expect((await knex()('applications').where({ id: b.id }).first()).clientSecretHash).toBe(sha256(b.client_secret));
    expectValidation(await patchApp(s.id, b.id, { client_id: 'app_mine' }), [['body', 'client_id']]);

    const del = await app.http.delete(`${appsBase(s.id)}/${b.id}`).set(app.rootAuth);
    expect(del.status).toBe(204);
    expect(await knex()('applications').where({ id: b.id }).first()).toBeUndefined();
    expectError(await app.http.get(`${appsBase(s.id)}/${b.id}`).set(app.rootAuth), 404, 'not_found');
    expectError(await app.http.delete(`${appsBase(s.id)}/${b.id}`).set(app.rootAuth), 404, 'not_found');
    expect((await eventsFor(knex(), b.id)).map((e: Json) => e.action)).toEqual(['application.created', 'application.updated', 'application.deleted']);
  });

  it("answers 404 for another tenant's applications and lets only admins write", async () => {
    const mine = await app.tenantWithUser('tenant_admin');
    const theirs = await createTenant(app);
    const their = await newApp(theirs.id);
    for (const res of [
      await app.http.get(`${appsBase(mine.tenantId)}/${their.id}`).set(mine.auth),
      await patchApp(mine.tenantId, their.id, { name: 'Mine' }, mine.auth),
      await app.http.delete(`${appsBase(mine.tenantId)}/${their.id}`).set(mine.auth),
      await app.http.post(`${appsBase(mine.tenantId)}/${their.id}/client-secret`).set(mine.auth),
      await app.http.get(appsBase(theirs.id)).set(mine.auth),
      await app.http.get(`${appsBase(mine.tenantId)}/${MISSING}`).set(mine.auth),
      await app.http.get(`${appsBase(mine.tenantId)}/nope`).set(mine.auth),
    ]) {
      expectError(res, 404, 'not_found');
    }
    expect((await knex()('applications').where({ id: their.id }).first()).clientSecretHash).toBe(sha256(their.client_secret));

    const own = await createApp(mine.tenantId, {}, mine.auth);
    expect(own.status).toBe(201);
    const viewer = await app.createUser(mine.tenantId, { email: `viewer-${uniq()}@example.com`, role: 'viewer' });
    const { auth: viewerAuth } = await app.login(viewer.email, undefined, mine.slug);
    expect((await app.http.get(appsBase(mine.tenantId)).set(viewerAuth)).status).toBe(200);
    expectError(await createApp(mine.tenantId, {}, viewerAuth), 403, 'forbidden');
    expectError(await app.http.post(`${appsBase(mine.tenantId)}/${own.body.data.id}/client-secret`).set(viewerAuth), 403, 'forbidden');
  });
});

describe('client secret and grant_type=client_credentials', () => {
  let t: { id: string; slug: string };
  beforeAll(async () => {
    t = await createTenant(app, { tokens: { access_token_ttl_seconds: 600 } });
  });

  it('answers an access token without refresh_token for a JSON body, a form body and HTTP Basic', async () => {
    const a = await newApp(t.id);
    const json = await clientCredentials({ client_id: a.client_id, client_secret: a.client_secret });
    const form = await app.http.post('/api/v1/auth/token').type('form').send({ grant_type: 'client_credentials', client_id: a.client_id, client_secret: a.client_secret });
    const basic = await app.http
      .post('/api/v1/auth/token')
      .type('form')
      .set('Authorization', `Basic ${Buffer.from(`${a.client_id}:${a.client_secret}`).toString('base64')}`)
      .send({ grant_type: 'client_credentials' });
    for (const res of [json, form, basic]) {
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(Object.keys(res.body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
      expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'users:read' });
      const claims = jwt.decode(res.body.access_token) as Json;
      expect(claims).toMatchObject({ sub: a.id, tid: t.id, kind: 'application', scope: 'users:read', iss: 'roster' });
      expect(claims.exp - claims.iat).toBe(600);
      expect(claims.sid).toBeUndefined();
    }
    // No session or refresh token is created for an application.
    expect(await knex()('sessions').where({ userId: a.id })).toEqual([]);
  });

  it('answers a wrong secret, an unknown client, a missing secret and a disabled application with one 401', async () => {
    const a = await newApp(t.id);
    const off = await newApp(t.id, { enabled: false });
    const basicWrong = await app.http
      .post('/api/v1/auth/token')
      .type('form')
      .set('Authorization', `Basic ${Buffer.from(`${a.client_id}:wrong`).toString('base64')}`)
      .send({ grant_type: 'client_credentials' });
    const answers = [
      await clientCredentials({ client_id: a.client_id, client_secret: `${a.client_secret}x` }),
      await clientCredentials({ client_id: a.client_id, client_secret: off.client_secret }),
      await clientCredentials({ client_id: 'app_000000000000000000000000', client_secret: a.client_secret }),
      await clientCredentials({ client_id: a.client_id }),
      await clientCredentials({ client_secret: a.client_secret }),
      await clientCredentials({ client_id: off.client_id, client_secret: off.client_secret }),
      basicWrong,
    ];
    for (const res of answers) expectBadClient(res);
    expect(new Set(answers.map((r) => JSON.stringify(r.body.error))).size).toBe(1);
  });

  it('rotates the secret: the new one works, the old one stops at once', async () => {
    const a = await newApp(t.id);
    const res = await app.http.post(`${appsBase(t.id)}/${a.id}/client-secret`).set(app.rootAuth);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: a.id, client_id: a.client_id });
    const secret = res.body.data.client_secret;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secret).not.toBe(a.client_secret);
    expect((await knex()('applications').where({ id: a.id }).first()).clientSecretHash).toBe(sha256(secret));

    expectBadClient(await clientCredentials({ client_id: a.client_id, client_secret: a.client_secret }));
    expect((await clientCredentials({ client_id: a.client_id, client_secret: secret })).status).toBe(200);
    expect((await app.http.get(`${appsBase(t.id)}/${a.id}`).set(app.rootAuth)).body.data.client_secret).toBeUndefined();
    const events = await eventsFor(knex(), a.id, 'application.secret_rotated');
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain(secret);
  });
});

describe('assignments and effective users', () => {
  let t: { id: string; slug: string };
  const u: Record<string, Json> = {};
  const g: Record<string, Json> = {};
  let a: Json;

  beforeAll(async () => {
    t = await createTenant(app);
    for (const name of ['direct', 'top', 'mid', 'deep', 'both', 'none', 'gone', 'side']) {
      u[name] = await createPlainUser(app, t.id, { email: `${name}@example.com`, username: `${name}_user`, display_name: `The ${name}` });
    }
    // top ⊃ mid ⊃ deep, three levels; side is a group outside the assigned tree.
    for (const name of ['top', 'mid', 'deep', 'side']) g[name] = await group(t.id, `Group ${name}`);
    await addMembers(t.id, g.top.id, { user_ids: [u.top.id], group_ids: [g.mid.id] });
    await addMembers(t.id, g.mid.id, { user_ids: [u.mid.id], group_ids: [g.deep.id] });
    await addMembers(t.id, g.deep.id, { user_ids: [u.deep.id, u.both.id, u.gone.id] });
    await addMembers(t.id, g.side.id, { user_ids: [u.side.id] });
    a = await newApp(t.id, { name: 'Effective' });
  });

  it('assigns users and groups, lists and counts the assignments, and removes them', async () => {
    const res = await assign(t.id, a.id, { user_ids: [u.direct.id, u.both.id, u.direct.id], group_ids: [g.top.id] });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: a.id, assigned_users: 2, assigned_groups: 1 });
    // Assigning again adds nothing.
    const again = await assign(t.id, a.id, { user_ids: [u.direct.id], group_ids: [g.top.id] });
    expect(again.body.data).toMatchObject({ assigned_users: 2, assigned_groups: 1 });
    expect(await knex()('application_assignments').where({ applicationId: a.id })).toHaveLength(3);

    const listed = await app.http.get(`${appsBase(t.id)}/${a.id}/assignments`).set(app.rootAuth);
    expect(listed.status).toBe(200);
    expect(listed.body.pagination).toEqual({ page: 1, per_page: 20, total_items: 3, total_pages: 1 });
    expect(listed.body.data.map((x: Json) => [x.assignee_type, x.id, x.name, x.email])).toEqual([
      ['USER', u.both.id, 'The both', 'both@example.com'],
      ['USER', u.direct.id, 'The direct', 'direct@example.com'],
      ['GROUP', g.top.id, 'Group top', null],
    ]);
    for (const x of listed.body.data) expect(x.assigned_at).toMatch(ISO);

    const events = await eventsFor(knex(), a.id, 'application.assigned');
    expect(events.map((e: Json) => e.details)).toEqual([{ user_ids: [u.direct.id, u.both.id], group_ids: [g.top.id] }]);

    // A temporary assignment, removed again: 204, then 404.
    expect((await assign(t.id, a.id, { group_ids: [g.side.id] })).body.data.assigned_groups).toBe(2);
    const removed = await app.http.delete(`${appsBase(t.id)}/${a.id}/assignments/${g.side.id}`).set(app.rootAuth);
    expect(removed.status).toBe(204);
    expectError(await app.http.delete(`${appsBase(t.id)}/${a.id}/assignments/${g.side.id}`).set(app.rootAuth), 404, 'not_found');
    expectError(await app.http.delete(`${appsBase(t.id)}/${a.id}/assignments/${u.none.id}`).set(app.rootAuth), 404, 'not_found');
    expect((await app.http.get(`${appsBase(t.id)}/${a.id}`).set(app.rootAuth)).body.data).toMatchObject({ assigned_users: 2, assigned_groups: 1 });
  });

  it('refuses assignees outside the tenant, unknown or deleted with 422, and an empty body', async () => {
    const other = await createTenant(app);
    const stranger = await createPlainUser(app, other.id);
    const strangerGroup = await group(other.id, 'Elsewhere');
    expectValidation(await assign(t.id, a.id, { user_ids: [stranger.id] }), [['body', 'user_ids']]);
    expectValidation(await assign(t.id, a.id, { group_ids: [strangerGroup.id] }), [['body', 'group_ids']]);
    expectValidation(await assign(t.id, a.id, { user_ids: [MISSING] }), [['body', 'user_ids']]);
    expectValidation(await assign(t.id, a.id, {}), [['body', 'user_ids']]);
    expectValidation(await assign(t.id, a.id, { user_ids: ['not-a-uuid'] }), [['body', 'user_ids', 0]]);
    // Nothing of a refused request is applied, the valid ids in it neither.
    expectValidation(await assign(t.id, a.id, { user_ids: [u.none.id, stranger.id] }), [['body', 'user_ids']]);
    expect(await knex()('application_assignments').where({ applicationId: a.id, userId: u.none.id })).toEqual([]);
  });

  it('lists users reached directly or through nested groups, DIRECT before GROUP, without soft-deleted users', async () => {
    const del = await app.http.delete(`${usersBase(t.id)}/${u.gone.id}`).query({ confirm_email: u.gone.email }).set(app.rootAuth);
    expect(del.status).toBe(204);

    const res = await effective(t.id, a.id);
    expect(res.status).toBe(200);
    expect(res.body.pagination).toEqual({ page: 1, per_page: 20, total_items: 5, total_pages: 1 });
    expect(res.body.data.map((x: Json) => [x.email, x.assignment])).toEqual([
      ['both@example.com', 'DIRECT'],
      ['deep@example.com', 'GROUP'],
      ['direct@example.com', 'DIRECT'],
      ['mid@example.com', 'GROUP'],
      ['top@example.com', 'GROUP'],
    ]);
    expect(res.body.data[0]).toEqual({ id: u.both.id, email: 'both@example.com', username: 'both_user', display_name: 'The both', status: 'ACTIVE', assignment: 'DIRECT' });

    const page2 = await effective(t.id, a.id, { per_page: 2, page: 2 });
    expect(page2.body.pagination).toEqual({ page: 2, per_page: 2, total_items: 5, total_pages: 3 });
    expect(page2.body.data.map((x: Json) => x.email)).toEqual(['direct@example.com', 'mid@example.com']);
    const byOffset = await effective(t.id, a.id, { offset: 4, limit: 2 });
    expect(byOffset.body.data.map((x: Json) => x.email)).toEqual(['top@example.com']);
    const desc = await effective(t.id, a.id, { sort_order: 'desc', per_page: 1 });
    expect(desc.body.data.map((x: Json) => x.email)).toEqual(['top@example.com']);

    // The deleted user is no assignment either, and not counted as one.
    const assignments = await app.http.get(`${appsBase(t.id)}/${a.id}/assignments`).set(app.rootAuth);
    expect(assignments.body.data.map((x: Json) => x.id)).not.toContain(u.gone.id);

    // Assigning the middle group alone reaches it and what is below it, not what is above.
    const midOnly = await newApp(t.id);
    await assign(t.id, midOnly.id, { group_ids: [g.mid.id] });
    const reached = await effective(t.id, midOnly.id);
    expect(reached.body.data.map((x: Json) => [x.email, x.assignment])).toEqual([
      ['both@example.com', 'GROUP'],
      ['deep@example.com', 'GROUP'],
      ['mid@example.com', 'GROUP'],
    ]);
    expect((await effective(t.id, (await newApp(t.id)).id)).body).toMatchObject({ data: [], pagination: { total_items: 0, total_pages: 0 } });
  });

  it('counts only live users as assigned', async () => {
    const b = await newApp(t.id);
    const temp = await createPlainUser(app, t.id);
    await assign(t.id, b.id, { user_ids: [temp.id, u.direct.id] });
    expect((await app.http.delete(`${usersBase(t.id)}/${temp.id}`).query({ confirm_email: temp.email }).set(app.rootAuth)).status).toBe(204);
    const got = await app.http.get(`${appsBase(t.id)}/${b.id}`).set(app.rootAuth);
    const listed = await app.http.get(`${appsBase(t.id)}/${b.id}/assignments`).set(app.rootAuth);
    expect(listed.body.pagination.total_items).toBe(1);
    expect(got.body.data.assigned_users).toBe(1);
  });
});

describe('an application token', () => {
  let t: { id: string; slug: string };
  let other: { id: string; slug: string };
  let a: Json;
  let b: Json;
  let auth: Auth;
  const u: Record<string, Json> = {};

  beforeAll(async () => {
    t = await createTenant(app);
    other = await createTenant(app);
    for (const name of ['assigned', 'viagroup', 'unassigned', 'admin']) {
      u[name] = await createPlainUser(app, t.id, { email: `${name}@example.com`, role: name === 'admin' ? 'tenant_admin' : 'user' });
    }
    u.elsewhere = await createPlainUser(app, other.id);
    const grp = await group(t.id, 'Readers');
    await addMembers(t.id, grp.id, { user_ids: [u.viagroup.id] });
    a = await newApp(t.id, { name: 'Reader' });
    b = await newApp(t.id, { name: 'Other reader' });
    await assign(t.id, a.id, { user_ids: [u.assigned.id, u.admin.id], group_ids: [grp.id] });
    await assign(t.id, b.id, { user_ids: [u.unassigned.id] });
    auth = await appToken(a);
  });

  it('reads exactly the users assigned to it', async () => {
    for (const name of ['assigned', 'viagroup', 'admin']) {
      const res = await app.http.get(`${usersBase(t.id)}/${u[name].id}`).set(auth);
      expect(res.status, name).toBe(200);
      expect(res.body.data.id).toBe(u[name].id);
    }
    const hidden = await app.http.get(`${usersBase(t.id)}/${u.unassigned.id}`).set(auth);
    expectError(hidden, 404, 'not_found');
    expect(hidden.body.error).toEqual((await app.http.get(`${usersBase(t.id)}/${MISSING}`).set(auth)).body.error);

    const listed = await app.http.get(usersBase(t.id)).query({ sort_by: 'email' }).set(auth);
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((x: Json) => x.email)).toEqual(['admin@example.com', 'assigned@example.com', 'viagroup@example.com']);
    expect(listed.body.pagination.total_items).toBe(3);
    const searched = await app.http.get(usersBase(t.id)).query({ email: 'unassigned@example.com' }).set(auth);
    expect(searched.body.data).toEqual([]);
    expect(searched.body.pagination.total_items).toBe(0);
  });

  it('reads its own effective users, not those of another application', async () => {
    const own = await effective(t.id, a.id, {}, auth);
    expect(own.status).toBe(200);
    expect(own.body.data.map((x: Json) => x.email)).toEqual(['admin@example.com', 'assigned@example.com', 'viagroup@example.com']);
    const theirs = await effective(t.id, b.id, {}, auth);
    expectError(theirs, 404, 'not_found');
    expect(theirs.body.error).toEqual((await effective(t.id, MISSING, {}, auth)).body.error);
  });

  it('writes nothing and reads nothing else', async () => {
    const writes = [
      await app.http.post(usersBase(t.id)).set(auth).send({ email: 'new@example.com' }),
      await app.http.patch(`${usersBase(t.id)}/${u.assigned.id}`).set(auth).send({ first_name: 'Changed' }),
      await app.http.delete(`${usersBase(t.id)}/${u.assigned.id}`).query({ confirm_email: u.assigned.email }).set(auth),
      await app.http.put(`${usersBase(t.id)}/${u.assigned.id}/status`).set(auth).send({ status: 'DISABLED' }),
      await app.http.post(`${usersBase(t.id)}/${u.assigned.id}/password/reset`).set(auth).send({ method: 'DIRECT', new_password: 'Another-passw0rd' }),
      await assign(t.id, a.id, { user_ids: [u.unassigned.id] }, auth),
      await patchApp(t.id, a.id, { name: 'Mine' }, auth),
      await app.http.post(`${appsBase(t.id)}/${a.id}/client-secret`).set(auth),
      await app.http.get(appsBase(t.id)).set(auth),
      await app.http.get(`${appsBase(t.id)}/${a.id}`).set(auth),
      await app.http.get(`${usersBase(t.id)}/${u.assigned.id}/identities`).set(auth),
      await app.http.get(`/api/v1/tenants/${t.id}/groups`).set(auth),
      await app.http.get(`/api/v1/tenants/${t.id}/api-tokens`).set(auth),
      await app.http.get(`/api/v1/tenants/${t.id}`).set(auth),
      await app.http.get('/api/v1/admin/users').set(auth),
      await app.http.get(`/api/v1/admin/users/${u.unassigned.id}`).set(auth),
    ];
    for (const res of writes) expectError(res, 403, 'forbidden');
    const row = await knex()('users').where({ id: u.assigned.id }).first();
    expect(row).toMatchObject({ firstName: null, status: 'ACTIVE', version: 1 });
    expect(await knex()('users').where({ tenantId: t.id, email: 'new@example.com' }).first()).toBeUndefined();
    expect(await knex()('application_assignments').where({ applicationId: a.id, userId: u.unassigned.id }).first()).toBeUndefined();
  });

  it("gets 404 for another tenant's users", async () => {
    expectError(await app.http.get(usersBase(other.id)).set(auth), 404, 'not_found');
    expectError(await app.http.get(`${usersBase(other.id)}/${u.elsewhere.id}`).set(auth), 404, 'not_found');
    expectError(await app.http.get(`${usersBase(t.id)}/${u.elsewhere.id}`).set(auth), 404, 'not_found');
    expectError(await effective(other.id, a.id, {}, auth), 404, 'not_found');
  });

  it('holds only the scopes of its application', async () => {
    const scopeless = await newApp(t.id, { scopes: [] });
    await assign(t.id, scopeless.id, { user_ids: [u.assigned.id] });
    const res = await clientCredentials({ client_id: scopeless.client_id, client_secret: scopeless.client_secret });
    expect(res.body.scope).toBe('');
    const token = bearer(res.body.access_token);
    expectError(await app.http.get(`${usersBase(t.id)}/${u.assigned.id}`).set(token), 403, 'forbidden');
    expectError(await effective(t.id, scopeless.id, {}, token), 403, 'forbidden');
  });

  it('stops working at once when its application is disabled or deleted', async () => {
    const c = await newApp(t.id);
    await assign(t.id, c.id, { user_ids: [u.assigned.id] });
    const token = await appToken(c);
    const read = () => app.http.get(`${usersBase(t.id)}/${u.assigned.id}`).set(token);
    expect((await read()).status).toBe(200);

    expect((await patchApp(t.id, c.id, { enabled: false })).status).toBe(200);
    const off = await read();
    expectError(off, 401, 'unauthorized');
    expect(off.headers['www-authenticate']).toBe('Bearer');
    expectBadClient(await clientCredentials({ client_id: c.client_id, client_secret: c.client_secret }));

    expect((await patchApp(t.id, c.id, { enabled: true })).status).toBe(200);
    expect((await read()).status).toBe(200);

    expect((await app.http.delete(`${appsBase(t.id)}/${c.id}`).set(app.rootAuth)).status).toBe(204);
    expectError(await read(), 401, 'unauthorized');
    expect(await knex()('application_assignments').where({ applicationId: c.id })).toEqual([]);
  });

  it('stops working while its tenant is suspended, and gets no new token then', async () => {
    const s = await createTenant(app);
    const target = await createPlainUser(app, s.id);
    const c = await newApp(s.id);
    await assign(s.id, c.id, { user_ids: [target.id] });
    const token = await appToken(c);
    const read = () => app.http.get(`${usersBase(s.id)}/${target.id}`).set(token);
    expect((await read()).status).toBe(200);
    expect((await app.http.patch(`/api/v1/tenants/${s.id}`).set(app.rootAuth).send({ status: 'SUSPENDED' })).status).toBe(200);
    expectError(await read(), 401, 'unauthorized');
    expectBadClient(await clientCredentials({ client_id: c.client_id, client_secret: c.client_secret }));
    expect((await app.http.patch(`/api/v1/tenants/${s.id}`).set(app.rootAuth).send({ status: 'ACTIVE' })).status).toBe(200);
    expect((await read()).status).toBe(200);
  });

  it('is refused when it names another tenant in its claims than its application has', async () => {
    const forged = jwt.sign({ sub: a.id, tid: other.id, kind: 'application', scope: 'users:read' }, app.roster.signer.secret, {
      algorithm: 'HS256', issuer: 'roster', expiresIn: 60,
    });
    expectError(await app.http.get(usersBase(other.id)).set(bearer(forged)), 401, 'unauthorized');
  });
});
