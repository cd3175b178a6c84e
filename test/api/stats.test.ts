import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { createTestApp, PASSWORD, type Auth, type Json, type TestApp } from '../support/test-app';
import { uuidV7Floor } from '../../server/services/stats-service';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const DAY_MS = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * DAY_MS).toISOString().slice(0, 10);

const stats = (tenant: string, auth: Auth, query = '') => app.http.get(`/api/v1/tenants/${tenant}/stats${query}`).set(auth);
const signIn = (username: string, password: string, tenant: string) =>
  app.http.post('/api/v1/auth/token').send({ grant_type: 'password', username, password, tenant });

async function waitForJob(id: string, auth: Auth): Promise<Json> {
  for (let i = 0; i < 300; i++) {
    const res = await app.http.get(`/api/v1/import-jobs/${id}`).set(auth);
    if (!['queued', 'running'].includes(res.body.data.status)) return res.body.data;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`import job ${id} did not finish`);
}

/** An event dated in the past, written as the server writes them (a UUIDv7 of its own time). */
async function pastEvent(tenantId: string, action: string, ageMs: number, details: Record<string, unknown> = {}) {
  const at = Date.now() - ageMs;
  await app.roster.db.knex('activityEvents').insert({
    id: uuidv7({ msecs: at }), tenantId, action, actorType: 'system', actorId: null, subjectType: 'user', subjectId: null,
    details: JSON.stringify(details), ip: null, requestId: null, createdAt: new Date(at).toISOString(),
  });
}

