import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, type Auth, type TestApp } from '../support/test-app';

let app: TestApp;
let tenant: { tenantId: string; slug: string; user: Record<string, string>; auth: Auth };
beforeAll(async () => {
  app = await createTestApp();
  tenant = await app.tenantWithUser('tenant_admin');
});
afterAll(() => app.close());

const uniq = () => crypto.randomUUID().slice(0, 8);
const users = '/api/v1/users';

describe('/api/v1/users in the caller\'s tenant', () => {
  it('creates, reads, replaces, patches and deletes without naming the tenant', async () => {
    const created = await app.http.post(users).set(tenant.auth).send({ email: `c-${uniq()}@example.com`, first_name: 'Cleo', job_title: 'Clerk', company: 'Acme', send_welcome_email: false });
    expect(created.status).toBe(201);
    expect(created.body.data.tenant_id).toBe(tenant.tenantId);
    expect(created.headers.location).toBe(`${users}/${created.body.data.id}`);
    const id = created.body.data.id;

    const got = await app.http.get(`${users}/${id}`).set(tenant.auth);
    expect(got.body.data).toMatchObject({ first_name: 'Cleo', job_title: 'Clerk' });
    expect(got.headers.etag).toBe('W/"1"');

    // PATCH changes only what is sent.
    const patched = await app.http.patch(`${users}/${id}`).set(tenant.auth).send({ last_name: 'Park' });
    expect(patched.body.data).toMatchObject({ first_name: 'Cleo', last_name: 'Park', job_title: 'Clerk', company: 'Acme', version: 2 });

    // PUT replaces: what is left out is cleared; If-Match guards it.
    const stale = await app.http.put(`${users}/${id}`).set(tenant.auth).set('If-Match', 'W/"1"').send({ email: got.body.data.email, first_name: 'Chloe' });
    expect(stale.status).toBe(412);
    const replaced = await app.http.put(`${users}/${id}`).set(tenant.auth).set('If-Match', 'W/"2"').send({ email: got.body.data.email, first_name: 'Chloe' });
    expect(replaced.status).toBe(200);
    expect(replaced.body.data).toMatchObject({ first_name: 'Chloe', last_name: null, job_title: null, company: null, version: 3 });
    const missingEmail = await app.http.put(`${users}/${id}`).set(tenant.auth).send({ first_name: 'X' });
    expect(missingEmail.status).toBe(422);
    expect(missingEmail.body.detail[0].loc).toEqual(['body', 'email']);

    const status = await app.http.put(`${users}/${id}/status`).set(tenant.auth).send({ status: 'DISABLED', reason: 'left' });
    expect(status.body.data.status).toBe('DISABLED');

    expect((await app.http.delete(`${users}/${id}`).set(tenant.auth)).status).toBe(204);
    expect((await app.http.get(`${users}/${id}`).set(tenant.auth)).status).toBe(404);
    const row = await app.roster.db.knex('users').where({ id }).first();
    expect(row.deletedAt).not.toBeNull();
    expect((await app.http.delete(`${users}/${id}`).set(tenant.auth).query({ permanent: 'true' })).status).toBe(204);
    expect(await app.roster.db.knex('users').where({ id }).first()).toBeUndefined();
  });

  it('internal users cannot be deleted (seed 003)', async () => {
    const internal = await app.createUser(tenant.tenantId, { is_internal: true });
    const res = await app.http.delete(`${users}/${internal.id}`).set(tenant.auth);
    expect(res.status).toBe(409);
    expect((await app.http.get(`${users}/${internal.id}`).set(tenant.auth)).status).toBe(200);
  });

  it('lists with seed 003 and 004 filters and both paging styles', async () => {
    const a = await app.createUser(tenant.tenantId, { email: `list-${uniq()}@example.com`, role: 'viewer', password: undefined });
    const byId = await app.http.get(users).set(tenant.auth).query({ user_id: a.id });
    expect(byId.body.data.map((u: { id: string }) => u.id)).toEqual([a.id]);
    const byEmail = await app.http.get(users).set(tenant.auth).query({ email: a.email.toUpperCase() });
    expect(byEmail.body.data.map((u: { id: string }) => u.id)).toEqual([a.id]);
    const viewers = await app.http.get(users).set(tenant.auth).query({ role: 'viewer', is_active: 'true' });
    expect(viewers.body.data.every((u: { role: string }) => u.role === 'viewer')).toBe(true);
    const window = await app.http.get(users).set(tenant.auth).query({ offset: 1, limit: 1, sort_by: 'created_at' });
    expect(window.body.pagination).toMatchObject({ per_page: 1, page: 2 });
    // Nothing of another tenant.
    const other = await app.tenantWithUser('tenant_admin');
    const theirs = await app.http.get(users).set(other.auth).query({ user_id: a.id });
    expect(theirs.body.data).toEqual([]);
    expect((await app.http.get(`${users}/${a.id}`).set(other.auth)).status).toBe(404);
  });

  it('a super admin works in another tenant with tenant_id; a tenant admin cannot', async () => {
    const res = await app.http.post(users).set(app.rootAuth).query({ tenant_id: tenant.slug }).send({ email: `root-${uniq()}@example.com`, send_welcome_email: false });
    expect(res.status).toBe(201);
    expect(res.body.data.tenant_id).toBe(tenant.tenantId);
    const other = await app.tenantWithUser('tenant_admin');
    expect((await app.http.get(users).set(other.auth).query({ tenant_id: tenant.slug })).status).toBe(404);
  });
});

