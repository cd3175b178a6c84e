import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, type Json, type TestApp } from '../support/test-app';
import { addressKey } from '../../server/services/login-throttle';

/*
 * Brute force against POST /api/v1/auth/token, played as an attacker: many wrong passwords in
 * parallel against one account, password spraying from one address, a forged X-Forwarded-For,
 * and telling accounts apart by the answer or its timing.
 */
const token = (app: TestApp, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  app.http.post('/api/v1/auth/token').set(headers).send({ grant_type: 'password', ...body });

async function tenantWith(app: TestApp, settings: Json = {}) {
  const slug = `rl-${crypto.randomUUID().slice(0, 8)}`;
  const t = await app.http.post('/api/v1/tenants').set(app.rootAuth).send({ name: slug, slug, settings });
  expect(t.status, JSON.stringify(t.body)).toBe(201);
  return { id: t.body.data.id as string, slug };
}

function expectLimited(res: { status: number; body: Json; headers: Record<string, string> }) {
  expect(res.status, JSON.stringify(res.body)).toBe(429);
  expect(res.body.error.code).toBe('rate_limited');
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
}

describe('per-account limit and lockout under fifty parallel wrong passwords', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ ROSTER_LOGIN_FAILURES_PER_ACCOUNT: '5' });
  });
  afterAll(() => app.close());

  it('lets at most the limit through; the rest get 429 with Retry-After, the right password too', async () => {
    const t = await tenantWith(app, { lockout: { max_failed_attempts: 50 } });
    const user = await app.createUser(t.id, { email: `victim@${t.slug}.example.com` });
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => token(app, { tenant: t.slug, username: user.email, password: `wrong-${i}` })));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBe(5);
    expect(statuses.filter((s) => s === 429).length).toBe(45);
    for (const res of answers.filter((r) => r.status === 429)) expectLimited(res);
    // Only the attempts let through reached the password check and the lockout count.
    const row = await app.roster.db.knex('users').where({ id: user.id }).first('failedLoginCount');
    expect(row.failedLoginCount).toBe(5);
    expectLimited(await token(app, { tenant: t.slug, username: user.email, password: PASSWORD }));
    // The name is counted as typed, canonically: another spelling is the same account.
    expectLimited(await token(app, { tenant: t.slug, username: ` ${user.email.toUpperCase()} `, password: PASSWORD }));
  });

  it('an unknown name is limited exactly like a real one (no enumeration through 429)', async () => {
    const t = await tenantWith(app);
    const answers = await Promise.all(Array.from({ length: 12 }, () => token(app, { tenant: t.slug, username: `ghost@${t.slug}.example.com`, password: 'nope' })));
    expect(answers.map((r) => r.status).sort()).toEqual([...Array(5).fill(401), ...Array(7).fill(429)]);
  });

  it('a successful sign-in gives its point back: legitimate use is never limited', async () => {
    const t = await tenantWith(app);
    const user = await app.createUser(t.id, { email: `busy@${t.slug}.example.com` });
    for (let i = 0; i < 12; i++) expect((await token(app, { tenant: t.slug, username: user.email, password: PASSWORD })).status).toBe(200);
  });
});

