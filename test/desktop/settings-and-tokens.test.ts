import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SettingsStore } from '../../desktop/main/settings';
import { TokenStore } from '../../desktop/main/token-store';
import { fakeSafeStorage, tempDir } from './support';

const TOKENS = { access_token: 'eyJ.access.secret', refresh_token: 'rt_refresh_secret', expires_at: 1_900_000_000_000 };

describe('settings.json', () => {
  it('starts at the chooser when there is no file, and keeps what was saved', () => {
    const file = path.join(tempDir(), 'settings.json');
    const store = new SettingsStore(file);
    expect(store.load()).toEqual({ mode: null, profiles: [], activeProfileId: null });
    store.save({ mode: 'remote', profiles: [{ id: 'p1', name: 'HQ', url: 'https://roster.example.com/' }], activeProfileId: 'p1' });
    const again = new SettingsStore(file).load();
    expect(again).toEqual({ mode: 'remote', profiles: [{ id: 'p1', name: 'HQ', url: 'https://roster.example.com' }], activeProfileId: 'p1' });
  });

  it('falls back to the chooser on a broken or invalid file instead of failing to open', () => {
    const file = path.join(tempDir(), 'settings.json');
    fs.writeFileSync(file, '{ not json');
    expect(new SettingsStore(file).load().mode).toBeNull();
    fs.writeFileSync(file, JSON.stringify({ mode: 'cloud', profiles: 'x' }));
    expect(new SettingsStore(file).load()).toEqual({ mode: null, profiles: [], activeProfileId: null });
    // A remote mode whose active profile is gone goes back to the chooser.
    fs.writeFileSync(file, JSON.stringify({ mode: 'remote', profiles: [], activeProfileId: 'gone' }));
    expect(new SettingsStore(file).load()).toEqual({ mode: null, profiles: [], activeProfileId: null });
  });

  it('refuses to save a profile with a URL that is not http(s)', () => {
    const store = new SettingsStore(path.join(tempDir(), 'settings.json'));
    expect(() => store.save({ mode: null, profiles: [{ id: 'p', name: 'x', url: 'file:///etc/passwd' }], activeProfileId: null })).toThrow(/https:\/\//);
  });
});

describe('token storage', () => {
  it('encrypts each entry with safeStorage: the file never holds a token in clear', () => {
    const dir = tempDir();
    const file = path.join(dir, 'tokens.json');
    const safe = fakeSafeStorage();
    const store = new TokenStore(file, safe);
    store.save('local', TOKENS);
    store.save('remote:p1', { ...TOKENS, access_token: 'other-access' });
    const onDisk = fs.readFileSync(file, 'utf8');
    expect(onDisk).not.toContain('eyJ.access.secret');
    expect(onDisk).not.toContain('rt_refresh_secret');
    expect(safe.calls).toBe(2);
    expect(fs.statSync(file).mode & 0o077).toBe(0);

    const reopened = new TokenStore(file, safe);
    expect(reopened.load('local')).toEqual(TOKENS);
    expect(reopened.load('remote:p1')?.access_token).toBe('other-access');
    reopened.clear('local');
    expect(new TokenStore(file, safe).load('local')).toBeNull();
    expect(new TokenStore(file, safe).load('remote:p1')).not.toBeNull();
  });

  it('keeps tokens in memory only when no encryption is available', () => {
    const file = path.join(tempDir(), 'tokens.json');
    const store = new TokenStore(file, fakeSafeStorage(false));
    store.save('local', TOKENS);
    expect(store.load('local')).toEqual(TOKENS);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('treats an entry it cannot decrypt as signed out', () => {
    const file = path.join(tempDir(), 'tokens.json');
    fs.writeFileSync(file, JSON.stringify({ local: Buffer.from('garbage').toString('base64') }));
    expect(new TokenStore(file, fakeSafeStorage()).load('local')).toBeNull();
  });

  it('refuses tokens of the wrong shape', () => {
    const store = new TokenStore(path.join(tempDir(), 'tokens.json'), fakeSafeStorage());
    expect(() => store.save('local', { access_token: '', refresh_token: 'x', expires_at: 1 })).toThrow();
    expect(() => store.save('local', { ...TOKENS, extra: 1 } as never)).toThrow();
  });
});
