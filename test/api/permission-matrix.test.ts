import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, type Auth, type TestApp } from '../support/test-app';
import { apiRoutes } from '../../server/app';
import { can, canReachTenant, PERMISSIONS, type Permission } from '../../server/auth/permissions';
import type { Principal } from '../../server/auth/principal';
import type { RouteDef } from '../../server/http/define-route';

/**
 * Every authenticated route of the API, called by every kind of caller, against its own tenant,
 * another tenant of the same partner, and a tenant of another partner. The expected answer comes
 * from the permission table and tenant reach alone:
 *   - not in the table for the caller            -> 403 with the table's generic message
 *   - in the table, target tenant out of reach    -> 404, and nothing of that tenant in the body
 *   - in the table, within reach                  -> neither of those, and never a 5xx
 * The route list is read from the app itself, so a new route is covered the day it is added.
 */

interface Target {
  name: 'own' | 'sibling' | 'foreign';
  tenantId: string;
  partnerId: string;
  ids: Record<string, string>;
  secrets: string[];
}

interface Caller {
  name: string;
  auth: Auth;
  principal: Principal;
}

let app: TestApp;
let routes: RouteDef[];
const targets: Target[] = [];
const callers: Caller[] = [];
const DENIED = 'You are not allowed to do this';

/** A valid body per write route, so that validation never hides the answer under test. */
function bodyFor(route: RouteDef, t: Target): Record<string, unknown> | undefined {
  const n = crypto.randomUUID().slice(0, 8);
  const key = `${route.method} ${route.path}`;
  const bodies: Record<string, Record<string, unknown>> = {
    'post /api/v1/partners': { name: `Partner ${n}` },
    'patch /api/v1/partners/{partner_id}': { name: `Partner ${n}` },
    'post /api/v1/tenants': { name: `Tenant ${n}` },
    'patch /api/v1/tenants/{tenant_id}': { name: `Tenant ${n}` },
    'post /api/v1/tenants/{tenant_id}/users': { email: `m-${n}@example.com`, send_welcome_email: false },
    'patch /api/v1/tenants/{tenant_id}/users/{user_id}': { job_title: `Title ${n}` },
    'post /api/v1/tenants/{tenant_id}/users/{user_id}/password/reset': { method: 'EMAIL' },
    'put /api/v1/tenants/{tenant_id}/users/{user_id}/status': { status: 'DISABLED' },
    'post /api/v1/tenants/{tenant_id}/users/{user_id}/identities': { provider_id: t.ids.provider_id, subject: `s-${n}` },
    'post /api/v1/tenants/{tenant_id}/identity-providers': { alias: `idp-${n}`, type: 'OIDC', name: 'IdP' },
    'patch /api/v1/tenants/{tenant_id}/identity-providers/{provider_id}': { name: `IdP ${n}` },
    'post /api/v1/tenants/{tenant_id}/ous': { name: `OU ${n}` },
    'patch /api/v1/tenants/{tenant_id}/ous/{ou_id}': { description: n },
    'post /api/v1/tenants/{tenant_id}/groups': { name: `Group ${n}` },
    'patch /api/v1/tenants/{tenant_id}/groups/{group_id}': { description: n },
    'post /api/v1/tenants/{tenant_id}/groups/{group_id}/members': { user_ids: [t.ids.member_id] },
    'post /api/v1/tenants/{tenant_id}/applications': { name: `App ${n}` },
    'patch /api/v1/tenants/{tenant_id}/applications/{application_id}': { description: n },
    'post /api/v1/tenants/{tenant_id}/applications/{application_id}/assignments': { user_ids: [t.ids.member_id] },
    'post /api/v1/tenants/{tenant_id}/api-tokens': { name: `Token ${n}`, scopes: ['users:read'] },
    'post /api/v1/admin/users': { email: `a-${n}@example.com`, tenant_id: t.tenantId, send_welcome_email: false },
    'patch /api/v1/admin/users/{user_id}': { job_title: `Title ${n}` },
    'post /api/v1/admin/users/{user_id}/reset-password': { new_password: `${PASSWORD}-${n}` },
    'post /api/v1/users/me/mfa/totp/confirm': { code: '000000' },
    'delete /api/v1/users/me/mfa/totp': { code: '000000' },
    'put /api/v1/users/me': { job_title: undefined, display_name: `Me ${n}` },
    'put /api/v1/users/me/password': { current_password: 'not-the-password', new_password: `${PASSWORD}-${n}` },
    'put /api/v1/users/{user_id}': { email: t.ids.victim_email, first_name: `First ${n}` },
    'patch /api/v1/users/{user_id}': { job_title: `Title ${n}` },
    'put /api/v1/users/{user_id}/status': { status: 'DISABLED' },
    'post /api/v1/users/merge': { source_user_id: t.ids.member_id, target_user_id: t.ids.user_id, dry_run: true },
  };
  if (!route.body) return undefined;
  const body = bodies[key];
  if (!body && route.method !== 'post') throw new Error(`no sample body for ${key}`);
  return body ?? {};
}

