import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Json, type TestApp } from '../support/test-app';
import { ENT, ROSTER, expectScimError, scimClient, scimToken } from './scim-client';

/** /Me (RFC 7644 §3.11) with a user's access token, under the REST self-service rules. */

let app: TestApp;
let tenantId: string;
let userId: string;
let me: ReturnType<typeof scimClient>;

beforeAll(async () => {
  app = await createTestApp();
  const t = await app.tenantWithUser('user');
  tenantId = t.tenantId;
  userId = t.user.id;
  me = scimClient(app, t.auth);
}, 60_000);
afterAll(() => app?.close());

describe('/Me with a user\'s access token', () => {
  it('GET answers the caller\'s User, with its permanent Location and ETag', async () => {
    const res = await me.get('/Me');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/scim\+json/);
    expect(res.body).toMatchObject({ id: userId, active: true, meta: { resourceType: 'User' } });
    expect(res.headers.location).toBe(res.body.meta.location);
    expect(res.headers.location).toMatch(new RegExp(`/scim/v2/Users/${userId}$`));
    expect(res.headers.etag).toBe(res.body.meta.version);
    expect((await me.get('/Me').set('If-None-Match', res.body.meta.version)).status).toBe(304);
    expect((await me.get('/Me').query({ attributes: 'groups' })).body.groups).toBeUndefined();
  });

  it('PATCH changes the self-service attributes and records the user as actor', async () => {
    const res = await me.patch('/Me', [
      { op: 'replace', path: 'name.givenName', value: 'Selma' },
      { op: 'Replace', value: { displayName: 'Selma S', locale: 'de', timezone: 'Europe/Berlin' } },
      { op: 'add', path: 'phoneNumbers', value: [{ value: '+49 30 555', type: 'mobile', primary: true }] },
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ name: { givenName: 'Selma' }, displayName: 'Selma S', locale: 'de', timezone: 'Europe/Berlin' });
    expect(res.body.phoneNumbers).toEqual([{ value: '+49 30 555', type: 'mobile', primary: true }]);
    const rest = await app.http.get(`/api/v1/tenants/${tenantId}/users/${userId}`).set(app.rootAuth);
    expect(rest.body.data).toMatchObject({ first_name: 'Selma', display_name: 'Selma S', phone: '+49 30 555', locale: 'de' });
    const events = await app.roster.db.knex('activity_events').where({ subjectId: userId, action: 'user.updated' }).select('actorType', 'actorId');
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e: Json) => e.actorType === 'user' && e.actorId === userId)).toBe(true);
  });

  it('PUT replaces what it names; what it leaves out is not asserted (§3.5.1), so it stays', async () => {
    await app.http.patch(`/api/v1/tenants/${tenantId}/users/${userId}`).set(app.rootAuth).send({ job_title: 'Analyst' });
    const current = (await me.get('/Me')).body;
    const res = await me.put('/Me', { ...current, name: { ...current.name, familyName: 'Self' }, displayName: 'Selma Self' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ name: { givenName: 'Selma', familyName: 'Self' }, displayName: 'Selma Self', userName: current.userName, title: 'Analyst' });
    expect(res.headers.location).toBe(current.meta.location);
    const partial = await me.put('/Me', { schemas: [current.schemas[0]], timezone: 'Europe/Paris' });
    expect(partial.status, JSON.stringify(partial.body)).toBe(200);
    expect(partial.body).toMatchObject({ timezone: 'Europe/Paris', title: 'Analyst', displayName: 'Selma Self' });
    expectScimError(await me.put('/Me', { title: 'Boss' }), 400, 'mutability');
    expect((await me.get('/Me')).body.title).toBe('Analyst');
  });

  it.each([
    ['active', [{ op: 'replace', path: 'active', value: false }], /active/],
    ['userName', [{ op: 'replace', path: 'userName', value: 'someone.else' }], /userName/],
    ['emails', [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'new@example.com' }], /emails/],
    ['title', [{ op: 'replace', path: 'title', value: 'CEO' }], /title/],
    ['externalId', [{ op: 'add', path: 'externalId', value: 'x-1' }], /externalId/],
    ['enterprise organization', [{ op: 'add', path: `${ENT}:organization`, value: 'Evil Corp' }], /organization/],
    ['custom attributes', [{ op: 'add', path: `${ROSTER}:costCode`, value: 'CC-1' }], /roster:2\.0:User/],
    ['nickName', [{ op: 'add', path: 'nickName', value: 'Boss' }], /attributes other than/],
    ['password', [{ op: 'replace', path: 'password', value: 'N3w-passw0rd!' }], /users\/me\/password/],
  ])('refuses a change to %s with 400 mutability, changing nothing', async (_name, ops, detail) => {
    const before = (await me.get('/Me')).body;
    const res = await me.patch('/Me', [{ op: 'replace', path: 'displayName', value: 'Sneaky' }, ...ops]);
    expectScimError(res, 400, 'mutability');
    expect(res.body.detail).toMatch(detail);
    expect((await me.get('/Me')).body).toEqual(before);
  });

  it('a stale If-Match is 412; DELETE follows the REST rule (no self-deletion); POST is not allowed', async () => {
    const current = (await me.get('/Me')).body;
    const res = await me.patch('/Me', [{ op: 'replace', path: 'displayName', value: 'X' }]).set('If-Match', 'W/"1"');
    expectScimError(res, 412);
    expect((await me.get('/Me')).body.meta.version).toBe(current.meta.version);
    const del = await me.del('/Me');
    expectScimError(del, 409);
    expect(del.body.detail).toMatch(/cannot delete yourself/);
    expectScimError(await me.post('/Me', { userName: 'x' }), 405);
  });

  it('the user\'s token reaches discovery but not the provisioning endpoints', async () => {
    expect((await me.get('/Schemas')).status).toBe(200);
    expect((await me.get('/ServiceProviderConfig')).status).toBe(200);
    expectScimError(await me.get('/Users'), 403);
    expectScimError(await me.bulk([]), 403);
  });
});

describe('/Me with a tenant API token', () => {
  it('is a 404: an API token has no User behind it', async () => {
    const { auth } = await scimToken(app, tenantId);
    const scim = scimClient(app, auth);
    for (const res of [await scim.get('/Me'), await scim.patch('/Me', [{ op: 'replace', path: 'title', value: 'x' }]), await scim.del('/Me')]) {
      expectScimError(res, 404);
      expect(res.body.detail).toMatch(/access token/);
    }
  });

  it('needs a token: 401 without one', async () => {
    expectScimError(await app.http.get('/scim/v2/Me'), 401);
  });
});
