import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Auth, type Json, type TestApp } from '../support/test-app';
import { createPlainUser, createTenant, eventsFor, expectError, expectValidation, usersBase } from './users-helpers';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const IDP_KEYS = ['alias', 'config', 'created_at', 'enabled', 'id', 'issuer', 'linked_users', 'name', 'tenant_id', 'type', 'updated_at'];
const IDENTITY_KEYS = ['external_username', 'id', 'linked_at', 'provider_alias', 'provider_id', 'provider_type', 'subject', 'user_id'];
const MISSING = '01900000-0000-7000-8000-000000000000';
const uniq = () => crypto.randomUUID().slice(0, 8);
const knex = () => app.roster.db.knex;

const idps = (t: string) => `/api/v1/tenants/${t}/identity-providers`;
const identities = (t: string, u: string) => `${usersBase(t)}/${u}/identities`;

const createIdp = (t: string, body: Record<string, unknown>, auth: Auth = app.rootAuth) => app.http.post(idps(t)).set(auth).send(body);
const link = (t: string, u: string, body: Record<string, unknown>, auth: Auth = app.rootAuth) => app.http.post(identities(t, u)).set(auth).send(body);
const listUsers = (t: string, query: Record<string, string>, auth: Auth = app.rootAuth) => app.http.get(usersBase(t)).query(query).set(auth);

