import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Json, type TestApp } from '../support/test-app';

/**
 * The SCIM service provider driven the way Entra ID's provisioning service and Okta's SCIM
 * tests drive it, plus the RFC's PATCH forms and each error case.
 */

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

let app: TestApp;
let tenantId: string;
let auth: { Authorization: string };

async function token(tenant: string, scopes: string[]) {
  const res = await app.http.post(`/api/v1/tenants/${tenant}/api-tokens`).set(app.rootAuth).send({ name: `scim-${scopes.join('-')}`, scopes });
  expect(res.status).toBe(201);
  return { Authorization: `Bearer ${res.body.data.token}` };
}

const scim = () => ({
  get: (path: string) => app.http.get(`/scim/v2${path}`).set(auth),
  post: (path: string, body: unknown) => app.http.post(`/scim/v2${path}`).set(auth).set('Content-Type', 'application/scim+json').send(JSON.stringify(body)),
  put: (path: string, body: unknown) => app.http.put(`/scim/v2${path}`).set(auth).set('Content-Type', 'application/scim+json').send(JSON.stringify(body)),
  patch: (path: string, ops: unknown[]) => app.http.patch(`/scim/v2${path}`).set(auth).set('Content-Type', 'application/scim+json').send(JSON.stringify({ schemas: [PATCH], Operations: ops })),
  del: (path: string) => app.http.delete(`/scim/v2${path}`).set(auth),
});

function expectError(res: { status: number; body: Json; headers: Record<string, string> }, status: number, scimType?: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/application\/scim\+json/);
  expect(res.body.schemas).toEqual([ERROR]);
  expect(res.body.status).toBe(String(status));
  if (scimType) expect(res.body.scimType).toBe(scimType);
  expect(typeof res.body.detail).toBe('string');
}

