import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import { createTestApp, PASSWORD, type Auth, type TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const POLICY = { min_length: 8, require_uppercase: false, require_lowercase: false, require_digit: false, require_symbol: false, history: 0 };
const TOKENS = { access_token_ttl_seconds: 900, refresh_token_ttl_seconds: 2_592_000, session_max_lifetime_seconds: 7_776_000 };
const DEFAULT_SETTINGS = {
  password_policy: POLICY,
  lockout: { max_failed_attempts: 5, lock_duration_minutes: 15 },
  tokens: TOKENS,
  mfa: { required: false },
  defaults: { locale: 'en', timezone: 'UTC' },
};
const TENANT_KEYS = ['created_at', 'id', 'name', 'partner_id', 'settings', 'slug', 'status', 'updated_at'];
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const create = (body: Record<string, unknown>, auth: Auth = app.rootAuth) => app.http.post('/api/v1/tenants').set(auth).send(body);
const get = (ref: string, auth: Auth = app.rootAuth) => app.http.get(`/api/v1/tenants/${ref}`).set(auth);
const patch = (ref: string, body: Record<string, unknown>, auth: Auth = app.rootAuth) => app.http.patch(`/api/v1/tenants/${ref}`).set(auth).send(body);
const del = (ref: string, auth: Auth = app.rootAuth) => app.http.delete(`/api/v1/tenants/${ref}`).set(auth);
const list = (query: Record<string, string | number> = {}, auth: Auth = app.rootAuth) => app.http.get('/api/v1/tenants').query(query).set(auth);

function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(res.body.meta.request_id).toBe(res.headers['x-request-id']);
  expect(res.body.data).toBeUndefined();
}

function locs(res: Response): string[] {
  return res.body.detail.map((d: { loc: (string | number)[] }) => d.loc.join('.'));
}

