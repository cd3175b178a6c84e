import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ADMIN_EMAIL, PASSWORD, type TestApp } from '../support/test-app';
import { createPlainUser, createTenant, eventsFor, expectError, expectValidation, isTimestamp, userRow, usersBase } from './users-helpers';

let app: TestApp;
let rootId: string;
let tenant: { id: string; slug: string };
beforeAll(async () => {
  app = await createTestApp();
  rootId = (await app.roster.db.knex('users').where({ emailNormalized: ADMIN_EMAIL }).first('id')).id;
  tenant = await createTenant(app);
});
afterAll(() => app.close());

const STATUSES = ['ACTIVE', 'PENDING_EMAIL_VERIFICATION', 'PENDING_APPROVAL', 'DISABLED', 'LOCKED'] as const;
type Status = (typeof STATUSES)[number];
/** The documented state machine, written out independently of the server's table. */
const LEGAL: Record<Status, Status[]> = {
  ACTIVE: ['DISABLED', 'LOCKED'],
  LOCKED: ['ACTIVE', 'DISABLED'],
  DISABLED: ['ACTIVE'],
  PENDING_EMAIL_VERIFICATION: ['ACTIVE', 'DISABLED'],
  PENDING_APPROVAL: ['ACTIVE', 'DISABLED'],
};

const statusUrl = (tenantId: string, id: string) => `${usersBase(tenantId)}/${id}/status`;
const resetUrl = (tenantId: string, id: string) => `${usersBase(tenantId)}/${id}/password/reset`;
const getUser = (tenantId: string, id: string) => app.http.get(`${usersBase(tenantId)}/${id}`).set(app.rootAuth);
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/** A user put straight into `status`, as sign-up or lockout would leave it. */
async function userIn(status: Status, fields: Record<string, unknown> = {}) {
  const u = await createPlainUser(app, tenant.id, fields);
  if (status !== 'ACTIVE') await app.roster.db.knex('users').where({ id: u.id }).update({ status });
  return u;
}

const tokenLogin = (username: string, password: string, slug: string) =>
  app.http.post('/api/v1/auth/token').send({ grant_type: 'password', username, password, tenant: slug });
const refresh = (refreshToken: string) => app.http.post('/api/v1/auth/token').send({ grant_type: 'refresh_token', refresh_token: refreshToken });

