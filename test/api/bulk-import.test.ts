import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, type Auth, type Json, type TestApp } from '../support/test-app';
import { importInto, waitForImportJob } from './import-jobs';

let app: TestApp;
let tenant: { tenantId: string; slug: string; user: Json; auth: Auth };
beforeAll(async () => {
  app = await createTestApp();
  tenant = await app.tenantWithUser('tenant_admin');
});
afterAll(() => app.close());

const uniq = () => crypto.randomUUID().slice(0, 8);
const IMPORT = '/api/v1/users/bulk-import';

const importBody = (body: string, type: string, query: Record<string, string> = {}, auth: Auth = tenant.auth) => importInto(app, auth, body, type, query);

const userByEmail = (email: string) => app.roster.db.knex('users').where({ tenantId: tenant.tenantId, emailNormalized: email.toLowerCase() }).whereNull('deletedAt').first();

describe('bulk import', () => {
  it('imports CSV with bad rows reported by row number and good rows committed', async () => {
    const p = uniq();
    const csv = [
      'email,first_name,last_name,role,job_title',
      `a-${p}@example.com,Ada,Lovelace,user,Engineer`,
      'not-an-email,Bad,Row,user,',
      `b-${p}@example.com,Bob,Stone,viewer,`,
      `a-${p}@EXAMPLE.com,Dup,In file,user,`,
      `c-${p}@example.com,Cy,Role,super_admin,`,
      `d-${p}@example.com,Only,two`,
      `"e-${p}@example.com","Eve, ""quoted""",Smith,user,"Line\nbreak"`,
    ].join('\n');
    const job = await importBody(csv, 'text/csv');
    expect(job).toMatchObject({ status: 'completed', format: 'csv', rows_read: 7, created: 3, updated: 0, skipped: 0, failed: 4 });
    expect(job.errors.map((e: Json) => [e.row, e.field, e.code])).toEqual([
      [2, 'email', 'invalid'], [4, 'email', 'duplicate_in_file'], [5, 'role', 'forbidden_role'], [6, null, 'column_count'],
    ]);
    const eve = await userByEmail(`e-${p}@example.com`);
    expect(eve).toMatchObject({ firstName: 'Eve, "quoted"', jobTitle: 'Line\nbreak', displayName: 'Eve, "quoted" Smith' });
    // The same events as the REST API, and the job's own.
    const events = await app.roster.db.knex('activityEvents').where({ subjectId: eve.id });
    expect(events.map((e: Json) => e.action)).toEqual(['user.created']);
    const jobEvents = await app.roster.db.knex('activityEvents').where({ tenantId: tenant.tenantId }).whereIn('action', ['import.started', 'import.completed']);
    expect(jobEvents.filter((e: Json) => String(e.details).includes(job.id) || JSON.stringify(e.details).includes(job.id)).map((e: Json) => e.action).sort())
      .toEqual(['import.completed', 'import.started']);
    // Created users are visible through the API.
    const listed = await app.http.get('/api/v1/users').set(tenant.auth).query({ email: `b-${p}@example.com` });
    expect(listed.body.data[0]).toMatchObject({ role: 'viewer', first_name: 'Bob' });
  });

  it('imports a JSON array and NDJSON, with malformed records as row errors', async () => {
    const p = uniq();
    const json = JSON.stringify([
      { email: `j1-${p}@example.com`, first_name: 'Jay', custom_attributes: { team: 'red [1]' } },
      { email: `j2-${p}@example.com`, groups: [] , 'custom.floor': 3 },
      'not an object',
      { email: `j3-${p}@example.com`, nope: true },
    ]);
    const a = await importBody(json, 'application/json');
    expect(a).toMatchObject({ status: 'completed', format: 'json', rows_read: 4, created: 2, failed: 2 });
    expect(a.errors.map((e: Json) => [e.row, e.field, e.code])).toEqual([[3, null, 'invalid_json'], [4, 'nope', 'unknown_field']]);
    const j2 = await app.http.get(`/api/v1/users/${(await userByEmail(`j2-${p}@example.com`)).id}`).set(tenant.auth);
    expect(j2.body.data.custom_attributes).toEqual({ floor: 3 });

    const ndjson = [
      JSON.stringify({ email: `n1-${p}@example.com` }),
      '',
      '{"email": broken',
      JSON.stringify({ email: `n2-${p}@example.com`, locale: 'de-DE', timezone: 'Europe/Berlin' }),
    ].join('\n');
    const b = await importBody(ndjson, 'application/x-ndjson');
    expect(b).toMatchObject({ status: 'completed', format: 'ndjson', rows_read: 3, created: 2, failed: 1 });
    expect(b.errors).toEqual([expect.objectContaining({ row: 2, code: 'invalid_json' })]);
    expect(await userByEmail(`n2-${p}@example.com`)).toMatchObject({ locale: 'de-DE', timezone: 'Europe/Berlin' });
  });

  it('upserts on email case-insensitively; unchanged rows are skipped', async () => {
    const p = uniq();
    const existing = await app.createUser(tenant.tenantId, { email: `up-${p}@example.com`, first_name: 'Old', company: 'Keep' });
    const csv = `email,first_name,job_title\nUP-${p}@example.com,New,Boss\nfresh-${p}@example.com,Fresh,\n`;
    const create = await importBody(csv, 'text/csv', { mode: 'create' });
    expect(create).toMatchObject({ created: 1, updated: 0, failed: 1 });
    expect(create.errors[0]).toMatchObject({ row: 1, field: 'email', code: 'duplicate_email' });

    const upsert = await importBody(csv, 'text/csv', { mode: 'upsert' });
    expect(upsert, JSON.stringify(upsert)).toMatchObject({ status: 'completed', created: 0, updated: 1, skipped: 1, failed: 0 });
    const got = await app.http.get(`/api/v1/users/${existing.id}`).set(tenant.auth);
    expect(got.body.data).toMatchObject({ first_name: 'New', job_title: 'Boss', company: 'Keep', version: 2, email: existing.email });
    const events = await app.roster.db.knex('activityEvents').where({ subjectId: existing.id, action: 'user.updated' });
    expect(events).toHaveLength(1);

    const again = await importBody(csv, 'text/csv', { mode: 'upsert' });
    expect(again).toMatchObject({ created: 0, updated: 0, skipped: 2, failed: 0 });
  });

  it('dry_run validates and counts but changes nothing', async () => {
    const p = uniq();
    const before = await app.roster.db.knex('users').where({ tenantId: tenant.tenantId }).count({ n: '*' }).first();
    const job = await importBody(`email,first_name\ndry1-${p}@example.com,A\nbad,B\ndry2-${p}@example.com,C\n`, 'text/csv', { dry_run: 'true' });
    expect(job).toMatchObject({ status: 'completed', dry_run: true, rows_read: 3, created: 2, failed: 1 });
    const after = await app.roster.db.knex('users').where({ tenantId: tenant.tenantId }).count({ n: '*' }).first();
    expect(Number(after!.n)).toBe(Number(before!.n));
    expect(await userByEmail(`dry1-${p}@example.com`)).toBeUndefined();
    const abortDry = await importBody(`email\ndry3-${p}@example.com\n`, 'text/csv', { dry_run: 'true', on_error: 'abort' });
    expect(abortDry).toMatchObject({ status: 'completed', created: 1 });
    expect(await userByEmail(`dry3-${p}@example.com`)).toBeUndefined();
  });

  it('on_error=abort applies nothing of the job, even rows in earlier batches', async () => {
    const p = uniq();
    const rows = Array.from({ length: 1200 }, (_, i) => `ab${i}-${p}@example.com,N${i}`);
    rows[1100] = 'broken-email,X';
    const job = await importBody(`email,first_name\n${rows.join('\n')}\n`, 'text/csv', { on_error: 'abort' });
    expect(job).toMatchObject({ status: 'aborted', created: 0, updated: 0, failed: 1 });
    expect(job.errors).toEqual([expect.objectContaining({ row: 1101, field: 'email' })]);
    expect(await userByEmail(`ab0-${p}@example.com`)).toBeUndefined();
    expect(await userByEmail(`ab1000-${p}@example.com`)).toBeUndefined();
  });

  it('fills groups, ou_path and custom.* columns', async () => {
    const p = uniq();
    const g1 = await app.http.post(`/api/v1/tenants/${tenant.tenantId}/groups`).set(tenant.auth).send({ name: `Eng ${p}` });
    const g2 = await app.http.post(`/api/v1/tenants/${tenant.tenantId}/groups`).set(tenant.auth).send({ name: `Ops ${p}` });
    expect([g1.status, g2.status]).toEqual([201, 201]);
    const ou = await app.http.post(`/api/v1/tenants/${tenant.tenantId}/ous`).set(tenant.auth).send({ name: `Sales${p}` });
    expect(ou.status).toBe(201);
    const csv = [
      'email,groups,ou_path,custom.badge,custom.floor',
      `g1-${p}@example.com,eng ${p}; Ops ${p},${ou.body.data.path},B-17,3`,
      `g2-${p}@example.com,Nope ${p},,,`,
      `g3-${p}@example.com,,/Missing${p},,`,
    ].join('\n');
    const job = await importBody(csv, 'text/csv');
    expect(job).toMatchObject({ created: 1, failed: 2 });
    expect(job.errors.map((e: Json) => [e.row, e.code])).toEqual([[2, 'unknown_group'], [3, 'unknown_ou']]);
    const u = await userByEmail(`g1-${p}@example.com`);
    const got = await app.http.get(`/api/v1/users/${u.id}`).set(tenant.auth).query({ include: 'groups' });
    expect(got.body.data.ou_path).toBe(ou.body.data.path);
    expect(got.body.data.custom_attributes).toEqual({ badge: 'B-17', floor: '3' });
    expect(got.body.data.groups.map((g: Json) => g.name).sort()).toEqual([`Eng ${p}`, `Ops ${p}`]);
  });

  it('hashes passwords so the user can sign in; stores argon2 hashes as given', async () => {
    const p = uniq();
    const hashed = await app.roster.db.knex('users').where({ id: tenant.user.id }).first('passwordHash');
    const csv = [
      'email,username,password,password_hash',
      `pw-${p}@example.com,pw-${p},${PASSWORD},`,
      `ph-${p}@example.com,ph-${p},,"${hashed.passwordHash}"`,
      `weak-${p}@example.com,,short,`,
      `bad-${p}@example.com,,,plaintext`,
    ].join('\n');
    const job = await importBody(csv, 'text/csv');
    expect(job, JSON.stringify(job.errors)).toMatchObject({ created: 2, failed: 2 });
    expect(job.errors.map((e: Json) => [e.row, e.field, e.code])).toEqual([[3, 'password', 'password_policy'], [4, 'password_hash', 'invalid']]);
    const row = await userByEmail(`pw-${p}@example.com`);
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    await app.login(`pw-${p}`, PASSWORD, tenant.slug);
    await app.login(`ph-${p}`, PASSWORD, tenant.slug);
  });

  it('imports 20,000 generated rows with exact counts', async () => {
    const p = uniq();
    const lines = ['email,first_name,last_name,company'];
    const bad: number[] = [];
    for (let i = 1; i <= 20_000; i++) {
      if (i % 997 === 0) { lines.push(`bad-${i},X,Y,Z`); bad.push(i); } else lines.push(`big${i}-${p}@example.com,First${i},Last${i},Co`);
    }
    const started = Date.now();
    const job = await importBody(lines.join('\n'), 'text/csv', {}, tenant.auth);
    const seconds = (Date.now() - started) / 1000;
    expect(job).toMatchObject({ status: 'completed', rows_read: 20_000, created: 20_000 - bad.length, failed: bad.length });
    expect(job.errors.map((e: Json) => e.row)).toEqual(bad);
    const n = await app.roster.db.knex('users').where({ tenantId: tenant.tenantId }).where('email', 'like', `big%-${p}@example.com`).count({ n: '*' }).first();
    expect(Number(n!.n)).toBe(20_000 - bad.length);
    console.info(`20,000 rows in ${seconds.toFixed(1)} s: ${Math.round(20_000 / seconds)} rows/s`);
  }, 180_000);

  it('a job stopped mid-way is interrupted and resumes from the last committed row without duplicates', async () => {
    const p = uniq();
    const lines = ['email,first_name'];
    for (let i = 1; i <= 6000; i++) lines.push(i === 5555 ? 'bad,X' : `rs${i}-${p}@example.com,R${i}`);
    const res = await app.http.post(IMPORT).set(tenant.auth).set('Content-Type', 'text/csv').send(lines.join('\n'));
    expect(res.status).toBe(202);
    const id = res.body.data.id;
    for (;;) {
      const row = await app.roster.db.knex('importJobs').where({ id }).first();
      if (row.committedRows > 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    // What a shutdown does: running jobs stop between batches.
    await app.roster.services.imports.close();
    const stopped = (await app.http.get(`/api/v1/import-jobs/${id}`).set(tenant.auth)).body.data;
    expect(stopped.status).toBe('interrupted');
    expect(stopped.committed_rows).toBeLessThan(6000);
    expect(stopped.committed_rows % 500).toBe(0);

    // A process killed while the job ran leaves it `running`; the next start marks it interrupted.
    await app.roster.db.knex('importJobs').where({ id }).update({ status: 'running' });
    expect(await app.roster.services.imports.recoverInterrupted()).toBe(1);
    const resumed = await app.http.post(`/api/v1/import-jobs/${id}/resume`).set(tenant.auth);
    expect(resumed.status).toBe(202);
    const job = await waitForImportJob(app, id, tenant.auth);
    expect(job).toMatchObject({ status: 'completed', rows_read: 6000, created: 5999, failed: 1 });
    expect(job.errors.map((e: Json) => e.row)).toEqual([5555]);
    const n = await app.roster.db.knex('users').where({ tenantId: tenant.tenantId }).where('email', 'like', `rs%-${p}@example.com`).count({ n: '*' }).first();
    expect(Number(n!.n)).toBe(5999);
    expect((await app.http.post(`/api/v1/import-jobs/${id}/resume`).set(tenant.auth)).status).toBe(409);
  });

  it('at start-up, a running job of another machine is interrupted only once its heartbeat is 30 s old', async () => {
    const job = await importBody(`email\nhb-${uniq()}@example.com\n`, 'text/csv');
    const elsewhere = { status: 'running', runnerHost: 'another-host|pid:[1]', runnerPid: 4242 };
    await app.roster.db.knex('importJobs').where({ id: job.id }).update({ ...elsewhere, heartbeatAt: new Date(Date.now() - 20_000).toISOString() });
    expect(await app.roster.services.imports.recoverInterrupted()).toBe(0);
    expect((await app.http.get(`/api/v1/import-jobs/${job.id}`).set(tenant.auth)).body.data.status).toBe('running');
    await app.roster.db.knex('importJobs').where({ id: job.id }).update({ heartbeatAt: new Date(Date.now() - 31_000).toISOString() });
    expect(await app.roster.services.imports.recoverInterrupted()).toBe(1);
    expect((await app.roster.db.knex('importJobs').where({ id: job.id }).first()).status).toBe('interrupted');
  });

  it('errors.csv lists every error with formulas neutralised', async () => {
    const job = await importBody('email,first_name\n=HYPERLINK("x"),A\n+1,B\n-2,C\n@SUM(A1),D\n', 'text/csv');
    expect(job.failed).toBe(4);
    const res = await app.http.get(`/api/v1/import-jobs/${job.id}/errors.csv`).set(tenant.auth).buffer(true).parse((r, cb) => {
      let text = '';
      r.on('data', (c: Buffer) => { text += c.toString(); });
      r.on('end', () => cb(null, text));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = (res.body as string).trim().split('\r\n');
    expect(lines[0]).toBe('row,field,code,message');
    expect(lines).toHaveLength(5);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['1', '2', '3', '4']);
    expect(lines[1]).toContain(`,email,invalid,`);
    // The messages never start a cell with a formula character.
    for (const line of lines) expect(line.split(',').every((cell) => !/^[=+\-@]/.test(cell))).toBe(true);
  });

  it('needs users:import, rejects other content types, and keeps jobs inside their tenant', async () => {
    const helpdesk = await app.createUser(tenant.tenantId, { email: `hd-${uniq()}@${tenant.slug}.example.com`, role: 'helpdesk' });
    const { auth } = await app.login(helpdesk.email, PASSWORD, tenant.slug);
    const denied = await app.http.post(IMPORT).set(auth).set('Content-Type', 'text/csv').send('email\nx@example.com\n');
    expect(denied.status).toBe(403);
    const wrongType = await app.http.post(IMPORT).set(tenant.auth).set('Content-Type', 'text/plain').send('email');
    expect(wrongType.status).toBe(415);

    const job = await importBody(`email\ncross-${uniq()}@example.com\n`, 'text/csv');
    const other = await app.tenantWithUser('tenant_admin');
    expect((await app.http.get(`/api/v1/import-jobs/${job.id}`).set(other.auth)).status).toBe(404);
    expect((await app.http.get(`/api/v1/import-jobs/${job.id}/errors.csv`).set(other.auth)).status).toBe(404);
    expect((await app.http.get(`/api/v1/import-jobs/${job.id}`).set(auth)).status).toBe(403);
    expect((await app.http.get('/api/v1/import-jobs/not-a-uuid').set(tenant.auth)).status).toBe(404);
    // A super admin reaches it by naming the tenant.
    expect((await app.http.get(`/api/v1/import-jobs/${job.id}`).set(app.rootAuth).query({ tenant_id: tenant.tenantId })).status).toBe(200);
  });
});

describe('upload limit', () => {
  it('refuses an import past ROSTER_IMPORT_MAX_BYTES with 413 and keeps nothing', async () => {
    const small = await createTestApp({ ROSTER_IMPORT_MAX_BYTES: '2048' });
    try {
      const rows = ['email,first_name', ...Array.from({ length: 200 }, (_, i) => `big${i}@example.com,Big`)].join('\n');
      const res = await small.http.post('/api/v1/users/bulk-import').set(small.rootAuth).set('Content-Type', 'text/csv').send(rows);
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('payload_too_large');
      expect(await small.roster.db.knex('importJobs')).toHaveLength(0);
    } finally {
      await small.close();
    }
  });
});
