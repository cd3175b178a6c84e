import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ADMIN_EMAIL, type Auth, type Json, type TestApp } from '../support/test-app';
import { createPlainUser, createTenant, eventsFor, expectError, expectValidation, usersBase } from './users-helpers';

let app: TestApp;
let rootId: string;
beforeAll(async () => {
  app = await createTestApp();
  rootId = (await app.roster.db.knex('users').where({ emailNormalized: ADMIN_EMAIL }).first('id')).id;
});
afterAll(() => app.close());

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ousUrl = (tenantId: string) => `/api/v1/tenants/${tenantId}/ous`;
const ouUrl = (tenantId: string, id: string) => `${ousUrl(tenantId)}/${id}`;

async function mkOu(tenantId: string, name: string, parentId?: string | null, auth: Auth = app.rootAuth): Promise<Json> {
  const res = await app.http.post(ousUrl(tenantId)).set(auth).send({ name, ...(parentId !== undefined ? { parent_id: parentId } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

/** A tree of units named by path: each path's parent must come before it. */
async function mkTree(tenantId: string, paths: string[]): Promise<Record<string, Json>> {
  const out: Record<string, Json> = {};
  for (const p of paths) {
    const parent = p.slice(0, p.lastIndexOf('/'));
    out[p] = await mkOu(tenantId, p.slice(p.lastIndexOf('/') + 1), parent ? out[parent].id : null);
  }
  return out;
}

const getOu = (tenantId: string, id: string) => app.http.get(ouUrl(tenantId, id)).set(app.rootAuth);
const patchOu = (tenantId: string, id: string, body: Record<string, unknown>) => app.http.patch(ouUrl(tenantId, id)).set(app.rootAuth).send(body);
const deleteOu = (tenantId: string, id: string, cascade?: string) =>
  app.http.delete(`${ouUrl(tenantId, id)}${cascade ? `?cascade=${cascade}` : ''}`).set(app.rootAuth);

/** Every unit of the tenant as `path -> {id, parentId}`, straight from the table. */
type TreeRow = { id: string; parentId: string | null; name: string };
async function treeOf(tenantId: string): Promise<Record<string, TreeRow>> {
  const rows: Json[] = await app.roster.db.knex('ous').where({ tenantId }).select('id', 'parentId', 'path', 'name');
  return Object.fromEntries(rows.map((r) => [r.path as string, { id: r.id, parentId: r.parentId, name: r.name }]));
}

async function listOus(tenantId: string, query = '') {
  const res = await app.http.get(`${ousUrl(tenantId)}${query}`).set(app.rootAuth);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res;
}
const pathsOf = (res: { body: Json }) => (res.body.data as Json[]).map((o) => o.path);

const userOuPath = async (tenantId: string, userId: string) => {
  const res = await app.http.get(`${usersBase(tenantId)}/${userId}`).set(app.rootAuth);
  expect(res.status).toBe(200);
  return res.body.data.ou_path as string | null;
};
const userOuId = async (userId: string) => (await app.roster.db.knex('users').where({ id: userId }).first('ouId')).ouId as string | null;

describe('POST /api/v1/tenants/{t}/ous', () => {
  it('creates a unit at the root and one under it, each with its path', async () => {
    const t = await createTenant(app);
    const res = await app.http.post(ousUrl(t.id)).set(app.rootAuth).set('X-Request-Id', 'ou-create-1').send({ name: 'Sales', description: 'Everyone who sells' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const sales = res.body.data;
    expect(sales).toEqual({
      id: expect.any(String), tenant_id: t.id, parent_id: null, name: 'Sales', path: '/Sales', description: 'Everyone who sells',
      user_count: 0, child_count: 0, created_at: expect.stringMatching(ISO), updated_at: expect.stringMatching(ISO),
    });

    const emea = await mkOu(t.id, '  EMEA ', sales.id);
    expect(emea).toMatchObject({ tenant_id: t.id, parent_id: sales.id, name: 'EMEA', path: '/Sales/EMEA', description: null, user_count: 0, child_count: 0 });
    const paris = await mkOu(t.id, 'Paris', emea.id);
    expect(paris.path).toBe('/Sales/EMEA/Paris');

    // The stored rows agree, and the parent now counts its child.
    expect(await treeOf(t.id)).toEqual({
      '/Sales': { id: sales.id, parentId: null, name: 'Sales' },
      '/Sales/EMEA': { id: emea.id, parentId: sales.id, name: 'EMEA' },
      '/Sales/EMEA/Paris': { id: paris.id, parentId: emea.id, name: 'Paris' },
    });
    expect((await getOu(t.id, sales.id)).body.data).toMatchObject({ child_count: 1, user_count: 0 });

    const events = await eventsFor(app.roster.db.knex, sales.id, 'ou.created');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ tenantId: t.id, actorType: 'user', actorId: rootId, subjectType: 'ou', requestId: 'ou-create-1' });
    expect(events[0].details).toEqual({ name: 'Sales', path: '/Sales' });
    expect((await eventsFor(app.roster.db.knex, emea.id, 'ou.created'))[0].details).toEqual({ name: 'EMEA', path: '/Sales/EMEA' });
  });

  it('a sibling with the same name is a 409; the same name elsewhere in the tree is fine', async () => {
    const t = await createTenant(app);
    const tree = await mkTree(t.id, ['/Sales', '/Sales/EMEA', '/Support']);
    expectError(await app.http.post(ousUrl(t.id)).set(app.rootAuth).send({ name: 'Sales' }), 409, 'conflict', 'name');
    expectError(await app.http.post(ousUrl(t.id)).set(app.rootAuth).send({ name: 'EMEA', parent_id: tree['/Sales'].id }), 409, 'conflict', 'name');
    // Same name under another parent, or at the root, is another path.
    expect((await mkOu(t.id, 'EMEA', tree['/Support'].id)).path).toBe('/Support/EMEA');
    expect((await mkOu(t.id, 'EMEA')).path).toBe('/EMEA');
    // Another tenant may have its own /Sales.
    const other = await createTenant(app);
    expect((await mkOu(other.id, 'Sales')).path).toBe('/Sales');
    expect(Object.keys(await treeOf(t.id)).sort()).toEqual(['/EMEA', '/Sales', '/Sales/EMEA', '/Support', '/Support/EMEA']);
  });

  it('an unknown parent, another tenant\'s unit as parent, a name with "/" or an empty name are 422s; nothing is created', async () => {
    const t = await createTenant(app);
    const other = await createTenant(app);
    const foreign = await mkOu(other.id, 'Foreign');
    const post = (body: Record<string, unknown>) => app.http.post(ousUrl(t.id)).set(app.rootAuth).send(body);

    expectValidation(await post({ name: 'X', parent_id: crypto.randomUUID() }), [['body', 'parent_id']]);
    expectValidation(await post({ name: 'X', parent_id: foreign.id }), [['body', 'parent_id']]);
    expectValidation(await post({ name: 'X', parent_id: 'not-a-uuid' }), [['body', 'parent_id']]);
    expectValidation(await post({ name: 'Sales/EMEA' }), [['body', 'name']]);
    expectValidation(await post({ name: '/' }), [['body', 'name']]);
    expectValidation(await post({ name: '   ' }), [['body', 'name']]);
    expectValidation(await post({}), [['body', 'name']]);
    expectValidation(await post({ name: 'X', colour: 'red' }), [['body', 'colour']]);
    expect(Number((await app.roster.db.knex('ous').where({ tenantId: t.id }).count({ n: '*' }).first())!.n)).toBe(0);
  });
});

describe('GET /api/v1/tenants/{t}/ous/{id}', () => {
  it('answers the unit with its counts of live users and child units', async () => {
    const t = await createTenant(app);
    const tree = await mkTree(t.id, ['/Sales', '/Sales/EMEA', '/Sales/APAC']);
    await createPlainUser(app, t.id, { ou_id: tree['/Sales'].id });
    await createPlainUser(app, t.id, { ou_id: tree['/Sales'].id });
    const gone = await createPlainUser(app, t.id, { ou_id: tree['/Sales'].id });
    expect((await app.http.delete(`${usersBase(t.id)}/${gone.id}?confirm_email=${gone.email}`).set(app.rootAuth)).status).toBe(204);
    await createPlainUser(app, t.id, { ou_id: tree['/Sales/EMEA'].id });

    const res = await getOu(t.id, tree['/Sales'].id);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ ...tree['/Sales'], user_count: 2, child_count: 2, updated_at: expect.stringMatching(ISO) });
    expect((await getOu(t.id, tree['/Sales/EMEA'].id)).body.data).toMatchObject({ user_count: 1, child_count: 0 });
  });

  it('404 for an unknown or malformed id and for another tenant\'s unit, whoever asks', async () => {
    const t = await createTenant(app);
    const other = await app.tenantWithUser('tenant_admin');
    const foreign = await mkOu(other.tenantId, 'Foreign');
    const mine = await mkOu(t.id, 'Mine');
    for (const id of [crypto.randomUUID(), 'nope', foreign.id]) expectError(await getOu(t.id, id), 404, 'not_found');
    // A tenant admin asking through its own tenant for another tenant's unit, or for the other tenant.
    const admin = await app.tenantWithUser('tenant_admin');
    expectError(await app.http.get(ouUrl(admin.tenantId, foreign.id)).set(admin.auth), 404, 'not_found');
    expectError(await app.http.get(ouUrl(t.id, mine.id)).set(admin.auth), 404, 'not_found');
    expectError(await app.http.get(ousUrl(t.id)).set(admin.auth), 404, 'not_found');
    expectError(await app.http.patch(ouUrl(admin.tenantId, foreign.id)).set(admin.auth).send({ name: 'Mine now' }), 404, 'not_found');
    expectError(await app.http.delete(ouUrl(admin.tenantId, foreign.id)).set(admin.auth), 404, 'not_found');
    expectError(await app.http.patch(ouUrl(t.id, mine.id)).set(admin.auth).send({ name: 'Mine now' }), 404, 'not_found');
    expectError(await app.http.delete(ouUrl(t.id, mine.id)).set(admin.auth), 404, 'not_found');
    expectError(await app.http.post(ousUrl(t.id)).set(admin.auth).send({ name: 'Intruder' }), 404, 'not_found');
    expect((await getOu(other.tenantId, foreign.id)).body.data).toMatchObject({ name: 'Foreign', path: '/Foreign' });
    expect(Object.keys(await treeOf(t.id))).toEqual(['/Mine']);
  });
});

describe('GET /api/v1/tenants/{t}/ous (list)', () => {
  let t: { id: string; slug: string };
  let tree: Record<string, Json>;
  beforeAll(async () => {
    t = await createTenant(app);
    // Created out of order, and with names holding characters that sort before "/".
    tree = await mkTree(t.id, ['/Support', '/Sales', '/Sales-Ops', '/Sales/EMEA', '/Sales/APAC', '/Sales/EMEA/Paris', '/Sales/EMEA Central', '/Support/Tier 1']);
    for (const p of ['/Sales', '/Sales/EMEA', '/Sales/EMEA', '/Sales/EMEA/Paris']) await createPlainUser(app, t.id, { ou_id: tree[p].id });
  });

  it('lists the tree depth-first by default, each unit with its counts', async () => {
    const res = await listOus(t.id);
    expect(pathsOf(res)).toEqual([
      '/Sales', '/Sales/APAC', '/Sales/EMEA', '/Sales/EMEA/Paris', '/Sales/EMEA Central', '/Sales-Ops', '/Support', '/Support/Tier 1',
    ]);
    expect(res.body.pagination).toEqual({ page: 1, per_page: 20, total_items: 8, total_pages: 1 });
    const byPath = Object.fromEntries((res.body.data as Json[]).map((o) => [o.path, o]));
    expect(byPath['/Sales']).toEqual({ ...tree['/Sales'], user_count: 1, child_count: 3, updated_at: expect.stringMatching(ISO) });
    expect(byPath['/Sales/EMEA']).toMatchObject({ parent_id: tree['/Sales'].id, user_count: 2, child_count: 1 });
    expect(byPath['/Sales/EMEA/Paris']).toMatchObject({ parent_id: tree['/Sales/EMEA'].id, user_count: 1, child_count: 0 });
    expect(byPath['/Support']).toMatchObject({ user_count: 0, child_count: 1 });
    // sort_order=desc is the same walk backwards.
    expect(pathsOf(await listOus(t.id, '?sort_order=desc'))).toEqual(pathsOf(res).reverse());
  });

  it('parent_id lists one unit\'s children; roots=true the top level', async () => {
    expect(pathsOf(await listOus(t.id, `?parent_id=${tree['/Sales'].id}`))).toEqual(['/Sales/APAC', '/Sales/EMEA', '/Sales/EMEA Central']);
    expect(pathsOf(await listOus(t.id, `?parent_id=${tree['/Sales/EMEA/Paris'].id}`))).toEqual([]);
    expect(pathsOf(await listOus(t.id, '?roots=true'))).toEqual(['/Sales', '/Sales-Ops', '/Support']);
    const res = await listOus(t.id, '?roots=true&per_page=2');
    expect(res.body.pagination).toEqual({ page: 1, per_page: 2, total_items: 3, total_pages: 2 });
  });

  it('search matches names case-insensitively, not paths', async () => {
    expect(pathsOf(await listOus(t.id, '?search=emea'))).toEqual(['/Sales/EMEA', '/Sales/EMEA Central']);
    expect(pathsOf(await listOus(t.id, '?search=SALES'))).toEqual(['/Sales', '/Sales-Ops']);
    expect(pathsOf(await listOus(t.id, '?search=paris'))).toEqual(['/Sales/EMEA/Paris']);
    expect(pathsOf(await listOus(t.id, '?search=%25'))).toEqual([]);
    expect(pathsOf(await listOus(t.id, '?search=nothing-like-it'))).toEqual([]);
  });

  it('pages through the tree with page/per_page and offset/limit', async () => {
    const all = pathsOf(await listOus(t.id));
    const p2 = await listOus(t.id, '?page=2&per_page=3');
    expect(pathsOf(p2)).toEqual(all.slice(3, 6));
    expect(p2.body.pagination).toEqual({ page: 2, per_page: 3, total_items: 8, total_pages: 3 });
    expect(pathsOf(await listOus(t.id, '?page=3&per_page=3'))).toEqual(all.slice(6));
    expect(pathsOf(await listOus(t.id, '?offset=5&limit=2'))).toEqual(all.slice(5, 7));
    expect(pathsOf(await listOus(t.id, '?page=9&per_page=3'))).toEqual([]);
  });

  it('sort_by=name orders by name; an unknown sort_by is a 422', async () => {
    expect((await listOus(t.id, '?sort_by=name')).body.data.map((o: Json) => o.name)).toEqual(
      ['APAC', 'EMEA', 'EMEA Central', 'Paris', 'Sales', 'Sales-Ops', 'Support', 'Tier 1'],
    );
    expectValidation(await app.http.get(`${ousUrl(t.id)}?sort_by=user_count`).set(app.rootAuth), [['query', 'sort_by']]);
  });

  it('another tenant\'s units never show up', async () => {
    const other = await createTenant(app);
    await mkOu(other.id, 'Sales');
    const res = await listOus(other.id);
    expect(pathsOf(res)).toEqual(['/Sales']);
    expect(pathsOf(await listOus(t.id, '?search=sales'))).toEqual(['/Sales', '/Sales-Ops']);
  });
});

describe('PATCH /api/v1/tenants/{t}/ous/{id} (rename and move)', () => {
  it('a rename rewrites the path of every unit below, and users\' ou_path follows', async () => {
    const t = await createTenant(app);
    const tree = await mkTree(t.id, ['/Sales', '/Sales/EMEA', '/Sales/EMEA/France', '/Sales/EMEA/France/Paris', '/Salesforce', '/Support']);
    const deep = await createPlainUser(app, t.id, { ou_id: tree['/Sales/EMEA/France/Paris'].id });
    const top = await createPlainUser(app, t.id, { ou_id: tree['/Sales'].id });
    const elsewhere = await createPlainUser(app, t.id, { ou_id: tree['/Salesforce'].id });

    const res = await app.http.patch(ouUrl(t.id, tree['/Sales'].id)).set(app.rootAuth).set('X-Request-Id', 'ou-rename-1').send({ name: 'Revenue', description: 'Was Sales' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({ id: tree['/Sales'].id, name: 'Revenue', path: '/Revenue', parent_id: null, description: 'Was Sales', user_count: 1, child_count: 1 });

    expect(await treeOf(t.id)).toEqual({
      '/Revenue': { id: tree['/Sales'].id, parentId: null, name: 'Revenue' },
      '/Revenue/EMEA': { id: tree['/Sales/EMEA'].id, parentId: tree['/Sales'].id, name: 'EMEA' },
      '/Revenue/EMEA/France': { id: tree['/Sales/EMEA/France'].id, parentId: tree['/Sales/EMEA'].id, name: 'France' },
      '/Revenue/EMEA/France/Paris': { id: tree['/Sales/EMEA/France/Paris'].id, parentId: tree['/Sales/EMEA/France'].id, name: 'Paris' },
      // A unit whose name merely starts with the old name is not below it.
      '/Salesforce': { id: tree['/Salesforce'].id, parentId: null, name: 'Salesforce' },
      '/Support': { id: tree['/Support'].id, parentId: null, name: 'Support' },
    });
    expect(await userOuPath(t.id, deep.id)).toBe('/Revenue/EMEA/France/Paris');
    expect(await userOuPath(t.id, top.id)).toBe('/Revenue');
    expect(await userOuPath(t.id, elsewhere.id)).toBe('/Salesforce');
    const listed = await app.http.get(`${usersBase(t.id)}?ou_id=${tree['/Sales/EMEA/France/Paris'].id}`).set(app.rootAuth);
    expect(listed.body.data.map((u: Json) => [u.id, u.ou_path])).toEqual([[deep.id, '/Revenue/EMEA/France/Paris']]);

    const events = await eventsFor(app.roster.db.knex, tree['/Sales'].id, 'ou.updated');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ tenantId: t.id, actorType: 'user', actorId: rootId, subjectType: 'ou', requestId: 'ou-rename-1' });
    expect(events[0].details).toMatchObject({ from_path: '/Sales', to_path: '/Revenue' });
    expect(await eventsFor(app.roster.db.knex, tree['/Sales'].id, 'ou.moved')).toEqual([]);
  });

  it('names with LIKE wildcards move only their own subtree', async () => {
    const t = await createTenant(app);
    const tree = await mkTree(t.id, ['/50%', '/50%/a_b', '/50%/a_b/c', '/50x', '/50x/y', '/axb']);
    expect((await patchOu(t.id, tree['/50%'].id, { name: 'Half' })).body.data.path).toBe('/Half');
    expect((await patchOu(t.id, tree['/50%/a_b'].id, { parent_id: null })).body.data.path).toBe('/a_b');
    expect(Object.keys(await treeOf(t.id)).sort()).toEqual(['/50x', '/50x/y', '/Half', '/a_b', '/a_b/c', '/axb']);
  });

  it('renaming to a sibling\'s name is a 409 and changes nothing', async () => {
    const t = await createTenant(app);
    const tree = await mkTree(t.id, ['/Sales', '/Sales/EMEA', '/Support']);
    const before = await treeOf(t.id);
    expectError(await patchOu(t.id, tree['/Sales'].id, { name: 'Support' }), 409, 'conflict', 'name');
    expectValidation(await patchOu(t.id, tree['/Sales'].id, { name: 'A/B' }), [['body', 'name']]);
    expect(await treeOf(t.id)).toEqual(before);
    expect(await eventsFor(app.roster.db.knex, tree['/Sales'].id, 'ou.updated')).toEqual([]);
  });

  it('a new parent_id moves the unit with everything below it (3 levels), and null moves it to the root', async () => {
    const t = await createTenant(app);
    const tree = await mkTree(t.id, ['/Sales', '/Sales/EMEA', '/Sales/EMEA/France', '/Sales/EMEA/France/Paris', '/Sales/EMEA/France/Paris/Nord', '/Regions']);
    const u = await createPlainUser(app, t.id, { ou_id: tree['/Sales/EMEA/France/Paris/Nord'].id });
    const v = await createPlainUser(app, t.id, { ou_id: tree['/Sales/EMEA'].id });

    const moved = await app.http.patch(ouUrl(t.id, tree['/Sales/EMEA'].id)).set(app.rootAuth).set('X-Request-Id', 'ou-move-1').send({ parent_id: tree['/Regions'].id });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.data).toMatchObject({ id: tree['/Sales/EMEA'].id, parent_id: tree['/Regions'].id, name: 'EMEA', path: '/Regions/EMEA', user_count: 1, child_count: 1 });
    expect(await treeOf(t.id)).toEqual({
      '/Sales': { id: tree['/Sales'].id, parentId: null, name: 'Sales' },
      '/Regions': { id: tree['/Regions'].id, parentId: null, name: 'Regions' },
      '/Regions/EMEA': { id: tree['/Sales/EMEA'].id, parentId: tree['/Regions'].id, name: 'EMEA' },
      '/Regions/EMEA/France': { id: tree['/Sales/EMEA/France'].id, parentId: tree['/Sales/EMEA'].id, name: 'France' },
      '/Regions/EMEA/France/Paris': { id: tree['/Sales/EMEA/France/Paris'].id, parentId: tree['/Sales/EMEA/France'].id, name: 'Paris' },
      '/Regions/EMEA/France/Paris/Nord': { id: tree['/Sales/EMEA/France/Paris/Nord'].id, parentId: tree['/Sales/EMEA/France/Paris'].id, name: 'Nord' },
    });
    expect(await userOuPath(t.id, u.id)).toBe('/Regions/EMEA/France/Paris/Nord');
    expect(await userOuPath(t.id, v.id)).toBe('/Regions/EMEA');
    expect((await getOu(t.id, tree['/Sales'].id)).body.data.child_count).toBe(0);
    expect((await getOu(t.id, tree['/Regions'].id)).body.data.child_count).toBe(1);

    const events = await eventsFor(app.roster.db.knex, tree['/Sales/EMEA'].id, 'ou.moved');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ tenantId: t.id, actorId: rootId, subjectType: 'ou', requestId: 'ou-move-1' });
    expect(events[0].details).toMatchObject({ from_path: '/Sales/EMEA', to_path: '/Regions/EMEA' });

    // To the root, renamed on the way.
    const root = await patchOu(t.id, tree['/Sales/EMEA/France'].id, { parent_id: null, name: 'FR' });
    expect(root.status, JSON.stringify(root.body)).toBe(200);
    expect(root.body.data).toMatchObject({ parent_id: null, name: 'FR', path: '/FR' });
    expect(Object.keys(await treeOf(t.id)).sort()).toEqual(['/FR', '/FR/Paris', '/FR/Paris/Nord', '/Regions', '/Regions/EMEA', '/Sales']);
    expect((await treeOf(t.id))['/FR/Paris'].parentId).toBe(tree['/Sales/EMEA/France'].id);
    expect(await userOuPath(t.id, u.id)).toBe('/FR/Paris/Nord');
    const rootEvents = await eventsFor(app.roster.db.knex, tree['/Sales/EMEA/France'].id, 'ou.moved');
    expect(rootEvents.map((e: Json) => [e.details.from_path, e.details.to_path])).toEqual([['/Regions/EMEA/France', '/FR']]);

    // parent_id equal to the current parent, without a new name, moves nothing.
    const same = await patchOu(t.id, tree['/Sales/EMEA/France/Paris'].id, { parent_id: tree['/Sales/EMEA/France'].id });
    expect(same.status).toBe(200);
    expect(same.body.data.path).toBe('/FR/Paris');
    expect(await eventsFor(app.roster.db.knex, tree['/Sales/EMEA/France/Paris'].id, 'ou.moved')).toEqual([]);
  });

  it('moving a unit under itself or any of its descendants is a 409 and changes nothing', async () => {
    const t = await createTenant(app);
    const tree = await mkTree(t.id, ['/A', '/A/B', '/A/B/C', '/A/B/C/D', '/Other']);
    await createPlainUser(app, t.id, { ou_id: tree['/A/B/C/D'].id });
    const before = await treeOf(t.id);
    for (const target of ['/A', '/A/B', '/A/B/C', '/A/B/C/D']) {
      expectError(await patchOu(t.id, tree['/A'].id, { parent_id: tree[target].id }), 409, 'conflict', 'parent_id');
    }
    expectError(await patchOu(t.id, tree['/A/B'].id, { parent_id: tree['/A/B/C/D'].id, name: 'Renamed' }), 409, 'conflict', 'parent_id');
    expect(await treeOf(t.id)).toEqual(before);
    for (const o of Object.values(tree)) {
      expect(await eventsFor(app.roster.db.knex, o.id, 'ou.moved')).toEqual([]);
      expect(await eventsFor(app.roster.db.knex, o.id, 'ou.updated')).toEqual([]);
    }
  });

  it('two opposite moves at the same time cannot make a loop', async () => {
    const t = await createTenant(app);
    for (let i = 0; i < 8; i++) {
      const tree = await mkTree(t.id, [`/X${i}`, `/X${i}/Below`, `/Y${i}`]);
      const [xy, yx] = await Promise.all([
        patchOu(t.id, tree[`/X${i}`].id, { parent_id: tree[`/Y${i}`].id }),
        patchOu(t.id, tree[`/Y${i}`].id, { parent_id: tree[`/X${i}`].id }),
      ]);
      expect([xy.status, yx.status].sort(), JSON.stringify([xy.body, yx.body])).toEqual([200, 409]);
      // Whichever won, the tree is consistent: parents exist, and each path is its parent's plus its name.
      const rows = Object.entries(await treeOf(t.id)).filter(([p]) => p.includes(`X${i}`) || p.includes(`Y${i}`));
      const byId = new Map(rows.map(([p, r]) => [r.id, p]));
      for (const [p, r] of rows) {
        expect(p).toBe(`${r.parentId ? byId.get(r.parentId) : ''}/${r.name}`);
      }
      expect(rows).toHaveLength(3);
    }
  });

  it('moving next to a unit of the same name is a 409; an unknown or foreign parent a 422; nothing changes', async () => {
    const t = await createTenant(app);
    const other = await createTenant(app);
    const foreign = await mkOu(other.id, 'Foreign');
    const tree = await mkTree(t.id, ['/Sales', '/Sales/EMEA', '/Sales/EMEA/Paris', '/Regions', '/Regions/EMEA']);
    const before = await treeOf(t.id);
    expectError(await patchOu(t.id, tree['/Sales/EMEA'].id, { parent_id: tree['/Regions'].id }), 409, 'conflict', 'name');
    expectValidation(await patchOu(t.id, tree['/Sales/EMEA'].id, { parent_id: crypto.randomUUID() }), [['body', 'parent_id']]);
    expectValidation(await patchOu(t.id, tree['/Sales/EMEA'].id, { parent_id: foreign.id }), [['body', 'parent_id']]);
    expect(await treeOf(t.id)).toEqual(before);
  });
});

