import { describe, expect, it } from 'vitest';
import { useAdminBrowser, poll } from './support/admin-browser';

/** The live timeline and the profile edited in place, without a reload. */
describe('admin app: a user, live', () => {
  const admin = useAdminBrowser();

  it('shows the screen\'s own action and another request\'s change as they happen', async () => {
    const user = await admin.app.createUser(admin.app.defaultTenantId, { first_name: 'Tim', last_name: 'Timeline' });
    const page = await admin.signedIn(`/users/${user.id}`);
    const activity = page.getByRole('region', { name: 'Activity' });
    await activity.getByText('Live').waitFor();
    await activity.getByText('Account created').waitFor();
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

    // The helpdesk's own action.
    await page.getByRole('toolbar', { name: 'User actions' }).getByRole('button', { name: 'Lock' }).click();
    await page.getByRole('dialog').getByLabel('Reason').fill('Suspicious sign-ins');
    await page.getByRole('dialog').getByRole('button', { name: 'Lock' }).click();
    await poll(() => activity.textContent()).toContain('Status ACTIVE → LOCKED');

    // Other requests, elsewhere: an admin changes the job title, then unlocks the user, through the API.
    const patched = await admin.app.http.patch(`/api/v1/users/${user.id}`).set(admin.app.rootAuth).send({ job_title: 'Night porter' });
    expect(patched.status).toBe(200);
    await poll(() => activity.textContent()).toContain('job_title');
    expect((await admin.app.http.post(`/api/v1/admin/users/${user.id}/unlock`).set(admin.app.rootAuth)).status).toBe(200);
    await poll(() => activity.textContent()).toContain('Unlocked');
    await poll(() => page.getByTestId('user-status').textContent()).toBe('Active');
    // The untouched profile follows the new version.
    await poll(() => page.getByLabel('Job title').inputValue()).toBe('Night porter');
    expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(42);
    await admin.screenshot(page, 'helpdesk-12-live-timeline');
    await page.context().close();
  }, 120_000);

  it('edits the profile in place, with the server\'s validation error on the field', async () => {
    const user = await admin.app.createUser(admin.app.defaultTenantId, { first_name: 'Pat', last_name: 'Profile' });
    const page = await admin.signedIn(`/users/${user.id}`);
    const form = page.getByRole('form', { name: 'Profile' });
    await form.getByLabel('Time zone').fill('Mars/Olympus');
    await form.getByRole('button', { name: 'Save' }).click();
    await poll(() => form.getByLabel('Time zone').getAttribute('aria-invalid')).toBe('true');
    await poll(() => form.textContent()).toContain('is not a known IANA time zone');
    await admin.screenshot(page, 'helpdesk-13-profile-error');

    await form.getByLabel('Time zone').fill('Europe/Paris');
    await form.getByLabel('Last name').fill('Profile-Smith');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Profile saved').waitFor();
    const saved = await admin.app.http.get(`/api/v1/users/${user.id}`).set(admin.app.rootAuth);
    expect(saved.body.data).toMatchObject({ last_name: 'Profile-Smith', timezone: 'Europe/Paris' });
    expect(await form.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await poll(() => page.getByRole('region', { name: 'Activity' }).textContent()).toContain('Profile changed');

    // Someone else saves while this form has edits: Save meets a 412, says so, and reloads.
    await form.getByLabel('Job title').fill('Helpdesk edit');
    expect((await admin.app.http.patch(`/api/v1/users/${user.id}`).set(admin.app.rootAuth).send({ company: 'Acme' })).status).toBe(200);
    await poll(() => page.getByRole('region', { name: 'Activity' }).textContent()).toContain('company');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('Someone else changed this user').waitFor();
    await poll(() => form.getByLabel('Company').inputValue()).toBe('Acme');
    expect(await form.getByLabel('Job title').inputValue()).toBe('');
    await admin.screenshot(page, 'helpdesk-14-profile-conflict');
    expect((await admin.app.http.get(`/api/v1/users/${user.id}`).set(admin.app.rootAuth)).body.data.job_title).toBeNull();
    await page.context().close();
  }, 120_000);

  it('deletes a user after the email is typed, for a role that may', async () => {
    const user = await admin.app.createUser(admin.app.defaultTenantId, { first_name: 'Del', last_name: 'Gone', email: 'del.gone@example.com' });
    const page = await admin.signedIn(`/users/${user.id}`);
    await page.getByRole('toolbar', { name: 'User actions' }).getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog');
    const confirm = dialog.getByRole('button', { name: 'Delete user' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel("Type the user's email to confirm").fill('del.gone@example.com');
    await confirm.click();
    await poll(() => page.url()).toMatch(/#\/users$/);
    expect((await admin.app.http.get(`/api/v1/users/${user.id}`).set(admin.app.rootAuth)).status).toBe(404);
    await page.context().close();
  }, 120_000);
});
