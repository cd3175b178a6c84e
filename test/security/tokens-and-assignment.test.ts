import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, type Auth, type Json, type TestApp } from '../support/test-app';
import { JWT_ISSUER } from '../../server/auth/token-signer';

/*
 * Forged, expired and alg-confused tokens, and mass assignment: fields a caller may not set.
 */
let app: TestApp;
let t: { tenantId: string; slug: string; user: Json; auth: Auth };
let claims: Record<string, unknown>;
beforeAll(async () => {
  app = await createTestApp();
  t = await app.tenantWithUser('tenant_admin');
  const token = t.auth.Authorization.slice(7);
  claims = jwt.decode(token) as Record<string, unknown>;
});
afterAll(() => app.close());

const me = (token: string) => app.http.get('/api/v1/users/me').set('Authorization', `Bearer ${token}`);
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const body = () => {
  const { iat: _iat, exp: _exp, iss: _iss, jti: _jti, ...rest } = claims;
  return rest;
};

describe('forged, expired and alg-confused tokens', () => {
  it('the real token works (so each refusal below is for its stated reason)', async () => {
    expect((await me(t.auth.Authorization.slice(7))).status).toBe(200);
    const resigned = jwt.sign(body(), app.roster.signer.secret, { algorithm: 'HS256', expiresIn: 60, issuer: JWT_ISSUER });
    expect((await me(resigned)).status).toBe(200);
  });

  const cases: [string, () => string][] = [
    ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims })}.`],
    ['alg None with the old signature', () => `${b64({ alg: 'None', typ: 'JWT' })}.${b64({ ...claims })}.${t.auth.Authorization.split('.')[2]}`],
    ['another secret', () => jwt.sign(body(), 'x'.repeat(64), { algorithm: 'HS256', expiresIn: 60, issuer: JWT_ISSUER })],
    ['HS512 with the right secret', () => jwt.sign(body(), app.roster.signer.secret, { algorithm: 'HS512', expiresIn: 60, issuer: JWT_ISSUER })],
    ['RS256 with an attacker key (HS/RS confusion)', () => {
      const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      return jwt.sign(body(), privateKey, { algorithm: 'RS256', expiresIn: 60, issuer: JWT_ISSUER });
    }],
    ['HS256 keyed with an RSA public key', () => {
      const { publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const header = b64({ alg: 'HS256', typ: 'JWT' });
      const payload = b64({ ...body(), iss: JWT_ISSUER, exp: Math.floor(Date.now() / 1000) + 60 });
      return `${header}.${payload}.${crypto.createHmac('sha256', pem).update(`${header}.${payload}`).digest('base64url')}`;
    }],
    ['expired beyond the clock skew', () => jwt.sign({ ...body(), exp: Math.floor(Date.now() / 1000) - 61 }, app.roster.signer.secret, { algorithm: 'HS256', issuer: JWT_ISSUER })],
    ['no exp', () => jwt.sign(body(), app.roster.signer.secret, { algorithm: 'HS256', issuer: JWT_ISSUER })],
    ['another issuer', () => jwt.sign(body(), app.roster.signer.secret, { algorithm: 'HS256', expiresIn: 60, issuer: 'keycloak' })],
    ['no issuer', () => jwt.sign(body(), app.roster.signer.secret, { algorithm: 'HS256', expiresIn: 60 })],
    ['issued for the future (nbf)', () => jwt.sign(body(), app.roster.signer.secret, { algorithm: 'HS256', expiresIn: 600, notBefore: 300, issuer: JWT_ISSUER })],
    ['role raised in the payload, old signature', () => {
      const [h, , sig] = t.auth.Authorization.slice(7).split('.');
      return `${h}.${b64({ ...claims, role: 'super_admin' })}.${sig}`;
    }],
    ['role raised, validly signed, for a session that does not hold it', () =>
      jwt.sign({ ...body(), role: 'super_admin' }, app.roster.signer.secret, { algorithm: 'HS256', expiresIn: 60, issuer: JWT_ISSUER })],
    ['another user\'s id on this session', () =>
      jwt.sign({ ...body(), sub: crypto.randomUUID() }, app.roster.signer.secret, { algorithm: 'HS256', expiresIn: 60, issuer: JWT_ISSUER })],
    ['garbage', () => 'not.a.jwt'],
    ['an API token prefix with nothing behind it', () => 'rst_forged'],
  ];
  for (const [name, make] of cases) {
    it(`refuses: ${name}`, async () => {
      const res = await me(make());
      if (name.startsWith('role raised, validly signed')) {
        // The role comes from the database, not the token: the session's real role answers.
        expect(res.status).toBe(200);
        expect(res.body.data.role).toBe('tenant_admin');
        expect((await app.http.get('/api/v1/partners').set('Authorization', `Bearer ${make()}`)).status).toBe(403);
        return;
      }
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    });
  }

  it('a token within the 60 s clock skew still works, its session ended does not', async () => {
    const fresh = await app.login(t.user.email, PASSWORD, t.slug);
    const c = jwt.decode(fresh.access_token) as Record<string, unknown>;
    const { iat: _i, exp: _e, iss: _s, jti: _j, ...rest } = c;
    const skewed = jwt.sign({ ...rest, exp: Math.floor(Date.now() / 1000) - 20 }, app.roster.signer.secret, { algorithm: 'HS256', issuer: JWT_ISSUER });
    expect((await me(skewed)).status).toBe(200);
    expect((await app.http.post('/api/v1/auth/revoke').send({ token: fresh.refresh_token })).status).toBe(200);
    expect((await me(skewed)).status).toBe(401);
    expect((await me(fresh.access_token)).status).toBe(401);
  });
});

describe('mass assignment', () => {
  const forbiddenFields: [string, unknown][] = [
    ['id', crypto.randomUUID()], ['tenant_id', crypto.randomUUID()], ['password_hash', '$argon2id$v=19$m=19456,t=2,p=1$AAAA$BBBB'],
    ['created_at', '2000-01-01T00:00:00.000Z'], ['updated_at', '2000-01-01T00:00:00.000Z'], ['deleted_at', '2000-01-01T00:00:00.000Z'],
    ['last_login_at', '2000-01-01T00:00:00.000Z'], ['failed_login_count', 0], ['version', 99], ['status_reason', 'x'],
    ['mfa_enabled', true], ['totp_secret', 'JBSWY3DPEHPK3PXP'], ['merged_into', crypto.randomUUID()],
  ];

  it('every field a caller may not set is refused with 422 on create, PATCH and PUT, and nothing is stored', async () => {
    const target = await app.createUser(t.tenantId);
    const before = await app.roster.db.knex('users').where({ id: target.id }).first();
    const countBefore = Number((await app.roster.db.knex('users').where({ tenantId: t.tenantId }).count({ n: '*' }))[0].n);
    const refused: string[] = [];
    for (const [field, value] of forbiddenFields) {
      const attempts = [
        await app.http.post(`/api/v1/tenants/${t.tenantId}/users`).set(t.auth).send({ email: `ma-${crypto.randomUUID().slice(0, 6)}@example.com`, [field]: value }),
        await app.http.patch(`/api/v1/tenants/${t.tenantId}/users/${target.id}`).set(t.auth).send({ first_name: 'X', [field]: value }),
        await app.http.patch(`/api/v1/users/${target.id}`).set(t.auth).send({ first_name: 'X', [field]: value }),
        await app.http.put(`/api/v1/users/${target.id}`).set(t.auth).send({ email: target.email, [field]: value }),
        await app.http.put('/api/v1/users/me').set(t.auth).send({ first_name: 'X', [field]: value }),
      ];
      for (const res of attempts) {
        if (res.status === 422 && JSON.stringify(res.body.detail).includes(field)) refused.push(field);
        else expect.fail(`${field}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      }
    }
    expect(refused.length).toBe(forbiddenFields.length * 5);
    expect(await app.roster.db.knex('users').where({ id: target.id }).first()).toEqual(before);
    expect(Number((await app.roster.db.knex('users').where({ tenantId: t.tenantId }).count({ n: '*' }))[0].n)).toBe(countBefore);
  });

  it('nobody grants a role above their own, on any route', async () => {
    const helpdesk = await app.createUser(t.tenantId, { email: `hd-${crypto.randomUUID().slice(0, 6)}@${t.slug}.example.com`, role: 'helpdesk' });
    const target = await app.createUser(t.tenantId);
    const hd = (await app.login(helpdesk.email, PASSWORD, t.slug)).auth;
    const tries = [
      await app.http.post(`/api/v1/tenants/${t.tenantId}/users`).set(t.auth).send({ email: `up-${crypto.randomUUID().slice(0, 6)}@example.com`, role: 'super_admin' }),
      await app.http.post(`/api/v1/tenants/${t.tenantId}/users`).set(t.auth).send({ email: `up-${crypto.randomUUID().slice(0, 6)}@example.com`, role: 'partner_admin' }),
      await app.http.patch(`/api/v1/tenants/${t.tenantId}/users/${target.id}`).set(t.auth).send({ role: 'super_admin' }),
      await app.http.patch(`/api/v1/admin/users/${target.id}`).set(t.auth).send({ role: 'partner_admin' }),
      await app.http.patch(`/api/v1/tenants/${t.tenantId}/users/${t.user.id}`).set(t.auth).send({ role: 'super_admin' }),
      await app.http.put('/api/v1/users/me').set(t.auth).send({ role: 'super_admin' }),
      await app.http.patch(`/api/v1/tenants/${t.tenantId}/users/${target.id}`).set(hd).send({ role: 'tenant_admin' }),
      await app.http.patch(`/api/v1/tenants/${t.tenantId}/users/${t.user.id}`).set(hd).send({ role: 'user' }),
      await app.http.post(`/api/v1/tenants/${t.tenantId}/api-tokens`).set(hd).send({ name: 'x', scopes: ['users:write'] }),
    ];
    for (const res of tries) expect([403, 422], JSON.stringify(res.body)).toContain(res.status);
    const roles = await app.roster.db.knex('users').where({ tenantId: t.tenantId }).whereIn('role', ['super_admin', 'partner_admin']).count({ n: '*' });
    expect(Number(roles[0].n)).toBe(0);
    expect((await app.roster.db.knex('users').where({ id: t.user.id }).first('role')).role).toBe('tenant_admin');
    expect((await app.roster.db.knex('users').where({ id: target.id }).first('role')).role).toBe('user');
  });
});
