import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CHANNELS } from '../../desktop/shared/channels';
import { fakeSafeStorage, tempDir } from './support';

/** Electron's main-process module, replaced by the few pieces Roster uses, each recording its calls. */
const fake = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => unknown;
  const appListeners = new Map<string, Listener[]>();
  const paths: Record<string, string> = {};
  const windows: FakeWindow[] = [];

  class FakeContents {
    listeners = new Map<string, Listener[]>();
    openHandler: ((d: { url: string }) => { action: string }) | null = null;
    on(event: string, fn: Listener) {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn]);
      return this;
    }
    setWindowOpenHandler(fn: (d: { url: string }) => { action: string }) {
      this.openHandler = fn;
    }
    emit(event: string, ...args: unknown[]) {
      for (const fn of this.listeners.get(event) ?? []) fn(...args);
    }
  }

  class FakeWindow {
    webContents = new FakeContents();
    loaded: string | null = null;
    shown = false;
    constructor(public options: Record<string, unknown>) {
      windows.push(this);
    }
    once(event: string, fn: () => void) {
      if (event === 'ready-to-show') queueMicrotask(fn);
    }
    show() { this.shown = true; }
    async loadURL(url: string) { this.loaded = url; }
    static fromWebContents(wc: unknown) { return windows.find((w) => w.webContents === wc) ?? null; }
    static getAllWindows() { return windows; }
  }

  const m = {
    app: {
      isPackaged: false,
      whenReady: async () => undefined,
      getPath: (name: string) => paths[name],
      on(event: string, fn: Listener) { appListeners.set(event, [...(appListeners.get(event) ?? []), fn]); },
      quit: (() => undefined) as () => void,
    },
    protocol: {
      privileged: [] as unknown[],
      handlers: new Map<string, (req: Request) => Promise<Response>>(),
      registerSchemesAsPrivileged(schemes: unknown[]) { m.protocol.privileged.push(...schemes); },
      handle(scheme: string, fn: (req: Request) => Promise<Response>) { m.protocol.handlers.set(scheme, fn); },
    },
    ipcMain: {
      handlers: new Map<string, Listener>(),
      handle(channel: string, fn: Listener) {
        if (m.ipcMain.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
        m.ipcMain.handlers.set(channel, fn);
      },
    },
    session: {
      defaultSession: {
        requestHandler: null as null | ((wc: unknown, p: string, cb: (g: boolean) => void) => void),
        checkHandler: null as null | (() => boolean),
        setPermissionRequestHandler(fn: (wc: unknown, p: string, cb: (g: boolean) => void) => void) { m.session.defaultSession.requestHandler = fn; },
        setPermissionCheckHandler(fn: () => boolean) { m.session.defaultSession.checkHandler = fn; },
      },
    },
    shell: { opened: [] as string[], async openExternal(url: string) { m.shell.opened.push(url); } },
    dialog: {
      answer: { canceled: false, filePath: '' } as { canceled: boolean; filePath?: string },
      asked: [] as unknown[],
      async showSaveDialog(...args: unknown[]) { m.dialog.asked.push(args); return m.dialog.answer; },
    },
    net: { fetch: (url: string, init?: RequestInit) => fetch(url, init) },
    safeStorage: {} as Record<string, unknown>,
    BrowserWindow: FakeWindow,
  };
  return { module: m, paths, windows, appListeners, FakeContents };
});

vi.mock('electron', () => ({ ...fake.module, default: fake.module }));

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { app, protocol, ipcMain, session, shell, dialog } = fake.module;

const appEvent = (url: string, parent: unknown = null) => ({ senderFrame: { url, parent }, get sender() { return fake.windows[0]?.webContents; } });
const invoke = (channel: string, event: unknown, ...args: unknown[]) => Promise.resolve(ipcMain.handlers.get(channel)!(event, ...args));
const APP = appEvent('app://roster/#/users');

let desktop: Awaited<ReturnType<typeof import('../../desktop/main/desktop-app')['startDesktop']>>;
let userData: string;
let staticRoot: string;

beforeAll(async () => {
  userData = tempDir();
  fake.paths.userData = userData;
  fake.paths.downloads = tempDir();
  Object.assign(fake.module.safeStorage, fakeSafeStorage(), { getSelectedStorageBackend: () => 'gnome_libsecret' });
  staticRoot = tempDir();
  fs.writeFileSync(path.join(staticRoot, 'index.html'), '<!doctype html><div id="root"></div>');
  const { registerAppScheme, startDesktop } = await import('../../desktop/main/desktop-app');
  registerAppScheme();
  desktop = await startDesktop({ appRoot: ROOT, preload: '/app/dist/desktop/preload.cjs', staticRoot });
});