describe('POST /api/v1/tenants', () => {
  it('creates a tenant with a given slug and answers the full tenant', async () => {
    const before = Date.now();
    const res = await create({ name: 'Acme Corporation', slug: 'acme' });
    expect(res.status).toBe(201);
    expect(res.body.meta.request_id).toBe(res.headers['x-request-id']);
    const t = res.body.data;
    expect(Object.keys(t).sort()).toEqual(TENANT_KEYS);
    expect(t).toMatchObject({ name: 'Acme Corporation', slug: 'acme', status: 'ACTIVE', partner_id: null, settings: DEFAULT_SETTINGS });
    expect(t.id).toMatch(UUID);
    expect(t.created_at).toMatch(ISO);
    expect(t.updated_at).toBe(t.created_at);
    expect(Date.parse(t.created_at)).toBeGreaterThanOrEqual(before - 1000);

    const fetched = await get(t.id);
    expect(fetched.status).toBe(200);
    expect(fetched.body.data).toEqual(t);
  });

  it('derives a unique slug from the name when none is given', async () => {
    const first = await create({ name: 'Ünïcode Café & Co., Ltd.' });
    expect(first.status).toBe(201);
    expect(first.body.data.slug).toBe('unicode-cafe-co-ltd');
    const second = await create({ name: 'Unicode Cafe Co Ltd' });
    expect(second.status).toBe(201);
    expect(second.body.data.slug).toBe('unicode-cafe-co-ltd-2');
    const third = await create({ name: '  UNICODE café co ltd  ' });
    expect(third.body.data.slug).toBe('unicode-cafe-co-ltd-3');
    expect(third.body.data.name).toBe('UNICODE café co ltd');

    // A name with too little to make a slug of still gets a valid one.
    const tiny = await create({ name: 'X' });
    expect(tiny.status).toBe(201);
    expect(tiny.body.data.slug).toBe('tenant-x');
    const symbols = await create({ name: '***' });
    expect(symbols.status).toBe(201);
    expect(symbols.body.data.slug).toMatch(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/);

    // Cut at 63 characters, never ending on a dash.
    const long = await create({ name: `${'a'.repeat(62)} tail` });
    expect(long.body.data.slug).toBe('a'.repeat(62));
    // A slug shaped like an id would be read as an id when looked up.
    const uuidName = '01900000-0000-7000-8000-0000000000aa';
    const uuidLike = await create({ name: uuidName });
    expect(uuidLike.body.data.slug).toBe(`tenant-${uuidName}`);
    expect((await get(uuidLike.body.data.slug)).body.data.id).toBe(uuidLike.body.data.id);

    // A derived slug steps around an explicitly chosen one.
    expect((await create({ name: 'Something', slug: 'globex' })).status).toBe(201);
    const derived = await create({ name: 'Globex' });
    expect(derived.body.data.slug).toBe('globex-2');
  });

  it('creates with status and settings, merging the settings into the defaults', async () => {
    const res = await create({ name: 'Configured', status: 'SUSPENDED', settings: { tokens: { access_token_ttl_seconds: 600 } } });
    expect(res.status).toBe(201);
    expect(res.body.data.status).toBe('SUSPENDED');
    expect(res.body.data.settings).toEqual({ ...DEFAULT_SETTINGS, tokens: { ...TOKENS, access_token_ttl_seconds: 600 } });
  });

  it('refuses a slug already taken with 409, and creates nothing', async () => {
    expect((await create({ name: 'Initech', slug: 'initech' })).status).toBe(201);
    const dup = await create({ name: 'Initech Two', slug: 'initech' });
    expectError(dup, 409, 'conflict');
    expect(dup.body.error.field).toBe('slug');
    expect(dup.body.error.message).toContain('initech');
    expect((await list({ search: 'Initech' })).body.pagination.total_items).toBe(1);
    // The default tenant's slug is taken as well.
    expectError(await create({ name: 'Another default', slug: 'default' }), 409, 'conflict');
  });

  it('answers 422 listing every failing field', async () => {
    const res = await create({ name: '', slug: 'Not A Slug', status: 'DELETED', partner_id: 'nope', settings: { lockout: { max_failed_attempts: 0 } }, extra: true });
    expectError(res, 422, 'validation_error');
    expect(res.body.error.field).toBe('name');
    expect(locs(res).sort()).toEqual(['body.extra', 'body.name', 'body.partner_id', 'body.settings.lockout.max_failed_attempts', 'body.slug', 'body.status']);
    for (const d of res.body.detail) {
      expect(Object.keys(d).sort()).toEqual(['loc', 'msg', 'type']);
      expect(d.msg.length).toBeGreaterThan(0);
    }
    expect(res.body.detail.find((d: { loc: string[] }) => d.loc[1] === 'extra').type).toBe('extra_forbidden');

    const missing = await create({});
    expectError(missing, 422, 'validation_error');
    expect(missing.body.detail).toEqual([{ loc: ['body', 'name'], msg: 'Field required', type: 'missing' }]);

    for (const slug of ['a', '-abc', 'abc-', 'ab_c', 'x'.repeat(64), 'ÄBC', '01900000-0000-7000-8000-000000000000']) {
      const bad = await create({ name: 'Bad slug', slug });
      expect(bad.status, slug).toBe(422);
      expect([...new Set(locs(bad))]).toEqual(['body.slug']);
    }
    expect((await create({ name: 'n'.repeat(201) })).status).toBe(422);
  });

  it('refuses a partner that does not exist with 422', async () => {
    const res = await create({ name: 'Partnered', partner_id: '01900000-0000-7000-8000-000000000000' });
    expectError(res, 422, 'validation_error');
    expect(locs(res)).toEqual(['body.partner_id']);
  });
});

describe('GET /api/v1/tenants/{tenant_id}', () => {
  it('finds a tenant by id and by slug', async () => {
    const created = (await create({ name: 'Findable', slug: 'findable' })).body.data;
    const byId = await get(created.id);
    const bySlug = await get('findable');
    expect(byId.status).toBe(200);
    expect(bySlug.status).toBe(200);
    expect(byId.body.data).toEqual(created);
    expect(bySlug.body.data).toEqual(created);

    const dflt = await get('default');
    expect(dflt.body.data).toMatchObject({ id: app.defaultTenantId, slug: 'default', name: 'Default', settings: DEFAULT_SETTINGS });
  });

  it('answers 404 for a tenant that does not exist', async () => {
    for (const ref of ['no-such-tenant', '01900000-0000-7000-8000-000000000000', 'x'.repeat(64)]) {
      const res = await get(ref);
      expectError(res, 404, 'not_found');
      expect(res.body.error.message).toBe('Tenant not found');
    }
    expect((await get('x'.repeat(65))).status).toBe(422);
  });
});