async function newUser(userName: string, extra: Json = {}) {
  const res = await scim().post('/Users', { schemas: [CORE], userName, emails: [{ value: userName, type: 'work', primary: true }], ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Json;
}

beforeAll(async () => {
  app = await createTestApp();
  const t = await app.http.post('/api/v1/tenants').set(app.rootAuth).send({ name: 'Scim Co', slug: 'scim-co' });
  tenantId = t.body.data.id;
  auth = await token(tenantId, ['scim']);
}, 60_000);
afterAll(() => app?.close());

describe('discovery', () => {
  it('describes what is supported', async () => {
    const spc = await scim().get('/ServiceProviderConfig');
    expect(spc.status).toBe(200);
    expect(spc.headers['content-type']).toMatch(/application\/scim\+json/);
    expect(spc.body).toMatchObject({ patch: { supported: true }, bulk: { supported: true }, filter: { supported: true, maxResults: 200 }, etag: { supported: true }, sort: { supported: true } });
    const types = await scim().get('/ResourceTypes');
    expect(types.body.Resources.map((r: Json) => r.id)).toEqual(['User', 'Group']);
    const schemas = await scim().get('/Schemas');
    expect(schemas.body.totalResults).toBe(4);
    const user = (await scim().get(`/Schemas/${CORE}`)).body;
    const userName = user.attributes.find((a: Json) => a.name === 'userName');
    expect(userName).toMatchObject({ required: true, uniqueness: 'server', caseExact: false, mutability: 'readWrite', returned: 'default' });
    expect(user.attributes.find((a: Json) => a.name === 'password')).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
    expect(user.attributes.find((a: Json) => a.name === 'groups')).toMatchObject({ mutability: 'readOnly' });
  });

  it('answers every attribute\'s characteristics, and unknown schemas and types with 404', async () => {
    const group = (await scim().get(`/Schemas/${GROUP}`)).body;
    expect(group.attributes.find((a: Json) => a.name === 'displayName')).toMatchObject({ required: true, uniqueness: 'server', caseExact: false });
    const members = group.attributes.find((a: Json) => a.name === 'members');
    expect(members.subAttributes.find((a: Json) => a.name === 'value')).toMatchObject({ mutability: 'immutable', caseExact: true });
    for (const doc of (await scim().get('/Schemas')).body.Resources as Json[]) {
      for (const a of doc.attributes as Json[]) expect(Object.keys(a)).toEqual(expect.arrayContaining(['mutability', 'returned', 'uniqueness', 'caseExact', 'type', 'multiValued', 'required']));
    }
    expectError(await scim().get('/Schemas/urn:example:nothing'), 404);
    expectError(await scim().get('/ResourceTypes/Device'), 404);
  });
});

describe('Entra ID provisioning sequence', () => {
  let id: string;
  it('queries a user that does not exist yet: zero results', async () => {
    const res = await scim().get('/Users').query({ filter: 'userName eq "alice@contoso.com"' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
  });

  it('creates the user', async () => {
    const res = await scim().post('/Users', {
      schemas: [CORE, ENT], externalId: 'alice-ext', userName: 'alice@contoso.com', active: true, displayName: 'Alice A',
      emails: [{ primary: true, type: 'work', value: 'alice@contoso.com' }], name: { formatted: 'Alice A', familyName: 'Anders', givenName: 'Alice' },
      title: 'Engineer', phoneNumbers: [{ type: 'mobile', value: '+1 555 0100' }], addresses: [{ type: 'work', locality: 'Seattle', primary: true }],
      [ENT]: { employeeNumber: '42', department: 'R&D', organization: 'Contoso', manager: { value: 'boss-1' } }, roles: [],
    });
    expect(res.status).toBe(201);
    id = res.body.id;
    expect(res.headers.location).toBe(res.body.meta.location);
    expect(res.headers.etag).toBe('W/"1"');
    expect(res.body).toMatchObject({
      externalId: 'alice-ext', userName: 'alice@contoso.com', active: true, title: 'Engineer', name: { givenName: 'Alice', familyName: 'Anders' },
      emails: [{ value: 'alice@contoso.com', type: 'work', primary: true }], addresses: [{ locality: 'Seattle' }],
      [ENT]: { employeeNumber: '42', department: 'R&D', organization: 'Contoso', manager: { value: 'boss-1' } },
      meta: { resourceType: 'User', version: 'W/"1"' },
    });
    expect(res.body.meta.location).toMatch(new RegExp(`/scim/v2/Users/${id}$`));
    expect(res.body.password).toBeUndefined();
    // The same row the REST API serves, marked as provisioned by SCIM.
    const rest = await app.http.get(`/api/v1/tenants/${tenantId}/users/${id}`).set(app.rootAuth);
    expect(rest.body.data).toMatchObject({ identity_source: 'SCIM', username: 'alice@contoso.com', job_title: 'Engineer', company: 'Contoso', status: 'ACTIVE' });
  });

  it('finds it by userName and by externalId, and gets it', async () => {
    const q = await scim().get('/Users').query({ filter: 'userName eq "ALICE@contoso.com"' });
    expect(q.body.totalResults).toBe(1);
    expect(q.body.Resources[0].id).toBe(id);
    expect((await scim().get('/Users').query({ filter: 'externalId eq "alice-ext"' })).body.totalResults).toBe(1);
    expect((await scim().get('/Users').query({ filter: 'externalId eq "ALICE-EXT"' })).body.totalResults).toBe(0);
    const one = await scim().get(`/Users/${id}`);
    expect(one.status).toBe(200);
    expect(one.headers.etag).toBe(one.body.meta.version);
  });

  it('updates with its PATCH dialect', async () => {
    const res = await scim().patch(`/Users/${id}`, [
      { op: 'Replace', path: 'displayName', value: 'Alice Anders' },
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'alice.anders@contoso.com' },
      { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+1 555 0199' },
      { op: 'Replace', path: `${ENT}:department`, value: 'Platform' },
      { op: 'Replace', path: 'name.givenName', value: 'Alicia' },
      { op: 'Replace', value: { 'name.familyName': 'Andersen', title: 'Staff Engineer' } },
      { op: 'Remove', path: 'addresses' },
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ displayName: 'Alice Anders', title: 'Staff Engineer', name: { givenName: 'Alicia', familyName: 'Andersen' }, [ENT]: { department: 'Platform' } });
    expect(res.body.emails[0]).toMatchObject({ value: 'alice.anders@contoso.com', primary: true });
    expect(res.body.phoneNumbers.map((p: Json) => p.value).sort()).toEqual(['+1 555 0100', '+1 555 0199']);
    expect(res.body.addresses).toBeUndefined();
    expect(res.body.meta.version).not.toBe('W/"1"');
  });

  it('sets and removes the manager the way Entra ID sends it: the id as a plain value', async () => {
    const set = await scim().patch(`/Users/${id}`, [{ op: 'Add', path: `${ENT}:manager`, value: 'boss-2' }]);
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body[ENT].manager).toEqual({ value: 'boss-2' });
    expect((await scim().get('/Users').query({ filter: `${ENT}:manager eq "boss-2"` })).body.Resources.map((r: Json) => r.id)).toEqual([id]);
    const removed = await scim().patch(`/Users/${id}`, [{ op: 'Remove', path: `${ENT}:manager` }]);
    expect(removed.body[ENT].manager).toBeUndefined();
    expect(removed.body[ENT].department).toBe('Platform');
  });

  it('disables with "False" as a string, and re-enables', async () => {
    const off = await scim().patch(`/Users/${id}`, [{ op: 'Replace', path: 'active', value: 'False' }]);
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    const rest = await app.http.get(`/api/v1/tenants/${tenantId}/users/${id}`).set(app.rootAuth);
    expect(rest.body.data.status).toBe('DISABLED');
    expect((await scim().get('/Users').query({ filter: 'active eq false' })).body.Resources.map((r: Json) => r.id)).toContain(id);
    const on = await scim().patch(`/Users/${id}`, [{ op: 'replace', path: 'active', value: true }]);
    expect(on.body.active).toBe(true);
  });

  it('writes the same activity events as REST, with the token as actor', async () => {
    const res = await app.http.get(`/api/v1/tenants/${tenantId}/audit-events`).set(app.rootAuth).query({ action: 'user.*', limit: 100 });
    expect(res.status).toBe(200);
    const mine = (res.body.data as Json[]).filter((e) => e.subject_id === id);
    expect(mine.map((e) => e.action)).toEqual(expect.arrayContaining(['user.created', 'user.updated', 'user.status_changed']));
    const tokens = await app.roster.db.knex('api_tokens').where({ tenantId }).pluck('id');
    expect(mine.every((e) => e.actor_type === 'token' && tokens.includes(e.actor_id))).toBe(true);
  });

  it('deletes the user', async () => {
    expect((await scim().del(`/Users/${id}`)).status).toBe(204);
    expectError(await scim().get(`/Users/${id}`), 404);
    expectError(await scim().del(`/Users/${id}`), 404);
  });
});

describe('Okta SCIM test sequence', () => {
  let id: string;
  it('creates, reads, queries, updates, deactivates', async () => {
    expect((await scim().get('/Users').query({ filter: 'userName eq "okta.user@example.com"', startIndex: 1, count: 100 })).body.totalResults).toBe(0);
    const created = await scim().post('/Users', {
      schemas: [CORE], userName: 'okta.user@example.com', name: { givenName: 'Okta', familyName: 'User' },
      emails: [{ primary: true, value: 'okta.user@example.com', type: 'work' }], displayName: 'Okta User', locale: 'en-US', externalId: '00u1', groups: [], password: 'Okta-Passw0rd!x', active: true,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    id = created.body.id;
    expect((await scim().get(`/Users/${id}`)).body.userName).toBe('okta.user@example.com');
    const list = await scim().get('/Users').query({ filter: 'userName eq "okta.user@example.com"', startIndex: 1, count: 100 });
    expect(list.body.totalResults).toBe(1);
    expect((await scim().get('/Users').query({ filter: 'userName eq "nobody@example.com"' })).body).toMatchObject({ totalResults: 0, Resources: [] });

    const put = await scim().put(`/Users/${id}`, { ...created.body, name: { givenName: 'Okta2', familyName: 'User' } });
    expect(put.status).toBe(200);
    expect(put.body.name.givenName).toBe('Okta2');

    const off = await scim().patch(`/Users/${id}`, [{ op: 'replace', value: { active: false } }]);
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
  });

  it('groups: create, query by displayName, add and remove members', async () => {
    const u1 = await newUser('m1@example.com');
    const u2 = await newUser('m2@example.com');
    expect((await scim().get('/Groups').query({ filter: 'displayName eq "Engineering"' })).body.totalResults).toBe(0);
    const g = await scim().post('/Groups', { schemas: [GROUP], displayName: 'Engineering', externalId: 'g-ext', members: [{ value: u1.id }] });
    expect(g.status, JSON.stringify(g.body)).toBe(201);
    expect(g.body.members).toEqual([expect.objectContaining({ value: u1.id, type: 'User' })]);
    const found = await scim().get('/Groups').query({ filter: 'displayName eq "engineering"' });
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].id).toBe(g.body.id);
    expect((await scim().get('/Groups').query({ filter: 'displayName eq "Engineering"', excludedAttributes: 'members' })).body.Resources[0].members).toBeUndefined();

    const add = await scim().patch(`/Groups/${g.body.id}`, [{ op: 'add', path: 'members', value: [{ value: u2.id, display: 'm2' }] }]);
    expect(add.body.members.map((m: Json) => m.value).sort()).toEqual([u1.id, u2.id].sort());
    const rm = await scim().patch(`/Groups/${g.body.id}`, [{ op: 'remove', path: `members[value eq "${u1.id}"]` }]);
    expect(rm.body.members.map((m: Json) => m.value)).toEqual([u2.id]);
    // Entra's form: remove listing members in the value.
    const rm2 = await scim().patch(`/Groups/${g.body.id}`, [{ op: 'Remove', path: 'members', value: [{ value: u2.id }] }]);
    expect(rm2.body.members).toBeUndefined();
    const rename = await scim().patch(`/Groups/${g.body.id}`, [{ op: 'replace', value: { id: g.body.id, displayName: 'Eng' } }]);
    expect(rename.body.displayName).toBe('Eng');

    // Entra ID asks whether a user is (still) a member with a filter on members.
    const asks = (filter: string) => scim().get('/Groups').query({ filter, attributes: 'id' });
    expect((await asks(`id eq "${g.body.id}" and members eq "${u1.id}"`)).body.totalResults).toBe(0);
    expect((await asks(`members[value eq "${u1.id}"] or members.value eq "${u2.id}"`)).body.totalResults).toBe(0);
    expect((await asks('members pr and displayName eq "Eng"')).body.totalResults).toBe(0);
    expect((await asks('not (members pr) and displayName eq "Eng"')).body.totalResults).toBe(1);

    // The user sees the group when asking for it.
    await scim().patch(`/Groups/${g.body.id}`, [{ op: 'add', path: 'members', value: [{ value: u1.id }] }]);
    expect((await asks(`id eq "${g.body.id}" and members eq "${u1.id}"`)).body.Resources).toEqual([{ schemas: [GROUP], id: g.body.id, meta: expect.any(Object) }]);
    expect((await asks(`members[value eq "${u1.id}"] or members.value eq "${u2.id}"`)).body.totalResults).toBe(1);
    expect((await asks(`members eq "${u2.id}"`)).body.totalResults).toBe(0);
    expect((await asks(`members ne "${u2.id}" and displayName eq "Eng"`)).body.totalResults).toBe(1);
    expect((await asks('members pr and displayName eq "Eng"')).body.totalResults).toBe(1);
    expect((await asks('members eq "not-an-id"')).body.totalResults).toBe(0);
    const withGroups = await scim().get(`/Users/${u1.id}`).query({ attributes: 'userName,groups' });
    expect(withGroups.body.groups).toEqual([expect.objectContaining({ value: g.body.id, display: 'Eng', type: 'direct' })]);
    expect(withGroups.body.emails).toBeUndefined();
    expect((await scim().get(`/Users/${u1.id}`)).body.groups).toBeUndefined();

    expect((await scim().del(`/Groups/${g.body.id}`)).status).toBe(204);
    expectError(await scim().get(`/Groups/${g.body.id}`), 404);
  });

  it('adds and removes hundreds of members in one PATCH', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) ids.push((await newUser(`bulk${i}@example.com`)).id);
    const g = await scim().post('/Groups', { schemas: [GROUP], displayName: 'Everyone' });
    const add = await scim().patch(`/Groups/${g.body.id}`, [{ op: 'Add', path: 'members', value: ids.map((value) => ({ value })) }]);
    expect(add.status).toBe(200);
    expect(add.body.members).toHaveLength(300);
    const rm = await scim().patch(`/Groups/${g.body.id}`, ids.slice(0, 250).map((v) => ({ op: 'remove', path: `members[value eq "${v}"]` })));
    expect(rm.status).toBe(200);
    expect(rm.body.members).toHaveLength(50);
  }, 60_000);
});

describe('RFC 7644 examples', () => {
  it('PATCH add, replace and remove on multi-valued attributes (§3.5.2)', async () => {
    const u = await newUser('bjensen@example.com', { name: { givenName: 'Barbara', familyName: 'Jensen' } });
    let res = await scim().patch(`/Users/${u.id}`, [{ op: 'add', value: { emails: [{ value: 'babs@jensen.org', type: 'home' }], nickName: 'Babs' } }]);
    expect(res.body.nickName).toBe('Babs');
    expect(res.body.emails).toHaveLength(2);
    res = await scim().patch(`/Users/${u.id}`, [{ op: 'replace', path: 'emails[type eq "home"].value', value: 'barbara@jensen.org' }]);
    expect(res.body.emails[1]).toMatchObject({ value: 'barbara@jensen.org', type: 'home' });
    res = await scim().patch(`/Users/${u.id}`, [{ op: 'remove', path: 'emails[type eq "home"]' }]);
    expect(res.body.emails).toHaveLength(1);
    res = await scim().patch(`/Users/${u.id}`, [{ op: 'replace', path: 'name', value: { givenName: 'Babs' } }]);
    expect(res.body.name).toMatchObject({ givenName: 'Babs', familyName: 'Jensen' });
    res = await scim().patch(`/Users/${u.id}`, [{ op: 'remove', path: 'name.familyName' }]);
    expect(res.body.name.familyName).toBeUndefined();
  });

  it('lists with paging, sorting, attributes and .search', async () => {
    for (const n of ['pg-c', 'pg-a', 'pg-b']) await newUser(`${n}@example.com`);
    const page = await scim().get('/Users').query({ filter: 'userName sw "pg-"', sortBy: 'userName', sortOrder: 'descending', startIndex: 2, count: 1, attributes: 'userName' });
    expect(page.body).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    expect(page.body.Resources[0]).toEqual({ schemas: [CORE], id: expect.any(String), userName: 'pg-b@example.com', meta: expect.any(Object) });
    const search = await scim().post('/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName sw "pg-"', sortBy: 'userName', count: 2, excludedAttributes: ['emails'] });
    expect(search.body.totalResults).toBe(3);
    expect(search.body.Resources.map((r: Json) => r.userName)).toEqual(['pg-a@example.com', 'pg-b@example.com']);
    expect(search.body.Resources[0].emails).toBeUndefined();
    const capped = await scim().get('/Users').query({ count: 100000 });
    expect(capped.body.itemsPerPage).toBeLessThanOrEqual(200);
  });

  it('searches from the server root across Users and Groups (§3.4.3)', async () => {
    await newUser('root-search@example.com');
    await scim().post('/Groups', { schemas: [GROUP], displayName: 'Root Search Group' });
    const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
    expectError(await scim().post('/.search', { schemas: [SEARCH], filter: 'photos pr' }), 400, 'invalidFilter');
    const byName = await scim().post('/.search', { schemas: [SEARCH], filter: 'displayName sw "Root Search"' });
    expect(byName.body.totalResults).toBe(1);
    expect(byName.body.Resources[0].meta.resourceType).toBe('Group');
    const users = await scim().post('/.search', { schemas: [SEARCH], filter: 'userName eq "root-search@example.com"' });
    expect(users.body.Resources.map((r: Json) => r.meta.resourceType)).toEqual(['User']);
    const all = await scim().post('/.search', { schemas: [SEARCH], count: 0 });
    const userTotal = (await scim().get('/Users').query({ count: 0 })).body.totalResults;
    const groupTotal = (await scim().get('/Groups').query({ count: 0 })).body.totalResults;
    expect(all.body.totalResults).toBe(userTotal + groupTotal);
    const straddle = await scim().post('/.search', { schemas: [SEARCH], startIndex: userTotal, count: 2 });
    expect(straddle.body.Resources.map((r: Json) => r.meta.resourceType)).toEqual(['User', 'Group']);
    expect(straddle.body.startIndex).toBe(userTotal);
    const viaGet = await scim().get('/').query({ filter: 'displayName sw "Root Search"' });
    expect(viaGet.status).toBe(200);
    expect(viaGet.body.Resources.map((r: Json) => r.displayName)).toEqual(['Root Search Group']);
  });

  it('filters on meta.lastModified and follows caseExact per attribute', async () => {
    const u = await newUser('Case.Rules@example.com', { externalId: 'Ext-CASE' });
    const since = new Date(Date.parse(u.meta.lastModified) - 1000).toISOString();
    const recent = await scim().get('/Users').query({ filter: `meta.lastModified ge "${since}" and userName eq "case.rules@EXAMPLE.com"` });
    expect(recent.body.Resources.map((r: Json) => r.id)).toEqual([u.id]);
    expect((await scim().get('/Users').query({ filter: `meta.lastModified gt "${new Date(Date.now() + 60_000).toISOString()}"` })).body.totalResults).toBe(0);
    // externalId is caseExact, userName is not.
    expect((await scim().get('/Users').query({ filter: 'externalId eq "ext-case"' })).body.totalResults).toBe(0);
    expect((await scim().get('/Users').query({ filter: 'externalId sw "Ext-"' })).body.totalResults).toBe(1);
    expect((await scim().get('/Users').query({ filter: 'externalId sw "ext-"' })).body.totalResults).toBe(0);
  });

  it('ETags: If-None-Match gives 304, a stale If-Match 412', async () => {
    const u = await newUser('etag@example.com');
    const etag = u.meta.version;
    expect((await scim().get(`/Users/${u.id}`).set('If-None-Match', etag)).status).toBe(304);
    const ok = await app.http.patch(`/scim/v2/Users/${u.id}`).set(auth).set('If-Match', etag).send({ schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'X' }] });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const stale = await app.http.patch(`/scim/v2/Users/${u.id}`).set(auth).set('If-Match', etag).send({ schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'Y' }] });
    expectError(stale, 412);
    expectError(await app.http.delete(`/scim/v2/Users/${u.id}`).set(auth).set('If-Match', etag), 412);
    const g = (await scim().post('/Groups', { schemas: [GROUP], displayName: 'ETag Group' })).body;
    expect((await scim().get(`/Groups/${g.id}`).set('If-None-Match', g.meta.version)).status).toBe(304);
    expect((await scim().get(`/Groups/${g.id}`).set('If-None-Match', 'W/"999"')).status).toBe(200);
    expectError(await app.http.put(`/scim/v2/Groups/${g.id}`).set(auth).set('If-Match', 'W/"999"').send({ schemas: [GROUP], displayName: 'Nope' }), 412);
    expect((await scim().get(`/Groups/${g.id}`)).body.displayName).toBe('ETag Group');
  });
});

