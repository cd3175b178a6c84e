import { describe, expect, it } from 'vitest';
import { useAdminBrowser, poll } from './support/admin-browser';
import { PASSWORD } from '../support/test-app';

/** "I forgot my password": a link read out by phone when mail is off, or a password set at once. */
describe('admin app: reset password', () => {
  // No SMTP_URL: mail stays in the outbox, where the screen reads the link from.
  const admin = useAdminBrowser();

  it('EMAIL without SMTP shows the queued link, and the link sets a new password', async () => {
    const { slug, tenantId, user: helpdesk } = await admin.app.tenantWithUser('helpdesk');
    const caller = await admin.app.createUser(tenantId, { first_name: 'Fay', last_name: 'Forgetful' });
    const page = await admin.signedIn(`/users/${caller.id}`, helpdesk.email, PASSWORD, slug);
    await page.getByRole('button', { name: 'Reset password' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Send link' }).click();
    const link = dialog.getByLabel('Reset link');
    await poll(() => link.count()).toBe(1);
    const url = (await link.textContent())!.trim();
    expect(url).toMatch(/\/admin\/#\/reset-password\?token=/);
    await admin.screenshot(page, 'helpdesk-08-reset-link');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await poll(() => page.getByRole('region', { name: 'Activity' }).textContent()).toContain('Password reset link sent');

    const tokenValue = new URL(url.replace('#/', '')).searchParams.get('token')!;
    const done = await admin.app.http.post('/api/v1/auth/password-reset/complete').send({ token: tokenValue, new_password: 'Fresh-password-2024' });
    expect(done.status).toBe(200);
    await admin.app.login(caller.email, 'Fresh-password-2024', slug);
    await page.context().close();
  }, 120_000);

  it('DIRECT shows the policy error on the field, then sets a password that signs in', async () => {
    const caller = await admin.app.createUser(admin.app.defaultTenantId, { first_name: 'Dan', last_name: 'Direct' });
    const page = await admin.signedIn(`/users/${caller.id}`);
    await page.getByRole('button', { name: 'Reset password' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Set a password').click();
    const field = dialog.getByLabel('New password', { exact: true });
    await field.fill('short');
    await dialog.getByRole('button', { name: 'Set password' }).click();
    // The server's policy message sits under the field, not in a generic alert.
    await poll(() => dialog.textContent()).toMatch(/at least 8 characters/);
    expect(await dialog.getByRole('alert').count()).toBe(0);
    await admin.screenshot(page, 'helpdesk-09-password-policy');

    await field.fill('Another-long-pass-42');
    await dialog.getByRole('button', { name: 'Set password' }).click();
    await poll(() => page.getByRole('dialog').count()).toBe(0);
    await poll(() => page.getByRole('region', { name: 'Activity' }).textContent()).toContain('Password set by an admin');
    await admin.app.login(caller.email, 'Another-long-pass-42');
    await expect(admin.app.login(caller.email, PASSWORD)).rejects.toThrow();
    await page.context().close();
  }, 120_000);
});
