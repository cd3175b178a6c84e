import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app';
import {
  addMember, createPlainUser, createTenant, expectError, expectValidation, insertGroup, insertIdp, insertOu, linkIdentity, usersBase,
} from './users-helpers';

let app: TestApp;
let tenant: { id: string; slug: string };
/** label -> user id, and back, so failures read as names. */
const ids: Record<string, string> = {};
const labels = new Map<string, string>();
let sales: { id: string }, emea: { id: string }, eng: { id: string }, ops: { id: string };

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function list(query: string | Record<string, string | number>, tenantRef = tenant.id) {
  const qs = typeof query === 'string' ? query : new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
  const res = await app.http.get(`${usersBase(tenantRef)}${qs ? `?${qs}` : ''}`).set(app.rootAuth);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { res, names: (res.body.data as { id: string }[]).map((u) => labels.get(u.id) ?? u.id), pagination: res.body.pagination };
}
const names = async (query: string | Record<string, string | number>) => (await list(query)).names;

beforeAll(async () => {
  app = await createTestApp();
  tenant = await createTenant(app);
  const knex = app.roster.db.knex;
  sales = await insertOu(knex, tenant.id, 'Sales', '/Sales');
  emea = await insertOu(knex, tenant.id, 'EMEA', '/Sales/EMEA', sales.id);
  eng = await insertGroup(knex, tenant.id, 'Engineering');
  ops = await insertGroup(knex, tenant.id, 'Operations');
  const google = await insertIdp(knex, tenant.id, 'google', 'OIDC');
  const okta = await insertIdp(knex, tenant.id, 'okta', 'SAML');

  const specs: [string, Record<string, unknown>][] = [
    ['u1', { email: 'Alice.Smith@example.com', username: 'asmith', first_name: 'Alice', last_name: 'Smith', role: 'user', ou_id: sales.id, group_ids: [eng.id] }],
    ['u2', { email: 'jean.l@example.com', username: 'jeanl', first_name: 'Jean', last_name: 'Lée', role: 'viewer', identity_source: 'OIDC', ou_id: emea.id, group_ids: [eng.id, ops.id] }],
    ['u3', { email: 'bob@example.org', username: 'Bobby_B', first_name: 'Bob', last_name: 'Builder', role: 'helpdesk', group_ids: [ops.id] }],
    ['u4', { email: 'zoe@example.net', first_name: 'Zoë', last_name: 'Ashley', role: 'user', identity_source: 'SAML', ou_id: sales.id }],
    ['u5', { email: 'ALBERT@EXAMPLE.COM', username: 'al', first_name: 'Albert', last_name: 'Öberg', role: 'tenant_admin', identity_source: 'SCIM' }],
    ['u6', { email: 'sally@example.com', username: 'sally', first_name: 'Sally', last_name: 'Field', display_name: 'Captain Sally', role: 'user', identity_source: 'LDAP' }],
    ['ghost', { email: 'ghost.lee@example.com', username: 'ghost', first_name: 'Lee', last_name: 'Ghost' }],
  ];
  for (const [label, fields] of specs) {
    const u = await createPlainUser(app, tenant.id, fields);
    ids[label] = u.id;
    labels.set(u.id, label);
  }
  await linkIdentity(knex, tenant.id, ids.u2, google.id, 'g-100');
  await linkIdentity(knex, tenant.id, ids.u6, google.id, 'g-200');
  await linkIdentity(knex, tenant.id, ids.u4, okta.id, 'okta-7');
  await addMember(knex, tenant.id, eng.id, ids.ghost);

  const del = await app.http.delete(`${usersBase(tenant.id)}/${ids.ghost}?confirm_email=ghost.lee@example.com`).set(app.rootAuth);
  expect(del.status).toBe(204);

  const set = (label: string, patch: Record<string, unknown>) => knex('users').where({ id: ids[label] }).update(patch);
  await set('u1', { status: 'ACTIVE', lastLoginAt: '2026-01-03T10:00:00.000Z', updatedAt: '2026-02-05T00:00:00.000Z' });
  await set('u2', { status: 'ACTIVE', mfaEnabled: true, lastLoginAt: null, updatedAt: '2026-02-01T00:00:00.000Z' });
  await set('u3', { status: 'PENDING_APPROVAL', lastLoginAt: '2026-01-01T10:00:00.000Z', updatedAt: '2026-02-04T00:00:00.000Z' });
  await set('u4', { status: 'LOCKED', mfaEnabled: true, lastLoginAt: null, updatedAt: '2026-02-02T00:00:00.000Z' });
  await set('u5', { status: 'DISABLED', lastLoginAt: '2026-01-02T10:00:00.000Z', updatedAt: '2026-02-06T00:00:00.000Z' });
  await set('u6', { status: 'PENDING_EMAIL_VERIFICATION', lastLoginAt: '2026-01-05T10:00:00.000Z', updatedAt: '2026-02-03T00:00:00.000Z' });

  // Look-alikes in another tenant must never leak into this one's lists.
  const other = await createTenant(app);
  await createPlainUser(app, other.id, { email: 'alice.smith@example.com', username: 'asmith', first_name: 'Lee', last_name: 'Lée' });
});
afterAll(() => app.close());

