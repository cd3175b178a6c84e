import { describe, expect, it } from 'vitest';
import { useAdminBrowser, poll } from './support/admin-browser';
import { PASSWORD } from '../support/test-app';

/** A new starter: create the account, with the server's errors on the fields, then land on it. */
describe('admin app: create user', () => {
  const admin = useAdminBrowser();

  it('shows a duplicate email on the field, then creates the user and opens it', async () => {
    const { slug, tenantId, user: tenantAdmin } = await admin.app.tenantWithUser('tenant_admin');
    const existing = await admin.app.createUser(tenantId, { email: 'taken@example.com' });
    const group = await admin.app.http.post(`/api/v1/tenants/${tenantId}/groups`).set(admin.app.rootAuth).send({ name: 'Night shift' });
    expect(group.status).toBe(201);

    const page = await admin.signedIn('/users', tenantAdmin.email, PASSWORD, slug);
    await page.getByRole('link', { name: 'New user' }).click();
    const email = page.getByLabel(/^Email/);
    await email.fill(existing.email);
    await page.getByLabel('First name').fill('Nina');
    await page.getByLabel('Last name').fill('Newstarter');
    // A tenant admin cannot hand out roles above its own.
    await page.getByRole('combobox', { name: 'Role' }).click();
    const roles = await page.getByRole('option').allTextContents();
    expect(roles).toEqual(['Tenant admin', 'Helpdesk', 'Viewer', 'User']);
    await page.getByRole('option', { name: 'Helpdesk' }).click();
    await page.getByRole('combobox', { name: 'Groups' }).click();
    await page.getByRole('option', { name: 'Night shift' }).click();
    await page.keyboard.press('Escape');
    await page.getByLabel('Send a welcome email').uncheck();
    await page.getByLabel('Password', { exact: true }).fill('Newstarter-pass-1');
    await page.getByRole('button', { name: 'Create user' }).click();

    await poll(() => email.getAttribute('aria-invalid')).toBe('true');
    await poll(() => page.getByText('A user with this email already exists').count()).toBe(1);
    await admin.screenshot(page, 'helpdesk-10-create-duplicate');

    await email.fill('nina.newstarter@example.com');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('heading', { name: 'Nina Newstarter' }).waitFor();
    const id = page.url().split('#/users/')[1]!;
    await poll(() => page.getByRole('region', { name: 'Groups' }).textContent()).toContain('Night shift');
    await admin.screenshot(page, 'helpdesk-11-created');

    const created = await admin.app.http.get(`/api/v1/tenants/${tenantId}/users/${id}`).set(admin.app.rootAuth);
    expect(created.body.data).toMatchObject({ email: 'nina.newstarter@example.com', role: 'helpdesk', first_name: 'Nina' });
    await admin.app.login('nina.newstarter@example.com', 'Newstarter-pass-1', slug);
    await page.context().close();
  }, 120_000);
});
