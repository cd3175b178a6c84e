import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppProtocolHandler, isProxiedPath } from '../../desktop/main/app-protocol';
import { CONTENT_SECURITY_POLICY } from '../../desktop/main/content-security-policy';
import { tempDir } from './support';

let upstream: http.Server;
let upstreamUrl: string;
let releaseStream: () => void = () => undefined;
const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    if (req.url === '/api/v1/users/u1/activity/stream') {
      // An SSE stream: the first event is sent at once, the rest only when the test says so.
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      res.write('event: activity\ndata: {"n":1}\n\n');
      releaseStream = () => res.end('event: activity\ndata: {"n":2}\n\n');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (req.url === '/docs') {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "script-src * 'unsafe-inline'" });
        res.end('<!doctype html><script>alert(1)</script>');
        return;
      }
      if (req.url === '/api/v1/nothing') {
        res.writeHead(204).end();
        return;
      }
      res.writeHead(req.url?.startsWith('/api/v1/missing') ? 404 : 200, { 'Content-Type': 'application/json', 'X-Request-Id': 'req-1' });
      res.end(JSON.stringify({ data: { path: req.url, method: req.method } }));
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

afterAll(async () => {
  releaseStream();
  upstream.closeAllConnections();
  await new Promise((r) => upstream.close(r));
});

function built() {
  const root = tempDir();
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Roster</title><div id="root"></div>');
  fs.mkdirSync(path.join(root, 'assets'));
  fs.writeFileSync(path.join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  fs.writeFileSync(path.join(path.dirname(root), 'secret.txt'), 'outside');
  return root;
}

describe('which paths go to the server', () => {
  it('sends the API, SCIM, health, OpenAPI and docs to the server and everything else to the files', () => {
    for (const p of ['/api/v1/users', '/scim/v2/Users', '/healthz', '/readyz', '/openapi.json', '/docs', '/docs/swagger-ui.css']) expect(isProxiedPath(p), p).toBe(true);
    for (const p of ['/', '/index.html', '/assets/index-abc.js', '/users/123', '/apis', '/docsx', '/healthz2']) expect(isProxiedPath(p), p).toBe(false);
  });
});

describe('app://roster static files', () => {
  const handler = (target: string | null = null) => createAppProtocolHandler({ staticRoot: built(), target: () => target, fetch: (u, i) => fetch(u, i) });

  it('serves the renderer with the strict CSP and the index for client routes', async () => {
    const h = handler();
    const index = await h(new Request('app://roster/'));
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe/);
    expect(await index.text()).toContain('<div id="root">');

    const js = await h(new Request('app://roster/assets/index-abc.js'));
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('console.log(1)');

    const route = await h(new Request('app://roster/users/0190-abc'));
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<div id="root">');
  });

  it('answers 404 for a missing asset, a path outside the build and another host', async () => {
    const h = handler();
    expect((await h(new Request('app://roster/assets/missing.js'))).status).toBe(404);
    const outside = await h(new Request('app://roster/%2e%2e/secret.txt'));
    expect(outside.status).toBe(404);
    expect(await outside.text()).not.toContain('outside');
    const encoded = await h(new Request('app://roster/..%2Fsecret.txt'));
    expect(encoded.status).toBe(404);
    expect(await encoded.text()).not.toContain('outside');
    expect((await h(new Request('app://evil/index.html'))).status).toBe(404);
    expect((await h(new Request('app://roster/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });

  it('says how to build the renderer when it is not built', async () => {
    const h = createAppProtocolHandler({ staticRoot: tempDir(), target: () => null, fetch });
    const res = await h(new Request('app://roster/'));
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/npm run build:admin/);
  });
});

describe('app://roster API proxy', () => {
  const proxy = (target: () => string | null) => createAppProtocolHandler({ staticRoot: built(), target, fetch: (u, i) => fetch(u, i) });

  it('forwards method, path, query, headers and body to the current target and returns its answer', async () => {
    const h = proxy(() => upstreamUrl);
    const res = await h(new Request('app://roster/api/v1/tenants/default/users?search=ann&page=2', {
      method: 'POST', headers: { Authorization: 'Bearer abc', 'Content-Type': 'application/json', Origin: 'app://roster' }, body: JSON.stringify({ email: 'a@b.co' }),
    }));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req-1');
    expect(await res.json()).toEqual({ data: { path: '/api/v1/tenants/default/users?search=ann&page=2', method: 'POST' } });
    const last = seen.at(-1)!;
    expect(last.headers.authorization).toBe('Bearer abc');
    expect(last.headers.origin).toBeUndefined();
    expect(JSON.parse(last.body)).toEqual({ email: 'a@b.co' });

    const missing = await h(new Request('app://roster/api/v1/missing'));
    expect(missing.status).toBe(404);
    expect((await h(new Request('app://roster/api/v1/nothing', { method: 'DELETE' }))).status).toBe(204);
  });

  it('gives a server page shown in the app (the docs) the app\'s strict policy, not its own', async () => {
    const res = await proxy(() => upstreamUrl)(new Request('app://roster/docs'));
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    const json = await proxy(() => upstreamUrl)(new Request('app://roster/api/v1/users'));
    expect(json.headers.get('content-security-policy')).toBeNull();
  });

  it('follows the target as it changes (local server, then a remote profile)', async () => {
    let target: string | null = `${upstreamUrl}/prefix`;
    const h = proxy(() => target);
    await h(new Request('app://roster/healthz'));
    expect(seen.at(-1)!.url).toBe('/prefix/healthz');
    target = upstreamUrl;
    await h(new Request('app://roster/openapi.json'));
    expect(seen.at(-1)!.url).toBe('/openapi.json');
  });

  it('streams a request body through (a CSV import is not held in memory first)', async () => {
    const h = proxy(() => upstreamUrl);
    const enc = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(enc.encode('email\n'));
        controller.enqueue(enc.encode('a@b.co\n'));
        controller.close();
      },
    });
    const res = await h(new Request('app://roster/api/v1/users/bulk-import?dry_run=true', { method: 'POST', body, headers: { 'Content-Type': 'text/csv' }, duplex: 'half' } as RequestInit));
    expect(res.status).toBe(200);
    expect(seen.at(-1)!.body).toBe('email\na@b.co\n');
  });

  it('streams server-sent events as they come, before the stream ends', async () => {
    const h = proxy(() => upstreamUrl);
    const res = await h(new Request('app://roster/api/v1/users/u1/activity/stream', { headers: { Accept: 'text/event-stream' } }));
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let text = '';
    while (!text.includes('{"n":1}')) text += dec.decode((await reader.read()).value);
    expect(text).not.toContain('{"n":2}');
    releaseStream();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += dec.decode(value);
    }
    expect(text).toContain('{"n":2}');
  });

  it('answers in the API error shape when no server is selected or it cannot be reached', async () => {
    const none = await proxy(() => null)(new Request('app://roster/api/v1/users'));
    expect(none.status).toBe(503);
    expect(await none.json()).toMatchObject({ error: { code: 'service_unavailable' } });
    const down = await proxy(() => 'http://127.0.0.1:1')(new Request('app://roster/api/v1/users'));
    expect(down.status).toBe(502);
    expect(await down.json()).toMatchObject({ error: { code: 'bad_gateway', message: expect.stringMatching(/cannot be reached/) } });
  });
});
