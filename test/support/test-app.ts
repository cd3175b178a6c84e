import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import supertest from 'supertest';
import pino from 'pino';
import knexFactory from 'knex';
import { loadConfig } from '../../server/config';
import { createRoster, type Roster } from '../../server/roster';

export const ADMIN_EMAIL = 'root@roster.test';
export const ADMIN_PASSWORD = 'root-password-123';
export const PASSWORD = 'Passw0rd-for-tests';

export type Auth = { Authorization: string };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON body from the API, read field by field in assertions
export type Json = Record<string, any>;

export interface TestApp {
  roster: Roster;
  http: ReturnType<typeof supertest>;
  /** Bearer header of the bootstrap super admin (tenant `default`). */
  rootAuth: Auth;
  defaultTenantId: string;
  login(username: string, password?: string, tenant?: string): Promise<{ auth: Auth; access_token: string; refresh_token: string }>;
  /** A fresh tenant with one user of `role` in it: isolation for free. */
  tenantWithUser(role?: string): Promise<{ tenantId: string; slug: string; user: Json; auth: Auth }>;
  /** Creates a user through the API as the super admin. */
  createUser(tenantId: string, fields?: Record<string, unknown>): Promise<Json>;
  close(): Promise<void>;
}

/**
 * The real Roster (createRoster: migrations, bootstrap, app) on a temporary SQLite file, or on a
 * fresh PostgreSQL database when TEST_DATABASE_URL names a server (npm run test:pg).
 */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-test-'));
  const pg = process.env.TEST_DATABASE_URL ? await createPgDatabase(process.env.TEST_DATABASE_URL) : undefined;
  const config = loadConfig({
    ROSTER_DATA_DIR: dir,
    ROSTER_ADMIN_EMAIL: ADMIN_EMAIL,
    ROSTER_ADMIN_PASSWORD: ADMIN_PASSWORD,
    ROSTER_HASH_THREADS: '2',
    LOG_LEVEL: 'silent',
    ...(pg ? { DATABASE_URL: pg.url } : {}),
    ...env,
  });
  const roster = await createRoster(config, pino({ level: 'silent' }));
  const http = supertest(roster.app.callback());

  const login: TestApp['login'] = async (username, password = PASSWORD, tenant = 'default') => {
    const res = await http.post('/api/v1/auth/token').send({ grant_type: 'password', username, password, tenant });
    if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { auth: { Authorization: `Bearer ${res.body.access_token}` }, access_token: res.body.access_token, refresh_token: res.body.refresh_token };
  };

  const root = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
  const rootAuth = root.auth;

  const createUser: TestApp['createUser'] = async (tenantId, fields = {}) => {
    const res = await http
      .post(`/api/v1/tenants/${tenantId}/users`)
      .set(rootAuth)
      .send({ email: `u-${crypto.randomUUID().slice(0, 8)}@example.com`, password: PASSWORD, send_welcome_email: false, ...fields });
    if (res.status !== 201) throw new Error(`createUser failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.data;
  };

  const tenantWithUser: TestApp['tenantWithUser'] = async (role = 'tenant_admin') => {
    const slug = `t-${crypto.randomUUID().slice(0, 8)}`;
    const t = await http.post('/api/v1/tenants').set(rootAuth).send({ name: `Tenant ${slug}`, slug });
    if (t.status !== 201) throw new Error(`tenant create failed: ${t.status} ${JSON.stringify(t.body)}`);
    const user = await createUser(t.body.data.id, { email: `${role}@${slug}.example.com`, role });
    const { auth } = await login(user.email, PASSWORD, slug);
    return { tenantId: t.body.data.id, slug, user, auth };
  };

  return {
    roster,
    http,
    rootAuth,
    defaultTenantId: roster.bootstrap.tenantId,
    login,
    tenantWithUser,
    createUser,
    async close() {
      await roster.close();
      await pg?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function createPgDatabase(serverUrl: string) {
  const name = `roster_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    },
  };
}
