import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startAdminBrowser, type AdminBrowser } from './support/admin-browser';
import { PASSWORD, type Json } from '../support/test-app';

describe('admin app: merging two accounts, and the GDPR export', () => {
  let admin: AdminBrowser;
  let tenant: { tenantId: string; slug: string; user: Json };
  let target: Json;
  let source: Json;
  let page: Page;

  beforeAll(async () => {
    admin = await startAdminBrowser();
    const { app } = admin;
    tenant = await app.tenantWithUser('tenant_admin');
    const group = async (name: string) => (await app.http.post(`/api/v1/tenants/${tenant.tenantId}/groups`).set(app.rootAuth).send({ name })).body.data;
    const sales = await group('Sales');
    const support = await group('Support');
    target = await app.createUser(tenant.tenantId, { email: `ann@${tenant.slug}.example.com`, first_name: 'Ann', last_name: 'Lee', job_title: 'Engineer', group_ids: [sales.id] });
    source = await app.createUser(tenant.tenantId, {
      email: `ann+old@${tenant.slug}.example.com`, first_name: 'Ann', last_name: 'Lee', job_title: 'Manager', phone: '+1 555 0100', group_ids: [support.id],
    });
    page = await admin.signedIn('/merge', tenant.user.email, PASSWORD, tenant.slug);
    await page.getByRole('heading', { name: 'Merge accounts' }).waitFor();
  });
  afterAll(async () => {
    await page?.context().close();
    await admin?.close();
  });

  const pick = async (label: string, email: string) => {
    const box = page.getByRole('textbox', { name: label });
    await box.fill(email.slice(0, email.indexOf('@') + 1));
    await page.getByRole('option', { name: new RegExp(`<${email.replace(/[+.]/g, '\\$&')}>`) }).click();
    await expect.poll(() => box.inputValue()).toContain(email);
  };

  it('lists the likely duplicates to start from', async () => {
    const duplicates = page.getByRole('region', { name: 'Likely duplicates' });
    await duplicates.getByText('Same address but for a +tag').waitFor();
    expect(await duplicates.textContent()).toContain(source.email);
    expect(await duplicates.getByRole('button', { name: /^Compare / }).count()).toBe(1);
  });

  it('exports one account as a JSON document naming the user, and records the export', async () => {
    await pick('Account to merge away', source.email);
    await pick('Account to keep', target.email);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: `Export data of ${source.email}` }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`roster-user-${source.id}.json`);
    const document = JSON.parse(fs.readFileSync((await download.path())!, 'utf8'));
    expect(document).toMatchObject({ format: 'roster.user-export.v1', user: { id: source.id, email: source.email, job_title: 'Manager' } });
    expect(document.group_memberships.map((g: Json) => g.name)).toEqual(['Support']);
    await page.getByText(`Everything held about ${source.email} was exported`).waitFor();
    const events = await admin.app.http.get(`/api/v1/tenants/${tenant.tenantId}/audit-events`).query({ action: 'user.exported' }).set(admin.app.rootAuth);
    expect(events.body.data.map((e: Json) => e.subject_id)).toEqual([source.id]);
  });

  it('shows both side by side, previews the merge with the chosen fields, then merges', async () => {
    const table = page.getByRole('table', { name: 'Accounts side by side' });
    await table.waitFor();
    // Job title differs: keep the one of the account merged away.
    await table.getByRole('radiogroup', { name: 'Keep Job title from' }).getByText('← This').click();
    expect(await page.getByRole('button', { name: 'Merge…' }).isDisabled()).toBe(true);

    await page.getByRole('button', { name: 'Preview merge' }).click();
    const preview = page.getByRole('region', { name: 'Merge preview' });
    await preview.waitFor();
    const changes = preview.getByRole('table', { name: 'Profile changes' });
    expect(await changes.getByRole('row', { name: /Job title/ }).textContent()).toMatch(/Engineer\s*→\s*Manager/);
    expect(await changes.getByRole('row', { name: /Phone/ }).textContent()).toMatch(/—\s*→\s*\+1 555 0100/);
    expect(await preview.textContent()).toContain('Groups moved: Support');
    // A dry run changed nothing.
    expect((await admin.app.http.get(`/api/v1/users/${source.id}`).query({ tenant_id: tenant.tenantId }).set(admin.app.rootAuth)).status).toBe(200);
    await admin.screenshot(page, 'admin-02-merge-preview');

    await page.getByRole('button', { name: 'Merge…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Merge these accounts?' });
    expect(await dialog.textContent()).toContain('This cannot be undone');
    await dialog.getByRole('button', { name: 'Merge' }).click();
    await page.getByText(`${source.email} was merged into ${target.email}`).waitFor();
    await page.getByRole('region', { name: 'Merge preview' }).getByText('Merged', { exact: true }).waitFor();
    await admin.screenshot(page, 'admin-03-merge-done');

    // The source is gone; the target has both groups and the chosen fields.
    const gone = await admin.app.http.get(`/api/v1/users/${source.id}`).query({ tenant_id: tenant.tenantId }).set(admin.app.rootAuth);
    expect(gone.status).toBe(404);
    const kept = await admin.app.http.get(`/api/v1/users/${target.id}`).query({ tenant_id: tenant.tenantId, include: 'groups' }).set(admin.app.rootAuth);
    expect(kept.body.data).toMatchObject({ job_title: 'Manager', phone: '+1 555 0100' });
    expect(kept.body.data.groups.map((g: Json) => g.name).sort()).toEqual(['Sales', 'Support']);
    // Nothing is left to merge, and the list says so.
    await page.getByRole('region', { name: 'Likely duplicates' }).getByText('No likely duplicates in this tenant.').waitFor();
  });
});
