import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jwt from 'jsonwebtoken';
import type { Response } from 'supertest';
import { createTestApp, PASSWORD, type TestApp } from '../support/test-app';

let app: TestApp;
let viewer: Awaited<ReturnType<TestApp['createUser']>>;
/** A real access token of the viewer, and its claims. */
let access: string;
let claims: jwt.JwtPayload;

const ROUTE = '/api/v1/tenants/default/users';

beforeAll(async () => {
  app = await createTestApp();
  viewer = await app.createUser(app.defaultTenantId, { email: 'viewer@security.example.com', role: 'viewer' });
  ({ access_token: access } = await app.login(viewer.email));
  claims = jwt.decode(access) as jwt.JwtPayload;
});
afterAll(() => app.close());

const now = () => Math.floor(Date.now() / 1000);
const get = (token?: string) => {
  const req = app.http.get(ROUTE);
  return token === undefined ? req : req.set('Authorization', `Bearer ${token}`);
};
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The claims of the real token with a fresh expiry, minus `iat`/`exp` (jwt.sign sets those). */
function baseClaims(): Record<string, unknown> {
  const { iat: _iat, exp: _exp, ...rest } = claims;
  return rest;
}

function expect401(res: Response) {
  expect(res.status).toBe(401);
  expect(res.headers['www-authenticate']).toBe('Bearer');
  expect(Object.keys(res.body).sort()).toEqual(['error', 'meta']);
  expect(res.body.error.code).toBe('unauthorized');
  expect(res.body.error.message).toEqual(expect.any(String));
  expect(res.body.error.message.length).toBeGreaterThan(0);
  expect(res.body.meta.request_id).toBe(res.headers['x-request-id']);
  expect(res.body.data).toBeUndefined();
}

