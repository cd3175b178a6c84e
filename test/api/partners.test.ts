import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, type Auth, type Json, type TestApp } from '../support/test-app';
import { createPlainUser, eventsFor, expectError, expectValidation } from './users-helpers';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const PARTNER_KEYS = ['created_at', 'id', 'name', 'slug', 'tenant_count', 'updated_at'];
const MISSING = '01900000-0000-7000-8000-000000000000';

const partners = {
  list: (query: Record<string, string | number> = {}, auth: Auth = app.rootAuth) => app.http.get('/api/v1/partners').query(query).set(auth),
  create: (body: Record<string, unknown>, auth: Auth = app.rootAuth) => app.http.post('/api/v1/partners').set(auth).send(body),
  get: (id: string, auth: Auth = app.rootAuth) => app.http.get(`/api/v1/partners/${id}`).set(auth),
  patch: (id: string, body: Record<string, unknown>, auth: Auth = app.rootAuth) => app.http.patch(`/api/v1/partners/${id}`).set(auth).send(body),
  del: (id: string, auth: Auth = app.rootAuth) => app.http.delete(`/api/v1/partners/${id}`).set(auth),
};
const tenants = {
  list: (query: Record<string, string | number> = {}, auth: Auth = app.rootAuth) => app.http.get('/api/v1/tenants').query(query).set(auth),
  create: (body: Record<string, unknown>, auth: Auth = app.rootAuth) => app.http.post('/api/v1/tenants').set(auth).send(body),
  get: (ref: string, auth: Auth = app.rootAuth) => app.http.get(`/api/v1/tenants/${ref}`).set(auth),
  patch: (ref: string, body: Record<string, unknown>, auth: Auth = app.rootAuth) => app.http.patch(`/api/v1/tenants/${ref}`).set(auth).send(body),
  del: (ref: string, auth: Auth = app.rootAuth) => app.http.delete(`/api/v1/tenants/${ref}`).set(auth),
};

const uniq = () => crypto.randomUUID().slice(0, 8);
const partnerRow = (id: string) => app.roster.db.knex('partners').where({ id }).first();
const tenantRow = (id: string) => app.roster.db.knex('tenants').where({ id }).first();