describe('DELETE /api/v1/tenants/{t}/ous/{id}', () => {
  it('an empty unit is deleted and the deletion recorded', async () => {
    const t = await createTenant(app);
    const tree = await mkTree(t.id, ['/Sales', '/Sales/EMEA']);
    const res = await app.http.delete(ouUrl(t.id, tree['/Sales/EMEA'].id)).set(app.rootAuth).set('X-Request-Id', 'ou-del-1');
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(Object.keys(await treeOf(t.id))).toEqual(['/Sales']);
    expectError(await getOu(t.id, tree['/Sales/EMEA'].id), 404, 'not_found');
    expectError(await deleteOu(t.id, tree['/Sales/EMEA'].id), 404, 'not_found');
    const events = await eventsFor(app.roster.db.knex, tree['/Sales/EMEA'].id, 'ou.deleted');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ tenantId: t.id, actorId: rootId, subjectType: 'ou', requestId: 'ou-del-1' });
    expect(events[0].details).toMatchObject({ path: '/Sales/EMEA', cascade: 'none' });
  });

  it('a unit holding units or users is a 409 without cascade, and nothing changes', async () => {
    const t = await createTenant(app);
    const tree = await mkTree(t.id, ['/Sales', '/Sales/EMEA', '/Support']);
    const u = await createPlainUser(app, t.id, { ou_id: tree['/Support'].id });
    const before = await treeOf(t.id);
    expectError(await deleteOu(t.id, tree['/Sales'].id), 409, 'conflict');
    expectError(await deleteOu(t.id, tree['/Sales'].id, 'none'), 409, 'conflict');
    expectError(await deleteOu(t.id, tree['/Support'].id), 409, 'conflict');
    expectValidation(await deleteOu(t.id, tree['/Support'].id, 'everything'), [['query', 'cascade']]);
    expect(await treeOf(t.id)).toEqual(before);
    expect(await userOuId(u.id)).toBe(tree['/Support'].id);
    expect(await eventsFor(app.roster.db.knex, tree['/Sales'].id, 'ou.deleted')).toEqual([]);
  });

  it('a unit whose only users were deleted is empty and can go', async () => {
    const t = await createTenant(app);
    const tree = await mkTree(t.id, ['/Gone']);
    const u = await createPlainUser(app, t.id, { ou_id: tree['/Gone'].id });
    expect((await app.http.delete(`${usersBase(t.id)}/${u.id}?confirm_email=${u.email}`).set(app.rootAuth)).status).toBe(204);
    expect((await getOu(t.id, tree['/Gone'].id)).body.data.user_count).toBe(0);
    const res = await deleteOu(t.id, tree['/Gone'].id);
    expect(res.status, JSON.stringify(res.body)).toBe(204);
    expect(await treeOf(t.id)).toEqual({});
    // The deleted user is still there (restorable), just no longer in a unit.
    const row = await app.roster.db.knex('users').where({ id: u.id }).first();
    expect(row.deletedAt).not.toBeNull();
    expect(row.ouId).toBeNull();
  });

  it('cascade=reparent moves child units (with their subtrees) and users to the parent', async () => {
    const t = await createTenant(app);
    const tree = await mkTree(t.id, ['/Sales', '/Sales/EMEA', '/Sales/EMEA/France', '/Sales/EMEA/France/Paris', '/Sales/EMEA/Germany', '/Sales/APAC']);
    const inEmea = await createPlainUser(app, t.id, { ou_id: tree['/Sales/EMEA'].id });
    const inEmea2 = await createPlainUser(app, t.id, { ou_id: tree['/Sales/EMEA'].id });
    const inParis = await createPlainUser(app, t.id, { ou_id: tree['/Sales/EMEA/France/Paris'].id });
    const inSales = await createPlainUser(app, t.id, { ou_id: tree['/Sales'].id });

    const res = await app.http.delete(`${ouUrl(t.id, tree['/Sales/EMEA'].id)}?cascade=reparent`).set(app.rootAuth);
    expect(res.status, JSON.stringify(res.body)).toBe(204);
    expect(await treeOf(t.id)).toEqual({
      '/Sales': { id: tree['/Sales'].id, parentId: null, name: 'Sales' },
      '/Sales/APAC': { id: tree['/Sales/APAC'].id, parentId: tree['/Sales'].id, name: 'APAC' },
      '/Sales/France': { id: tree['/Sales/EMEA/France'].id, parentId: tree['/Sales'].id, name: 'France' },
      '/Sales/France/Paris': { id: tree['/Sales/EMEA/France/Paris'].id, parentId: tree['/Sales/EMEA/France'].id, name: 'Paris' },
      '/Sales/Germany': { id: tree['/Sales/EMEA/Germany'].id, parentId: tree['/Sales'].id, name: 'Germany' },
    });
    for (const u of [inEmea, inEmea2, inSales]) {
      expect(await userOuId(u.id)).toBe(tree['/Sales'].id);
      expect(await userOuPath(t.id, u.id)).toBe('/Sales');
    }
    expect(await userOuPath(t.id, inParis.id)).toBe('/Sales/France/Paris');
    expect((await getOu(t.id, tree['/Sales'].id)).body.data).toMatchObject({ user_count: 3, child_count: 3 });

    const [event] = await eventsFor(app.roster.db.knex, tree['/Sales/EMEA'].id, 'ou.deleted');
    expect(event.details).toEqual({ path: '/Sales/EMEA', cascade: 'reparent', users_moved: 2, units_moved: 2 });
  });

  it('cascade=reparent of a top-level unit makes its children roots and leaves its users unassigned', async () => {
    const t = await createTenant(app);
    const tree = await mkTree(t.id, ['/Sales', '/Sales/EMEA', '/Sales/EMEA/Paris']);
    const u = await createPlainUser(app, t.id, { ou_id: tree['/Sales'].id });
    expect((await deleteOu(t.id, tree['/Sales'].id, 'reparent')).status).toBe(204);
    expect(await treeOf(t.id)).toEqual({
      '/EMEA': { id: tree['/Sales/EMEA'].id, parentId: null, name: 'EMEA' },
      '/EMEA/Paris': { id: tree['/Sales/EMEA/Paris'].id, parentId: tree['/Sales/EMEA'].id, name: 'Paris' },
    });
    expect(await userOuId(u.id)).toBeNull();
    expect(await userOuPath(t.id, u.id)).toBeNull();
  });

  it('cascade=reparent works when a child has the name of the unit being deleted', async () => {
    const t = await createTenant(app);
    const tree = await mkTree(t.id, ['/Sales', '/Sales/Team', '/Sales/Team/Team', '/Sales/Team/Team/Leads', '/Sales/Team/Team/Team', '/Sales/Team/Team/Team/Team']);
    const u = await createPlainUser(app, t.id, { ou_id: tree['/Sales/Team/Team/Leads'].id });
    const w = await createPlainUser(app, t.id, { ou_id: tree['/Sales/Team/Team/Team/Team'].id });
    const res = await deleteOu(t.id, tree['/Sales/Team'].id, 'reparent');
    expect(res.status, JSON.stringify(res.body)).toBe(204);
    expect(await treeOf(t.id)).toEqual({
      '/Sales': { id: tree['/Sales'].id, parentId: null, name: 'Sales' },
      '/Sales/Team': { id: tree['/Sales/Team/Team'].id, parentId: tree['/Sales'].id, name: 'Team' },
      '/Sales/Team/Leads': { id: tree['/Sales/Team/Team/Leads'].id, parentId: tree['/Sales/Team/Team'].id, name: 'Leads' },
      '/Sales/Team/Team': { id: tree['/Sales/Team/Team/Team'].id, parentId: tree['/Sales/Team/Team'].id, name: 'Team' },
      '/Sales/Team/Team/Team': { id: tree['/Sales/Team/Team/Team/Team'].id, parentId: tree['/Sales/Team/Team/Team'].id, name: 'Team' },
    });
    expect(await userOuPath(t.id, u.id)).toBe('/Sales/Team/Leads');
    expect(await userOuPath(t.id, w.id)).toBe('/Sales/Team/Team/Team');
  });

  it('cascade=reparent that would put two units of one name side by side is a 409 and changes nothing', async () => {
    const t = await createTenant(app);
    const tree = await mkTree(t.id, ['/Sales', '/Sales/EMEA', '/Sales/EMEA/APAC', '/Sales/EMEA/Nordics', '/Sales/APAC']);
    const u = await createPlainUser(app, t.id, { ou_id: tree['/Sales/EMEA'].id });
    const before = await treeOf(t.id);
    expectError(await deleteOu(t.id, tree['/Sales/EMEA'].id, 'reparent'), 409, 'conflict');
    expect(await treeOf(t.id)).toEqual(before);
    expect(await userOuId(u.id)).toBe(tree['/Sales/EMEA'].id);
    expect(await eventsFor(app.roster.db.knex, tree['/Sales/EMEA'].id, 'ou.deleted')).toEqual([]);
  });

  it('cascade=subtree deletes every unit below; their users stay, unassigned', async () => {
    const t = await createTenant(app);
    const tree = await mkTree(t.id, ['/Sales', '/Sales/EMEA', '/Sales/EMEA/France', '/Sales/EMEA/France/Paris', '/Sales/APAC', '/Salesforce']);
    const users = await Promise.all(['/Sales/EMEA', '/Sales/EMEA/France/Paris', '/Sales/EMEA/France/Paris'].map((p) => createPlainUser(app, t.id, { ou_id: tree[p].id })));
    const keep = await createPlainUser(app, t.id, { ou_id: tree['/Sales/APAC'].id });
    const keep2 = await createPlainUser(app, t.id, { ou_id: tree['/Salesforce'].id });

    const res = await deleteOu(t.id, tree['/Sales/EMEA'].id, 'subtree');
    expect(res.status, JSON.stringify(res.body)).toBe(204);
    expect(Object.keys(await treeOf(t.id)).sort()).toEqual(['/Sales', '/Sales/APAC', '/Salesforce']);
    for (const u of users) {
      const row = await app.roster.db.knex('users').where({ id: u.id }).first();
      expect(row.ouId).toBeNull();
      expect(row.deletedAt).toBeNull();
      expect(await userOuPath(t.id, u.id)).toBeNull();
    }
    expect(await userOuId(keep.id)).toBe(tree['/Sales/APAC'].id);
    expect(await userOuId(keep2.id)).toBe(tree['/Salesforce'].id);
    const [event] = await eventsFor(app.roster.db.knex, tree['/Sales/EMEA'].id, 'ou.deleted');
    expect(event.details).toEqual({ path: '/Sales/EMEA', cascade: 'subtree', users_unassigned: 3, units_deleted: 3 });

    // The whole tree from the top.
    expect((await deleteOu(t.id, tree['/Sales'].id, 'subtree')).status).toBe(204);
    expect(Object.keys(await treeOf(t.id))).toEqual(['/Salesforce']);
    expect(await userOuId(keep.id)).toBeNull();
  });
});

