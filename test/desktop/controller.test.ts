import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DesktopController } from '../../desktop/main/desktop-controller';
import { databaseFile } from '../../desktop/main/local-server';
import { SettingsStore } from '../../desktop/main/settings';
import { TokenStore } from '../../desktop/main/token-store';
import { FakeServer, fakeSafeStorage, tempDir } from './support';

function setup(opts: { remoteDown?: boolean } = {}) {
  const userData = tempDir();
  const dataDir = path.join(userData, 'data');
  const server = new FakeServer(dataDir);
  const checked: string[] = [];
  const make = () => new DesktopController({
    settings: new SettingsStore(path.join(userData, 'settings.json')),
    tokens: new TokenStore(path.join(userData, 'tokens.json'), fakeSafeStorage()),
    server,
    dataDir,
    checkRemote: async (url) => {
      checked.push(url);
      if (opts.remoteDown) throw new Error('connect ECONNREFUSED');
    },
  });
  return { userData, dataDir, server, checked, make };
}

const ADMIN = { email: 'owner@example.com', password: 'a-long-password' };
const TOKENS = { access_token: 'a', refresh_token: 'r', expires_at: 1 };

describe('desktop modes', () => {
  it('first start shows the chooser; Local on a fresh folder asks for the administrator, then starts with it', async () => {
    const { server, make, dataDir } = setup();
    const c = make();
    expect(await c.resume()).toMatchObject({ mode: null, ready: false, needsSetup: false, error: null });
    expect(c.target()).toBeNull();

    const chosen = await c.chooseLocal();
    expect(chosen).toMatchObject({ mode: 'local', ready: false, needsSetup: true, dataDir });
    expect(server.starts).toEqual([]);

    const ready = await c.setupLocal(ADMIN);
    expect(ready).toMatchObject({ mode: 'local', ready: true, needsSetup: false, error: null });
    expect(server.starts).toEqual([ADMIN]);
    expect(c.target()).toBe('http://127.0.0.1:5999');
    await expect(c.setupLocal(ADMIN)).rejects.toThrow(/already has an administrator/);
  });

  it('remembers Local across restarts and starts the server again without setup', async () => {
    const { server, make } = setup();
    const first = make();
    await first.chooseLocal();
    await first.setupLocal(ADMIN);
    await first.shutdown();
    expect(server.url).toBeNull();

    const second = make();
    expect(await second.resume()).toMatchObject({ mode: 'local', ready: true, needsSetup: false });
    expect(server.starts).toEqual([ADMIN, undefined]);
  });

  it('a failed first start shows the error and removes the half-made database, so setup can be tried again', async () => {
    const { server, make, dataDir } = setup();
    const c = make();
    await c.chooseLocal();
    server.failWith = 'ROSTER_ADMIN_PASSWORD must be at least 8 characters long';
    const failed = await c.setupLocal(ADMIN);
    expect(failed).toMatchObject({ mode: 'local', ready: false, needsSetup: true, error: 'ROSTER_ADMIN_PASSWORD must be at least 8 characters long' });
    expect(fs.existsSync(databaseFile(dataDir))).toBe(false);
    server.failWith = null;
    expect(await c.setupLocal(ADMIN)).toMatchObject({ ready: true, error: null });
  });

  it('refuses an invalid administrator before starting anything', async () => {
    const { server, make } = setup();
    const c = make();
    await c.chooseLocal();
    await expect(c.setupLocal({ email: 'not-an-email', password: 'a-long-password' })).rejects.toThrow(/valid email/);
    await expect(c.setupLocal({ email: 'a@b.co', password: 'short' })).rejects.toThrow(/at least 8/);
    expect(server.starts).toEqual([]);
  });

  it('connection profiles: create, edit, validate, choose, delete', async () => {
    const { make, checked, userData } = setup();
    const c = make();
    let s = await c.saveProfile({ name: 'Head office', url: 'https://roster.example.com/' });
    expect(s.profiles).toHaveLength(1);
    const id = s.profiles[0].id;
    expect(s.profiles[0]).toEqual({ id, name: 'Head office', url: 'https://roster.example.com' });
    s = await c.saveProfile({ id, name: 'HQ', url: 'http://10.0.0.5:8080/roster' });
    expect(s.profiles).toEqual([{ id, name: 'HQ', url: 'http://10.0.0.5:8080/roster' }]);
    await expect(c.saveProfile({ name: 'x', url: 'javascript:alert(1)' })).rejects.toThrow(/https:\/\//);
    await expect(c.saveProfile({ name: '', url: 'https://a.example' })).rejects.toThrow(/name/);
    await expect(c.saveProfile({ id: 'nope', name: 'x', url: 'https://a.example' })).rejects.toThrow(/No such/);

    s = await c.chooseRemote(id);
    expect(s).toMatchObject({ mode: 'remote', ready: true, activeProfileId: id, error: null });
    expect(checked).toEqual(['http://10.0.0.5:8080/roster']);
    expect(c.target()).toBe('http://10.0.0.5:8080/roster');
    c.saveTokens(TOKENS);
    expect(c.loadTokens()).toEqual(TOKENS);

    // Persisted: a new run resumes the same profile.
    const again = make();
    expect(await again.resume()).toMatchObject({ mode: 'remote', ready: true, activeProfileId: id });
    expect(JSON.parse(fs.readFileSync(path.join(userData, 'settings.json'), 'utf8')).activeProfileId).toBe(id);

    s = await again.deleteProfile(id);
    expect(s).toMatchObject({ mode: null, ready: false, activeProfileId: null, profiles: [] });
    expect(again.target()).toBeNull();
    await expect(again.chooseRemote(id)).rejects.toThrow(/No such/);
  });

  it('an unreachable remote is reported, not shown as ready', async () => {
    const { make } = setup({ remoteDown: true });
    const c = make();
    const { profiles } = await c.saveProfile({ name: 'Branch', url: 'https://branch.example.com' });
    const s = await c.chooseRemote(profiles[0].id);
    expect(s).toMatchObject({ mode: 'remote', ready: false });
    expect(s.error).toMatch(/Cannot reach Branch \(https:\/\/branch.example.com\): connect ECONNREFUSED/);
    expect(c.target()).toBeNull();
  });

  it('switching mode stops the local server and keeps tokens apart per mode and profile', async () => {
    const { server, make } = setup();
    const c = make();
    await c.chooseLocal();
    await c.setupLocal(ADMIN);
    c.saveTokens(TOKENS);
    const { profiles } = await c.saveProfile({ name: 'HQ', url: 'https://hq.example.com' });

    const chooser = await c.switchMode();
    expect(chooser).toMatchObject({ mode: null, ready: false });
    expect(server.url).toBeNull();
    expect(server.stops).toBe(1);
    expect(c.loadTokens()).toBeNull();
    expect(() => c.saveTokens(TOKENS)).toThrow(/Choose/);

    await c.chooseRemote(profiles[0].id);
    expect(c.loadTokens()).toBeNull();
    c.saveTokens({ ...TOKENS, access_token: 'remote' });
    await c.chooseLocal();
    expect(c.loadTokens()).toEqual(TOKENS);
    c.clearTokens();
    expect(c.loadTokens()).toBeNull();
  });

  it('a crash of the local server shows up as an error and stops the proxy', async () => {
    const { server, make } = setup();
    const c = make();
    await c.chooseLocal();
    await c.setupLocal(ADMIN);
    server.crash('The local server stopped unexpectedly (exit code 1).');
    expect(await c.state()).toMatchObject({ mode: 'local', ready: false, error: 'The local server stopped unexpectedly (exit code 1).' });
    expect(c.target()).toBeNull();
    expect(await c.chooseLocal()).toMatchObject({ ready: true, error: null });
  });

  it('runs operations one after another: two clicks start one server', async () => {
    const { server, make } = setup();
    const c = make();
    await c.chooseLocal();
    await c.setupLocal(ADMIN);
    await c.switchMode();
    await Promise.all([c.chooseLocal(), c.chooseLocal(), c.state()]);
    expect(server.starts).toHaveLength(2);
  });
});