const ALL = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];

describe('GET /api/v1/tenants/{tenant_id}/users', () => {
  it('lists the live users of the tenant in creation order, with paging and meta', async () => {
    const { res, names: got, pagination } = await list({});
    expect(got).toEqual(ALL);
    expect(pagination).toEqual({ page: 1, per_page: 20, total_items: 6, total_pages: 1 });
    expect(res.body.meta).toEqual({ request_id: res.headers['x-request-id'], timestamp: expect.stringMatching(ISO) });
  });

  it('answers list items in the UserListItem shape, with the OU path and nothing secret', async () => {
    const { res } = await list({ email: 'jean.l@example.com' });
    expect(res.body.data).toEqual([
      {
        id: ids.u2,
        tenant_id: tenant.id,
        email: 'jean.l@example.com',
        username: 'jeanl',
        first_name: 'Jean',
        last_name: 'Lée',
        display_name: 'Jean Lée',
        status: 'ACTIVE',
        role: 'viewer',
        ou_id: emea.id,
        ou_path: '/Sales/EMEA',
        identity_source: 'OIDC',
        mfa_enabled: true,
        created_at: expect.stringMatching(ISO),
        last_login_at: null,
      },
    ]);
    const u1 = (await list({ email: 'alice.smith@example.com' })).res.body.data[0];
    expect(u1.last_login_at).toBe('2026-01-03T10:00:00.000Z');
    expect(u1.ou_path).toBe('/Sales');
  });

  it('accepts the tenant slug', async () => {
    expect((await list({}, tenant.slug)).names).toEqual(ALL);
  });

  describe('filters', () => {
    it.each([
      ['status=ACTIVE', ['u1', 'u2']],
      ['status=LOCKED', ['u4']],
      ['status=DISABLED', ['u5']],
      ['status=PENDING_APPROVAL', ['u3']],
      ['status=PENDING_EMAIL_VERIFICATION', ['u6']],
      ['is_active=true', ['u1', 'u2']],
      ['is_active=1', ['u1', 'u2']],
      ['is_active=false', ['u3', 'u4', 'u5', 'u6']],
      ['is_active=0', ['u3', 'u4', 'u5', 'u6']],
      ['role=user', ['u1', 'u4', 'u6']],
      ['role=viewer', ['u2']],
      ['role=helpdesk', ['u3']],
      ['role=tenant_admin', ['u5']],
      ['role=super_admin', []],
      ['identity_source=LOCAL', ['u1', 'u3']],
      ['identity_source=OIDC', ['u2']],
      ['identity_source=SAML', ['u4']],
      ['identity_source=SCIM', ['u5']],
      ['identity_source=LDAP', ['u6']],
      ['mfa_enabled=true', ['u2', 'u4']],
      ['mfa_enabled=false', ['u1', 'u3', 'u5', 'u6']],
      ['mfa_enabled=0', ['u1', 'u3', 'u5', 'u6']],
      ['email=ALICE.SMITH%40Example.COM', ['u1']],
      ['email=albert%40example.com', ['u5']],
      ['email=%20sally%40example.com%20', ['u6']],
      ['email=alice', []],
      ['email=ghost.lee%40example.com', []],
      ['oauth_provider=google', ['u2', 'u6']],
      ['oauth_provider=GOOGLE', ['u2', 'u6']],
      ['oauth_provider=okta', ['u4']],
      ['oauth_provider=github', []],
      ['oauth_id=g-100', ['u2']],
      ['oauth_id=okta-7', ['u4']],
      ['oauth_id=G-100', []],
      ['oauth_provider=google&oauth_id=g-200', ['u6']],
      ['oauth_provider=okta&oauth_id=g-100', []],
      ['status=ACTIVE&mfa_enabled=true', ['u2']],
      ['role=user&is_active=false', ['u4', 'u6']],
      ['identity_source=LOCAL&role=helpdesk&status=PENDING_APPROVAL', ['u3']],
    ])('%s', async (query, expected) => {
      const { names: got, pagination } = await list(query);
      expect(got).toEqual(expected);
      expect(pagination.total_items).toBe(expected.length);
    });

    it('ou_id matches the users directly in that OU', async () => {
      expect(await names({ ou_id: sales.id })).toEqual(['u1', 'u4']);
      expect(await names({ ou_id: emea.id })).toEqual(['u2']);
      expect(await names({ ou_id: crypto.randomUUID() })).toEqual([]);
    });

    it('group_id matches the group\'s live members', async () => {
      expect(await names({ group_id: eng.id })).toEqual(['u1', 'u2']);
      expect(await names({ group_id: ops.id })).toEqual(['u2', 'u3']);
      expect(await names({ group_id: crypto.randomUUID() })).toEqual([]);
      expect(await names({ group_id: eng.id, status: 'ACTIVE', mfa_enabled: 'true' })).toEqual(['u2']);
    });

    it.each([
      ['lee', ['u2']],
      ['LÉE', ['u2']],
      ['Lée', ['u2']],
      ['zoe', ['u4']],
      ['ZOË', ['u4']],
      ['oberg', ['u5']],
      ['smith', ['u1']],
      ['ice sm', ['u1']],
      ['bobby', ['u3']],
      ['captain', ['u6']],
      ['example.com', ['u1', 'u2', 'u5', 'u6']],
      ['EXAMPLE.ORG', ['u3']],
      ['ample', ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']],
      ['xyz', []],
      ['100%', []],
      ['a_b', []],
      ['"', []],
      ['al"ice', []],
    ])('search=%s matches substrings of email, username and names, ignoring case and accents', async (search, expected) => {
      const { names: got, pagination } = await list({ search });
      expect(got).toEqual(expected);
      expect(pagination.total_items).toBe(expected.length);
    });

    it.each([
      ['al', ['u1', 'u5']],
      ['AL', ['u1', 'u5']],
      ['a', ['u1', 'u5']],
      ['sa', ['u6']],
      ['b', ['u3']],
      ['Bo', ['u3']],
      ['j', ['u2']],
      ['z', ['u4']],
      ['ex', []],
      ['%', []],
      ['_', []],
    ])('search=%s (one or two characters) matches prefixes of email and username', async (search, expected) => {
      expect(await names({ search })).toEqual(expected);
    });

    it('a blank search matches everyone; search combines with the other filters', async () => {
      expect(await names({ search: '' })).toEqual(ALL);
      expect(await names({ search: '   ' })).toEqual(ALL);
      expect(await names({ search: 'example.com', role: 'user' })).toEqual(['u1', 'u6']);
      expect(await names({ search: 'al', is_active: 'true' })).toEqual(['u1']);
      expect(await names({ search: 'lee', group_id: eng.id })).toEqual(['u2']);
    });

    it('never returns soft-deleted users nor other tenants\' users, whatever the filter', async () => {
      for (const q of [{ search: 'ghost' }, { search: 'gh' }, { group_id: eng.id }, { email: 'ghost.lee@example.com' }, {}] as Record<string, string>[]) {
        expect(await names(q)).not.toContain('ghost');
      }
      const { res } = await list({ search: 'lee' });
      expect(res.body.data.every((u: { tenant_id: string }) => u.tenant_id === tenant.id)).toBe(true);
    });

    it.each([
      ['status=active', [['query', 'status']]],
      ['is_active=maybe', [['query', 'is_active']]],
      ['mfa_enabled=yes', [['query', 'mfa_enabled']]],
      ['ou_id=sales', [['query', 'ou_id']]],
      ['group_id=42', [['query', 'group_id']]],
      ['role=god', [['query', 'role']]],
      ['identity_source=AD', [['query', 'identity_source']]],
      ['status=x&role=y&mfa_enabled=z', [['query', 'status'], ['query', 'role'], ['query', 'mfa_enabled']]],
    ])('a bad filter value is a 422: %s', async (query, locs) => {
      const res = await app.http.get(`${usersBase(tenant.id)}?${query}`).set(app.rootAuth);
      expectValidation(res, locs);
    });
  });

  describe('sorting', () => {
    // Expected orders of the fixture; ties (NULL last_login_at, equal status) fall back to id,
    // in the same direction, and NULLs sort first ascending.
    const ASC: Record<string, string[]> = {
      created_at: ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'],
      updated_at: ['u2', 'u4', 'u6', 'u3', 'u1', 'u5'],
      email: ['u5', 'u1', 'u3', 'u2', 'u6', 'u4'],
      username: ['u4', 'u5', 'u1', 'u3', 'u2', 'u6'],
      last_name: ['u4', 'u3', 'u6', 'u2', 'u1', 'u5'],
      display_name: ['u5', 'u1', 'u3', 'u6', 'u2', 'u4'],
      last_login_at: ['u2', 'u4', 'u3', 'u5', 'u1', 'u6'],
      status: ['u1', 'u2', 'u5', 'u4', 'u3', 'u6'],
    };

    it.each(Object.keys(ASC))('sort_by=%s ascending and descending', async (sortBy) => {
      expect(await names({ sort_by: sortBy, sort_order: 'asc' })).toEqual(ASC[sortBy]);
      expect(await names({ sort_by: sortBy, sort_order: 'desc' })).toEqual([...ASC[sortBy]].reverse());
    });

    it('ascending is the default order', async () => {
      expect(await names({ sort_by: 'email' })).toEqual(ASC.email);
      expect(await names({ sort_order: 'desc' })).toEqual([...ASC.created_at].reverse());
    });

    it('sort and filter compose, and paging follows the sort', async () => {
      expect(await names({ sort_by: 'email', sort_order: 'desc', mfa_enabled: 'false' })).toEqual(['u6', 'u3', 'u1', 'u5']);
      const page2 = await list({ sort_by: 'last_login_at', sort_order: 'desc', per_page: 2, page: 2 });
      expect(page2.names).toEqual(['u5', 'u3']);
      expect(page2.pagination).toEqual({ page: 2, per_page: 2, total_items: 6, total_pages: 3 });
    });

    it.each(['password_hash', 'id', 'search_text', 'role', 'email;drop table users'])('sort_by=%s is not on the whitelist: 422', async (sortBy) => {
      const res = await app.http.get(usersBase(tenant.id)).query({ sort_by: sortBy }).set(app.rootAuth);
      const detail = expectValidation(res, [['query', 'sort_by']]);
      expect(detail[0].msg).toContain('created_at');
    });

    it('sort_order must be asc or desc', async () => {
      const res = await app.http.get(`${usersBase(tenant.id)}?sort_order=up`).set(app.rootAuth);
      expectValidation(res, [['query', 'sort_order']]);
    });
  });

  describe('paging', () => {
    it('page/per_page: full pages, the last partial page, and pages past the end', async () => {
      const p1 = await list({ per_page: 4, page: 1 });
      expect(p1.names).toEqual(['u1', 'u2', 'u3', 'u4']);
      expect(p1.pagination).toEqual({ page: 1, per_page: 4, total_items: 6, total_pages: 2 });
      const p2 = await list({ per_page: 4, page: 2 });
      expect(p2.names).toEqual(['u5', 'u6']);
      expect(p2.pagination).toEqual({ page: 2, per_page: 4, total_items: 6, total_pages: 2 });
      const p3 = await list({ per_page: 4, page: 3 });
      expect(p3.names).toEqual([]);
      expect(p3.pagination).toEqual({ page: 3, per_page: 4, total_items: 6, total_pages: 2 });
      const far = await list({ per_page: 4, page: 100000 });
      expect(far.names).toEqual([]);
      expect(far.pagination).toEqual({ page: 100000, per_page: 4, total_items: 6, total_pages: 2 });
    });

    it('an exact multiple of per_page has no empty trailing page', async () => {
      const p = await list({ per_page: 3, page: 2 });
      expect(p.names).toEqual(['u4', 'u5', 'u6']);
      expect(p.pagination).toEqual({ page: 2, per_page: 3, total_items: 6, total_pages: 2 });
      const one = await list({ per_page: 1, page: 6 });
      expect(one.names).toEqual(['u6']);
      expect(one.pagination).toEqual({ page: 6, per_page: 1, total_items: 6, total_pages: 6 });
    });

    it('offset/limit: any window, reported as the page it starts in', async () => {
      const a = await list({ offset: 2, limit: 3 });
      expect(a.names).toEqual(['u3', 'u4', 'u5']);
      expect(a.pagination).toEqual({ page: 1, per_page: 3, total_items: 6, total_pages: 2 });
      const b = await list({ offset: 3, limit: 3 });
      expect(b.names).toEqual(['u4', 'u5', 'u6']);
      expect(b.pagination).toEqual({ page: 2, per_page: 3, total_items: 6, total_pages: 2 });
      const tail = await list({ offset: 5, limit: 10 });
      expect(tail.names).toEqual(['u6']);
      const past = await list({ offset: 6, limit: 10 });
      expect(past.names).toEqual([]);
      expect(past.pagination).toEqual({ page: 1, per_page: 10, total_items: 6, total_pages: 1 });
      const limitOnly = await list({ limit: 2 });
      expect(limitOnly.names).toEqual(['u1', 'u2']);
      expect(limitOnly.pagination).toEqual({ page: 1, per_page: 2, total_items: 6, total_pages: 3 });
      const offsetOnly = await list({ offset: 4 });
      expect(offsetOnly.names).toEqual(['u5', 'u6']);
      expect(offsetOnly.pagination).toEqual({ page: 1, per_page: 20, total_items: 6, total_pages: 1 });
    });

    it('a filter that matches nothing has zero pages', async () => {
      const p = await list({ search: 'nobody-at-all' });
      expect(p.names).toEqual([]);
      expect(p.pagination).toEqual({ page: 1, per_page: 20, total_items: 0, total_pages: 0 });
    });

    it('totals follow the filter', async () => {
      const p = await list({ is_active: 'false', per_page: 3, page: 2 });
      expect(p.names).toEqual(['u6']);
      expect(p.pagination).toEqual({ page: 2, per_page: 3, total_items: 4, total_pages: 2 });
    });

    it.each([
      ['page=0', 'page'],
      ['page=-1', 'page'],
      ['page=abc', 'page'],
      ['page=1.5', 'page'],
      ['per_page=0', 'per_page'],
      ['offset=-1', 'offset'],
      ['limit=0', 'limit'],
    ])('%s is a 422', async (query, field) => {
      const res = await app.http.get(`${usersBase(tenant.id)}?${query}`).set(app.rootAuth);
      expectValidation(res, [['query', field]]);
    });

    describe('page size cap', () => {
      let big: { id: string };
      beforeAll(async () => {
        big = await createTenant(app);
        const now = Date.now();
        const rows = Array.from({ length: 105 }, (_, i) => {
          const email = `bulk${String(i).padStart(3, '0')}@example.com`;
          const at = new Date(now + i).toISOString();
          return {
            id: crypto.randomUUID(), tenantId: big.id, email, emailNormalized: email, locale: 'en', timezone: 'UTC', status: 'ACTIVE',
            identitySource: 'LOCAL', role: 'user', customAttributes: '{}', metadata: '{}', searchText: email, createdAt: at, updatedAt: at, version: 1,
          };
        });
        await app.roster.db.knex.batchInsert('users', rows, 50);
      });

      it('per_page over 100 is capped to 100, not refused', async () => {
        const p1 = await list({ per_page: 500 }, big.id);
        expect(p1.res.body.data).toHaveLength(100);
        expect(p1.pagination).toEqual({ page: 1, per_page: 100, total_items: 105, total_pages: 2 });
        expect(p1.res.body.data[0].email).toBe('bulk000@example.com');
        expect(p1.res.body.data[99].email).toBe('bulk099@example.com');
        const p2 = await list({ per_page: 500, page: 2 }, big.id);
        expect(p2.res.body.data.map((u: { email: string }) => u.email)).toEqual(['bulk100', 'bulk101', 'bulk102', 'bulk103', 'bulk104'].map((e) => `${e}@example.com`));
        expect(p2.pagination).toEqual({ page: 2, per_page: 100, total_items: 105, total_pages: 2 });
      });

      it('limit over 100 is capped too; the default page size is 20', async () => {
        const l = await list({ limit: 1000, offset: 100 }, big.id);
        expect(l.res.body.data).toHaveLength(5);
        expect(l.pagination).toEqual({ page: 2, per_page: 100, total_items: 105, total_pages: 2 });
        const d = await list({}, big.id);
        expect(d.res.body.data).toHaveLength(20);
        expect(d.pagination).toEqual({ page: 1, per_page: 20, total_items: 105, total_pages: 6 });
        const last = await list({ page: 6 }, big.id);
        expect(last.res.body.data).toHaveLength(5);
      });
    });
  });

  describe('who may list', () => {
    it('a viewer and a helpdesk of the tenant may list it', async () => {
      for (const role of ['viewer', 'helpdesk']) {
        const a = await app.tenantWithUser(role);
        const extra = await createPlainUser(app, a.tenantId, { email: `colleague-${role}@example.com` });
        const res = await app.http.get(usersBase(a.tenantId)).set(a.auth);
        expect(res.status).toBe(200);
        expect(res.body.data.map((u: { id: string }) => u.id)).toEqual([a.user.id, extra.id]);
        expect(res.body.pagination.total_items).toBe(2);
      }
    });

    it('a plain user gets 403', async () => {
      const a = await app.tenantWithUser('user');
      expectError(await app.http.get(usersBase(a.tenantId)).set(a.auth), 403, 'forbidden');
    });

    it('a tenant_admin of another tenant gets 404 for the users and for the tenant itself', async () => {
      const a = await app.tenantWithUser('tenant_admin');
      expectError(await app.http.get(usersBase(tenant.id)).set(a.auth), 404, 'not_found');
      expectError(await app.http.get(usersBase(tenant.slug)).set(a.auth), 404, 'not_found');
      expectError(await app.http.get(`/api/v1/tenants/${tenant.id}`).set(a.auth), 404, 'not_found');
      // ...and sees only its own tenant's users in its own list.
      const own = await app.http.get(usersBase(a.tenantId)).set(a.auth);
      expect(own.body.data.map((u: { id: string }) => u.id)).toEqual([a.user.id]);
    });

    it('no token, or a bad one, is 401', async () => {
      const none = await app.http.get(usersBase(tenant.id));
      expectError(none, 401, 'unauthorized');
      expect(none.headers['www-authenticate']).toBe('Bearer');
      expectError(await app.http.get(usersBase(tenant.id)).set('Authorization', 'Bearer not.a.jwt'), 401, 'unauthorized');
    });

    it('an unknown tenant is 404', async () => {
      expectError(await app.http.get(usersBase(crypto.randomUUID())).set(app.rootAuth), 404, 'not_found');
      expectError(await app.http.get(usersBase('no-such-tenant')).set(app.rootAuth), 404, 'not_found');
    });
  });
});