describe('users list by unit', () => {
  it('ou_id lists the unit\'s own users; with include_descendants=true those of its whole subtree', async () => {
    const t = await createTenant(app);
    const tree = await mkTree(t.id, ['/Sales', '/Sales/EMEA', '/Sales/EMEA/Paris', '/Sales/EMEA/Paris/Nord', '/Salesforce', '/Support']);
    const label = new Map<string, string>();
    for (const [name, p] of [['top', '/Sales'], ['emea', '/Sales/EMEA'], ['paris', '/Sales/EMEA/Paris'], ['nord', '/Sales/EMEA/Paris/Nord'], ['sf', '/Salesforce'], ['sup', '/Support'], ['none', null]] as const) {
      const u = await createPlainUser(app, t.id, { ou_id: p ? tree[p].id : null });
      label.set(u.id, name);
    }
    const gone = await createPlainUser(app, t.id, { ou_id: tree['/Sales/EMEA'].id });
    expect((await app.http.delete(`${usersBase(t.id)}/${gone.id}?confirm_email=${gone.email}`).set(app.rootAuth)).status).toBe(204);
    const names = async (query: string) => {
      const res = await app.http.get(`${usersBase(t.id)}?${query}`).set(app.rootAuth);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return (res.body.data as Json[]).map((u) => label.get(u.id) ?? u.id).sort();
    };
    expect(await names(`ou_id=${tree['/Sales'].id}`)).toEqual(['top']);
    expect(await names(`ou_id=${tree['/Sales'].id}&include_descendants=false`)).toEqual(['top']);
    expect(await names(`ou_id=${tree['/Sales'].id}&include_descendants=true`)).toEqual(['emea', 'nord', 'paris', 'top']);
    expect(await names(`ou_id=${tree['/Sales/EMEA/Paris'].id}&include_descendants=true`)).toEqual(['nord', 'paris']);
    expect(await names(`ou_id=${tree['/Sales/EMEA/Paris/Nord'].id}&include_descendants=true`)).toEqual(['nord']);
    expect(await names(`ou_id=${tree['/Support'].id}&include_descendants=true`)).toEqual(['sup']);
    // After a move the subtree is what the tree now says.
    expect((await patchOu(t.id, tree['/Sales/EMEA/Paris'].id, { parent_id: tree['/Support'].id })).status).toBe(200);
    expect(await names(`ou_id=${tree['/Sales'].id}&include_descendants=true`)).toEqual(['emea', 'top']);
    expect(await names(`ou_id=${tree['/Support'].id}&include_descendants=true`)).toEqual(['nord', 'paris', 'sup']);
    const res = await app.http.get(`${usersBase(t.id)}?ou_id=${tree['/Support'].id}&include_descendants=true&per_page=1`).set(app.rootAuth);
    expect(res.body.pagination).toEqual({ page: 1, per_page: 1, total_items: 3, total_pages: 3 });
  });

  it('a unit of another tenant matches nobody', async () => {
    const t = await createTenant(app);
    const other = await createTenant(app);
    const foreign = await mkOu(other.id, 'Foreign');
    await createPlainUser(app, other.id, { ou_id: foreign.id });
    const res = await app.http.get(`${usersBase(t.id)}?ou_id=${foreign.id}&include_descendants=true`).set(app.rootAuth);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([]);
  });
});

