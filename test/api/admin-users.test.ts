import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ADMIN_EMAIL, PASSWORD, type Auth, type Json, type TestApp } from '../support/test-app';
import { createPlainUser, eventsFor, expectError, expectValidation, userRow, usersBase } from './users-helpers';

let app: TestApp;
let rootId: string;
beforeAll(async () => {
  app = await createTestApp();
  rootId = (await app.roster.db.knex('users').where({ emailNormalized: ADMIN_EMAIL }).first('id')).id;
});
afterAll(() => app.close());

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ADMIN = '/api/v1/admin/users';
const adminUser = (id: string) => `${ADMIN}/${id}`;
const rand = () => crypto.randomUUID().slice(0, 8);

async function createPartner(): Promise<string> {
  const res = await app.http.post('/api/v1/partners').set(app.rootAuth).send({ name: `Partner ${rand()}` });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data.id;
}

async function createTenant(opts: { partnerId?: string; settings?: Record<string, unknown> } = {}) {
  const slug = `t-${rand()}`;
  const res = await app.http.post('/api/v1/tenants').set(app.rootAuth)
    .send({ name: `Tenant ${slug}`, slug, ...(opts.partnerId ? { partner_id: opts.partnerId } : {}), ...(opts.settings ? { settings: opts.settings } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.data.id as string, slug };
}

/** A user who signs in: created with the test password, then logged in to its tenant. */
async function staff(tenant: { id: string; slug: string }, role: string, email = `${role}-${rand()}@example.com`) {
  const user = await app.createUser(tenant.id, { email, role, send_welcome_email: false });
  const { auth } = await app.login(email, PASSWORD, tenant.slug);
  return { user, auth };
}

const ids = (res: { body: Json }) => (res.body.data as Json[]).map((u) => u.id as string);
const sorted = (xs: string[]) => [...xs].sort();

describe('GET /api/v1/admin/users', () => {
  let mark: string;
  let p1: string, p2: string;
  let tA: { id: string; slug: string }, tB: { id: string; slug: string }, tC: { id: string; slug: string }, tD: { id: string; slug: string };
  const u: Record<string, Json> = {};
  let partnerAdmin: Auth, tenantAdmin: Auth, viewer: Auth;

  beforeAll(async () => {
    mark = `mk${rand()}`;
    p1 = await createPartner();
    p2 = await createPartner();
    tA = await createTenant({ partnerId: p1 });
    tB = await createTenant({ partnerId: p1 });
    tC = await createTenant({ partnerId: p2 });
    tD = await createTenant();
    const mk = async (label: string, tenantId: string, fields: Record<string, unknown> = {}) => {
      u[label] = await createPlainUser(app, tenantId, { email: `${mark}-${label}@example.com`, first_name: label, ...fields });
    };
    await mk('a1', tA.id);
    await mk('a2', tA.id);
    await mk('b1', tB.id);
    await mk('c1', tC.id);
    await mk('d1', tD.id);
    await mk('gone', tA.id);
    expect((await app.http.delete(`${usersBase(tA.id)}/${u.gone.id}?confirm_email=${u.gone.email}`).set(app.rootAuth)).status).toBe(204);
    await app.roster.db.knex('users').where({ id: u.a2.id }).update({ status: 'DISABLED' });
    const pa = await staff(tA, 'partner_admin', `${mark}-pa@example.com`);
    u.pa = pa.user;
    partnerAdmin = pa.auth;
    const ta = await staff(tB, 'tenant_admin', `${mark}-ta@example.com`);
    u.ta = ta.user;
    tenantAdmin = ta.auth;
    const vw = await staff(tD, 'viewer', `${mark}-vw@example.com`);
    u.vw = vw.user;
    viewer = vw.auth;
  });

  const list = async (query: string, auth: Auth = app.rootAuth) => {
    const res = await app.http.get(`${ADMIN}?${query}`).set(auth);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res;
  };
  const labelsOf = (res: { body: Json }) => sorted(ids(res).map((id) => Object.keys(u).find((k) => u[k].id === id) ?? id));

  it('a super admin sees every tenant\'s users, in creation order, as list items', async () => {
    const res = await list(`search=${mark}&per_page=100`);
    expect(ids(res)).toEqual(['a1', 'a2', 'b1', 'c1', 'd1', 'pa', 'ta', 'vw'].map((k) => u[k].id));
    expect(res.body.pagination).toEqual({ page: 1, per_page: 100, total_items: 8, total_pages: 1 });
    const a1 = res.body.data[0];
    expect(a1).toEqual({
      id: u.a1.id, tenant_id: tA.id, email: `${mark}-a1@example.com`, username: null, first_name: 'a1', last_name: null, display_name: 'a1',
      status: 'ACTIVE', role: 'user', ou_id: null, ou_path: null, identity_source: 'LOCAL', mfa_enabled: false,
      created_at: expect.stringMatching(ISO), last_login_at: null,
    });
    expect(res.body.data.find((x: Json) => x.id === u.c1.id).tenant_id).toBe(tC.id);
    // The bootstrap admin of the default tenant is there too.
    expect(ids(await list(`search=${encodeURIComponent(ADMIN_EMAIL)}`))).toEqual([rootId]);
  });

  it('filters by tenant (id or slug), partner, status and search, and pages', async () => {
    expect(labelsOf(await list(`tenant_id=${tA.id}`))).toEqual(['a1', 'a2', 'pa']);
    expect(labelsOf(await list(`tenant_id=${tA.slug}`))).toEqual(['a1', 'a2', 'pa']);
    expect(labelsOf(await list(`tenant_id=${tA.slug.toUpperCase()}`))).toEqual(['a1', 'a2', 'pa']);
    expect(labelsOf(await list(`partner_id=${p1}`))).toEqual(['a1', 'a2', 'b1', 'pa', 'ta']);
    expect(labelsOf(await list(`partner_id=${p2}`))).toEqual(['c1']);
    expect(labelsOf(await list(`partner_id=${p1}&tenant_id=${tB.id}`))).toEqual(['b1', 'ta']);
    expect(labelsOf(await list(`partner_id=${p2}&tenant_id=${tB.id}`))).toEqual([]);
    expect(labelsOf(await list(`partner_id=${crypto.randomUUID()}`))).toEqual([]);
    expect(labelsOf(await list(`search=${mark}&status=DISABLED`))).toEqual(['a2']);
    expect(labelsOf(await list(`tenant_id=${tA.id}&status=ACTIVE`))).toEqual(['a1', 'pa']);
    expect(labelsOf(await list(`search=${mark}-b1`))).toEqual(['b1']);

    const p2page = await list(`search=${mark}&per_page=3&page=2`);
    expect(ids(p2page)).toEqual(['c1', 'd1', 'pa'].map((k) => u[k].id));
    expect(p2page.body.pagination).toEqual({ page: 2, per_page: 3, total_items: 8, total_pages: 3 });
    expect(ids(await list(`search=${mark}&sort_by=email&sort_order=desc&per_page=2`))).toEqual([u.vw.id, u.ta.id]);

    expectValidation(await app.http.get(`${ADMIN}?status=ASLEEP`).set(app.rootAuth), [['query', 'status']]);
    expectValidation(await app.http.get(`${ADMIN}?partner_id=nope`).set(app.rootAuth), [['query', 'partner_id']]);
    expectError(await app.http.get(`${ADMIN}?tenant_id=no-such-tenant`).set(app.rootAuth), 404, 'not_found');
  });

  it('a partner admin sees only its partner\'s tenants', async () => {
    expect(labelsOf(await list(`search=${mark}`, partnerAdmin))).toEqual(['a1', 'a2', 'b1', 'pa', 'ta']);
    // Without any filter: exactly the users of its two tenants.
    const all = await list('per_page=100', partnerAdmin);
    expect(all.body.data.every((x: Json) => x.tenant_id === tA.id || x.tenant_id === tB.id)).toBe(true);
    expect(all.body.pagination.total_items).toBe(5);
    expect(labelsOf(await list(`tenant_id=${tB.slug}`, partnerAdmin))).toEqual(['b1', 'ta']);
    expect(labelsOf(await list(`partner_id=${p1}`, partnerAdmin))).toEqual(['a1', 'a2', 'b1', 'pa', 'ta']);
    expect(labelsOf(await list(`partner_id=${p2}`, partnerAdmin))).toEqual([]);
    expectError(await app.http.get(`${ADMIN}?tenant_id=${tC.id}`).set(partnerAdmin), 404, 'not_found');
    expectError(await app.http.get(`${ADMIN}?tenant_id=${tD.slug}`).set(partnerAdmin), 404, 'not_found');
  });

  it('a tenant admin (or viewer) sees only its own tenant', async () => {
    expect(labelsOf(await list(`search=${mark}`, tenantAdmin))).toEqual(['b1', 'ta']);
    expect(labelsOf(await list('', tenantAdmin))).toEqual(['b1', 'ta']);
    expect(labelsOf(await list(`partner_id=${p1}`, tenantAdmin))).toEqual(['b1', 'ta']);
    expectError(await app.http.get(`${ADMIN}?tenant_id=${tA.id}`).set(tenantAdmin), 404, 'not_found');
    expect(labelsOf(await list(`search=${mark}`, viewer))).toEqual(['d1', 'vw']);
  });

  it('a plain user and an unauthenticated caller are refused', async () => {
    const plain = await staff(tD, 'user');
    expectError(await app.http.get(ADMIN).set(plain.auth), 403, 'forbidden');
    expectError(await app.http.get(ADMIN), 401, 'unauthorized');
  });
});

describe('POST /api/v1/admin/users', () => {
  it('creates in the named tenant (id or slug), or by default in the caller\'s own', async () => {
    const t = await createTenant();
    const res = await app.http.post(ADMIN).set(app.rootAuth).set('X-Request-Id', 'adm-create-1')
      .send({ tenant_id: t.id, email: 'New.Person@example.com', first_name: 'New', last_name: 'Person', send_welcome_email: false });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.headers.etag).toBe('W/"1"');
    expect(res.body.data).toMatchObject({ tenant_id: t.id, email: 'New.Person@example.com', display_name: 'New Person', status: 'ACTIVE', role: 'user', version: 1 });
    expect(await userRow(app.roster.db.knex, res.body.data.id)).toMatchObject({ tenantId: t.id, emailNormalized: 'new.person@example.com' });
    const [event] = await eventsFor(app.roster.db.knex, res.body.data.id, 'user.created');
    expect(event).toMatchObject({ tenantId: t.id, actorId: rootId, requestId: 'adm-create-1' });

    const bySlug = await app.http.post(ADMIN).set(app.rootAuth).send({ tenant_id: t.slug, email: 'slug@example.com', send_welcome_email: false });
    expect(bySlug.status).toBe(201);
    expect(bySlug.body.data.tenant_id).toBe(t.id);

    const mine = await app.http.post(ADMIN).set(app.rootAuth).send({ email: `root-made-${rand()}@example.com`, send_welcome_email: false });
    expect(mine.status).toBe(201);
    expect(mine.body.data.tenant_id).toBe(app.defaultTenantId);

    expectError(await app.http.post(ADMIN).set(app.rootAuth).send({ tenant_id: t.id, email: 'NEW.PERSON@example.com' }), 409, 'duplicate_email', 'email');
    expectValidation(await app.http.post(ADMIN).set(app.rootAuth).send({ tenant_id: t.id, email: 'not-an-email' }), [['body', 'email']]);
    expectError(await app.http.post(ADMIN).set(app.rootAuth).send({ tenant_id: 'no-such-tenant', email: 'x@example.com' }), 404, 'not_found');
  });

  it('a tenant admin creates in its own tenant only; a partner admin in its partner\'s', async () => {
    const p = await createPartner();
    const t1 = await createTenant({ partnerId: p });
    const t2 = await createTenant({ partnerId: p });
    const elsewhere = await createTenant();
    const ta = await staff(t1, 'tenant_admin');
    const own = await app.http.post(ADMIN).set(ta.auth).send({ email: 'own@example.com', send_welcome_email: false });
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    expect(own.body.data.tenant_id).toBe(t1.id);
    expectError(await app.http.post(ADMIN).set(ta.auth).send({ tenant_id: t2.id, email: 'other@example.com' }), 404, 'not_found');
    expectError(await app.http.post(ADMIN).set(ta.auth).send({ email: 'boss@example.com', role: 'super_admin' }), 403, 'forbidden');

    const pa = await staff(t1, 'partner_admin');
    const inT2 = await app.http.post(ADMIN).set(pa.auth).send({ tenant_id: t2.slug, email: 'p@example.com', send_welcome_email: false });
    expect(inT2.status).toBe(201);
    expect(inT2.body.data.tenant_id).toBe(t2.id);
    expectError(await app.http.post(ADMIN).set(pa.auth).send({ tenant_id: elsewhere.id, email: 'p@example.com' }), 404, 'not_found');

    const vw = await staff(t1, 'viewer');
    expectError(await app.http.post(ADMIN).set(vw.auth).send({ email: 'v@example.com' }), 403, 'forbidden');

    const count = async (tenantId: string) => Number((await app.roster.db.knex('users').where({ tenantId }).count({ n: '*' }).first())!.n);
    expect(await count(t2.id)).toBe(1);
    expect(await count(elsewhere.id)).toBe(0);
  });
});

describe('GET, PATCH and DELETE /api/v1/admin/users/{id}', () => {
  it('GET answers the user with its groups (direct and inherited) and its ETag', async () => {
    const t = await createTenant();
    const user = await createPlainUser(app, t.id, { first_name: 'Ada' });
    const outer = (await app.http.post(`/api/v1/tenants/${t.id}/groups`).set(app.rootAuth).send({ name: 'Outer' })).body.data;
    const inner = (await app.http.post(`/api/v1/tenants/${t.id}/groups`).set(app.rootAuth).send({ name: 'Inner' })).body.data;
    expect((await app.http.post(`/api/v1/tenants/${t.id}/groups/${outer.id}/members`).set(app.rootAuth).send({ group_ids: [inner.id] })).status).toBe(200);
    expect((await app.http.post(`/api/v1/tenants/${t.id}/groups/${inner.id}/members`).set(app.rootAuth).send({ user_ids: [user.id] })).status).toBe(200);

    const res = await app.http.get(adminUser(user.id)).set(app.rootAuth);
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('W/"1"');
    const { groups, ...rest } = res.body.data;
    expect(rest).toEqual(user);
    expect(groups).toEqual([
      { group_id: inner.id, name: 'Inner', membership_type: 'DIRECT' },
      { group_id: outer.id, name: 'Outer', membership_type: 'INHERITED' },
    ]);
    const g = await app.http.get(`${adminUser(user.id)}/groups`).set(app.rootAuth);
    expect(g.status).toBe(200);
    expect(g.body.data).toEqual(groups);

    for (const id of [crypto.randomUUID(), 'not-a-uuid']) {
      expectError(await app.http.get(adminUser(id)).set(app.rootAuth), 404, 'not_found');
      expectError(await app.http.get(`${adminUser(id)}/groups`).set(app.rootAuth), 404, 'not_found');
    }
  });

  it('PATCH changes the fields sent and honours If-Match', async () => {
    const t = await createTenant();
    const user = await createPlainUser(app, t.id, { first_name: 'Old' });
    const res = await app.http.patch(adminUser(user.id)).set(app.rootAuth).set('If-Match', 'W/"1"').send({ first_name: 'New', job_title: 'Chief' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers.etag).toBe('W/"2"');
    expect(res.body.data).toMatchObject({ id: user.id, first_name: 'New', job_title: 'Chief', version: 2 });
    expect(await userRow(app.roster.db.knex, user.id)).toMatchObject({ firstName: 'New', jobTitle: 'Chief', version: 2 });
    const [event] = await eventsFor(app.roster.db.knex, user.id, 'user.updated');
    expect(event.details).toEqual({ changes: { first_name: { from: 'Old', to: 'New' }, job_title: { from: null, to: 'Chief' } } });

    expectError(await app.http.patch(adminUser(user.id)).set(app.rootAuth).set('If-Match', 'W/"1"').send({ first_name: 'Lost' }), 412, 'precondition_failed');
    expectValidation(await app.http.patch(adminUser(user.id)).set(app.rootAuth).send({ status: 'LOCKED' }), [['body', 'status']]);
    expect(await userRow(app.roster.db.knex, user.id)).toMatchObject({ firstName: 'New', version: 2 });
  });

  it('DELETE is a soft delete answering 204, without confirm_email', async () => {
    const t = await createTenant();
    const user = await createPlainUser(app, t.id);
    const res = await app.http.delete(adminUser(user.id)).set(app.rootAuth).set('X-Request-Id', 'adm-del-1');
    expect(res.status, JSON.stringify(res.body)).toBe(204);
    expect(res.text).toBe('');
    const row = await userRow(app.roster.db.knex, user.id);
    expect(row).toBeDefined();
    expect(row.deletedAt).not.toBeNull();
    expect(row.version).toBe(2);
    const [event] = await eventsFor(app.roster.db.knex, user.id, 'user.deleted');
    expect(event).toMatchObject({ tenantId: t.id, actorId: rootId, requestId: 'adm-del-1' });
    expect(event.details).toEqual({ permanent: false });

    expectError(await app.http.get(adminUser(user.id)).set(app.rootAuth), 404, 'not_found');
    expectError(await app.http.delete(adminUser(user.id)).set(app.rootAuth), 404, 'not_found');
    expectError(await app.http.get(`${adminUser(user.id)}/groups`).set(app.rootAuth), 404, 'not_found');
    expectError(await app.http.patch(adminUser(user.id)).set(app.rootAuth).send({ first_name: 'Ghost' }), 404, 'not_found');
    expect(ids(await app.http.get(`${ADMIN}?tenant_id=${t.id}`).set(app.rootAuth))).toEqual([]);
  });

  it('DELETE refuses internal users (409), stale If-Match (412) and oneself (409)', async () => {
    const t = await createTenant();
    const internal = await createPlainUser(app, t.id, { is_internal: true });
    expectError(await app.http.delete(adminUser(internal.id)).set(app.rootAuth), 409, 'conflict');
    expect((await userRow(app.roster.db.knex, internal.id)).deletedAt).toBeNull();

    const user = await createPlainUser(app, t.id);
    expectError(await app.http.delete(adminUser(user.id)).set(app.rootAuth).set('If-Match', 'W/"7"'), 412, 'precondition_failed');
    expect((await userRow(app.roster.db.knex, user.id)).deletedAt).toBeNull();
    expect((await app.http.delete(adminUser(user.id)).set(app.rootAuth).set('If-Match', 'W/"1"')).status).toBe(204);

    const ta = await staff(t, 'tenant_admin');
    expectError(await app.http.delete(adminUser(ta.user.id)).set(ta.auth), 409, 'conflict');
    expect((await userRow(app.roster.db.knex, ta.user.id)).deletedAt).toBeNull();
  });

  it('a helpdesk may read but not change or delete; nobody acts on a higher role', async () => {
    const t = await createTenant();
    const hd = await staff(t, 'helpdesk');
    const user = await createPlainUser(app, t.id);
    const boss = await createPlainUser(app, t.id, { role: 'tenant_admin' });
    expect((await app.http.get(adminUser(user.id)).set(hd.auth)).status).toBe(200);
    expectError(await app.http.patch(adminUser(user.id)).set(hd.auth).send({ first_name: 'X' }), 403, 'forbidden');
    expectError(await app.http.delete(adminUser(user.id)).set(hd.auth), 403, 'forbidden');
    await app.roster.db.knex('users').where({ id: boss.id }).update({ mfaEnabled: true });
    expectError(await app.http.post(`${adminUser(boss.id)}/mfa/disable`).set(hd.auth), 403, 'forbidden');
    expect(await userRow(app.roster.db.knex, user.id)).toMatchObject({ deletedAt: null, version: 1 });
    expect(await userRow(app.roster.db.knex, boss.id)).toMatchObject({ version: 1 });
    expect([true, 1]).toContain((await userRow(app.roster.db.knex, boss.id)).mfaEnabled);
  });
});

describe('POST /api/v1/admin/users/{id}/mfa/disable', () => {
  it('turns MFA off and records it; a second call is a 409', async () => {
    const t = await createTenant();
    const user = await createPlainUser(app, t.id);
    await app.roster.db.knex('users').where({ id: user.id }).update({ mfaEnabled: true });
    expect((await app.http.get(adminUser(user.id)).set(app.rootAuth)).body.data.mfa_enabled).toBe(true);

    const res = await app.http.post(`${adminUser(user.id)}/mfa/disable`).set(app.rootAuth).set('X-Request-Id', 'mfa-1');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({ id: user.id, mfa_enabled: false, version: 2 });
    const row = await userRow(app.roster.db.knex, user.id);
    expect(Boolean(row.mfaEnabled)).toBe(false);
    const events = await eventsFor(app.roster.db.knex, user.id, 'user.mfa_disabled');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ tenantId: t.id, actorId: rootId, requestId: 'mfa-1' });

    expectError(await app.http.post(`${adminUser(user.id)}/mfa/disable`).set(app.rootAuth), 409, 'conflict');
    expect(await eventsFor(app.roster.db.knex, user.id, 'user.mfa_disabled')).toHaveLength(1);
    expect((await userRow(app.roster.db.knex, user.id)).version).toBe(2);
  });

  it('a helpdesk of the tenant may do it', async () => {
    const t = await createTenant();
    const hd = await staff(t, 'helpdesk');
    const user = await createPlainUser(app, t.id);
    await app.roster.db.knex('users').where({ id: user.id }).update({ mfaEnabled: true });
    const res = await app.http.post(`${adminUser(user.id)}/mfa/disable`).set(hd.auth);
    expect(res.status).toBe(200);
    expect(res.body.data.mfa_enabled).toBe(false);
    const [event] = await eventsFor(app.roster.db.knex, user.id, 'user.mfa_disabled');
    expect(event.actorId).toBe(hd.user.id);
  });
});

