import fs from 'node:fs/promises';
import path from 'node:path';
import { APP_HOST } from '../shared/channels';
import { CONTENT_SECURITY_POLICY } from './content-security-policy';

/** Paths the server answers; everything else is the renderer's own files. */
const PROXIED_PREFIXES = ['/api/', '/scim/', '/docs/'];
const PROXIED_PATHS = new Set(['/api', '/scim', '/healthz', '/readyz', '/openapi.json', '/docs']);

export function isProxiedPath(pathname: string): boolean {
  return PROXIED_PATHS.has(pathname) || PROXIED_PREFIXES.some((p) => pathname.startsWith(p));
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export type FetchLike = (url: string, init: RequestInit & { duplex?: 'half' }) => Promise<Response>;

export interface AppProtocolOptions {
  /** The built renderer (dist/admin). */
  staticRoot: string;
  /** Base URL of the server the renderer talks to now, or null when none is selected. */
  target(): string | null;
  /** Electron's net.fetch in the app; any fetch in tests. */
  fetch: FetchLike;
}

/**
 * The handler of app://roster/: the renderer's files (index.html for client routes) and, under
 * the API paths, the current server's answers streamed through in both directions, so the
 * renderer uses relative URLs exactly as it does at /admin in a browser.
 */
export function createAppProtocolHandler(opts: AppProtocolOptions): (request: Request) => Promise<Response> {
  const root = path.resolve(opts.staticRoot);
  return async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return plain(404, 'Not found');
    if (isProxiedPath(url.pathname)) return proxy(request, url, opts);
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed');
    return serveStatic(root, url.pathname);
  };
}

async function proxy(request: Request, url: URL, opts: AppProtocolOptions): Promise<Response> {
  const target = opts.target();
  if (!target) return apiError(503, 'service_unavailable', 'No Roster server is selected: choose Local or a connection profile');
  const headers = new Headers(request.headers);
  for (const name of ['host', 'origin', 'referer', 'cookie']) headers.delete(name);
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && request.body !== null;
  let upstream: Response;
  try {
    upstream = await opts.fetch(`${target}${url.pathname}${url.search}`, {
      method: request.method,
      headers,
      body: hasBody ? request.body : undefined,
      // Request bodies (CSV imports) stream through instead of being buffered.
      ...(hasBody ? { duplex: 'half' as const } : {}),
      redirect: 'manual',
    });
  } catch (err) {
    return apiError(502, 'bad_gateway', `The Roster server at ${target} cannot be reached: ${(err as Error).message}`);
  }
  const out = new Headers(upstream.headers);
  // fetch has already decoded the body; its length and encoding no longer describe it.
  if (out.has('content-encoding')) {
    out.delete('content-encoding');
    out.delete('content-length');
  }
  // A page from the server shows inside the app's origin: it gets the app's policy, not its own.
  if (/^text\/html\b/i.test(out.get('content-type') ?? '')) out.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  const noBody = request.method === 'HEAD' || [101, 204, 205, 304].includes(upstream.status);
  return new Response(noBody ? null : upstream.body, { status: upstream.status, statusText: upstream.statusText, headers: out });
}

async function serveStatic(root: string, pathname: string): Promise<Response> {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return plain(400, 'Bad request');
  }
  const file = path.resolve(root, `.${path.posix.normalize(`/${rel}`)}`);
  if (file !== root && !file.startsWith(root + path.sep)) return plain(404, 'Not found');
  const found = await readFile(file);
  if (found) return fileResponse(file, found);
  // A client route (no file extension) gets the app; a missing asset stays missing.
  if (path.extname(file)) return plain(404, 'Not found');
  const index = path.join(root, 'index.html');
  const app = await readFile(index);
  if (app) return fileResponse(index, app);
  return plain(500, `The admin app is not built (${index} is missing): run npm run build:admin`);
}

async function readFile(file: string): Promise<Buffer | null> {
  try {
    const stat = await fs.stat(file);
    return stat.isFile() ? await fs.readFile(file) : null;
  } catch {
    return null;
  }
}

function fileResponse(file: string, body: Buffer): Response {
  const ext = path.extname(file).toLowerCase();
  return new Response(new Uint8Array(body), {
    status: 200,
    headers: {
      'Content-Type': MIME[ext] ?? 'application/octet-stream',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    },
  });
}

function plain(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' },
  });
}

/** The API's error shape, so the renderer shows this like any server error. */
function apiError(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message }, meta: {} }, { status, headers: { 'Content-Security-Policy': CONTENT_SECURITY_POLICY } });
}
