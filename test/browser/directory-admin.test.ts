import { describe, expect, it } from 'vitest';
import { useAdminBrowser } from './support/admin-browser';
import { PASSWORD } from '../support/test-app';

describe('admin app: directory structure and administration', () => {
  const admin = useAdminBrowser();

  it('creates a group and adds a member found by typing part of a name', async () => {
    const person = await admin.app.createUser(admin.app.defaultTenantId, { email: 'grace.hopper@example.com', first_name: 'Grace', last_name: 'Hopper' });
    const page = await admin.signedIn('/groups');
    await page.getByRole('button', { name: 'New group' }).click();
    await page.getByLabel('Name').fill('Compilers');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: 'Compilers' }).waitFor();

    await page.getByRole('row', { name: /Compilers/ }).getByRole('button', { name: 'Members' }).click();
    await page.getByRole('combobox', { name: 'Add a user or a nested group' }).fill('hopp');
    await page.getByRole('option', { name: /grace\.hopper@example\.com/ }).click();
    await page.getByRole('table', { name: 'Members' }).getByText('grace.hopper@example.com').waitFor();
    await admin.screenshot(page, '40-group-members');

    const groups = await admin.app.http.get(`/api/v1/tenants/${admin.app.defaultTenantId}/groups?name=Compilers`).set(admin.app.rootAuth);
    const members = await admin.app.http.get(`/api/v1/tenants/${admin.app.defaultTenantId}/groups/${groups.body.data[0].id}/members`).set(admin.app.rootAuth);
    expect(members.body.data.map((m: { id: string }) => m.id)).toEqual([person.id]);
    await page.context().close();
  });

  it('builds an OU tree and opens it level by level', async () => {
    const page = await admin.signedIn('/ous');
    await page.getByRole('button', { name: 'New top-level unit' }).click();
    await page.getByLabel('Name').fill('Europe');
    await page.getByRole('button', { name: 'Save' }).click();
    const europe = page.getByRole('treeitem', { name: 'Europe' });
    await europe.waitFor();
    await europe.getByRole('button', { name: 'Add unit' }).click();
    await page.getByLabel('Name').fill('Lisbon');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: 'Open Europe' }).click();
    await page.getByRole('treeitem', { name: 'Lisbon' }).waitFor();
    await admin.screenshot(page, '41-ou-tree');

    const ous = await admin.app.http.get(`/api/v1/tenants/${admin.app.defaultTenantId}/ous?search=Lisbon`).set(admin.app.rootAuth);
    expect(ous.body.data[0].path).toBe('/Europe/Lisbon');
    await page.context().close();
  });

  it('issues an API token shown once that works for SCIM, then revokes it', async () => {
    const page = await admin.signedIn('/api-tokens');
    await page.getByRole('button', { name: 'New token' }).click();
    await page.getByLabel('Name').fill('Entra provisioning');
    await page.getByRole('button', { name: 'Create' }).click();
    const secret = (await page.getByLabel('Secret').textContent())!.trim();
    await admin.screenshot(page, '42-api-token-secret');
    const scim = () => fetch(`${admin.baseUrl}/scim/v2/Users?count=1`, { headers: { Authorization: `Bearer ${secret}` } });
    expect((await scim()).status).toBe(200);
    await page.getByRole('button', { name: 'Done' }).click();

    await page.getByRole('row', { name: /Entra provisioning/ }).getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(async () => (await scim()).status).toBe(401);
    await page.context().close();
  });

  it('creates an application, shows its secret once and assigns a user', async () => {
    await admin.app.createUser(admin.app.defaultTenantId, { email: 'ada.lovelace@example.com', first_name: 'Ada', last_name: 'Lovelace' });
    const page = await admin.signedIn('/applications');
    await page.getByRole('button', { name: 'New application' }).click();
    await page.getByLabel('Name').fill('Payroll');
    await page.getByRole('button', { name: 'Save' }).click();
    const secret = (await page.getByLabel('Secret').textContent())!.trim();
    expect(secret.length).toBeGreaterThan(20);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('row', { name: /Payroll/ }).getByRole('button', { name: 'Assignments' }).click();
    await page.getByRole('combobox', { name: 'Assign a user or group' }).fill('lovel');
    await page.getByRole('option', { name: /ada\.lovelace@example\.com/ }).click();
    await page.getByRole('table', { name: 'Assignments' }).getByText('ada.lovelace@example.com').first().waitFor();
    await admin.screenshot(page, '43-application-assignments');
    await page.context().close();
  });

  it('lets a super admin create a tenant and work in it; a tenant admin sees no tenant screens', async () => {
    const page = await admin.signedIn('/tenants');
    await page.getByRole('button', { name: 'New tenant' }).click();
    await page.getByLabel('Name').fill('Acme Lisbon');
    await page.getByLabel('Slug').fill('Bad Slug');
    await page.getByRole('button', { name: 'Save' }).click();
    // The server's field error, shown on the field.
    await page.getByText(/lower-case letters, digits and dashes/).last().waitFor();
    await page.getByLabel('Slug').fill('acme-lisbon');
    await page.getByRole('button', { name: 'Save' }).click();
    const row = page.getByRole('row', { name: /Acme Lisbon/ });
    await row.getByRole('button', { name: 'Work here' }).click();
    await row.getByText('current').waitFor();
    await admin.screenshot(page, '44-tenants');
    await page.context().close();

    const { slug, user } = await admin.app.tenantWithUser('tenant_admin');
    const tenantAdmin = await admin.signedIn('/groups', user.email, PASSWORD, slug);
    await tenantAdmin.getByRole('link', { name: 'Groups' }).waitFor();
    expect(await tenantAdmin.getByRole('link', { name: 'Tenants' }).count()).toBe(0);
    expect(await tenantAdmin.getByRole('link', { name: 'Partners' }).count()).toBe(0);
    await tenantAdmin.context().close();
  });
});
