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
const groupsUrl = (tenantId: string) => `/api/v1/tenants/${tenantId}/groups`;
const groupUrl = (tenantId: string, id: string) => `${groupsUrl(tenantId)}/${id}`;
const membersUrl = (tenantId: string, id: string) => `${groupUrl(tenantId, id)}/members`;

async function mkGroup(tenantId: string, name: string, extra: Record<string, unknown> = {}, auth: Auth = app.rootAuth): Promise<Json> {
  const res = await app.http.post(groupsUrl(tenantId)).set(auth).send({ name, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

const addMembers = (tenantId: string, groupId: string, body: { user_ids?: string[]; group_ids?: string[] }, auth: Auth = app.rootAuth) =>
  app.http.post(membersUrl(tenantId, groupId)).set(auth).send(body);

async function add(tenantId: string, groupId: string, body: { user_ids?: string[]; group_ids?: string[] }) {
  const res = await addMembers(tenantId, groupId, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res;
}

async function members(tenantId: string, groupId: string, query = '') {
  const res = await app.http.get(`${membersUrl(tenantId, groupId)}${query}`).set(app.rootAuth);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res;
}

/** The group_members rows of a group as sorted `user:<id>` / `group:<id>` strings. */
async function memberRows(groupId: string) {
  const rows = await app.roster.db.knex('group_members').where({ groupId }).select('userId', 'memberGroupId');
  return rows.map((r: Json) => (r.userId ? `user:${r.userId}` : `group:${r.memberGroupId}`)).sort();
}

const groupRow = (id: string) => app.roster.db.knex('groups').where({ id }).first();

describe('POST /api/v1/tenants/{t}/groups', () => {
  it('creates a group at version 1 with its ETag and records it', async () => {
    const t = await createTenant(app);
    const res = await app.http.post(groupsUrl(t.id)).set(app.rootAuth).set('X-Request-Id', 'grp-create-1')
      .send({ name: '  Engineering ', description: 'Builders', external_id: 'ext-42' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.headers.etag).toBe('W/"1"');
    expect(res.body.data).toEqual({
      id: expect.any(String), tenant_id: t.id, name: 'Engineering', description: 'Builders', external_id: 'ext-42',
      member_count: 0, version: 1, created_at: expect.stringMatching(ISO), updated_at: expect.stringMatching(ISO),
    });
    const row = await groupRow(res.body.data.id);
    expect(row).toMatchObject({ tenantId: t.id, name: 'Engineering', nameNormalized: 'engineering', version: 1 });
    const events = await eventsFor(app.roster.db.knex, res.body.data.id, 'group.created');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ tenantId: t.id, actorType: 'user', actorId: rootId, subjectType: 'group', requestId: 'grp-create-1' });
    expect(events[0].details).toEqual({ name: 'Engineering' });

    const get = await app.http.get(groupUrl(t.id, res.body.data.id)).set(app.rootAuth);
    expect(get.status).toBe(200);
    expect(get.headers.etag).toBe('W/"1"');
    expect(get.body.data).toEqual(res.body.data);
  });

  it('names are unique per tenant, case-insensitively: 409; another tenant may reuse one', async () => {
    const t = await createTenant(app);
    await mkGroup(t.id, 'Engineering');
    for (const name of ['Engineering', 'engineering', 'ENGINEERING', ' Engineering  ']) {
      expectError(await app.http.post(groupsUrl(t.id)).set(app.rootAuth).send({ name }), 409, 'conflict', 'name');
    }
    expect(Number((await app.roster.db.knex('groups').where({ tenantId: t.id }).count({ n: '*' }).first())!.n)).toBe(1);
    const other = await createTenant(app);
    expect((await mkGroup(other.id, 'engineering')).name).toBe('engineering');
  });

  it('validation: a missing or blank name, unknown fields', async () => {
    const t = await createTenant(app);
    const post = (body: Record<string, unknown>) => app.http.post(groupsUrl(t.id)).set(app.rootAuth).send(body);
    expectValidation(await post({}), [['body', 'name']]);
    expectValidation(await post({ name: '  ' }), [['body', 'name']]);
    expectValidation(await post({ name: 'x'.repeat(256) }), [['body', 'name']]);
    expectValidation(await post({ name: 'Ok', members: [] }), [['body', 'members']]);
    expect(Number((await app.roster.db.knex('groups').where({ tenantId: t.id }).count({ n: '*' }).first())!.n)).toBe(0);
  });
});

describe('GET /api/v1/tenants/{t}/groups (list)', () => {
  it('lists by name, with search, name and paging; member_count counts direct members', async () => {
    const t = await createTenant(app);
    const g = {
      ops: await mkGroup(t.id, 'Operations'),
      eng: await mkGroup(t.id, 'engineering'),
      alpha: await mkGroup(t.id, 'Alpha Team'),
      beta: await mkGroup(t.id, 'Beta Team'),
    };
    const u = await createPlainUser(app, t.id);
    await add(t.id, g.eng.id, { user_ids: [u.id], group_ids: [g.alpha.id] });
    const list = async (q = '') => {
      const res = await app.http.get(`${groupsUrl(t.id)}${q}`).set(app.rootAuth);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res;
    };
    const all = await list();
    expect(all.body.data.map((x: Json) => x.name)).toEqual(['Alpha Team', 'Beta Team', 'engineering', 'Operations']);
    expect(all.body.pagination).toEqual({ page: 1, per_page: 20, total_items: 4, total_pages: 1 });
    expect(all.body.data.find((x: Json) => x.id === g.eng.id)).toMatchObject({ member_count: 2, version: 2 });
    expect((await list('?search=TEAM')).body.data.map((x: Json) => x.name)).toEqual(['Alpha Team', 'Beta Team']);
    expect((await list('?name=ENGINEERING')).body.data.map((x: Json) => x.id)).toEqual([g.eng.id]);
    expect((await list('?name=Engin')).body.data).toEqual([]);
    const p2 = await list('?per_page=3&page=2');
    expect(p2.body.data.map((x: Json) => x.name)).toEqual(['Operations']);
    expect(p2.body.pagination).toEqual({ page: 2, per_page: 3, total_items: 4, total_pages: 2 });
    expect((await list('?sort_order=desc')).body.data.map((x: Json) => x.name)).toEqual(['Operations', 'engineering', 'Beta Team', 'Alpha Team']);
  });
});

describe('PATCH and DELETE /api/v1/tenants/{t}/groups/{id}', () => {
  it('PATCH changes the fields sent, bumps the version and answers the new ETag', async () => {
    const t = await createTenant(app);
    const g = await mkGroup(t.id, 'Engineering', { description: 'Old' });
    const res = await app.http.patch(groupUrl(t.id, g.id)).set(app.rootAuth).set('X-Request-Id', 'grp-patch-1').send({ name: 'R&D', description: null });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers.etag).toBe('W/"2"');
    expect(res.body.data).toMatchObject({ id: g.id, name: 'R&D', description: null, external_id: null, version: 2 });
    expect(await groupRow(g.id)).toMatchObject({ name: 'R&D', nameNormalized: 'r&d', description: null, version: 2 });
    const [event] = await eventsFor(app.roster.db.knex, g.id, 'group.updated');
    expect(event).toMatchObject({ tenantId: t.id, actorId: rootId, requestId: 'grp-patch-1' });
    expect(event.details).toMatchObject({ from_name: 'Engineering' });
    // The old name is free again; a change of case only is the same group.
    await mkGroup(t.id, 'engineering');
    const recase = await app.http.patch(groupUrl(t.id, g.id)).set(app.rootAuth).send({ name: 'r&d' });
    expect(recase.status).toBe(200);
    expect(recase.body.data).toMatchObject({ name: 'r&d', version: 3 });
  });

  it('a PATCH that changes nothing keeps the version and writes no event', async () => {
    const t = await createTenant(app);
    const g = await mkGroup(t.id, 'Stable', { description: 'Same' });
    const res = await app.http.patch(groupUrl(t.id, g.id)).set(app.rootAuth).set('If-Match', 'W/"1"').send({ name: 'Stable', description: 'Same' });
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('W/"1"');
    expect(res.body.data).toEqual(g);
    expect((await app.http.patch(groupUrl(t.id, g.id)).set(app.rootAuth).send({})).body.data.version).toBe(1);
    expect(await groupRow(g.id)).toMatchObject({ version: 1 });
    expect(await eventsFor(app.roster.db.knex, g.id, 'group.updated')).toEqual([]);
    // A real change after it still needs the current ETag.
    expect((await app.http.patch(groupUrl(t.id, g.id)).set(app.rootAuth).set('If-Match', 'W/"1"').send({ external_id: 'x-1' })).headers.etag).toBe('W/"2"');
  });

  it('renaming to another group\'s name (any case) is a 409 and changes nothing', async () => {
    const t = await createTenant(app);
    const a = await mkGroup(t.id, 'Alpha');
    await mkGroup(t.id, 'Beta');
    expectError(await app.http.patch(groupUrl(t.id, a.id)).set(app.rootAuth).send({ name: 'BETA' }), 409, 'conflict', 'name');
    expect(await groupRow(a.id)).toMatchObject({ name: 'Alpha', version: 1 });
    expect(await eventsFor(app.roster.db.knex, a.id, 'group.updated')).toEqual([]);
  });

  it('If-Match: the current ETag passes; a stale one is a 412 for PATCH, DELETE and both member routes, changing nothing', async () => {
    const t = await createTenant(app);
    const g = await mkGroup(t.id, 'Versioned');
    const u = await createPlainUser(app, t.id);
    const v = await createPlainUser(app, t.id);
    const ok = await app.http.patch(groupUrl(t.id, g.id)).set(app.rootAuth).set('If-Match', 'W/"1"').send({ description: 'second' });
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).toBe('W/"2"');
    const added = await app.http.post(membersUrl(t.id, g.id)).set(app.rootAuth).set('If-Match', 'W/"2"').send({ user_ids: [u.id] });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.headers.etag).toBe('W/"3"');
    expect(added.body.data).toMatchObject({ member_count: 1, version: 3 });

    expectError(await app.http.patch(groupUrl(t.id, g.id)).set(app.rootAuth).set('If-Match', 'W/"2"').send({ description: 'lost' }), 412, 'precondition_failed');
    expectError(await app.http.post(membersUrl(t.id, g.id)).set(app.rootAuth).set('If-Match', 'W/"1"').send({ user_ids: [v.id] }), 412, 'precondition_failed');
    expectError(await app.http.delete(`${membersUrl(t.id, g.id)}/${u.id}`).set(app.rootAuth).set('If-Match', 'W/"2"'), 412, 'precondition_failed');
    expectError(await app.http.delete(groupUrl(t.id, g.id)).set(app.rootAuth).set('If-Match', 'W/"2"'), 412, 'precondition_failed');
    expectError(await app.http.patch(groupUrl(t.id, g.id)).set(app.rootAuth).set('If-Match', 'garbage').send({ description: 'lost' }), 412, 'precondition_failed');
    expect(await groupRow(g.id)).toMatchObject({ description: 'second', version: 3 });
    expect(await memberRows(g.id)).toEqual([`user:${u.id}`]);

    // The current one works for each; "*" asks for no check.
    const removed = await app.http.delete(`${membersUrl(t.id, g.id)}/${u.id}`).set(app.rootAuth).set('If-Match', '"3"');
    expect(removed.status).toBe(204);
    expect((await groupRow(g.id)).version).toBe(4);
    expect((await app.http.patch(groupUrl(t.id, g.id)).set(app.rootAuth).set('If-Match', '*').send({ description: 'third' })).headers.etag).toBe('W/"5"');
    expect((await app.http.delete(groupUrl(t.id, g.id)).set(app.rootAuth).set('If-Match', 'W/"5"')).status).toBe(204);
    expect(await groupRow(g.id)).toBeUndefined();
  });

  it('DELETE removes the group and its memberships (both ways) but not its users, and records it', async () => {
    const t = await createTenant(app);
    const parent = await mkGroup(t.id, 'Parent');
    const g = await mkGroup(t.id, 'Doomed');
    const child = await mkGroup(t.id, 'Child');
    const u1 = await createPlainUser(app, t.id);
    const u2 = await createPlainUser(app, t.id);
    await add(t.id, g.id, { user_ids: [u1.id, u2.id], group_ids: [child.id] });
    await add(t.id, parent.id, { group_ids: [g.id] });
    await add(t.id, child.id, { user_ids: [u2.id] });

    const res = await app.http.delete(groupUrl(t.id, g.id)).set(app.rootAuth).set('X-Request-Id', 'grp-del-1');
    expect(res.status).toBe(204);
    expect(await groupRow(g.id)).toBeUndefined();
    expect(await app.roster.db.knex('group_members').where({ groupId: g.id }).orWhere({ memberGroupId: g.id })).toEqual([]);
    expect(await memberRows(parent.id)).toEqual([]);
    expect(await memberRows(child.id)).toEqual([`user:${u2.id}`]);
    for (const u of [u1, u2]) expect((await app.roster.db.knex('users').where({ id: u.id }).first()).deletedAt).toBeNull();
    expectError(await app.http.get(groupUrl(t.id, g.id)).set(app.rootAuth), 404, 'not_found');
    expectError(await app.http.delete(groupUrl(t.id, g.id)).set(app.rootAuth), 404, 'not_found');
    const [event] = await eventsFor(app.roster.db.knex, g.id, 'group.deleted');
    expect(event).toMatchObject({ tenantId: t.id, actorId: rootId, subjectType: 'group', requestId: 'grp-del-1' });
    expect(event.details).toEqual({ name: 'Doomed' });
    // The users' groups no longer mention it.
    const inc = await app.http.get(`${usersBase(t.id)}/${u1.id}?include=groups`).set(app.rootAuth);
    expect(inc.body.data.groups).toEqual([]);
  });
});

