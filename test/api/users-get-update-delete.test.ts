import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ADMIN_EMAIL, PASSWORD, type TestApp } from '../support/test-app';
import {
  addMember, createPlainUser, createTenant, eventsFor, expectError, expectValidation, insertGroup, insertIdp, insertOu, linkIdentity,
  userRow, usersBase,
  isTimestamp,
} from './users-helpers';

let app: TestApp;
let rootId: string;
beforeAll(async () => {
  app = await createTestApp();
  rootId = (await app.roster.db.knex('users').where({ emailNormalized: ADMIN_EMAIL }).first('id')).id;
});
afterAll(() => app.close());

const userUrl = (tenantId: string, id: string) => `${usersBase(tenantId)}/${id}`;
const get = (tenantId: string, id: string, query = '') => app.http.get(`${userUrl(tenantId, id)}${query}`).set(app.rootAuth);

describe('GET /api/v1/tenants/{tenant_id}/users/{user_id}', () => {
  it('answers the user with its ETag', async () => {
    const t = await createTenant(app);
    const u = await createPlainUser(app, t.id, { email: 'Get.Me@example.com', first_name: 'Get' });
    const res = await get(t.id, u.id);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual(u);
    expect(res.headers.etag).toBe('W/"1"');
    expect(res.body.data).not.toHaveProperty('groups');
    expect(res.body.data).not.toHaveProperty('identities');
    expect(res.body.data).not.toHaveProperty('ou');
    expect(JSON.stringify(res.body)).not.toMatch(/password_hash|search_text|failed_login/);
  });

  it('include=groups,identities,ou adds the memberships, federated identities and OU', async () => {
    const t = await createTenant(app);
    const knex = app.roster.db.knex;
    const parent = await insertOu(knex, t.id, 'Sales', '/Sales');
    const ou = await insertOu(knex, t.id, 'EMEA', '/Sales/EMEA', parent.id);
    const gB = await insertGroup(knex, t.id, 'Beta');
    const gA = await insertGroup(knex, t.id, 'Alpha');
    await insertGroup(knex, t.id, 'Not mine');
    const okta = await insertIdp(knex, t.id, 'okta', 'SAML');
    const google = await insertIdp(knex, t.id, 'google', 'OIDC');
    const u = await createPlainUser(app, t.id, { ou_id: ou.id });
    await addMember(knex, t.id, gB.id, u.id);
    await addMember(knex, t.id, gA.id, u.id);
    const i1 = await linkIdentity(knex, t.id, u.id, okta.id, 'okta|123', '2026-03-01T12:00:00.000Z');
    const i2 = await linkIdentity(knex, t.id, u.id, google.id, '1098765', '2026-03-02T12:00:00.000Z');

    const res = await get(t.id, u.id, '?include=groups,identities,ou');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.groups).toEqual([
      { group_id: gA.id, name: 'Alpha', membership_type: 'DIRECT' },
      { group_id: gB.id, name: 'Beta', membership_type: 'DIRECT' },
    ]);
    expect(res.body.data.identities).toEqual([
      { id: i2.id, provider_id: google.id, provider_alias: 'google', provider_type: 'OIDC', subject: '1098765', linked_at: '2026-03-02T12:00:00.000Z' },
      { id: i1.id, provider_id: okta.id, provider_alias: 'okta', provider_type: 'SAML', subject: 'okta|123', linked_at: '2026-03-01T12:00:00.000Z' },
    ]);
    expect(res.body.data.ou).toEqual({ id: ou.id, name: 'EMEA', path: '/Sales/EMEA' });
    expect(res.body.data.ou_path).toBe('/Sales/EMEA');

    // One include at a time adds only that one.
    const onlyGroups = await get(t.id, u.id, '?include=groups');
    expect(onlyGroups.body.data.groups).toHaveLength(2);
    expect(onlyGroups.body.data).not.toHaveProperty('identities');
    expect(onlyGroups.body.data).not.toHaveProperty('ou');
  });

  it('includes are empty (or null) for a user with none', async () => {
    const t = await createTenant(app);
    const u = await createPlainUser(app, t.id);
    const res = await get(t.id, u.id, '?include=groups,identities,ou');
    expect(res.body.data.groups).toEqual([]);
    expect(res.body.data.identities).toEqual([]);
    expect(res.body.data.ou).toBeNull();
  });

  it('an unknown include is a 422 at query.include', async () => {
    const t = await createTenant(app);
    const u = await createPlainUser(app, t.id);
    for (const include of ['password', 'groups,sessions', 'GROUPS']) {
      const res = await get(t.id, u.id, `?include=${include}`);
      const detail = expectValidation(res, [['query', 'include']]);
      expect(detail[0].msg).toContain('unknown include');
    }
  });

  it('404 for an unknown id, a malformed id, a deleted user, and another tenant\'s user', async () => {
    const t = await createTenant(app);
    const other = await createTenant(app);
    const foreign = await createPlainUser(app, other.id);
    const gone = await createPlainUser(app, t.id, { email: 'gone@example.com' });
    expect((await app.http.delete(`${userUrl(t.id, gone.id)}?confirm_email=gone@example.com`).set(app.rootAuth)).status).toBe(204);
    for (const id of [crypto.randomUUID(), 'not-a-uuid', gone.id, foreign.id]) {
      expectError(await get(t.id, id), 404, 'not_found');
    }
  });

  it('a viewer of the tenant may read; a tenant_admin of another tenant gets 404 for the user and the tenant', async () => {
    const viewer = await app.tenantWithUser('viewer');
    const u = await createPlainUser(app, viewer.tenantId);
    const ok = await app.http.get(userUrl(viewer.tenantId, u.id)).set(viewer.auth);
    expect(ok.status).toBe(200);
    expect(ok.body.data.id).toBe(u.id);

    const outsider = await app.tenantWithUser('tenant_admin');
    expectError(await app.http.get(userUrl(viewer.tenantId, u.id)).set(outsider.auth), 404, 'not_found');
    // Asking through its own tenant for the other tenant's user id does not help either.
    expectError(await app.http.get(userUrl(outsider.tenantId, u.id)).set(outsider.auth), 404, 'not_found');
    expectError(await app.http.get(`/api/v1/tenants/${viewer.tenantId}`).set(outsider.auth), 404, 'not_found');
  });

  it('a plain user gets 403 even for itself on this admin route', async () => {
    const a = await app.tenantWithUser('user');
    expectError(await app.http.get(userUrl(a.tenantId, a.user.id)).set(a.auth), 403, 'forbidden');
  });
});

