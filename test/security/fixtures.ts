import crypto from 'node:crypto';
import { expect } from 'vitest';
import { createTestApp, type Auth, type Json, type TestApp } from '../support/test-app';
import { apiRoutes } from '../../server/app';
import type { RouteDef } from '../../server/http/define-route';

/** One of every kind of resource in a fresh tenant, made through the API as the super admin. */
export interface TenantEstate {
  tenantId: string;
  slug: string;
  admin: Json;
  auth: Auth;
  user: Json;
  ids: Record<string, string>;
  scimToken: string;
}

/** A fresh app with two tenants built out: the victim's, and the attacker's beside it. */
export async function victimAndAttacker(): Promise<{ app: TestApp; victim: TenantEstate; attacker: TenantEstate }> {
  const app = await createTestApp();
  return { app, victim: await buildEstate(app), attacker: await buildEstate(app) };
}

export async function buildEstate(app: TestApp): Promise<TenantEstate> {
  const { tenantId, slug, user: admin, auth } = await app.tenantWithUser('tenant_admin');
  const root = app.rootAuth;
  const t = `/api/v1/tenants/${tenantId}`;
  const ok = (res: { status: number; body: Json }, what: string) => {
    expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body.data as Json;
  };
  const user = await app.createUser(tenantId, { email: `victim-${crypto.randomUUID().slice(0, 6)}@${slug}.example.com`, first_name: 'Victim' });
  const group = ok(await app.http.post(`${t}/groups`).set(root).send({ name: `Group ${slug}` }), 'group');
  ok(await app.http.post(`${t}/groups/${group.id}/members`).set(root).send({ user_ids: [user.id] }), 'member');
  const ou = ok(await app.http.post(`${t}/ous`).set(root).send({ name: `OU ${slug}` }), 'ou');
  const provider = ok(await app.http.post(`${t}/identity-providers`).set(root).send({ alias: `idp-${slug}`, type: 'OIDC', name: 'IdP' }), 'provider');
  const identity = ok(await app.http.post(`${t}/users/${user.id}/identities`).set(root).send({ provider_id: provider.id, subject: `sub-${slug}` }), 'identity');
  const application = ok(await app.http.post(`${t}/applications`).set(root).send({ name: `App ${slug}` }), 'application');
  ok(await app.http.post(`${t}/applications/${application.id}/assignments`).set(root).send({ user_ids: [user.id] }), 'assignment');
  const token = ok(await app.http.post(`${t}/api-tokens`).set(root).send({ name: 'scim', scopes: ['scim', 'users:write', 'groups:write'] }), 'token');
  const job = await app.http.post('/api/v1/users/bulk-import?mode=create&on_error=skip&dry_run=true').set(auth).set('Content-Type', 'text/csv')
    .send(`email\nimport-${slug}@example.com\n`);
  expect(job.status, JSON.stringify(job.body)).toBeLessThan(300);
  return {
    tenantId, slug, admin, auth, user,
    scimToken: token.token,
    ids: {
      user_id: user.id, group_id: group.id, member_id: user.id, ou_id: ou.id, provider_id: provider.id, identity_id: identity.id,
      application_id: application.id, assignee_id: user.id, token_id: token.id, job_id: job.body.data.id,
    },
  };
}

export const routesOf = (app: TestApp): RouteDef[] => apiRoutes({ db: app.roster.db, services: app.roster.services });

/** The route's path with `{name}` filled from `values`; undefined when a parameter has no value. */
export function fillPath(path: string, values: Record<string, string>): string | undefined {
  let missing = false;
  const filled = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (values[name] === undefined) missing = true;
    return encodeURIComponent(values[name] ?? '');
  });
  return missing ? undefined : filled;
}

/** The top-level keys a body or query schema names (zod 4 objects, through refinements and pipes). */
export function keysOf(schema: unknown): string[] {
  let s = schema as { shape?: Record<string, unknown>; def?: { in?: unknown; innerType?: unknown; schema?: unknown } } | undefined;
  for (let i = 0; i < 5 && s; i++) {
    if (s.shape) return Object.keys(s.shape);
    s = (s.def?.in ?? s.def?.innerType ?? s.def?.schema) as typeof s;
  }
  return [];
}

/** Calls one route the way the router would see it. */
export function call(app: TestApp, method: string, url: string, auth: Auth | undefined, body?: unknown) {
  const req = (app.http as unknown as Record<string, (u: string) => import('supertest').Test>)[method](url).timeout(15_000);
  if (auth) req.set(auth);
  return body === undefined ? req : req.send(body as object);
}
