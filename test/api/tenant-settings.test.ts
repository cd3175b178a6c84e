import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jwt from 'jsonwebtoken';
import type { Response } from 'supertest';
import { createTestApp, PASSWORD, type Json, type TestApp } from '../support/test-app';
import { createTenant, eventsFor, expectError, userRow, usersBase } from './users-helpers';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const uniq = () => crypto.randomUUID().slice(0, 8);
const knex = () => app.roster.db.knex;
const token = (body: Record<string, unknown>) => app.http.post('/api/v1/auth/token').send(body);
const passwordGrant = (username: string, password: string, tenant: string) => token({ grant_type: 'password', username, password, tenant });
const refresh = (refreshToken: string) => token({ grant_type: 'refresh_token', refresh_token: refreshToken });

const createUser = (tenantId: string, fields: Record<string, unknown>) =>
  app.http.post(usersBase(tenantId)).set(app.rootAuth).send({ email: `u-${uniq()}@example.com`, send_welcome_email: false, ...fields });
const directReset = (tenantId: string, userId: string, password: string) =>
  app.http.post(`${usersBase(tenantId)}/${userId}/password/reset`).set(app.rootAuth).send({ method: 'DIRECT', new_password: password });
const adminReset = (userId: string, password: string) =>
  app.http.post(`/api/v1/admin/users/${userId}/reset-password`).set(app.rootAuth).send({ new_password: password });