describe('errors', () => {
  it('401 without a token, 403 with a token lacking the scim scope', async () => {
    expectError(await app.http.get('/scim/v2/Users'), 401);
    const other = await token(tenantId, ['users:read']);
    expectError(await app.http.get('/scim/v2/Users').set(other), 403);
  });

  it('another tenant\'s id is a 404', async () => {
    const t = await app.http.post('/api/v1/tenants').set(app.rootAuth).send({ name: 'Other', slug: 'scim-other' });
    const theirs = await app.createUser(t.body.data.id);
    expectError(await scim().get(`/Users/${theirs.id}`), 404);
    expectError(await scim().patch(`/Users/${theirs.id}`, [{ op: 'replace', path: 'title', value: 'x' }]), 404);
    expectError(await scim().del(`/Users/${theirs.id}`), 404);
    expect((await scim().get('/Users').query({ filter: `id eq "${theirs.id}"` })).body.totalResults).toBe(0);
  });

  it('uniqueness, invalidFilter, invalidPath, invalidValue, mutability, noTarget, invalidSyntax', async () => {
    const u = await newUser('dup@example.com');
    expectError(await scim().post('/Users', { schemas: [CORE], userName: 'DUP@example.com', emails: [{ value: 'other@example.com' }] }), 409, 'uniqueness');
    await scim().post('/Groups', { schemas: [GROUP], displayName: 'Dupes' });
    expectError(await scim().post('/Groups', { schemas: [GROUP], displayName: 'dupes' }), 409, 'uniqueness');
    expectError(await scim().get('/Users').query({ filter: 'userName eq' }), 400, 'invalidFilter');
    expectError(await scim().get('/Users').query({ filter: 'photos pr' }), 400, 'invalidFilter');
    expectError(await scim().get('/Groups').query({ filter: 'members[display eq "x"]' }), 400, 'invalidFilter');
    expectError(await scim().get('/Groups').query({ filter: 'members co "x"' }), 400, 'invalidFilter');
    expectError(await scim().patch(`/Users/${u.id}`, [{ op: 'replace', path: 'favouriteColour', value: 'x' }]), 400, 'invalidPath');
    expectError(await scim().patch(`/Users/${u.id}`, [{ op: 'replace', path: 'emails[type eq ]', value: 'x' }]), 400, 'invalidPath');
    expectError(await scim().patch(`/Users/${u.id}`, [{ op: 'replace', path: 'active', value: 'maybe' }]), 400, 'invalidValue');
    expectError(await scim().post('/Users', { schemas: [CORE], userName: 'has space', emails: [{ value: 'x@example.com' }] }), 400, 'invalidValue');
    expectError(await scim().post('/Users', { schemas: [CORE] }), 400, 'invalidValue');
    expectError(await scim().patch(`/Users/${u.id}`, [{ op: 'replace', path: 'id', value: 'x' }]), 400, 'mutability');
    expectError(await scim().patch(`/Users/${u.id}`, [{ op: 'add', path: 'groups', value: [{ value: 'x' }] }]), 400, 'mutability');
    expectError(await scim().patch(`/Users/${u.id}`, [{ op: 'remove', path: 'emails[type eq "home"]' }]), 400, 'noTarget');
    expectError(await scim().patch(`/Users/${u.id}`, [{ op: 'remove' }]), 400, 'noTarget');
    expectError(await scim().patch(`/Users/${u.id}`, [{ op: 'jump', path: 'title' }]), 400, 'invalidSyntax');
    expectError(await app.http.patch(`/scim/v2/Users/${u.id}`).set(auth).set('Content-Type', 'application/scim+json').send('{"schemas": ['), 400, 'invalidSyntax');
    expectError(await app.http.patch(`/scim/v2/Users/${u.id}`).set(auth).send({ Operations: [] }), 400, 'invalidSyntax');
    expectError(await scim().get('/Users').query({ sortBy: 'password' }), 400, 'invalidValue');
    expectError(await scim().patch(`/Groups/${(await scim().get('/Groups').query({ filter: 'displayName eq "Dupes"' })).body.Resources[0].id}`,
      [{ op: 'add', path: 'members', value: [{ value: 'not-an-id' }] }]), 400, 'invalidValue');
  });

  it('a member that is not in the tenant changes nothing of the group', async () => {
    const g = (await scim().post('/Groups', { schemas: [GROUP], displayName: 'Strict Members' })).body;
    const res = await scim().put(`/Groups/${g.id}`, { schemas: [GROUP], displayName: 'Renamed Strict', members: [{ value: '00000000-0000-4000-8000-000000000000' }] });
    expectError(res, 400, 'invalidValue');
    const after = (await scim().get(`/Groups/${g.id}`)).body;
    expect(after).toMatchObject({ displayName: 'Strict Members', meta: { version: g.meta.version } });
    expectError(await scim().post('/Groups', { schemas: [GROUP], displayName: 'Never Made', members: [{ value: '00000000-0000-4000-8000-000000000000' }] }), 400, 'invalidValue');
    expect((await scim().get('/Groups').query({ filter: 'displayName eq "Never Made"' })).body.totalResults).toBe(0);
  });

  it('a password the tenant\'s policy refuses changes nothing of the user', async () => {
    const u = await newUser('weak-pw@example.com');
    const res = await scim().patch(`/Users/${u.id}`, [{ op: 'replace', path: 'title', value: 'Changed' }, { op: 'replace', path: 'password', value: 'x' }]);
    expectError(res, 400, 'invalidValue');
    expect((await scim().get(`/Users/${u.id}`)).body).toMatchObject({ meta: { version: u.meta.version } });
  });
});
