import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, type Auth, type TestApp } from '../support/test-app';

let app: TestApp;
let t: { tenantId: string; slug: string; auth: Auth };
beforeAll(async () => {
  app = await createTestApp();
  t = await app.tenantWithUser('tenant_admin');
});
afterAll(() => app.close());

const uniq = () => crypto.randomUUID().slice(0, 8);
const merge = (body: Record<string, unknown>, auth = t.auth) => app.http.post('/api/v1/users/merge').set(auth).send(body);

/** Two accounts of one person, each with memberships, an assignment, an identity and a session. */
async function twoAccounts() {
  const base = `/api/v1/tenants/${t.tenantId}`;
  const source = await app.createUser(t.tenantId, { email: `old-${uniq()}@example.com`, first_name: 'Jo', phone: '+44 20 1234', job_title: 'Clerk', custom_attributes: { badge: 7, desk: 'A1' } });
  const target = await app.createUser(t.tenantId, { email: `new-${uniq()}@example.com`, first_name: 'Joanna', last_name: 'Smith', custom_attributes: { desk: 'B2' }, password: undefined });
  const g1 = (await app.http.post(`${base}/groups`).set(t.auth).send({ name: `g1-${uniq()}` })).body.data;
  const g2 = (await app.http.post(`${base}/groups`).set(t.auth).send({ name: `g2-${uniq()}` })).body.data;
  await app.http.post(`${base}/groups/${g1.id}/members`).set(t.auth).send({ user_ids: [source.id, target.id] });
  await app.http.post(`${base}/groups/${g2.id}/members`).set(t.auth).send({ user_ids: [source.id] });
  const appl = (await app.http.post(`${base}/applications`).set(t.auth).send({ name: `app-${uniq()}` })).body.data;
  await app.http.post(`${base}/applications/${appl.id}/assignments`).set(t.auth).send({ user_ids: [source.id] });
  const idp = (await app.http.post(`${base}/identity-providers`).set(t.auth).send({ alias: `idp-${uniq()}`, type: 'OIDC', name: 'IdP' })).body.data;
  const identity = (await app.http.post(`${base}/users/${source.id}/identities`).set(t.auth).send({ provider_id: idp.id, subject: `sub-${uniq()}` })).body.data;
  const session = await app.login(source.email, PASSWORD, t.slug);
  return { source, target, g1, g2, appl, identity, session };
}