async function newPartner(name = `Partner ${uniq()}`, slug?: string): Promise<Json> {
  const res = await partners.create({ name, ...(slug ? { slug } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

async function newTenant(partnerId: string | null, auth: Auth = app.rootAuth): Promise<Json> {
  const slug = `t-${uniq()}`;
  const res = await tenants.create({ name: `Tenant ${slug}`, slug, partner_id: partnerId }, auth);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

/** A partner with a home tenant and a partner_admin who signs in there. */
async function partnerWithAdmin() {
  const partner = await newPartner();
  const home = await newTenant(partner.id);
  const admin = await app.createUser(home.id, { email: `padmin-${uniq()}@example.com`, role: 'partner_admin' });
  const { auth } = await app.login(admin.email, PASSWORD, home.slug);
  return { partner, home, admin, auth };
}

describe('partners as super admin', () => {
  it('creates a partner with a given slug and answers it whole', async () => {
    const slug = `acme-${uniq()}`;
    const res = await partners.create({ name: '  Acme Managed Services  ', slug });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body.data).sort()).toEqual(PARTNER_KEYS);
    expect(res.body.data).toMatchObject({ name: 'Acme Managed Services', slug, tenant_count: 0 });
    expect(res.body.data.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    expect(res.body.data.created_at).toMatch(ISO);
    expect(res.body.data.updated_at).toBe(res.body.data.created_at);

    const row = await partnerRow(res.body.data.id);
    expect(row).toMatchObject({ name: 'Acme Managed Services', slug });
    const events = await eventsFor(app.roster.db.knex, res.body.data.id, 'partner.created');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorType: 'user', subjectType: 'partner', tenantId: app.defaultTenantId, details: { name: 'Acme Managed Services', slug } });
  });

  it('derives the slug from the name, and refuses a name whose slug is taken with 409', async () => {
    const tag = uniq();
    const first = await partners.create({ name: `Nörd Systèmes ${tag} GmbH` });
    expect(first.status).toBe(201);
    expect(first.body.data.slug).toBe(`nord-systemes-${tag}-gmbh`);

    const [{ n: before }] = await app.roster.db.knex('partners').count({ n: '*' });
    const again = await partners.create({ name: `Nord Systemes ${tag} GmbH` });
    expectError(again, 409, 'conflict', 'slug');
    expect(again.body.error.message).toContain(`nord-systemes-${tag}-gmbh`);
    const explicit = await partners.create({ name: 'Someone else', slug: `nord-systemes-${tag}-gmbh` });
    expectError(explicit, 409, 'conflict', 'slug');
    const [{ n: after }] = await app.roster.db.knex('partners').count({ n: '*' });
    expect(Number(after)).toBe(Number(before));
  });

  it('answers 422 naming every failing field', async () => {
    expectValidation(await partners.create({ slug: 'Not A Slug' }), [['body', 'name'], ['body', 'slug']]);
    expectValidation(await partners.create({ name: '   ' }), [['body', 'name']]);
    expectValidation(await partners.create({ name: 'X', tenant_count: 3 }), [['body', 'tenant_count']]);
    expectValidation(await partners.patch(MISSING, { slug: '-bad-' }), [['body', 'slug']]);
  });

  it('gets a partner with its tenant count, and 404 for unknown ids', async () => {
    const partner = await newPartner();
    await newTenant(partner.id);
    await newTenant(partner.id);
    await newTenant(null);
    const res = await partners.get(partner.id);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ ...partner, tenant_count: 2 });
    expectError(await partners.get(MISSING), 404, 'not_found');
    expectError(await partners.get('not-a-uuid'), 404, 'not_found');
  });

  it('lists partners with tenant counts, search and paging', async () => {
    const tag = uniq();
    const a = await newPartner(`Alpha ${tag}`);
    const b = await newPartner(`Beta ${tag}`);
    const c = await newPartner(`Gamma ${tag}`);
    await newTenant(b.id);
    await newTenant(c.id);
    await newTenant(c.id);
    await newTenant(c.id);

    const res = await partners.list({ search: tag.toUpperCase() });
    expect(res.status).toBe(200);
    expect(res.body.pagination).toEqual({ page: 1, per_page: 20, total_items: 3, total_pages: 1 });
    expect(res.body.data.map((p: Json) => [p.id, p.tenant_count])).toEqual([[a.id, 0], [b.id, 1], [c.id, 3]]);
    for (const p of res.body.data) expect(Object.keys(p).sort()).toEqual(PARTNER_KEYS);

    const page2 = await partners.list({ search: tag, per_page: 2, page: 2 });
    expect(page2.body.pagination).toEqual({ page: 2, per_page: 2, total_items: 3, total_pages: 2 });
    expect(page2.body.data.map((p: Json) => p.id)).toEqual([c.id]);

    const desc = await partners.list({ search: tag, sort_by: 'name', sort_order: 'desc' });
    expect(desc.body.data.map((p: Json) => p.id)).toEqual([c.id, b.id, a.id]);

    expect((await partners.list({ search: `%${tag}` })).body.data).toEqual([]);
  });

  it('updates name and slug; a taken slug is 409 and changes nothing', async () => {
    const partner = await newPartner();
    const other = await newPartner();
    await new Promise((r) => setTimeout(r, 5));
    const newSlug = `renamed-${uniq()}`;
    const res = await partners.patch(partner.id, { name: 'Renamed Partner', slug: newSlug });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: partner.id, name: 'Renamed Partner', slug: newSlug, tenant_count: 0, created_at: partner.created_at });
    expect(new Date(res.body.data.updated_at).getTime()).toBeGreaterThan(new Date(partner.updated_at).getTime());
    expect(await partnerRow(partner.id)).toMatchObject({ name: 'Renamed Partner', slug: newSlug });

    // The partner's own slug again is no conflict.
    expect((await partners.patch(partner.id, { slug: newSlug })).status).toBe(200);

    const taken = await partners.patch(partner.id, { name: 'Not applied', slug: other.slug });
    expectError(taken, 409, 'conflict', 'slug');
    expect(await partnerRow(partner.id)).toMatchObject({ name: 'Renamed Partner', slug: newSlug });

    expectError(await partners.patch(MISSING, { name: 'Nobody' }), 404, 'not_found');
    const events = await eventsFor(app.roster.db.knex, partner.id, 'partner.updated');
    expect(events.map((e: Json) => e.details.fields)).toEqual([['name', 'slug'], ['slug']]);
  });

  it('refuses to delete a partner that owns tenants (409), deletes an empty one (204)', async () => {
    const partner = await newPartner();
    const tenant = await newTenant(partner.id);

    const refused = await partners.del(partner.id);
    expectError(refused, 409, 'conflict');
    expect(refused.body.error.message).toContain('1 tenant');
    expect(await partnerRow(partner.id)).toBeDefined();
    expect((await tenantRow(tenant.id)).partnerId).toBe(partner.id);

    // A super admin moves the tenant out; the partner is empty and can go.
    const moved = await tenants.patch(tenant.id, { partner_id: null });
    expect(moved.status).toBe(200);
    expect(moved.body.data.partner_id).toBeNull();
    expect((await partners.get(partner.id)).body.data.tenant_count).toBe(0);

    const res = await partners.del(partner.id);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await partnerRow(partner.id)).toBeUndefined();
    expectError(await partners.get(partner.id), 404, 'not_found');
    expectError(await partners.del(partner.id), 404, 'not_found');
    expect(await eventsFor(app.roster.db.knex, partner.id, 'partner.deleted')).toHaveLength(1);
  });

  it('counts tenants as they move between partners', async () => {
    const a = await newPartner();
    const b = await newPartner();
    const t = await newTenant(a.id);
    expect((await tenants.patch(t.id, { partner_id: b.id })).body.data.partner_id).toBe(b.id);
    expect((await partners.get(a.id)).body.data.tenant_count).toBe(0);
    expect((await partners.get(b.id)).body.data.tenant_count).toBe(1);
    const unknown = await tenants.patch(t.id, { partner_id: MISSING });
    expectValidation(unknown, [['body', 'partner_id']]);
    expect((await tenantRow(t.id)).partnerId).toBe(b.id);
  });
});