/** Query parameters some routes require. */
function queryFor(route: RouteDef, t: Target): Record<string, string> {
  if (route.method === 'delete' && route.path === '/api/v1/tenants/{tenant_id}/users/{user_id}') return { confirm_email: t.ids.victim_email };
  if (route.method === 'delete' && route.path === '/api/v1/tenants/{tenant_id}/ous/{ou_id}') return { cascade: 'reparent' };
  if (route.path === '/api/v1/users/search' && route.method === 'get') return { q: 'example' };
  return {};
}

/** Reads a JSON answer whole, but an event stream only up to its first chunk. */
function streamOrJson(res: import('node:http').IncomingMessage, done: (err: Error | null, body: unknown) => void) {
  if (/event-stream/.test(String(res.headers['content-type']))) {
    res.once('data', () => {
      done(null, {});
      res.destroy();
    });
    return;
  }
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (text += chunk));
  res.on('end', () => {
    try {
      done(null, text ? JSON.parse(text) : {});
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}

function pathFor(route: RouteDef, t: Target): string {
  return route.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = name === 'tenant_id' ? t.tenantId : name === 'partner_id' ? t.partnerId : t.ids[name];
    if (!value) throw new Error(`no fixture for {${name}} in ${route.path}`);
    return value;
  });
}

/** Whether the route addresses something of the target tenant (rather than listing the caller's reach). */
const addressesTarget = (route: RouteDef) => /\{(tenant_id|user_id|partner_id)\}/.test(route.path);

async function seedTenant(name: Target['name'], partnerId: string): Promise<Target> {
  const http = app.http;
  const slug = `${name}-${crypto.randomUUID().slice(0, 6)}`;
  const tenant = (await http.post('/api/v1/tenants').set(app.rootAuth).send({ name: slug, slug, partner_id: partnerId })).body.data;
  const t: Target = { name, tenantId: tenant.id, partnerId, ids: {}, secrets: [] };
  const user = async (role = 'user') => app.createUser(tenant.id, { role, password: undefined });
  const victim = await user();
  const member = await user();
  const ou = (await http.post(`/api/v1/tenants/${tenant.id}/ous`).set(app.rootAuth).send({ name: 'Unit' })).body.data;
  const group = (await http.post(`/api/v1/tenants/${tenant.id}/groups`).set(app.rootAuth).send({ name: 'Group' })).body.data;
  await http.post(`/api/v1/tenants/${tenant.id}/groups/${group.id}/members`).set(app.rootAuth).send({ user_ids: [member.id] });
  const idp = (await http.post(`/api/v1/tenants/${tenant.id}/identity-providers`).set(app.rootAuth).send({ alias: 'corp', type: 'OIDC', name: 'Corp' })).body.data;
  const identity = (await http.post(`/api/v1/tenants/${tenant.id}/users/${victim.id}/identities`).set(app.rootAuth).send({ provider_id: idp.id, subject: `sub-${slug}` })).body.data;
  const application = (await http.post(`/api/v1/tenants/${tenant.id}/applications`).set(app.rootAuth).send({ name: 'App' })).body.data;
  await http.post(`/api/v1/tenants/${tenant.id}/applications/${application.id}/assignments`).set(app.rootAuth).send({ user_ids: [victim.id, member.id] });
  const token = (await http.post(`/api/v1/tenants/${tenant.id}/api-tokens`).set(app.rootAuth).send({ name: 'Fixture', scopes: ['users:read'] })).body.data;
  await app.roster.db.knex('users').where({ id: victim.id }).update({ mfaEnabled: true });
  const job = (await http.post('/api/v1/users/bulk-import').query({ tenant_id: tenant.id }).set(app.rootAuth).set('Content-Type', 'text/csv').send('email\nnot-an-email\n')).body.data;
  t.ids = {
    user_id: victim.id, victim_email: victim.email, member_id: member.id, ou_id: ou.id, group_id: group.id, provider_id: idp.id,
    identity_id: identity.id, application_id: application.id, assignee_id: member.id, token_id: token.id, job_id: job.id,
  };
  t.secrets = [tenant.id, victim.id, member.id, victim.email, member.email, group.id, ou.id, application.id, token.id];
  return t;
}