describe('lockout counted atomically in SQL', () => {
  let app: TestApp;
  beforeAll(async () => {
    // The per-account rate limit out of the way: this is about the count in the users table.
    app = await createTestApp({ ROSTER_LOGIN_FAILURES_PER_ACCOUNT: '1000' });
  });
  afterAll(() => app.close());

  it('fifty parallel wrong passwords lock exactly once, at the threshold', async () => {
    const t = await tenantWith(app, { lockout: { max_failed_attempts: 4, lock_duration_minutes: 0 } });
    const user = await app.createUser(t.id, { email: `target@${t.slug}.example.com` });
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => token(app, { tenant: t.slug, username: user.email, password: `guess-${i}` })));
    expect(answers.every((r) => r.status === 401 || r.status === 429)).toBe(true);
    const row = await app.roster.db.knex('users').where({ id: user.id }).first('status', 'failedLoginCount');
    expect(row).toEqual({ status: 'LOCKED', failedLoginCount: 4 });
    const locked = await app.roster.db.knex('activity_events').where({ subjectId: user.id, action: 'user.locked' }).count({ n: '*' });
    expect(Number(locked[0].n)).toBe(1);
    // Locked: the right password gets the same answer as a wrong one.
    const right = await token(app, { tenant: t.slug, username: user.email, password: PASSWORD });
    expect(right.status).toBe(401);
  });

  it('unknown user, wrong password and locked account: the same answer, and similar timing', async () => {
    const t = await tenantWith(app, { lockout: { max_failed_attempts: 1, lock_duration_minutes: 0 } });
    const known = await app.createUser(t.id, { email: `known@${t.slug}.example.com` });
    const locked = await app.createUser(t.id, { email: `locked@${t.slug}.example.com` });
    await token(app, { tenant: t.slug, username: locked.email, password: 'lock-me' });
    const cases = {
      unknown: { tenant: t.slug, username: `nobody@${t.slug}.example.com`, password: 'whatever-1' },
      wrong: { tenant: t.slug, username: known.email, password: 'whatever-2' },
      locked: { tenant: t.slug, username: locked.email, password: PASSWORD },
    };
    const bodies: Record<string, Json> = {};
    const times: Record<string, number[]> = { unknown: [], wrong: [], locked: [] };
    // Interleaved, so load on the machine weighs on each case alike; the wrong-password case
    // resets after each try by a right sign-in (lockout is 1), so it stays a wrong password.
    for (let round = 0; round < 5; round++) {
      for (const [name, body] of Object.entries(cases)) {
        const started = process.hrtime.bigint();
        const res = await token(app, body);
        times[name].push(Number(process.hrtime.bigint() - started) / 1e6);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer');
        bodies[name] = { error: res.body.error, detail: res.body.detail };
        if (name === 'wrong') {
          await app.roster.db.knex('users').where({ id: known.id }).update({ status: 'ACTIVE', failedLoginCount: 0, lockedAt: null, lockReason: null });
        }
      }
    }
    expect(bodies.unknown).toEqual(bodies.wrong);
    expect(bodies.locked).toEqual(bodies.wrong);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const medians = Object.values(times).map(median);
    // Each verifies one argon2 hash (a dummy one for the unknown user): no case is a shortcut.
    expect(Math.max(...medians) / Math.min(...medians)).toBeLessThan(3);
  });
});

describe('per-address limit and X-Forwarded-For', () => {
  let direct: TestApp;
  let proxied: TestApp;
  beforeAll(async () => {
    direct = await createTestApp({ ROSTER_LOGIN_RATE_PER_IP: '8' });
    proxied = await createTestApp({ ROSTER_LOGIN_RATE_PER_IP: '8', ROSTER_TRUSTED_PROXIES: '127.0.0.1,::1' });
  });
  afterAll(async () => {
    await direct.close();
    await proxied.close();
  });

  it('limits token requests per address, every grant alike; a forged X-Forwarded-For from an untrusted peer changes nothing', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await direct.http.post('/api/v1/auth/token').set('X-Forwarded-For', `203.0.113.${i}`)
        .send(i % 2 ? { grant_type: 'refresh_token', refresh_token: 'x' } : { grant_type: 'password', username: 'a@b.c', password: 'p' });
      statuses.push(res.status);
      if (res.status === 429) expectLimited(res);
    }
    // createTestApp signed in once already: 7 more get through, then 429.
    expect(statuses.filter((s) => s === 429).length).toBe(5);
    // The session and audit trail keep the peer's address, not the forged one.
    const last = await direct.roster.db.knex('activity_events').where({ action: 'user.login_failed' }).orderBy('id', 'desc').first('ip');
    expect(last?.ip ?? '127.0.0.1').not.toMatch(/^203\.0\.113\./);
  });

  it('from a trusted proxy, each forwarded client has its own budget and is what the audit trail records', async () => {
    const t = await tenantWith(proxied);
    const user = await proxied.createUser(t.id, { email: `px@${t.slug}.example.com` });
    for (let i = 0; i < 8; i++) {
      expect((await token(proxied, { tenant: t.slug, username: user.email, password: PASSWORD }, { 'X-Forwarded-For': '198.51.100.7' })).status).toBe(200);
    }
    expectLimited(await token(proxied, { tenant: t.slug, username: user.email, password: PASSWORD }, { 'X-Forwarded-For': '198.51.100.7' }));
    // A client's own X-Forwarded-For entries left of the proxy's are not believed past the first untrusted one.
    expectLimited(await token(proxied, { tenant: t.slug, username: user.email, password: PASSWORD }, { 'X-Forwarded-For': '10.9.9.9, 198.51.100.7' }));
    expect((await token(proxied, { tenant: t.slug, username: user.email, password: PASSWORD }, { 'X-Forwarded-For': '198.51.100.8' })).status).toBe(200);
    const session = await proxied.roster.db.knex('sessions').where({ userId: user.id }).orderBy('createdAt', 'desc').first('ip');
    expect(session.ip).toBe('198.51.100.8');
    const login = await proxied.roster.db.knex('activity_events').where({ subjectId: user.id, action: 'user.login' }).orderBy('id', 'desc').first('ip');
    expect(login.ip).toBe('198.51.100.8');
  });
});

describe('address keys', () => {
  it('counts IPv4 per address and IPv6 per /64, whatever its spelling', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:0db8:0001:0002:ffff:1:2:3'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });
});