describe('GET /api/v1/tenants/{tenant_id}/stats', () => {
  it('counts users by status and today\'s sign-ins, failures, lockouts and imports from real requests', async () => {
    const { tenantId, slug, auth } = await app.tenantWithUser('tenant_admin');
    expect((await app.http.patch(`/api/v1/tenants/${tenantId}`).set(app.rootAuth).send({ settings: { lockout: { max_failed_attempts: 3 } } })).status).toBe(200);
    const ann = await app.createUser(tenantId, { email: `ann@${slug}.example.com` });
    const bob = await app.createUser(tenantId, { email: `bob@${slug}.example.com` });
    const cid = await app.createUser(tenantId, { email: `cid@${slug}.example.com` });
    const dee = await app.createUser(tenantId, { email: `dee@${slug}.example.com` });
    const gone = await app.createUser(tenantId, { email: `gone@${slug}.example.com` });

    // Two good sign-ins by Ann (the tenant admin signed in once in tenantWithUser).
    for (let i = 0; i < 2; i++) expect((await signIn(ann.email, PASSWORD, slug)).status).toBe(200);
    // Bob gets his password wrong three times: three failures, and the third locks him.
    for (let i = 0; i < 3; i++) expect((await signIn(bob.email, `wrong-${i}`, slug)).status).toBe(401);
    // An admin locks Cid and disables Dee; one user is deleted and no longer counts.
    expect((await app.http.put(`/api/v1/tenants/${tenantId}/users/${cid.id}/status`).set(auth).send({ status: 'LOCKED', reason: 'phone call' })).status).toBe(200);
    expect((await app.http.put(`/api/v1/tenants/${tenantId}/users/${dee.id}/status`).set(auth).send({ status: 'DISABLED' })).status).toBe(200);
    expect((await app.http.delete(`/api/v1/tenants/${tenantId}/users/${gone.id}`).query({ confirm_email: gone.email }).set(auth)).status).toBe(204);

    // One import for real (one good row, one bad) and one dry run, which does not count.
    const csv = `email,first_name\nnew-${slug}@example.com,New\nnot-an-email,Bad\n`;
    const real = await app.http.post('/api/v1/users/bulk-import').set(auth).set('Content-Type', 'text/csv').send(csv);
    expect(real.status).toBe(202);
    expect(await waitForJob(real.body.data.id, auth)).toMatchObject({ status: 'completed', created: 1, failed: 1 });
    const dry = await app.http.post('/api/v1/users/bulk-import').query({ dry_run: 'true' }).set(auth).set('Content-Type', 'text/csv').send(csv);
    expect(await waitForJob(dry.body.data.id, auth)).toMatchObject({ status: 'completed', dry_run: true });

    const res = await stats(tenantId, auth);
    expect(res.status).toBe(200);
    const data = res.body.data;
    expect(data.tenant_id).toBe(tenantId);
    const byStatus = Object.fromEntries(data.users_by_status.map((s: Json) => [s.status, s.count]));
    // tenant admin, Ann and the imported user are active; Bob and Cid locked; Dee disabled.
    expect(byStatus).toEqual({ ACTIVE: 3, PENDING_EMAIL_VERIFICATION: 0, PENDING_APPROVAL: 0, DISABLED: 1, LOCKED: 2 });
    expect(data.total_users).toBe(6);

    expect(data.days).toHaveLength(14);
    expect(data.days[13]).toEqual({ date: today(), sign_ins: 3, failed_sign_ins: 3, lockouts: 2 });
    expect(data.days[0].date).toBe(daysAgo(13));
    expect(data.days.slice(0, 13).every((d: Json) => d.sign_ins === 0 && d.failed_sign_ins === 0 && d.lockouts === 0)).toBe(true);
    expect(data.week).toMatchObject({ sign_ins: 3, failed_sign_ins: 3, lockouts: 2, imports: { jobs: 1, created: 1, updated: 0, failed: 1 } });
    expect(data.week.since).toBe(`${daysAgo(6)}T00:00:00.000Z`);
  });

  it('puts each event on its UTC day, keeps older days out of the week and honours `days`', async () => {
    const { tenantId, auth } = await app.tenantWithUser('viewer');
    await pastEvent(tenantId, 'user.login', 2 * DAY_MS);
    await pastEvent(tenantId, 'user.login', 2 * DAY_MS);
    await pastEvent(tenantId, 'user.login_failed', 9 * DAY_MS);
    await pastEvent(tenantId, 'user.status_changed', 3 * DAY_MS, { from: 'ACTIVE', to: 'DISABLED' });
    await pastEvent(tenantId, 'user.status_changed', 3 * DAY_MS, { from: 'ACTIVE', to: 'LOCKED' });
    await pastEvent(tenantId, 'user.login', 20 * DAY_MS);

    const res = await stats(tenantId, auth);
    expect(res.status).toBe(200);
    const byDate = Object.fromEntries(res.body.data.days.map((d: Json) => [d.date, d]));
    expect(byDate[daysAgo(2)]).toMatchObject({ sign_ins: 2, failed_sign_ins: 0 });
    expect(byDate[daysAgo(3)]).toMatchObject({ lockouts: 1 });
    expect(byDate[daysAgo(9)]).toMatchObject({ failed_sign_ins: 1 });
    expect(byDate[daysAgo(20)]).toBeUndefined();
    // The viewer's own sign-in happened today.
    expect(byDate[today()]).toMatchObject({ sign_ins: 1 });
    // The week is the last seven days: the failure nine days ago is not in it.
    expect(res.body.data.week).toMatchObject({ sign_ins: 3, failed_sign_ins: 0, lockouts: 1, imports: { jobs: 0 } });

    const month = await stats(tenantId, auth, '?days=30');
    expect(month.body.data.days).toHaveLength(30);
    expect(month.body.data.days.find((d: Json) => d.date === daysAgo(20))).toMatchObject({ sign_ins: 1 });
    expect(month.body.data.days.reduce((n: number, d: Json) => n + d.sign_ins, 0)).toBe(4);
  });

  it('counts only the tenant asked for, by id or slug', async () => {
    const a = await app.tenantWithUser('tenant_admin');
    const b = await app.tenantWithUser('tenant_admin');
    for (let i = 0; i < 2; i++) expect((await signIn(b.user.email, PASSWORD, b.slug)).status).toBe(200);
    const res = await stats(a.slug, a.auth);
    expect(res.status).toBe(200);
    expect(res.body.data.tenant_id).toBe(a.tenantId);
    expect(res.body.data.days.at(-1).sign_ins).toBe(1);
    expect(res.body.data.total_users).toBe(1);
    // Another tenant is not found, never forbidden: its existence does not leak.
    const other = await stats(b.tenantId, a.auth);
    expect(other.status).toBe(404);
    expect(JSON.stringify(other.body)).not.toContain(b.tenantId);
  });

  it('refuses roles without audit:read and bad `days`', async () => {
    const { tenantId, auth } = await app.tenantWithUser('helpdesk');
    const user = await app.createUser(tenantId, { role: 'user' });
    const { slug } = (await app.http.get(`/api/v1/tenants/${tenantId}`).set(app.rootAuth)).body.data;
    const self = await app.login(user.email, PASSWORD, slug);
    const denied = await stats(tenantId, self.auth);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('forbidden');

    for (const days of ['0', '91', 'ten']) {
      const bad = await stats(tenantId, auth, `?days=${days}`);
      expect(bad.status).toBe(422);
      expect(bad.body.detail[0].loc).toEqual(['query', 'days']);
    }
    expect((await app.http.get(`/api/v1/tenants/${tenantId}/stats`)).status).toBe(401);
  });
});

describe('uuidV7Floor', () => {
  it('is at most every UUIDv7 of that millisecond and above every earlier one', () => {
    const ms = Date.UTC(2026, 10, 24, 12, 0, 0, 123);
    const floor = uuidV7Floor(ms);
    expect(floor).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-0000-0000-000000000000$/);
    for (let i = 0; i < 50; i++) {
      expect(uuidv7({ msecs: ms }) >= floor).toBe(true);
      expect(uuidv7({ msecs: ms - 1 }) < floor).toBe(true);
    }
  });
});