beforeAll(async () => {
  app = await createTestApp();
  routes = apiRoutes({ db: app.roster.db, services: app.roster.services }).filter((r) => r.access !== 'public');
  const partner = async () => (await app.http.post('/api/v1/partners').set(app.rootAuth).send({ name: `P ${crypto.randomUUID().slice(0, 6)}` })).body.data.id as string;
  const [p1, p2] = [await partner(), await partner()];
  targets.push(await seedTenant('own', p1), await seedTenant('sibling', p1), await seedTenant('foreign', p2));
  const own = targets[0];

  const root = await app.roster.db.knex('users').where({ role: 'super_admin' }).first();
  callers.push({ name: 'super_admin', auth: app.rootAuth, principal: { kind: 'user', role: 'super_admin', userId: root.id, tenantId: app.defaultTenantId, partnerId: null, sessionId: '' } });
  for (const role of ['partner_admin', 'tenant_admin', 'helpdesk', 'viewer', 'user'] as const) {
    const u = await app.createUser(own.tenantId, { role, email: `${role}@matrix.example.com` });
    const { auth } = await app.login(u.email, PASSWORD, own.tenantId);
    callers.push({ name: role, auth, principal: { kind: 'user', role, userId: u.id, tenantId: own.tenantId, partnerId: own.partnerId, sessionId: '' } });
  }
  for (const scope of ['users:read', 'users:write', 'groups:read', 'groups:write', 'scim']) {
    const t = (await app.http.post(`/api/v1/tenants/${own.tenantId}/api-tokens`).set(app.rootAuth).send({ name: scope, scopes: [scope] })).body.data;
    callers.push({ name: `token ${scope}`, auth: { Authorization: `Bearer ${t.token}` }, principal: { kind: 'api_token', tokenId: t.id, tenantId: own.tenantId, partnerId: own.partnerId, scopes: [scope] } });
  }
  const application = (await app.http.post(`/api/v1/tenants/${own.tenantId}/applications`).set(app.rootAuth).send({ name: 'Matrix app' })).body.data;
  const grant = await app.http.post('/api/v1/auth/token').send({ grant_type: 'client_credentials', client_id: application.client_id, client_secret: application.client_secret });
  callers.push({
    name: 'application', auth: { Authorization: `Bearer ${grant.body.access_token}` },
    principal: { kind: 'application', applicationId: application.id, tenantId: own.tenantId, partnerId: own.partnerId, scopes: ['users:read'] },
  });
}, 120_000);

afterAll(() => app.close());

describe('the permission matrix', () => {
  it('covers every authenticated route with every caller and target', () => {
    expect(routes.length).toBeGreaterThan(50);
    expect(callers.map((c) => c.name)).toHaveLength(12);
    // Every permission a route names is in the table, and every permission in the table is used.
    const used = new Set(routes.map((r) => r.access as Permission));
    expect([...used].filter((p) => !(p in PERMISSIONS))).toEqual([]);
    expect(Object.keys(PERMISSIONS).filter((p) => !used.has(p as Permission))).toEqual([]);
  });

  it('answers exactly as the permission table and tenant reach say', async () => {
    const failures: string[] = [];
    let calls = 0;
    // Destructive routes last, so the fixtures the others address still exist when they run.
    const ordered = [...routes].sort((a, b) => Number(a.method === 'delete') - Number(b.method === 'delete'));
    for (const route of ordered) {
      for (const caller of callers) {
        for (const target of targets) {
          if (!addressesTarget(route) && target.name !== 'own') continue;
          const allowed = can(caller.principal, route.access as Permission);
          const reachable = canReachTenant(caller.principal, { id: target.tenantId, partnerId: target.partnerId });
          const method = route.method;
          const req = app.http[method](pathFor(route, target)).query(queryFor(route, target)).set(caller.auth).send(bodyFor(route, target));
          // An event stream that opened never ends: its first bytes are enough, then it is closed.
          const res = route.path.endsWith('/stream') ? await req.buffer(false).parse(streamOrJson as never) : await req; // superagent types the node parser's stream as its Response
          calls++;
          const where = `${caller.name} ${method.toUpperCase()} ${route.path} [${target.name}] -> ${res.status} ${JSON.stringify(res.body?.error ?? '')}`;
          const deniedByTable = res.status === 403 && res.body.error?.message === DENIED;
          if (res.status >= 500) failures.push(`5xx: ${where}`);
          else if (!allowed && !deniedByTable) failures.push(`expected 403: ${where}`);
          else if (allowed && deniedByTable) failures.push(`unexpected 403: ${where}`);
          else if (allowed && !reachable && addressesTarget(route)) {
            if (res.status !== 404) failures.push(`expected 404: ${where}`);
            const text = JSON.stringify(res.body);
            for (const secret of target.secrets) if (text.includes(secret)) failures.push(`leaked ${secret}: ${where}`);
          } else if (allowed && !addressesTarget(route)) {
            // Lists of the caller's own reach never show a tenant outside it.
            const text = JSON.stringify(res.body);
            for (const t of targets) {
              const reaches = canReachTenant(caller.principal, { id: t.tenantId, partnerId: t.partnerId });
              if (!reaches && text.includes(t.tenantId)) failures.push(`list shows ${t.name}: ${where}`);
            }
          }
        }
      }
    }
    expect(calls).toBeGreaterThan(1000);
    expect(failures).toEqual([]);
  }, 300_000);
});


