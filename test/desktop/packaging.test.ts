import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): Record<string, unknown> };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as { validateConfiguration(c: unknown, logger: unknown): Promise<void> };
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

const config = yaml.load(fs.readFileSync(`${ROOT}/electron-builder.yml`, 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a YAML document read field by field
const pkg = JSON.parse(fs.readFileSync(`${ROOT}/package.json`, 'utf8'));

describe('electron-builder.yml', () => {
  it('is valid by electron-builder\'s own schema', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('starts the bundle build:desktop makes, and ships the server, the renderer and package.json', () => {
    expect(config.productName).toBe('Roster');
    expect(config.extraMetadata.main).toBe('dist/desktop/main.cjs');
    expect(pkg.scripts['build:desktop']).toContain('--outfile=dist/desktop/main.cjs');
    expect(pkg.scripts['build:desktop']).toContain('--outfile=dist/desktop/preload.cjs');
    expect(config.files).toEqual(expect.arrayContaining(['dist/server/**', 'dist/admin/**', 'dist/desktop/**', 'package.json']));
    expect(config.directories.output).toBe('out');
  });

  it('unpacks and rebuilds the native modules, and keeps Electron usable as Node for the server', () => {
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['**/node_modules/sqlite3/**', '**/node_modules/@node-rs/**']));
    // The server bundle runs from app.asar.unpacked (desktop/main/server-command.ts) with its modules.
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['package.json', 'dist/server/**', '**/node_modules/**']));
    expect(pkg.type).toBe('module');
    expect(config.npmRebuild).toBe(true);
    expect(config.electronFuses.runAsNode).toBe(true);
  });

  it('builds AppImage and deb, NSIS and dmg', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
  });

  it('leaves npm install alone where the Electron binary cannot be downloaded', () => {
    expect(pkg.allowScripts.electron).toBe(false);
    expect(pkg.scripts.desktop).toContain('desktop/scripts/ensure-electron.mjs');
  });
});