describe('POST /api/v1/admin/users/{id}/reset-password', () => {
  it('sets the password under the tenant\'s policy; the user signs in with it, and old sessions end', async () => {
    const t = await createTenant({ settings: { password_policy: { min_length: 12, require_digit: true, history: 3 } } });
    const email = `reset-${rand()}@example.com`;
    // Created under the policy, so its first password complies.
    const user = await app.createUser(t.id, { email, password: 'First-password-1', role: 'viewer', send_welcome_email: false });
    const old = await app.login(email, 'First-password-1', t.slug);
    const readOwnTenant = (auth: Auth) => app.http.get(usersBase(t.id)).set(auth);
    expect((await readOwnTenant(old.auth)).status).toBe(200);

    const reset = (body: Record<string, unknown>) => app.http.post(`${adminUser(user.id)}/reset-password`).set(app.rootAuth).send(body);
    expectValidation(await reset({ new_password: 'short-1' }), [['body', 'new_password']]);
    expectValidation(await reset({ new_password: 'no-digits-in-here' }), [['body', 'new_password']]);
    expectValidation(await reset({ new_password: 'First-password-1' }), [['body', 'new_password']]);
    expectValidation(await reset({}), [['body', 'new_password']]);
    expectValidation(await reset({ new_password: 'Second-password-2', method: 'EMAIL' }), [['body', 'method']]);
    expect((await userRow(app.roster.db.knex, user.id)).version).toBe(1);

    const before = await userRow(app.roster.db.knex, user.id);
    const res = await app.http.post(`${adminUser(user.id)}/reset-password`).set(app.rootAuth).set('X-Request-Id', 'pw-1')
      .send({ new_password: 'Second-password-2', require_password_change: true });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({ id: user.id, require_password_change: true, version: 2 });
    expect(JSON.stringify(res.body)).not.toContain('Second-password-2');
    const after = await userRow(app.roster.db.knex, user.id);
    expect(after.passwordHash).not.toBe(before.passwordHash);
    expect(new Date(after.passwordChangedAt).getTime()).toBeGreaterThanOrEqual(new Date(before.passwordChangedAt).getTime());
    expect(Boolean(after.requirePasswordChange)).toBe(true);

    // The old session is over; the old password no longer works; the new one does.
    expectError(await readOwnTenant(old.auth), 401, 'unauthorized');
    const sessions = await app.roster.db.knex('sessions').where({ userId: user.id });
    expect(sessions.map((x: Json) => x.revokedReason)).toEqual(['password_reset']);
    const refreshed = await app.http.post('/api/v1/auth/token').send({ grant_type: 'refresh_token', refresh_token: old.refresh_token });
    expect(refreshed.status).toBe(401);
    const oldLogin = await app.http.post('/api/v1/auth/token').send({ grant_type: 'password', username: email, password: 'First-password-1', tenant: t.slug });
    expect(oldLogin.status).toBe(401);
    // require_password_change: the set password signs in only together with a new one.
    const asked = await app.http.post('/api/v1/auth/token').send({ grant_type: 'password', username: email, password: 'Second-password-2', tenant: t.slug });
    expect(asked.status).toBe(401);
    expect(asked.body.error.field).toBe('new_password');
    const changed = await app.http.post('/api/v1/auth/token').send({ grant_type: 'password', username: email, password: 'Second-password-2', tenant: t.slug, new_password: 'Own-password-4' });
    expect(changed.status).toBe(200);
    expect((await readOwnTenant({ Authorization: `Bearer ${changed.body.access_token}` })).status).toBe(200);

    const [event] = await eventsFor(app.roster.db.knex, user.id, 'user.password_reset');
    expect(event).toMatchObject({ tenantId: t.id, actorId: rootId, requestId: 'pw-1' });
    expect(event.details).toEqual({ method: 'DIRECT', sessions_revoked: 1, require_password_change: true });
    // A user without a password can be given one.
    const blank = await createPlainUser(app, t.id);
    expect((await app.http.post(`${adminUser(blank.id)}/reset-password`).set(app.rootAuth).send({ new_password: 'Third-password-3' })).body.data.require_password_change).toBe(false);
  });
});

