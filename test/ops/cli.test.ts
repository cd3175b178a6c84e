import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import supertest from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config';
import { createRoster, type Roster } from '../../server/roster';
import { createServerDatabase, runCli, type ServerDatabase } from '../support/server-process';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../support/test-app';

/** The CLI spawned as `node bin/roster.mjs`, on a database of its own: SQLite, or PostgreSQL under test:pg. */
// Each command is a fresh Node process loading TypeScript through tsx: seconds each on a busy machine.
describe('roster CLI', { timeout: 300_000 }, () => {
  let db: ServerDatabase;
  let roster: Roster | undefined;
  afterEach(async () => {
    await roster?.close();
    roster = undefined;
    await db?.drop();
  });

  /** The real app in this process on the same database, to check what a command did over the API. */
  async function openApp(env: Record<string, string>) {
    roster = await createRoster(loadConfig({ ...env, LOG_LEVEL: 'silent' }), pino({ level: 'silent' }));
    return supertest(roster.app.callback());
  }
  const login = (http: ReturnType<typeof supertest>, username: string, password: string, tenant = 'default') =>
    http.post('/api/v1/auth/token').send({ grant_type: 'password', username, password, tenant });

  it('lists its commands', async () => {
    db = await createServerDatabase();
    const help = await runCli(['--help'], db.env);
    expect(help.code).toBe(0);
    for (const command of ['serve', 'migrate', 'create-admin', 'import', 'export-user', 'backup', 'restore']) expect(help.stdout).toContain(command);
    const bad = await runCli(['frobnicate'], db.env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/unknown command/);
  });

  it('migrate: reports pending migrations, applies them, then has nothing to do', async () => {
    db = await createServerDatabase();
    const before = await runCli(['migrate', '--status'], db.env);
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/pending {2}20261123000001_foundation/);
    expect(before.stdout).toMatch(/^0 applied, \d+ pending$/m);
    const pending = Number(/(\d+) pending/.exec(before.stdout)![1]);

    const apply = await runCli(['migrate'], db.env);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain(`Applied ${pending} migration(s)`);
    const after = await runCli(['migrate', '--status'], db.env);
    expect(after.stdout).toContain(`${pending} applied, 0 pending`);
    expect((await runCli(['migrate'], db.env)).stdout).toContain('up to date');
  });

  it('create-admin: the first super admin on an empty database, more later, and tenant admins', async () => {
    db = await createServerDatabase();
    const env = { ...db.env, ROSTER_ADMIN_EMAIL: '', ROSTER_ADMIN_PASSWORD: '' };
    const early = await runCli(['create-admin', '--email', 'ta@example.com', '--password', 'Tenant-password-1', '--tenant', 'default'], env);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/no super admin yet/);
    const first = await runCli(['create-admin', '--email', 'boss@example.com', '--password', 'Boss-password-1'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Created super admin boss@example.com');
    const second = await runCli(['create-admin', '--email', 'deputy@example.com', '--password', 'Deputy-password-1'], env);
    expect(second.code, second.stderr).toBe(0);
    const tenantAdmin = await runCli(['create-admin', '--email', 'ta@example.com', '--password', 'Tenant-password-1', '--tenant', 'default'], env);
    expect(tenantAdmin.code, tenantAdmin.stderr).toBe(0);
    const weak = await runCli(['create-admin', '--email', 'weak@example.com', '--password', 'short'], env);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/password/i);
    const duplicate = await runCli(['create-admin', '--email', 'BOSS@example.com', '--password', 'Boss-password-2'], env);
    expect(duplicate.code).toBe(1);
    const missing = await runCli(['create-admin', '--email', 'x@example.com'], env);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/--password/);

    const http = await openApp(env);
    for (const [email, password, role] of [['boss@example.com', 'Boss-password-1', 'super_admin'], ['deputy@example.com', 'Deputy-password-1', 'super_admin'], ['ta@example.com', 'Tenant-password-1', 'tenant_admin']]) {
      const token = await login(http, email, password);
      expect(token.status, email).toBe(200);
      const me = await http.get('/api/v1/users/me').set('Authorization', `Bearer ${token.body.access_token}`);
      expect(me.body.data).toMatchObject({ email, role });
    }
    expect((await login(http, 'weak@example.com', 'short')).status).toBe(401);
  });

  it('import: runs the import job, prints its counts, and answers with an exit code', async () => {
    db = await createServerDatabase();
    expect((await runCli(['import', path.join(db.dataDir, 'u.csv'), '--tenant', 'default'], db.env)).stderr).toMatch(/No such file/);
    const file = (name: string, text: string) => {
      const p = path.join(db.dataDir, name);
      fs.writeFileSync(p, text);
      return p;
    };
    // The server's first start (here the app in this process) made the super admin the CLI acts as.
    const http = await openApp(db.env);
    const csv = file('users.csv', 'email,first_name,groups\nann@example.com,Ann,\nbob@example.com,Bob,\nnot-an-email,Carl,\n');
    const partial = await runCli(['import', csv, '--tenant', 'default'], db.env);
    expect(partial.code, partial.stderr).toBe(2);
    expect(partial.stdout).toContain('completed: rows 3: created 2, updated 0, skipped 0, failed 1');
    expect(partial.stderr).toMatch(/row 3 email/);

    const ndjson = file('more.ndjson', '{"email":"cy@example.com","first_name":"Cy"}\n{"email":"ann@example.com","first_name":"Anna"}\n');
    const dry = await runCli(['import', ndjson, '--tenant', 'default', '--mode', 'upsert', '--dry-run'], db.env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('created 1, updated 1');
    const upsert = await runCli(['import', ndjson, '--tenant', 'default', '--mode', 'upsert'], db.env);
    expect(upsert.code, upsert.stderr).toBe(0);
    expect(upsert.stdout).toContain('completed: rows 2: created 1, updated 1');

    const abort = await runCli(['import', file('bad.json', '[{"email":"dee@example.com"},{"email":"nope"}]'), '--tenant', 'default', '--on-error', 'abort'], db.env);
    expect(abort.code).toBe(1);
    expect(abort.stdout).toMatch(/^aborted:/);
    expect((await runCli(['import', file('x.txt', 'email\n'), '--tenant', 'default'], db.env)).stderr).toMatch(/--format/);
    expect((await runCli(['import', csv, '--tenant', 'no-such-tenant'], db.env)).code).toBe(1);
    expect((await runCli(['import', csv, '--tenant', 'default', '--mode', 'merge'], db.env)).code).not.toBe(0);

    const token = await login(http, ADMIN_EMAIL, ADMIN_PASSWORD);
    const list = await http.get('/api/v1/tenants/default/users').query({ search: 'example.com', per_page: 50 }).set('Authorization', `Bearer ${token.body.access_token}`);
    expect(list.body.data.map((u: { email: string }) => u.email).sort()).toEqual(['ann@example.com', 'bob@example.com', 'cy@example.com']);
    expect(list.body.data.find((u: { email: string }) => u.email === 'ann@example.com').first_name).toBe('Anna');
  });

  it('import: SIGTERM stops the job at a batch boundary (exit 130), and a server resumes it without duplicates', async () => {
    db = await createServerDatabase();
    const http = await openApp(db.env);
    const rows = 20_000;
    let csv = 'email,first_name\n';
    for (let i = 0; i < rows; i++) csv += `stop${i}@cli-stop.test,S${i}\n`;
    const file = path.join(db.dataDir, 'big.csv');
    fs.writeFileSync(file, csv);

    const result = await runCli(['import', file, '--tenant', 'default'], db.env, {
      onSpawn: (child) => {
        let seen = '';
        child.stderr!.on('data', (d: Buffer) => {
          seen += d.toString();
          // Signalled once the first batches are in: the job is well under way, far from its end.
          if (/rows ([1-9]\d{3,})/.test(seen) && !child.killed) child.kill('SIGTERM');
        });
      },
    });
    expect(result.code, result.stderr).toBe(130);
    const stopped = /^interrupted: rows (\d+): created (\d+)/m.exec(result.stdout);
    expect(stopped, result.stdout).not.toBeNull();
    const committed = Number(stopped![1]);
    expect(committed % 500).toBe(0);
    expect(committed).toBeLessThan(rows);
    expect(Number(stopped![2])).toBe(committed);
    const id = /import-jobs\/([0-9a-f-]{36})\/resume/.exec(result.stdout)![1];

    const token = await login(http, ADMIN_EMAIL, ADMIN_PASSWORD);
    const auth = { Authorization: `Bearer ${token.body.access_token}` };
    const total = async () => (await http.get('/api/v1/tenants/default/users').query({ search: 'cli-stop.test', per_page: 1 }).set(auth)).body.pagination.total_items;
    expect(await total()).toBe(committed);
    expect((await http.post(`/api/v1/import-jobs/${id}/resume`).query({ tenant_id: 'default' }).set(auth)).status).toBeLessThan(300);
    let job: Record<string, unknown> = {};
    for (let i = 0; i < 1200; i++) {
      job = (await http.get(`/api/v1/import-jobs/${id}`).query({ tenant_id: 'default' }).set(auth)).body.data;
      if (job.status !== 'running' && job.status !== 'queued') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(job).toMatchObject({ status: 'completed', rows_read: rows, created: rows, failed: 0 });
    expect(await total()).toBe(rows);
  });

  it('export-user: the GDPR document, to stdout or to a private file', async () => {
    db = await createServerDatabase();
    const csv = path.join(db.dataDir, 'u.csv');
    fs.writeFileSync(csv, 'email,first_name\nexported@example.com,Eve\n');
    const http = await openApp(db.env);
    expect((await runCli(['import', csv, '--tenant', 'default'], db.env)).code).toBe(0);
    const token = await login(http, ADMIN_EMAIL, ADMIN_PASSWORD);
    const auth = { Authorization: `Bearer ${token.body.access_token}` };
    const user = (await http.get('/api/v1/tenants/default/users').query({ email: 'exported@example.com' }).set(auth)).body.data[0];

    const printed = await runCli(['export-user', user.id], db.env);
    expect(printed.code, printed.stderr).toBe(0);
    const doc = JSON.parse(printed.stdout);
    expect(doc).toMatchObject({ format: 'roster.user-export.v1', user: { id: user.id, email: 'exported@example.com', first_name: 'Eve' } });
    expect(JSON.stringify(doc)).not.toMatch(/password_hash|\$argon2/);

    const out = path.join(db.dataDir, 'export.json');
    const saved = await runCli(['export-user', user.id, '--tenant', 'default', '--out', out], db.env);
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout).toBe('');
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).user.id).toBe(user.id);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);

    // Each export is on the record, as over the API.
    const events = await http.get(`/api/v1/tenants/default/audit-events`).query({ action: 'user.exported' }).set(auth);
    expect(events.body.data.filter((e: { subject_id: string }) => e.subject_id === user.id).length).toBe(2);

    const unknown = await runCli(['export-user', '01a20000-0000-7000-8000-000000000000'], db.env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/not found/i);
  });

  it.runIf(process.env.TEST_DATABASE_URL)('backup and restore point PostgreSQL to its own tools', async () => {
    db = await createServerDatabase();
    const backup = await runCli(['backup', path.join(db.dataDir, 'b.sqlite')], db.env);
    expect(backup.code).toBe(2);
    expect(backup.stderr).toContain('pg_dump');
    expect(fs.existsSync(path.join(db.dataDir, 'b.sqlite'))).toBe(false);
    const restore = await runCli(['restore', path.join(db.dataDir, 'b.sqlite')], db.env);
    expect(restore.code).toBe(2);
    expect(restore.stderr).toContain('pg_restore');
  });
});
