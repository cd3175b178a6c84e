import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Json, type TestApp } from '../support/test-app';
import { CORE, ROSTER, expectScimError, scimClient, scimToken } from './scim-client';

/** Roster's extension schema: custom_attributes read, written and filtered through SCIM. */

let app: TestApp;
let tenantId: string;
let scim: ReturnType<typeof scimClient>;
let restUser: Json;

const rest = async (id: string) => (await app.http.get(`/api/v1/tenants/${tenantId}/users/${id}`).set(app.rootAuth)).body.data;

beforeAll(async () => {
  app = await createTestApp();
  const t = await app.http.post('/api/v1/tenants').set(app.rootAuth).send({ name: 'Custom Co', slug: 'custom-co' });
  tenantId = t.body.data.id;
  scim = scimClient(app, (await scimToken(app, tenantId)).auth);
  restUser = await app.createUser(tenantId, { email: 'rest@custom.example', custom_attributes: { costCode: 'CC-42', level: 3, ratio: 0.5, remote: true, tags: ['a', 'b'], 'not a scim name': 1 } });
  // Another tenant's keys are not this tenant's schema.
  const other = await app.http.post('/api/v1/tenants').set(app.rootAuth).send({ name: 'Other Co', slug: 'custom-other' });
  await app.createUser(other.body.data.id, { custom_attributes: { secretKey: 'x' } });
}, 60_000);
afterAll(() => app?.close());

describe('the roster extension schema', () => {
  it('is a schema extension of User, and /Schemas lists the tenant\'s keys with their types', async () => {
    const types = await scim.get('/ResourceTypes/User');
    expect(types.body.schemaExtensions).toContainEqual({ schema: ROSTER, required: false });
    const all = await scim.get('/Schemas');
    expect(all.body.Resources.map((s: Json) => s.id)).toContain(ROSTER);
    const doc = (await scim.get(`/Schemas/${ROSTER}`)).body;
    const byName = Object.fromEntries(doc.attributes.map((a: Json) => [a.name, a]));
    expect(Object.keys(byName).sort()).toEqual(['costCode', 'level', 'ratio', 'remote', 'tags']);
    expect(byName.costCode).toMatchObject({ type: 'string', multiValued: false, mutability: 'readWrite', returned: 'default', caseExact: false, uniqueness: 'none' });
    expect(byName.level.type).toBe('integer');
    expect(byName.ratio.type).toBe('decimal');
    expect(byName.remote.type).toBe('boolean');
    expect(byName.tags).toMatchObject({ multiValued: true });
  });

  it('shows custom attributes on the User', async () => {
    const res = await scim.get(`/Users/${restUser.id}`);
    expect(res.body.schemas).toContain(ROSTER);
    expect(res.body[ROSTER]).toEqual({ costCode: 'CC-42', level: 3, ratio: 0.5, remote: true, tags: ['a', 'b'], 'not a scim name': 1 });
    const only = await scim.get(`/Users/${restUser.id}`).query({ attributes: `${ROSTER}:costCode` });
    expect(only.body[ROSTER]).toEqual({ costCode: 'CC-42' });
    expect(only.body.userName).toBeUndefined();
    const without = await scim.get(`/Users/${restUser.id}`).query({ excludedAttributes: ROSTER });
    expect(without.body[ROSTER]).toBeUndefined();
  });

  it('writes them with POST, PATCH (by path, case-insensitively, and without a path) and PUT', async () => {
    const created = await scim.post('/Users', { schemas: [CORE, ROSTER], userName: 'scim@custom.example', [ROSTER]: { costCode: 'CC-7', badge: 12, gone: null } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    expect((await rest(id)).custom_attributes).toEqual({ costCode: 'CC-7', badge: 12 });

    let res = await scim.patch(`/Users/${id}`, [
      { op: 'replace', path: `${ROSTER}:COSTCODE`, value: 'CC-8' },
      { op: 'add', path: `${ROSTER}:remote`, value: true },
      { op: 'remove', path: `${ROSTER}:badge` },
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body[ROSTER]).toEqual({ costCode: 'CC-8', remote: true });
    res = await scim.patch(`/Users/${id}`, [{ op: 'add', value: { [ROSTER]: { floor: 4 } } }]);
    expect(res.body[ROSTER]).toEqual({ costCode: 'CC-8', remote: true, floor: 4 });
    expect((await rest(id)).custom_attributes).toEqual({ costCode: 'CC-8', remote: true, floor: 4 });
    const events = await app.roster.db.knex('activity_events').where({ subjectId: id, action: 'user.updated' });
    expect(events.length).toBe(2);

    // PUT replaces: a body without the extension clears it.
    const put = await scim.put(`/Users/${id}`, { schemas: [CORE], userName: 'scim@custom.example' });
    expect(put.status).toBe(200);
    expect(put.body[ROSTER]).toBeUndefined();
    expect(put.body.schemas).not.toContain(ROSTER);
    expect((await rest(id)).custom_attributes).toEqual({});
  });

  it('filters on them in SQL, by the stored type', async () => {
    await scim.post('/Users', { schemas: [CORE, ROSTER], userName: 'f1@custom.example', [ROSTER]: { costCode: 'cc-42', level: 5 } });
    const ids = async (filter: string) => ((await scim.get('/Users').query({ filter })).body.Resources as Json[]).map((r) => r.userName).sort();
    expect(await ids(`${ROSTER}:costCode eq "CC-42"`)).toEqual(['f1@custom.example', 'rest@custom.example']);
    expect(await ids(`${ROSTER}:level gt 3`)).toEqual(['f1@custom.example']);
    expect(await ids(`${ROSTER}:remote eq true and ${ROSTER}:level le 3`)).toEqual(['rest@custom.example']);
    expect(await ids(`${ROSTER}:secretKey pr`)).toEqual([]);
    const search = await scim.post('/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: `${ROSTER}:level pr`, attributes: [`${ROSTER}:level`] });
    expect(search.body.Resources.map((r: Json) => r[ROSTER])).toEqual(expect.arrayContaining([{ level: 3 }, { level: 5 }]));
  });

  it('refuses what the REST API refuses, and what no path can address', async () => {
    expectScimError(await scim.post('/Users', { schemas: [CORE], userName: 'long@custom.example', [ROSTER]: { ['k'.repeat(101)]: 1 } }), 400, 'invalidValue');
    expectScimError(await scim.post('/Users', { schemas: [CORE], userName: 'notobj@custom.example', [ROSTER]: 'x' }), 400, 'invalidValue');
    expectScimError(await scim.patch(`/Users/${restUser.id}`, [{ op: 'replace', path: `${ROSTER}:costCode.part`, value: 'x' }]), 400, 'invalidPath');
    expectScimError(await scim.patch(`/Users/${restUser.id}`, [{ op: 'replace', path: `${ROSTER}:has space`, value: 'x' }]), 400, 'invalidPath');
    expectScimError(await scim.get('/Users').query({ filter: `${ROSTER}:costCode co 4` }), 400, 'invalidFilter');
    expect((await rest(restUser.id)).custom_attributes.costCode).toBe('CC-42');
  });
});
