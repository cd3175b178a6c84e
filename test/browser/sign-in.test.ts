import { describe, expect, it } from 'vitest';
import { useAdminBrowser } from './support/admin-browser';
import { generate } from 'otplib';
import { ADMIN_EMAIL, PASSWORD } from '../support/test-app';

describe('admin app: signing in', () => {
  const admin = useAdminBrowser();

  it('serves the app at /admin with its own content security policy', async () => {
    const res = await fetch(`${admin.baseUrl}/admin/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toContain('<div id="root">');
    const redirect = await fetch(`${admin.baseUrl}/admin`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/admin/');
  });

  it('shows the server\'s message for a wrong password and signs in with the right one', async () => {
    const context = await admin.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${admin.baseUrl}/admin/`);
    await page.getByLabel('Email or username').fill(ADMIN_EMAIL);
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/invalid|incorrect|credentials/i);
    await context.close();

    const signed = await admin.signedIn();
    await expect.poll(() => signed.getByRole('button', { name: 'Account' }).textContent()).toContain('super_admin');
    await admin.screenshot(signed, '00-signed-in');
    // The session survives a reload (refresh token kept for the tab, never in localStorage).
    await signed.reload();
    await signed.getByRole('button', { name: 'Account' }).waitFor();
    expect(await signed.evaluate(() => JSON.stringify(localStorage))).toBe('{}');
    await signed.context().close();
  });

  it('asks for the MFA code only when the server says it is needed, and signs in with it', async () => {
    const { slug, user } = await admin.app.tenantWithUser('helpdesk');
    const { auth } = await admin.app.login(user.email, PASSWORD, slug);
    const started = await admin.app.http.post('/api/v1/users/me/mfa/totp').set(auth);
    const secret = started.body.data.secret as string;
    expect((await admin.app.http.post('/api/v1/users/me/mfa/totp/confirm').set(auth).send({ code: await generate({ secret }) })).status).toBe(200);

    const page = await (await admin.browser.newContext()).newPage();
    await page.goto(`${admin.baseUrl}/admin/`);
    await page.getByLabel('Organisation').fill(slug);
    await page.getByLabel('Email or username').fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    expect(await page.getByLabel('MFA code').count()).toBe(0);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('MFA code').waitFor();
    // The next period's code: the confirmation above spent the current one.
    await page.getByLabel('MFA code').fill(await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Account' }).textContent()).toContain('helpdesk');
    await page.context().close();
  });
});