describe('group members', () => {
  it('POST adds users and groups; a second identical POST adds nothing and changes nothing', async () => {
    const t = await createTenant(app);
    const g = await mkGroup(t.id, 'Team');
    const sub = await mkGroup(t.id, 'Sub');
    const u1 = await createPlainUser(app, t.id);
    const u2 = await createPlainUser(app, t.id);

    const res = await app.http.post(membersUrl(t.id, g.id)).set(app.rootAuth).set('X-Request-Id', 'grp-add-1')
      .send({ user_ids: [u1.id, u2.id, u1.id], group_ids: [sub.id] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers.etag).toBe('W/"2"');
    expect(res.body.data).toMatchObject({ id: g.id, member_count: 3, version: 2 });
    expect(await memberRows(g.id)).toEqual([`group:${sub.id}`, `user:${u1.id}`, `user:${u2.id}`].sort());
    const rows = await app.roster.db.knex('group_members').where({ groupId: g.id });
    for (const r of rows) expect(r.tenantId).toBe(t.id);
    const events = await eventsFor(app.roster.db.knex, g.id, 'group.members_added');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ tenantId: t.id, actorId: rootId, requestId: 'grp-add-1' });
    expect({ users: [...events[0].details.user_ids].sort(), groups: events[0].details.group_ids }).toEqual({ users: [u1.id, u2.id].sort(), groups: [sub.id] });

    const again = await add(t.id, g.id, { user_ids: [u2.id, u1.id], group_ids: [sub.id] });
    expect(again.headers.etag).toBe('W/"2"');
    expect(again.body.data).toMatchObject({ member_count: 3, version: 2 });
    expect(await memberRows(g.id)).toHaveLength(3);
    expect(await eventsFor(app.roster.db.knex, g.id, 'group.members_added')).toHaveLength(1);

    // A mix of old and new adds only the new one.
    const u3 = await createPlainUser(app, t.id);
    const mixed = await add(t.id, g.id, { user_ids: [u1.id, u3.id] });
    expect(mixed.body.data).toMatchObject({ member_count: 4, version: 3 });
    const last = await eventsFor(app.roster.db.knex, g.id, 'group.members_added');
    expect(last[1].details).toEqual({ user_ids: [u3.id], group_ids: [] });
  });

  it('unknown, malformed, deleted and other-tenant ids are a 422 naming them; nothing is added', async () => {
    const t = await createTenant(app);
    const other = await createTenant(app);
    const g = await mkGroup(t.id, 'Team');
    const mine = await createPlainUser(app, t.id);
    const gone = await createPlainUser(app, t.id);
    expect((await app.http.delete(`${usersBase(t.id)}/${gone.id}?confirm_email=${gone.email}`).set(app.rootAuth)).status).toBe(204);
    const foreignUser = await createPlainUser(app, other.id);
    const foreignGroup = await mkGroup(other.id, 'Foreign');
    const unknown = crypto.randomUUID();

    let res = await addMembers(t.id, g.id, { user_ids: [mine.id, foreignUser.id, unknown] });
    let [d] = expectValidation(res, [['body', 'user_ids']]);
    expect(d.msg).toContain(foreignUser.id);
    expect(d.msg).toContain(unknown);
    expect(d.msg).not.toContain(mine.id);

    res = await addMembers(t.id, g.id, { user_ids: [gone.id] });
    [d] = expectValidation(res, [['body', 'user_ids']]);
    expect(d.msg).toContain(gone.id);

    res = await addMembers(t.id, g.id, { user_ids: [mine.id], group_ids: [foreignGroup.id] });
    [d] = expectValidation(res, [['body', 'group_ids']]);
    expect(d.msg).toContain(foreignGroup.id);

    expectValidation(await addMembers(t.id, g.id, { user_ids: ['not-a-uuid'] }), [['body', 'user_ids', 0]]);
    expectValidation(await addMembers(t.id, g.id, {}), [['body', 'user_ids']]);
    expectValidation(await addMembers(t.id, g.id, { user_ids: [], group_ids: [] }), [['body', 'user_ids']]);

    expect(await memberRows(g.id)).toEqual([]);
    expect((await groupRow(g.id)).version).toBe(1);
    expect(await eventsFor(app.roster.db.knex, g.id, 'group.members_added')).toEqual([]);
  });

  it('a group that would contain itself, directly or through a chain, is a 409 and nothing is added', async () => {
    const t = await createTenant(app);
    const a = await mkGroup(t.id, 'A');
    const b = await mkGroup(t.id, 'B');
    const c = await mkGroup(t.id, 'C');
    const d = await mkGroup(t.id, 'D');
    const u = await createPlainUser(app, t.id);
    await add(t.id, a.id, { group_ids: [b.id] });
    await add(t.id, b.id, { group_ids: [c.id] });
    const before = {
      a: await memberRows(a.id), b: await memberRows(b.id), c: await memberRows(c.id),
      versions: [(await groupRow(a.id)).version, (await groupRow(b.id)).version, (await groupRow(c.id)).version],
    };

    // Itself.
    expectError(await addMembers(t.id, a.id, { group_ids: [a.id] }), 409, 'conflict', 'group_ids');
    // B ⊃ A while A ⊃ B.
    expectError(await addMembers(t.id, b.id, { group_ids: [a.id] }), 409, 'conflict', 'group_ids');
    // C ⊃ A while A ⊃ B ⊃ C, along with a user and a harmless group: nothing of it lands.
    expectError(await addMembers(t.id, c.id, { user_ids: [u.id], group_ids: [d.id, a.id] }), 409, 'conflict', 'group_ids');
    expectError(await addMembers(t.id, c.id, { group_ids: [b.id] }), 409, 'conflict', 'group_ids');

    expect({
      a: await memberRows(a.id), b: await memberRows(b.id), c: await memberRows(c.id),
      versions: [(await groupRow(a.id)).version, (await groupRow(b.id)).version, (await groupRow(c.id)).version],
    }).toEqual(before);
    expect(before.c).toEqual([]);
    expect(await eventsFor(app.roster.db.knex, c.id, 'group.members_added')).toEqual([]);

    // The other direction, and a diamond, are fine: A ⊃ C directly as well as through B.
    await add(t.id, a.id, { group_ids: [c.id] });
    await add(t.id, c.id, { group_ids: [d.id] });
    expect(await memberRows(a.id)).toEqual([`group:${b.id}`, `group:${c.id}`].sort());
    // D now sits below A twice over; D ⊃ A is still a cycle.
    expectError(await addMembers(t.id, d.id, { group_ids: [a.id] }), 409, 'conflict', 'group_ids');
  });

  it('two opposite additions at the same time cannot build a cycle between them', async () => {
    const t = await createTenant(app);
    for (let i = 0; i < 8; i++) {
      const x = await mkGroup(t.id, `X${i}`);
      const y = await mkGroup(t.id, `Y${i}`);
      const [xy, yx] = await Promise.all([addMembers(t.id, x.id, { group_ids: [y.id] }), addMembers(t.id, y.id, { group_ids: [x.id] })]);
      expect([xy.status, yx.status].sort(), JSON.stringify([xy.body, yx.body])).toEqual([200, 409]);
      expect([...(await memberRows(x.id)), ...(await memberRows(y.id))]).toHaveLength(1);
    }
  });

  it('GET lists direct users and groups; effective=true every user at any depth, DIRECT or INHERITED', async () => {
    const t = await createTenant(app);
    const top = await mkGroup(t.id, 'Top');
    const mid = await mkGroup(t.id, 'Middle');
    const leaf = await mkGroup(t.id, 'Leaf');
    const mk = (display_name: string, email: string) => createPlainUser(app, t.id, { display_name, email });
    const ann = await mk('Ann', 'ann@example.com');
    const bob = await mk('Bob', 'bob@example.com');
    const cat = await mk('Cat', 'cat@example.com');
    const dan = await createPlainUser(app, t.id, { email: 'dan@example.com' });
    const gone = await mk('Gone', 'gone@example.com');
    await add(t.id, top.id, { user_ids: [bob.id, ann.id], group_ids: [mid.id] });
    await add(t.id, mid.id, { user_ids: [cat.id, ann.id], group_ids: [leaf.id] });
    await add(t.id, leaf.id, { user_ids: [dan.id, gone.id] });
    expect((await app.http.delete(`${usersBase(t.id)}/${gone.id}?confirm_email=${gone.email}`).set(app.rootAuth)).status).toBe(204);

    const direct = await members(t.id, top.id);
    expect(direct.body.data).toEqual([
      { member_type: 'USER', id: ann.id, name: 'Ann', email: 'ann@example.com', membership_type: 'DIRECT', added_at: expect.stringMatching(ISO) },
      { member_type: 'USER', id: bob.id, name: 'Bob', email: 'bob@example.com', membership_type: 'DIRECT', added_at: expect.stringMatching(ISO) },
      { member_type: 'GROUP', id: mid.id, name: 'Middle', email: null, membership_type: 'DIRECT', added_at: expect.stringMatching(ISO) },
    ]);
    expect(direct.body.pagination).toEqual({ page: 1, per_page: 20, total_items: 3, total_pages: 1 });

    const effective = await members(t.id, top.id, '?effective=true');
    expect(effective.body.data.map((m: Json) => [m.member_type, m.id, m.name, m.membership_type])).toEqual([
      ['USER', ann.id, 'Ann', 'DIRECT'],
      ['USER', bob.id, 'Bob', 'DIRECT'],
      ['USER', cat.id, 'Cat', 'INHERITED'],
      ['USER', dan.id, 'dan@example.com', 'INHERITED'],
    ]);
    expect(effective.body.pagination.total_items).toBe(4);
    const page2 = await members(t.id, top.id, '?effective=true&per_page=3&page=2');
    expect(page2.body.data.map((m: Json) => m.id)).toEqual([dan.id]);
    expect(page2.body.pagination).toEqual({ page: 2, per_page: 3, total_items: 4, total_pages: 2 });

    expect((await members(t.id, mid.id, '?effective=true')).body.data.map((m: Json) => [m.id, m.membership_type])).toEqual([
      [ann.id, 'DIRECT'], [cat.id, 'DIRECT'], [dan.id, 'INHERITED'],
    ]);
    expect((await members(t.id, leaf.id)).body.data.map((m: Json) => m.id)).toEqual([dan.id]);
    // member_count agrees with the list: the deleted user is not counted.
    const leafGroup = await app.http.get(groupUrl(t.id, leaf.id)).set(app.rootAuth);
    expect(leafGroup.body.data.member_count).toBe(1);
    expect((await app.http.get(`${groupsUrl(t.id)}?name=Leaf`).set(app.rootAuth)).body.data[0].member_count).toBe(1);
    expect((await app.http.get(groupUrl(t.id, top.id)).set(app.rootAuth)).body.data.member_count).toBe(3);
    expect((await members(t.id, top.id, '?effective=false')).body.data).toHaveLength(3);
  });

  it('DELETE .../members/{id} removes a user or group member; a non-member is a 404', async () => {
    const t = await createTenant(app);
    const g = await mkGroup(t.id, 'Team');
    const sub = await mkGroup(t.id, 'Sub');
    const u = await createPlainUser(app, t.id);
    const stranger = await createPlainUser(app, t.id);
    await add(t.id, g.id, { user_ids: [u.id], group_ids: [sub.id] });

    const res = await app.http.delete(`${membersUrl(t.id, g.id)}/${u.id}`).set(app.rootAuth).set('X-Request-Id', 'grp-rm-1');
    expect(res.status).toBe(204);
    expect(await memberRows(g.id)).toEqual([`group:${sub.id}`]);
    expect(await groupRow(g.id)).toMatchObject({ version: 3 });
    const [event] = await eventsFor(app.roster.db.knex, g.id, 'group.member_removed');
    expect(event).toMatchObject({ tenantId: t.id, actorId: rootId, requestId: 'grp-rm-1' });
    expect(event.details).toEqual({ member_id: u.id });
    expect((await app.roster.db.knex('users').where({ id: u.id }).first()).deletedAt).toBeNull();

    expect((await app.http.delete(`${membersUrl(t.id, g.id)}/${sub.id}`).set(app.rootAuth)).status).toBe(204);
    expect(await memberRows(g.id)).toEqual([]);
    expect(await groupRow(sub.id)).toBeDefined();

    for (const id of [u.id, stranger.id, sub.id, crypto.randomUUID(), 'not-a-uuid']) {
      expectError(await app.http.delete(`${membersUrl(t.id, g.id)}/${id}`).set(app.rootAuth), 404, 'not_found');
    }
    expect((await groupRow(g.id)).version).toBe(4);
    expect(await eventsFor(app.roster.db.knex, g.id, 'group.member_removed')).toHaveLength(2);
  });

  it('300 members in one request', async () => {
    const t = await createTenant(app);
    const g = await mkGroup(t.id, 'Big');
    const ids: string[] = [];
    for (let i = 0; i < 300; i += 25) {
      const batch = await Promise.all(Array.from({ length: 25 }, (_, j) => createPlainUser(app, t.id, { email: `big-${i + j}@example.com`, send_welcome_email: false })));
      ids.push(...batch.map((u) => u.id));
    }
    const res = await add(t.id, g.id, { user_ids: ids });
    expect(res.body.data).toMatchObject({ member_count: 300, version: 2 });
    expect(await memberRows(g.id)).toEqual(ids.map((id) => `user:${id}`).sort());
    const page = await members(t.id, g.id, '?per_page=100&page=3');
    expect(page.body.data).toHaveLength(100);
    expect(page.body.pagination).toEqual({ page: 3, per_page: 100, total_items: 300, total_pages: 3 });
    const [event] = await eventsFor(app.roster.db.knex, g.id, 'group.members_added');
    expect(event.details.user_ids).toHaveLength(300);
    // The users list agrees.
    const listed = await app.http.get(`${usersBase(t.id)}?group_id=${g.id}&per_page=1`).set(app.rootAuth);
    expect(listed.body.pagination.total_items).toBe(300);
  }, 60_000);
});