async function idp(t: string, alias: string, type: 'OIDC' | 'SAML' | 'LDAP' = 'OIDC'): Promise<Json> {
  const res = await createIdp(t, { alias, type, name: `IdP ${alias}` });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

async function linked(t: string, u: string, body: Record<string, unknown>): Promise<Json> {
  const res = await link(t, u, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

const identityRows = (where: Record<string, string>) => knex()('user_identities').where(where).orderBy('subject');

describe('identity providers', () => {
  let admin: Awaited<ReturnType<TestApp['tenantWithUser']>>;
  beforeAll(async () => {
    admin = await app.tenantWithUser('tenant_admin');
  });

  it('creates providers of each type and answers them whole', async () => {
    const oidc = await createIdp(admin.tenantId, {
      alias: 'google', type: 'OIDC', name: '  Google Workspace ', issuer: 'https://accounts.google.com', config: { client_id: 'abc', scopes: ['openid'] },
    }, admin.auth);
    expect(oidc.status).toBe(201);
    expect(Object.keys(oidc.body.data).sort()).toEqual(IDP_KEYS);
    expect(oidc.body.data).toMatchObject({
      tenant_id: admin.tenantId, alias: 'google', type: 'OIDC', name: 'Google Workspace', issuer: 'https://accounts.google.com',
      enabled: true, config: { client_id: 'abc', scopes: ['openid'] }, linked_users: 0,
    });
    expect(oidc.body.data.created_at).toMatch(ISO);

    const saml = await createIdp(admin.tenantId, { alias: 'okta-saml', type: 'SAML', name: 'Okta', enabled: false }, admin.auth);
    expect(saml.status).toBe(201);
    expect(saml.body.data).toMatchObject({ alias: 'okta-saml', type: 'SAML', issuer: null, enabled: false, config: {}, linked_users: 0 });

    const ldap = await createIdp(admin.tenantId, { alias: 'corp_ldap', type: 'LDAP', name: 'Corp AD', issuer: 'ldaps://dc.corp.example' }, admin.auth);
    expect(ldap.status).toBe(201);
    expect(ldap.body.data.type).toBe('LDAP');

    const row = await knex()('identity_providers').where({ id: oidc.body.data.id }).first();
    expect(row).toMatchObject({ tenantId: admin.tenantId, alias: 'google', type: 'OIDC', name: 'Google Workspace' });
    const events = await eventsFor(knex(), oidc.body.data.id, 'identity_provider.created');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ tenantId: admin.tenantId, actorType: 'user', actorId: admin.user.id, subjectType: 'identity_provider', details: { alias: 'google', type: 'OIDC' } });
  });

  it('keeps aliases unique per tenant: 409 in the same tenant, fine in another', async () => {
    const t = await createTenant(app);
    const first = await idp(t.id, 'azure');
    const dup = await createIdp(t.id, { alias: 'azure', type: 'SAML', name: 'Again' });
    expectError(dup, 409, 'conflict', 'alias');
    expect(await knex()('identity_providers').where({ tenantId: t.id })).toHaveLength(1);
    const other = await createTenant(app);
    const elsewhere = await idp(other.id, 'azure');
    expect(elsewhere.id).not.toBe(first.id);
  });

  it('answers 422 naming every failing field', async () => {
    expectValidation(await createIdp(admin.tenantId, { alias: 'Bad Alias', type: 'KERBEROS' }, admin.auth), [['body', 'alias'], ['body', 'type'], ['body', 'name']]);
    expectValidation(await createIdp(admin.tenantId, { alias: 'ok-alias', type: 'OIDC', name: 'x', extra: 1 }, admin.auth), [['body', 'extra']]);
  });

  it('lists with type and enabled filters, sorted by alias, and counts linked users', async () => {
    const t = await createTenant(app);
    const zeta = await idp(t.id, 'zeta', 'OIDC');
    const alpha = await idp(t.id, 'alpha', 'SAML');
    const mid = await idp(t.id, 'mid', 'OIDC');
    expect((await app.http.patch(`${idps(t.id)}/${mid.id}`).set(app.rootAuth).send({ enabled: false })).status).toBe(200);
    const [u1, u2] = [await createPlainUser(app, t.id), await createPlainUser(app, t.id)];
    await linked(t.id, u1.id, { provider_id: zeta.id, subject: 'z-1' });
    await linked(t.id, u2.id, { provider_id: zeta.id, subject: 'z-2' });
    await linked(t.id, u1.id, { provider_alias: 'alpha', subject: 'a-1' });

    const all = await app.http.get(idps(t.id)).set(app.rootAuth);
    expect(all.status).toBe(200);
    expect(all.body.pagination).toEqual({ page: 1, per_page: 20, total_items: 3, total_pages: 1 });
    expect(all.body.data.map((p: Json) => [p.alias, p.linked_users])).toEqual([['alpha', 1], ['mid', 0], ['zeta', 2]]);

    const oidc = await app.http.get(idps(t.id)).query({ type: 'OIDC' }).set(app.rootAuth);
    expect(oidc.body.data.map((p: Json) => p.alias)).toEqual(['mid', 'zeta']);
    const disabled = await app.http.get(idps(t.id)).query({ enabled: 'false' }).set(app.rootAuth);
    expect(disabled.body.data.map((p: Json) => p.id)).toEqual([mid.id]);
    const desc = await app.http.get(idps(t.id)).query({ sort_order: 'desc', per_page: 2 }).set(app.rootAuth);
    expect(desc.body.data.map((p: Json) => p.alias)).toEqual(['zeta', 'mid']);
    expect(desc.body.pagination.total_pages).toBe(2);

    const one = await app.http.get(`${idps(t.id)}/${alpha.id}`).set(app.rootAuth);
    expect(one.status).toBe(200);
    expect(one.body.data).toEqual({ ...alpha, linked_users: 1 });
  });

  it('counts a user linked twice to one provider once', async () => {
    const t = await createTenant(app);
    const p = await idp(t.id, 'twice');
    const u = await createPlainUser(app, t.id);
    await linked(t.id, u.id, { provider_id: p.id, subject: 'first-account' });
    await linked(t.id, u.id, { provider_id: p.id, subject: 'second-account' });
    expect((await app.http.get(`${idps(t.id)}/${p.id}`).set(app.rootAuth)).body.data.linked_users).toBe(1);
    expect((await app.http.get(identities(t.id, u.id)).set(app.rootAuth)).body.data.map((i: Json) => i.subject).sort()).toEqual(['first-account', 'second-account']);
  });

  it('updates name, issuer, enabled and config; the alias and type stay', async () => {
    const p = await idp(admin.tenantId, `upd-${uniq()}`);
    const res = await app.http.patch(`${idps(admin.tenantId)}/${p.id}`).set(admin.auth).send({ name: 'Renamed', issuer: 'https://issuer.example', enabled: false, config: { tenant: 'x' } });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: p.id, alias: p.alias, type: 'OIDC', name: 'Renamed', issuer: 'https://issuer.example', enabled: false, config: { tenant: 'x' } });
    const cleared = await app.http.patch(`${idps(admin.tenantId)}/${p.id}`).set(admin.auth).send({ issuer: null, config: null });
    expect(cleared.body.data).toMatchObject({ name: 'Renamed', issuer: null, config: {} });
    expectValidation(await app.http.patch(`${idps(admin.tenantId)}/${p.id}`).set(admin.auth).send({ alias: 'new-alias', type: 'SAML' }), [['body', 'alias'], ['body', 'type']]);
    expect(await knex()('identity_providers').where({ id: p.id }).first()).toMatchObject({ alias: p.alias, type: 'OIDC', name: 'Renamed' });
    const events = await eventsFor(knex(), p.id, 'identity_provider.updated');
    expect(events.map((e: Json) => e.details.fields)).toEqual([['name', 'issuer', 'enabled', 'config'], ['issuer', 'config']]);
  });

  it("deletes a provider: its identities go, its users stay, other providers' identities stay", async () => {
    const t = await createTenant(app);
    const doomed = await idp(t.id, 'doomed', 'SAML');
    const kept = await idp(t.id, 'kept', 'LDAP');
    const [u1, u2] = [await createPlainUser(app, t.id), await createPlainUser(app, t.id)];
    await linked(t.id, u1.id, { provider_id: doomed.id, subject: 'd-1' });
    await linked(t.id, u2.id, { provider_id: doomed.id, subject: 'd-2' });
    const keptIdentity = await linked(t.id, u1.id, { provider_id: kept.id, subject: 'k-1' });

    const res = await app.http.delete(`${idps(t.id)}/${doomed.id}`).set(app.rootAuth);
    expect(res.status).toBe(204);
    expect(await knex()('identity_providers').where({ id: doomed.id }).first()).toBeUndefined();
    expect(await identityRows({ providerId: doomed.id })).toEqual([]);
    expect((await identityRows({ userId: u1.id })).map((r: Json) => r.id)).toEqual([keptIdentity.id]);
    for (const u of [u1, u2]) {
      const got = await app.http.get(`${usersBase(t.id)}/${u.id}`).query({ include: 'identities' }).set(app.rootAuth);
      expect(got.status).toBe(200);
      expect(got.body.data.identities.map((i: Json) => i.provider_alias)).toEqual(u === u1 ? ['kept'] : []);
    }
    const events = await eventsFor(knex(), doomed.id, 'identity_provider.deleted');
    expect(events).toHaveLength(1);
    expect(events[0].details).toEqual({ alias: 'doomed', identities_removed: 2 });

    expectError(await app.http.delete(`${idps(t.id)}/${doomed.id}`).set(app.rootAuth), 404, 'not_found');
    expectError(await app.http.get(`${idps(t.id)}/${doomed.id}`).set(app.rootAuth), 404, 'not_found');
  });

  it("answers 404 for another tenant's providers, and keeps them unchanged", async () => {
    const theirs = await app.tenantWithUser('tenant_admin');
    const their = await idp(theirs.tenantId, 'theirs');
    const mine = admin.tenantId;
    for (const res of [
      await app.http.get(`${idps(mine)}/${their.id}`).set(admin.auth),
      await app.http.patch(`${idps(mine)}/${their.id}`).set(admin.auth).send({ name: 'Mine now' }),
      await app.http.delete(`${idps(mine)}/${their.id}`).set(admin.auth),
      await app.http.get(idps(theirs.tenantId)).set(admin.auth),
      await app.http.get(`${idps(theirs.tenantId)}/${their.id}`).set(admin.auth),
      await app.http.delete(`${idps(theirs.tenantId)}/${their.id}`).set(admin.auth),
      await app.http.get(`${idps(mine)}/${MISSING}`).set(admin.auth),
      await app.http.get(`${idps(mine)}/not-a-uuid`).set(admin.auth),
    ]) {
      expectError(res, 404, 'not_found');
    }
    expect(await knex()('identity_providers').where({ id: their.id }).first()).toMatchObject({ name: 'IdP theirs' });
  });

  it('lets staff read providers and only admins write them', async () => {
    const viewer = await app.tenantWithUser('viewer');
    await idp(viewer.tenantId, 'seen');
    const read = await app.http.get(idps(viewer.tenantId)).set(viewer.auth);
    expect(read.status).toBe(200);
    expect(read.body.data.map((p: Json) => p.alias)).toEqual(['seen']);
    expectError(await createIdp(viewer.tenantId, { alias: 'nope', type: 'OIDC', name: 'Nope' }, viewer.auth), 403, 'forbidden');
    const helpdesk = await app.tenantWithUser('helpdesk');
    const p = await idp(helpdesk.tenantId, 'hd');
    const u = await createPlainUser(app, helpdesk.tenantId);
    expectError(await link(helpdesk.tenantId, u.id, { provider_id: p.id, subject: 's' }, helpdesk.auth), 403, 'forbidden');
    expect((await app.http.get(identities(helpdesk.tenantId, u.id)).set(helpdesk.auth)).status).toBe(200);
  });
});

