import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type { RosterBridge } from '../../desktop/shared/bridge';
import { CHANNELS } from '../../desktop/shared/channels';

const fake = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoked: [] as unknown[][],
}));

vi.mock('electron', () => {
  const m = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => fake.exposed.set(key, api) },
    ipcRenderer: { invoke: async (...args: unknown[]) => { fake.invoked.push(args); return null; } },
  };
  return { ...m, default: m };
});

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('the preload bridge', () => {
  it('exposes window.rosterDesktop with one invoke per channel, passing only the contract\'s fields', async () => {
    await import('../../desktop/preload/index');
    expect([...fake.exposed.keys()]).toEqual(['rosterDesktop']);
    const bridge = fake.exposed.get('rosterDesktop') as RosterBridge;
    const t = { access_token: 'a', refresh_token: 'r', expires_at: 1 };
    await bridge.state();
    await bridge.chooseLocal();
    await bridge.setupLocal({ email: 'a@b.co', password: 'long-pass', role: 'x' } as never);
    await bridge.saveProfile({ name: 'HQ', url: 'https://hq.example.com', extra: true } as never);
    await bridge.saveProfile({ id: 'p1', name: 'HQ', url: 'https://hq.example.com' });
    await bridge.deleteProfile('p1');
    await bridge.chooseRemote('p1');
    await bridge.switchMode();
    await bridge.tokens.load();
    await bridge.tokens.save({ ...t, junk: 1 } as never);
    await bridge.tokens.clear();
    await bridge.files.save({ defaultName: 'x.json', contents: '{}' });
    expect(fake.invoked).toEqual([
      [CHANNELS.state],
      [CHANNELS.chooseLocal],
      [CHANNELS.setupLocal, { email: 'a@b.co', password: 'long-pass' }],
      [CHANNELS.saveProfile, { name: 'HQ', url: 'https://hq.example.com' }],
      [CHANNELS.saveProfile, { id: 'p1', name: 'HQ', url: 'https://hq.example.com' }],
      [CHANNELS.deleteProfile, 'p1'],
      [CHANNELS.chooseRemote, 'p1'],
      [CHANNELS.switchMode],
      [CHANNELS.tokensLoad],
      [CHANNELS.tokensSave, t],
      [CHANNELS.tokensClear],
      [CHANNELS.filesSave, { defaultName: 'x.json', contents: '{}' }],
    ]);
    // Every channel of the contract is reachable from the bridge.
    expect(new Set(fake.invoked.map((c) => c[0]))).toEqual(new Set(Object.values(CHANNELS)));
  });

  it('bundles for the sandbox: the preload needs nothing but electron, main nothing but electron and Node', () => {
    execFileSync('npm', ['run', '--silent', 'build:desktop'], { cwd: ROOT, stdio: 'pipe' });
    const requires = (file: string) => [...new Set([...fs.readFileSync(`${ROOT}/dist/desktop/${file}`, 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]))];
    expect(requires('preload.cjs')).toEqual(['electron']);
    for (const dep of requires('main.cjs')) expect(dep === 'electron' || dep.startsWith('node:'), dep).toBe(true);
  }, 60_000);
});