describe('nested membership seen from the user', () => {
  it('INHERITED through three levels in include=groups, /admin/users/{id}/groups and the users list group_id filter', async () => {
    const t = await createTenant(app);
    const a = await mkGroup(t.id, 'A-All Staff');
    const b = await mkGroup(t.id, 'B-Engineering');
    const c = await mkGroup(t.id, 'C-Backend');
    const d = await mkGroup(t.id, 'D-Databases');
    const lonely = await mkGroup(t.id, 'Lonely');
    const deep = await createPlainUser(app, t.id);
    const mid = await createPlainUser(app, t.id);
    const outsider = await createPlainUser(app, t.id);
    await add(t.id, a.id, { group_ids: [b.id] });
    await add(t.id, b.id, { group_ids: [c.id], user_ids: [mid.id] });
    await add(t.id, c.id, { group_ids: [d.id] });
    await add(t.id, d.id, { user_ids: [deep.id] });
    await add(t.id, lonely.id, { user_ids: [outsider.id] });

    const expected = [
      { group_id: a.id, name: 'A-All Staff', membership_type: 'INHERITED' },
      { group_id: b.id, name: 'B-Engineering', membership_type: 'INHERITED' },
      { group_id: c.id, name: 'C-Backend', membership_type: 'INHERITED' },
      { group_id: d.id, name: 'D-Databases', membership_type: 'DIRECT' },
    ];
    const inc = await app.http.get(`${usersBase(t.id)}/${deep.id}?include=groups`).set(app.rootAuth);
    expect(inc.status).toBe(200);
    expect(inc.body.data.groups).toEqual(expected);
    const admin = await app.http.get(`/api/v1/admin/users/${deep.id}/groups`).set(app.rootAuth);
    expect(admin.status).toBe(200);
    expect(admin.body.data).toEqual(expected);

    // A user directly in B and, later, also in A directly: DIRECT wins over INHERITED.
    await add(t.id, a.id, { user_ids: [mid.id] });
    expect((await app.http.get(`/api/v1/admin/users/${mid.id}/groups`).set(app.rootAuth)).body.data).toEqual([
      { group_id: a.id, name: 'A-All Staff', membership_type: 'DIRECT' },
      { group_id: b.id, name: 'B-Engineering', membership_type: 'DIRECT' },
    ]);

    const byGroup = async (groupId: string) => {
      const res = await app.http.get(`${usersBase(t.id)}?group_id=${groupId}`).set(app.rootAuth);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return (res.body.data as Json[]).map((u) => u.id).sort();
    };
    expect(await byGroup(a.id)).toEqual([deep.id, mid.id].sort());
    expect(await byGroup(b.id)).toEqual([deep.id, mid.id].sort());
    expect(await byGroup(c.id)).toEqual([deep.id]);
    expect(await byGroup(d.id)).toEqual([deep.id]);
    expect(await byGroup(lonely.id)).toEqual([outsider.id]);

    // Cutting the chain in the middle cuts the inheritance.
    expect((await app.http.delete(`${membersUrl(t.id, b.id)}/${c.id}`).set(app.rootAuth)).status).toBe(204);
    expect(await byGroup(a.id)).toEqual([mid.id]);
    expect((await app.http.get(`/api/v1/admin/users/${deep.id}/groups`).set(app.rootAuth)).body.data).toEqual([
      { group_id: c.id, name: 'C-Backend', membership_type: 'INHERITED' },
      { group_id: d.id, name: 'D-Databases', membership_type: 'DIRECT' },
    ]);
  });
});