describe('a partner_admin', () => {
  let mine: Awaited<ReturnType<typeof partnerWithAdmin>>;
  let second: Json;
  let theirs: Awaited<ReturnType<typeof partnerWithAdmin>>;
  let theirUser: Json;

  beforeAll(async () => {
    mine = await partnerWithAdmin();
    second = await newTenant(mine.partner.id);
    theirs = await partnerWithAdmin();
    theirUser = await createPlainUser(app, theirs.home.id);
  });

  it('sees its own partner only', async () => {
    const listed = await partners.list({}, mine.auth);
    expect(listed.status).toBe(200);
    expect(listed.body.pagination.total_items).toBe(1);
    expect(listed.body.data).toHaveLength(1);
    expect(listed.body.data[0]).toMatchObject({ id: mine.partner.id, slug: mine.partner.slug });
    expect(listed.body.data[0].tenant_count).toBeGreaterThanOrEqual(2);
    expect((await partners.list({ search: theirs.partner.name }, mine.auth)).body.data).toEqual([]);

    const own = await partners.get(mine.partner.id, mine.auth);
    expect(own.status).toBe(200);
    expect(own.body.data.id).toBe(mine.partner.id);
    const other = await partners.get(theirs.partner.id, mine.auth);
    expectError(other, 404, 'not_found');
    expect(other.body.error).toEqual((await partners.get(MISSING, mine.auth)).body.error);
  });

  it('cannot write partners, its own included', async () => {
    const answers = [
      await partners.create({ name: `By a partner admin ${uniq()}` }, mine.auth),
      await partners.patch(mine.partner.id, { name: 'Mine now' }, mine.auth),
      await partners.patch(theirs.partner.id, { name: 'Theirs now' }, mine.auth),
      await partners.del(mine.partner.id, mine.auth),
      await partners.del(theirs.partner.id, mine.auth),
    ];
    for (const res of answers) expectError(res, 403, 'forbidden');
    expect(await partnerRow(mine.partner.id)).toMatchObject({ name: mine.partner.name });
    expect(await partnerRow(theirs.partner.id)).toMatchObject({ name: theirs.partner.name });
  });

  it("reaches exactly its partner's tenants and their users", async () => {
    const listed = await tenants.list({ per_page: 100 }, mine.auth);
    expect(listed.status).toBe(200);
    const ids = listed.body.data.map((t: Json) => t.id);
    const inDb = await app.roster.db.knex('tenants').where({ partnerId: mine.partner.id }).pluck('id');
    expect(ids.sort()).toEqual([...inDb].sort());
    expect(ids).toContain(mine.home.id);
    expect(ids).toContain(second.id);
    expect(listed.body.pagination.total_items).toBe(inDb.length);
    for (const t of listed.body.data) expect(t.partner_id).toBe(mine.partner.id);
    expect((await tenants.list({ partner_id: theirs.partner.id }, mine.auth)).body.data).toEqual([]);

    expect((await tenants.get(second.id, mine.auth)).status).toBe(200);
    expect((await tenants.get(second.slug, mine.auth)).status).toBe(200);
    for (const ref of [theirs.home.id, theirs.home.slug, 'default', app.defaultTenantId]) {
      expectError(await tenants.get(ref, mine.auth), 404, 'not_found');
    }

    // Users of its tenants: yes; of another partner's: not found, by list, get and write.
    const created = await app.http.post(`/api/v1/tenants/${second.id}/users`).set(mine.auth).send({ email: `in-second-${uniq()}@example.com`, role: 'tenant_admin' });
    expect(created.status).toBe(201);
    const inSecond = await app.http.get(`/api/v1/tenants/${second.id}/users`).set(mine.auth);
    expect(inSecond.status).toBe(200);
    expect(inSecond.body.data.map((u: Json) => u.id)).toEqual([created.body.data.id]);

    expectError(await app.http.get(`/api/v1/tenants/${theirs.home.id}/users`).set(mine.auth), 404, 'not_found');
    expectError(await app.http.get(`/api/v1/tenants/${theirs.home.id}/users/${theirUser.id}`).set(mine.auth), 404, 'not_found');
    expectError(await app.http.patch(`/api/v1/tenants/${theirs.home.id}/users/${theirUser.id}`).set(mine.auth).send({ first_name: 'X' }), 404, 'not_found');
    // A user id of another partner's tenant named under its own tenant is not found either.
    expectError(await app.http.get(`/api/v1/tenants/${second.id}/users/${theirUser.id}`).set(mine.auth), 404, 'not_found');
    expect((await app.roster.db.knex('users').where({ id: theirUser.id }).first()).firstName).toBeNull();
  });

  it('creates tenants in its own partner only', async () => {
    const omitted = await tenants.create({ name: `Omitted ${uniq()}` }, mine.auth);
    expect(omitted.status).toBe(201);
    expect(omitted.body.data.partner_id).toBe(mine.partner.id);
    expect((await tenantRow(omitted.body.data.id)).partnerId).toBe(mine.partner.id);

    const named = await tenants.create({ name: `Named ${uniq()}`, partner_id: mine.partner.id }, mine.auth);
    expect(named.status).toBe(201);
    expect(named.body.data.partner_id).toBe(mine.partner.id);

    const nulled = await tenants.create({ name: `Nulled ${uniq()}`, partner_id: null }, mine.auth);
    expect(nulled.status).toBe(201);
    expect(nulled.body.data.partner_id).toBe(mine.partner.id);

    const slug = `elsewhere-${uniq()}`;
    const elsewhere = await tenants.create({ name: 'Elsewhere', slug, partner_id: theirs.partner.id }, mine.auth);
    expectError(elsewhere, 403, 'forbidden');
    expect(await app.roster.db.knex('tenants').where({ slug }).first()).toBeUndefined();

    const events = await eventsFor(app.roster.db.knex, omitted.body.data.id, 'tenant.created');
    expect(events[0]).toMatchObject({ actorType: 'user', actorId: mine.admin.id, details: { partner_id: mine.partner.id } });
  });

  it("changes name, settings, slug and status of its partner's tenants, but never their partner", async () => {
    const t = await newTenant(mine.partner.id);
    const slug = `moved-slug-${uniq()}`;
    const res = await tenants.patch(
      t.id,
      { name: 'Changed by partner admin', slug, status: 'SUSPENDED', settings: { lockout: { max_failed_attempts: 9 } } },
      mine.auth,
    );
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: t.id, name: 'Changed by partner admin', slug, status: 'SUSPENDED', partner_id: mine.partner.id });
    expect(res.body.data.settings.lockout).toEqual({ max_failed_attempts: 9, lock_duration_minutes: 15 });
    expect(await tenantRow(t.id)).toMatchObject({ name: 'Changed by partner admin', slug, status: 'SUSPENDED', partnerId: mine.partner.id });

    for (const body of [{ partner_id: theirs.partner.id }, { partner_id: null }, { partner_id: theirs.partner.id, name: 'Sneaky' }]) {
      expectError(await tenants.patch(t.id, body, mine.auth), 403, 'forbidden');
    }
    expect(await tenantRow(t.id)).toMatchObject({ name: 'Changed by partner admin', partnerId: mine.partner.id });

    expectError(await tenants.patch(theirs.home.id, { name: 'Taken over' }, mine.auth), 404, 'not_found');
    expect((await tenantRow(theirs.home.id)).name).toBe(theirs.home.name);
  });

  it("deletes an empty tenant of its partner; another partner's is not found", async () => {
    const t = await newTenant(mine.partner.id);
    expect((await tenants.del(t.id, mine.auth)).status).toBe(204);
    expect(await tenantRow(t.id)).toBeUndefined();
    const empty = await newTenant(theirs.partner.id);
    expectError(await tenants.del(empty.id, mine.auth), 404, 'not_found');
    expect(await tenantRow(empty.id)).toBeDefined();
  });
});

