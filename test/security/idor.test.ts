import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/test-app';
import { call, fillPath, routesOf, type TenantEstate, victimAndAttacker } from './fixtures';

/*
 * Insecure direct object references, generated from the route list: every route that names an
 * object by id is called by another tenant's admin with the victim tenant's ids, in the
 * attacker's own tenant path (and in the caller-scoped and admin routes). Every one must answer
 * 404 (or refuse the request itself, 4xx, before looking anything up), never reach the object,
 * and leave the victim's estate as it was.
 */
let app: TestApp;
let victim: TenantEstate;
let attacker: TenantEstate;
beforeAll(async () => {
  ({ app, victim, attacker } = await victimAndAttacker());
});
afterAll(() => app.close());

/** A valid body for each write route that names an object, so the attack reaches the lookup. */
function bodyFor(method: string, path: string): unknown {
  if (!['post', 'put', 'patch'].includes(method)) return undefined;
  const key = `${method} ${path.replace(/^\/api\/v1\/(tenants\/\{tenant_id\}\/|admin\/)?/, '')}`;
  const bodies: Record<string, unknown> = {
    'patch users/{user_id}': { first_name: 'Pwned' },
    'put users/{user_id}': { email: 'pwned@example.com', first_name: 'Pwned' },
    'post users/{user_id}/password/reset': { method: 'DIRECT', new_password: 'Pwned-password-123' },
    'put users/{user_id}/status': { status: 'DISABLED', terminate_sessions: true },
    'post users/{user_id}/reset-password': { new_password: 'Pwned-password-123' },
    'patch identity-providers/{provider_id}': { name: 'Pwned' },
    'post users/{user_id}/identities': { provider_id: attacker.ids.provider_id, subject: 'pwned' },
    'patch ous/{ou_id}': { name: 'Pwned' },
    'patch groups/{group_id}': { name: 'Pwned' },
    'post groups/{group_id}/members': { user_ids: [attacker.ids.user_id] },
    'patch applications/{application_id}': { name: 'Pwned' },
    'post applications/{application_id}/assignments': { user_ids: [attacker.ids.user_id] },
    'post users/{user_id}/email/verify': {},
  };
  return bodies[key] ?? {};
}