describe('POST /api/v1/admin/users/{id}/unlock', () => {
  it('a user LOCKED by failed logins goes back to ACTIVE with the count cleared', async () => {
    const t = await createTenant({ settings: { lockout: { max_failed_attempts: 2, lock_duration_minutes: 0 } } });
    const email = `locked-${rand()}@example.com`;
    const user = await app.createUser(t.id, { email, send_welcome_email: false });
    for (let i = 0; i < 2; i++) {
      const bad = await app.http.post('/api/v1/auth/token').send({ grant_type: 'password', username: email, password: 'wrong-password', tenant: t.slug });
      expect(bad.status).toBe(401);
    }
    const locked = await userRow(app.roster.db.knex, user.id);
    expect(locked).toMatchObject({ status: 'LOCKED', failedLoginCount: 2, lockReason: 'failed_logins' });
    expect((await app.http.post('/api/v1/auth/token').send({ grant_type: 'password', username: email, password: PASSWORD, tenant: t.slug })).status).toBe(401);

    const res = await app.http.post(`${adminUser(user.id)}/unlock`).set(app.rootAuth).set('X-Request-Id', 'unlock-1');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({ id: user.id, status: 'ACTIVE', is_active: true, version: locked.version + 1 });
    const row = await userRow(app.roster.db.knex, user.id);
    expect(row).toMatchObject({ status: 'ACTIVE', failedLoginCount: 0, lockedAt: null, lockReason: null });
    const [event] = await eventsFor(app.roster.db.knex, user.id, 'user.unlocked');
    expect(event).toMatchObject({ tenantId: t.id, actorId: rootId, requestId: 'unlock-1' });
    expect(event.details).toEqual({ was_locked: true, failed_attempts_cleared: 2 });

    await app.login(email, PASSWORD, t.slug);
  });

  it('an ACTIVE user just has the count cleared; DISABLED or pending users are a 409', async () => {
    const t = await createTenant();
    const active = await createPlainUser(app, t.id);
    await app.roster.db.knex('users').where({ id: active.id }).update({ failedLoginCount: 3 });
    const res = await app.http.post(`${adminUser(active.id)}/unlock`).set(app.rootAuth);
    expect(res.status).toBe(200);
    expect(await userRow(app.roster.db.knex, active.id)).toMatchObject({ status: 'ACTIVE', failedLoginCount: 0 });

    const disabled = await createPlainUser(app, t.id);
    const put = await app.http.put(`${usersBase(t.id)}/${disabled.id}/status`).set(app.rootAuth).send({ status: 'DISABLED' });
    expect(put.status).toBe(200);
    expectError(await app.http.post(`${adminUser(disabled.id)}/unlock`).set(app.rootAuth), 409, 'conflict');
    expect(await userRow(app.roster.db.knex, disabled.id)).toMatchObject({ status: 'DISABLED', version: 2 });

    const pending = await createPlainUser(app, t.id);
    await app.roster.db.knex('users').where({ id: pending.id }).update({ status: 'PENDING_APPROVAL' });
    expectError(await app.http.post(`${adminUser(pending.id)}/unlock`).set(app.rootAuth), 409, 'conflict');
    expect((await userRow(app.roster.db.knex, pending.id)).status).toBe('PENDING_APPROVAL');
    expect(await eventsFor(app.roster.db.knex, disabled.id, 'user.unlocked')).toEqual([]);
  });
});