describe('PATCH /api/v1/tenants/{tenant_id}/users/{user_id}', () => {
  const patch = (tenantId: string, id: string, body: Record<string, unknown>) => app.http.patch(userUrl(tenantId, id)).set(app.rootAuth).send(body);

  it('changes only the fields sent, bumps version and answers the new ETag', async () => {
    const t = await createTenant(app);
    const u = await createPlainUser(app, t.id, { email: 'patch.me@example.com', username: 'patchme', first_name: 'Pat', last_name: 'Old', phone: '+1 555', custom_attributes: { a: 1 } });
    await new Promise((r) => setTimeout(r, 5));
    const res = await app.http.patch(userUrl(t.id, u.id)).set(app.rootAuth).set('X-Request-Id', 'patch-1').send({ last_name: 'New', job_title: 'Chief' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers.etag).toBe('W/"2"');
    const { last_name, job_title, version, updated_at, ...rest } = res.body.data;
    expect({ last_name, job_title, version }).toEqual({ last_name: 'New', job_title: 'Chief', version: 2 });
    expect(updated_at > u.updated_at).toBe(true);
    const { last_name: _l, job_title: _j, version: _v, updated_at: _u, ...before } = u;
    expect(rest).toEqual(before);

    // The stored row agrees, and the event names exactly what changed.
    expect((await get(t.id, u.id)).body.data).toEqual(res.body.data);
    const events = await eventsFor(app.roster.db.knex, u.id, 'user.updated');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ tenantId: t.id, actorType: 'user', actorId: rootId, subjectId: u.id, requestId: 'patch-1' });
    expect(events[0].details).toEqual({ changes: { last_name: { from: 'Old', to: 'New' }, job_title: { from: null, to: 'Chief' } } });
  });

  it('null clears a nullable field; custom_attributes are replaced as a whole', async () => {
    const t = await createTenant(app);
    const u = await createPlainUser(app, t.id, { phone: '+1 555', custom_attributes: { a: 1, b: 2 } });
    const res = await patch(t.id, u.id, { phone: null, custom_attributes: { c: 3 } });
    expect(res.status).toBe(200);
    expect(res.body.data.phone).toBeNull();
    expect(res.body.data.custom_attributes).toEqual({ c: 3 });
  });

  it('a PATCH that changes nothing keeps the version and writes no event', async () => {
    const t = await createTenant(app);
    const u = await createPlainUser(app, t.id, { first_name: 'Same' });
    const res = await patch(t.id, u.id, { first_name: 'Same' });
    expect(res.status).toBe(200);
    expect(res.body.data.version).toBe(1);
    expect(res.headers.etag).toBe('W/"1"');
    expect(await eventsFor(app.roster.db.knex, u.id, 'user.updated')).toEqual([]);
  });

  it('each successive change bumps the version by one', async () => {
    const t = await createTenant(app);
    const u = await createPlainUser(app, t.id);
    for (let n = 2; n <= 4; n++) {
      const res = await patch(t.id, u.id, { company: `Co ${n}` });
      expect(res.body.data.version).toBe(n);
      expect(res.headers.etag).toBe(`W/"${n}"`);
    }
  });

  it('a new email resets email_verified and is searchable at once; the old one is not', async () => {
    const t = await createTenant(app);
    const u = await createPlainUser(app, t.id, { email: 'before.change@example.com', email_verified: true });
    const res = await patch(t.id, u.id, { email: 'after.change@example.com' });
    expect(res.body.data).toMatchObject({ email: 'after.change@example.com', email_verified: false });
    const found = await app.http.get(`${usersBase(t.id)}?search=after.change`).set(app.rootAuth);
    expect(found.body.data.map((x: { id: string }) => x.id)).toEqual([u.id]);
    const stale = await app.http.get(`${usersBase(t.id)}?search=before.change`).set(app.rootAuth);
    expect(stale.body.data).toEqual([]);
    // The freed address can be taken by someone else.
    await createPlainUser(app, t.id, { email: 'before.change@example.com' });
  });

  describe('If-Match', () => {
    it('a current ETag passes; a stale one is 412 and changes nothing', async () => {
      const t = await createTenant(app);
      const u = await createPlainUser(app, t.id, { first_name: 'Orig' });
      const ok = await app.http.patch(userUrl(t.id, u.id)).set(app.rootAuth).set('If-Match', 'W/"1"').send({ first_name: 'Second' });
      expect(ok.status).toBe(200);
      expect(ok.headers.etag).toBe('W/"2"');

      const stale = await app.http.patch(userUrl(t.id, u.id)).set(app.rootAuth).set('If-Match', 'W/"1"').send({ first_name: 'Lost', last_name: 'Update' });
      expectError(stale, 412, 'precondition_failed');
      const after = await get(t.id, u.id);
      expect(after.body.data).toMatchObject({ first_name: 'Second', last_name: null, version: 2 });
      expect(after.headers.etag).toBe('W/"2"');
      expect(await eventsFor(app.roster.db.knex, u.id, 'user.updated')).toHaveLength(1);

      // The strong form of the same tag, and *, are accepted too.
      expect((await app.http.patch(userUrl(t.id, u.id)).set(app.rootAuth).set('If-Match', '"2"').send({ first_name: 'Third' })).status).toBe(200);
      expect((await app.http.patch(userUrl(t.id, u.id)).set(app.rootAuth).set('If-Match', '*').send({ first_name: 'Fourth' })).status).toBe(200);
    });

    it('a malformed If-Match is 412 and changes nothing', async () => {
      const t = await createTenant(app);
      const u = await createPlainUser(app, t.id, { first_name: 'Orig' });
      expectError(await app.http.patch(userUrl(t.id, u.id)).set(app.rootAuth).set('If-Match', 'yesterday').send({ first_name: 'X' }), 412, 'precondition_failed');
      expect((await get(t.id, u.id)).body.data.first_name).toBe('Orig');
    });
  });

  describe('users from an identity provider', () => {
    it.each(['OIDC', 'SAML', 'SCIM', 'LDAP'])('a %s user keeps its email and username (422) but other fields change', async (source) => {
      const t = await createTenant(app);
      const u = await createPlainUser(app, t.id, { email: 'fed@example.com', username: 'fed', identity_source: source });
      const email = await patch(t.id, u.id, { email: 'new@example.com' });
      expectValidation(email, [['body', 'email']]);
      expect(email.body.error.message).toContain(source);
      expectValidation(await patch(t.id, u.id, { username: 'newname' }), [['body', 'username']]);
      expectValidation(await patch(t.id, u.id, { username: null }), [['body', 'username']]);
      // A refused change is refused whole: the other field sent with it does not land either.
      expectValidation(await patch(t.id, u.id, { email: 'new@example.com', first_name: 'Sneaky' }), [['body', 'email']]);
      expect((await get(t.id, u.id)).body.data).toMatchObject({ email: 'fed@example.com', username: 'fed', first_name: null, version: 1 });

      const ok = await patch(t.id, u.id, { email: 'fed@example.com', first_name: 'Fed' });
      expect(ok.status).toBe(200);
      expect(ok.body.data).toMatchObject({ email: 'fed@example.com', first_name: 'Fed', version: 2 });
    });

    it('a LOCAL user may change both', async () => {
      const t = await createTenant(app);
      const u = await createPlainUser(app, t.id, { email: 'local@example.com', username: 'local' });
      const res = await patch(t.id, u.id, { email: 'local2@example.com', username: 'local2' });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ email: 'local2@example.com', username: 'local2' });
    });
  });

  describe('roles', () => {
    it('a tenant_admin cannot grant a role above its own, nor touch a user who outranks it', async () => {
      const a = await app.tenantWithUser('tenant_admin');
      const u = await createPlainUser(app, a.tenantId, { role: 'user' });
      for (const role of ['partner_admin', 'super_admin']) {
        expectError(await app.http.patch(userUrl(a.tenantId, u.id)).set(a.auth).send({ role }), 403, 'forbidden');
      }
      expect((await get(a.tenantId, u.id)).body.data).toMatchObject({ role: 'user', version: 1 });

      const granted = await app.http.patch(userUrl(a.tenantId, u.id)).set(a.auth).send({ role: 'helpdesk' });
      expect(granted.status).toBe(200);
      expect(granted.body.data.role).toBe('helpdesk');

      const boss = await createPlainUser(app, a.tenantId, { role: 'partner_admin', first_name: 'Boss' });
      expectError(await app.http.patch(userUrl(a.tenantId, boss.id)).set(a.auth).send({ first_name: 'Demoted' }), 403, 'forbidden');
      expect((await get(a.tenantId, boss.id)).body.data.first_name).toBe('Boss');
    });

    it('nobody changes its own role', async () => {
      const a = await app.tenantWithUser('tenant_admin');
      expectError(await app.http.patch(userUrl(a.tenantId, a.user.id)).set(a.auth).send({ role: 'helpdesk' }), 403, 'forbidden');
      // Other fields of oneself are fine.
      const ok = await app.http.patch(userUrl(a.tenantId, a.user.id)).set(a.auth).send({ first_name: 'Me' });
      expect(ok.status).toBe(200);
    });

    it('a role change ends the user\'s sessions', async () => {
      const t = await createTenant(app);
      const u = await app.createUser(t.id, { email: 'role.change@example.com', role: 'viewer' });
      const s = await app.login('role.change@example.com', PASSWORD, t.slug);
      expect((await app.http.get(usersBase(t.id)).set(s.auth)).status).toBe(200);
      expect((await patch(t.id, u.id, { role: 'user' })).status).toBe(200);
      expectError(await app.http.get(usersBase(t.id)).set(s.auth), 401, 'unauthorized');
    });

    it.each(['viewer', 'helpdesk'])('a %s gets 403 and nothing changes', async (role) => {
      const a = await app.tenantWithUser(role);
      const u = await createPlainUser(app, a.tenantId, { first_name: 'Kept' });
      expectError(await app.http.patch(userUrl(a.tenantId, u.id)).set(a.auth).send({ first_name: 'Changed' }), 403, 'forbidden');
      expect((await get(a.tenantId, u.id)).body.data).toMatchObject({ first_name: 'Kept', version: 1 });
    });

    it('a tenant_admin of another tenant gets 404', async () => {
      const t = await createTenant(app);
      const u = await createPlainUser(app, t.id, { first_name: 'Kept' });
      const outsider = await app.tenantWithUser('tenant_admin');
      expectError(await app.http.patch(userUrl(t.id, u.id)).set(outsider.auth).send({ first_name: 'X' }), 404, 'not_found');
      expectError(await app.http.patch(userUrl(outsider.tenantId, u.id)).set(outsider.auth).send({ first_name: 'X' }), 404, 'not_found');
      expect((await get(t.id, u.id)).body.data.first_name).toBe('Kept');
    });
  });

  describe('validation and conflicts', () => {
    it('every bad field is listed at once', async () => {
      const t = await createTenant(app);
      const u = await createPlainUser(app, t.id);
      const res = await patch(t.id, u.id, { email: 'nope', username: 'a b', locale: '12', timezone: 'Nowhere/City', avatar_url: 'not a url', is_internal: true });
      expectValidation(res, [['body', 'email'], ['body', 'username'], ['body', 'locale'], ['body', 'timezone'], ['body', 'avatar_url'], ['body', 'is_internal']]);
      expect((await get(t.id, u.id)).body.data.version).toBe(1);
    });

    it('email and username must stay unique in the tenant, ignoring case', async () => {
      const t = await createTenant(app);
      await createPlainUser(app, t.id, { email: 'taken@example.com', username: 'taken' });
      const u = await createPlainUser(app, t.id, { email: 'mine@example.com', username: 'mine' });
      expectError(await patch(t.id, u.id, { email: 'TAKEN@example.com' }), 409, 'duplicate_email', 'email');
      expectError(await patch(t.id, u.id, { username: 'Taken' }), 409, 'duplicate_username', 'username');
      // Its own address in another case is not a conflict.
      const self = await patch(t.id, u.id, { email: 'Mine@Example.com' });
      expect(self.status).toBe(200);
      expect(self.body.data.email).toBe('Mine@Example.com');
    });

    it('an ou_id outside the tenant is 422; a real one sets ou_path; null clears it', async () => {
      const t = await createTenant(app);
      const ou = await insertOu(app.roster.db.knex, t.id, 'Ops', '/Ops');
      const u = await createPlainUser(app, t.id);
      expectValidation(await patch(t.id, u.id, { ou_id: crypto.randomUUID() }), [['body', 'ou_id']]);
      const set = await patch(t.id, u.id, { ou_id: ou.id });
      expect(set.body.data).toMatchObject({ ou_id: ou.id, ou_path: '/Ops' });
      const cleared = await patch(t.id, u.id, { ou_id: null });
      expect(cleared.body.data).toMatchObject({ ou_id: null, ou_path: null });
    });

    it('404 for a deleted or unknown user', async () => {
      const t = await createTenant(app);
      expectError(await patch(t.id, crypto.randomUUID(), { first_name: 'X' }), 404, 'not_found');
    });
  });
});

