import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type Router from '@koa/router';
import type { Response } from 'supertest';
import { createTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
/** The same server with a 10 kB body limit. */
let small: TestApp;

beforeAll(async () => {
  [app, small] = await Promise.all([createTestApp(), createTestApp({ ROSTER_BODY_LIMIT: '10kb' })]);
});
afterAll(async () => {
  await Promise.all([app?.close(), small?.close()]);
});

const ERROR_CODES = [
  'invalid_request', 'unauthorized', 'forbidden', 'not_found', 'method_not_allowed', 'duplicate_email', 'duplicate_username',
  'conflict', 'precondition_failed', 'payload_too_large', 'unsupported_media_type', 'validation_error', 'rate_limited',
  'internal_error', 'service_unavailable',
];

/** The error shape of API.md, and nothing of the server's insides. */
function expectErrorShape(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(ERROR_CODES).toContain(res.body.error?.code);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
  expect(res.body.error.message.length).toBeGreaterThan(0);
  expect(Object.keys(res.body).every((k) => ['error', 'detail', 'meta'].includes(k))).toBe(true);
  expect(Object.keys(res.body.error).every((k) => ['code', 'message', 'field'].includes(k))).toBe(true);
  expect(res.headers['x-request-id']).toBeTruthy();
  expect(res.body.meta.request_id).toBe(res.headers['x-request-id']);
  const text = JSON.stringify(res.body);
  for (const leak of ['at ', 'SELECT', 'sqlite', 'SQLITE', 'stack', 'node_modules', '.ts:', 'Error:']) expect(text, `${code}: ${text}`).not.toContain(leak);
}

describe('errors', () => {
  it('answers an unknown route with 404 in the error shape', async () => {
    for (const path of ['/api/v1/nope', '/api/v2/tenants', '/', '/api/v1/tenants/default/users/x/y/z', '/docs/assets/nope.js', '/docs/assets/..%2F..%2Fpackage.json']) {
      const res = await app.http.get(path).set(app.rootAuth);
      expectErrorShape(res, 404, 'not_found');
    }
    expectErrorShape(await app.http.post('/api/v1/nope').send({ a: 1 }), 404, 'not_found');
  });

  it('answers a wrong method with 405', async () => {
    const cases: Array<[string, string, string]> = [
      ['put', '/api/v1/tenants', 'HEAD, GET, POST'],
      ['delete', '/api/v1/tenants', 'HEAD, GET, POST'],
      ['post', '/api/v1/tenants/default', 'HEAD, GET, PATCH, DELETE'],
      ['get', '/api/v1/auth/token', 'POST'],
      ['put', '/api/v1/auth/revoke', 'POST'],
      ['post', '/healthz', 'HEAD, GET'],
      ['post', '/openapi.json', 'HEAD, GET'],
      // Methods the server does not implement anywhere are the caller's mistake too.
      ['propfind', '/api/v1/tenants', 'HEAD, GET, POST'],
      ['trace', '/healthz', 'HEAD, GET'],
    ];
    const http = app.http as unknown as Record<string, (path: string) => ReturnType<TestApp['http']['get']>>;
    for (const [method, path, allow] of cases) {
      const res = await http[method](path).set(app.rootAuth);
      expectErrorShape(res, 405, 'method_not_allowed');
      expect(res.body.error.message).toBe('Method not allowed');
      // RFC 9110: a 405 names the methods the resource does have.
      expect(res.headers.allow, `${method} ${path}`).toBe(allow);
    }
  });

  it('answers malformed JSON with 400 invalid_request', async () => {
    for (const raw of ['{"grant_type":', '{grant_type: "password"}', "{'a': 1}", '"just a string"', 'nul']) {
      const res = await app.http.post('/api/v1/auth/token').set('Content-Type', 'application/json').send(raw);
      expectErrorShape(res, 400, 'invalid_request');
      expect(res.body.error.message).toBe('Request body could not be parsed');
    }
    const onAuthenticated = await app.http.post('/api/v1/tenants').set(app.rootAuth).set('Content-Type', 'application/json').send('{"name": "x",}');
    expectErrorShape(onAuthenticated, 400, 'invalid_request');
  });

  it('answers a body over the configured limit with 413 payload_too_large', async () => {
    const big = { grant_type: 'password', username: 'someone@example.com', password: 'x', padding: 'p'.repeat(20_000) };
    expect(JSON.stringify(big).length).toBeGreaterThan(20_000);
    expectErrorShape(await small.http.post('/api/v1/auth/token').send(big), 413, 'payload_too_large');
    expectErrorShape(await small.http.post('/api/v1/auth/token').type('form').send(big), 413, 'payload_too_large');
    expectErrorShape(await small.http.post('/api/v1/tenants').set(small.rootAuth).send({ name: 'n'.repeat(20_000) }), 413, 'payload_too_large');
    expect((await small.http.get('/api/v1/tenants').set(small.rootAuth).query({ search: 'nnnn' })).body.pagination.total_items).toBe(0);

    // Under the limit the body is read and judged on its content: the token endpoint ignores
    // parameters it does not know (RFC 6749), and the login fails.
    const fine = await small.http.post('/api/v1/auth/token').send({ ...big, padding: 'p'.repeat(5_000) });
    expectErrorShape(fine, 401, 'unauthorized');
    const tenant = await small.http.post('/api/v1/tenants').set(small.rootAuth).send({ name: 'Big'.padEnd(200, 'g'), slug: 'big' });
    expect(tenant.status).toBe(201);
    // And the default limit (1 MB) lets the same 20 kB through.
    expectErrorShape(await app.http.post('/api/v1/auth/token').send(big), 401, 'unauthorized');
  });

  it('answers a text/plain body on a JSON route with 415 unsupported_media_type', async () => {
    const text = await app.http.post('/api/v1/tenants').set(app.rootAuth).set('Content-Type', 'text/plain').send('{"name":"Plain"}');
    expectErrorShape(text, 415, 'unsupported_media_type');
    expect(text.body.error.message).toBe('Content-Type must be application/json');
    const form = await app.http.post('/api/v1/tenants').set(app.rootAuth).type('form').send({ name: 'Form' });
    expectErrorShape(form, 415, 'unsupported_media_type');
    const xml = await app.http.patch('/api/v1/tenants/default').set(app.rootAuth).set('Content-Type', 'application/xml').send('<name>x</name>');
    expectErrorShape(xml, 415, 'unsupported_media_type');
    const token = await app.http.post('/api/v1/auth/token').set('Content-Type', 'text/plain').send('grant_type=password');
    expectErrorShape(token, 415, 'unsupported_media_type');
    expect(token.body.error.message).toBe('Content-Type must be application/json or application/x-www-form-urlencoded');
    // Nothing was created.
    expect((await app.http.get('/api/v1/tenants').set(app.rootAuth).query({ search: 'Plain' })).body.pagination.total_items).toBe(0);
    expect((await app.http.get('/api/v1/tenants').set(app.rootAuth).query({ search: 'Form' })).body.pagination.total_items).toBe(0);
  });

  it('keeps the shape, and the caller\'s request id, for every kind of error', async () => {
    const viewer = await app.tenantWithUser('viewer');
    type Req = ReturnType<TestApp['http']['get']>;
    const cases: Array<[string, () => Req, number, string]> = [
      ['400', () => app.http.post('/api/v1/auth/token').set('Content-Type', 'application/json').send('{'), 400, 'invalid_request'],
      ['401 no token', () => app.http.get('/api/v1/tenants'), 401, 'unauthorized'],
      ['401 bad token', () => app.http.get('/api/v1/tenants').set('Authorization', 'Bearer x.y.z'), 401, 'unauthorized'],
      ['401 login', () => app.http.post('/api/v1/auth/token').send({ grant_type: 'password', username: 'ghost@example.com', password: 'x' }), 401, 'unauthorized'],
      ['403', () => app.http.get('/api/v1/tenants').set(viewer.auth), 403, 'forbidden'],
      ['404 route', () => app.http.get('/api/v1/missing'), 404, 'not_found'],
      ['404 tenant', () => app.http.get('/api/v1/tenants/missing').set(app.rootAuth), 404, 'not_found'],
      ['405', () => app.http.put('/api/v1/tenants').set(app.rootAuth), 405, 'method_not_allowed'],
      ['409', () => app.http.post('/api/v1/tenants').set(app.rootAuth).send({ name: 'Default again', slug: 'default' }), 409, 'conflict'],
      ['413', () => small.http.post('/api/v1/auth/token').send({ padding: 'p'.repeat(20_000) }), 413, 'payload_too_large'],
      ['415', () => app.http.post('/api/v1/tenants').set(app.rootAuth).set('Content-Type', 'text/plain').send('x'), 415, 'unsupported_media_type'],
      ['422', () => app.http.post('/api/v1/tenants').set(app.rootAuth).send({ name: 42 }), 422, 'validation_error'],
    ];
    for (const [name, request, status, code] of cases) {
      const res = await request();
      expect(res.status, name).toBe(status);
      expectErrorShape(res, status, code);
      // Made by the server (UUIDv7) when the caller sent none.
      expect(res.body.meta.request_id, name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(Date.parse(res.body.meta.timestamp), name).not.toBeNaN();

      const id = `req-${name.replace(/\W+/g, '-')}`;
      const echoed = await request().set('X-Request-Id', id);
      expectErrorShape(echoed, status, code);
      expect(echoed.headers['x-request-id'], name).toBe(id);
      expect(echoed.body.meta.request_id, name).toBe(id);
    }
  });

  it('answers an unexpected failure with 500 internal_error and keeps its details to the log', async () => {
    const tenants = app.roster.services.tenants;
    const spy = vi.spyOn(tenants, 'list');
    try {
      // A real driver error, whose message carries SQL.
      spy.mockImplementationOnce(() => app.roster.db.knex.raw('SELECT secret FROM no_such_table') as never);
      const driver = await app.http.get('/api/v1/tenants').set(app.rootAuth);
      expectErrorShape(driver, 500, 'internal_error');
      expect(driver.body.error.message).toBe('Internal server error');

      spy.mockRejectedValueOnce(new Error('SQLITE_ERROR: near "SELECT": syntax error\n    at Statement.run (/srv/node_modules/knex/lib/x.js:1:1)'));
      const thrown = await app.http.get('/api/v1/tenants').set(app.rootAuth);
      expectErrorShape(thrown, 500, 'internal_error');
      expect(thrown.body).toEqual({ error: { code: 'internal_error', message: 'Internal server error' }, meta: { request_id: thrown.headers['x-request-id'], timestamp: expect.any(String) } });
    } finally {
      spy.mockRestore();
    }
    expect((await app.http.get('/api/v1/tenants').set(app.rootAuth)).status).toBe(200);
  });

  it('lists every failing field of a 422 in `detail`, FastAPI style', async () => {
    const res = await app.http.post('/api/v1/tenants').set(app.rootAuth).send({ name: 42, slug: 'NO', status: 'x', what: 1, also: 2 });
    expectErrorShape(res, 422, 'validation_error');
    expect(res.body.error.field).toBe('name');
    expect(res.body.detail.map((d: { loc: string[] }) => d.loc.join('.')).sort()).toEqual(['body.also', 'body.name', 'body.slug', 'body.status', 'body.what']);
    // Each unknown field at its own location, as FastAPI reports them.
    expect(res.body.detail.filter((d: { type: string }) => d.type === 'extra_forbidden')).toEqual([
      { loc: ['body', 'what'], msg: 'Unknown field: what', type: 'extra_forbidden' },
      { loc: ['body', 'also'], msg: 'Unknown field: also', type: 'extra_forbidden' },
    ]);
    const nested = await app.http.patch('/api/v1/tenants/default').set(app.rootAuth).send({ settings: { lockout: { a: 1, b: 2 } } });
    expect(nested.body.detail.map((d: { loc: string[] }) => d.loc.join('.'))).toEqual(['body.settings.lockout.a', 'body.settings.lockout.b']);
    for (const d of res.body.detail) {
      expect(Object.keys(d).sort()).toEqual(['loc', 'msg', 'type']);
      expect(d.loc[0]).toBe('body');
    }
    const query = await app.http.get('/api/v1/tenants').set(app.rootAuth).query({ page: 0, sort_by: 'password' });
    expectErrorShape(query, 422, 'validation_error');
    expect(query.body.detail.map((d: { loc: string[] }) => d.loc.join('.')).sort()).toEqual(['query.page', 'query.sort_by']);
  });
});

describe('OpenAPI document', () => {
  const SCHEMAS = ['UserCreate', 'UserUpdate', 'UserResponse', 'UserListItem', 'UserPasswordReset', 'UserStatusUpdate', 'PaginationMeta', 'ValidationError', 'ErrorResponse'];
  const PATHS: Record<string, string[]> = {
    '/healthz': ['get'],
    '/readyz': ['get'],
    '/api/v1/auth/token': ['post'],
    '/api/v1/auth/revoke': ['post'],
    '/api/v1/tenants': ['get', 'post'],
    '/api/v1/tenants/{tenant_id}': ['get', 'patch', 'delete'],
    '/api/v1/tenants/{tenant_id}/users': ['get', 'post'],
    '/api/v1/tenants/{tenant_id}/users/{user_id}': ['get', 'patch', 'delete'],
    '/api/v1/tenants/{tenant_id}/users/{user_id}/password/reset': ['post'],
    '/api/v1/tenants/{tenant_id}/users/{user_id}/status': ['put'],
  };
  /** Routes of the server that are not part of the API it documents. */
  const UNDOCUMENTED = /^\/(openapi\.json|docs)(\/|$)/;

  /** Parsed JSON, read freely. */
  let doc: ReturnType<typeof JSON.parse>;
  beforeAll(async () => {
    const res = await app.http.get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.body;
  });

  it('is OpenAPI 3.1.0 with a title and version', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('Roster API');
    expect(typeof doc.info.version).toBe('string');
  });

  it('lists the tenant, user, auth and health routes', () => {
    for (const [path, methods] of Object.entries(PATHS)) {
      expect(doc.paths[path], path).toBeDefined();
      for (const method of methods) expect(doc.paths[path][method], `${method} ${path}`).toBeDefined();
    }
  });

  it('lists every route the server answers', () => {
    const router = (app.roster.app.middleware as Array<{ router?: Router }>).find((m) => m.router)?.router;
    expect(router).toBeDefined();
    const served: string[] = [];
    for (const layer of router!.stack) {
      // Every route of this server is declared with a string path.
      expect(typeof layer.path).toBe('string');
      if (UNDOCUMENTED.test(String(layer.path))) continue;
      const path = String(layer.path).replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      for (const method of layer.methods.filter((m) => m !== 'HEAD')) served.push(`${method.toLowerCase()} ${path}`);
    }
    expect(served.length).toBeGreaterThanOrEqual(16);
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).filter((k) => ['get', 'post', 'put', 'patch', 'delete'].includes(k)).map((m) => `${m} ${path}`),
    );
    expect(documented.sort()).toEqual([...new Set(served)].sort());
  });

  it('has the user, paging and error schemas in components', () => {
    for (const name of SCHEMAS) expect(doc.components.schemas[name], name).toBeDefined();
    const error = doc.components.schemas.ErrorResponse;
    expect(Object.keys(error.properties).sort()).toEqual(['detail', 'error', 'meta']);
    expect(error.properties.error.required.sort()).toEqual(['code', 'message']);
    expect(doc.components.schemas.ValidationError.required.sort()).toEqual(['loc', 'msg', 'type']);
    expect(doc.components.schemas.PaginationMeta.required.sort()).toEqual(['page', 'per_page', 'total_items', 'total_pages']);
    expect(doc.components.schemas.UserCreate.required).toContain('email');
    expect(doc.components.schemas.UserCreate.additionalProperties).toBe(false);
    expect(doc.components.schemas.UserResponse.properties.password).toBeUndefined();
    expect(doc.components.schemas.UserResponse.properties.password_hash).toBeUndefined();
  });

  it('documents security and error answers the way the routes behave', () => {
    expect(doc.components.securitySchemes.bearerAuth).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    const listUsers = doc.paths['/api/v1/tenants/{tenant_id}/users'].get;
    expect(listUsers.security).toEqual([{ bearerAuth: [] }]);
    for (const status of ['200', '401', '403', '404', '422']) expect(listUsers.responses[status], status).toBeDefined();
    expect(listUsers.responses['401'].content['application/json'].schema.$ref).toBe('#/components/schemas/ErrorResponse');
    expect(listUsers.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(expect.arrayContaining(['path:tenant_id', 'query:page', 'query:per_page']));

    const tokenOp = doc.paths['/api/v1/auth/token'].post;
    expect(tokenOp.security).toEqual([]);
    expect(Object.keys(tokenOp.requestBody.content).sort()).toEqual(['application/json', 'application/x-www-form-urlencoded']);
    expect(doc.paths['/api/v1/tenants'].post.responses['201']).toBeDefined();
    expect(doc.paths['/api/v1/tenants/{tenant_id}'].delete.responses['204']).toBeDefined();
  });

  it('is served the same on every request', async () => {
    const again = await app.http.get('/openapi.json');
    expect(again.body).toEqual(doc);
  });
});