describe('GET /api/v1/admin/users/identity-source/mismatches', () => {
  const MISMATCHES = `${ADMIN}/identity-source/mismatches`;
  let t: { id: string; slug: string };
  let other: { id: string; slug: string };
  const u: Record<string, Json> = {};

  async function idp(tenantId: string, alias: string, type: 'LDAP' | 'OIDC' | 'SAML') {
    const res = await app.http.post(`/api/v1/tenants/${tenantId}/identity-providers`).set(app.rootAuth).send({ alias, type, name: `${type} ${alias}` });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.data.id as string;
  }
  async function link(tenantId: string, userId: string, providerId: string, subject: string) {
    const res = await app.http.post(`${usersBase(tenantId)}/${userId}/identities`).set(app.rootAuth).send({ provider_id: providerId, subject });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }

  beforeAll(async () => {
    t = await createTenant();
    other = await createTenant();
    const ldap = await idp(t.id, 'corp-ldap', 'LDAP');
    const oidc = await idp(t.id, 'google', 'OIDC');
    const saml = await idp(t.id, 'okta', 'SAML');
    const otherOidc = await idp(other.id, 'google', 'OIDC');
    const mk = async (label: string, tenantId: string, source: string) => {
      u[label] = await createPlainUser(app, tenantId, { email: `${label}@example.com`, identity_source: source });
    };
    // Wrong: a federated identity whose provider type differs from identity_source.
    await mk('ldap-local', t.id, 'LOCAL');
    await mk('oidc-local', t.id, 'LOCAL');
    await mk('saml-local', t.id, 'LOCAL');
    await mk('oidc-scim', t.id, 'SCIM');
    await mk('saml-ldap', t.id, 'LDAP');
    // Right, or nothing to compare with.
    await mk('ldap-ok', t.id, 'LDAP');
    await mk('oidc-ok', t.id, 'OIDC');
    await mk('saml-ok', t.id, 'SAML');
    await mk('local-plain', t.id, 'LOCAL');
    await mk('scim-plain', t.id, 'SCIM');
    await mk('gone-local', t.id, 'LOCAL');
    await mk('other-local', other.id, 'LOCAL');
    await link(t.id, u['ldap-local'].id, ldap, 'uid=ll');
    await link(t.id, u['oidc-local'].id, oidc, 'g-ol');
    await link(t.id, u['saml-local'].id, saml, 'okta-sl');
    await link(t.id, u['oidc-scim'].id, oidc, 'g-os');
    await link(t.id, u['saml-ldap'].id, saml, 'okta-sd');
    await link(t.id, u['ldap-ok'].id, ldap, 'uid=ok');
    await link(t.id, u['oidc-ok'].id, oidc, 'g-ok');
    await link(t.id, u['saml-ok'].id, saml, 'okta-ok');
    await link(t.id, u['gone-local'].id, ldap, 'uid=gone');
    await link(other.id, u['other-local'].id, otherOidc, 'g-other');
    expect((await app.http.delete(adminUser(u['gone-local'].id)).set(app.rootAuth)).status).toBe(204);
  });

  const expected = (label: string, from: string, to: string, alias: string, tenantId: string, fixed: boolean) => ({
    user_id: u[label].id, tenant_id: tenantId, email: `${label}@example.com`, identity_source: from, expected_identity_source: to,
    provider_alias: alias, provider_type: to, fixed,
  });
  const inT = (fixed: boolean) => [
    expected('ldap-local', 'LOCAL', 'LDAP', 'corp-ldap', t.id, fixed),
    expected('oidc-local', 'LOCAL', 'OIDC', 'google', t.id, fixed),
    expected('oidc-scim', 'SCIM', 'OIDC', 'google', t.id, fixed),
    expected('saml-ldap', 'LDAP', 'SAML', 'okta', t.id, fixed),
    expected('saml-local', 'LOCAL', 'SAML', 'okta', t.id, fixed),
  ];
  const sources = async () => Object.fromEntries(
    await Promise.all(Object.entries(u).map(async ([k, v]) => [k, (await userRow(app.roster.db.knex, v.id)).identitySource])),
  );

  it('reports every user whose identity_source differs from its provider\'s type; fix=false changes nothing', async () => {
    const before = await sources();
    const res = await app.http.get(`${MISMATCHES}?tenant_id=${t.id}`).set(app.rootAuth);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toEqual(inT(false));
    expect(res.body.summary).toEqual({ found: 5, fixed: 0 });
    const explicit = await app.http.get(`${MISMATCHES}?tenant_id=${t.slug}&fix=false`).set(app.rootAuth);
    expect(explicit.body.data).toEqual(inT(false));
    expect(await sources()).toEqual(before);
    for (const v of Object.values(u)) expect(await eventsFor(app.roster.db.knex, v.id, 'user.identity_source_fixed')).toEqual([]);

    // Without tenant_id a super admin sees every tenant, the other tenant's user included.
    const all = await app.http.get(MISMATCHES).set(app.rootAuth);
    expect(all.status).toBe(200);
    const mine = (all.body.data as Json[]).filter((m) => m.tenant_id === t.id || m.tenant_id === other.id);
    expect(sorted(mine.map((m) => m.user_id))).toEqual(sorted([...inT(false).map((m) => m.user_id), u['other-local'].id]));
    expect(all.body.data.find((m: Json) => m.user_id === u['other-local'].id)).toEqual(expected('other-local', 'LOCAL', 'OIDC', 'google', other.id, false));
  });

  it('is scoped to the caller: a tenant admin sees its own tenant only and 404s on another; staff below admin get 403', async () => {
    const ta = await staff(other, 'tenant_admin');
    const res = await app.http.get(MISMATCHES).set(ta.auth);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([expected('other-local', 'LOCAL', 'OIDC', 'google', other.id, false)]);
    expectError(await app.http.get(`${MISMATCHES}?tenant_id=${t.id}`).set(ta.auth), 404, 'not_found');
    expectError(await app.http.get(`${MISMATCHES}?tenant_id=${t.slug}&fix=true`).set(ta.auth), 404, 'not_found');
    for (const role of ['helpdesk', 'viewer']) {
      const s = await staff(other, role);
      expectError(await app.http.get(MISMATCHES).set(s.auth), 403, 'forbidden');
      expectError(await app.http.get(`${MISMATCHES}?fix=true`).set(s.auth), 403, 'forbidden');
    }
    expect((await userRow(app.roster.db.knex, u['ldap-local'].id)).identitySource).toBe('LOCAL');
    expect((await userRow(app.roster.db.knex, u['other-local'].id)).identitySource).toBe('LOCAL');
    expectValidation(await app.http.get(`${MISMATCHES}?fix=yes`).set(app.rootAuth), [['query', 'fix']]);
  });

  it('fix=true sets identity_source to the provider\'s type, answers what it changed, records one event each; a second call finds nothing', async () => {
    const before = await sources();
    const res = await app.http.get(`${MISMATCHES}?tenant_id=${t.id}&fix=true`).set(app.rootAuth).set('X-Request-Id', 'fix-1');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toEqual(inT(true));
    expect(res.body.summary).toEqual({ found: 5, fixed: 5 });

    expect(await sources()).toEqual({
      ...before, 'ldap-local': 'LDAP', 'oidc-local': 'OIDC', 'saml-local': 'SAML', 'oidc-scim': 'OIDC', 'saml-ldap': 'SAML',
    });
    // The other tenant was not part of it.
    expect((await userRow(app.roster.db.knex, u['other-local'].id)).identitySource).toBe('LOCAL');
    for (const m of inT(true)) {
      const events = await eventsFor(app.roster.db.knex, m.user_id, 'user.identity_source_fixed');
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ tenantId: t.id, actorType: 'user', actorId: rootId, subjectType: 'user', requestId: 'fix-1' });
      expect(events[0].details).toEqual({ from: m.identity_source, to: m.expected_identity_source, provider: m.provider_alias });
      expect((await userRow(app.roster.db.knex, m.user_id)).version).toBe(2);
    }
    // The fixed users read as such through the API.
    expect((await app.http.get(adminUser(u['oidc-scim'].id)).set(app.rootAuth)).body.data.identity_source).toBe('OIDC');

    const again = await app.http.get(`${MISMATCHES}?tenant_id=${t.id}&fix=true`).set(app.rootAuth);
    expect(again.body.data).toEqual([]);
    expect(again.body.summary).toEqual({ found: 0, fixed: 0 });
    for (const m of inT(true)) expect(await eventsFor(app.roster.db.knex, m.user_id, 'user.identity_source_fixed')).toHaveLength(1);

    // A tenant admin fixes its own tenant's.
    const ta = await staff(other, 'tenant_admin');
    const own = await app.http.get(`${MISMATCHES}?fix=true`).set(ta.auth);
    expect(own.body.data).toEqual([expected('other-local', 'LOCAL', 'OIDC', 'google', other.id, true)]);
    expect(own.body.summary).toEqual({ found: 1, fixed: 1 });
    expect((await userRow(app.roster.db.knex, u['other-local'].id)).identitySource).toBe('OIDC');
    const [event] = await eventsFor(app.roster.db.knex, u['other-local'].id, 'user.identity_source_fixed');
    expect(event.actorId).toBe(ta.user.id);
  });
});