describe('deep nesting', () => {
  it('a lattice of 22 layers (each group in both groups of the next layer) still answers at once, and correctly', async () => {
    const t = await createTenant(app);
    const u = await createPlainUser(app, t.id);
    const layers: Json[][] = [];
    for (let i = 0; i < 22; i++) {
      const layer = [await mkGroup(t.id, `L${String(i).padStart(2, '0')}a`), await mkGroup(t.id, `L${String(i).padStart(2, '0')}b`)];
      for (const g of layer) {
        if (i === 0) await add(t.id, g.id, { user_ids: [u.id] });
        else await add(t.id, g.id, { group_ids: layers[i - 1].map((p) => p.id) });
      }
      layers.push(layer);
    }
    const started = Date.now();
    const res = await app.http.get(`/api/v1/admin/users/${u.id}/groups`).set(app.rootAuth);
    const inc = await app.http.get(`${usersBase(t.id)}/${u.id}?include=groups`).set(app.rootAuth);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(res.status).toBe(200);
    const want = layers.flat().map((g, n) => ({ group_id: g.id, name: g.name, membership_type: n < 2 ? 'DIRECT' : 'INHERITED' }));
    expect(res.body.data).toEqual(want);
    expect(inc.body.data.groups).toEqual(want);
    // From the top, the user is one effective member, inherited.
    const top = await members(t.id, layers[21][0].id, '?effective=true');
    expect(top.body.data.map((m: Json) => [m.id, m.membership_type])).toEqual([[u.id, 'INHERITED']]);
    const listed = await app.http.get(`${usersBase(t.id)}?group_id=${layers[21][1].id}`).set(app.rootAuth);
    expect(listed.body.data.map((x: Json) => x.id)).toEqual([u.id]);
  }, 60_000);
});