describe('PATCH /api/v1/tenants/{tenant_id}', () => {
  it('changes the name and status, and nothing else', async () => {
    const created = (await create({ name: 'Patchable', slug: 'patchable' })).body.data;
    await new Promise((r) => setTimeout(r, 5));
    const res = await patch(created.id, { name: 'Patched' });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: created.id, name: 'Patched', slug: 'patchable', status: 'ACTIVE', settings: DEFAULT_SETTINGS, created_at: created.created_at });
    expect(Date.parse(res.body.data.updated_at)).toBeGreaterThan(Date.parse(created.updated_at));

    const suspended = await patch('patchable', { status: 'SUSPENDED' });
    expect(suspended.status).toBe(200);
    expect(suspended.body.data).toMatchObject({ name: 'Patched', status: 'SUSPENDED' });
    expect((await get(created.id)).body.data).toMatchObject({ name: 'Patched', status: 'SUSPENDED' });

    const empty = await patch(created.id, {});
    expect(empty.status).toBe(200);
    expect(empty.body.data).toMatchObject({ name: 'Patched', slug: 'patchable', status: 'SUSPENDED' });
  });

  it('merges settings section by section; other sections and fields keep their values', async () => {
    const created = (await create({ name: 'Settings', settings: { tokens: { access_token_ttl_seconds: 600 } } })).body.data;

    const lockout = await patch(created.id, { settings: { lockout: { max_failed_attempts: 3 } } });
    expect(lockout.status).toBe(200);
    expect(lockout.body.data.settings).toEqual({
      ...DEFAULT_SETTINGS,
      lockout: { max_failed_attempts: 3, lock_duration_minutes: 15 },
      tokens: { ...TOKENS, access_token_ttl_seconds: 600 },
    });

    const duration = await patch(created.id, { settings: { lockout: { lock_duration_minutes: 0 }, password_policy: { min_length: 12 } } });
    expect(duration.body.data.settings).toEqual({
      ...DEFAULT_SETTINGS,
      password_policy: { ...POLICY, min_length: 12 },
      lockout: { max_failed_attempts: 3, lock_duration_minutes: 0 },
      tokens: { ...TOKENS, access_token_ttl_seconds: 600 },
    });

    // A name change leaves the settings alone.
    const renamed = await patch(created.id, { name: 'Settings Renamed' });
    expect(renamed.body.data.settings).toEqual(duration.body.data.settings);
    expect((await get(created.id)).body.data.settings).toEqual(duration.body.data.settings);
  });

  it('refuses invalid settings with 422 and keeps the stored ones', async () => {
    const created = (await create({ name: 'Strict settings' })).body.data;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ lockout: { max_failed_attempts: 0 } }, 'body.settings.lockout.max_failed_attempts'],
      [{ lockout: { max_failed_attempts: 2.5 } }, 'body.settings.lockout.max_failed_attempts'],
      [{ lockout: { max_failed_attempts: '3' } }, 'body.settings.lockout.max_failed_attempts'],
      [{ lockout: { lock_duration_minutes: -1 } }, 'body.settings.lockout.lock_duration_minutes'],
      [{ tokens: { access_token_ttl_seconds: 10 } }, 'body.settings.tokens.access_token_ttl_seconds'],
      [{ password_policy: { min_length: 4 } }, 'body.settings.password_policy.min_length'],
      [{ lockout: { bogus: 1 } }, 'body.settings.lockout.bogus'],
      [{ unknown_section: {} }, 'body.settings.unknown_section'],
    ];
    for (const [settings, loc] of cases) {
      const res = await patch(created.id, { settings });
      expectError(res, 422, 'validation_error');
      expect(locs(res), JSON.stringify(settings)).toEqual([loc]);
    }
    const notObject = await patch(created.id, { settings: 'strict' });
    expectError(notObject, 422, 'validation_error');
    expect((await get(created.id)).body.data.settings).toEqual(DEFAULT_SETTINGS);
  });

  it('changes the slug unless it is taken; the default tenant keeps its slug and cannot be suspended', async () => {
    const created = (await create({ name: 'Movable', slug: 'movable' })).body.data;
    const moved = await patch(created.id, { slug: 'moved' });
    expect(moved.status).toBe(200);
    expect(moved.body.data.slug).toBe('moved');
    expectError(await get('movable'), 404, 'not_found');
    expect((await get('moved')).body.data.id).toBe(created.id);

    expect((await create({ name: 'Occupied', slug: 'occupied' })).status).toBe(201);
    const taken = await patch(created.id, { slug: 'occupied' });
    expectError(taken, 409, 'conflict');
    expect(taken.body.error.field).toBe('slug');

    const renameDefault = await patch('default', { slug: 'not-default' });
    expectError(renameDefault, 409, 'conflict');
    expect(renameDefault.body.error.field).toBe('slug');
    const suspendDefault = await patch(app.defaultTenantId, { status: 'SUSPENDED' });
    expectError(suspendDefault, 409, 'conflict');
    expect((await get('default')).body.data.status).toBe('ACTIVE');
  });

  it('answers 404 for an unknown tenant and 422 for an invalid body', async () => {
    expectError(await patch('no-such-tenant', { name: 'x' }), 404, 'not_found');
    const res = await patch('default', { name: '', status: 'GONE', nope: 1 });
    expectError(res, 422, 'validation_error');
    expect(locs(res).sort()).toEqual(['body.name', 'body.nope', 'body.status']);
    expect((await get('default')).body.data.name).toBe('Default');
  });
});

