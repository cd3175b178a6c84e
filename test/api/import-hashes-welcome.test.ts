import crypto from 'node:crypto';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, type Auth, type Json, type TestApp } from '../support/test-app';
import { importInto } from './import-jobs';

let app: TestApp;
let tenant: { tenantId: string; slug: string; user: Json; auth: Auth };
beforeAll(async () => {
  app = await createTestApp();
  tenant = await app.tenantWithUser('tenant_admin');
});
afterAll(() => app.close());

const uniq = () => crypto.randomUUID().slice(0, 8);

const importCsv = (csv: string, query: Record<string, string> = {}) => importInto(app, tenant.auth, csv, 'text/csv', query);

const stored = (email: string) => app.roster.db.knex('users').where({ tenantId: tenant.tenantId, emailNormalized: email }).first();
const mailsTo = (email: string) => app.roster.db.knex('outbox').where({ tenantId: tenant.tenantId, toAddress: email }).orderBy('createdAt');

describe('pre-hashed bcrypt passwords', () => {
  it('are stored as given, verify at login, and become argon2id after the first good login', async () => {
    const p = uniq();
    const b2b = bcrypt.hashSync(PASSWORD, 4);
    expect(b2b).toMatch(/^\$2b\$04\$/);
    // The same hash in the $2y$ (PHP) and $2a$ spellings.
    const b2y = b2b.replace(/^\$2b\$/, '$2y$');
    // $2a$ and $2b$ differ only for passwords over 255 bytes: the same hash, as older libraries spell it.
    const b2a = bcrypt.hashSync('Another-passw0rd', 5).replace(/^\$2b\$/, '$2a$');
    const csv = [
      'email,username,password_hash',
      `b2b-${p}@example.com,b2b-${p},${b2b}`,
      `b2y-${p}@example.com,b2y-${p},${b2y}`,
      `b2a-${p}@example.com,b2a-${p},${b2a}`,
      `short-${p}@example.com,,${b2b.slice(0, 40)}`,
      `cost-${p}@example.com,,${b2b.replace('$04$', '$99$')}`,
      `argon-${p}@example.com,,$argon2id$v=19$not-a-hash`,
      `md5-${p}@example.com,,$1$abcdefgh$0123456789abcdefghijkl`,
    ].join('\n');
    const job = await importCsv(csv);
    expect(job, JSON.stringify(job.errors)).toMatchObject({ status: 'completed', created: 3, failed: 4 });
    expect(job.errors.map((e: Json) => [e.row, e.field, e.code])).toEqual([
      [4, 'password_hash', 'invalid'], [5, 'password_hash', 'invalid'], [6, 'password_hash', 'invalid'], [7, 'password_hash', 'invalid'],
    ]);
    expect((await stored(`b2b-${p}@example.com`)).passwordHash).toBe(b2b);
    expect((await stored(`b2y-${p}@example.com`)).passwordHash).toBe(b2y);

    // A wrong password against a bcrypt hash fails and leaves the hash alone.
    const wrong = await app.http.post('/api/v1/auth/token').send({ grant_type: 'password', username: `b2b-${p}`, password: 'Wrong-passw0rd', tenant: tenant.slug });
    expect(wrong.status).toBe(401);
    expect((await stored(`b2b-${p}@example.com`)).passwordHash).toBe(b2b);

    for (const [name, password, given] of [[`b2b-${p}`, PASSWORD, b2b], [`b2y-${p}`, PASSWORD, b2y], [`b2a-${p}`, 'Another-passw0rd', b2a]]) {
      await app.login(name, password, tenant.slug);
      const after = (await stored(`${name}@example.com`)).passwordHash as string;
      expect(after).not.toBe(given);
      expect(after).toMatch(/^\$argon2id\$v=19\$/);
      // The new hash is the same password: the next login works, and keeps it.
      await app.login(name, password, tenant.slug);
      expect((await stored(`${name}@example.com`)).passwordHash).toBe(after);
    }
  });
});

describe('welcome mail for imported users', () => {
  it('is queued for each created user whose row asks for it, as for a user created through the API', async () => {
    const p = uniq();
    const existing = await app.createUser(tenant.tenantId, { email: `old-${p}@example.com` });
    const csv = [
      'email,first_name,username,password,send_welcome_email',
      `w1-${p}@example.com,Wendy,w1-${p},${PASSWORD},true`,
      `w2-${p}@example.com,Walt,,,TRUE`,
      `w3-${p}@example.com,Quiet,,,false`,
      `w4-${p}@example.com,Default,,,`,
      `old-${p}@example.com,Updated,,,true`,
      `bad-email-${p},Bad,,,true`,
    ].join('\n');

    // A dry run queues nothing.
    const dry = await importCsv(csv, { mode: 'upsert', dry_run: 'true' });
    expect(dry).toMatchObject({ created: 4, updated: 1, failed: 1 });
    expect(await mailsTo(`w1-${p}@example.com`)).toHaveLength(0);

    const job = await importCsv(csv, { mode: 'upsert' });
    expect(job).toMatchObject({ status: 'completed', created: 4, updated: 1, failed: 1 });
    const [w1] = await mailsTo(`w1-${p}@example.com`);
    expect(w1).toMatchObject({ kind: 'welcome', subject: 'Your new account', status: 'PENDING', userId: (await stored(`w1-${p}@example.com`)).id });
    expect(w1.bodyText).toBe(`Hello Wendy,\n\nAn account was created for you in Roster with the sign-in name w1-${p}.\n`);
    // Without a password, the mail carries a one-time link to choose one, which works.
    const [w2] = await mailsTo(`w2-${p}@example.com`);
    expect(w2.bodyText).toContain(`Hello Walt,\n\nAn account was created for you in Roster with the sign-in name w2-${p}@example.com.\n`);
    const token = /token=([^\s&]+)/.exec(w2.bodyText)![1];
    const done = await app.http.post('/api/v1/auth/password-reset/complete').send({ token: decodeURIComponent(token), new_password: 'Chosen-by-walt-1' });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    await app.login(`w2-${p}@example.com`, 'Chosen-by-walt-1', tenant.slug);
    // Not asked for, not for an update.
    expect(await mailsTo(`w3-${p}@example.com`)).toHaveLength(0);
    expect(await mailsTo(`w4-${p}@example.com`)).toHaveLength(0);
    expect(await mailsTo(existing.email)).toHaveLength(0);
    // The same message as a user created through the API gets.
    const viaApi = await app.http.post('/api/v1/users').set(tenant.auth).send({ email: `api-${p}@example.com`, first_name: 'Wendy', username: `api-${p}`, password: PASSWORD, send_welcome_email: true });
    expect(viaApi.status).toBe(201);
    const [apiMail] = await mailsTo(`api-${p}@example.com`);
    expect(apiMail.bodyText.replace(`api-${p}`, 'NAME')).toBe(w1.bodyText.replace(`w1-${p}`, 'NAME'));
    // The user's creation event does not carry the flag as a profile field.
    const event = await app.roster.db.knex('activityEvents').where({ subjectId: w1.userId, action: 'user.created' }).first();
    expect(JSON.stringify(event.details)).not.toContain('send_welcome_email');
  });
});
