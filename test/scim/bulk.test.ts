import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Json, type TestApp } from '../support/test-app';
import { BULK, BULK_RESPONSE, CORE, GROUP, PATCH, expectScimError, scimClient, scimToken } from './scim-client';

/** RFC 7644 §3.7 Bulk: bulkId references, dependency order, cycles, failOnErrors, limits, versions. */

let app: TestApp;
let scim: ReturnType<typeof scimClient>;
let tokenId: string;

const user = (userName: string, extra: Json = {}) => ({ schemas: [CORE], userName, emails: [{ value: userName, primary: true }], ...extra });
const groupsNamed = async (name: string) => (await scim.get('/Groups').query({ filter: `displayName eq "${name}"` })).body.totalResults;

beforeAll(async () => {
  app = await createTestApp();
  const t = await app.http.post('/api/v1/tenants').set(app.rootAuth).send({ name: 'Bulk Co', slug: 'bulk-co' });
  const token = await scimToken(app, t.body.data.id);
  tokenId = token.id;
  scim = scimClient(app, token.auth);
}, 60_000);
afterAll(() => app?.close());

describe('Bulk', () => {
  it('is advertised with its limits', async () => {
    const spc = await scim.get('/ServiceProviderConfig');
    expect(spc.body.bulk).toEqual({ supported: true, maxOperations: 1000, maxPayloadSize: 1048576 });
  });

  it('resolves bulkId references in paths and values, in dependency order (RFC 7644 §3.7.2)', async () => {
    const res = await scim.bulk([
      // The group names a user that a later operation creates: it has to wait for it.
      { method: 'POST', path: '/Groups', bulkId: 'ytrewq', data: { schemas: [GROUP], displayName: 'Tour Guides', members: [{ type: 'User', value: 'bulkId:qwerty' }] } },
      { method: 'POST', path: '/Users', bulkId: 'qwerty', data: user('alice@bulk.example', { name: { givenName: 'Alice' } }) },
      { method: 'PATCH', path: '/Users/bulkId:qwerty', data: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'Guide' }] } },
      { method: 'POST', path: '/Users', bulkId: 'other', data: user('bob@bulk.example') },
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/scim\+json/);
    expect(res.body.schemas).toEqual([BULK_RESPONSE]);
    const [group, alice, patch, bob] = res.body.Operations as Json[];
    expect(group).toMatchObject({ method: 'POST', bulkId: 'ytrewq', status: '201', version: 'W/"2"' });
    expect(alice).toMatchObject({ method: 'POST', bulkId: 'qwerty', status: '201', version: 'W/"1"' });
    expect(patch).toMatchObject({ method: 'PATCH', status: '200', version: 'W/"2"' });
    expect(bob).toMatchObject({ method: 'POST', bulkId: 'other', status: '201' });
    expect(patch.location).toBe(alice.location);
    const aliceId = alice.location.split('/').pop();
    const g = await scim.get(`/Groups/${group.location.split('/').pop()}`);
    expect(g.body.members).toEqual([expect.objectContaining({ value: aliceId, type: 'User' })]);
    expect((await scim.get(`/Users/${aliceId}`)).body).toMatchObject({ title: 'Guide', name: { givenName: 'Alice' } });

    // The same activity events as the single-resource endpoints, with the token as actor.
    const events = await app.roster.db.knex('activity_events').where({ subjectId: aliceId }).orderBy('createdAt').select('action', 'actorType', 'actorId');
    expect(events.map((e: Json) => e.action)).toEqual(['user.created', 'user.updated']);
    expect(events.every((e: Json) => e.actorType === 'token' && e.actorId === tokenId)).toBe(true);
  });

  it('answers circular references with 409 and creates nothing of them (§3.7.1)', async () => {
    const res = await scim.bulk([
      { method: 'POST', path: '/Groups', bulkId: 'a', data: { schemas: [GROUP], displayName: 'Cycle A', members: [{ value: 'bulkId:b' }] } },
      { method: 'POST', path: '/Groups', bulkId: 'b', data: { schemas: [GROUP], displayName: 'Cycle B', members: [{ value: 'bulkId:a' }] } },
      { method: 'PATCH', path: '/Groups/bulkId:a', data: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'Cycle A2' }] } },
      { method: 'POST', path: '/Groups', bulkId: 'c', data: { schemas: [GROUP], displayName: 'Not In A Cycle' } },
    ]);
    expect(res.status).toBe(200);
    const ops = res.body.Operations as Json[];
    expect(ops.map((o) => o.status)).toEqual(['409', '409', '409', '201']);
    expect(ops[0].response).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '409' });
    expect(ops[0].response.detail).toMatch(/circular/);
    expect(await groupsNamed('Cycle A')).toBe(0);
    expect(await groupsNamed('Cycle B')).toBe(0);
    expect(await groupsNamed('Not In A Cycle')).toBe(1);
  });

  it('goes on after a failed operation, and its dependants fail with 409; unknown bulkIds are 400', async () => {
    const res = await scim.bulk([
      { method: 'POST', path: '/Users', bulkId: 'bad', data: { schemas: [CORE], userName: 'has space' } },
      { method: 'POST', path: '/Groups', bulkId: 'needs-bad', data: { schemas: [GROUP], displayName: 'Needs Bad', members: [{ value: 'bulkId:bad' }] } },
      { method: 'POST', path: '/Groups', bulkId: 'dangling', data: { schemas: [GROUP], displayName: 'Dangling', members: [{ value: 'bulkId:nowhere' }] } },
      { method: 'GET', path: '/Users' },
      { method: 'POST', path: '/Users', data: user('nobulkid@bulk.example') },
      { method: 'POST', path: '/Users', bulkId: 'fine', data: user('fine@bulk.example') },
      { method: 'POST', path: '/Users', bulkId: 'fine', data: user('fine2@bulk.example') },
    ]);
    const ops = res.body.Operations as Json[];
    expect(ops.map((o) => [o.status, o.response?.scimType])).toEqual([
      ['400', 'invalidValue'], ['409', undefined], ['400', 'invalidValue'], ['400', 'invalidSyntax'], ['400', 'invalidSyntax'], ['201', undefined], ['400', 'invalidValue'],
    ]);
    expect(ops[1].response.detail).toMatch(/bulkId:bad failed/);
    expect(ops[2].response.detail).toMatch(/bulkId:nowhere/);
    expect(await groupsNamed('Needs Bad')).toBe(0);
    expect((await scim.get('/Users').query({ filter: 'userName sw "fine"' })).body.totalResults).toBe(1);
  });

  it('stops after failOnErrors errors and reports only what it processed', async () => {
    const res = await scim.bulk([
      { method: 'POST', path: '/Users', bulkId: 'f1', data: user('f1@bulk.example') },
      { method: 'POST', path: '/Users', bulkId: 'f2', data: user('f1@bulk.example') },
      { method: 'POST', path: '/Users', bulkId: 'f3', data: user('f3@bulk.example') },
    ], { failOnErrors: 1 });
    expect(res.status).toBe(200);
    expect((res.body.Operations as Json[]).map((o) => [o.bulkId, o.status, o.response?.scimType])).toEqual([['f1', '201', undefined], ['f2', '409', 'uniqueness']]);
    expect((await scim.get('/Users').query({ filter: 'userName eq "f3@bulk.example"' })).body.totalResults).toBe(0);
    expectScimError(await scim.bulk([{ method: 'DELETE', path: '/Users/x' }], { failOnErrors: 0 }), 400, 'invalidValue');
  });

  it('checks each operation\'s version like If-Match, and deletes', async () => {
    const u = (await scim.post('/Users', user('versioned@bulk.example'))).body;
    const res = await scim.bulk([
      { method: 'PUT', path: `/Users/${u.id}`, version: 'W/"7"', data: user('versioned@bulk.example', { title: 'Stale' }) },
      { method: 'PUT', path: `/Users/${u.id}`, version: u.meta.version, data: user('versioned@bulk.example', { title: 'Fresh' }) },
      { method: 'DELETE', path: `/Users/${u.id}`, version: u.meta.version },
      { method: 'DELETE', path: `/Users/${u.id}`, version: 'W/"2"' },
      { method: 'DELETE', path: '/Groups/00000000-0000-4000-8000-000000000000' },
    ]);
    expect((res.body.Operations as Json[]).map((o) => o.status)).toEqual(['412', '200', '412', '204', '404']);
    expect(res.body.Operations[1].version).toBe('W/"2"');
    expect(res.body.Operations[3].location).toMatch(new RegExp(`/scim/v2/Users/${u.id}$`));
    expectScimError(await scim.get(`/Users/${u.id}`), 404);
  });

  it('enforces maxOperations and maxPayloadSize with 413, and rejects malformed requests', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ method: 'DELETE', path: `/Users/${i}` }));
    const tooMany = await scim.bulk(many);
    expectScimError(tooMany, 413);
    expect(tooMany.body.detail).toMatch(/maxOperations is 1000/);
    const big = await scim.bulk([{ method: 'POST', path: '/Users', bulkId: 'big', data: user('big@bulk.example', { nickName: 'x'.repeat(1_100_000) }) }]);
    expectScimError(big, 413);
    expect(big.body.detail).toMatch(/maxPayloadSize \(1048576 bytes\)/);
    expect((await scim.get('/Users').query({ filter: 'userName eq "big@bulk.example"' })).body.totalResults).toBe(0);
    expectScimError(await scim.post('/Bulk', { Operations: [] }), 400, 'invalidSyntax');
    expectScimError(await scim.post('/Bulk', { schemas: [BULK], Operations: [] }), 400, 'invalidSyntax');
    expectScimError(await scim.post('/Bulk', [1, 2]), 400, 'invalidSyntax');
  });
});