describe('access tokens on an authenticated route', () => {
  it('accepts the real token, and one signed here with the server secret (so the refusals below are for the stated reason)', async () => {
    expect((await get(access)).status).toBe(200);
    const resigned = jwt.sign({ ...baseClaims(), exp: now() + 300 }, app.roster.signer.secret, { algorithm: 'HS256' });
    const res = await get(resigned);
    expect(res.status).toBe(200);
    expect(res.body.data.map((u: { id: string }) => u.id)).toContain(viewer.id);
  });

  it('refuses a request without a token with the contract\'s error shape', async () => {
    const res = await app.http.get(ROUTE).set('X-Request-Id', 'no-token-1');
    expect401(res);
    expect(res.headers['x-request-id']).toBe('no-token-1');
    expect(res.body.meta.request_id).toBe('no-token-1');
    expect(res.body.error.field).toBeUndefined();
  });

  it('refuses an empty or malformed Authorization header, and other schemes', async () => {
    for (const header of ['', 'Bearer', 'Bearer ', `Bearer  ${access}`, `Basic ${Buffer.from('root@roster.test:root-password-123').toString('base64')}`, `Token ${access}`, access]) {
      expect401(await app.http.get(ROUTE).set('Authorization', header));
    }
  });

  it('takes the scheme name in any letter case (RFC 7235)', async () => {
    expect((await app.http.get(ROUTE).set('Authorization', `bearer ${access}`)).status).toBe(200);
  });

  it('refuses an expired token', async () => {
    const expired = jwt.sign({ ...baseClaims(), iat: now() - 7200, exp: now() - 3600 }, app.roster.signer.secret, { algorithm: 'HS256' });
    expect401(await get(expired));
    // Beyond the 30 s of tolerated clock skew.
    const justExpired = jwt.sign({ ...baseClaims(), iat: now() - 1000, exp: now() - 120 }, app.roster.signer.secret, { algorithm: 'HS256' });
    expect401(await get(justExpired));
  });

  it('refuses a token not yet valid (nbf in the future)', async () => {
    const early = jwt.sign({ ...baseClaims(), nbf: now() + 3600, exp: now() + 7200 }, app.roster.signer.secret, { algorithm: 'HS256' });
    expect401(await get(early));
  });

  it('refuses a bad signature and a payload changed under a good signature', async () => {
    // The real token passes first, so the server has it among the tokens it already verified.
    expect((await get(access)).status).toBe(200);
    const [header, payload, signature] = access.split('.');
    const flipped = signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11);
    expect401(await get(`${header}.${payload}.${flipped}`));
    expect401(await get(`${header}.${payload}.`));
    expect401(await get(`${header}.${payload}`));

    const escalated = b64url({ ...claims, role: 'super_admin' });
    expect401(await get(`${header}.${escalated}.${signature}`));
  });

  it('refuses alg "none", in every spelling', async () => {
    const payload = b64url({ ...baseClaims(), iat: now(), exp: now() + 300 });
    for (const alg of ['none', 'None', 'NONE']) {
      const header = b64url({ alg, typ: 'JWT' });
      expect401(await get(`${header}.${payload}.`));
      expect401(await get(`${header}.${payload}.${access.split('.')[2]}`));
    }
  });

  it('refuses an HS256 token signed with another secret', async () => {
    const other = jwt.sign({ ...baseClaims(), exp: now() + 300 }, 'some-other-secret-of-the-same-sort-0123456789', { algorithm: 'HS256' });
    expect401(await get(other));
  });

  it('refuses another HMAC algorithm even with the right secret', async () => {
    const hs512 = jwt.sign({ ...baseClaims(), exp: now() + 300 }, app.roster.signer.secret, { algorithm: 'HS512' });
    expect401(await get(hs512));
  });

  it('refuses a token without exp, or with a non-numeric exp', async () => {
    const noExp = jwt.sign(baseClaims(), app.roster.signer.secret, { algorithm: 'HS256' });
    expect((jwt.decode(noExp) as jwt.JwtPayload).exp).toBeUndefined();
    expect401(await get(noExp));

    const header = b64url({ alg: 'HS256', typ: 'JWT' });
    const payload = b64url({ ...baseClaims(), iat: now(), exp: String(now() + 300) });
    const sig = crypto.createHmac('sha256', app.roster.signer.secret).update(`${header}.${payload}`).digest('base64url');
    expect401(await get(`${header}.${payload}.${sig}`));
  });

  it('refuses a token from another issuer, or without one', async () => {
    const { iss: _iss, ...rest } = baseClaims();
    expect401(await get(jwt.sign({ ...rest, exp: now() + 300 }, app.roster.signer.secret, { algorithm: 'HS256', issuer: 'someone-else' })));
    expect401(await get(jwt.sign({ ...rest, exp: now() + 300 }, app.roster.signer.secret, { algorithm: 'HS256' })));
  });

  it('refuses a well-signed token whose session or subject does not hold', async () => {
    const sign = (overrides: Record<string, unknown>) =>
      jwt.sign({ ...baseClaims(), exp: now() + 300, ...overrides }, app.roster.signer.secret, { algorithm: 'HS256' });
    const { sid: _sid, ...noSid } = baseClaims();
    expect401(await get(jwt.sign({ ...noSid, exp: now() + 300 }, app.roster.signer.secret, { algorithm: 'HS256' })));
    const { sub: _sub, ...noSub } = baseClaims();
    expect401(await get(jwt.sign({ ...noSub, exp: now() + 300 }, app.roster.signer.secret, { algorithm: 'HS256' })));
    expect401(await get(sign({ sid: '01900000-0000-7000-8000-000000000000' })));
    // Somebody else's session under the viewer's name, and the other way round.
    const root = jwt.decode(app.rootAuth.Authorization.slice('Bearer '.length)) as jwt.JwtPayload;
    expect401(await get(sign({ sid: root.sid })));
    expect401(await get(sign({ sub: root.sub, role: 'super_admin' })));
  });

  it('refuses a token whose session was revoked', async () => {
    const own = await app.login(viewer.email);
    expect((await get(own.access_token)).status).toBe(200);
    const revoked = await app.http.post('/api/v1/auth/revoke').send({ token: own.refresh_token });
    expect(revoked.status).toBe(200);
    expect401(await get(own.access_token));
    // A token re-signed for the revoked session does not bring it back.
    const sid = (jwt.decode(own.access_token) as jwt.JwtPayload).sid;
    expect401(await get(jwt.sign({ ...baseClaims(), sid, exp: now() + 300 }, app.roster.signer.secret, { algorithm: 'HS256' })));
  });

  it('refuses the token of a user disabled since it was issued', async () => {
    const user = await app.createUser(app.defaultTenantId, { email: 'soon-disabled@security.example.com', role: 'viewer' });
    const own = await app.login(user.email, PASSWORD);
    expect((await get(own.access_token)).status).toBe(200);
    const res = await app.http.put(`/api/v1/tenants/${app.defaultTenantId}/users/${user.id}/status`).set(app.rootAuth).send({ status: 'DISABLED' });
    expect(res.status).toBe(200);
    expect401(await get(own.access_token));
  });

  it('does not read the token from the query string', async () => {
    for (const name of ['access_token', 'token', 'jwt']) {
      expect401(await app.http.get(`${ROUTE}?${name}=${encodeURIComponent(access)}`));
    }
  });

  it('does not read the token from a cookie', async () => {
    for (const name of ['access_token', 'token', 'jwt', 'Authorization']) {
      expect401(await app.http.get(ROUTE).set('Cookie', `${name}=${access}`));
    }
    expect401(await app.http.get(ROUTE).set('Cookie', `Authorization=Bearer%20${access}`));
  });

  it('answers every refusal with the same kind of body', async () => {
    const refusals = await Promise.all([
      get(),
      get('not-a-jwt'),
      get(jwt.sign({ ...baseClaims(), exp: now() - 3600 }, app.roster.signer.secret, { algorithm: 'HS256' })),
      get(jwt.sign(baseClaims(), app.roster.signer.secret, { algorithm: 'HS256' })),
    ]);
    for (const res of refusals) {
      expect401(res);
      const text = JSON.stringify(res.body);
      // Nothing about why the library refused it: no library messages, no stack.
      expect(text).not.toMatch(/jwt expired|invalid signature|jwt malformed|JsonWebTokenError|TokenExpiredError|\n\s+at /);
    }
  });
});
