import fs from 'node:fs';
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { startServer } from '../test/support/server-process';
import { Api } from './api';
import { openRaw, openRawPg, type RawDb } from './raw-db';
import { insertUsers, ROWS_PER_INSERT } from './insert-users';
import { seedUser, type BenchScope } from './data';

export const ROOT_EMAIL = 'root@bench.example.com';
export const ROOT_PASSWORD = 'Bench-root-password-1';
export const ADMIN_PASSWORD = 'Bench-admin-password-1';

/** What a seeded database holds besides its users; kept in server_settings so a reused seed is known. */
export interface SeedInfo {
  users: number;
  tenantId: string;
  slug: string;
  adminEmail: string;
  ouIds: string[];
  /** A unit with children: the `ou_id` + `include_descendants` filter. */
  parentOuId: string;
  /** A group with a nested group in it: the `group_id` filter follows nesting. */
  groupId: string;
  providerAlias: string;
  epochMs: number;
}

/** Where a database lives: the server's DATABASE_URL and the raw driver's target. */
export interface DbTarget {
  dialect: 'sqlite' | 'pg';
  /** A file path (SQLite) or a postgres:// URL. */
  location: string;
}

const SEED_KEY = 'bench_seed';

export async function readSeedInfo(target: DbTarget): Promise<SeedInfo | undefined> {
  if (target.dialect === 'sqlite' && !fs.existsSync(target.location)) return undefined;
  const db = await openRaw(target.dialect, target.location).catch(() => undefined);
  if (!db) return undefined;
  try {
    const rows = await db.all<{ value: string }>('SELECT value FROM server_settings WHERE key = ?', [SEED_KEY]);
    return rows[0] ? (JSON.parse(rows[0].value) as SeedInfo) : undefined;
  } catch {
    return undefined;
  } finally {
    await db.close();
  }
}

/**
 * Seeds `target` (empty) with a tenant of `users` users: the tenant, its admin, OUs, groups and an
 * identity provider through the real server (migrations and bootstrap included), then the users
 * by batched multi-row INSERTs straight into the migrations' tables. The users indexes, FTS
 * triggers and foreign-key checks are set aside during the load and rebuilt from their own
 * definitions after it, which is what makes a million rows take minutes rather than hours.
 */
