import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jwt from 'jsonwebtoken';
import type { Response } from 'supertest';
import { createTestApp, PASSWORD, type Auth, type TestApp } from '../support/test-app';

let app: TestApp;
/** A tenant whose lockout policy locks after 3 failures. */
let lockTenant: { id: string; slug: string };

beforeAll(async () => {
  app = await createTestApp();
  const created = await app.http.post('/api/v1/tenants').set(app.rootAuth).send({ name: 'Lockout Ltd', slug: 'lockout' });
  expect(created.status).toBe(201);
  const patched = await app.http
    .patch(`/api/v1/tenants/${created.body.data.id}`)
    .set(app.rootAuth)
    .send({ settings: { lockout: { max_failed_attempts: 3 } } });
  expect(patched.status).toBe(200);
  expect(patched.body.data.settings.lockout).toEqual({ max_failed_attempts: 3, lock_duration_minutes: 15 });
  lockTenant = { id: created.body.data.id, slug: 'lockout' };
});
afterAll(() => app.close());

const BAD_CREDENTIALS = { code: 'unauthorized', message: 'Invalid username or password' };

const token = (body: Record<string, unknown>) => app.http.post('/api/v1/auth/token').send(body);
const passwordGrant = (username: string, password: string, tenant?: string) =>
  token({ grant_type: 'password', username, password, ...(tenant === undefined ? {} : { tenant }) });
const refresh = (refreshToken: string) => token({ grant_type: 'refresh_token', refresh_token: refreshToken });
const bearer = (accessToken: string): Auth => ({ Authorization: `Bearer ${accessToken}` });

/** An authenticated route every viewer of the default tenant may call. */
const listDefaultUsers = (accessToken: string) => app.http.get('/api/v1/tenants/default/users').set(bearer(accessToken));

let seq = 0;
const uniqueEmail = (prefix: string) => `${prefix}-${++seq}-${Date.now().toString(36)}@example.com`;

/** A viewer in the default tenant: it can call listDefaultUsers, so its tokens can be seen working. */
const defaultViewer = (fields: Record<string, unknown> = {}) =>
  app.createUser(app.defaultTenantId, { email: uniqueEmail('viewer'), role: 'viewer', ...fields });

function expectBadCredentials(res: Response) {
  expect(res.status).toBe(401);
  expect(res.headers['www-authenticate']).toBe('Bearer');
  expect(res.body.error).toEqual(BAD_CREDENTIALS);
  expect(res.body.detail).toBeUndefined();
  expect(res.body.meta.request_id).toBe(res.headers['x-request-id']);
}

function expectUnauthorized(res: Response) {
  expect(res.status).toBe(401);
  expect(res.headers['www-authenticate']).toBe('Bearer');
  expect(res.body.error.code).toBe('unauthorized');
  expect(typeof res.body.error.message).toBe('string');
}

