import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, type Auth, type TestApp } from '../support/test-app';

let app: TestApp;
let t: { tenantId: string; slug: string; auth: Auth };
beforeAll(async () => {
  app = await createTestApp();
  t = await app.tenantWithUser('tenant_admin');
});
afterAll(() => app.close());

const grant = (username: string, password: string, extra: Record<string, string> = {}) =>
  app.http.post('/api/v1/auth/token').send({ grant_type: 'password', username, password, tenant: t.slug, ...extra });
const person = () => app.createUser(t.tenantId, { email: `pw-${crypto.randomUUID().slice(0, 8)}@example.com` });

describe('a password that must be changed', () => {
  it('after an admin set it with require_password_change, sign-in asks for new_password and sets it', async () => {
    const u = await person();
    const set = await app.http.post(`/api/v1/admin/users/${u.id}/reset-password`).set(t.auth).send({ new_password: 'Temporary-pass-1', require_password_change: true });
    expect(set.body.data.require_password_change).toBe(true);

    const asked = await grant(u.email, 'Temporary-pass-1');
    expect(asked.status).toBe(401);
    expect(asked.body.error).toMatchObject({ field: 'new_password', message: expect.stringMatching(/must be changed/) });
    expect((await grant(u.email, 'wrong-password', { new_password: 'Whatever-pass-9' })).body.error.field).toBeUndefined();
    const weak = await grant(u.email, 'Temporary-pass-1', { new_password: 'short' });
    expect(weak.status).toBe(422);
    expect(weak.body.detail[0].loc).toEqual(['body', 'new_password']);
    const same = await grant(u.email, 'Temporary-pass-1', { new_password: 'Temporary-pass-1' });
    expect(same.status).toBe(200); // history is off by default: only the policy applies

    const u2 = await person();
    await app.http.post(`/api/v1/admin/users/${u2.id}/reset-password`).set(t.auth).send({ new_password: 'Temporary-pass-2', require_password_change: true });
    const ok = await grant(u2.email, 'Temporary-pass-2', { new_password: 'My-own-pass-22' });
    expect(ok.status).toBe(200);
    const row = await app.roster.db.knex('users').where({ id: u2.id }).first();
    expect(Boolean(row.requirePasswordChange)).toBe(false);
    expect((await grant(u2.email, 'Temporary-pass-2')).status).toBe(401);
    expect((await grant(u2.email, 'My-own-pass-22')).status).toBe(200);
    const events = await app.roster.db.knex('activity_events').where({ subjectId: u2.id, action: 'user.password_changed' });
    expect(events).toHaveLength(1);
  });

  it('an expired password is handled the same way', async () => {
    const u = await person();
    await app.http.patch(`/api/v1/tenants/${t.tenantId}/users/${u.id}`).set(t.auth).send({ password_expired: true });
    expect((await grant(u.email, PASSWORD)).body.error.field).toBe('new_password');
    expect((await grant(u.email, PASSWORD, { new_password: 'Fresh-pass-333' })).status).toBe(200);
    const got = await app.http.get(`/api/v1/tenants/${t.tenantId}/users/${u.id}`).set(t.auth);
    expect(got.body.data.password_expired).toBe(false);
  });
});

describe('PUT /api/v1/users/me/password', () => {
  it('needs the current password, applies the policy, and ends the other sessions only', async () => {
    const u = await person();
    const here = await app.login(u.email, PASSWORD, t.slug);
    const elsewhere = await app.login(u.email, PASSWORD, t.slug);

    const wrong = await app.http.put('/api/v1/users/me/password').set(here.auth).send({ current_password: 'nope', new_password: 'Changed-pass-44' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.field).toBe('current_password');
    expect((await app.roster.db.knex('users').where({ id: u.id }).first()).failedLoginCount).toBe(1);
    expect((await app.http.put('/api/v1/users/me/password').set(here.auth).send({ current_password: PASSWORD, new_password: 'x' })).status).toBe(422);

    expect((await app.http.put('/api/v1/users/me/password').set(here.auth).send({ current_password: PASSWORD, new_password: 'Changed-pass-44' })).status).toBe(204);
    expect((await app.http.get('/api/v1/users/me').set(here.auth)).status).toBe(200);
    expect((await app.http.get('/api/v1/users/me').set(elsewhere.auth)).status).toBe(401);
    expect((await grant(u.email, PASSWORD)).status).toBe(401);
    expect((await grant(u.email, 'Changed-pass-44')).status).toBe(200);
  });

  it('API tokens have no password to change', async () => {
    const token = (await app.http.post(`/api/v1/tenants/${t.tenantId}/api-tokens`).set(t.auth).send({ name: 'x', scopes: ['users:read'] })).body.data.token;
    const res = await app.http.put('/api/v1/users/me/password').set({ Authorization: `Bearer ${token}` }).send({ current_password: 'a', new_password: 'b' });
    expect(res.status).toBe(403);
  });
});
