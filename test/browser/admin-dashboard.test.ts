import { describe, expect, it } from 'vitest';
import { useAdminBrowser } from './support/admin-browser';
import { PASSWORD } from '../support/test-app';

describe('admin app: the dashboard', () => {
  const admin = useAdminBrowser();

  it('draws users by status, sign-ins per day and this week from real activity', async () => {
    const { app } = admin;
    const tenant = await app.tenantWithUser('viewer');
    const ann = await app.createUser(tenant.tenantId, { email: `ann@${tenant.slug}.example.com` });
    const bob = await app.createUser(tenant.tenantId, { email: `bob@${tenant.slug}.example.com` });
    // Real sign-ins, good and bad, and one account disabled.
    await app.login(ann.email, PASSWORD, tenant.slug);
    await app.login(ann.email, PASSWORD, tenant.slug);
    for (let i = 0; i < 2; i++) {
      const res = await app.http.post('/api/v1/auth/token').send({ grant_type: 'password', username: bob.email, password: 'wrong', tenant: tenant.slug });
      expect(res.status).toBe(401);
    }
    const disabled = await app.http.put(`/api/v1/tenants/${tenant.tenantId}/users/${bob.id}/status`).set(app.rootAuth).send({ status: 'DISABLED' });
    expect(disabled.status).toBe(200);

    // A viewer may read the audit trail, so the dashboard is in the navigation.
    const page = await admin.signedIn('/', tenant.user.email, PASSWORD, tenant.slug);
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    const status = page.getByRole('region', { name: 'Users by status' });
    // Two slices: two active (the viewer and Ann), one disabled (Bob).
    await expect.poll(() => status.locator('.recharts-pie-sector').count()).toBe(2);
    expect(await status.textContent()).toContain('3 users');
    const legend = status.getByRole('list', { name: 'Status legend' });
    expect(await legend.getByRole('listitem').filter({ hasText: 'Active' }).textContent()).toMatch(/Active\s*2/);
    expect(await legend.getByRole('listitem').filter({ hasText: 'Disabled' }).textContent()).toMatch(/Disabled\s*1/);

    // Today's bars: 4 sign-ins (Ann twice, the viewer over the API and in this browser) and 2 failures.
    const signIns = page.getByRole('region', { name: 'Sign-ins per day' });
    await expect.poll(() => signIns.locator('.recharts-bar-rectangle path').count()).toBe(2);
    const heights = await signIns.locator('.recharts-bar-rectangle path').evaluateAll((paths) => paths.map((p) => p.getBoundingClientRect().height));
    // Sign-ins stand twice as tall as failures, as 4 is to 2.
    expect(heights[0] / heights[1]).toBeCloseTo(2, 1);

    const week = page.getByRole('region', { name: 'This week' });
    expect(await week.getByLabel('Lockouts this week').textContent()).toContain('(0)');
    expect(await week.getByLabel('Imports this week').textContent()).toContain('No rows imported this week');
    await page.mouse.move(0, 0);
    await admin.screenshot(page, 'admin-01-dashboard');

    // A second look after more activity: the figures come from the server, not from a cache.
    await app.login(ann.email, PASSWORD, tenant.slug);
    await page.reload();
    await expect.poll(() => page.getByRole('region', { name: 'Sign-ins per day' }).locator('.recharts-bar-rectangle path').evaluateAll((paths) => {
      const [a, b] = paths.map((p) => p.getBoundingClientRect().height);
      return Math.round((a / b) * 10) / 10;
    })).toBe(2.5);
    await page.context().close();
  });

  it('is not offered to a role without audit:read', async () => {
    const tenant = await admin.app.tenantWithUser('user');
    const page = await admin.signedIn('/dashboard', tenant.user.email, PASSWORD, tenant.slug);
    await page.getByRole('button', { name: 'Account' }).waitFor();
    expect(await page.getByRole('link', { name: 'Dashboard' }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Dashboard' }).count()).toBe(0);
    expect((await admin.app.http.get(`/api/v1/tenants/${tenant.tenantId}/stats`).set(tenant.auth)).status).toBe(403);
    await page.context().close();
  });
});
