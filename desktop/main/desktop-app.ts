import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, net, protocol, safeStorage, session, shell } from 'electron';
import { APP_SCHEME } from '../shared/channels';
import { createAppProtocolHandler } from './app-protocol';
import { checkRemoteRoster, DesktopController } from './desktop-controller';
import { saveWithDialog } from './files';
import { registerIpc } from './ipc';
import { LocalServer } from './local-server';
import { denyAllPermissions, lockNavigation } from './navigation';
import { serverCommand } from './server-command';
import { SettingsStore } from './settings';
import { TokenStore, type SafeStorageLike } from './token-store';
import { createMainWindow } from './window';

export interface DesktopPaths {
  /** The folder holding package.json, dist/ and (in development) server/. */
  appRoot: string;
  /** The bundled preload script. */
  preload: string;
  /** The built renderer (dist/admin). */
  staticRoot: string;
}

/** Before the app is ready: app:// behaves like https (secure, fetch, streams, its own origin). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true } },
  ]);
}

/**
 * Linux without a keyring falls back to a fixed, publicly known key ("basic_text"): that is not
 * encryption, so tokens then stay in memory for the session instead.
 */
function secureStorage(): SafeStorageLike {
  return {
    isEncryptionAvailable: () => safeStorage.isEncryptionAvailable() && !(process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text'),
    encryptString: (s) => safeStorage.encryptString(s),
    decryptString: (b) => safeStorage.decryptString(b),
  };
}

export interface DesktopApp {
  controller: DesktopController;
  window: BrowserWindow;
  /** Settles once the mode of the last run is back (its server started or reached). */
  resumed: Promise<unknown>;
}

/** Wires the main process: protocol, IPC, the embedded server, the window and a clean quit. */
export async function startDesktop(paths: DesktopPaths): Promise<DesktopApp> {
  await app.whenReady();
  const userData = app.getPath('userData');
  const dataDir = path.join(userData, 'data');
  denyAllPermissions(session.defaultSession);

  const server = new LocalServer({
    command: serverCommand({ packaged: app.isPackaged, appRoot: paths.appRoot, execPath: process.execPath }),
    dataDir,
    logFile: path.join(userData, 'logs', 'server.log'),
  });
  const controller = new DesktopController({
    settings: new SettingsStore(path.join(userData, 'settings.json')),
    tokens: new TokenStore(path.join(userData, 'tokens.json'), secureStorage()),
    server,
    dataDir,
    checkRemote: (url) => checkRemoteRoster(url, (u, init) => net.fetch(u, init)),
  });

  protocol.handle(APP_SCHEME, createAppProtocolHandler({
    staticRoot: paths.staticRoot,
    target: () => controller.target(),
    fetch: (url, init) => net.fetch(url, init),
  }));
  registerIpc(ipcMain, {
    controller,
    saveFile: (event, file) => {
      const owner = BrowserWindow.fromWebContents(event.sender as Electron.WebContents);
      return saveWithDialog((opts) => (owner ? dialog.showSaveDialog(owner, opts) : dialog.showSaveDialog(opts)), app.getPath('downloads'), file);
    },
  });
  app.on('web-contents-created', (_event, contents) => lockNavigation(contents, (url) => shell.openExternal(url)));

  const resumed = controller.resume().catch(() => undefined);
  let window = createMainWindow(paths.preload);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) window = createMainWindow(paths.preload);
  });

  // Quit waits for the embedded server to close its database, then quits for real.
  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    void controller.shutdown().catch(() => undefined).finally(() => {
      stopped = true;
      app.quit();
    });
  });
  app.on('window-all-closed', () => app.quit());

  return { controller, get window() { return window; }, resumed };
}