async function user(tenantId: string, fields: Record<string, unknown> = {}): Promise<Json> {
  const res = await createUser(tenantId, fields);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

/** One 422 whose single `detail` item names the password rules broken, in this order. */
function expectPolicy(res: Response, field: 'password' | 'new_password', rules: string[]) {
  const msg = `The password must contain ${rules.join(', ')}`;
  expect(res.status, JSON.stringify(res.body)).toBe(422);
  expect(res.body.error).toEqual({ code: 'validation_error', message: msg, field });
  expect(res.body.detail).toEqual([{ loc: ['body', field], msg, type: 'password_policy' }]);
}

function expectReused(res: Response, n: number) {
  expect(res.status, JSON.stringify(res.body)).toBe(422);
  expect(res.body.error).toEqual({ code: 'validation_error', message: `The password was used recently; choose one not among the last ${n}`, field: 'new_password' });
  expect(res.body.detail).toEqual([{ loc: ['body', 'new_password'], msg: `must differ from the last ${n} passwords`, type: 'password_history' }]);
}

const ALL = ['at least 12 characters', 'an upper-case letter', 'a lower-case letter', 'a digit', 'a symbol'];

describe('password policy', () => {
  let t: { id: string; slug: string };
  beforeAll(async () => {
    t = await createTenant(app, {
      password_policy: { min_length: 12, require_uppercase: true, require_lowercase: true, require_digit: true, require_symbol: true },
    });
  });

  it('refuses a weak password on create with one 422 naming every unmet rule, and creates nothing', async () => {
    const cases: [string, string[]][] = [
      // Letters without case are neither upper- nor lower-case, nor symbols.
      ['中文', ALL],
      ['short', ['at least 12 characters', 'an upper-case letter', 'a digit', 'a symbol']],
      ['alllowercaseletters', ['an upper-case letter', 'a digit', 'a symbol']],
      ['ALLUPPERCASE123', ['a lower-case letter', 'a symbol']],
      ['Mixed-Case-NoDigit', ['a digit']],
      ['Mixed1Case2NoSymbol', ['a symbol']],
      ['Sh0rt!pass', ['at least 12 characters']],
      // Characters, not bytes: eleven of them, however many bytes.
      ['Ünïcödé-1äöü', []],
      ['Ünïcödé-1äö', ['at least 12 characters']],
    ];
    for (const [password, rules] of cases) {
      const email = `weak-${uniq()}@example.com`;
      const res = await createUser(t.id, { email, password });
      if (!rules.length) {
        expect(res.status, password).toBe(201);
        continue;
      }
      expectPolicy(res, 'password', rules);
      expect(await knex()('users').where({ tenantId: t.id, email }).first()).toBeUndefined();
    }
    const ok = await createUser(t.id, { password: 'Str0ng-enough!' });
    expect(ok.status).toBe(201);
    expect((await passwordGrant(ok.body.data.email, 'Str0ng-enough!', t.slug)).status).toBe(200);
    // A user without a password is no password to check.
    expect((await createUser(t.id, { password: null })).status).toBe(201);
  });

  it('refuses a weak password on DIRECT reset and on admin reset, and keeps the old one', async () => {
    const u = await user(t.id, { password: 'Str0ng-enough!' });
    const before = await userRow(knex(), u.id);

    expectPolicy(await directReset(t.id, u.id, 'weakpassword'), 'new_password', ['an upper-case letter', 'a digit', 'a symbol']);
    expectPolicy(await adminReset(u.id, 'WEAK'), 'new_password', ['at least 12 characters', 'a lower-case letter', 'a digit', 'a symbol']);
    const after = await userRow(knex(), u.id);
    expect(after.passwordHash).toBe(before.passwordHash);
    expect(after.version).toBe(before.version);
    expect(await eventsFor(knex(), u.id, 'user.password_reset')).toEqual([]);

    const direct = await directReset(t.id, u.id, 'An0ther-strong-one');
    expect(direct.status).toBe(200);
    expect(direct.body.data.method).toBe('DIRECT');
    const admin = await adminReset(u.id, 'Th1rd-strong-one!');
    expect(admin.status).toBe(200);
    expect(admin.body.data.id).toBe(u.id);
    expect((await passwordGrant(u.email, 'Th1rd-strong-one!', t.slug)).status).toBe(200);
    expect((await passwordGrant(u.email, 'An0ther-strong-one', t.slug)).status).toBe(401);
  });

  it('applies only the rules the tenant turned on', async () => {
    const loose = await createTenant(app, { password_policy: { min_length: 10, require_digit: true } });
    expectPolicy(await createUser(loose.id, { password: 'nodigits' }), 'password', ['at least 10 characters', 'a digit']);
    expect((await createUser(loose.id, { password: 'lowercase1' })).status).toBe(201);
    // The default tenant's policy: 8 characters, no classes.
    expectPolicy(await createUser(app.defaultTenantId, { password: 'seven77' }), 'password', ['at least 8 characters']);
    expect((await createUser(app.defaultTenantId, { password: 'eightchr' })).status).toBe(201);
  });

  it('follows a change of the policy at once', async () => {
    const s = await createTenant(app);
    const u = await user(s.id, { password: 'plainpassword' });
    const patched = await app.http.patch(`/api/v1/tenants/${s.id}`).set(app.rootAuth).send({ settings: { password_policy: { require_symbol: true } } });
    expect(patched.status).toBe(200);
    expectPolicy(await directReset(s.id, u.id, 'stillplain'), 'new_password', ['a symbol']);
    expect((await directReset(s.id, u.id, 'now-with-symbol')).status).toBe(200);
  });
});

describe('password history', () => {
  it('with history 3 refuses the current and the two previous passwords, and accepts the fourth-oldest', async () => {
    const t = await createTenant(app, { password_policy: { history: 3 } });
    const [p0, p1, p2, p3] = ['first-password-0', 'second-password-1', 'third-password-2', 'fourth-password-3'];
    const u = await user(t.id, { password: p0 });
    for (const p of [p1, p2]) expect((await directReset(t.id, u.id, p)).status).toBe(200);
    expect((await adminReset(u.id, p3)).status).toBe(200);

    expectReused(await directReset(t.id, u.id, p3), 3);
    expectReused(await directReset(t.id, u.id, p2), 3);
    expectReused(await adminReset(u.id, p1), 3);
    const row = await userRow(knex(), u.id);
    expect((await passwordGrant(u.email, p3, t.slug)).status).toBe(200);

    const res = await directReset(t.id, u.id, p0);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await userRow(knex(), u.id)).version).toBe(row.version + 1);
    expect((await passwordGrant(u.email, p0, t.slug)).status).toBe(200);
    // Now p3 is the previous password and p1 has left the window.
    expectReused(await directReset(t.id, u.id, p3), 3);
    expect((await directReset(t.id, u.id, p1)).status).toBe(200);
    expect(await eventsFor(knex(), u.id, 'user.password_reset')).toHaveLength(5);
  });

  it('without history allows the same password again', async () => {
    const t = await createTenant(app);
    const u = await user(t.id, { password: 'same-password-1' });
    expect((await directReset(t.id, u.id, 'same-password-1')).status).toBe(200);
  });
});