describe('PUT /api/v1/tenants/{tenant_id}/users/{user_id}/status', () => {
  const pairs = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const));

  it.each(pairs.filter(([from, to]) => LEGAL[from].includes(to)))('%s -> %s is allowed', async (from, to) => {
    const u = await userIn(from);
    const res = await app.http.put(statusUrl(tenant.id, u.id)).set(app.rootAuth).set('X-Request-Id', `st-${from}-${to}`)
      .send({ status: to, reason: 'ticket 42' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({ id: u.id, status: to, is_active: to === 'ACTIVE', version: 2 });
    expect(res.headers.etag).toBe('W/"2"');
    expect((await getUser(tenant.id, u.id)).body.data.status).toBe(to);
    const events = await eventsFor(app.roster.db.knex, u.id, 'user.status_changed');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ tenantId: tenant.id, actorId: rootId, subjectId: u.id, requestId: `st-${from}-${to}` });
    expect(events[0].details).toMatchObject({ from, to, reason: 'ticket 42', terminate_sessions: false });
  });

  it.each(pairs.filter(([from, to]) => !LEGAL[from].includes(to)))('%s -> %s is a 409 and changes nothing', async (from, to) => {
    const u = await userIn(from);
    const res = await app.http.put(statusUrl(tenant.id, u.id)).set(app.rootAuth).send({ status: to });
    expectError(res, 409, 'conflict', 'status');
    const after = (await getUser(tenant.id, u.id)).body.data;
    expect(after).toMatchObject({ status: from, version: 1 });
    expect(await eventsFor(app.roster.db.knex, u.id, 'user.status_changed')).toEqual([]);
  });

  it('locking records an admin lock; unlocking clears it and the failed-login count', async () => {
    const u = await userIn('ACTIVE');
    await app.roster.db.knex('users').where({ id: u.id }).update({ failedLoginCount: 3 });
    expect((await app.http.put(statusUrl(tenant.id, u.id)).set(app.rootAuth).send({ status: 'LOCKED' })).status).toBe(200);
    let row = await userRow(app.roster.db.knex, u.id);
    expect(row.lockReason).toBe('admin');
    expect(isTimestamp(row.lockedAt)).toBe(true);
    expect((await app.http.put(statusUrl(tenant.id, u.id)).set(app.rootAuth).send({ status: 'ACTIVE' })).status).toBe(200);
    row = await userRow(app.roster.db.knex, u.id);
    expect({ lockReason: row.lockReason, lockedAt: row.lockedAt, failedLoginCount: row.failedLoginCount }).toEqual({ lockReason: null, lockedAt: null, failedLoginCount: 0 });
  });

  it('a disabled user cannot sign in; enabled again it can', async () => {
    const u = await app.createUser(tenant.id, { email: 'toggle@example.com' });
    expect((await app.http.put(statusUrl(tenant.id, u.id)).set(app.rootAuth).send({ status: 'DISABLED' })).status).toBe(200);
    expectError(await tokenLogin('toggle@example.com', PASSWORD, tenant.slug), 401, 'unauthorized');
    expect((await app.http.put(statusUrl(tenant.id, u.id)).set(app.rootAuth).send({ status: 'ACTIVE' })).status).toBe(200);
    expect((await tokenLogin('toggle@example.com', PASSWORD, tenant.slug)).status).toBe(200);
  });

  describe('terminate_sessions', () => {
    /** A viewer with a live session; reading the user list proves the access token works. */
    async function signedInViewer(email: string) {
      const u = await app.createUser(tenant.id, { email, role: 'viewer' });
      const s = await app.login(email, PASSWORD, tenant.slug);
      expect((await app.http.get(usersBase(tenant.id)).set(s.auth)).status).toBe(200);
      return { u, s };
    }

    it('true ends every session at once: the access token is 401 and the refresh token fails, even after re-enabling', async () => {
      const { u, s } = await signedInViewer('terminated@example.com');
      const res = await app.http.put(statusUrl(tenant.id, u.id)).set(app.rootAuth).send({ status: 'LOCKED', reason: 'stolen laptop', terminate_sessions: true });
      expect(res.status).toBe(200);
      expectError(await app.http.get(usersBase(tenant.id)).set(s.auth), 401, 'unauthorized');

      const sessions = await app.roster.db.knex('sessions').where({ userId: u.id });
      expect(sessions).toHaveLength(1);
      expect(isTimestamp(sessions[0].revokedAt)).toBe(true);
      expect(sessions[0].revokedReason).toBe('terminated_by_admin');
      const [event] = await eventsFor(app.roster.db.knex, u.id, 'user.status_changed');
      expect(event.details).toMatchObject({ terminate_sessions: true, sessions_revoked: 1, reason: 'stolen laptop' });

      // Unlocking does not bring the old session back.
      expect((await app.http.put(statusUrl(tenant.id, u.id)).set(app.rootAuth).send({ status: 'ACTIVE' })).status).toBe(200);
      expectError(await app.http.get(usersBase(tenant.id)).set(s.auth), 401, 'unauthorized');
      expectError(await refresh(s.refresh_token), 401, 'unauthorized');
      // A fresh sign-in works.
      expect((await tokenLogin('terminated@example.com', PASSWORD, tenant.slug)).status).toBe(200);
    });

    it('false keeps the sessions: after re-enabling, the same access and refresh tokens work again', async () => {
      const { u, s } = await signedInViewer('kept.sessions@example.com');
      expect((await app.http.put(statusUrl(tenant.id, u.id)).set(app.rootAuth).send({ status: 'LOCKED', terminate_sessions: false })).status).toBe(200);
      // While locked the account cannot act...
      expectError(await app.http.get(usersBase(tenant.id)).set(s.auth), 401, 'unauthorized');
      const sessions = await app.roster.db.knex('sessions').where({ userId: u.id });
      expect(sessions.map((x: { revokedAt: string | null }) => x.revokedAt)).toEqual([null]);
      // ...but once unlocked its session is still alive.
      expect((await app.http.put(statusUrl(tenant.id, u.id)).set(app.rootAuth).send({ status: 'ACTIVE', terminate_sessions: false })).status).toBe(200);
      expect((await app.http.get(usersBase(tenant.id)).set(s.auth)).status).toBe(200);
      const r = await refresh(s.refresh_token);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.access_token).toEqual(expect.any(String));
    });

    it('leaves other users\' sessions alone', async () => {
      const a = await signedInViewer('bystander@example.com');
      const b = await signedInViewer('target.of.lock@example.com');
      expect((await app.http.put(statusUrl(tenant.id, b.u.id)).set(app.rootAuth).send({ status: 'DISABLED', terminate_sessions: true })).status).toBe(200);
      expect((await app.http.get(usersBase(tenant.id)).set(a.s.auth)).status).toBe(200);
      expect((await refresh(a.s.refresh_token)).status).toBe(200);
    });
  });

  it('validation: status must be one of the five, terminate_sessions a boolean, no unknown fields', async () => {
    const u = await userIn('ACTIVE');
    expectValidation(await app.http.put(statusUrl(tenant.id, u.id)).set(app.rootAuth).send({}), [['body', 'status']]);
    expectValidation(await app.http.put(statusUrl(tenant.id, u.id)).set(app.rootAuth).send({ status: 'active' }), [['body', 'status']]);
    expectValidation(await app.http.put(statusUrl(tenant.id, u.id)).set(app.rootAuth).send({ status: 'SUSPENDED', terminate_sessions: 'yes', note: 1 }),
      [['body', 'status'], ['body', 'terminate_sessions'], ['body', 'note']]);
    expect((await getUser(tenant.id, u.id)).body.data).toMatchObject({ status: 'ACTIVE', version: 1 });
  });

  it('honours If-Match', async () => {
    const u = await userIn('ACTIVE');
    expectError(await app.http.put(statusUrl(tenant.id, u.id)).set(app.rootAuth).set('If-Match', 'W/"7"').send({ status: 'DISABLED' }), 412, 'precondition_failed');
    expect((await getUser(tenant.id, u.id)).body.data.status).toBe('ACTIVE');
    expect((await app.http.put(statusUrl(tenant.id, u.id)).set(app.rootAuth).set('If-Match', 'W/"1"').send({ status: 'DISABLED' })).status).toBe(200);
  });

  it('404 for unknown, deleted and other tenants\' users', async () => {
    const other = await createTenant(app);
    const foreign = await createPlainUser(app, other.id);
    for (const id of [crypto.randomUUID(), 'nope', foreign.id]) {
      expectError(await app.http.put(statusUrl(tenant.id, id)).set(app.rootAuth).send({ status: 'DISABLED' }), 404, 'not_found');
    }
    expect((await getUser(other.id, foreign.id)).body.data.status).toBe('ACTIVE');
  });

  describe('who may change status', () => {
    it('a helpdesk may, up to its own rank; not its own status', async () => {
      const h = await app.tenantWithUser('helpdesk');
      const u = await createPlainUser(app, h.tenantId);
      const res = await app.http.put(statusUrl(h.tenantId, u.id)).set(h.auth).send({ status: 'DISABLED' });
      expect(res.status).toBe(200);
      expect(res.body.data.status).toBe('DISABLED');
      const [event] = await eventsFor(app.roster.db.knex, u.id, 'user.status_changed');
      expect(event.actorId).toBe(h.user.id);

      const admin = await createPlainUser(app, h.tenantId, { role: 'tenant_admin' });
      expectError(await app.http.put(statusUrl(h.tenantId, admin.id)).set(h.auth).send({ status: 'DISABLED' }), 403, 'forbidden');
      expect((await getUser(h.tenantId, admin.id)).body.data.status).toBe('ACTIVE');
      expectError(await app.http.put(statusUrl(h.tenantId, h.user.id)).set(h.auth).send({ status: 'DISABLED' }), 403, 'forbidden');
    });

    it.each(['viewer', 'user'])('a %s gets 403', async (role) => {
      const a = await app.tenantWithUser(role);
      const u = await createPlainUser(app, a.tenantId);
      expectError(await app.http.put(statusUrl(a.tenantId, u.id)).set(a.auth).send({ status: 'DISABLED' }), 403, 'forbidden');
      expect((await getUser(a.tenantId, u.id)).body.data.status).toBe('ACTIVE');
    });

    it('a tenant_admin of another tenant gets 404', async () => {
      const a = await app.tenantWithUser('tenant_admin');
      const u = await userIn('ACTIVE');
      expectError(await app.http.put(statusUrl(tenant.id, u.id)).set(a.auth).send({ status: 'DISABLED' }), 404, 'not_found');
      expect((await getUser(tenant.id, u.id)).body.data.status).toBe('ACTIVE');
    });
  });
});