describe('POST /api/v1/users/merge', () => {
  it('a dry run answers exactly what the merge then does, and changes nothing', async () => {
    const a = await twoAccounts();
    const knex = app.roster.db.knex;
    const before = JSON.stringify(await knex('users').whereIn('id', [a.source.id, a.target.id]).orderBy('id'));
    const dry = await merge({ source_user_id: a.source.id, target_user_id: a.target.id, dry_run: true });
    expect(dry.status).toBe(200);
    expect(JSON.stringify(await knex('users').whereIn('id', [a.source.id, a.target.id]).orderBy('id'))).toBe(before);
    expect(await knex('group_members').where({ userId: a.source.id })).toHaveLength(2);
    expect((await app.http.get(`/api/v1/tenants/${t.tenantId}/users`).set(a.session.auth)).status).not.toBe(401);

    const real = await merge({ source_user_id: a.source.id, target_user_id: a.target.id });
    expect(real.status).toBe(200);
    const { dry_run: _d, ...plan } = dry.body.data;
    const { dry_run: _r, ...done } = real.body.data;
    expect(done).toEqual(plan);
    expect(dry.body.data.dry_run).toBe(true);
    expect(real.body.data.dry_run).toBe(false);
  });

  it('moves memberships, assignments and identities, ends the source\'s sessions and soft-deletes it', async () => {
    const a = await twoAccounts();
    const res = await merge({ source_user_id: a.source.id, target_user_id: a.target.id, prefer: { job_title: 'source', first_name: 'target' } });
    expect(res.body.data).toMatchObject({
      groups_moved: [a.g2.id],
      applications_moved: [a.appl.id],
      identities_moved: [a.identity.id],
      sessions_revoked: 1,
      source_deleted: true,
      custom_attributes_added: ['badge'],
      profile_changes: { phone: { from: null, to: '+44 20 1234' }, job_title: { from: null, to: 'Clerk' } },
    });
    const target = (await app.http.get(`/api/v1/tenants/${t.tenantId}/users/${a.target.id}?include=groups,identities`).set(t.auth)).body.data;
    expect(target).toMatchObject({ first_name: 'Joanna', last_name: 'Smith', phone: '+44 20 1234', job_title: 'Clerk', custom_attributes: { desk: 'B2', badge: 7 } });
    expect(target.groups.map((g: { group_id: string }) => g.group_id).sort()).toEqual([a.g1.id, a.g2.id].sort());
    expect(target.identities.map((i: { id: string }) => i.id)).toEqual([a.identity.id]);
    const effective = await app.http.get(`/api/v1/tenants/${t.tenantId}/applications/${a.appl.id}/effective-users`).set(t.auth);
    expect(effective.body.data.map((u: { id: string }) => u.id)).toEqual([a.target.id]);

    expect((await app.http.get(`/api/v1/tenants/${t.tenantId}/users/${a.source.id}`).set(t.auth)).status).toBe(404);
    const row = await app.roster.db.knex('users').where({ id: a.source.id }).first();
    expect(row.mergedInto).toBe(a.target.id);
    expect(row.deletedAt).not.toBeNull();
    expect((await app.http.get(`/api/v1/tenants/${t.tenantId}/users`).set(a.session.auth)).status).toBe(401);

    // The source's history is reachable from the target.
    const history = await app.http.get(`/api/v1/users/${a.target.id}/activity`).set(t.auth).query({ limit: 100 });
    const subjects = new Set(history.body.data.map((e: { subject_id: string }) => e.subject_id));
    expect(subjects).toEqual(new Set([a.source.id, a.target.id]));
    expect(history.body.data.map((e: { action: string }) => e.action)).toContain('user.merged');
    // The source's email is free again.
    expect((await app.http.post(`/api/v1/tenants/${t.tenantId}/users`).set(t.auth).send({ email: a.source.email, send_welcome_email: false })).status).toBe(201);
  });

  it('refuses what it must: same user, unknown or other-tenant ids, internal or higher-ranked accounts, non-admins', async () => {
    const a = await twoAccounts();
    const same = await merge({ source_user_id: a.source.id, target_user_id: a.source.id });
    expect(same.status).toBe(422);
    expect((await merge({ source_user_id: a.source.id, target_user_id: crypto.randomUUID() })).status).toBe(404);
    const other = await app.tenantWithUser('tenant_admin');
    const foreign = await app.createUser(other.tenantId, { password: undefined });
    expect((await merge({ source_user_id: a.source.id, target_user_id: foreign.id })).status).toBe(404);
    const internal = await app.createUser(t.tenantId, { is_internal: true, password: undefined });
    expect((await merge({ source_user_id: internal.id, target_user_id: a.target.id })).status).toBe(409);
    const boss = await app.createUser(t.tenantId, { role: 'super_admin', password: undefined });
    expect((await merge({ source_user_id: boss.id, target_user_id: a.target.id })).status).toBe(403);
    const helpdesk = await app.createUser(t.tenantId, { role: 'helpdesk', email: `hd-${uniq()}@example.com` });
    const { auth } = await app.login(helpdesk.email, PASSWORD, t.slug);
    expect((await merge({ source_user_id: a.source.id, target_user_id: a.target.id }, auth)).status).toBe(403);
    // Nothing of the refused attempts happened.
    expect((await app.http.get(`/api/v1/tenants/${t.tenantId}/users/${a.source.id}`).set(t.auth)).status).toBe(200);
  });

  it('two merges racing on one source leave one consistent result', async () => {
    const a = await twoAccounts();
    const third = await app.createUser(t.tenantId, { password: undefined });
    const [r1, r2] = await Promise.all([
      merge({ source_user_id: a.source.id, target_user_id: a.target.id }),
      merge({ source_user_id: a.source.id, target_user_id: third.id }),
    ]);
    expect([r1.status, r2.status].sort()).toEqual([200, 404]);
    const row = await app.roster.db.knex('users').where({ id: a.source.id }).first();
    expect([a.target.id, third.id]).toContain(row.mergedInto);
    const members = await app.roster.db.knex('group_members').where({ groupId: a.g2.id });
    expect(members.map((m: { userId: string }) => m.userId)).toEqual([row.mergedInto]);
  });
});

describe('GET /api/v1/users/duplicates', () => {
  it('groups likely duplicates by reason, strongest first, and only within the tenant', async () => {
    const d = await app.tenantWithUser('tenant_admin');
    const mk = (fields: Record<string, unknown>) => app.createUser(d.tenantId, { password: undefined, ...fields });
    const plain = await mk({ email: 'kim.lee@example.com', first_name: 'Kim', last_name: 'Lee' });
    const tagged = await mk({ email: 'kim.lee+work@example.com' });
    const p1 = await mk({ email: 'ann1@example.com', first_name: 'Ann', last_name: 'Ode', phone: '+44 (20) 555-1234' });
    const p2 = await mk({ email: 'ann2@example.com', first_name: 'ANN', last_name: 'ode', phone: '+44 20 555 1234' });
    const n1 = await mk({ email: 'bo1@example.com', first_name: 'Bo', last_name: 'Ek' });
    const n2 = await mk({ email: 'bo2@example.com', first_name: 'Bo', last_name: 'Ek', phone: '123' });
    await mk({ email: 'solo@example.com', first_name: 'Solo', last_name: 'One' });
    // The same name in another tenant is no duplicate of these.
    await app.createUser(t.tenantId, { password: undefined, first_name: 'Bo', last_name: 'Ek' });

    const res = await app.http.get('/api/v1/users/duplicates').set(d.auth);
    expect(res.status).toBe(200);
    const groups = res.body.data.map((g: { reason: string; users: { id: string }[] }) => ({ reason: g.reason, ids: g.users.map((u) => u.id).sort() }));
    expect(groups).toEqual([
      { reason: 'same_email_without_tag', ids: [plain.id, tagged.id].sort() },
      { reason: 'same_name_and_phone', ids: [p1.id, p2.id].sort() },
      { reason: 'same_name', ids: [n1.id, n2.id].sort() },
    ]);
    const only = await app.http.get('/api/v1/users/duplicates').set(d.auth).query({ reasons: 'same_name' });
    expect(only.body.data.map((g: { reason: string }) => g.reason)).toEqual(['same_name', 'same_name']);
    expect((await app.http.get('/api/v1/users/duplicates').set(d.auth).query({ reasons: 'nope' })).status).toBe(422);
  });
});
