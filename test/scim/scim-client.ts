import { expect } from 'vitest';
import type { Json, TestApp } from '../support/test-app';

/** Shared by the SCIM test files: URNs, a token for a tenant, a client, and error checks. */

export const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const ROSTER = 'urn:ietf:params:scim:schemas:extension:roster:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

export async function scimToken(app: TestApp, tenant: string, scopes = ['scim']) {
  const res = await app.http.post(`/api/v1/tenants/${tenant}/api-tokens`).set(app.rootAuth).send({ name: `scim-${scopes.join('-')}-${Math.random()}`, scopes });
  expect(res.status).toBe(201);
  return { auth: { Authorization: `Bearer ${res.body.data.token}` }, id: res.body.data.id as string };
}

export function scimClient(app: TestApp, auth: { Authorization: string }) {
  const json = (req: ReturnType<TestApp['http']['post']>, body: unknown) => req.set(auth).set('Content-Type', 'application/scim+json').send(JSON.stringify(body));
  return {
    get: (path: string) => app.http.get(`/scim/v2${path}`).set(auth),
    post: (path: string, body: unknown) => json(app.http.post(`/scim/v2${path}`), body),
    put: (path: string, body: unknown) => json(app.http.put(`/scim/v2${path}`), body),
    patch: (path: string, ops: unknown[]) => json(app.http.patch(`/scim/v2${path}`), { schemas: [PATCH], Operations: ops }),
    del: (path: string) => app.http.delete(`/scim/v2${path}`).set(auth),
    bulk: (ops: unknown[], extra: Json = {}) => json(app.http.post('/scim/v2/Bulk'), { schemas: [BULK], Operations: ops, ...extra }),
  };
}

export function expectScimError(res: { status: number; body: Json; headers: Record<string, string> }, status: number, scimType?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers['content-type']).toMatch(/application\/scim\+json/);
  expect(res.body.schemas).toEqual([ERROR]);
  expect(res.body.status).toBe(String(status));
  if (scimType) expect(res.body.scimType).toBe(scimType);
  expect(typeof res.body.detail).toBe('string');
}
