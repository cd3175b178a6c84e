import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { createTestApp, PASSWORD, type Auth, type TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const enrolUrl = '/api/v1/users/me/mfa/totp';
const now = () => Math.floor(Date.now() / 1000);
/** The code an authenticator shows `steps` periods from now. */
const codeAt = (secret: string, steps = 0) => generate({ secret, epoch: now() + steps * 30 });

async function tenantWithPeople(settings?: Record<string, unknown>) {
  const t = await app.tenantWithUser('tenant_admin');
  if (settings) expect((await app.http.patch(`/api/v1/tenants/${t.tenantId}`).set(app.rootAuth).send({ settings })).status).toBe(200);
  const person = await app.createUser(t.tenantId, { email: `p-${Math.random().toString(36).slice(2, 8)}@example.com` });
  return { ...t, person };
}

const grant = (username: string, tenant: string, extra: Record<string, string> = {}) =>
  app.http.post('/api/v1/auth/token').send({ grant_type: 'password', username, password: PASSWORD, tenant, ...extra });

async function enrol(auth: Auth) {
  const started = await app.http.post(enrolUrl).set(auth);
  expect(started.status).toBe(200);
  const { secret } = started.body.data;
  const confirmed = await app.http.post(`${enrolUrl}/confirm`).set(auth).send({ code: await codeAt(secret) });
  expect(confirmed.status).toBe(200);
  return { secret, recovery: confirmed.body.data.recovery_codes as string[] };
}

describe('TOTP enrolment', () => {
  it('answers a secret, an otpauth URI and a QR code, and changes nothing until confirmed', async () => {
    const { tenantId, slug, person } = await tenantWithPeople();
    const { auth } = await app.login(person.email, PASSWORD, slug);
    const res = await app.http.post(enrolUrl).set(auth);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const { secret, otpauth_uri, qr_code } = res.body.data;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauth_uri).toMatch(/^otpauth:\/\/totp\/Roster:/);
    expect(otpauth_uri).toContain(`secret=${secret}`);
    expect(qr_code).toMatch(/^data:image\/png;base64,/);
    const user = await app.http.get(`/api/v1/tenants/${tenantId}/users/${person.id}`).set(app.rootAuth);
    expect(user.body.data.mfa_enabled).toBe(false);
    expect(JSON.stringify(user.body)).not.toContain(secret);
  });

  it('a wrong code is a 422; the right one enables MFA and answers ten single-use recovery codes', async () => {
    const { tenantId, slug, person } = await tenantWithPeople();
    const { auth } = await app.login(person.email, PASSWORD, slug);
    const { secret } = (await app.http.post(enrolUrl).set(auth)).body.data;
    const wrong = await app.http.post(`${enrolUrl}/confirm`).set(auth).send({ code: '000000' === (await codeAt(secret)) ? '111111' : '000000' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.detail[0].loc).toEqual(['body', 'code']);
    const right = await app.http.post(`${enrolUrl}/confirm`).set(auth).send({ code: await codeAt(secret) });
    expect(right.status).toBe(200);
    expect(right.body.data.recovery_codes).toHaveLength(10);
    expect(new Set(right.body.data.recovery_codes).size).toBe(10);
    const user = await app.http.get(`/api/v1/tenants/${tenantId}/users/${person.id}`).set(app.rootAuth);
    expect(user.body.data.mfa_enabled).toBe(true);
    const rows = await app.roster.db.knex('mfa_recovery_codes').where({ userId: person.id });
    expect(rows).toHaveLength(10);
    for (const code of right.body.data.recovery_codes) expect(rows.map((r) => r.codeHash)).not.toContain(code);
    const events = await app.roster.db.knex('activity_events').where({ subjectId: person.id, action: 'user.mfa_enabled' });
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain(secret);
    expect((await app.http.post(enrolUrl).set(auth)).status).toBe(409);
  });
});

describe('signing in with TOTP', () => {
  it('asks for the code after the password, refuses wrong and replayed codes, accepts a fresh one', async () => {
    const { slug, person } = await tenantWithPeople();
    const { secret } = await enrol((await app.login(person.email, PASSWORD, slug)).auth);

    const missing = await grant(person.email, slug);
    expect(missing.status).toBe(401);
    expect(missing.body.error).toMatchObject({ code: 'unauthorized', field: 'mfa_code', message: 'An MFA code is required' });
    const badPassword = await app.http.post('/api/v1/auth/token').send({ grant_type: 'password', username: person.email, password: 'wrong-password', tenant: slug });
    expect(badPassword.body.error.field).toBeUndefined();

    const wrong = await grant(person.email, slug, { mfa_code: '123456' === (await codeAt(secret, 1)) ? '654321' : '123456' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.field).toBe('mfa_code');
    // The wrong password above counted too.
    const row = await app.roster.db.knex('users').where({ id: person.id }).first();
    expect(row.failedLoginCount).toBe(2);

    const fresh = await codeAt(secret, 1);
    const ok = await grant(person.email, slug, { mfa_code: fresh });
    expect(ok.status).toBe(200);
    expect(ok.body.access_token).toBeTruthy();
    const replay = await grant(person.email, slug, { mfa_code: fresh });
    expect(replay.status).toBe(401);
    const logins = await app.roster.db.knex('activity_events').where({ subjectId: person.id, action: 'user.login' });
    const details = logins.at(-1).details;
    expect(typeof details === 'string' ? JSON.parse(details) : details).toMatchObject({ method: 'password+totp' });
  });

  it('a recovery code works once, in any letter case', async () => {
    const { slug, person } = await tenantWithPeople();
    const { recovery } = await enrol((await app.login(person.email, PASSWORD, slug)).auth);
    expect((await grant(person.email, slug, { mfa_code: recovery[0].toUpperCase() })).status).toBe(200);
    expect((await grant(person.email, slug, { mfa_code: recovery[0] })).status).toBe(401);
    expect((await grant(person.email, slug, { mfa_code: recovery[1] })).status).toBe(200);
  });

  it('wrong codes count towards the lockout', async () => {
    const { tenantId, slug, person } = await tenantWithPeople({ lockout: { max_failed_attempts: 2 } });
    const { secret } = await enrol((await app.login(person.email, PASSWORD, slug)).auth);
    const bad = (await codeAt(secret, 1)) === '000000' ? '111111' : '000000';
    for (let i = 0; i < 2; i++) expect((await grant(person.email, slug, { mfa_code: bad })).status).toBe(401);
    const user = await app.http.get(`/api/v1/tenants/${tenantId}/users/${person.id}`).set(app.rootAuth);
    expect(user.body.data.status).toBe('LOCKED');
    expect((await grant(person.email, slug, { mfa_code: await codeAt(secret, 1) })).status).toBe(401);
  });
});

describe('turning MFA off', () => {
  it('the user needs a valid code; afterwards the password alone signs in', async () => {
    const { slug, person } = await tenantWithPeople();
    const { secret, recovery } = await enrol((await app.login(person.email, PASSWORD, slug)).auth);
    const token = (await grant(person.email, slug, { mfa_code: await codeAt(secret, 1) })).body.access_token;
    const auth = { Authorization: `Bearer ${token}` };
    // Every code up to the one just used is spent; a recovery code still works.
    expect((await app.http.delete(enrolUrl).set(auth).send({ code: await codeAt(secret, 1) })).status).toBe(422);
    expect((await app.http.delete(enrolUrl).set(auth).send({ code: recovery[3] })).status).toBe(204);
    expect((await grant(person.email, slug)).status).toBe(200);
    const row = await app.roster.db.knex('users').where({ id: person.id }).first();
    expect(row).toMatchObject({ totpSecret: null, totpPendingSecret: null });
    expect(await app.roster.db.knex('mfa_recovery_codes').where({ userId: person.id })).toHaveLength(0);
  });

  it('an admin turns it off for a user who lost the phone, and every secret goes', async () => {
    const { slug, person, auth: adminAuth } = await tenantWithPeople();
    await enrol((await app.login(person.email, PASSWORD, slug)).auth);
    const res = await app.http.post(`/api/v1/admin/users/${person.id}/mfa/disable`).set(adminAuth);
    expect(res.status).toBe(200);
    expect(res.body.data.mfa_enabled).toBe(false);
    const row = await app.roster.db.knex('users').where({ id: person.id }).first();
    expect(row).toMatchObject({ mfaEnabled: row.mfaEnabled === 0 ? 0 : false, totpSecret: null, totpLastEpoch: null });
    expect(await app.roster.db.knex('mfa_recovery_codes').where({ userId: person.id })).toHaveLength(0);
    expect((await grant(person.email, slug)).status).toBe(200);
  });
});

describe('a tenant that requires MFA', () => {
  it('lets a user without MFA sign in only to enrol, then opens everything', async () => {
    const { tenantId, slug, user: admin } = await tenantWithPeople({ mfa: { required: true } });
    const first = await grant(admin.email, slug);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ mfa_enrollment_required: true, scope: 'mfa_enrollment' });
    const auth = { Authorization: `Bearer ${first.body.access_token}` };

    const blocked = await app.http.get(`/api/v1/tenants/${tenantId}/users`).set(auth);
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.message).toMatch(/requires MFA/);
    const refreshed = await app.http.post('/api/v1/auth/token').send({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token });
    expect(refreshed.body.mfa_enrollment_required).toBe(true);

    const enrolAuth = { Authorization: `Bearer ${refreshed.body.access_token}` };
    const { secret } = await enrol(enrolAuth);
    expect((await app.http.get(`/api/v1/tenants/${tenantId}/users`).set(enrolAuth)).status).toBe(200);

    const next = await grant(admin.email, slug, { mfa_code: await codeAt(secret, 1) });
    expect(next.status).toBe(200);
    expect(next.body.mfa_enrollment_required).toBeUndefined();
    expect(next.body.scope).toBe('openid profile');
  });
});
