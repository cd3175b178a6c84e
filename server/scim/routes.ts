import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { bodyGuard } from '../middleware/input-guard';
import type { Next } from 'koa';
import type { AppDeps } from '../app';
import { actorOf, type AppContext } from '../http/context';
import { authenticate } from '../middleware/authenticate';
import { errorHandler } from '../middleware/error-handler';
import { forbidden } from '../errors/app-error';
import { toAppError } from '../errors/to-app-error';
import { GROUP_SCHEMA, project, USER_SCHEMA } from './resources';
import type { ResourceSchema } from './patch';
import { MAX_BULK_OPERATIONS, MAX_BULK_PAYLOAD, resourceTypes, schemaDocs, serviceProviderConfig } from './schemas';
import { ifMatchOf, listResponse, renderScimError, send, sendResource } from './http';
import { listParams, searchParams, wants, type ListParams } from './list-params';
import { customAttributeDefs } from './custom-attributes';
import { parseBulkRequest, runBulk } from './bulk';
import { scimUsers, type ScimCall } from './users';
import { scimGroups } from './groups';
import { scimMe } from './me';
import { ScimError, scimError } from './scim-error';

export const SCIM_PREFIX = '/scim/v2';

/** What the Users and Groups adapters both offer, for the routes they share. */
type Written = Promise<Record<string, unknown>>;
interface ResourceOps {
  list(call: ScimCall, p: ListParams): Promise<unknown>;
  create(call: ScimCall, body: unknown): Written;
  replace(call: ScimCall, id: string, body: unknown, opts: { ifMatch?: number }): Written;
  patch(call: ScimCall, id: string, body: unknown, opts: { ifMatch?: number }): Written;
  remove(call: ScimCall, id: string, opts: { ifMatch?: number }): Promise<unknown>;
}

const body = (ctx: AppContext) => (ctx.request as { body?: unknown }).body;
const query = (ctx: AppContext) => ctx.query as Record<string, unknown>;