describe('the main window', () => {
  it('is isolated and sandboxed, without Node, and loads app://roster/', async () => {
    expect(fake.windows).toHaveLength(1);
    const [win] = fake.windows;
    expect(win.options.webPreferences).toMatchObject({
      preload: '/app/dist/desktop/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(win.loaded).toBe('app://roster/');
    await Promise.resolve();
    expect(win.shown).toBe(true);
  });

  it('registers app:// as a standard, secure, fetch- and stream-capable scheme and serves it', async () => {
    expect(protocol.privileged).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true, supportFetchAPI: true, stream: true }) }]);
    const handler = protocol.handlers.get('app')!;
    const res = await handler(new Request('app://roster/'));
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    // No mode chosen yet: the API has nowhere to go.
    expect((await handler(new Request('app://roster/api/v1/users'))).status).toBe(503);
  });

  it('refuses every permission request', () => {
    const granted: boolean[] = [];
    session.defaultSession.requestHandler!(null, 'media', (g) => granted.push(g));
    session.defaultSession.requestHandler!(null, 'notifications', (g) => granted.push(g));
    expect(granted).toEqual([false, false]);
    expect(session.defaultSession.checkHandler!()).toBe(false);
  });
});

describe('navigation and new windows', () => {
  const contents = () => {
    const wc = new fake.FakeContents();
    for (const fn of fake.appListeners.get('web-contents-created') ?? []) fn({}, wc);
    return wc;
  };
  const navigate = (wc: InstanceType<typeof fake.FakeContents>, event: string, url: string) => {
    const e = { preventDefault: vi.fn() };
    wc.emit(event, e, url);
    return e.preventDefault.mock.calls.length > 0;
  };

  it('stays inside app://roster: other origins are refused', () => {
    const wc = contents();
    expect(navigate(wc, 'will-navigate', 'app://roster/#/users/1')).toBe(false);
    expect(navigate(wc, 'will-navigate', 'https://evil.example/')).toBe(true);
    expect(navigate(wc, 'will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(navigate(wc, 'will-navigate', 'app://other/')).toBe(true);
    expect(navigate(wc, 'will-redirect', 'http://127.0.0.1:8080/admin')).toBe(true);
    expect(navigate(wc, 'will-attach-webview', 'app://roster/')).toBe(true);
  });

  it('never opens a window; only http(s) links go to the system browser', () => {
    const wc = contents();
    shell.opened.length = 0;
    for (const url of ['https://docs.example.com/help', 'http://intranet.example/page', 'javascript:alert(1)', 'file:///etc/passwd', 'smb://share/x', 'https://user:pw@example.com/', 'app://roster/#/x']) {
      expect(wc.openHandler!({ url })).toEqual({ action: 'deny' });
    }
    expect(shell.opened).toEqual(['https://docs.example.com/help', 'http://intranet.example/page']);
  });
});

describe('IPC', () => {
  it('handles every bridge channel, and each answers the app', async () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.values(CHANNELS).sort());
    expect(await invoke(CHANNELS.state, APP)).toMatchObject({ mode: null, ready: false, profiles: [], dataDir: path.join(userData, 'data') });
  });

  it('refuses callers that are not the app\'s own top frame, including server pages shown through the proxy', async () => {
    for (const event of [appEvent('https://evil.example/'), appEvent('app://other/'), appEvent('file:///x.html'), appEvent('app://roster/', { url: 'app://roster/' }), appEvent('app://roster/docs'), appEvent('app://roster/api/v1/evil.html'), { senderFrame: null, sender: null }]) {
      await expect(invoke(CHANNELS.state, event)).rejects.toThrow(/may only be called by the Roster app/);
      await expect(invoke(CHANNELS.tokensLoad, event)).rejects.toThrow(/Refused/);
    }
  });

  it('refuses payloads of the wrong shape before doing anything', async () => {
    await expect(invoke(CHANNELS.saveProfile, APP, { name: 'x', url: 'ftp://files.example' })).rejects.toThrow(/Invalid request to roster:save-profile: url: The URL must start with https/);
    await expect(invoke(CHANNELS.saveProfile, APP, { name: 'x', url: 'https://a.example', admin: true })).rejects.toThrow(/Invalid request/);
    await expect(invoke(CHANNELS.saveProfile, APP)).rejects.toThrow(/Invalid request/);
    await expect(invoke(CHANNELS.setupLocal, APP, { email: 'x', password: 'y' })).rejects.toThrow(/email: Enter a valid email/);
    await expect(invoke(CHANNELS.chooseRemote, APP, 42)).rejects.toThrow(/Invalid request/);
    await expect(invoke(CHANNELS.state, APP, 'extra')).rejects.toThrow(/Invalid request/);
    await expect(invoke(CHANNELS.tokensSave, APP, { access_token: 'a' })).rejects.toThrow(/Invalid request/);
    await expect(invoke(CHANNELS.filesSave, APP, { defaultName: '../../.bashrc', contents: 'x' })).rejects.toThrow(/must not contain a path/);
    expect((await invoke(CHANNELS.state, APP) as { profiles: unknown[] }).profiles).toEqual([]);
  });

  it('keeps tokens of the chosen mode encrypted in the user data folder', async () => {
    await expect(invoke(CHANNELS.tokensSave, APP, { access_token: 'acc-secret', refresh_token: 'ref-secret', expires_at: 5 })).rejects.toThrow(/Choose Local or a connection profile/);
    const s = await invoke(CHANNELS.saveProfile, APP, { name: 'Self', url: 'http://127.0.0.1:1' }) as { profiles: { id: string }[] };
    const chosen = await invoke(CHANNELS.chooseRemote, APP, s.profiles[0].id) as { mode: string; ready: boolean; error: string };
    expect(chosen).toMatchObject({ mode: 'remote', ready: false });
    expect(chosen.error).toMatch(/Cannot reach Self/);
    await invoke(CHANNELS.tokensSave, APP, { access_token: 'acc-secret', refresh_token: 'ref-secret', expires_at: 5 });
    const file = fs.readFileSync(path.join(userData, 'tokens.json'), 'utf8');
    expect(file).not.toMatch(/acc-secret|ref-secret/);
    expect(await invoke(CHANNELS.tokensLoad, APP)).toEqual({ access_token: 'acc-secret', refresh_token: 'ref-secret', expires_at: 5 });
    await invoke(CHANNELS.tokensClear, APP);
    expect(await invoke(CHANNELS.tokensLoad, APP)).toBeNull();
    expect(await invoke(CHANNELS.switchMode, APP)).toMatchObject({ mode: null });
    expect(JSON.parse(fs.readFileSync(path.join(userData, 'settings.json'), 'utf8')).mode).toBeNull();
  });

  it('saves an export where the user chooses, and nothing when cancelled', async () => {
    const target = path.join(tempDir(), 'export.json');
    dialog.answer = { canceled: false, filePath: target };
    expect(await invoke(CHANNELS.filesSave, APP, { defaultName: 'user-export.json', contents: '{"data":1}' })).toBe(target);
    expect(fs.readFileSync(target, 'utf8')).toBe('{"data":1}');
    const [owner, options] = dialog.asked.at(-1) as [unknown, { defaultPath: string }];
    expect(owner).toBe(fake.windows[0]);
    expect(options.defaultPath).toBe(path.join(fake.paths.downloads, 'user-export.json'));
    dialog.answer = { canceled: true };
    expect(await invoke(CHANNELS.filesSave, APP, { defaultName: 'again.json', contents: 'x' })).toBeNull();
  });
});

describe('quitting', () => {
  it('waits for the embedded server to stop, then quits', async () => {
    let release!: () => void;
    const stopped = new Promise<void>((r) => { release = r; });
    const shutdown = vi.spyOn(desktop.controller, 'shutdown').mockImplementation(() => stopped);
    const quit = vi.fn();
    app.quit = quit;
    const event = { preventDefault: vi.fn() };
    for (const fn of fake.appListeners.get('before-quit')!) fn(event);
    expect(event.preventDefault).toHaveBeenCalledOnce();
    expect(shutdown).toHaveBeenCalledOnce();
    await new Promise((r) => setTimeout(r, 20));
    expect(quit).not.toHaveBeenCalled();
    release();
    await vi.waitFor(() => expect(quit).toHaveBeenCalledOnce());
    // The second before-quit (from that quit) goes through.
    const again = { preventDefault: vi.fn() };
    for (const fn of fake.appListeners.get('before-quit')!) fn(again);
    expect(again.preventDefault).not.toHaveBeenCalled();
  });
});