describe('search', () => {
  it('GET ?q= matches substrings, ignoring case and accents', async () => {
    const u = await app.createUser(tenant.tenantId, { email: `zo-${uniq()}@example.com`, first_name: 'Zoë', last_name: 'Ångström', password: undefined });
    for (const q of ['angstr', 'ZOE', 'ngstr']) {
      const res = await app.http.get(`${users}/search`).set(tenant.auth).query({ q });
      expect(res.body.data.map((x: { id: string }) => x.id)).toContain(u.id);
    }
    expect((await app.http.get(`${users}/search`).set(tenant.auth)).status).toBe(422);
  });

  it('POST takes free text with structured filters, sort and paging', async () => {
    const tag = uniq();
    const ids = [];
    for (const role of ['viewer', 'viewer', 'helpdesk']) ids.push((await app.createUser(tenant.tenantId, { email: `s-${tag}-${role}-${uniq()}@example.com`, role, password: undefined })).id);
    const res = await app.http.post(`${users}/search`).set(tenant.auth).send({ q: tag, filters: { role: 'viewer', is_active: true }, sort_by: 'email', sort_order: 'desc', per_page: 1 });
    expect(res.status).toBe(200);
    expect(res.body.pagination).toMatchObject({ total_items: 2, per_page: 1, total_pages: 2 });
    const later = new Date(Date.now() + 60_000).toISOString();
    const none = await app.http.post(`${users}/search`).set(tenant.auth).send({ q: tag, filters: { created_after: later } });
    expect(none.body.pagination.total_items).toBe(0);
    const bad = await app.http.post(`${users}/search`).set(tenant.auth).send({ filters: { colour: 'red' } });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0].loc).toEqual(['body', 'filters', 'colour']);
  });
});

