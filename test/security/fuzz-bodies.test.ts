import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ADMIN_PASSWORD, type TestApp } from '../support/test-app';
import { buildEstate, call, fillPath, keysOf, routesOf, type TenantEstate } from './fixtures';
import { IMPORT_PATH } from '../../server/routes/import-routes';

/*
 * Property-based fuzzing of every JSON body route, generated from apiRoutes(): random JSON, and
 * objects with the schema's own keys holding random values, sent as the super admin (the widest
 * reach) and as a tenant admin. Properties: never a 5xx, and no secret (password hashes, TOTP
 * secrets, the JWT secret, refresh token hashes, passwords) in any answer. Bounded runs keep it fast.
 */
const RUNS = 6;

let app: TestApp;
let estate: TenantEstate;
let secrets: string[];
beforeAll(async () => {
  app = await createTestApp({ ROSTER_LOGIN_RATE_PER_IP: '100000', ROSTER_LOGIN_FAILURES_PER_IP: '100000', ROSTER_LOGIN_FAILURES_PER_ACCOUNT: '100000' });
  estate = await buildEstate(app);
  const k = app.roster.db.knex;
  const hashes = await k('users').whereNotNull('passwordHash').pluck('passwordHash');
  const tokenHashes = await k('refresh_tokens').pluck('tokenHash');
  secrets = [...hashes, ...tokenHashes, app.roster.signer.secret, ADMIN_PASSWORD].filter((s): s is string => typeof s === 'string' && s.length > 8);
});
afterAll(() => app.close());

const scalar = fc.oneof(
  fc.string({ maxLength: 40 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.uuid(),
  fc.constantFrom('', ' ', '\u0000', '\ud800', 'super_admin', 'DIRECT', 'ACTIVE', 'x'.repeat(400), '2026-01-01T00:00:00Z', 'a@b.c', "' OR 1=1 --"),
);
const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 5 }), fc.dictionary(fc.string({ maxLength: 10 }), scalar, { maxKeys: 4 }), fc.jsonValue({ maxDepth: 3 }));

function bodies(keys: string[]) {
  const shaped = keys.length
    ? fc.record(Object.fromEntries(keys.map((k) => [k, value])), { requiredKeys: [] })
    : fc.dictionary(fc.string({ maxLength: 10 }), value, { maxKeys: 4 });
  return fc.oneof({ weight: 3, arbitrary: shaped }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) });
}

describe('fuzzing every JSON body route', () => {
  it('never a 5xx, never a secret in the answer', { timeout: 300_000 }, async () => {
    const routes = routesOf(app).filter((r) => r.body && r.path !== IMPORT_PATH && !r.path.includes('/stream'));
    expect(routes.length).toBeGreaterThan(25);
    const callers = [app.rootAuth, estate.auth];
    const problems: string[] = [];
    let sent = 0;
    for (const route of routes) {
      const url = fillPath(route.path, { ...estate.ids, tenant_id: estate.tenantId, partner_id: '00000000-0000-7000-8000-000000000000' });
      if (!url) continue;
      await fc.assert(
        fc.asyncProperty(bodies(keysOf(route.body)), fc.integer({ min: 0, max: 1 }), async (body, who) => {
          sent++;
          const res = await call(app, route.method, url, callers[who], body);
          const text = res.text ?? '';
          if (res.status >= 500) problems.push(`${route.method} ${route.path} ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
          const leaked = secrets.find((s) => text.includes(s));
          if (leaked) problems.push(`${route.method} ${route.path} answered a secret`);
          return res.status < 500 && !leaked;
        }),
        { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261124), endOnFailure: true },
      ).catch(() => undefined);
    }
    expect(sent).toBeGreaterThan(150);
    expect(problems).toEqual([]);
  });
});