describe('/docs', () => {
  it('serves Swagger UI that loads only local assets', async () => {
    const res = await app.http.get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    const html = res.text;
    expect(html).toContain('<script src="/docs/assets/swagger-ui-bundle.js"></script>');
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']\/\//i);

    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThanOrEqual(3);
    for (const ref of refs) {
      expect(ref.startsWith('/')).toBe(true);
      const asset = await app.http.get(ref).buffer(true);
      expect(asset.status, ref).toBe(200);
    }

    const init = await app.http.get('/docs/init.js');
    expect(init.status).toBe(200);
    const initText = init.text ?? String(init.body);
    expect(initText).toContain("'/openapi.json'");
    expect(initText).not.toMatch(/https?:\/\//i);
  });

  it('serves the Swagger UI bundle from the installed package', async () => {
    const res = await app.http
      .get('/docs/assets/swagger-ui-bundle.js')
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/javascript; charset=utf-8');
    const body = res.body as Buffer;
    expect(body.length).toBeGreaterThan(100_000);
    expect(body.toString('utf8')).toContain('SwaggerUIBundle');

    const css = await app.http.get('/docs/assets/swagger-ui.css').buffer(true);
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('serves nothing else from the package directory', async () => {
    for (const file of ['package.json', 'index.js', '..%2Fpackage.json', 'swagger-ui-bundle.js.map']) {
      expectErrorShape(await app.http.get(`/docs/assets/${file}`), 404, 'not_found');
    }
  });
});
