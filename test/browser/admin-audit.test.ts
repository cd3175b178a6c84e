import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startAdminBrowser, type AdminBrowser } from './support/admin-browser';
import { PASSWORD, type Auth, type Json } from '../support/test-app';

describe('admin app: the audit log', () => {
  let admin: AdminBrowser;
  let tenant: { tenantId: string; slug: string; user: Json; auth: Auth };
  let cara: Json;
  let dan: Json;
  let page: Page;

  beforeAll(async () => {
    admin = await startAdminBrowser();
    tenant = await admin.app.tenantWithUser('tenant_admin');
    cara = await admin.app.createUser(tenant.tenantId, { email: `cara@${tenant.slug}.example.com`, first_name: 'Cara', last_name: 'Mills' });
    dan = await admin.app.createUser(tenant.tenantId, { email: `dan@${tenant.slug}.example.com`, first_name: 'Dan', last_name: 'Ortiz' });
    page = await admin.signedIn('/audit', tenant.user.email, PASSWORD, tenant.slug);
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
  });
  afterAll(async () => {
    await page?.context().close();
    await admin?.close();
  });

  const table = () => page.getByRole('table', { name: 'Audit events' });
  const rowsText = () => table().locator('tbody tr').allTextContents();
  const failLogin = (email: string) =>
    admin.app.http.post('/api/v1/auth/token').send({ grant_type: 'password', username: email, password: 'not-it', tenant: tenant.slug });

  it('lists the tenant\'s events newest first, with names for people', async () => {
    await table().waitFor();
    const rows = await rowsText();
    // Newest first: the admin's own sign-in in this browser, then the accounts created before it.
    expect(rows[0]).toContain('user.login');
    expect(rows.some((r) => r.includes('user.created') && r.includes('Cara Mills'))).toBe(true);
  });

  it('shows an event caused by another request the moment it happens, at the top', async () => {
    await page.getByLabel('Live updates: live').waitFor();
    const before = await table().locator('tbody tr').count();
    const res = await admin.app.http
      .put(`/api/v1/tenants/${tenant.tenantId}/users/${dan.id}/status`)
      .set(admin.app.rootAuth)
      .send({ status: 'DISABLED', reason: 'left the company' });
    expect(res.status).toBe(200);
    await expect.poll(() => table().locator('tbody tr').count(), { timeout: 10_000 }).toBe(before + 1);
    const top = table().locator('tbody tr').first();
    expect(await top.getAttribute('data-new')).toBe('true');
    expect(await top.textContent()).toMatch(/user\.status_changed.*Dan Ortiz.*left the company/);
    await admin.screenshot(page, 'admin-08-audit-live');
  });

  it('filters by action in the database, and lets only matching live events in', async () => {
    await failLogin(cara.email);
    const action = page.getByLabel('Action', { exact: true }).and(page.locator('input'));
    await action.fill('user.login_failed');
    await action.press('Enter');
    await expect.poll(rowsText).toEqual([expect.stringContaining('Cara Mills')]);

    // Live: an update does not match; another failed sign-in does.
    await admin.app.http.patch(`/api/v1/tenants/${tenant.tenantId}/users/${dan.id}`).set(admin.app.rootAuth).send({ job_title: 'Gone' });
    expect((await failLogin(cara.email)).status).toBe(401);
    await expect.poll(rowsText, { timeout: 10_000 }).toEqual([expect.stringContaining('Cara Mills'), expect.stringContaining('Cara Mills')]);
    expect(await table().locator('tbody tr').first().getAttribute('data-new')).toBe('true');
    expect((await rowsText()).every((r) => r.includes('user.login_failed'))).toBe(true);
  });

  it('filters by the user an event is about and by time', async () => {
    await page.getByRole('button', { name: 'Clear filters' }).click();
    const who = page.getByRole('textbox', { name: 'User', exact: true });
    await who.fill('dan@');
    await page.getByRole('option', { name: /Dan Ortiz/ }).click();
    await expect.poll(async () => (await rowsText()).map((r) => /user\.[a-z_]+/.exec(r)?.[0])).toEqual([
      'user.updated', 'user.status_changed', 'user.created',
    ]);
    // A time range entirely in the future leaves nothing.
    await page.getByLabel('From').fill('2099-01-01T00:00');
    await page.getByText('No events match these filters.').waitFor();
  });

  it('serves the actor and subject filters from the API, and refuses ids that are not ids', async () => {
    const list = (query: Record<string, string>) =>
      admin.app.http.get(`/api/v1/tenants/${tenant.tenantId}/audit-events`).query(query).set(tenant.auth);
    const about = await list({ subject_id: cara.id });
    expect(about.status).toBe(200);
    expect(new Set(about.body.data.map((e: Json) => e.subject_id))).toEqual(new Set([cara.id]));
    // The super admin created both users and changed Dan: its events, and nobody else's.
    const rootId = (await admin.app.http.get('/api/v1/users/me').set(admin.app.rootAuth)).body.data.id;
    const by = await list({ actor_id: rootId });
    expect(by.body.data.every((e: Json) => e.actor_id === rootId)).toBe(true);
    expect(by.body.data.map((e: Json) => e.action)).toEqual(expect.arrayContaining(['user.created', 'user.status_changed', 'user.updated']));
    expect(by.body.data.some((e: Json) => e.action === 'user.login')).toBe(false);
    const both = await list({ actor_id: rootId, subject_id: dan.id, action: 'user.updated' });
    expect(both.body.data).toHaveLength(1);
    const bad = await list({ actor_id: 'nobody' });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0].loc).toEqual(['query', 'actor_id']);
  });
});