describe('IDOR: another tenant\'s ids on every route', () => {
  it('every route with an object id answers 404 to another tenant\'s admin, and changes nothing', { timeout: 120_000 }, async () => {
    const before = await snapshot();
    const tried: string[] = [];
    const leaks: string[] = [];
    for (const route of routesOf(app)) {
      if (!/\{(?!tenant_id\})[^}]+_id\}/.test(route.path)) continue;
      const url = fillPath(route.path, { ...victim.ids, tenant_id: attacker.tenantId });
      if (!url) continue;
      const query = route.method === 'delete' ? `?confirm_email=${encodeURIComponent(victim.user.email)}&permanent=true` : '';
      const res = await call(app, route.method, url + query, attacker.auth, bodyFor(route.method, route.path));
      tried.push(`${route.method.toUpperCase()} ${route.path}`);
      const text = res.text ?? '';
      const mentionsVictim = Object.values(victim.ids).some((id) => text.includes(id)) || text.includes(victim.user.email);
      // 404 for the object. Routes without a body of their own in bodyFor may meet a 422 for the
      // empty body first: decided before any lookup, it must name nothing of the victim either.
      if (![404, 422].includes(res.status) || mentionsVictim || (res.status === 422 && bodyFor(route.method, route.path) !== undefined && JSON.stringify(bodyFor(route.method, route.path)) !== '{}')) {
        leaks.push(`${route.method.toUpperCase()} ${route.path} -> ${res.status} ${text.slice(0, 200)}`);
      }
    }
    expect(tried.length).toBeGreaterThan(30);
    expect(leaks).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('the victim\'s tenant path is 404 to another tenant\'s admin on every tenant route', async () => {
    const leaks: string[] = [];
    let tried = 0;
    for (const route of routesOf(app)) {
      if (!route.path.includes('{tenant_id}')) continue;
      const url = fillPath(route.path, { ...victim.ids, tenant_id: victim.tenantId });
      if (!url) continue;
      tried++;
      const res = await call(app, route.method, url, attacker.auth, ['post', 'put', 'patch'].includes(route.method) ? {} : undefined);
      if (![404, 422].includes(res.status) && !(res.status === 403 && !route.path.includes('{tenant_id}/'))) leaks.push(`${route.method} ${route.path} -> ${res.status}`);
    }
    expect(tried).toBeGreaterThan(30);
    expect(leaks).toEqual([]);
  });

  it('SCIM: another tenant\'s user and group ids are 404 to a SCIM token, for every method', async () => {
    const scim = { Authorization: `Bearer ${attacker.scimToken}` };
    const patch = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] };
    for (const [kind, id] of [['Users', victim.ids.user_id], ['Groups', victim.ids.group_id]]) {
      expect((await app.http.get(`/scim/v2/${kind}/${id}`).set(scim)).status).toBe(404);
      expect((await app.http.patch(`/scim/v2/${kind}/${id}`).set(scim).set('Content-Type', 'application/scim+json').send(patch)).status).toBe(404);
      expect((await app.http.put(`/scim/v2/${kind}/${id}`).set(scim).set('Content-Type', 'application/scim+json')
        .send({ schemas: [`urn:ietf:params:scim:schemas:core:2.0:${kind === 'Users' ? 'User' : 'Group'}`], userName: 'taken@example.com', displayName: 'Taken' })).status).toBe(404);
      expect((await app.http.delete(`/scim/v2/${kind}/${id}`).set(scim)).status).toBe(404);
    }
    const list = await app.http.get(`/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${victim.user.email}"`)}`).set(scim);
    expect(list.status).toBe(200);
    expect(list.body.totalResults).toBe(0);
    expect(await app.roster.db.knex('users').where({ id: victim.ids.user_id }).first('status', 'deletedAt')).toEqual({ status: 'ACTIVE', deletedAt: null });
  });

  it('sessions, exports and audit events of another tenant are out of reach', async () => {
    // Sessions and audit events have no route of their own: they are read through a user or a
    // tenant, so the routes above cover them; here, their contents never cross.
    const audit = await app.http.get(`/api/v1/tenants/${attacker.tenantId}/audit-events?limit=100`).set(attacker.auth);
    expect(audit.status).toBe(200);
    expect(JSON.stringify(audit.body)).not.toContain(victim.ids.user_id);
    expect((await app.http.get(`/api/v1/tenants/${victim.tenantId}/audit-events`).set(attacker.auth)).status).toBe(404);
    expect((await app.http.post(`/api/v1/users/${victim.ids.user_id}/export`).set(attacker.auth)).status).toBe(404);
    expect((await app.http.get(`/api/v1/users/${victim.ids.user_id}/activity`).set(attacker.auth)).status).toBe(404);
    expect((await app.http.get(`/api/v1/import-jobs/${victim.ids.job_id}`).set(attacker.auth)).status).toBe(404);
  });
});

/** What an attack could change: the victim's rows, compared whole. */
async function snapshot() {
  const k = app.roster.db.knex;
  const t = victim.tenantId;
  return {
    users: await k('users').where({ tenantId: t }).orderBy('id').select('id', 'email', 'status', 'role', 'version', 'deletedAt', 'passwordHash', 'mfaEnabled'),
    groups: await k('groups').where({ tenantId: t }).orderBy('id').select('id', 'name', 'version'),
    members: await k('group_members').where({ tenantId: t }).orderBy('id').select('groupId', 'userId', 'memberGroupId'),
    ous: await k('ous').where({ tenantId: t }).orderBy('id').select('id', 'name', 'path'),
    identities: await k('user_identities').where({ tenantId: t }).orderBy('id').select('id', 'subject'),
    applications: await k('applications').where({ tenantId: t }).orderBy('id').select('id', 'name', 'enabled', 'clientSecretHash'),
    tokens: await k('api_tokens').where({ tenantId: t }).orderBy('id').select('id', 'revokedAt'),
    sessions: await k('sessions').where({ tenantId: t }).orderBy('id').select('id', 'revokedAt'),
  };
}