describe('identity-source mismatches with several identities', () => {
  it('the earliest linked identity decides; each user is reported once', async () => {
    const t = await createTenant();
    const mkIdp = async (alias: string, type: string) =>
      (await app.http.post(`/api/v1/tenants/${t.id}/identity-providers`).set(app.rootAuth).send({ alias, type, name: alias })).body.data.id as string;
    const ldap = await mkIdp('ldap', 'LDAP');
    const oidc = await mkIdp('oidc', 'OIDC');
    const saml = await mkIdp('saml', 'SAML');
    const link = async (userId: string, providerId: string, subject: string, linkedAt: string) => {
      const res = await app.http.post(`${usersBase(t.id)}/${userId}/identities`).set(app.rootAuth).send({ provider_id: providerId, subject });
      expect(res.status).toBe(201);
      await app.roster.db.knex('user_identities').where({ id: res.body.data.id }).update({ linkedAt });
    };
    const local = await createPlainUser(app, t.id, { email: 'two-local@example.com' });
    const fine = await createPlainUser(app, t.id, { email: 'two-fine@example.com', identity_source: 'OIDC' });
    // Linked LDAP second but dated first: the date, not the order of the calls, counts.
    await link(local.id, oidc, 'o-1', '2026-02-01T00:00:00.000Z');
    await link(local.id, ldap, 'l-1', '2026-01-01T00:00:00.000Z');
    await link(local.id, saml, 's-1', '2026-03-01T00:00:00.000Z');
    await link(fine.id, oidc, 'o-2', '2026-01-01T00:00:00.000Z');
    await link(fine.id, saml, 's-2', '2026-02-01T00:00:00.000Z');

    const res = await app.http.get(`${ADMIN}/identity-source/mismatches?tenant_id=${t.id}&fix=true`).set(app.rootAuth);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([{
      user_id: local.id, tenant_id: t.id, email: 'two-local@example.com', identity_source: 'LOCAL', expected_identity_source: 'LDAP',
      provider_alias: 'ldap', provider_type: 'LDAP', fixed: true,
    }]);
    expect(res.body.summary).toEqual({ found: 1, fixed: 1 });
    expect((await userRow(app.roster.db.knex, local.id)).identitySource).toBe('LDAP');
    expect((await userRow(app.roster.db.knex, fine.id)).identitySource).toBe('OIDC');
    expect(await eventsFor(app.roster.db.knex, local.id, 'user.identity_source_fixed')).toHaveLength(1);
  });
});