describe('DELETE /api/v1/tenants/{tenant_id}', () => {
  it('deletes an empty tenant: 204, then 404', async () => {
    const created = (await create({ name: 'Doomed', slug: 'doomed' })).body.data;
    const res = await del(created.id);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectError(await get(created.id), 404, 'not_found');
    expectError(await get('doomed'), 404, 'not_found');
    expectError(await del(created.id), 404, 'not_found');
    // The slug is free again.
    expect((await create({ name: 'Reborn', slug: 'doomed' })).status).toBe(201);
  });

  it('deletes by slug too', async () => {
    expect((await create({ name: 'By slug', slug: 'by-slug' })).status).toBe(201);
    expect((await del('by-slug')).status).toBe(204);
    expectError(await get('by-slug'), 404, 'not_found');
  });

  it('refuses a tenant that still has users with 409, and keeps it and them', async () => {
    const { tenantId, user } = await app.tenantWithUser('user');
    const res = await del(tenantId);
    expectError(res, 409, 'conflict');
    expect(res.body.error.message).toMatch(/1 user/);
    expect((await get(tenantId)).status).toBe(200);
    const users = await app.http.get(`/api/v1/tenants/${tenantId}/users`).set(app.rootAuth);
    expect(users.body.data.map((u: { id: string }) => u.id)).toEqual([user.id]);
  });

  it('never deletes the default tenant', async () => {
    for (const ref of ['default', app.defaultTenantId]) {
      const res = await del(ref);
      expectError(res, 409, 'conflict');
      expect(res.body.error.message).toBe('The default tenant cannot be deleted');
    }
    expect((await get('default')).status).toBe(200);
  });

  it('answers 404 for an unknown tenant', async () => {
    expectError(await del('never-existed'), 404, 'not_found');
  });
});