describe('a tenant_admin', () => {
  it("changes its own tenant's name and settings only, and has no access to partners", async () => {
    const partner = await newPartner();
    const tenant = await newTenant(partner.id);
    const admin = await app.createUser(tenant.id, { email: `tadmin-${uniq()}@example.com`, role: 'tenant_admin' });
    const { auth } = await app.login(admin.email, PASSWORD, tenant.slug);

    const ok = await tenants.patch(tenant.id, { name: 'Own name', settings: { defaults: { locale: 'de' } } }, auth);
    expect(ok.status).toBe(200);
    expect(ok.body.data).toMatchObject({ name: 'Own name', slug: tenant.slug, status: 'ACTIVE', partner_id: partner.id });
    expect(ok.body.data.settings.defaults).toEqual({ locale: 'de', timezone: 'UTC' });

    const other = await newPartner();
    for (const body of [{ slug: `own-${uniq()}` }, { status: 'SUSPENDED' }, { partner_id: other.id }, { partner_id: null }, { partner_id: partner.id }]) {
      const res = await tenants.patch(tenant.id, body, auth);
      expectError(res, 403, 'forbidden');
    }
    expect(await tenantRow(tenant.id)).toMatchObject({ name: 'Own name', slug: tenant.slug, status: 'ACTIVE', partnerId: partner.id });

    for (const res of [await partners.list({}, auth), await partners.get(partner.id, auth), await partners.create({ name: 'Nope' }, auth)]) {
      expectError(res, 403, 'forbidden');
    }
  });
});