describe('defaults of new users', () => {
  it('gives users created without locale and timezone those of their tenant', async () => {
    const t = await createTenant(app, { defaults: { locale: 'de-DE', timezone: 'Europe/Berlin' } });
    const plain = await user(t.id, { password: null });
    expect(plain).toMatchObject({ locale: 'de-DE', timezone: 'Europe/Berlin' });
    expect(await userRow(knex(), plain.id)).toMatchObject({ locale: 'de-DE', timezone: 'Europe/Berlin' });
    const own = await user(t.id, { password: null, locale: 'fr', timezone: 'America/New_York' });
    expect(own).toMatchObject({ locale: 'fr', timezone: 'America/New_York' });

    // A change of the defaults applies to users created from then on.
    expect((await app.http.patch(`/api/v1/tenants/${t.id}`).set(app.rootAuth).send({ settings: { defaults: { timezone: 'Asia/Tokyo' } } })).status).toBe(200);
    expect(await user(t.id, { password: null })).toMatchObject({ locale: 'de-DE', timezone: 'Asia/Tokyo' });
    expect((await app.http.get(`${usersBase(t.id)}/${plain.id}`).set(app.rootAuth)).body.data).toMatchObject({ locale: 'de-DE', timezone: 'Europe/Berlin' });
    // Elsewhere the built-in defaults hold.
    expect(await user((await createTenant(app)).id, { password: null })).toMatchObject({ locale: 'en', timezone: 'UTC' });
  });
});

describe('token lifetimes', () => {
  it('access_token_ttl_seconds sets expires_in and the expiry of the token', async () => {
    const t = await createTenant(app, { tokens: { access_token_ttl_seconds: 120 } });
    const u = await user(t.id, { password: PASSWORD });
    const login = await passwordGrant(u.email, PASSWORD, t.slug);
    expect(login.status).toBe(200);
    expect(login.body.expires_in).toBe(120);
    const claims = jwt.decode(login.body.access_token) as { exp: number; iat: number };
    expect(claims.exp - claims.iat).toBe(120);
    const refreshed = await refresh(login.body.refresh_token);
    expect(refreshed.body.expires_in).toBe(120);
    const rc = jwt.decode(refreshed.body.access_token) as { exp: number; iat: number };
    expect(rc.exp - rc.iat).toBe(120);
  });

  it('session_max_lifetime_seconds ends a session on refresh once it is older', async () => {
    const t = await createTenant(app, { tokens: { session_max_lifetime_seconds: 600 } });
    const u = await user(t.id, { password: PASSWORD });
    const login = await passwordGrant(u.email, PASSWORD, t.slug);
    const { sid } = jwt.decode(login.body.access_token) as { sid: string };
    const age = (seconds: number) => knex()('sessions').where({ id: sid }).update({ createdAt: new Date(Date.now() - seconds * 1000).toISOString() });

    // Younger than the limit: refreshing goes on working, however often.
    await age(500);
    const first = await refresh(login.body.refresh_token);
    expect(first.status).toBe(200);
    const second = await refresh(first.body.refresh_token);
    expect(second.status).toBe(200);

    await age(601);
    const ended = await refresh(second.body.refresh_token);
    expectError(ended, 401, 'unauthorized');
    expect(ended.body.error.message).toBe('The session has reached its maximum lifetime; sign in again');
    const session = await knex()('sessions').where({ id: sid }).first();
    expect(session.revokedAt).not.toBeNull();
    expect(session.revokedReason).toBe('max_lifetime');
    // The session's access token ends with it.
    expectError(await app.http.get(`/api/v1/tenants/${t.id}`).set({ Authorization: `Bearer ${second.body.access_token}` }), 401, 'unauthorized');
    // A fresh sign-in starts a fresh session.
    expect((await passwordGrant(u.email, PASSWORD, t.slug)).status).toBe(200);
  });
});

