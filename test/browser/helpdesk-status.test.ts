import { describe, expect, it } from 'vitest';
import { useAdminBrowser, poll } from './support/admin-browser';
import { generate } from 'otplib';
import { PASSWORD } from '../support/test-app';

/** Status stories: a locked caller unlocked, a leaver disabled and signed out, a viewer who may only look. */
describe('admin app: user status', () => {
  const admin = useAdminBrowser();

  const token = (body: Record<string, string>) => admin.app.http.post('/api/v1/auth/token').send(body);

  it('a helpdesk unlocks a user locked by failed sign-ins, who can then sign in', async () => {
    const { slug, tenantId, user: helpdesk } = await admin.app.tenantWithUser('helpdesk');
    const caller = await admin.app.createUser(tenantId, { first_name: 'Lena', last_name: 'Lockwood' });
    for (let i = 0; i < 5; i++) expect((await token({ grant_type: 'password', username: caller.email, password: 'wrong-password-1', tenant: slug })).status).toBe(401);
    expect((await token({ grant_type: 'password', username: caller.email, password: PASSWORD, tenant: slug })).status).not.toBe(200);

    const page = await admin.signedIn(`/users/${caller.id}`, helpdesk.email, PASSWORD, slug);
    await poll(() => page.getByTestId('user-status').textContent()).toBe('Locked');
    // A helpdesk may not edit the profile nor delete: those controls are not there.
    expect(await page.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);

    await page.getByRole('toolbar', { name: 'User actions' }).getByRole('button', { name: 'Unlock' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason').fill('Caller verified by phone');
    await admin.screenshot(page, 'helpdesk-04-unlock-dialog');
    await dialog.getByRole('button', { name: 'Unlock' }).click();
    await poll(() => page.getByTestId('user-status').textContent()).toBe('Active');
    await poll(() => page.getByRole('region', { name: 'Activity' }).textContent()).toContain('Status LOCKED → ACTIVE');
    expect(await page.getByRole('region', { name: 'Activity' }).textContent()).toContain('Caller verified by phone');
    await admin.screenshot(page, 'helpdesk-05-unlocked');

    expect((await token({ grant_type: 'password', username: caller.email, password: PASSWORD, tenant: slug })).status).toBe(200);
    await page.context().close();
  }, 120_000);

  it('disabling with "sign out everywhere" ends the user\'s sessions', async () => {
    const tenant = admin.app.defaultTenantId;
    const leaver = await admin.app.createUser(tenant, { first_name: 'Lou', last_name: 'Leaver' });
    const session = await admin.app.login(leaver.email, PASSWORD);
    expect((await admin.app.http.get('/api/v1/users/me').set(session.auth)).status).toBe(200);

    const page = await admin.signedIn(`/users/${leaver.id}`);
    await poll(() => page.getByTestId('user-status').textContent()).toBe('Active');
    await page.getByRole('toolbar', { name: 'User actions' }).getByRole('button', { name: 'Disable' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason').fill('Left the company yesterday');
    expect(await dialog.getByLabel('Sign out everywhere').isChecked()).toBe(true);
    await dialog.getByRole('button', { name: 'Disable' }).click();
    await poll(() => page.getByTestId('user-status').textContent()).toBe('Disabled');
    // From DISABLED the only way is back: Enable is offered, Lock and Disable are not.
    const toolbar = page.getByRole('toolbar', { name: 'User actions' });
    await toolbar.getByRole('button', { name: 'Enable' }).waitFor();
    expect(await toolbar.getByRole('button', { name: 'Lock' }).count()).toBe(0);
    await poll(() => page.getByRole('region', { name: 'Activity' }).textContent()).toContain('signed out everywhere');
    await admin.screenshot(page, 'helpdesk-06-disabled');

    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: session.refresh_token });
    expect(refreshed.status).toBeGreaterThanOrEqual(400);
    expect(refreshed.status).toBeLessThan(500);
    await page.context().close();
  }, 120_000);

  it('turns off MFA for a user who lost the phone, after a confirmation', async () => {
    const user = await admin.app.createUser(admin.app.defaultTenantId, { first_name: 'Mia', last_name: 'Lostphone' });
    const { auth } = await admin.app.login(user.email, PASSWORD);
    const secret = (await admin.app.http.post('/api/v1/users/me/mfa/totp').set(auth)).body.data.secret as string;
    expect((await admin.app.http.post('/api/v1/users/me/mfa/totp/confirm').set(auth).send({ code: await generate({ secret }) })).status).toBe(200);

    const page = await admin.signedIn(`/users/${user.id}`);
    await page.getByText('MFA on').waitFor();
    await page.getByRole('button', { name: 'Turn off MFA' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Turn off MFA' }).click();
    await page.getByText('MFA off', { exact: true }).waitFor();
    await poll(() => page.getByRole('button', { name: 'Turn off MFA' }).count()).toBe(0);
    await poll(() => page.getByRole('region', { name: 'Activity' }).textContent()).toContain('MFA turned off');
    // Signs in with the password alone again.
    await admin.app.login(user.email, PASSWORD);
    await page.context().close();
  }, 120_000);

  it('a viewer sees the user but no action, and no way to create one', async () => {
    const { slug, tenantId, user: viewer } = await admin.app.tenantWithUser('viewer');
    const someone = await admin.app.createUser(tenantId, { first_name: 'Vic', last_name: 'Visible' });
    const page = await admin.signedIn(`/users/${someone.id}`, viewer.email, PASSWORD, slug);
    await page.getByRole('heading', { name: 'Vic Visible' }).waitFor();
    await page.getByRole('region', { name: 'Activity' }).getByText('Account created').waitFor();
    expect(await page.getByRole('toolbar', { name: 'User actions' }).count()).toBe(0);
    for (const name of ['Unlock', 'Enable', 'Disable', 'Lock', 'Reset password', 'Turn off MFA', 'Delete', 'Save']) {
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    }
    expect(await page.getByLabel('First name').getAttribute('readonly')).not.toBeNull();
    await admin.screenshot(page, 'helpdesk-07-viewer');

    await page.goto(`${admin.baseUrl}/admin/#/users`);
    await page.getByLabel('Search users').waitFor();
    expect(await page.getByRole('link', { name: 'New user' }).count()).toBe(0);
    await page.context().close();
  }, 120_000);
});