describe('/api/v1/users/me', () => {
  it('a plain user reads itself and changes only its own safe fields', async () => {
    const me = await app.createUser(tenant.tenantId, { email: `me-${uniq()}@example.com` });
    const { auth } = await app.login(me.email, PASSWORD, tenant.slug);
    const got = await app.http.get(`${users}/me`).set(auth);
    expect(got.body.data.id).toBe(me.id);
    const put = await app.http.put(`${users}/me`).set(auth).send({ display_name: 'Me Myself', timezone: 'Europe/Paris' });
    expect(put.status).toBe(200);
    expect(put.body.data).toMatchObject({ display_name: 'Me Myself', timezone: 'Europe/Paris' });
    const escalate = await app.http.put(`${users}/me`).set(auth).send({ role: 'tenant_admin' });
    expect(escalate.status).toBe(422);
    expect(escalate.body.detail[0]).toMatchObject({ loc: ['body', 'role'], type: 'extra_forbidden' });
    expect((await app.http.get(users).set(auth)).status).toBe(403);
    expect((await app.http.get(`${users}/${me.id}`).set(auth)).status).toBe(403);
  });
});

describe('activity and audit', () => {
  it('lists a user\'s events newest first with a cursor, filters them and counts them', async () => {
    const u = await app.createUser(tenant.tenantId, { email: `act-${uniq()}@example.com`, password: undefined });
    for (let i = 0; i < 5; i++) await app.http.patch(`${users}/${u.id}`).set(tenant.auth).send({ job_title: `T${i}` });
    const first = await app.http.get(`${users}/${u.id}/activity`).set(tenant.auth).query({ limit: 4 });
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(4);
    expect(first.body.data[0].action).toBe('user.updated');
    expect(first.body.data[0].details.changes.job_title.to).toBe('T4');
    expect(first.body.pagination).toMatchObject({ per_page: 4, has_more: true });
    const second = await app.http.get(`${users}/${u.id}/activities`).set(tenant.auth).query({ limit: 4, cursor: first.body.pagination.next_cursor });
    expect(second.body.data.map((e: { action: string }) => e.action)).toEqual(['user.updated', 'user.created']);
    expect(second.body.pagination).toMatchObject({ has_more: false, next_cursor: null });
    const ids = [...first.body.data, ...second.body.data].map((e: { id: string }) => e.id);
    expect([...ids].sort().reverse()).toEqual(ids);

    const created = await app.http.get(`${users}/${u.id}/activity`).set(tenant.auth).query({ action: 'user.created' });
    expect(created.body.data).toHaveLength(1);
    const count = await app.http.get(`${users}/${u.id}/activities/count`).set(tenant.auth).query({ action: 'user.*' });
    expect(count.body.data).toEqual({ count: 6 });
    const future = await app.http.get(`${users}/${u.id}/activities/count`).set(tenant.auth).query({ since: new Date(Date.now() + 60_000).toISOString() });
    expect(future.body.data.count).toBe(0);
  });

  it('the tenant audit log shows only the tenant\'s events', async () => {
    const other = await app.tenantWithUser('tenant_admin');
    await app.createUser(other.tenantId, { email: `o-${uniq()}@example.com`, password: undefined });
    const log = await app.http.get(`/api/v1/tenants/${tenant.tenantId}/audit-events`).set(tenant.auth).query({ limit: 100 });
    expect(log.status).toBe(200);
    expect(log.body.data.length).toBeGreaterThan(0);
    expect(log.body.data.every((e: { tenant_id: string }) => e.tenant_id === tenant.tenantId)).toBe(true);
    expect((await app.http.get(`/api/v1/tenants/${other.tenantId}/audit-events`).set(tenant.auth)).status).toBe(404);
    // Append-only: there is no way to change or delete an event.
    const [event] = log.body.data;
    expect((await app.http.delete(`/api/v1/tenants/${tenant.tenantId}/audit-events`).set(tenant.auth)).status).toBe(405);
    expect((await app.http.patch(`/api/v1/tenants/${tenant.tenantId}/audit-events`).set(tenant.auth).send({ id: event.id })).status).toBe(405);
  });
});