describe('DELETE /api/v1/tenants/{tenant_id}/users/{user_id}', () => {
  const del = (tenantId: string, id: string, query: string) => app.http.delete(`${userUrl(tenantId, id)}${query}`).set(app.rootAuth);

  it('requires confirm_email: missing is 422 and the user is still there', async () => {
    const t = await createTenant(app);
    const u = await createPlainUser(app, t.id, { email: 'keep.me@example.com' });
    const res = await del(t.id, u.id, '');
    const detail = expectValidation(res, [['query', 'confirm_email']]);
    expect(detail[0].type).toBe('missing');
    expect((await get(t.id, u.id)).status).toBe(200);
  });

  it('a confirm_email that does not match is 422 and the user is still there', async () => {
    const t = await createTenant(app);
    const u = await createPlainUser(app, t.id, { email: 'keep.me@example.com' });
    for (const confirm of ['someone.else@example.com', 'keep.me', '']) {
      const res = await del(t.id, u.id, `?confirm_email=${encodeURIComponent(confirm)}`);
      expectValidation(res, [['query', 'confirm_email']]);
    }
    const after = await get(t.id, u.id);
    expect(after.status).toBe(200);
    expect(after.body.data.deleted_at).toBeNull();
    expect(await eventsFor(app.roster.db.knex, u.id, 'user.deleted')).toEqual([]);
  });

  it('internal users cannot be deleted (409)', async () => {
    const t = await createTenant(app);
    const u = await createPlainUser(app, t.id, { email: 'internal@example.com', is_internal: true });
    expectError(await del(t.id, u.id, '?confirm_email=internal@example.com'), 409, 'conflict');
    expectError(await del(t.id, u.id, '?confirm_email=internal@example.com&permanent=true'), 409, 'conflict');
    expect((await get(t.id, u.id)).status).toBe(200);
    // The bootstrap super admin is internal too.
    expectError(await del(app.defaultTenantId, rootId, `?confirm_email=${ADMIN_EMAIL}`), 409, 'conflict');
  });

  it('soft-deletes: 204, then GET is 404, lists leave it out, the row stays with deleted_at, and an event is written', async () => {
    const t = await createTenant(app);
    const g = await insertGroup(app.roster.db.knex, t.id, 'Team');
    const keep = await createPlainUser(app, t.id, { email: 'stays@example.com' });
    const u = await createPlainUser(app, t.id, { email: 'Soft.Delete@example.com', group_ids: [g.id] });
    const res = await app.http.delete(`${userUrl(t.id, u.id)}?confirm_email=soft.delete@EXAMPLE.com`).set(app.rootAuth).set('X-Request-Id', 'del-1');
    expect(res.status).toBe(204);
    expect(res.text).toBe('');

    expectError(await get(t.id, u.id), 404, 'not_found');
    const listed = await app.http.get(usersBase(t.id)).set(app.rootAuth);
    expect(listed.body.data.map((x: { id: string }) => x.id)).toEqual([keep.id]);
    expect(listed.body.pagination.total_items).toBe(1);
    const byGroup = await app.http.get(`${usersBase(t.id)}?group_id=${g.id}`).set(app.rootAuth);
    expect(byGroup.body.data).toEqual([]);

    const row = await userRow(app.roster.db.knex, u.id);
    expect(isTimestamp(row.deletedAt)).toBe(true);
    expect(row.version).toBe(2);
    const events = await eventsFor(app.roster.db.knex, u.id, 'user.deleted');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ tenantId: t.id, actorId: rootId, subjectId: u.id, requestId: 'del-1', details: { permanent: false } });

    // Deleting again finds nothing.
    expectError(await del(t.id, u.id, '?confirm_email=soft.delete@example.com'), 404, 'not_found');
    // Writes to a deleted user find nothing either.
    expectError(await app.http.patch(userUrl(t.id, u.id)).set(app.rootAuth).send({ first_name: 'Zombie' }), 404, 'not_found');
  });

  it('the same email and username can be used again after a delete', async () => {
    const t = await createTenant(app);
    const u = await createPlainUser(app, t.id, { email: 'reuse@example.com', username: 'reuse' });
    expect((await del(t.id, u.id, '?confirm_email=reuse@example.com')).status).toBe(204);
    const again = await app.http.post(usersBase(t.id)).set(app.rootAuth).send({ email: 'REUSE@example.com', username: 'Reuse', send_welcome_email: false });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.data.id).not.toBe(u.id);
    const listed = await app.http.get(`${usersBase(t.id)}?email=reuse@example.com`).set(app.rootAuth);
    expect(listed.body.data.map((x: { id: string }) => x.id)).toEqual([again.body.data.id]);
  });

  it('ends the deleted user\'s sessions', async () => {
    const t = await createTenant(app);
    const u = await app.createUser(t.id, { email: 'leaving@example.com', role: 'viewer' });
    const s = await app.login('leaving@example.com', PASSWORD, t.slug);
    expect((await del(t.id, u.id, '?confirm_email=leaving@example.com')).status).toBe(204);
    expectError(await app.http.get(usersBase(t.id)).set(s.auth), 401, 'unauthorized');
    const refresh = await app.http.post('/api/v1/auth/token').send({ grant_type: 'refresh_token', refresh_token: s.refresh_token });
    expectError(refresh, 401, 'unauthorized');
  });

  it('permanent=true removes the row and what hangs off it, and anonymises its events', async () => {
    const t = await createTenant(app);
    const knex = app.roster.db.knex;
    const g = await insertGroup(knex, t.id, 'Team');
    const idp = await insertIdp(knex, t.id, 'google', 'OIDC');
    const u = await createPlainUser(app, t.id, { email: 'erase.me@example.com', first_name: 'Erase', group_ids: [g.id] });
    await linkIdentity(knex, t.id, u.id, idp.id, 'sub-1');
    const res = await del(t.id, u.id, '?confirm_email=erase.me@example.com&permanent=true');
    expect(res.status).toBe(204);
    expect(await userRow(knex, u.id)).toBeUndefined();
    expect(await knex('group_members').where({ userId: u.id })).toEqual([]);
    expect(await knex('user_identities').where({ userId: u.id })).toEqual([]);
    expectError(await get(t.id, u.id), 404, 'not_found');

    const events = await eventsFor(knex, u.id);
    expect(events.map((e: { action: string }) => e.action)).toEqual(['user.created', 'user.deleted']);
    expect(events[0].details).toBeNull();
    expect(events[0].ip).toBeNull();
    expect(JSON.stringify(events)).not.toContain('erase.me@example.com');
    expect(events[1].details).toEqual({ permanent: true });
    // Nothing left to search for either.
    expect((await app.http.get(`${usersBase(t.id)}?search=erase`).set(app.rootAuth)).body.data).toEqual([]);
  });

  it('permanent=true also erases a user that was soft-deleted before', async () => {
    const t = await createTenant(app);
    const u = await createPlainUser(app, t.id, { email: 'twice@example.com' });
    expect((await del(t.id, u.id, '?confirm_email=twice@example.com')).status).toBe(204);
    expect((await del(t.id, u.id, '?confirm_email=twice@example.com&permanent=true')).status).toBe(204);
    expect(await userRow(app.roster.db.knex, u.id)).toBeUndefined();
  });

  it('permanent must be a boolean', async () => {
    const t = await createTenant(app);
    const u = await createPlainUser(app, t.id, { email: 'bool@example.com' });
    expectValidation(await del(t.id, u.id, '?confirm_email=bool@example.com&permanent=yes'), [['query', 'permanent']]);
    expect((await get(t.id, u.id)).status).toBe(200);
  });

  it('honours If-Match: a stale version is 412 and the user stays', async () => {
    const t = await createTenant(app);
    const u = await createPlainUser(app, t.id, { email: 'versioned@example.com' });
    await app.http.patch(userUrl(t.id, u.id)).set(app.rootAuth).send({ first_name: 'v2' });
    const stale = await app.http.delete(`${userUrl(t.id, u.id)}?confirm_email=versioned@example.com`).set(app.rootAuth).set('If-Match', 'W/"1"');
    expectError(stale, 412, 'precondition_failed');
    expect((await get(t.id, u.id)).status).toBe(200);
    const current = await app.http.delete(`${userUrl(t.id, u.id)}?confirm_email=versioned@example.com`).set(app.rootAuth).set('If-Match', 'W/"2"');
    expect(current.status).toBe(204);
  });

  it('nobody deletes itself', async () => {
    const a = await app.tenantWithUser('tenant_admin');
    const res = await app.http.delete(`${userUrl(a.tenantId, a.user.id)}?confirm_email=${encodeURIComponent(a.user.email)}`).set(a.auth);
    expectError(res, 409, 'conflict');
    expect((await get(a.tenantId, a.user.id)).status).toBe(200);
  });

  it('a tenant_admin deletes in its tenant, not a user who outranks it, and gets 404 in other tenants', async () => {
    const a = await app.tenantWithUser('tenant_admin');
    const u = await createPlainUser(app, a.tenantId, { email: 'mine.to.delete@example.com' });
    expect((await app.http.delete(`${userUrl(a.tenantId, u.id)}?confirm_email=mine.to.delete@example.com`).set(a.auth)).status).toBe(204);
    const boss = await createPlainUser(app, a.tenantId, { email: 'boss@example.com', role: 'partner_admin' });
    expectError(await app.http.delete(`${userUrl(a.tenantId, boss.id)}?confirm_email=boss@example.com`).set(a.auth), 403, 'forbidden');
    expect((await get(a.tenantId, boss.id)).status).toBe(200);

    const t = await createTenant(app);
    const foreign = await createPlainUser(app, t.id, { email: 'foreign@example.com' });
    expectError(await app.http.delete(`${userUrl(t.id, foreign.id)}?confirm_email=foreign@example.com`).set(a.auth), 404, 'not_found');
    expectError(await app.http.delete(`${userUrl(a.tenantId, foreign.id)}?confirm_email=foreign@example.com`).set(a.auth), 404, 'not_found');
    expect((await get(t.id, foreign.id)).status).toBe(200);
  });

  it.each(['viewer', 'helpdesk', 'user'])('a %s gets 403 and the user stays', async (role) => {
    const a = await app.tenantWithUser(role);
    const u = await createPlainUser(app, a.tenantId, { email: 'target@example.com' });
    expectError(await app.http.delete(`${userUrl(a.tenantId, u.id)}?confirm_email=target@example.com`).set(a.auth), 403, 'forbidden');
    expect((await get(a.tenantId, u.id)).status).toBe(200);
  });
});