describe('POST /api/v1/tenants/{tenant_id}/users/{user_id}/password/reset', () => {
  describe('DIRECT', () => {
    it('requires new_password (422) and checks it against the tenant policy', async () => {
      const u = await userIn('ACTIVE');
      const missing = await app.http.post(resetUrl(tenant.id, u.id)).set(app.rootAuth).send({ method: 'DIRECT' });
      const detail = expectValidation(missing, [['body', 'new_password']]);
      expect(detail[0].type).toBe('missing');
      expectValidation(await app.http.post(resetUrl(tenant.id, u.id)).set(app.rootAuth).send({ method: 'DIRECT', new_password: null }), [['body', 'new_password']]);
      expectValidation(await app.http.post(resetUrl(tenant.id, u.id)).set(app.rootAuth).send({ method: 'DIRECT', new_password: 'short' }), [['body', 'new_password']]);
      expect((await userRow(app.roster.db.knex, u.id)).passwordHash).toBeNull();
      expect(await eventsFor(app.roster.db.knex, u.id, 'user.password_reset')).toEqual([]);
    });

    it('sets the password: the new one signs in, the old one does not, and old sessions die', async () => {
      const u = await app.createUser(tenant.id, { email: 'direct.reset@example.com', role: 'viewer' });
      const s = await app.login('direct.reset@example.com', PASSWORD, tenant.slug);
      const before = await userRow(app.roster.db.knex, u.id);
      const newPassword = 'a-brand-new-secret-9';

      const res = await app.http.post(resetUrl(tenant.id, u.id)).set(app.rootAuth).set('X-Request-Id', 'reset-direct-1')
        .send({ method: 'DIRECT', new_password: newPassword });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data).toEqual({ method: 'DIRECT', message: expect.any(String), expires_at: null, outbox_message_id: null });
      expect(JSON.stringify(res.body)).not.toContain(newPassword);

      expectError(await app.http.get(usersBase(tenant.id)).set(s.auth), 401, 'unauthorized');
      expectError(await refresh(s.refresh_token), 401, 'unauthorized');
      expectError(await tokenLogin('direct.reset@example.com', PASSWORD, tenant.slug), 401, 'unauthorized');
      expect((await tokenLogin('direct.reset@example.com', newPassword, tenant.slug)).status).toBe(200);

      const after = await userRow(app.roster.db.knex, u.id);
      expect(after.passwordHash).toMatch(/^\$argon2id\$/);
      expect(after.passwordHash).not.toBe(before.passwordHash);
      expect(after.passwordHash).not.toContain(newPassword);
      expect(after.passwordChangedAt > before.passwordChangedAt).toBe(true);
      expect(after.version).toBe(before.version + 1);

      const events = await eventsFor(app.roster.db.knex, u.id, 'user.password_reset');
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ tenantId: tenant.id, actorId: rootId, subjectId: u.id, requestId: 'reset-direct-1' });
      expect(events[0].details).toEqual({ method: 'DIRECT', sessions_revoked: 1 });
      expect(JSON.stringify(events)).not.toContain(newPassword);
    });

    it('clears password_expired', async () => {
      const u = await createPlainUser(app, tenant.id, { email: 'expired.pw@example.com' });
      await app.roster.db.knex('users').where({ id: u.id }).update({ passwordExpired: true });
      expect((await app.http.post(resetUrl(tenant.id, u.id)).set(app.rootAuth).send({ method: 'DIRECT', new_password: 'long-enough-pw' })).status).toBe(200);
      expect((await getUser(tenant.id, u.id)).body.data.password_expired).toBe(false);
    });
  });

  describe('EMAIL', () => {
    it('queues a one-time link in the outbox; only the token\'s hash is stored', async () => {
      const u = await createPlainUser(app, tenant.id, { email: 'mail.reset@example.com', first_name: 'Mia' });
      const res = await app.http.post(resetUrl(tenant.id, u.id)).set(app.rootAuth).set('X-Request-Id', 'reset-mail-1')
        .send({ method: 'EMAIL', redirect_uri: 'https://app.example.com/reset?lang=en' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const { data } = res.body;
      expect(data).toEqual({ method: 'EMAIL', message: expect.stringContaining('mail.reset@example.com'), expires_at: expect.any(String), outbox_message_id: expect.any(String) });
      const lifetime = new Date(data.expires_at).getTime() - Date.now();
      expect(lifetime).toBeGreaterThan(55 * 60_000);
      expect(lifetime).toBeLessThanOrEqual(60 * 60_000);

      const knex = app.roster.db.knex;
      const mails = await knex('outbox').where({ userId: u.id });
      expect(mails).toHaveLength(1);
      expect(mails[0]).toMatchObject({ id: data.outbox_message_id, tenantId: tenant.id, kind: 'password_reset', toAddress: 'mail.reset@example.com', status: 'PENDING' });
      const link = /https:\/\/app\.example\.com\/reset\?lang=en&token=([A-Za-z0-9_-]{20,})/.exec(mails[0].bodyText);
      expect(link, mails[0].bodyText).not.toBeNull();
      const token = link![1];

      const tokens = await knex('user_tokens').where({ userId: u.id });
      expect(tokens).toHaveLength(1);
      expect(tokens[0]).toMatchObject({ tenantId: tenant.id, purpose: 'password_reset', usedAt: null });
      expect(new Date(tokens[0].expiresAt).toISOString()).toBe(data.expires_at);
      expect(tokens[0].tokenHash).toBe(sha256(token));
      expect(tokens[0].tokenHash).not.toBe(token);
      // The plain token lives only in the mail: not in the token table, the user row or the event.
      expect(JSON.stringify(tokens)).not.toContain(token);
      expect(JSON.stringify(await userRow(knex, u.id))).not.toContain(token);
      const events = await eventsFor(knex, u.id, 'user.password_reset');
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ actorId: rootId, subjectId: u.id, requestId: 'reset-mail-1' });
      expect(events[0].details).toMatchObject({ method: 'EMAIL', outbox_message_id: data.outbox_message_id });
      expect(JSON.stringify(events)).not.toContain(token);
    });

    it('is the default method, links to the admin app without a redirect_uri, and a newer link voids the older one', async () => {
      const u = await createPlainUser(app, tenant.id, { email: 'default.reset@example.com' });
      const first = await app.http.post(resetUrl(tenant.id, u.id)).set(app.rootAuth).send({});
      expect(first.status).toBe(200);
      expect(first.body.data.method).toBe('EMAIL');
      const second = await app.http.post(resetUrl(tenant.id, u.id)).set(app.rootAuth).send({ method: 'EMAIL' });
      expect(second.status).toBe(200);

      const knex = app.roster.db.knex;
      const mails = await knex('outbox').where({ userId: u.id, kind: 'password_reset' }).orderBy('createdAt');
      expect(mails).toHaveLength(2);
      for (const m of mails) expect(m.bodyText).toMatch(/\/admin\/#\/reset-password\?token=[A-Za-z0-9_-]{20,}/);
      const tokens = await knex('user_tokens').where({ userId: u.id, purpose: 'password_reset' });
      expect(tokens).toHaveLength(2);
      expect(tokens.filter((t: { usedAt: string | null }) => t.usedAt === null)).toHaveLength(1);
      const live = tokens.find((t: { usedAt: string | null }) => t.usedAt === null);
      const newest = /token=([A-Za-z0-9_-]+)/.exec(mails[1].bodyText)![1];
      expect(live.tokenHash).toBe(sha256(newest));
    });

    it('signs the user out everywhere, as documented for both methods, and leaves the password as it was', async () => {
      const u = await app.createUser(tenant.id, { email: 'mail.signout@example.com', role: 'viewer' });
      const s = await app.login('mail.signout@example.com', PASSWORD, tenant.slug);
      expect((await app.http.post(resetUrl(tenant.id, u.id)).set(app.rootAuth).send({ method: 'EMAIL' })).status).toBe(200);
      expectError(await app.http.get(usersBase(tenant.id)).set(s.auth), 401, 'unauthorized');
      expectError(await refresh(s.refresh_token), 401, 'unauthorized');
      const [event] = await eventsFor(app.roster.db.knex, u.id, 'user.password_reset');
      expect(event.details).toMatchObject({ method: 'EMAIL', sessions_revoked: 1 });
      // Until the link is used, the current password still works.
      expect((await tokenLogin('mail.signout@example.com', PASSWORD, tenant.slug)).status).toBe(200);
    });

    it('validation: method must be EMAIL or DIRECT, redirect_uri a URL, no unknown fields', async () => {
      const u = await userIn('ACTIVE');
      expectValidation(await app.http.post(resetUrl(tenant.id, u.id)).set(app.rootAuth).send({ method: 'SMS' }), [['body', 'method']]);
      expectValidation(await app.http.post(resetUrl(tenant.id, u.id)).set(app.rootAuth).send({ redirect_uri: 'not a url', notify: true }),
        [['body', 'redirect_uri'], ['body', 'notify']]);
      expect(await app.roster.db.knex('outbox').where({ userId: u.id })).toEqual([]);
    });
  });

  it('404 for unknown and other tenants\' users', async () => {
    const other = await createTenant(app);
    const foreign = await createPlainUser(app, other.id);
    for (const id of [crypto.randomUUID(), foreign.id]) {
      expectError(await app.http.post(resetUrl(tenant.id, id)).set(app.rootAuth).send({ method: 'EMAIL' }), 404, 'not_found');
    }
    expect(await app.roster.db.knex('outbox').where({ userId: foreign.id })).toEqual([]);
  });

  describe('who may reset', () => {
    it('a helpdesk may reset a user\'s password, but not a tenant_admin\'s', async () => {
      const h = await app.tenantWithUser('helpdesk');
      const u = await createPlainUser(app, h.tenantId, { email: 'helped@example.com' });
      const res = await app.http.post(resetUrl(h.tenantId, u.id)).set(h.auth).send({ method: 'EMAIL' });
      expect(res.status).toBe(200);
      const [event] = await eventsFor(app.roster.db.knex, u.id, 'user.password_reset');
      expect(event.actorId).toBe(h.user.id);
      const direct = await app.http.post(resetUrl(h.tenantId, u.id)).set(h.auth).send({ method: 'DIRECT', new_password: 'helpdesk-chosen-1' });
      expect(direct.status).toBe(200);

      const admin = await createPlainUser(app, h.tenantId, { email: 'admin.of.h@example.com', role: 'tenant_admin' });
      expectError(await app.http.post(resetUrl(h.tenantId, admin.id)).set(h.auth).send({ method: 'DIRECT', new_password: 'takeover-attempt' }), 403, 'forbidden');
      expectError(await app.http.post(resetUrl(h.tenantId, admin.id)).set(h.auth).send({ method: 'EMAIL' }), 403, 'forbidden');
      expect((await userRow(app.roster.db.knex, admin.id)).passwordHash).toBeNull();
      expect(await app.roster.db.knex('outbox').where({ userId: admin.id })).toEqual([]);
    });

    it.each(['viewer', 'user'])('a %s gets 403', async (role) => {
      const a = await app.tenantWithUser(role);
      const u = await createPlainUser(app, a.tenantId);
      expectError(await app.http.post(resetUrl(a.tenantId, u.id)).set(a.auth).send({ method: 'EMAIL' }), 403, 'forbidden');
      expectError(await app.http.post(resetUrl(a.tenantId, u.id)).set(a.auth).send({ method: 'DIRECT', new_password: 'whatever-123' }), 403, 'forbidden');
      expect(await app.roster.db.knex('outbox').where({ userId: u.id })).toEqual([]);
    });

    it('a tenant_admin of another tenant gets 404', async () => {
      const a = await app.tenantWithUser('tenant_admin');
      const u = await userIn('ACTIVE');
      expectError(await app.http.post(resetUrl(tenant.id, u.id)).set(a.auth).send({ method: 'DIRECT', new_password: 'cross-tenant-1' }), 404, 'not_found');
      expect((await userRow(app.roster.db.knex, u.id)).passwordHash).toBeNull();
    });
  });
});