function expectTokenPair(res: Response, ttl = 900) {
  expect(res.status).toBe(200);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(Object.keys(res.body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
  expect(res.body.token_type).toBe('Bearer');
  expect(res.body.expires_in).toBe(ttl);
  expect(res.body.access_token.split('.')).toHaveLength(3);
  // The refresh token is opaque (not a JWT) and long enough not to be guessed.
  expect(res.body.refresh_token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
  expect(res.body.refresh_token).not.toBe(res.body.access_token);
}

type Claims = { sub: string; tid: string; sid: string; role: string; iss: string; exp: number; iat: number };
const claimsOf = (accessToken: string) => jwt.decode(accessToken) as Claims;

async function eventsOf(userId: string, action?: string) {
  const rows = await app.roster.db
    .knex('activity_events')
    .where({ subjectId: userId })
    .modify((q) => {
      if (action) q.where({ action });
    })
    .orderBy('id');
  return rows.map((r: Record<string, unknown>) => ({ ...r, details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details })) as Array<{
    action: string;
    actorType: string;
    actorId: string | null;
    subjectType: string;
    tenantId: string;
    ip: string | null;
    requestId: string | null;
    details: Record<string, unknown>;
  }>;
}

const userRow = (id: string) => app.roster.db.knex('users').where({ id }).first();
const getUser = (tenantId: string, userId: string) => app.http.get(`/api/v1/tenants/${tenantId}/users/${userId}`).set(app.rootAuth);

describe('POST /api/v1/auth/token, grant_type=password', () => {
  it('answers a JSON request with the token response, no-store, and an access token for the user', async () => {
    const user = await defaultViewer();
    const res = await passwordGrant(user.email, PASSWORD, 'default');
    expectTokenPair(res);
    expect(res.body.scope).toBe('openid profile');

    const claims = claimsOf(res.body.access_token);
    expect(claims.sub).toBe(user.id);
    expect(claims.tid).toBe(app.defaultTenantId);
    expect(claims.role).toBe('viewer');
    expect(claims.iss).toBe('roster');
    expect(claims.exp - claims.iat).toBe(900);
    expect(typeof claims.sid).toBe('string');

    const list = await listDefaultUsers(res.body.access_token);
    expect(list.status).toBe(200);
  });

  it('accepts application/x-www-form-urlencoded bodies', async () => {
    const user = await defaultViewer();
    const res = await app.http
      .post('/api/v1/auth/token')
      .type('form')
      .send({ grant_type: 'password', username: user.email, password: PASSWORD, tenant: 'default' });
    expectTokenPair(res);
    expect(claimsOf(res.body.access_token).sub).toBe(user.id);
  });

  it('finds the user by email in any letter case, with surrounding spaces', async () => {
    const user = await defaultViewer({ email: uniqueEmail('Mixed.Case') });
    for (const login of [user.email.toLowerCase(), user.email.toUpperCase(), `  ${user.email}  `, user.email.replace(/^m/i, 'M')]) {
      const res = await passwordGrant(login, PASSWORD, 'default');
      expect(res.status, login).toBe(200);
      expect(claimsOf(res.body.access_token).sub).toBe(user.id);
    }
  });

  it('finds the user by username, also in another letter case', async () => {
    const username = `alice_${++seq}`;
    const user = await defaultViewer({ username });
    const exact = await passwordGrant(username, PASSWORD, 'default');
    expect(exact.status).toBe(200);
    expect(claimsOf(exact.body.access_token).sub).toBe(user.id);
    const upper = await passwordGrant(username.toUpperCase(), PASSWORD, 'default');
    expect(upper.status).toBe(200);
    expect(claimsOf(upper.body.access_token).sub).toBe(user.id);
  });

  it('takes the tenant as slug or as id, and defaults to the `default` tenant', async () => {
    const other = await app.tenantWithUser('viewer');
    const bySlug = await passwordGrant(other.user.email, PASSWORD, other.slug);
    expect(bySlug.status).toBe(200);
    expect(claimsOf(bySlug.body.access_token)).toMatchObject({ sub: other.user.id, tid: other.tenantId });

    const byId = await passwordGrant(other.user.email, PASSWORD, other.tenantId);
    expect(byId.status).toBe(200);
    expect(claimsOf(byId.body.access_token)).toMatchObject({ sub: other.user.id, tid: other.tenantId });

    // Without `tenant` the login happens in `default`, where this user does not exist.
    expectBadCredentials(await passwordGrant(other.user.email, PASSWORD));

    const viewer = await defaultViewer();
    const omitted = await passwordGrant(viewer.email, PASSWORD);
    expect(omitted.status).toBe(200);
    expect(claimsOf(omitted.body.access_token)).toMatchObject({ sub: viewer.id, tid: app.defaultTenantId });
    const byDefaultId = await passwordGrant(viewer.email, PASSWORD, app.defaultTenantId);
    expect(byDefaultId.status).toBe(200);
  });

  it('answers wrong password, unknown user, unknown tenant, another tenant and a disabled user with one and the same 401', async () => {
    const user = await defaultViewer({ username: `bob_${++seq}` });
    const disabled = await defaultViewer();
    const status = await app.http
      .put(`/api/v1/tenants/${app.defaultTenantId}/users/${disabled.id}/status`)
      .set(app.rootAuth)
      .send({ status: 'DISABLED', reason: 'left the company' });
    expect(status.status).toBe(200);
    expect(status.body.data.status).toBe('DISABLED');
    const elsewhere = await app.tenantWithUser('viewer');

    const attempts = {
      wrongPassword: await passwordGrant(user.email, 'not-the-password', 'default'),
      wrongPasswordByUsername: await passwordGrant(user.username, 'not-the-password', 'default'),
      unknownUser: await passwordGrant('nobody@example.com', PASSWORD, 'default'),
      unknownUsername: await passwordGrant('nobody_at_all', PASSWORD, 'default'),
      unknownTenantSlug: await passwordGrant(user.email, PASSWORD, 'no-such-tenant'),
      unknownTenantId: await passwordGrant(user.email, PASSWORD, '01900000-0000-7000-8000-000000000000'),
      otherTenantsUser: await passwordGrant(elsewhere.user.email, PASSWORD, 'default'),
      disabledUser: await passwordGrant(disabled.email, PASSWORD, 'default'),
    };
    for (const [name, res] of Object.entries(attempts)) {
      expect(res.status, name).toBe(401);
      expectBadCredentials(res);
      expect(res.body.access_token, name).toBeUndefined();
    }
    const bodies = new Set(Object.values(attempts).map((r) => JSON.stringify(r.body.error)));
    expect(bodies.size).toBe(1);

    // A wrong password counts as a failed attempt; the others have no account to count on.
    expect((await userRow(user.id)).failedLoginCount).toBe(2);
    expect((await userRow(disabled.id)).failedLoginCount).toBe(0);
  });

  it('issues tokens with the lifetimes of the user\'s tenant', async () => {
    const tenant = await app.tenantWithUser('viewer');
    const patched = await app.http
      .patch(`/api/v1/tenants/${tenant.tenantId}`)
      .set(app.rootAuth)
      .send({ settings: { tokens: { access_token_ttl_seconds: 120, refresh_token_ttl_seconds: 3600 } } });
    expect(patched.status).toBe(200);
    const before = Date.now();
    const res = await passwordGrant(tenant.user.email, PASSWORD, tenant.slug);
    expectTokenPair(res, 120);
    const claims = claimsOf(res.body.access_token);
    expect(claims.exp - claims.iat).toBe(120);
    const session = await app.roster.db.knex('sessions').where({ id: claims.sid }).first();
    const lifetime = Date.parse(session.expiresAt) - before;
    expect(lifetime).toBeGreaterThan(3_590_000);
    expect(lifetime).toBeLessThan(3_610_000);
  });

  it('refuses an unsupported grant_type with 422', async () => {
    for (const grant_type of ['authorization_code', 'implicit', 'PASSWORD', '']) {
      const res = await token({ grant_type, username: 'root@roster.test', password: 'x' });
      expect(res.status, grant_type).toBe(422);
      expect(res.body.error.code).toBe('validation_error');
      expect(res.body.error.field).toBe('grant_type');
      expect(res.body.detail).toHaveLength(1);
      expect(res.body.detail[0].loc).toEqual(['body', 'grant_type']);
      expect(res.body.detail[0].msg).toMatch(/password.*refresh_token/);
    }
    const missing = await token({ username: 'root@roster.test', password: 'x' });
    expect(missing.status).toBe(422);
    expect(missing.body.detail[0].loc).toEqual(['body', 'grant_type']);
  });

  it('lists every missing field of a password grant with 422', async () => {
    const res = await token({ grant_type: 'password' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_error');
    expect(res.body.detail).toEqual([
      { loc: ['body', 'username'], msg: 'Field required', type: 'missing' },
      { loc: ['body', 'password'], msg: 'Field required', type: 'missing' },
    ]);
  });

  it('records a successful login: last_login_at, user.login, failed attempts reset', async () => {
    const user = await defaultViewer();
    expect(user.last_login_at).toBeNull();
    expectBadCredentials(await passwordGrant(user.email, 'wrong-password', 'default'));
    expect((await userRow(user.id)).failedLoginCount).toBe(1);

    const before = Date.now();
    const res = await app.http
      .post('/api/v1/auth/token')
      .set('X-Request-Id', `login-${user.id}`)
      .send({ grant_type: 'password', username: user.email, password: PASSWORD });
    expect(res.status).toBe(200);

    const fetched = await getUser(app.defaultTenantId, user.id);
    expect(fetched.status).toBe(200);
    const lastLogin = Date.parse(fetched.body.data.last_login_at);
    expect(lastLogin).toBeGreaterThanOrEqual(before - 1000);
    expect(lastLogin).toBeLessThanOrEqual(Date.now() + 1000);
    expect((await userRow(user.id)).failedLoginCount).toBe(0);

    const logins = await eventsOf(user.id, 'user.login');
    expect(logins).toHaveLength(1);
    expect(logins[0]).toMatchObject({
      actorType: 'user',
      actorId: user.id,
      subjectType: 'user',
      tenantId: app.defaultTenantId,
      requestId: `login-${user.id}`,
      details: { method: 'password' },
    });
    expect(logins[0].ip).toBeTruthy();
    const failed = await eventsOf(user.id, 'user.login_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].details).toEqual({ reason: 'bad_password', failed_attempts: 1 });
  });
});

describe('POST /api/v1/auth/token, grant_type=refresh_token', () => {
  it('rotates: every refresh answers a new pair in the same session, and each new pair works', async () => {
    const user = await defaultViewer();
    const first = await passwordGrant(user.email, PASSWORD);
    expectTokenPair(first);
    const sid = claimsOf(first.body.access_token).sid;

    const second = await refresh(first.body.refresh_token);
    expectTokenPair(second);
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    expect(second.body.access_token).not.toBe(first.body.access_token);
    expect(claimsOf(second.body.access_token)).toMatchObject({ sub: user.id, sid, role: 'viewer' });
    expect((await listDefaultUsers(second.body.access_token)).status).toBe(200);

    const third = await refresh(second.body.refresh_token);
    expectTokenPair(third);
    expect(claimsOf(third.body.access_token).sid).toBe(sid);
    expect((await listDefaultUsers(third.body.access_token)).status).toBe(200);
  });

  it('accepts a form-encoded refresh', async () => {
    const user = await defaultViewer();
    const first = await passwordGrant(user.email, PASSWORD);
    const res = await app.http.post('/api/v1/auth/token').type('form').send({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token });
    expectTokenPair(res);
  });

  it('treats a spent refresh token as theft: it fails, and the whole session ends', async () => {
    const user = await defaultViewer();
    const first = await passwordGrant(user.email, PASSWORD);
    const second = await refresh(first.body.refresh_token);
    expect(second.status).toBe(200);
    expect((await listDefaultUsers(second.body.access_token)).status).toBe(200);

    const reused = await refresh(first.body.refresh_token);
    expectUnauthorized(reused);
    expect(reused.body.access_token).toBeUndefined();

    // The newest refresh token and every access token of the session are dead too.
    expectUnauthorized(await refresh(second.body.refresh_token));
    expectUnauthorized(await listDefaultUsers(second.body.access_token));
    expectUnauthorized(await listDefaultUsers(first.body.access_token));

    const session = await app.roster.db.knex('sessions').where({ id: claimsOf(first.body.access_token).sid }).first();
    expect(session.revokedAt).not.toBeNull();
    expect(session.revokedReason).toBe('refresh_token_reuse');

    // Another session of the same user is not affected.
    const other = await passwordGrant(user.email, PASSWORD);
    expect((await listDefaultUsers(other.body.access_token)).status).toBe(200);
  });

  it('lets exactly one of two parallel uses of one refresh token through', async () => {
    const user = await defaultViewer();
    const first = await passwordGrant(user.email, PASSWORD);
    const results = await Promise.all([refresh(first.body.refresh_token), refresh(first.body.refresh_token)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('refuses an unknown refresh token, an access token, and a disabled user', async () => {
    expectUnauthorized(await refresh('not-a-refresh-token-at-all'));

    const user = await defaultViewer();
    const pair = await passwordGrant(user.email, PASSWORD);
    expectUnauthorized(await refresh(pair.body.access_token));

    const disabled = await app.http
      .put(`/api/v1/tenants/${app.defaultTenantId}/users/${user.id}/status`)
      .set(app.rootAuth)
      .send({ status: 'DISABLED' });
    expect(disabled.status).toBe(200);
    expectUnauthorized(await refresh(pair.body.refresh_token));
  });

  it('refuses an expired refresh token, and a refresh token of an expired session', async () => {
    const user = await defaultViewer();
    const past = new Date(Date.now() - 1000).toISOString();

    const a = await passwordGrant(user.email, PASSWORD);
    const sidA = claimsOf(a.body.access_token).sid;
    await app.roster.db.knex('refresh_tokens').where({ sessionId: sidA }).update({ expiresAt: past });
    expectUnauthorized(await refresh(a.body.refresh_token));

    const b = await passwordGrant(user.email, PASSWORD);
    const sidB = claimsOf(b.body.access_token).sid;
    await app.roster.db.knex('sessions').where({ id: sidB }).update({ expiresAt: past });
    expectUnauthorized(await refresh(b.body.refresh_token));
    // An access token of an expired session ends with it.
    expectUnauthorized(await listDefaultUsers(b.body.access_token));
  });

  it('requires refresh_token with 422', async () => {
    const res = await token({ grant_type: 'refresh_token' });
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual([{ loc: ['body', 'refresh_token'], msg: 'Field required', type: 'missing' }]);
  });
});

describe('POST /api/v1/auth/revoke', () => {
  const revoke = () => app.http.post('/api/v1/auth/revoke');

  async function session() {
    const user = await defaultViewer();
    const res = await passwordGrant(user.email, PASSWORD);
    expect(res.status).toBe(200);
    expect((await listDefaultUsers(res.body.access_token)).status).toBe(200);
    return { user, access: res.body.access_token as string, refresh: res.body.refresh_token as string };
  }

  it('ends the session of a refresh token', async () => {
    const s = await session();
    const res = await revoke().send({ token: s.refresh, token_type_hint: 'refresh_token' });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ revoked: true });
    expect(res.body.meta.request_id).toBe(res.headers['x-request-id']);
    expectUnauthorized(await listDefaultUsers(s.access));
    expectUnauthorized(await refresh(s.refresh));
    const logouts = await app.roster.db.knex('activity_events').where({ subjectId: s.user.id, action: 'user.logout' });
    expect(logouts).toHaveLength(1);
    expect(logouts[0]).toMatchObject({ actorType: 'user', actorId: s.user.id, requestId: res.headers['x-request-id'] });
    // Revoking it again ends nothing more, and records nothing more.
    expect((await revoke().send({ token: s.refresh })).status).toBe(200);
    expect(await app.roster.db.knex('activity_events').where({ subjectId: s.user.id, action: 'user.logout' })).toHaveLength(1);
  });

  it('ends the session of an access token sent in a form body', async () => {
    const s = await session();
    const res = await revoke().type('form').send({ token: s.access });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ revoked: true });
    expectUnauthorized(await listDefaultUsers(s.access));
    expectUnauthorized(await refresh(s.refresh));
  });

  it('ends the session of the bearer token when no body is sent', async () => {
    const s = await session();
    const res = await revoke().set(bearer(s.access));
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ revoked: true });
    expectUnauthorized(await listDefaultUsers(s.access));
    expectUnauthorized(await refresh(s.refresh));
  });

  it('ends only that session', async () => {
    const a = await session();
    const b = await passwordGrant(a.user.email, PASSWORD);
    expect((await revoke().send({ token: a.refresh })).status).toBe(200);
    expectUnauthorized(await listDefaultUsers(a.access));
    expect((await listDefaultUsers(b.body.access_token)).status).toBe(200);
    expect((await refresh(b.body.refresh_token)).status).toBe(200);
  });

  it('answers 200 for tokens it does not know, and ends nothing', async () => {
    const s = await session();
    const forged = jwt.sign({ sub: s.user.id, sid: claimsOf(s.access).sid }, 'another-secret-that-is-long-enough-1234', { issuer: 'roster', expiresIn: 60 });
    for (const garbage of ['garbage', 'a.b.c', forged, s.refresh.slice(0, -2)]) {
      const res = await revoke().send({ token: garbage });
      expect(res.status, garbage).toBe(200);
      expect(res.body.data).toEqual({ revoked: true });
    }
    expect((await listDefaultUsers(s.access)).status).toBe(200);
    // Revoking twice is fine too.
    expect((await revoke().send({ token: s.refresh })).status).toBe(200);
    expect((await revoke().send({ token: s.refresh })).status).toBe(200);
  });

  it('answers 422 with neither a token nor an Authorization header', async () => {
    for (const res of [await revoke(), await revoke().send({}), await revoke().type('form').send({ token_type_hint: 'access_token' })]) {
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('validation_error');
      expect(res.body.error.field).toBe('token');
      expect(res.body.detail).toEqual([{ loc: ['body', 'token'], msg: 'Field required', type: 'missing' }]);
    }
  });
});

describe('lockout', () => {
  const lockoutUser = () => app.createUser(lockTenant.id, { email: uniqueEmail('lock'), role: 'viewer' });
  const attempt = (email: string, password: string) => passwordGrant(email, password, lockTenant.slug);

  it('locks after max_failed_attempts wrong passwords; then the right password fails the same way', async () => {
    const user = await lockoutUser();
    // A session from before the lock ends with it.
    const before = await attempt(user.email, PASSWORD);
    expect(before.status).toBe(200);
    const listOwn = (access: string) => app.http.get(`/api/v1/tenants/${lockTenant.slug}/users`).set(bearer(access));
    expect((await listOwn(before.body.access_token)).status).toBe(200);

    for (let i = 0; i < 3; i++) expectBadCredentials(await attempt(user.email, `wrong-${i}`));

    const fetched = await getUser(lockTenant.id, user.id);
    expect(fetched.body.data.status).toBe('LOCKED');
    expect(fetched.body.data.is_active).toBe(false);
    expect((await userRow(user.id)).failedLoginCount).toBe(3);

    const failed = await eventsOf(user.id, 'user.login_failed');
    expect(failed.map((e) => e.details)).toEqual([1, 2, 3].map((n) => ({ reason: 'bad_password', failed_attempts: n })));
    expect(failed.every((e) => e.actorType === 'user' && e.actorId === user.id && e.tenantId === lockTenant.id)).toBe(true);
    const locked = await eventsOf(user.id, 'user.locked');
    expect(locked).toHaveLength(1);
    expect(locked[0]).toMatchObject({ actorType: 'system', actorId: null, details: { reason: 'failed_logins', failed_attempts: 3 } });

    const right = await attempt(user.email, PASSWORD);
    expectBadCredentials(right);
    expect(right.body.error).toEqual(BAD_CREDENTIALS);
    expectUnauthorized(await listOwn(before.body.access_token));
    expectUnauthorized(await refresh(before.body.refresh_token));

    // More wrong passwords on a locked account neither count further nor lock again.
    expectBadCredentials(await attempt(user.email, 'wrong-again'));
    expect((await userRow(user.id)).failedLoginCount).toBe(3);
    expect(await eventsOf(user.id, 'user.locked')).toHaveLength(1);
    expect((await getUser(lockTenant.id, user.id)).body.data.status).toBe('LOCKED');
  });

  it('locks exactly once under 10 parallel wrong passwords, with a consistent count', async () => {
    const user = await lockoutUser();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => attempt(user.email, `parallel-wrong-${i}`)));
    for (const res of results) expectBadCredentials(res);

    expect((await getUser(lockTenant.id, user.id)).body.data.status).toBe('LOCKED');
    const row = await userRow(user.id);
    expect(row.status).toBe('LOCKED');
    expect(row.lockReason).toBe('failed_logins');
    expect(row.lockedAt).not.toBeNull();
    // The count stops where it locked, as it does for attempts one after another.
    expect(row.failedLoginCount).toBe(3);

    const failed = await eventsOf(user.id, 'user.login_failed');
    expect(failed.map((e) => e.details.failed_attempts).sort()).toEqual([1, 2, 3]);
    const locked = await eventsOf(user.id, 'user.locked');
    expect(locked).toHaveLength(1);
    expect(locked[0].details).toEqual({ reason: 'failed_logins', failed_attempts: 3 });

    expectBadCredentials(await attempt(user.email, PASSWORD));
  });

  it('a successful login in between resets the count', async () => {
    const user = await lockoutUser();
    for (let i = 0; i < 2; i++) expectBadCredentials(await attempt(user.email, 'wrong'));
    expect((await attempt(user.email, PASSWORD)).status).toBe(200);
    for (let i = 0; i < 2; i++) expectBadCredentials(await attempt(user.email, 'wrong'));
    expect((await userRow(user.id)).failedLoginCount).toBe(2);
    expect((await getUser(lockTenant.id, user.id)).body.data.status).toBe('ACTIVE');
    expect(await eventsOf(user.id, 'user.locked')).toHaveLength(0);
  });

  it('a lockout from failed logins ends by itself after lock_duration_minutes', async () => {
    const user = await lockoutUser();
    for (let i = 0; i < 3; i++) expectBadCredentials(await attempt(user.email, 'wrong'));
    expect((await userRow(user.id)).status).toBe('LOCKED');

    // Still locked 14 minutes later (the policy says 15).
    await app.roster.db.knex('users').where({ id: user.id }).update({ lockedAt: new Date(Date.now() - 14 * 60_000).toISOString() });
    expectBadCredentials(await attempt(user.email, PASSWORD));

    await app.roster.db.knex('users').where({ id: user.id }).update({ lockedAt: new Date(Date.now() - 16 * 60_000).toISOString() });
    expect((await attempt(user.email, PASSWORD)).status).toBe(200);
    const row = await userRow(user.id);
    expect(row).toMatchObject({ status: 'ACTIVE', failedLoginCount: 0, lockedAt: null, lockReason: null });
    const unlocked = await eventsOf(user.id, 'user.unlocked');
    expect(unlocked).toHaveLength(1);
    expect(unlocked[0]).toMatchObject({ actorType: 'system', details: { reason: 'lock_expired' } });
  });

  it('uses the policy of the user\'s own tenant: the default tenant allows 5 failures', async () => {
    const user = await defaultViewer();
    for (let i = 0; i < 4; i++) expectBadCredentials(await passwordGrant(user.email, 'wrong'));
    expect((await userRow(user.id)).status).toBe('ACTIVE');
    expectBadCredentials(await passwordGrant(user.email, 'wrong'));
    expect((await userRow(user.id)).status).toBe('LOCKED');
  });
});