describe('GET /api/v1/tenants', () => {
  const prefix = 'Pager';
  const names = ['Pager Echo', 'Pager Alpha', 'Pager Delta', 'Pager Bravo', 'Pager Charlie'];
  beforeAll(async () => {
    for (const name of names) expect((await create({ name })).status).toBe(201);
    expect((await create({ name: 'Pager Suspended Zulu', status: 'SUSPENDED' })).status).toBe(201);
  });

  it('pages with page/per_page, sorted by name by default', async () => {
    const res = await list({ search: prefix, per_page: 2, page: 2 });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['data', 'meta', 'pagination']);
    expect(res.body.pagination).toEqual({ page: 2, per_page: 2, total_items: 6, total_pages: 3 });
    expect(res.body.data.map((t: { name: string }) => t.name)).toEqual(['Pager Charlie', 'Pager Delta']);
    expect(Object.keys(res.body.data[0]).sort()).toEqual(TENANT_KEYS);

    const last = await list({ search: prefix, per_page: 2, page: 3 });
    expect(last.body.data.map((t: { name: string }) => t.name)).toEqual(['Pager Echo', 'Pager Suspended Zulu']);
    const beyond = await list({ search: prefix, per_page: 2, page: 4 });
    expect(beyond.body.data).toEqual([]);
    expect(beyond.body.pagination).toEqual({ page: 4, per_page: 2, total_items: 6, total_pages: 3 });
  });

  it('pages with offset/limit', async () => {
    const res = await list({ search: prefix, offset: 1, limit: 3 });
    expect(res.body.data.map((t: { name: string }) => t.name)).toEqual(['Pager Bravo', 'Pager Charlie', 'Pager Delta']);
    expect(res.body.pagination).toMatchObject({ per_page: 3, total_items: 6 });
  });

  it('defaults to 20 a page and caps the page size at 100', async () => {
    expect((await list()).body.pagination.per_page).toBe(20);
    expect((await list({ per_page: 1000 })).body.pagination.per_page).toBe(100);
  });

  it('sorts by the whitelisted fields in both directions', async () => {
    const desc = await list({ search: prefix, sort_by: 'name', sort_order: 'desc' });
    expect(desc.body.data.map((t: { name: string }) => t.name)).toEqual(['Pager Suspended Zulu', 'Pager Echo', 'Pager Delta', 'Pager Charlie', 'Pager Bravo', 'Pager Alpha']);
    const byCreation = await list({ search: prefix, sort_by: 'created_at', sort_order: 'asc' });
    expect(byCreation.body.data.map((t: { name: string }) => t.name)).toEqual([...names, 'Pager Suspended Zulu']);
    const bySlug = await list({ search: prefix, sort_by: 'slug' });
    const slugs = bySlug.body.data.map((t: { slug: string }) => t.slug);
    expect(slugs).toEqual([...slugs].sort());

    for (const [key, value] of [['sort_by', 'settings'], ['sort_by', 'id; DROP TABLE tenants'], ['sort_order', 'up'], ['page', '0'], ['per_page', 'ten']]) {
      const bad = await list({ [key]: value });
      expectError(bad, 422, 'validation_error');
      expect(locs(bad)).toEqual([`query.${key}`]);
    }
  });

  it('searches name and slug, case-insensitively, with LIKE wildcards taken literally', async () => {
    const res = await list({ search: 'pAGER dELTA' });
    expect(res.body.data.map((t: { name: string }) => t.name)).toEqual(['Pager Delta']);
    const bySlug = await list({ search: 'pager-charlie' });
    expect(bySlug.body.data.map((t: { name: string }) => t.name)).toEqual(['Pager Charlie']);
    expect((await list({ search: '%' })).body.pagination.total_items).toBe(0);
    expect((await list({ search: 'Pager_Alpha' })).body.pagination.total_items).toBe(0);
  });

  it('filters by status', async () => {
    const res = await list({ search: prefix, status: 'SUSPENDED' });
    expect(res.body.data.map((t: { name: string }) => t.name)).toEqual(['Pager Suspended Zulu']);
    expect((await list({ search: prefix, status: 'ACTIVE' })).body.pagination.total_items).toBe(5);
  });

  it('shows a super admin every tenant, the default one included', async () => {
    const res = await list({ per_page: 100 });
    const count = await app.roster.db.knex('tenants').count({ n: '*' }).first();
    expect(res.body.pagination.total_items).toBe(Number(count!.n));
    expect(res.body.data.some((t: { slug: string }) => t.slug === 'default')).toBe(true);
  });
});