describe('lockout settings', () => {
  it('max_failed_attempts locks; lock_duration_minutes 0 keeps it locked until an admin unlocks', async () => {
    const t = await createTenant(app, { lockout: { max_failed_attempts: 2, lock_duration_minutes: 0 } });
    const u = await user(t.id, { password: PASSWORD });

    expect((await passwordGrant(u.email, 'wrong-1', t.slug)).status).toBe(401);
    expect(await userRow(knex(), u.id)).toMatchObject({ status: 'ACTIVE', failedLoginCount: 1 });
    expect((await passwordGrant(u.email, 'wrong-2', t.slug)).status).toBe(401);
    const locked = await userRow(knex(), u.id);
    expect(locked).toMatchObject({ status: 'LOCKED', failedLoginCount: 2, lockReason: 'failed_logins' });
    expect(locked.lockedAt).not.toBeNull();
    expect((await eventsFor(knex(), u.id, 'user.locked')).map((e: Json) => e.details)).toEqual([{ reason: 'failed_logins', failed_attempts: 2 }]);

    // The right password does not help, not even a year later.
    expect((await passwordGrant(u.email, PASSWORD, t.slug)).status).toBe(401);
    await knex()('users').where({ id: u.id }).update({ lockedAt: new Date(Date.now() - 365 * 86_400_000).toISOString() });
    expect((await passwordGrant(u.email, PASSWORD, t.slug)).status).toBe(401);
    expect((await userRow(knex(), u.id)).status).toBe('LOCKED');

    const unlocked = await app.http.post(`/api/v1/admin/users/${u.id}/unlock`).set(app.rootAuth);
    expect(unlocked.status).toBe(200);
    expect(unlocked.body.data.status).toBe('ACTIVE');
    expect(await userRow(knex(), u.id)).toMatchObject({ status: 'ACTIVE', failedLoginCount: 0, lockedAt: null, lockReason: null });
    const events = await eventsFor(knex(), u.id, 'user.unlocked');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorType: 'user', details: { was_locked: true, failed_attempts_cleared: 2 } });
    expect((await passwordGrant(u.email, PASSWORD, t.slug)).status).toBe(200);
  });

  it('a lock_duration_minutes lock ends by itself once the time has passed', async () => {
    const t = await createTenant(app, { lockout: { max_failed_attempts: 1, lock_duration_minutes: 5 } });
    const u = await user(t.id, { password: PASSWORD });
    expect((await passwordGrant(u.email, 'wrong', t.slug)).status).toBe(401);
    expect((await userRow(knex(), u.id)).status).toBe('LOCKED');

    await knex()('users').where({ id: u.id }).update({ lockedAt: new Date(Date.now() - 4 * 60_000).toISOString() });
    expect((await passwordGrant(u.email, PASSWORD, t.slug)).status).toBe(401);
    expect((await userRow(knex(), u.id)).status).toBe('LOCKED');

    await knex()('users').where({ id: u.id }).update({ lockedAt: new Date(Date.now() - 6 * 60_000).toISOString() });
    expect((await passwordGrant(u.email, PASSWORD, t.slug)).status).toBe(200);
    expect(await userRow(knex(), u.id)).toMatchObject({ status: 'ACTIVE', failedLoginCount: 0, lockedAt: null });
    const events = await eventsFor(knex(), u.id, 'user.unlocked');
    expect(events.map((e: Json) => [e.actorType, e.details])).toEqual([['system', { reason: 'lock_expired' }]]);
  });

  it('follows a change of max_failed_attempts', async () => {
    const t = await createTenant(app, { lockout: { max_failed_attempts: 5 } });
    const u = await user(t.id, { password: PASSWORD });
    expect((await passwordGrant(u.email, 'wrong', t.slug)).status).toBe(401);
    expect((await app.http.patch(`/api/v1/tenants/${t.id}`).set(app.rootAuth).send({ settings: { lockout: { max_failed_attempts: 2 } } })).status).toBe(200);
    expect((await passwordGrant(u.email, 'wrong', t.slug)).status).toBe(401);
    expect(await userRow(knex(), u.id)).toMatchObject({ status: 'LOCKED', failedLoginCount: 2 });
  });
});