export async function seed(target: DbTarget, users: number, dataDir: string, log: (s: string) => void): Promise<SeedInfo> {
  const info = await setUpThroughApi(target, users, dataDir);
  log(`seed: tenant ${info.slug} set up through the API; loading ${users.toLocaleString('en')} users`);
  const db = await openRaw(target.dialect, target.location);
  try {
    const started = Date.now();
    const rebuild = await setIndexesAside(db);
    await loadUsers(db, info, users, log);
    log(`seed: ${users.toLocaleString('en')} users loaded in ${((Date.now() - started) / 1000).toFixed(0)} s; rebuilding indexes`);
    await rebuild();
    if (db.dialect === 'pg') await db.run('VACUUM ANALYZE');
    else await db.run('PRAGMA wal_checkpoint(TRUNCATE)');
    await db.run('INSERT INTO server_settings (key, value) VALUES (?, ?)', [SEED_KEY, JSON.stringify(info)]);
    log(`seed: done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return info;
  } finally {
    await db.close();
  }
}

async function setUpThroughApi(target: DbTarget, users: number, dataDir: string): Promise<SeedInfo> {
  const server = await startServer({
    DATABASE_URL: target.location,
    ROSTER_DATA_DIR: dataDir,
    ROSTER_ADMIN_EMAIL: ROOT_EMAIL,
    ROSTER_ADMIN_PASSWORD: ROOT_PASSWORD,
  }, { timeoutMs: 180_000 });
  try {
    const root = await new Api(server.url).login(ROOT_EMAIL, ROOT_PASSWORD);
    const slug = 'bench';
    const tenant = (await root.call('POST', '/api/v1/tenants', { name: 'Bench Corp', slug }, 201)).data;
    const adminEmail = 'admin@bench.example.com';
    await root.call('POST', `/api/v1/tenants/${slug}/users`, { email: adminEmail, password: ADMIN_PASSWORD, role: 'tenant_admin', send_welcome_email: false }, 201);
    const ouIds: string[] = [];
    let parentOuId = '';
    for (const region of ['Europe', 'Americas', 'Asia', 'Africa']) {
      const top = (await root.call('POST', `/api/v1/tenants/${slug}/ous`, { name: region }, 201)).data;
      parentOuId ||= top.id;
      ouIds.push(top.id);
      for (const dept of ['Sales', 'Engineering', 'Support', 'Finance']) {
        ouIds.push((await root.call('POST', `/api/v1/tenants/${slug}/ous`, { name: dept, parent_id: top.id }, 201)).data.id);
      }
    }
    const staff = (await root.call('POST', `/api/v1/tenants/${slug}/groups`, { name: 'Staff' }, 201)).data;
    const eng = (await root.call('POST', `/api/v1/tenants/${slug}/groups`, { name: 'Engineers' }, 201)).data;
    const sales = (await root.call('POST', `/api/v1/tenants/${slug}/groups`, { name: 'Sellers' }, 201)).data;
    await root.call('POST', `/api/v1/tenants/${slug}/groups/${staff.id}/members`, { group_ids: [eng.id, sales.id] }, 200);
    await root.call('POST', `/api/v1/tenants/${slug}/identity-providers`, { alias: 'corp', type: 'OIDC', name: 'Corp SSO', issuer: 'https://sso.example.com' }, 201);
    return { users, tenantId: tenant.id, slug, adminEmail, ouIds, parentOuId, groupId: staff.id, providerAlias: 'corp', epochMs: Date.now() };
  } finally {
    await server.stop();
  }
}

/** Drops the users table's secondary indexes and triggers; the returned function puts them back. */
async function setIndexesAside(db: RawDb): Promise<() => Promise<void>> {
  if (db.dialect === 'sqlite') {
    const defs = await db.all<{ type: string; name: string; sql: string }>(
      "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'users' AND type IN ('index', 'trigger') AND sql IS NOT NULL",
    );
    for (const d of defs) await db.run(`DROP ${d.type.toUpperCase()} ${d.name}`);
    return async () => {
      await db.run('BEGIN');
      for (const d of defs.filter((x) => x.type === 'index')) await db.run(d.sql);
      await db.run("INSERT INTO users_fts(users_fts) VALUES ('rebuild')");
      for (const d of defs.filter((x) => x.type === 'trigger')) await db.run(d.sql);
      await db.run('COMMIT');
    };
  }
  const defs = await db.all<{ indexname: string; indexdef: string }>(
    `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'users'
       AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'users'::regclass)`,
  );
  for (const d of defs) await db.run(`DROP INDEX ${d.indexname}`);
  return async () => {
    await db.run("SET maintenance_work_mem = '512MB'");
    for (const d of defs) await db.run(d.indexdef);
  };
}

const COMMIT_EVERY = 50_000;

async function loadUsers(db: RawDb, info: SeedInfo, total: number, log: (s: string) => void): Promise<void> {
  const scope: BenchScope = { tenantId: info.tenantId, ouIds: info.ouIds, epochMs: info.epochMs };
  const groups = await db.all<{ id: string; name: string }>('SELECT id, name FROM groups WHERE tenant_id = ?', [info.tenantId]);
  const groupOf = (name: string) => groups.find((g) => g.name === name)!.id;
  const [eng, sales] = [groupOf('Engineers'), groupOf('Sellers')];
  const [provider] = await db.all<{ id: string }>('SELECT id FROM identity_providers WHERE tenant_id = ? AND alias = ?', [info.tenantId, info.providerAlias]);
  // Every row is valid by construction; PostgreSQL's per-row foreign-key triggers are skipped for the load.
  if (db.dialect === 'pg') await db.run('SET session_replication_role = replica').catch(() => undefined);
  const now = new Date().toISOString();
  await db.run('BEGIN');
  let members: unknown[][] = [];
  let identities: unknown[][] = [];
  for (let start = 0; start < total; start += ROWS_PER_INSERT) {
    const batch = [];
    for (let i = start; i < Math.min(total, start + ROWS_PER_INSERT); i++) {
      const u = seedUser(scope, i, total);
      batch.push(u);
      if (i % 50 === 0) members.push([uuidv7(), info.tenantId, eng, u.id, now]);
      else if (i % 50 === 1) members.push([uuidv7(), info.tenantId, sales, u.id, now]);
      if (u.identitySource === 'OIDC') identities.push([uuidv7(), info.tenantId, u.id, provider.id, `sub-${i}`, u.username, now]);
    }
    await insertUsers(db, info.tenantId, batch);
    if (members.length >= 400) {
      await insertMany(db, 'group_members (id, tenant_id, group_id, user_id, created_at)', members);
      members = [];
    }
    if (identities.length >= 400) {
      await insertMany(db, 'user_identities (id, tenant_id, user_id, provider_id, subject, external_username, linked_at)', identities);
      identities = [];
    }
    const done = start + batch.length;
    if (done % COMMIT_EVERY === 0 || done === total) {
      await db.run('COMMIT');
      if (done % 200_000 === 0) log(`seed: ${done.toLocaleString('en')} users`);
      if (done < total) await db.run('BEGIN');
    }
  }
  if (members.length) await insertMany(db, 'group_members (id, tenant_id, group_id, user_id, created_at)', members);
  if (identities.length) await insertMany(db, 'user_identities (id, tenant_id, user_id, provider_id, subject, external_username, linked_at)', identities);
  if (db.dialect === 'pg') await db.run('SET session_replication_role = DEFAULT').catch(() => undefined);
}

async function insertMany(db: RawDb, into: string, rows: unknown[][]): Promise<void> {
  const one = `(${rows[0].map(() => '?').join(',')})`;
  await db.run(`INSERT INTO ${into} VALUES ${rows.map(() => one).join(',')}`, rows.flat());
}

/**
 * The database a run works on: a fresh copy of the seed, so what a run writes (creates, imports,
 * the INSERT ceiling) never changes the seed the next run starts from.
 */
export async function copyForRun(seedTarget: DbTarget, tmpDir: string, adminUrl?: string): Promise<DbTarget> {
  if (seedTarget.dialect === 'sqlite') {
    const file = path.join(tmpDir, 'run.sqlite');
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    fs.copyFileSync(seedTarget.location, file);
    return { dialect: 'sqlite', location: file };
  }
  const seedDb = new URL(seedTarget.location).pathname.slice(1);
  const admin = await openRawPg(adminUrl!);
  try {
    await admin.run('DROP DATABASE IF EXISTS roster_bench_run WITH (FORCE)');
    await admin.run(`CREATE DATABASE roster_bench_run TEMPLATE ${seedDb}`);
  } finally {
    await admin.close();
  }
  const url = new URL(seedTarget.location);
  url.pathname = '/roster_bench_run';
  return { dialect: 'pg', location: url.toString() };
}
