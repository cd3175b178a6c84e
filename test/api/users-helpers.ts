import crypto from 'node:crypto';
import { expect } from 'vitest';
import type { Knex } from 'knex';
import type { Response } from 'supertest';
import type { TestApp } from '../support/test-app';

/**
 * Shared fixtures of the tenant-directory users tests. OUs, groups, memberships and identity
 * providers are written straight into the database, so these tests depend on nothing but the
 * users API itself. Knex maps camelCase keys to snake_case columns.
 */
export const usersBase = (tenantId: string) => `/api/v1/tenants/${tenantId}/users`;

const now = () => new Date().toISOString();

export async function insertOu(knex: Knex, tenantId: string, name: string, path: string, parentId: string | null = null) {
  const id = crypto.randomUUID();
  await knex('ous').insert({ id, tenantId, parentId, name, path, createdAt: now(), updatedAt: now() });
  return { id, name, path };
}

export async function insertGroup(knex: Knex, tenantId: string, name: string) {
  const id = crypto.randomUUID();
  await knex('groups').insert({ id, tenantId, name, nameNormalized: name.toLowerCase(), createdAt: now(), updatedAt: now() });
  return { id, name };
}

export async function addMember(knex: Knex, tenantId: string, groupId: string, userId: string) {
  await knex('group_members').insert({ id: crypto.randomUUID(), tenantId, groupId, userId, createdAt: now() });
}

export async function insertIdp(knex: Knex, tenantId: string, alias: string, type: 'OIDC' | 'SAML' | 'LDAP') {
  const id = crypto.randomUUID();
  await knex('identity_providers').insert({ id, tenantId, alias, type, name: `IdP ${alias}`, enabled: true, createdAt: now(), updatedAt: now() });
  return { id, alias, type };
}

export async function linkIdentity(knex: Knex, tenantId: string, userId: string, providerId: string, subject: string, linkedAt = now()) {
  const id = crypto.randomUUID();
  await knex('user_identities').insert({ id, tenantId, userId, providerId, subject, linkedAt });
  return { id, linkedAt };
}

/** A tenant made by the super admin, empty of users. */
export async function createTenant(app: TestApp, settings?: Record<string, unknown>) {
  const slug = `t-${crypto.randomUUID().slice(0, 8)}`;
  const res = await app.http.post('/api/v1/tenants').set(app.rootAuth).send({ name: `Tenant ${slug}`, slug, ...(settings ? { settings } : {}) });
  if (res.status !== 201) throw new Error(`tenant create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.data.id as string, slug };
}

/** A user nobody logs in as: no password, so no hashing cost. */
export function createPlainUser(app: TestApp, tenantId: string, fields: Record<string, unknown> = {}) {
  return app.createUser(tenantId, { password: null, ...fields });
}

export async function eventsFor(knex: Knex, subjectId: string, action?: string) {
  const rows = await knex('activity_events')
    .where({ subjectId })
    .modify((qb) => (action ? qb.where({ action }) : qb))
    .orderBy('id');
  return rows.map((r: Record<string, unknown>) => ({ ...r, details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details }));
}

export async function userRow(knex: Knex, id: string) {
  return knex('users').where({ id }).first();
}

export const userId = (auth: { user: Record<string, unknown> }) => auth.user.id as string;

/** A 422 in FastAPI's shape whose `detail` names exactly these locations (any order; a field may fail more than one check). */
export function expectValidation(res: Response, locs: (string | number)[][]) {
  expect(res.status, JSON.stringify(res.body.error ?? res.body).slice(0, 500)).toBe(422);
  expect(res.body.error.code).toBe('validation_error');
  expect(typeof res.body.error.message).toBe('string');
  expect(res.body.meta.request_id).toBe(res.headers['x-request-id']);
  const detail = res.body.detail as { loc: (string | number)[]; msg: string; type: string }[];
  for (const d of detail) {
    expect(Object.keys(d).sort()).toEqual(['loc', 'msg', 'type']);
    expect(d.msg.length).toBeGreaterThan(0);
    expect(d.type.length).toBeGreaterThan(0);
  }
  const key = (l: (string | number)[]) => l.join('.');
  expect([...new Set(detail.map((d) => key(d.loc)))].sort()).toEqual(locs.map(key).sort());
  return detail;
}

export function expectError(res: Response, status: number, code: string, field?: string) {
  expect(res.status, JSON.stringify(res.body.error ?? res.body).slice(0, 500)).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
  if (field !== undefined) expect(res.body.error.field).toBe(field);
  expect(res.body.meta.request_id).toBe(res.headers['x-request-id']);
}

/** A timestamp column as the driver returns it: ISO text from SQLite, a Date from PostgreSQL. */
export const isTimestamp = (v: unknown) => v != null && !Number.isNaN(new Date(v as string).getTime());