describe("a user's federated identities", () => {
  let t: { id: string; slug: string };
  let google: Json;
  let github: Json;
  let corp: Json;
  beforeAll(async () => {
    t = await createTenant(app);
    google = await idp(t.id, 'google', 'OIDC');
    github = await idp(t.id, 'github', 'OIDC');
    corp = await idp(t.id, 'corp', 'LDAP');
  });

  it('links by provider_id or provider_alias and answers the identity', async () => {
    const u = await createPlainUser(app, t.id);
    const byId = await link(t.id, u.id, { provider_id: google.id, subject: '  1094872  ', external_username: 'ann@gmail.com' });
    expect(byId.status).toBe(201);
    expect(Object.keys(byId.body.data).sort()).toEqual(IDENTITY_KEYS);
    expect(byId.body.data).toMatchObject({
      user_id: u.id, provider_id: google.id, provider_alias: 'google', provider_type: 'OIDC', subject: '1094872', external_username: 'ann@gmail.com',
    });
    expect(byId.body.data.linked_at).toMatch(ISO);

    const byAlias = await link(t.id, u.id, { provider_alias: 'corp', subject: 'CN=Ann,OU=Staff' });
    expect(byAlias.status).toBe(201);
    expect(byAlias.body.data).toMatchObject({ provider_id: corp.id, provider_alias: 'corp', provider_type: 'LDAP', external_username: null });

    const rows = await identityRows({ userId: u.id });
    expect(rows.map((r: Json) => [r.providerId, r.subject, r.tenantId])).toEqual([[google.id, '1094872', t.id], [corp.id, 'CN=Ann,OU=Staff', t.id]]);

    const listed = await app.http.get(identities(t.id, u.id)).set(app.rootAuth);
    expect(listed.status).toBe(200);
    expect(listed.body.data).toEqual([byAlias.body.data, byId.body.data]);

    const withIds = await app.http.get(`${usersBase(t.id)}/${u.id}`).query({ include: 'identities' }).set(app.rootAuth);
    expect(withIds.body.data.identities).toEqual([
      { id: byAlias.body.data.id, provider_id: corp.id, provider_alias: 'corp', provider_type: 'LDAP', subject: 'CN=Ann,OU=Staff', linked_at: byAlias.body.data.linked_at },
      { id: byId.body.data.id, provider_id: google.id, provider_alias: 'google', provider_type: 'OIDC', subject: '1094872', linked_at: byId.body.data.linked_at },
    ]);

    const events = await eventsFor(knex(), u.id, 'user.identity_linked');
    expect(events.map((e: Json) => e.details)).toEqual([{ provider: 'google', subject: '1094872' }, { provider: 'corp', subject: 'CN=Ann,OU=Staff' }]);
    expect(events[0]).toMatchObject({ tenantId: t.id, actorType: 'user', subjectType: 'user' });
  });

  it('needs exactly one of provider_id and provider_alias (422)', async () => {
    const u = await createPlainUser(app, t.id);
    expectValidation(await link(t.id, u.id, { subject: 'x' }), [['body', 'provider_id']]);
    expectValidation(await link(t.id, u.id, { provider_id: google.id, provider_alias: 'google', subject: 'x' }), [['body', 'provider_id']]);
    expectValidation(await link(t.id, u.id, { provider_alias: 'google' }), [['body', 'subject']]);
    const unknownAlias = await link(t.id, u.id, { provider_alias: 'nope', subject: 'x' });
    expectValidation(unknownAlias, [['body', 'provider_alias']]);
    const unknownId = await link(t.id, u.id, { provider_id: MISSING, subject: 'x' });
    expectValidation(unknownId, [['body', 'provider_id']]);
    // Another tenant's provider is as unknown as one that does not exist.
    const other = await createTenant(app);
    const theirs = await idp(other.id, 'google');
    const foreign = await link(t.id, u.id, { provider_id: theirs.id, subject: 'x' });
    expectValidation(foreign, [['body', 'provider_id']]);
    expect(foreign.body.error.message).toBe(unknownId.body.error.message);
    expect(await identityRows({ userId: u.id })).toEqual([]);
  });

  it('keeps a subject unique per provider, across users too (409)', async () => {
    const [a, b] = [await createPlainUser(app, t.id), await createPlainUser(app, t.id)];
    const subject = `sub-${uniq()}`;
    await linked(t.id, a.id, { provider_id: github.id, subject });
    const again = await link(t.id, a.id, { provider_alias: 'github', subject });
    expectError(again, 409, 'conflict', 'subject');
    const stolen = await link(t.id, b.id, { provider_id: github.id, subject });
    expectError(stolen, 409, 'conflict', 'subject');
    expect(await identityRows({ providerId: github.id, subject })).toHaveLength(1);
    expect(await identityRows({ userId: b.id })).toEqual([]);
    // The same subject at another provider is another account.
    expect((await link(t.id, b.id, { provider_id: google.id, subject })).status).toBe(201);
  });

  it('unlinks: 204, the row and the filter match go, an event is written; again is 404', async () => {
    const u = await createPlainUser(app, t.id);
    const subject = `unlink-${uniq()}`;
    const identity = await linked(t.id, u.id, { provider_id: github.id, subject });
    const res = await app.http.delete(`${identities(t.id, u.id)}/${identity.id}`).set(app.rootAuth);
    expect(res.status).toBe(204);
    expect(await knex()('user_identities').where({ id: identity.id }).first()).toBeUndefined();
    expect((await listUsers(t.id, { oauth_id: subject })).body.data).toEqual([]);
    const events = await eventsFor(knex(), u.id, 'user.identity_unlinked');
    expect(events.map((e: Json) => e.details)).toEqual([{ provider: 'github', subject }]);
    expectError(await app.http.delete(`${identities(t.id, u.id)}/${identity.id}`).set(app.rootAuth), 404, 'not_found');
    expect(await knex()('users').where({ id: u.id }).whereNull('deletedAt').first()).toBeDefined();
  });

  it("answers 404 for another user's identity and another tenant's user", async () => {
    const [a, b] = [await createPlainUser(app, t.id), await createPlainUser(app, t.id)];
    const ofA = await linked(t.id, a.id, { provider_id: google.id, subject: `a-${uniq()}` });
    expectError(await app.http.delete(`${identities(t.id, b.id)}/${ofA.id}`).set(app.rootAuth), 404, 'not_found');
    expectError(await app.http.delete(`${identities(t.id, a.id)}/not-a-uuid`).set(app.rootAuth), 404, 'not_found');
    expect(await knex()('user_identities').where({ id: ofA.id }).first()).toBeDefined();

    const other = await app.tenantWithUser('tenant_admin');
    const otherUser = await createPlainUser(app, other.tenantId);
    const otherIdp = await idp(other.tenantId, 'google');
    const otherIdentity = await linked(other.tenantId, otherUser.id, { provider_id: otherIdp.id, subject: 'o-1' });
    // The other tenant's user, named under this tenant, as a super admin: not found.
    for (const res of [
      await app.http.get(identities(t.id, otherUser.id)).set(app.rootAuth),
      await link(t.id, otherUser.id, { provider_id: google.id, subject: 'o-2' }),
      await app.http.delete(`${identities(t.id, otherUser.id)}/${otherIdentity.id}`).set(app.rootAuth),
    ]) {
      expectError(res, 404, 'not_found');
    }
    // This tenant's user and identity, as the other tenant's admin: not found either.
    for (const res of [
      await app.http.get(identities(t.id, a.id)).set(other.auth),
      await link(t.id, a.id, { provider_id: google.id, subject: 'o-3' }, other.auth),
      await app.http.delete(`${identities(t.id, a.id)}/${ofA.id}`).set(other.auth),
    ]) {
      expectError(res, 404, 'not_found');
    }
    expect(await identityRows({ userId: otherUser.id })).toHaveLength(1);
    expect(await identityRows({ userId: a.id })).toHaveLength(1);

    // A soft-deleted user has no identities to show or link.
    const gone = await createPlainUser(app, t.id);
    expect((await app.http.delete(`${usersBase(t.id)}/${gone.id}`).query({ confirm_email: gone.email }).set(app.rootAuth)).status).toBe(204);
    expectError(await app.http.get(identities(t.id, gone.id)).set(app.rootAuth), 404, 'not_found');
    expectError(await link(t.id, gone.id, { provider_id: google.id, subject: 'late' }), 404, 'not_found');
  });

  it('lets nobody link or unlink identities of an account that outranks them', async () => {
    const r = await app.tenantWithUser('tenant_admin');
    const p = await idp(r.tenantId, 'rank');
    const partnerAdmin = await createPlainUser(app, r.tenantId, { role: 'partner_admin' });
    const peer = await createPlainUser(app, r.tenantId, { role: 'tenant_admin' });
    const plain = await createPlainUser(app, r.tenantId);
    const above = await linked(r.tenantId, partnerAdmin.id, { provider_id: p.id, subject: 'pa' });

    expectError(await link(r.tenantId, partnerAdmin.id, { provider_id: p.id, subject: 'takeover' }, r.auth), 403, 'forbidden');
    expectError(await app.http.delete(`${identities(r.tenantId, partnerAdmin.id)}/${above.id}`).set(r.auth), 403, 'forbidden');
    expect((await link(r.tenantId, peer.id, { provider_id: p.id, subject: 'peer' }, r.auth)).status).toBe(201);

    // An API token ranks as a plain user: it links plain users only.
    const created = await app.http.post(`/api/v1/tenants/${r.tenantId}/api-tokens`).set(r.auth).send({ name: 'linker', scopes: ['users:write'] });
    expect(created.status).toBe(201);
    const tokenAuth = { Authorization: `Bearer ${created.body.data.token}` };
    expectError(await link(r.tenantId, peer.id, { provider_id: p.id, subject: 'by-token' }, tokenAuth), 403, 'forbidden');
    const byToken = await link(r.tenantId, plain.id, { provider_id: p.id, subject: 'by-token' }, tokenAuth);
    expect(byToken.status).toBe(201);
    expect((await app.http.get(identities(r.tenantId, peer.id)).set(tokenAuth)).status).toBe(200);

    expect((await identityRows({ userId: partnerAdmin.id })).map((x: Json) => x.subject)).toEqual(['pa']);
    expect((await identityRows({ userId: peer.id })).map((x: Json) => x.subject)).toEqual(['peer']);
    expect((await identityRows({ userId: plain.id })).map((x: Json) => x.subject)).toEqual(['by-token']);
  });

  it("matches seed 003's oauth_provider and oauth_id list filters", async () => {
    const f = await createTenant(app);
    await idp(f.id, 'google');
    await idp(f.id, 'github');
    const [ann, bob, cyd] = [
      await createPlainUser(app, f.id, { email: 'ann@example.com' }),
      await createPlainUser(app, f.id, { email: 'bob@example.com' }),
      await createPlainUser(app, f.id, { email: 'cyd@example.com' }),
    ];
    await linked(f.id, ann.id, { provider_alias: 'google', subject: 'shared-1' });
    await linked(f.id, bob.id, { provider_alias: 'github', subject: 'shared-1' });
    await linked(f.id, bob.id, { provider_alias: 'google', subject: 'bob-g' });
    const ids = async (query: Record<string, string>) => {
      const res = await listUsers(f.id, { sort_by: 'email', ...query });
      expect(res.status).toBe(200);
      expect(res.body.pagination.total_items).toBe(res.body.data.length);
      return res.body.data.map((x: Json) => x.id);
    };
    expect(await ids({ oauth_provider: 'google' })).toEqual([ann.id, bob.id]);
    expect(await ids({ oauth_provider: 'GitHub' })).toEqual([bob.id]);
    expect(await ids({ oauth_id: 'shared-1' })).toEqual([ann.id, bob.id]);
    // Both filters hold of one and the same identity.
    expect(await ids({ oauth_provider: 'google', oauth_id: 'shared-1' })).toEqual([ann.id]);
    expect(await ids({ oauth_provider: 'github', oauth_id: 'bob-g' })).toEqual([]);
    expect(await ids({ oauth_provider: 'nobody' })).toEqual([]);
    expect(await ids({})).toEqual([ann.id, bob.id, cyd.id]);
  });
});

