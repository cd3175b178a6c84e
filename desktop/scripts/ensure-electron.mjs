// Makes sure Electron's binary is there before `npm run desktop` starts it. `npm install` skips
// the download on purpose (package.json "allowScripts" denies electron's install script), so that
// installs and CI work where the binary cannot be fetched; the desktop app fetches it on first use.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const electronDir = path.dirname(require.resolve('electron/package.json'));

function installed() {
  const pathFile = path.join(electronDir, 'path.txt');
  if (!fs.existsSync(pathFile)) return false;
  const executable = fs.readFileSync(pathFile, 'utf8').trim();
  return fs.existsSync(path.join(electronDir, 'dist', executable));
}

if (!installed()) {
  process.stdout.write('Downloading the Electron binary (once)...\n');
  const env = { ...process.env };
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  const run = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], { stdio: 'inherit', env });
  if (run.status !== 0 || !installed()) {
    process.stderr.write([
      '',
      'Roster: the Electron binary could not be downloaded, so the desktop app cannot start here.',
      'Check the network (or set ELECTRON_MIRROR to a reachable mirror) and run `npm run desktop` again.',
      'The same admin app works in a browser: `npm start`, then open http://127.0.0.1:8080/admin',
      '',
    ].join('\n'));
    process.exit(1);
  }
}
