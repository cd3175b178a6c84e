/**
 * `npm run bench:admin-search`: the admin app's Find screen on a seeded directory, in Chromium.
 * Signs in as the seeded tenant's admin, types searches a helpdesk would type (a surname stem,
 * a whole surname, a username fragment) and prints the time from the last keystroke to the
 * rendered first rows with their total. The 150 ms typing pause of the screen is included.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Command, InvalidArgumentError } from 'commander';
import { chromium } from 'playwright-core';
import { startServer } from '../test/support/server-process';
import { CHROMIUM_ARGS } from '../test/browser/support/admin-browser';
import { Api } from './api';
import { copyForRun, readSeedInfo, seed, ADMIN_PASSWORD, ROOT_EMAIL, ROOT_PASSWORD, type DbTarget } from './seed';
import { seedUser } from './data';

const TMP = path.join(import.meta.dirname, 'tmp');
const positiveInt = (v: string) => {
  const n = Number(v.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a positive whole number');
  return n;
};
const opts = new Command('bench:admin-search')
  .option('--users <n>', 'users in the seeded tenant (SQLite)', positiveInt, 1_000_000)
  .option('--rounds <n>', 'searches of each kind', positiveInt, 5)
  .parse()
  .opts<{ users: number; rounds: number }>();
const log = (s: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);

fs.mkdirSync(TMP, { recursive: true });
const seedTarget: DbTarget = { dialect: 'sqlite', location: path.join(TMP, `seed-${opts.users}.sqlite`) };
let info = await readSeedInfo(seedTarget);
if (info?.users !== opts.users) {
  fs.rmSync(seedTarget.location, { force: true });
  info = await seed(seedTarget, opts.users, path.join(TMP, 'seed-data'), log);
}
if (!fs.existsSync(path.resolve('dist/admin/index.html'))) execFileSync('npm', ['run', '--silent', 'build:admin'], { stdio: 'inherit' });

// A copy of its own, beside (never over) the copy a running `npm run bench` may be using.
const workDir = path.join(TMP, 'admin-search');
fs.rmSync(workDir, { recursive: true, force: true });
fs.mkdirSync(workDir, { recursive: true });
const target = await copyForRun(seedTarget, workDir);
const dataDir = path.join(workDir, 'data');
const server = await startServer({ DATABASE_URL: target.location, ROSTER_DATA_DIR: dataDir, ROSTER_ADMIN_EMAIL: ROOT_EMAIL, ROSTER_ADMIN_PASSWORD: ROOT_PASSWORD }, { timeoutMs: 900_000 });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  const api = await new Api(server.url).login(info.adminEmail, ADMIN_PASSWORD, info.slug);
  const page = await (await browser.newContext({ viewport: { width: 1360, height: 860 } })).newPage();
  await page.goto(`${server.url}/admin/`);
  await page.getByLabel('Organisation').fill(info.slug);
  await page.getByLabel('Email or username').fill(info.adminEmail);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const search = page.getByLabel('Search users');
  await search.waitFor();
  const everyone = (await api.call('POST', '/api/v1/users/search', { per_page: 1 })).pagination.total_items as number;
  await page.waitForFunction((text) => document.querySelector('[data-testid=result-count]')?.textContent === text, `${everyone.toLocaleString('en-US')} users`);

  const scope = { tenantId: info.tenantId, ouIds: info.ouIds, epochMs: info.epochMs };
  const pick = (round: number) => seedUser(scope, Math.floor(((round * 7919 + 13) % 1000) / 1000 * info.users), info.users);
  const kinds: Record<string, (round: number) => string> = {
    'surname stem (4 letters)': (r) => pick(r).lastName.slice(0, 4).toLowerCase(),
    'whole surname': (r) => pick(r).lastName.toLowerCase(),
    'username fragment': (r) => pick(r).username.split('.')[0],
  };
  const rows: string[] = [];
  for (const [kind, queryOf] of Object.entries(kinds)) {
    const timings: number[] = [];
    for (let round = 0; round < opts.rounds; round++) {
      const query = queryOf(round);
      const expected = (await api.call('POST', '/api/v1/users/search', { q: query, per_page: 1 })).pagination.total_items as number;
      await search.fill('');
      await page.waitForFunction((text) => document.querySelector('[data-testid=result-count]')?.textContent === text, `${everyone.toLocaleString('en-US')} users`);
      await search.pressSequentially(query.slice(0, -1), { delay: 60 });
      const t0 = performance.now();
      await page.keyboard.press(query.slice(-1));
      const label = `${expected.toLocaleString('en-US')} ${expected === 1 ? 'user' : 'users'}`;
      await page
        .waitForFunction(
          (text) => document.querySelector('[data-testid=result-count]')?.textContent === text && document.querySelectorAll('tbody tr[data-index]').length > 0,
          label,
          { polling: 'raf', timeout: 60_000 },
        )
        .catch(async (err: Error) => {
          throw new Error(`"${query}": waited for "${label}", the screen shows "${await page.getByTestId('result-count').textContent()}": ${err.message}`);
        });
      timings.push(performance.now() - t0);
    }
    const sorted = [...timings].sort((a, b) => a - b);
    rows.push(`| ${kind} | ${sorted.map((t) => Math.round(t)).join(', ')} | ${Math.round(sorted[Math.floor(sorted.length / 2)])} | ${Math.round(sorted[sorted.length - 1])} |`);
    log(`${kind}: ${timings.map((t) => `${Math.round(t)} ms`).join(', ')}`);
  }
  await page.screenshot({ path: path.join(TMP, `admin-search-${opts.users}.png`) });
  process.stdout.write(
    `\nKeystroke to rendered results, ${everyone.toLocaleString('en-US')} users in the tenant (SQLite), 150 ms typing pause included\n\n` +
      `| search | each run (ms) | median (ms) | worst (ms) |\n|---|---|---|---|\n${rows.join('\n')}\n`,
  );
} finally {
  await browser.close();
  await server.kill();
}