export function scimRoutes(deps: AppDeps) {
  const { db, services } = deps;
  const router = new Router({ prefix: SCIM_PREFIX });
  const auth = authenticate(deps.signer, services.auth, services.apiTokens);
  const users = scimUsers(deps);
  const groups = scimGroups(deps);
  const me = scimMe(deps, users);
  const maxPayload = Math.min(MAX_BULK_PAYLOAD, parseSize(deps.config.bodyLimit));
  const base = (ctx: AppContext) => `${ctx.origin}${SCIM_PREFIX}`;

  /** A tenant API token with the `scim` scope; its tenant is the one provisioned. */
  const requireScim = async (ctx: AppContext, next: Next) => {
    const p = ctx.state.principal;
    if (p?.kind !== 'api_token' || !p.scopes.includes('scim')) throw forbidden('SCIM needs a tenant API token with the scope "scim"');
    await next();
  };
  /** Discovery serves provisioning clients and the people who call /Me alike. */
  const requireScimOrUser = async (ctx: AppContext, next: Next) => {
    if (ctx.state.principal?.kind === 'user') return next();
    return requireScim(ctx, next);
  };
  const call = (ctx: AppContext): ScimCall => {
    const actor = actorOf(ctx);
    return { actor, tenantId: actor.principal.tenantId, base: base(ctx) };
  };
  const located = (ctx: AppContext, res: Record<string, unknown>, status = 200) => {
    ctx.set('Location', (res.meta as { location: string }).location);
    sendResource(ctx, res, status);
  };
  const ifMatch = (ctx: AppContext) => ifMatchOf(ctx.get('If-Match'));

  /**
   * A search from the server root (RFC 7644 §3.4.3) spans Users, then Groups, paged as one list.
   * A filter naming attributes only one type has selects nothing of the other; one neither
   * type knows is a 400.
   */
  const rootSearch = async (c: ScimCall, p: ListParams) => {
    const attempt = async <T extends { totalResults: number; Resources: unknown[] }>(run: () => Promise<T>) => {
      try {
        return { result: await run() };
      } catch (e) {
        if (e instanceof ScimError && e.scimType === 'invalidFilter') return { error: e };
        throw e;
      }
    };
    const u = await attempt(() => users.list(c, p));
    const userTotal = u.result?.totalResults ?? 0;
    const userItems = u.result?.Resources ?? [];
    const g = await attempt(() => groups.list(c, { ...p, startIndex: Math.max(1, p.startIndex - userTotal), count: Math.max(0, p.count - userItems.length) }));
    if (u.error && g.error) throw u.error;
    return listResponse([...userItems, ...(g.result?.Resources ?? [])], userTotal + (g.result?.totalResults ?? 0), p.startIndex);
  };

  // --- discovery -----------------------------------------------------------------------------

  router.use(['/ServiceProviderConfig', '/ResourceTypes', '/Schemas'], auth as never, requireScimOrUser as never);
  router.use(['/Users', '/Groups', '/Bulk', '/.search'], auth as never, requireScim as never);
  router.use('/Me', auth as never);

  router.get('/ServiceProviderConfig', (ctx) => send(ctx as AppContext, 200, serviceProviderConfig(base(ctx as AppContext), maxPayload)));
  router.get('/ResourceTypes', (ctx) => {
    const all = resourceTypes(base(ctx as AppContext));
    send(ctx as AppContext, 200, listResponse(all, all.length));
  });
  router.get('/ResourceTypes/:id', (ctx) => {
    const found = resourceTypes(base(ctx as AppContext)).find((r) => r.id === ctx.params.id);
    if (!found) throw scimError(404, undefined, `No resource type ${ctx.params.id}`);
    send(ctx as AppContext, 200, found);
  });
  const schemas = async (ctx: AppContext) => schemaDocs(base(ctx), await customAttributeDefs(db, actorOf(ctx).principal.tenantId));
  router.get('/Schemas', async (ctx) => {
    const all = await schemas(ctx as AppContext);
    send(ctx as AppContext, 200, listResponse(all, all.length));
  });
  router.get('/Schemas/:id', async (ctx) => {
    const found = (await schemas(ctx as AppContext)).find((s) => s.id.toLowerCase() === String(ctx.params.id).toLowerCase());
    if (!found) throw scimError(404, undefined, `No schema ${ctx.params.id}`);
    send(ctx as AppContext, 200, found);
  });

  // --- /Me -----------------------------------------------------------------------------------

  router.get('/Me', async (ctx) => {
    const c = ctx as AppContext;
    const p = listParams(query(c));
    located(c, project(await me.get(me.subject(c, base(c)), wants(p, 'groups')), USER_SCHEMA, p.attributes, p.excludedAttributes));
  });
  router.put('/Me', async (ctx) => {
    const c = ctx as AppContext;
    located(c, await me.replace(me.subject(c, base(c)), body(c), ifMatch(c)));
  });
  router.patch('/Me', async (ctx) => {
    const c = ctx as AppContext;
    located(c, await me.patch(me.subject(c, base(c)), body(c), ifMatch(c)));
  });
  router.delete('/Me', async (ctx) => {
    const c = ctx as AppContext;
    await me.remove(me.subject(c, base(c)), ifMatch(c));
    c.status = 204;
  });

  // --- Users, Groups, search, Bulk -----------------------------------------------------------

  router.get('/', auth as never, requireScim as never, async (ctx: AppContext) => send(ctx, 200, await rootSearch(call(ctx), listParams(query(ctx)))));
  router.post('/.search', async (ctx) => send(ctx as AppContext, 200, await rootSearch(call(ctx as AppContext), searchParams(body(ctx as AppContext)))));

  /** List, .search, get (projected to `attributes`), create, replace, patch and delete of one resource type. */
  const resourceRoutes = (path: string, schema: ResourceSchema, ops: ResourceOps, get: (c: ScimCall, id: string, p: ListParams) => Promise<Record<string, unknown>>) => {
    router.get(path, async (ctx) => send(ctx as AppContext, 200, await ops.list(call(ctx as AppContext), listParams(query(ctx as AppContext)))));
    router.post(`${path}/.search`, async (ctx) => send(ctx as AppContext, 200, await ops.list(call(ctx as AppContext), searchParams(body(ctx as AppContext)))));
    router.get(`${path}/:id`, async (ctx) => {
      const c = ctx as AppContext;
      const p = listParams(query(c));
      sendResource(c, project(await get(call(c), ctx.params.id, p), schema, p.attributes, p.excludedAttributes));
    });
    router.post(path, async (ctx) => located(ctx as AppContext, await ops.create(call(ctx as AppContext), body(ctx as AppContext)), 201));
    router.put(`${path}/:id`, async (ctx) => sendResource(ctx as AppContext, await ops.replace(call(ctx as AppContext), ctx.params.id, body(ctx as AppContext), ifMatch(ctx as AppContext))));
    router.patch(`${path}/:id`, async (ctx) => sendResource(ctx as AppContext, await ops.patch(call(ctx as AppContext), ctx.params.id, body(ctx as AppContext), ifMatch(ctx as AppContext))));
    router.delete(`${path}/:id`, async (ctx) => {
      await ops.remove(call(ctx as AppContext), ctx.params.id, ifMatch(ctx as AppContext));
      ctx.status = 204;
    });
  };
  resourceRoutes('/Users', USER_SCHEMA, users, (c, id, p) => users.resource(c, id, wants(p, 'groups')));
  resourceRoutes('/Groups', GROUP_SCHEMA, groups, (c, id) => groups.resource(c, id));

  router.post('/Bulk', async (ctx) => {
    const c = ctx as AppContext;
    const req = parseBulkRequest(body(c), MAX_BULK_OPERATIONS);
    send(c, 200, await runBulk(call(c), req, users, groups, deps.logger));
  });

  // --- the SCIM sub-application ----------------------------------------------------------------

  const handleErrors = errorHandler(deps.logger, renderScimError);
  const parser = (limit: number | string) => bodyParser({
    enableTypes: ['json'],
    extendTypes: { json: ['application/json', 'application/scim+json'] },
    parsedMethods: ['POST', 'PUT', 'PATCH'],
    jsonLimit: limit,
    encoding: 'utf-8',
    onError: (err) => {
      throw err;
    },
  });
  const parse = parser(deps.config.bodyLimit);
  const parseBulk = parser(maxPayload);
  const tooLarge = () => scimError(413, undefined, `The bulk request is larger than maxPayloadSize (${maxPayload} bytes)`);
  /** Bulk's own limit, maxPayloadSize: refused by Content-Length before reading, or while reading. */
  const parseBulkBody = async (ctx: AppContext, next: Next) => {
    if ((ctx.request.length ?? 0) > maxPayload) throw tooLarge();
    try {
      await parseBulk(ctx as never, async () => {});
    } catch (e) {
      throw toAppError(e).status === 413 ? tooLarge() : e;
    }
    await next();
  };
  const routes = router.routes();
  const allowed = router.allowedMethods({ throw: true });
  const isBulk = (ctx: AppContext) => ctx.method === 'POST' && ctx.path.replace(/\/$/, '').toLowerCase() === `${SCIM_PREFIX}/bulk`.toLowerCase();

  /** Everything under /scim/v2, with its own body parser and SCIM error bodies; the rest passes on. */
  return async (ctx: AppContext, next: Next) => {
    if (ctx.path !== SCIM_PREFIX && !ctx.path.startsWith(`${SCIM_PREFIX}/`)) return next();
    const dispatch = () => routes(ctx as never, () => allowed(ctx as never, async () => {}));
    // The same guard as REST bodies: NUL characters, lone surrogates, text that was not UTF-8,
    // absurd depth and array length are refused before any SCIM handler sees them.
    const guarded = () => bodyGuard(ctx, dispatch);
    await handleErrors(ctx, () => (isBulk(ctx) ? parseBulkBody(ctx, guarded) : parse(ctx as never, guarded)));
  };
}

function parseSize(limit: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(limit.trim());
  if (!m) return 1048576;
  const unit = { b: 1, kb: 1024, mb: 1048576, gb: 1073741824 }[(m[2] ?? 'b').toLowerCase() as 'b'];
  return Math.round(Number(m[1]) * unit);
}