describe('GDPR export', () => {
  it('answers one downloadable JSON document with everything held, no secrets, and records the export', async () => {
    const u = await app.createUser(tenant.tenantId, { email: `gdpr-${uniq()}@example.com`, custom_attributes: { badge: 42 } });
    await app.login(u.email, PASSWORD, tenant.slug);
    await app.http.post(`/api/v1/tenants/${tenant.tenantId}/users/${u.id}/password/reset`).set(tenant.auth).send({ method: 'EMAIL' });
    const res = await app.http.post(`${users}/${u.id}/export`).set(tenant.auth);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="roster-user-${u.id}.json"`);
    const doc = res.body;
    expect(doc.user).toMatchObject({ id: u.id, email: u.email });
    expect(doc.custom_attributes).toEqual({ badge: 42 });
    expect(doc.sessions).toHaveLength(1);
    expect(doc.activity.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['user.created', 'user.login', 'user.password_reset']));
    expect(doc.mail).toHaveLength(1);
    expect(doc.mail[0].body).toContain('token=[redacted]');
    const text = JSON.stringify(doc);
    const row = await app.roster.db.knex('users').where({ id: u.id }).first();
    expect(text).not.toContain(row.passwordHash);
    expect(text).not.toMatch(/password_hash|totp_secret|token_hash/);
    const exported = await app.roster.db.knex('activity_events').where({ subjectId: u.id, action: 'user.exported' });
    expect(exported).toHaveLength(1);
    // Helpdesk may not export.
    const helpdesk = await app.createUser(tenant.tenantId, { role: 'helpdesk', email: `hd-${uniq()}@example.com` });
    const { auth } = await app.login(helpdesk.email, PASSWORD, tenant.slug);
    expect((await app.http.post(`${users}/${u.id}/export`).set(auth)).status).toBe(403);
  });
});

describe('active workspaces', () => {
  it('lists the applications a user signed in to, latest first, and refuses applications it is not assigned to', async () => {
    const u = await app.createUser(tenant.tenantId, { email: `ws-${uniq()}@example.com` });
    const mkApp = async (name: string) => (await app.http.post(`/api/v1/tenants/${tenant.tenantId}/applications`).set(tenant.auth).send({ name })).body.data;
    const crm = await mkApp(`CRM ${uniq()}`);
    const wiki = await mkApp(`Wiki ${uniq()}`);
    const payroll = await mkApp(`Payroll ${uniq()}`);
    for (const a of [crm, wiki]) await app.http.post(`/api/v1/tenants/${tenant.tenantId}/applications/${a.id}/assignments`).set(tenant.auth).send({ user_ids: [u.id] });
    const signIn = (clientId: string) => app.http.post('/api/v1/auth/token').send({ grant_type: 'password', username: u.email, password: PASSWORD, tenant: tenant.slug, client_id: clientId });

    expect((await signIn(crm.client_id)).status).toBe(200);
    expect((await signIn(wiki.client_id)).status).toBe(200);
    expect((await signIn(crm.client_id)).status).toBe(200);
    const refused = await signIn(payroll.client_id);
    expect(refused.status).toBe(403);
    expect((await signIn('app_unknown')).status).toBe(401);

    const res = await app.http.get(`${users}/${u.id}/active-workspaces`).set(tenant.auth);
    expect(res.status).toBe(200);
    expect(res.body.data.map((w: { application_id: string; sign_ins: number }) => [w.application_id, w.sign_ins])).toEqual([[crm.id, 2], [wiki.id, 1]]);
    const logins = await app.roster.db.knex('activity_events').where({ subjectId: u.id, action: 'user.login' });
    expect(logins).toHaveLength(3);
    // Long ago is outside the window.
    await app.roster.db.knex('application_usage').where({ applicationId: wiki.id }).update({ lastUsedAt: new Date(Date.now() - 40 * 86_400_000).toISOString() });
    const recent = await app.http.get(`${users}/${u.id}/active-workspaces`).set(tenant.auth);
    expect(recent.body.data.map((w: { application_id: string }) => w.application_id)).toEqual([crm.id]);
    const wide = await app.http.get(`${users}/${u.id}/active-workspaces`).set(tenant.auth).query({ days: 60 });
    expect(wide.body.data).toHaveLength(2);
  });
});
