import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Middleware } from 'koa';
import mount from 'koa-mount';
import serve from 'koa-static';

const here = path.dirname(fileURLToPath(import.meta.url));
/** From the sources (server/http) and from the bundle (dist/server). */
const CANDIDATES = [path.resolve(here, '../../dist/admin'), path.resolve(here, '../admin')];

/**
 * The admin app's own policy: scripts and styles from this origin only (Mantine sets inline
 * style attributes), images from here or data: URLs (the MFA QR code), API calls to this origin.
 */
export const ADMIN_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export function adminAppDir(): string | undefined {
  return CANDIDATES.find((dir) => fs.existsSync(path.join(dir, 'index.html')));
}

/**
 * `/admin`: the built React app (npm run build:admin, run by npm install). The app routes by
 * URL hash, so every file is a plain static file; index.html is never cached, hashed assets are.
 */
export function adminApp(dir = adminAppDir()): Middleware {
  const files = dir ? mount('/admin', serve(dir, { index: 'index.html', maxage: 0, gzip: false, brotli: false, setHeaders: cacheHeaders })) : undefined;
  return async (ctx, next) => {
    if (ctx.path !== '/admin' && !ctx.path.startsWith('/admin/')) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === '/admin') return ctx.redirect('/admin/');
    ctx.set('Content-Security-Policy', ADMIN_CSP);
    if (!files) {
      ctx.status = 503;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'The admin app is not built. Run `npm run build:admin` (npm install does it) and reload.';
      return;
    }
    await files(ctx, next);
  };
}

function cacheHeaders(res: { setHeader(name: string, value: string): void }, filePath: string) {
  res.setHeader('Cache-Control', filePath.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
}
