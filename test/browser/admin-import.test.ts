import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startAdminBrowser, type AdminBrowser } from './support/admin-browser';
import { PASSWORD, type Auth, type Json } from '../support/test-app';

describe('admin app: the bulk import wizard', () => {
  let admin: AdminBrowser;
  let tenant: { tenantId: string; slug: string; user: Json; auth: Auth };
  let page: Page;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-import-ui-'));
  const at = (local: string) => `${local}@${tenant.slug}.example.com`;

  beforeAll(async () => {
    admin = await startAdminBrowser();
    tenant = await admin.app.tenantWithUser('tenant_admin');
    expect((await admin.app.http.post(`/api/v1/tenants/${tenant.tenantId}/groups`).set(admin.app.rootAuth).send({ name: 'Sales' })).status).toBe(201);
    page = await admin.signedIn('/import', tenant.user.email, PASSWORD, tenant.slug);
    await page.getByRole('heading', { name: 'Import users' }).waitFor();
  });
  afterAll(async () => {
    await page?.context().close();
    await admin?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const user = async (email: string) => {
    const res = await admin.app.http.get(`/api/v1/tenants/${tenant.tenantId}/users`).query({ email, per_page: 1 }).set(admin.app.rootAuth);
    if (!res.body.data.length) return null;
    return (await admin.app.http.get(`/api/v1/tenants/${tenant.tenantId}/users/${res.body.data[0].id}`).query({ include: 'groups' }).set(admin.app.rootAuth)).body.data;
  };
  const choose = async (label: string, option: string) => {
    const select = page.getByLabel(label, { exact: true }).and(page.locator('input'));
    await select.click();
    await select.fill(option.replace('…', ''));
    await page.getByRole('option', { name: option, exact: true }).click();
  };

  it('previews, maps, dry-runs with per-row errors, imports with progress, and hands over errors.csv', async () => {
    // A file as a spreadsheet writes it: its own headers, a BOM, CRLF, quotes, a column to leave out.
    const file = path.join(dir, 'staff.csv');
    fs.writeFileSync(file, '\uFEFF' + [
      'E-mail,Given Name,Surname,Team,Favourite colour,Dept',
      `${at('ann')},Ann,Lee,Sales,blue,"Eng, Platform"`,
      'not-an-email,Bad,Row,,red,X',
      `${at('bob')},Bob,Ray,Nosuchgroup,green,Ops`,
      `${at('cy')},Cy,Ng,,,Ops`,
    ].join('\r\n') + '\r\n');

    await page.locator('input[type=file]').setInputFiles(file);
    const preview = page.getByRole('table', { name: 'File preview' });
    await preview.waitFor();
    expect(await preview.locator('tbody tr').count()).toBe(4);
    expect(await preview.locator('tbody tr').first().textContent()).toContain('Eng, Platform');
    await page.getByRole('button', { name: 'Next: map columns' }).click();

    // Matched by name: E-mail, Given Name and Surname; Team and Dept need a hand, the colour stays out.
    const mapping = page.getByRole('table', { name: 'Column mapping' });
    await mapping.waitFor();
    const valueOf = (label: string) => page.getByLabel(label, { exact: true }).and(page.locator('input')).inputValue();
    expect([await valueOf('Import E-mail as'), await valueOf('Import Given Name as'), await valueOf('Import Surname as')]).toEqual(['email', 'first_name', 'last_name']);
    expect(await valueOf('Import Team as')).toBe('Ignore this column');
    await choose('Import Team as', 'groups');
    await choose('Import Dept as', 'Custom attribute…');
    await page.getByLabel('Custom attribute name for Dept').fill('department');
    await admin.screenshot(page, 'admin-04-import-mapping');
    await page.getByRole('button', { name: 'Next: dry run' }).click();

    await page.getByRole('button', { name: 'Start dry run' }).click();
    await page.getByLabel('Status: completed').waitFor();
    const dry = page.getByLabel('Dry run');
    expect(await dry.getByLabel('Counts').textContent()).toMatch(/2 would be created.*2 failed/);
    const errors = page.getByRole('table', { name: 'Row errors' });
    await expect.poll(() => errors.locator('tbody tr').allTextContents()).toEqual([
      expect.stringMatching(/^2email/),
      expect.stringMatching(/^3groups.*Nosuchgroup/),
    ]);
    // A dry run writes nothing.
    expect(await user(at('ann'))).toBeNull();
    await admin.screenshot(page, 'admin-05-import-dry-run');

    await page.getByRole('button', { name: 'Import 4 rows…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import these users?' });
    expect(await dialog.textContent()).toContain('2 users will be created');
    await dialog.getByRole('button', { name: 'Import' }).click();

    await expect.poll(() => page.url()).toMatch(/#\/import\?job=[0-9a-f-]+&rows=4$/);
    await page.getByLabel('Status: completed').waitFor({ timeout: 30_000 });
    expect(await page.getByRole('progressbar', { name: 'Import progress' }).getAttribute('aria-valuenow')).toBe('100');
    expect(await page.getByLabel('Import', { exact: true }).getByLabel('Counts').textContent()).toMatch(/2 created.*2 failed/);
    await page.getByText('Import finished').waitFor();
    await admin.screenshot(page, 'admin-06-import-done');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download errors (CSV)' }).click()]);
    const jobId = /job=([0-9a-f-]+)/.exec(page.url())![1];
    expect(download.suggestedFilename()).toBe(`import-${jobId}-errors.csv`);
    const csv = fs.readFileSync((await download.path())!, 'utf8').trim().split(/\r?\n/);
    expect(csv[0]).toBe('row,field,code,message');
    expect(csv.slice(1).map((line) => line.split(',').slice(0, 3).join(','))).toEqual(['2,email,invalid', '3,groups,unknown_group']);

    // What was imported: the mapped columns, the group, the custom attribute; not the colour.
    const ann = await user(at('ann'));
    expect(ann).toMatchObject({ first_name: 'Ann', last_name: 'Lee', custom_attributes: { department: 'Eng, Platform' } });
    expect(ann.groups.map((g: Json) => g.name)).toEqual(['Sales']);
    expect(JSON.stringify(ann)).not.toContain('blue');
    expect(await user(at('cy'))).toMatchObject({ custom_attributes: { department: 'Ops' } });
    expect(await user(at('bob'))).toBeNull();
  });

  it('reopens an interrupted job from its link and resumes it from the last committed row', async () => {
    // A job as the server leaves it when it stops in the middle: one row committed of three.
    const upload = path.join(dir, 'interrupted.upload');
    fs.writeFileSync(upload, `email,first_name\n${at('done')},Done\n${at('dee')},Dee\n${at('eve')},Eve\n`);
    await admin.app.http.post(`/api/v1/tenants/${tenant.tenantId}/users`).set(admin.app.rootAuth).send({ email: at('done'), send_welcome_email: false });
    const id = uuidv7();
    await admin.app.roster.db.knex('importJobs').insert({
      id, tenantId: tenant.tenantId, format: 'csv', mode: 'create', dryRun: false, onError: 'skip', status: 'interrupted', uploadPath: upload,
      actor: JSON.stringify({ event: { type: 'user', id: tenant.user.id, ip: null, requestId: null }, role: 'tenant_admin' }),
      rowsRead: 1, committedRows: 1, created: 1, createdAt: new Date().toISOString(), startedAt: new Date().toISOString(),
    });

    await page.goto(`${admin.baseUrl}/admin/#/import?job=${id}&rows=3`);
    const resume = page.getByRole('button', { name: 'Resume import' });
    await resume.waitFor();
    expect(await page.getByText('1 row is safely in', { exact: false }).count()).toBe(1);
    await admin.screenshot(page, 'admin-07-import-interrupted');
    await resume.click();
    await page.getByLabel('Status: completed').waitFor({ timeout: 30_000 });
    expect(await page.getByRole('button', { name: 'Resume import' }).count()).toBe(0);
    expect(await page.getByLabel('Import', { exact: true }).getByLabel('Counts').textContent()).toMatch(/3 created.*0 failed/);
    expect(await user(at('dee'))).toMatchObject({ first_name: 'Dee' });
    expect(await user(at('eve'))).toMatchObject({ first_name: 'Eve' });
  });

  it('refuses a file without a header, before anything is uploaded', async () => {
    await page.goto(`${admin.baseUrl}/admin/#/import`);
    const empty = path.join(dir, 'empty.csv');
    fs.writeFileSync(empty, '');
    await page.locator('input[type=file]').setInputFiles(empty);
    await page.getByText('The file is empty or has no complete header row').waitFor();
    expect(await page.getByRole('button', { name: 'Next: map columns' }).count()).toBe(0);
  });

  const importCsv = async (csv: string, query: Record<string, string> = {}) => {
    const res = await admin.app.http.post('/api/v1/users/bulk-import').query(query).set(tenant.auth).set('Content-Type', 'text/csv').send(csv);
    expect(res.status).toBe(202);
    let job: Json = res.body.data;
    for (let i = 0; i < 200 && ['queued', 'running'].includes(job.status); i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = (await admin.app.http.get(`/api/v1/import-jobs/${job.id}`).set(tenant.auth)).body.data;
    }
    return job;
  };

  it('ignores a column whose header is blank (what the wizard uploads for an ignored column)', async () => {
    const job = await importCsv(`email,,first_name\n${at('gia')},anything at all,Gia\n`);
    expect(job).toMatchObject({ status: 'completed', created: 1, failed: 0 });
    expect(JSON.stringify(await user(at('gia')))).not.toContain('anything at all');
  });

  it('keeps a dry run\'s row errors, in the job and in errors.csv, while writing no user', async () => {
    const job = await importCsv(`email,first_name\n${at('hal')},Hal\nnope,Bad\n`, { dry_run: 'true' });
    expect(job).toMatchObject({ status: 'completed', dry_run: true, created: 1, failed: 1 });
    expect(job.errors).toEqual([{ row: 2, field: 'email', code: 'invalid', message: expect.any(String) }]);
    const csv = await admin.app.http.get(`/api/v1/import-jobs/${job.id}/errors.csv`).set(tenant.auth);
    expect(csv.text.trim().split(/\r?\n/)).toHaveLength(2);
    expect(await user(at('hal'))).toBeNull();
  });
});
