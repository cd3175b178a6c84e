import path from 'node:path';

export interface ServerCommand {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/**
 * How the embedded Roster server is started: the one place that knows. Electron runs it as plain
 * Node (ELECTRON_RUN_AS_NODE), so no separate Node install is needed; in development it runs the
 * TypeScript sources through tsx, packaged it runs the esbuild bundle (`npm run build`).
 *
 * Packaged, the server and its node_modules are unpacked beside app.asar (electron-builder.yml,
 * asarUnpack): the bundle is an ES module importing koa, knex, sqlite3..., and plain files keep
 * Node's own module resolution, with no archive in the way.
 */
export function serverCommand(opts: { packaged: boolean; appRoot: string; execPath: string }): ServerCommand {
  const env = { ELECTRON_RUN_AS_NODE: '1' };
  if (!opts.packaged) {
    return { command: opts.execPath, args: ['--import', 'tsx', path.join(opts.appRoot, 'server', 'index.ts')], cwd: opts.appRoot, env };
  }
  const root = opts.appRoot.endsWith('.asar') ? `${opts.appRoot}.unpacked` : opts.appRoot;
  return { command: opts.execPath, args: [path.join(root, 'dist', 'server', 'index.js')], cwd: root, env };
}

/** Settings of the parent that must not reach the embedded server: it gets exactly the database it is given. */
const INHERITED_BLOCKLIST = /^(ROSTER_|DATABASE_URL$|SMTP_URL$|MAIL_|PORT$|HOST$|NODE_OPTIONS$|VITEST|TEST_DATABASE_URL$|ELECTRON_)/;

/** The environment of the embedded server: the parent's minus Roster settings, plus `own`. */
export function serverEnvironment(parent: NodeJS.ProcessEnv, own: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(parent)) if (!INHERITED_BLOCKLIST.test(k)) env[k] = v;
  return { ...env, ...own };
}