describe('tenant routes by role', () => {
  it('a tenant_admin sees only its own tenant, gets 404 for others, and changes only its name and settings', async () => {
    const mine = await app.tenantWithUser('tenant_admin');
    const theirs = await app.tenantWithUser('tenant_admin');

    const listed = await list({}, mine.auth);
    expect(listed.status).toBe(200);
    expect(listed.body.pagination.total_items).toBe(1);
    expect(listed.body.data.map((t: { id: string }) => t.id)).toEqual([mine.tenantId]);
    expect((await list({ search: theirs.slug }, mine.auth)).body.data).toEqual([]);

    expect((await get(mine.tenantId, mine.auth)).body.data.slug).toBe(mine.slug);
    expect((await get(mine.slug, mine.auth)).body.data.id).toBe(mine.tenantId);
    for (const ref of [theirs.tenantId, theirs.slug, 'default', app.defaultTenantId]) {
      const res = await get(ref, mine.auth);
      expectError(res, 404, 'not_found');
      // The same answer as for a tenant that does not exist at all.
      expect(res.body.error).toEqual((await get('no-such-tenant', mine.auth)).body.error);
    }

    expectError(await create({ name: 'By a tenant admin' }, mine.auth), 403, 'forbidden');
    for (const body of [{ slug: 'mine-now' }, { status: 'SUSPENDED' }, { partner_id: null }, { name: 'Mine now', slug: 'mine-now' }]) {
      expectError(await patch(mine.tenantId, body, mine.auth), 403, 'forbidden');
    }
    expectError(await patch(theirs.tenantId, { name: 'Theirs now' }, mine.auth), 404, 'not_found');
    expectError(await del(theirs.tenantId, mine.auth), 403, 'forbidden');
    expectError(await del(mine.tenantId, mine.auth), 403, 'forbidden');
    expect((await get(mine.tenantId)).body.data.name).toBe(`Tenant ${mine.slug}`);

    const renamed = await patch(mine.tenantId, { name: 'Mine now', settings: { lockout: { max_failed_attempts: 7 } } }, mine.auth);
    expect(renamed.status).toBe(200);
    expect(renamed.body.data).toMatchObject({ name: 'Mine now', slug: mine.slug, settings: { lockout: { max_failed_attempts: 7 } } });
    expect((await get(theirs.tenantId)).status).toBe(200);
    expect((await list({ search: 'By a tenant admin' })).body.pagination.total_items).toBe(0);
  });

  it('a partner_admin outside any partner reaches no tenant, its own included', async () => {
    const { tenantId, slug, auth } = await app.tenantWithUser('partner_admin');
    const listed = await list({ per_page: 100 }, auth);
    expect(listed.status).toBe(200);
    expect(listed.body.data).toEqual([]);
    expect(listed.body.pagination.total_items).toBe(0);
    for (const ref of [tenantId, slug, 'default']) expectError(await get(ref, auth), 404, 'not_found');
    expectError(await create({ name: 'By a partner admin' }, auth), 403, 'forbidden');
  });

  it.each(['viewer', 'helpdesk', 'user'])('a %s gets 403 on every tenant route', async (role) => {
    const { tenantId, slug, auth } = await app.tenantWithUser(role);
    const answers = [
      await list({}, auth),
      await get(tenantId, auth),
      await get(slug, auth),
      await create({ name: `By ${role}` }, auth),
      await patch(tenantId, { name: 'x' }, auth),
      await del(tenantId, auth),
    ];
    for (const res of answers) {
      expectError(res, 403, 'forbidden');
      expect(res.body.error.message).toBe('You are not allowed to do this');
    }
  });

  it('every tenant route needs a token', async () => {
    const answers = [
      await app.http.get('/api/v1/tenants'),
      await app.http.post('/api/v1/tenants').send({ name: 'Anonymous' }),
      await app.http.get('/api/v1/tenants/default'),
      await app.http.patch('/api/v1/tenants/default').send({ name: 'Anonymous' }),
      await app.http.delete('/api/v1/tenants/default'),
    ];
    for (const res of answers) {
      expectError(res, 401, 'unauthorized');
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
  });
});

describe('a SUSPENDED tenant', () => {
  it('lets none of its users log in or keep using tokens until it is active again', async () => {
    const { tenantId, slug, user } = await app.tenantWithUser('tenant_admin');
    const before = await app.login(user.email, PASSWORD, slug);
    const own = () => app.http.get(`/api/v1/tenants/${tenantId}`).set(before.auth);
    expect((await own()).status).toBe(200);

    expect((await patch(tenantId, { status: 'SUSPENDED' })).status).toBe(200);

    const login = await app.http.post('/api/v1/auth/token').send({ grant_type: 'password', username: user.email, password: PASSWORD, tenant: slug });
    expectError(login, 401, 'unauthorized');
    expect(login.body.error.message).toBe('Invalid username or password');
    expectError(await own(), 401, 'unauthorized');
    const refreshed = await app.http.post('/api/v1/auth/token').send({ grant_type: 'refresh_token', refresh_token: before.refresh_token });
    expectError(refreshed, 401, 'unauthorized');

    expect((await patch(tenantId, { status: 'ACTIVE' })).status).toBe(200);
    const after = await app.login(user.email, PASSWORD, slug);
    expect((await app.http.get(`/api/v1/tenants/${tenantId}`).set(after.auth)).status).toBe(200);
  });
});
