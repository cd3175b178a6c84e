import path from 'node:path';
import { app } from 'electron';
import { registerAppScheme, startDesktop } from './desktop-app';

// Bundled to dist/desktop/main.cjs: the app's root is two folders up (also inside app.asar).
const appRoot = path.resolve(__dirname, '..', '..');

app.setName('Roster');
app.setPath('userData', path.join(app.getPath('appData'), 'Roster'));
registerAppScheme();

// One instance only: two would start two servers on one database.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  const started = startDesktop({
    appRoot,
    preload: path.join(__dirname, 'preload.cjs'),
    staticRoot: path.join(appRoot, 'dist', 'admin'),
  });
  app.on('second-instance', () => {
    void started.then(({ window }) => {
      if (window.isMinimized()) window.restore();
      window.focus();
    });
  });
  started.catch((err: unknown) => {
    process.stderr.write(`Roster could not start: ${(err as Error).stack ?? String(err)}\n`);
    app.exit(1);
  });
}