describe('who may read and write units', () => {
  for (const role of ['viewer', 'helpdesk'] as const) {
    it(`a ${role} may read but gets 403 on every write`, async () => {
      const who = await app.tenantWithUser(role);
      const tree = await mkTree(who.tenantId, ['/Sales', '/Sales/EMEA']);
      const list = await app.http.get(ousUrl(who.tenantId)).set(who.auth);
      expect(list.status).toBe(200);
      expect(pathsOf(list)).toEqual(['/Sales', '/Sales/EMEA']);
      expect((await app.http.get(ouUrl(who.tenantId, tree['/Sales'].id)).set(who.auth)).body.data.path).toBe('/Sales');

      const before = await treeOf(who.tenantId);
      expectError(await app.http.post(ousUrl(who.tenantId)).set(who.auth).send({ name: 'New' }), 403, 'forbidden');
      expectError(await app.http.patch(ouUrl(who.tenantId, tree['/Sales'].id)).set(who.auth).send({ name: 'Renamed' }), 403, 'forbidden');
      expectError(await app.http.delete(ouUrl(who.tenantId, tree['/Sales/EMEA'].id)).set(who.auth), 403, 'forbidden');
      expectError(await app.http.delete(`${ouUrl(who.tenantId, tree['/Sales'].id)}?cascade=subtree`).set(who.auth), 403, 'forbidden');
      expect(await treeOf(who.tenantId)).toEqual(before);
    });
  }

  it('a plain user may not even read; a tenant admin may write in its own tenant', async () => {
    const user = await app.tenantWithUser('user');
    expectError(await app.http.get(ousUrl(user.tenantId)).set(user.auth), 403, 'forbidden');
    const admin = await app.tenantWithUser('tenant_admin');
    const sales = await mkOu(admin.tenantId, 'Sales', null, admin.auth);
    const emea = await mkOu(admin.tenantId, 'EMEA', sales.id, admin.auth);
    expect((await app.http.patch(ouUrl(admin.tenantId, emea.id)).set(admin.auth).send({ parent_id: null })).body.data.path).toBe('/EMEA');
    expect((await app.http.delete(ouUrl(admin.tenantId, sales.id)).set(admin.auth)).status).toBe(204);
    const [event] = await eventsFor(app.roster.db.knex, emea.id, 'ou.moved');
    expect(event.actorId).toBe(admin.user.id);
  });

  it('no token is a 401', async () => {
    const t = await createTenant(app);
    expectError(await app.http.get(ousUrl(t.id)), 401, 'unauthorized');
  });
});