describe('tenant isolation and roles', () => {
  it('another tenant\'s group is a 404 on every route, through either tenant', async () => {
    const t = await createTenant(app);
    const admin = await app.tenantWithUser('tenant_admin');
    const foreign = await mkGroup(t.id, 'Foreign');
    const u = await createPlainUser(app, t.id);
    await add(t.id, foreign.id, { user_ids: [u.id] });
    const own = await mkGroup(admin.tenantId, 'Own', {}, admin.auth);

    for (const tenantId of [admin.tenantId, t.id]) {
      expectError(await app.http.get(groupUrl(tenantId, foreign.id)).set(admin.auth), 404, 'not_found');
      expectError(await app.http.patch(groupUrl(tenantId, foreign.id)).set(admin.auth).send({ name: 'Taken' }), 404, 'not_found');
      expectError(await app.http.delete(groupUrl(tenantId, foreign.id)).set(admin.auth), 404, 'not_found');
      expectError(await app.http.get(membersUrl(tenantId, foreign.id)).set(admin.auth), 404, 'not_found');
      expectError(await app.http.post(membersUrl(tenantId, foreign.id)).set(admin.auth).send({ user_ids: [admin.user.id] }), 404, 'not_found');
      expectError(await app.http.delete(`${membersUrl(tenantId, foreign.id)}/${u.id}`).set(admin.auth), 404, 'not_found');
    }
    expectError(await app.http.get(groupsUrl(t.id)).set(admin.auth), 404, 'not_found');
    // Even the super admin, asking through the wrong tenant.
    expectError(await app.http.get(groupUrl(admin.tenantId, foreign.id)).set(app.rootAuth), 404, 'not_found');
    // A foreign group or user cannot be pulled into one's own group either.
    expectValidation(await addMembers(admin.tenantId, own.id, { group_ids: [foreign.id] }, admin.auth), [['body', 'group_ids']]);
    expectValidation(await addMembers(admin.tenantId, own.id, { user_ids: [u.id] }, admin.auth), [['body', 'user_ids']]);

    expect(await groupRow(foreign.id)).toMatchObject({ name: 'Foreign', version: 2 });
    expect(await memberRows(foreign.id)).toEqual([`user:${u.id}`]);
    expect(await memberRows(own.id)).toEqual([]);
  });

  for (const role of ['viewer', 'helpdesk'] as const) {
    it(`a ${role} may read groups and members but gets 403 on every write`, async () => {
      const who = await app.tenantWithUser(role);
      const g = await mkGroup(who.tenantId, 'Readable');
      const u = await createPlainUser(app, who.tenantId);
      await add(who.tenantId, g.id, { user_ids: [u.id] });
      expect((await app.http.get(groupsUrl(who.tenantId)).set(who.auth)).body.data.map((x: Json) => x.id)).toEqual([g.id]);
      expect((await app.http.get(groupUrl(who.tenantId, g.id)).set(who.auth)).status).toBe(200);
      expect((await app.http.get(`${membersUrl(who.tenantId, g.id)}?effective=true`).set(who.auth)).body.data.map((m: Json) => m.id)).toEqual([u.id]);

      expectError(await app.http.post(groupsUrl(who.tenantId)).set(who.auth).send({ name: 'Nope' }), 403, 'forbidden');
      expectError(await app.http.patch(groupUrl(who.tenantId, g.id)).set(who.auth).send({ name: 'Nope' }), 403, 'forbidden');
      expectError(await app.http.delete(groupUrl(who.tenantId, g.id)).set(who.auth), 403, 'forbidden');
      expectError(await addMembers(who.tenantId, g.id, { user_ids: [who.user.id] }, who.auth), 403, 'forbidden');
      expectError(await app.http.delete(`${membersUrl(who.tenantId, g.id)}/${u.id}`).set(who.auth), 403, 'forbidden');
      expect(await groupRow(g.id)).toMatchObject({ name: 'Readable', version: 2 });
      expect(await memberRows(g.id)).toEqual([`user:${u.id}`]);
    });
  }

  it('a tenant admin manages its own groups, and events name it', async () => {
    const admin = await app.tenantWithUser('tenant_admin');
    const g = await mkGroup(admin.tenantId, 'Mine', {}, admin.auth);
    const res = await addMembers(admin.tenantId, g.id, { user_ids: [admin.user.id] }, admin.auth);
    expect(res.status).toBe(200);
    const [event] = await eventsFor(app.roster.db.knex, g.id, 'group.members_added');
    expect(event).toMatchObject({ actorType: 'user', actorId: admin.user.id, tenantId: admin.tenantId });
  });
});
