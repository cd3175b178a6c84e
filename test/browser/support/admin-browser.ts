import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { createTestApp, ADMIN_EMAIL, ADMIN_PASSWORD, type TestApp } from '../../support/test-app';

export const SCREENSHOTS = path.resolve('test-results/screenshots');

export interface AdminBrowser {
  app: TestApp;
  /** http://127.0.0.1:PORT — the real server, listening. */
  baseUrl: string;
  browser: Browser;
  /** A new page signed in as `username` (the bootstrap super admin by default), at /admin/#`route`. */
  signedIn(route?: string, username?: string, password?: string, tenant?: string): Promise<Page>;
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'];

/** A real Roster on a temporary database, listening on a loopback port, and Debian's Chromium. */
export async function startAdminBrowser(env: Record<string, string> = {}): Promise<AdminBrowser> {
  const app = await createTestApp(env);
  const server = http.createServer(app.roster.app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  fs.mkdirSync(SCREENSHOTS, { recursive: true });

  const signedIn: AdminBrowser['signedIn'] = async (route = '/', username = ADMIN_EMAIL, password = ADMIN_PASSWORD, tenant = 'default') => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/admin/`);
    await page.getByLabel('Organisation').fill(tenant);
    await page.getByLabel('Email or username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Account' }).waitFor();
    if (route !== '/') await page.goto(`${baseUrl}/admin/#${route}`);
    return page;
  };

  return {
    app,
    baseUrl,
    browser,
    signedIn,
    async screenshot(page, name) {
      const file = path.join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await browser.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await app.close();
    },
  };
}

/** The machine may be busy: wait for the screen as long as a patient person would. */
export const poll = <T>(fn: () => Promise<T> | T, timeout = 20_000) => expect.poll(fn, { timeout, interval: 100 });

/**
 * The admin app in Chromium for the enclosing `describe`: started before its tests and closed
 * after them. Each property reads the running one, so the handle can be taken at declaration.
 */
export function useAdminBrowser(env: Record<string, string> = {}): AdminBrowser {
  let started: AdminBrowser | undefined;
  const current = () => {
    if (!started) throw new Error('The admin browser starts in beforeAll: use it inside a test');
    return started;
  };
  beforeAll(async () => {
    started = await startAdminBrowser(env);
  });
  afterAll(() => started?.close());
  return {
    get app() { return current().app; },
    get baseUrl() { return current().baseUrl; },
    get browser() { return current().browser; },
    signedIn: (...args) => current().signedIn(...args),
    screenshot: (...args) => current().screenshot(...args),
    close: () => current().close(),
  };
}
