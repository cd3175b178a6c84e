import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, ADMIN_EMAIL, type TestApp } from '../support/test-app';
import {
  createPlainUser, createTenant, eventsFor, expectError, expectValidation, insertGroup, insertOu, userRow, usersBase,
} from './users-helpers';

let app: TestApp;
let rootId: string;
beforeAll(async () => {
  app = await createTestApp();
  rootId = (await app.roster.db.knex('users').where({ emailNormalized: ADMIN_EMAIL }).first('id')).id;
});
afterAll(() => app.close());

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const countUsers = async (tenantId: string) => Number((await app.roster.db.knex('users').where({ tenantId }).count({ n: '*' }))[0].n);

describe('POST /api/v1/tenants/{tenant_id}/users', () => {
  it('creates a user with every field and answers 201 with the full resource, ETag and Location', async () => {
    const t = await createTenant(app);
    const ou = await insertOu(app.roster.db.knex, t.id, 'Sales', '/Sales');
    const body = {
      email: 'Grace.Hopper@Example.com',
      username: 'ghopper',
      first_name: 'Grace',
      last_name: 'Hopper',
      display_name: 'Admiral Hopper',
      phone: '+1 555 0100',
      locale: 'en-US',
      timezone: 'America/New_York',
      password: PASSWORD,
      ou_id: ou.id,
      custom_attributes: { employee_no: 42 },
      require_password_change: true,
      send_welcome_email: false,
      role: 'viewer',
      email_verified: true,
      avatar_url: 'https://cdn.example.com/a.png',
      company: 'Navy',
      job_title: 'Rear Admiral',
      metadata: { source: 'test' },
      is_onboarded: true,
    };
    const res = await app.http.post(usersBase(t.id)).set(app.rootAuth).set('X-Request-Id', 'create-full-1').send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const u = res.body.data;
    expect(u).toEqual({
      id: expect.stringMatching(UUID),
      tenant_id: t.id,
      email: 'Grace.Hopper@Example.com',
      email_verified: true,
      username: 'ghopper',
      first_name: 'Grace',
      last_name: 'Hopper',
      display_name: 'Admiral Hopper',
      phone: '+1 555 0100',
      locale: 'en-US',
      timezone: 'America/New_York',
      avatar_url: 'https://cdn.example.com/a.png',
      company: 'Navy',
      job_title: 'Rear Admiral',
      ou_id: ou.id,
      ou_path: '/Sales',
      status: 'ACTIVE',
      is_active: true,
      identity_source: 'LOCAL',
      mfa_enabled: false,
      custom_attributes: { employee_no: 42 },
      metadata: { source: 'test' },
      role: 'viewer',
      is_internal: false,
      is_onboarded: true,
      password_expired: false,
      require_password_change: true,
      version: 1,
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
      last_login_at: null,
      password_changed_at: expect.stringMatching(ISO),
      deleted_at: null,
    });
    expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
    expect(res.body.meta).toEqual({ request_id: 'create-full-1', timestamp: expect.stringMatching(ISO) });
    expect(res.headers['x-request-id']).toBe('create-full-1');
    expect(res.headers.etag).toBe('W/"1"');
    expect(res.headers.location).toBe(`/api/v1/tenants/${t.id}/users/${u.id}`);

    // The Location names the same resource.
    const got = await app.http.get(res.headers.location).set(app.rootAuth);
    expect(got.status).toBe(200);
    expect(got.body.data).toEqual(u);

    // Stored as an argon2 hash, never in plain text; the user can sign in with it.
    const row = await userRow(app.roster.db.knex, u.id);
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain(PASSWORD);
    expect(row.emailNormalized).toBe('grace.hopper@example.com');
    // Created with require_password_change: signing in needs a new password too.
    const asked = await app.http.post('/api/v1/auth/token').send({ grant_type: 'password', username: 'ghopper', password: PASSWORD, tenant: t.slug });
    expect(asked.status).toBe(401);
    expect(asked.body.error.field).toBe('new_password');
    const login = await app.http.post('/api/v1/auth/token').send({ grant_type: 'password', username: 'ghopper', password: PASSWORD, tenant: t.slug, new_password: 'Graces-own-pass-1' });
    expect(login.status).toBe(200);

    // No welcome mail was asked for.
    expect(await app.roster.db.knex('outbox').where({ userId: u.id })).toEqual([]);
  });

  it('records a user.created event with actor, subject and request id, without the password', async () => {
    const t = await createTenant(app);
    const res = await app.http.post(usersBase(t.id)).set(app.rootAuth).set('X-Request-Id', 'create-event-1')
      .send({ email: 'evented@example.com', password: PASSWORD, send_welcome_email: false, first_name: 'Eve' });
    expect(res.status).toBe(201);
    const events = await eventsFor(app.roster.db.knex, res.body.data.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      tenantId: t.id,
      action: 'user.created',
      actorType: 'user',
      actorId: rootId,
      subjectType: 'user',
      subjectId: res.body.data.id,
      requestId: 'create-event-1',
    });
    expect(events[0].details).toMatchObject({ email: 'evented@example.com', first_name: 'Eve', password_set: true });
    expect(JSON.stringify(events[0])).not.toContain(PASSWORD);
  });

  it('applies the defaults of UserCreate when only the email is sent', async () => {
    const t = await createTenant(app);
    const res = await app.http.post(usersBase(t.id)).set(app.rootAuth).send({ email: '  minimal@example.com  ' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.data).toMatchObject({
      email: 'minimal@example.com',
      email_verified: false,
      username: null,
      first_name: null,
      last_name: null,
      display_name: null,
      phone: null,
      locale: 'en',
      timezone: 'UTC',
      ou_id: null,
      ou_path: null,
      status: 'ACTIVE',
      is_active: true,
      identity_source: 'LOCAL',
      mfa_enabled: false,
      custom_attributes: {},
      metadata: {},
      role: 'user',
      is_internal: false,
      is_onboarded: false,
      require_password_change: false,
      version: 1,
      password_changed_at: null,
    });
    expect(res.body.data).not.toHaveProperty('groups');
    expect((await userRow(app.roster.db.knex, res.body.data.id)).passwordHash).toBeNull();
  });

  it('queues a welcome mail by default; without a password it carries a one-time set-password link stored only as a hash', async () => {
    const t = await createTenant(app);
    const res = await app.http.post(usersBase(t.id)).set(app.rootAuth).send({ email: 'welcome@example.com', first_name: 'Wel' });
    expect(res.status).toBe(201);
    const mails = await app.roster.db.knex('outbox').where({ userId: res.body.data.id });
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ tenantId: t.id, kind: 'welcome', toAddress: 'welcome@example.com', status: 'PENDING' });
    const token = /[?&]token=([A-Za-z0-9_-]+)/.exec(mails[0].bodyText)?.[1];
    expect(token).toBeTruthy();
    const tokens = await app.roster.db.knex('user_tokens').where({ userId: res.body.data.id });
    expect(tokens).toHaveLength(1);
    expect(tokens[0].purpose).toBe('password_reset');
    expect(tokens[0].tokenHash).toBe(crypto.createHash('sha256').update(token!).digest('hex'));
    expect(JSON.stringify(tokens)).not.toContain(token!);
  });

  it('derives display_name from first and last name when none is given', async () => {
    const t = await createTenant(app);
    const both = await createPlainUser(app, t.id, { first_name: 'Ada', last_name: 'Lovelace' });
    expect(both.display_name).toBe('Ada Lovelace');
    const first = await createPlainUser(app, t.id, { first_name: 'Cher' });
    expect(first.display_name).toBe('Cher');
    const given = await createPlainUser(app, t.id, { first_name: 'Ada', last_name: 'King', display_name: 'Countess' });
    expect(given.display_name).toBe('Countess');
  });

  it('puts the new user into the given groups and OU', async () => {
    const t = await createTenant(app);
    const knex = app.roster.db.knex;
    const ou = await insertOu(knex, t.id, 'Eng', '/Eng');
    const g1 = await insertGroup(knex, t.id, 'Backend');
    const g2 = await insertGroup(knex, t.id, 'All Staff');
    const u = await createPlainUser(app, t.id, { ou_id: ou.id, group_ids: [g1.id, g2.id, g1.id] });
    expect(u.ou_path).toBe('/Eng');
    const members = await knex('group_members').where({ userId: u.id }).orderBy('groupId');
    expect(members.map((m: { groupId: string }) => m.groupId).sort()).toEqual([g1.id, g2.id].sort());
    const got = await app.http.get(`${usersBase(t.id)}/${u.id}?include=groups`).set(app.rootAuth);
    expect(got.body.data.groups).toEqual([
      { group_id: g2.id, name: 'All Staff', membership_type: 'DIRECT' },
      { group_id: g1.id, name: 'Backend', membership_type: 'DIRECT' },
    ]);
  });

  it('accepts the tenant slug in place of its id', async () => {
    const t = await createTenant(app);
    const res = await app.http.post(usersBase(t.slug)).set(app.rootAuth).send({ email: 'by-slug@example.com', send_welcome_email: false });
    expect(res.status).toBe(201);
    expect(res.body.data.tenant_id).toBe(t.id);
  });

  describe('validation', () => {
    let tenantId: string;
    beforeAll(async () => {
      tenantId = (await createTenant(app, { password_policy: { min_length: 12 } })).id;
    });

    it('a missing email is "Field required" at body.email', async () => {
      const res = await app.http.post(usersBase(tenantId)).set(app.rootAuth).send({ first_name: 'No Mail' });
      const detail = expectValidation(res, [['body', 'email']]);
      expect(detail[0]).toEqual({ loc: ['body', 'email'], msg: 'Field required', type: 'missing' });
      expect(res.body.error.field).toBe('email');
    });

    it('a malformed email is refused', async () => {
      for (const email of ['not-an-email', 'a@', '@example.com', 'two@@example.com', '']) {
        const res = await app.http.post(usersBase(tenantId)).set(app.rootAuth).send({ email });
        expectValidation(res, [['body', 'email']]);
      }
    });

    it('a username outside ^[a-zA-Z0-9_\\-@.]+$ is refused; one inside is accepted', async () => {
      for (const username of ['has space', 'semi;colon', 'slash/name', 'émile', '']) {
        const res = await app.http.post(usersBase(tenantId)).set(app.rootAuth).send({ email: 'pattern@example.com', username });
        expectValidation(res, [['body', 'username']]);
      }
      const ok = await createPlainUser(app, tenantId, { username: 'A.b-c_d@e' });
      expect(ok.username).toBe('A.b-c_d@e');
    });

    it('an unknown field is refused by name', async () => {
      const res = await app.http.post(usersBase(tenantId)).set(app.rootAuth).send({ email: 'extra@example.com', is_admin: true });
      const detail = expectValidation(res, [['body', 'is_admin']]);
      expect(detail[0].type).toBe('extra_forbidden');
    });

    it('lists every bad field at once, each unknown field at its own location, and creates nothing', async () => {
      const before = await countUsers(tenantId);
      const res = await app.http.post(usersBase(tenantId)).set(app.rootAuth)
        .send({ username: 'bad name', locale: '!!', timezone: 'Mars/Olympus', group_ids: ['nope'], foo: 1, bar: 2 });
      expectValidation(res, [
        ['body', 'email'],
        ['body', 'username'],
        ['body', 'locale'],
        ['body', 'timezone'],
        ['body', 'group_ids', 0],
        ['body', 'foo'],
        ['body', 'bar'],
      ]);
      expect(await countUsers(tenantId)).toBe(before);
    });

    it('wrong types are refused with their location', async () => {
      const res = await app.http.post(usersBase(tenantId)).set(app.rootAuth)
        .send({ email: 'types@example.com', require_password_change: 'yes', custom_attributes: [1], role: 'god', identity_source: 'AD' });
      expectValidation(res, [['body', 'require_password_change'], ['body', 'custom_attributes'], ['body', 'role'], ['body', 'identity_source']]);
    });

    it('a password shorter than the tenant policy is refused at body.password; one that long is accepted', async () => {
      const before = await countUsers(tenantId);
      const short = await app.http.post(usersBase(tenantId)).set(app.rootAuth).send({ email: 'short-pw@example.com', password: 'elevenchars', send_welcome_email: false });
      const detail = expectValidation(short, [['body', 'password']]);
      expect(detail[0].type).toBe('password_policy');
      expect(detail[0].msg).toContain('12');
      expect(await countUsers(tenantId)).toBe(before);
      const ok = await app.http.post(usersBase(tenantId)).set(app.rootAuth).send({ email: 'short-pw@example.com', password: 'twelve-chars', send_welcome_email: false });
      expect(ok.status).toBe(201);
    });

    it('the default policy (8) applies to tenants without one, counting characters not bytes', async () => {
      const t = await createTenant(app);
      const res = await app.http.post(usersBase(t.id)).set(app.rootAuth).send({ email: 'seven@example.com', password: 'ééééééé' });
      expectValidation(res, [['body', 'password']]);
    });

    it('an ou_id that is not an OU of this tenant is a 422 at body.ou_id', async () => {
      const other = await createTenant(app);
      const foreignOu = await insertOu(app.roster.db.knex, other.id, 'Foreign', '/Foreign');
      const before = await countUsers(tenantId);
      for (const ouId of [crypto.randomUUID(), foreignOu.id]) {
        const res = await app.http.post(usersBase(tenantId)).set(app.rootAuth).send({ email: 'ou@example.com', ou_id: ouId });
        expectValidation(res, [['body', 'ou_id']]);
      }
      const malformed = await app.http.post(usersBase(tenantId)).set(app.rootAuth).send({ email: 'ou@example.com', ou_id: 'sales' });
      expectValidation(malformed, [['body', 'ou_id']]);
      expect(await countUsers(tenantId)).toBe(before);
    });

    it('group_ids naming groups outside the tenant are a 422 at body.group_ids, and nothing is written', async () => {
      const knex = app.roster.db.knex;
      const other = await createTenant(app);
      const foreign = await insertGroup(knex, other.id, 'Foreign');
      const mine = await insertGroup(knex, tenantId, 'Mine');
      const missing = crypto.randomUUID();
      const before = await countUsers(tenantId);
      const res = await app.http.post(usersBase(tenantId)).set(app.rootAuth).send({ email: 'groups@example.com', group_ids: [mine.id, foreign.id, missing] });
      const detail = expectValidation(res, [['body', 'group_ids']]);
      expect(detail[0].msg).toContain(foreign.id);
      expect(detail[0].msg).toContain(missing);
      expect(detail[0].msg).not.toContain(mine.id);
      expect(await countUsers(tenantId)).toBe(before);
      expect(await knex('group_members').where({ groupId: mine.id })).toEqual([]);
    });
  });

  describe('uniqueness', () => {
    it('the same email in another letter case is 409 duplicate_email on field email', async () => {
      const t = await createTenant(app);
      await createPlainUser(app, t.id, { email: 'Dup.Me@Example.com' });
      const before = await countUsers(t.id);
      const res = await app.http.post(usersBase(t.id)).set(app.rootAuth).send({ email: 'dup.me@EXAMPLE.COM' });
      expectError(res, 409, 'duplicate_email', 'email');
      expect(res.body.error.message).toBe('A user with this email already exists');
      expect(await countUsers(t.id)).toBe(before);
    });

    it('the same username in another letter case is 409 duplicate_username on field username', async () => {
      const t = await createTenant(app);
      await createPlainUser(app, t.id, { username: 'JSmith' });
      const res = await app.http.post(usersBase(t.id)).set(app.rootAuth).send({ email: 'another@example.com', username: 'jsmith' });
      expectError(res, 409, 'duplicate_username', 'username');
    });

    it('the same email and username may exist in another tenant', async () => {
      const a = await createTenant(app);
      const b = await createTenant(app);
      await createPlainUser(app, a.id, { email: 'shared@example.com', username: 'shared' });
      const u = await createPlainUser(app, b.id, { email: 'shared@example.com', username: 'shared' });
      expect(u.tenant_id).toBe(b.id);
    });

    it('two users without a username do not collide', async () => {
      const t = await createTenant(app);
      await createPlainUser(app, t.id, { email: 'nouser1@example.com' });
      await createPlainUser(app, t.id, { email: 'nouser2@example.com' });
      expect(await countUsers(t.id)).toBe(2);
    });
  });

  describe('who may create', () => {
    it('a tenant_admin creates users in its own tenant, up to its own role, never above', async () => {
      const a = await app.tenantWithUser('tenant_admin');
      const peer = await app.http.post(usersBase(a.tenantId)).set(a.auth).send({ email: 'peer@example.com', role: 'tenant_admin', send_welcome_email: false });
      expect(peer.status).toBe(201);
      expect(peer.body.data.role).toBe('tenant_admin');
      for (const role of ['partner_admin', 'super_admin']) {
        const res = await app.http.post(usersBase(a.tenantId)).set(a.auth).send({ email: `${role}@example.com`, role, send_welcome_email: false });
        expectError(res, 403, 'forbidden');
      }
      const rows = await app.roster.db.knex('users').where({ tenantId: a.tenantId }).whereIn('role', ['partner_admin', 'super_admin']);
      expect(rows).toEqual([]);
    });

    it('a tenant_admin of another tenant gets 404, and nothing is created there', async () => {
      const a = await app.tenantWithUser('tenant_admin');
      const b = await createTenant(app);
      const res = await app.http.post(usersBase(b.id)).set(a.auth).send({ email: 'intruder@example.com' });
      expectError(res, 404, 'not_found');
      expect(await countUsers(b.id)).toBe(0);
    });

    it.each(['viewer', 'helpdesk', 'user'])('a %s gets 403', async (role) => {
      const a = await app.tenantWithUser(role);
      const res = await app.http.post(usersBase(a.tenantId)).set(a.auth).send({ email: 'nope@example.com' });
      expectError(res, 403, 'forbidden');
      expect(await countUsers(a.tenantId)).toBe(1);
    });

    it('without a token it is 401 with WWW-Authenticate: Bearer', async () => {
      const res = await app.http.post(usersBase(app.defaultTenantId)).send({ email: 'anon@example.com' });
      expectError(res, 401, 'unauthorized');
      expect(res.headers['www-authenticate']).toBe('Bearer');
    });

    it('an unknown tenant is 404', async () => {
      const res = await app.http.post(usersBase(crypto.randomUUID())).set(app.rootAuth).send({ email: 'ghost@example.com' });
      expectError(res, 404, 'not_found');
    });
  });
});
