import fs from 'node:fs';
import { execSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalServer, databaseFile } from '../../desktop/main/local-server';
import { serverCommand, serverEnvironment, type ServerCommand } from '../../desktop/main/server-command';
import { DesktopController } from '../../desktop/main/desktop-controller';
import { SettingsStore } from '../../desktop/main/settings';
import { TokenStore } from '../../desktop/main/token-store';
import { fakeSafeStorage, tempDir } from './support';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ADMIN = { email: 'owner@desk.example.com', password: 'Desk-owner-pass-1' };
const started: LocalServer[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function server(command: ServerCommand, dataDir = path.join(tempDir(), 'data'), extra: Partial<ConstructorParameters<typeof LocalServer>[0]> = {}) {
  const s = new LocalServer({ command, dataDir, logFile: path.join(path.dirname(dataDir), 'logs', 'server.log'), ...extra });
  started.push(s);
  return s;
}

/** A tiny program in place of Roster: answers /readyz and behaves as `behaviour` says. */
function fakeProgram(behaviour: 'ignore-sigterm' | 'crash-after-ready'): ServerCommand {
  const code = `
    const http = require('node:http');
    ${behaviour === 'ignore-sigterm' ? "process.on('SIGTERM', () => console.log('not stopping'));" : 'setTimeout(() => process.exit(3), 400);'}
    const server = http.createServer((req, res) => res.end('{"status":"ok"}'));
    server.listen(Number(process.env.PORT), process.env.HOST, () => console.log('Roster listening on http://127.0.0.1:' + server.address().port));
  `;
  return { command: process.execPath, args: ['-e', code], cwd: ROOT, env: {} };
}

describe('the embedded server command', () => {
  it('runs the sources through tsx in development and the bundle when packaged, with Electron as Node', () => {
    expect(serverCommand({ packaged: false, appRoot: '/app', execPath: '/opt/Roster/roster' })).toEqual({
      command: '/opt/Roster/roster', args: ['--import', 'tsx', path.join('/app', 'server', 'index.ts')], cwd: '/app', env: { ELECTRON_RUN_AS_NODE: '1' },
    });
    const packaged = serverCommand({ packaged: true, appRoot: '/opt/Roster/resources/app.asar', execPath: '/opt/Roster/roster' });
    // The server runs from the unpacked files beside the archive, as plain Node would.
    expect(packaged.args).toEqual([path.join('/opt/Roster/resources/app.asar.unpacked', 'dist', 'server', 'index.js')]);
    expect(packaged.cwd).toBe('/opt/Roster/resources/app.asar.unpacked');
  });

  it('does not pass the parent\'s database or Roster settings to the embedded server', () => {
    const env = serverEnvironment({ PATH: '/bin', DATABASE_URL: 'postgres://x', ROSTER_JWT_SECRET: 's', NODE_OPTIONS: '--inspect', PORT: '1' }, { PORT: '2' });
    expect(env).toEqual({ PATH: '/bin', PORT: '2' });
  });
});

describe('the local server process', () => {
  it('first run creates the admin, answers /readyz, keeps its data, and stops cleanly on quit', async () => {
    const userData = tempDir();
    const dataDir = path.join(userData, 'data');
    const local = server(serverCommand({ packaged: false, appRoot: ROOT, execPath: process.execPath }), dataDir);
    const controller = () => new DesktopController({
      settings: new SettingsStore(path.join(userData, 'settings.json')),
      tokens: new TokenStore(path.join(userData, 'tokens.json'), fakeSafeStorage()),
      server: local,
      dataDir,
      checkRemote: async () => undefined,
    });

    const first = controller();
    expect(await first.chooseLocal()).toMatchObject({ mode: 'local', needsSetup: true, ready: false });
    const ready = await first.setupLocal(ADMIN);
    expect(ready).toMatchObject({ mode: 'local', ready: true, needsSetup: false, error: null });
    const url = first.target()!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fs.existsSync(databaseFile(dataDir))).toBe(true);
    const readyz = await fetch(`${url}/readyz`);
    expect(await readyz.json()).toEqual({ status: 'ok', database: 'sqlite' });
    const login = await fetch(`${url}/api/v1/auth/token`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', username: ADMIN.email, password: ADMIN.password, tenant: 'default' }),
    });
    expect(login.status).toBe(200);

    const pid = local.pid!;
    await first.shutdown();
    expect(alive(pid)).toBe(false);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(fs.readFileSync(path.join(userData, 'logs', 'server.log'), 'utf8')).toMatch(/Roster listening on/);
    // SIGTERM let the server close its database: the log ends with its own goodbye.
    expect(fs.readFileSync(path.join(userData, 'logs', 'server.log'), 'utf8')).toMatch(/shutting down/);

    // The next launch resumes Local on the same database, with no setup and the same admin.
    const second = controller();
    expect(await second.resume()).toMatchObject({ mode: 'local', ready: true, needsSetup: false });
    const again = await fetch(`${second.target()}/api/v1/auth/token`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', username: ADMIN.email, password: ADMIN.password, tenant: 'default' }),
    });
    expect(again.status).toBe(200);
    await second.shutdown();
  }, 120_000);

  it('runs the packaged layout: the npm run build bundle from app.asar.unpacked, started as the packaged app starts it', async () => {
    // The layout electron-builder.yml makes: package.json, dist/server and node_modules unpacked beside app.asar.
    const resources = tempDir();
    const unpacked = path.join(resources, 'app.asar.unpacked');
    fs.mkdirSync(unpacked);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    fs.writeFileSync(path.join(unpacked, 'package.json'), JSON.stringify({ name: pkg.name, type: pkg.type, main: 'dist/desktop/main.cjs' }));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(unpacked, 'node_modules'), 'dir');
    const build = String(pkg.scripts.build).replaceAll('dist/server', path.join(unpacked, 'dist', 'server'));
    execSync(build, { cwd: ROOT, stdio: 'pipe', env: { ...process.env, PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}` } });

    const command = serverCommand({ packaged: true, appRoot: path.join(resources, 'app.asar'), execPath: process.execPath });
    const local = server(command);
    const url = await local.start(ADMIN);
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ok', database: 'sqlite' });
    const login = await fetch(`${url}/api/v1/auth/token`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', username: ADMIN.email, password: ADMIN.password, tenant: 'default' }),
    });
    expect(login.status).toBe(200);
    await local.stop();
  }, 120_000);

  it('reports a server that dies before it is ready, with what it said', async () => {
    const local = server(serverCommand({ packaged: true, appRoot: tempDir(), execPath: process.execPath }));
    await expect(local.start()).rejects.toThrow(/stopped before it was ready.*It said: .*(Cannot find module|ERR_MODULE_NOT_FOUND)/s);
    expect(local.url).toBeNull();
  }, 30_000);

  it('reports a program that cannot be started at all', async () => {
    const local = server({ command: path.join(tempDir(), 'no-such-electron'), args: [], cwd: ROOT, env: {} });
    await expect(local.start()).rejects.toThrow(/could not be started: .*ENOENT/);
  });

  it('kills a server that ignores SIGTERM once the stop timeout has passed', async () => {
    const local = server(fakeProgram('ignore-sigterm'), undefined, { stopTimeoutMs: 500 });
    await local.start();
    const pid = local.pid!;
    const t0 = Date.now();
    await local.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    expect(alive(pid)).toBe(false);
  });

  it('tells the app when a running server exits by itself', async () => {
    const local = server(fakeProgram('crash-after-ready'));
    const message = new Promise<string>((resolve) => local.onUnexpectedExit(resolve));
    await local.start();
    expect(await message).toMatch(/stopped unexpectedly \(exit code 3\)/);
    expect(local.url).toBeNull();
  });
});