describe('users of a non-LOCAL identity source', () => {
  it.each(['OIDC', 'SAML', 'LDAP', 'SCIM'])('refuses email and username changes of an %s user with a clear 422', async (source) => {
    const t = await createTenant(app);
    const u = await createPlainUser(app, t.id, { email: `fed-${uniq()}@example.com`, username: `fed_${uniq()}`, identity_source: source });
    expect(u.identity_source).toBe(source);
    const patch = (body: Record<string, unknown>) => app.http.patch(`${usersBase(t.id)}/${u.id}`).set(app.rootAuth).send(body);

    const email = await patch({ email: 'changed@example.com' });
    expectValidation(email, [['body', 'email']]);
    expect(email.body.error.field).toBe('email');
    expect(email.body.error.message).toBe(`The email of a user from ${source} is managed by that identity provider and cannot be changed here`);

    const username = await patch({ username: 'changed_name', first_name: 'Fed' });
    expectValidation(username, [['body', 'username']]);
    expect(username.body.error.message).toContain(source);

    expectValidation(await patch({ email: 'changed@example.com', username: 'changed_name' }), [['body', 'email'], ['body', 'username']]);
    expectValidation(await patch({ username: null }), [['body', 'username']]);

    const row = await knex()('users').where({ id: u.id }).first();
    expect(row).toMatchObject({ email: u.email, username: u.username, firstName: null, version: 1 });

    // Other fields change; sending the unchanged email and username along is no change of them.
    const ok = await patch({ email: u.email, username: u.username, first_name: 'Fed', job_title: 'Engineer' });
    expect(ok.status).toBe(200);
    expect(ok.body.data).toMatchObject({ email: u.email, username: u.username, first_name: 'Fed', job_title: 'Engineer', identity_source: source });
  });

  it('lets a LOCAL user change both', async () => {
    const t = await createTenant(app);
    const u = await createPlainUser(app, t.id, { username: `loc_${uniq()}` });
    const res = await app.http.patch(`${usersBase(t.id)}/${u.id}`).set(app.rootAuth).send({ email: `new-${uniq()}@example.com`, username: `new_${uniq()}` });
    expect(res.status).toBe(200);
    expect(res.body.data.email).not.toBe(u.email);
  });
});