describe('reach: another tenant\'s user is a 404 on every admin route', () => {
  it('for a tenant admin, a partner admin outside the partner, and nothing changes', async () => {
    const p = await createPartner();
    const home = await createTenant({ partnerId: p });
    const away = await createTenant();
    const ta = await staff(home, 'tenant_admin');
    const pa = await staff(home, 'partner_admin');
    const victim = await app.createUser(away.id, { email: `victim-${rand()}@example.com`, send_welcome_email: false });
    await app.roster.db.knex('users').where({ id: victim.id }).update({ mfaEnabled: true, failedLoginCount: 2 });
    const before = await userRow(app.roster.db.knex, victim.id);

    for (const auth of [ta.auth, pa.auth]) {
      const routes = [
        app.http.get(adminUser(victim.id)).set(auth),
        app.http.patch(adminUser(victim.id)).set(auth).send({ first_name: 'Hijacked' }),
        app.http.delete(adminUser(victim.id)).set(auth),
        app.http.get(`${adminUser(victim.id)}/groups`).set(auth),
        app.http.post(`${adminUser(victim.id)}/mfa/disable`).set(auth),
        app.http.post(`${adminUser(victim.id)}/reset-password`).set(auth).send({ new_password: 'Hijacked-password-1' }),
        app.http.post(`${adminUser(victim.id)}/unlock`).set(auth),
      ];
      for (const res of await Promise.all(routes)) expectError(res, 404, 'not_found');
      expect(ids(await app.http.get(`${ADMIN}?search=${victim.email}`).set(auth))).toEqual([]);
    }
    expect(await userRow(app.roster.db.knex, victim.id)).toEqual(before);
    const events = await eventsFor(app.roster.db.knex, victim.id);
    expect(events.map((e: Json) => e.action)).toEqual(['user.created']);
    // The owner of the tenant still reaches the user.
    expect((await app.http.get(adminUser(victim.id)).set(app.rootAuth)).status).toBe(200);
  });

  it('a partner admin reaches users in every tenant of its partner', async () => {
    const p = await createPartner();
    const home = await createTenant({ partnerId: p });
    const sibling = await createTenant({ partnerId: p });
    const pa = await staff(home, 'partner_admin');
    const user = await createPlainUser(app, sibling.id, { first_name: 'Sib' });
    await app.roster.db.knex('users').where({ id: user.id }).update({ mfaEnabled: true });
    expect((await app.http.get(adminUser(user.id)).set(pa.auth)).body.data.first_name).toBe('Sib');
    expect((await app.http.patch(adminUser(user.id)).set(pa.auth).send({ first_name: 'Sibling' })).body.data.first_name).toBe('Sibling');
    expect((await app.http.post(`${adminUser(user.id)}/mfa/disable`).set(pa.auth)).body.data.mfa_enabled).toBe(false);
    expect((await app.http.delete(adminUser(user.id)).set(pa.auth)).status).toBe(204);
    expect((await userRow(app.roster.db.knex, user.id)).deletedAt).not.toBeNull();
  });
});
