import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { Next } from 'koa';
import type { Knex } from 'knex';
import type { AppDeps } from '../app';
import { actorOf, type Actor, type AppContext } from '../http/context';
import { authenticate } from '../middleware/authenticate';
import { errorHandler, type ErrorRenderer } from '../middleware/error-handler';
import { forbidden } from '../errors/app-error';
import { isUuid } from '../db/ids';
import { parseScimFilter } from './filter-parser';
import { applySqlFilter, compileScimFilter } from './filter-to-sql';
import { USER_ATTRIBUTES, type AttributeMap } from './user-attributes';
import { GROUP_ATTRIBUTES } from './group-attributes';
import { applyPatch, parsePatchBody, type ResourceSchema } from './patch';
import {
  fromScimGroup, fromScimUser, GROUP_SCHEMA, project, toScimGroup, toScimUser, USER_SCHEMA,
  type MemberRow, type ScimGroupRow, type ScimUserRow, type UserFields,
} from './resources';
import { DEFAULT_COUNT, MAX_COUNT, MAX_PATCH_OPERATIONS, resourceTypes, schemaDocs, serviceProviderConfig, SCHEMA_DOCS } from './schemas';
import { ScimError, invalidValue, scimError } from './scim-error';

export const SCIM_PREFIX = '/scim/v2';
const SCIM_TYPE = 'application/scim+json; charset=utf-8';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const SEARCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** RFC 7644 §3.12 error bodies for every AppError, with the scimType the REST code implies. */
export const renderScimError: ErrorRenderer = (ctx, err) => {
  let status = err.status;
  let scimType = err instanceof ScimError ? err.scimType : undefined;
  if (!scimType) {
    if (err.code === 'duplicate_email' || err.code === 'duplicate_username' || (status === 409 && err.field === 'name')) scimType = 'uniqueness';
    else if (status === 422) scimType = 'invalidValue';
    else if (status === 400) scimType = 'invalidSyntax';
  }
  // SCIM has no 422: a value Roster's rules refuse is a 400 invalidValue.
  if (status === 422) status = 400;
  ctx.status = status;
  ctx.type = SCIM_TYPE;
  const detail = err.details?.length ? err.details.map((d) => d.msg).join('; ') : err.message;
  return { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail };
};

/** W/"3" or "3" -> 3; `*` matches any version; anything else can never match. */
function parseVersion(header: string | undefined): number | undefined | null {
  if (!header) return undefined;
  const tags = header.split(',').map((t) => t.trim());
  if (tags.includes('*')) return undefined;
  const m = /^(?:W\/)?"(\d+)"$/.exec(tags[0]);
  return m ? Number(m[1]) : null;
}

function ifMatchOf(ctx: AppContext): { ifMatch?: number } {
  const v = parseVersion(ctx.get('If-Match'));
  if (v === null) throw scimError(412, undefined, 'The If-Match version does not match the resource');
  return v === undefined ? {} : { ifMatch: v };
}

function send(ctx: AppContext, status: number, body: unknown, etag?: string) {
  ctx.status = status;
  ctx.type = SCIM_TYPE;
  if (etag) ctx.set('ETag', etag);
  ctx.body = body;
}

/** GET of one resource: 304 when the client's If-None-Match names the current version. */
function sendResource(ctx: AppContext, res: Record<string, unknown>, status = 200) {
  const etag = (res.meta as { version: string }).version;
  const inm = ctx.get('If-None-Match');
  if (status === 200 && ctx.method === 'GET' && inm && (inm.trim() === '*' || inm.split(',').map((t) => t.trim()).includes(etag))) {
    ctx.status = 304;
    ctx.set('ETag', etag);
    return;
  }
  send(ctx, status, res, etag);
}

interface ListParams {
  filter?: string;
  startIndex: number;
  count: number;
  sortBy?: string;
  sortOrder: 'asc' | 'desc';
  attributes?: string[];
  excludedAttributes?: string[];
}

const list = (v: unknown): string[] | undefined =>
  v === undefined || v === null ? undefined : (Array.isArray(v) ? v.map(String) : String(v).split(',')).map((s) => s.trim()).filter(Boolean);

function intParam(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw invalidValue(`"${name}" must be an integer`);
  return n;
}

function listParams(src: Record<string, unknown>): ListParams {
  const order = src.sortOrder === undefined ? 'ascending' : String(src.sortOrder).toLowerCase();
  if (order !== 'ascending' && order !== 'descending') throw invalidValue('"sortOrder" must be ascending or descending');
  if (src.filter !== undefined && typeof src.filter !== 'string') throw invalidValue('"filter" must be a string');
  return {
    ...(src.filter !== undefined ? { filter: src.filter as string } : {}),
    // 1-based; below 1 reads as 1, a negative count as 0 (RFC 7644 §3.4.2.4).
    startIndex: Math.max(1, intParam(src.startIndex, 'startIndex') ?? 1),
    count: Math.min(MAX_COUNT, Math.max(0, intParam(src.count, 'count') ?? DEFAULT_COUNT)),
    ...(src.sortBy !== undefined ? { sortBy: String(src.sortBy) } : {}),
    sortOrder: order === 'descending' ? 'desc' : 'asc',
    attributes: list(src.attributes),
    excludedAttributes: list(src.excludedAttributes),
  };
}

function sortColumn(sortBy: string, attrs: AttributeMap): string {
  try {
    const ast = parseScimFilter(`${sortBy} pr`);
    if (ast.op !== 'pr') throw new Error('not a path');
    const a = attrs.resolve(ast.path);
    if (a.kind === 'string' || a.kind === 'id' || a.kind === 'dateTime') return a.column;
    if (a.kind === 'active') return 'users.status';
  } catch {
    // Reported below, as a sortBy problem rather than a filter one.
  }
  throw invalidValue(`Cannot sort by "${sortBy}"`);
}

export function scimRoutes(deps: AppDeps) {
  const { db, services } = deps;
  const knex = db.knex;
  const router = new Router({ prefix: SCIM_PREFIX });
  const auth = authenticate(deps.signer, services.auth, services.apiTokens);
  const base = (ctx: AppContext) => `${ctx.origin}${SCIM_PREFIX}`;

  /** A tenant API token with the `scim` scope; its tenant is the one provisioned. */
  const requireScim = async (ctx: AppContext, next: Next) => {
    const p = ctx.state.principal;
    if (p?.kind !== 'api_token' || !p.scopes.includes('scim')) throw forbidden('SCIM needs a tenant API token with the scope "scim"');
    await next();
  };
  const session = (ctx: AppContext): { actor: Actor; tenantId: string } => {
    const actor = actorOf(ctx);
    return { actor, tenantId: actor.principal.tenantId };
  };

  // --- reads -------------------------------------------------------------------------------

  const userRow = async (tenantId: string, id: string): Promise<ScimUserRow> => {
    const row = isUuid(id) ? await knex('users').where({ tenantId, id }).whereNull('deletedAt').first() : undefined;
    if (!row) throw scimError(404, undefined, `User ${id} not found`);
    return row as ScimUserRow;
  };
  const userResource = async (ctx: AppContext, tenantId: string, id: string, withGroups = false) => {
    const row = await userRow(tenantId, id);
    return toScimUser(row, base(ctx), withGroups ? await services.users.effectiveGroups(row.id) : undefined);
  };
  const groupRow = async (tenantId: string, id: string): Promise<ScimGroupRow> => {
    const row = isUuid(id) ? await knex('groups').where({ tenantId, id }).first() : undefined;
    if (!row) throw scimError(404, undefined, `Group ${id} not found`);
    return row as ScimGroupRow;
  };
  const membersOf = async (groupIds: string[]): Promise<MemberRow[]> => {
    const out: MemberRow[] = [];
    for (let i = 0; i < groupIds.length; i += 500) {
      const rows = await knex('group_members as gm')
        .leftJoin('users as u', 'u.id', 'gm.user_id')
        .leftJoin('groups as g', 'g.id', 'gm.member_group_id')
        .whereIn('gm.group_id', groupIds.slice(i, i + 500))
        .where((w) => w.whereNull('gm.user_id').orWhereNull('u.deleted_at'))
        .orderBy('gm.created_at').orderBy('gm.id')
        .select('gm.group_id', 'gm.user_id', 'gm.member_group_id', knex.raw('COALESCE(u.display_name, u.email, g.name) AS display'));
      out.push(...(rows as MemberRow[]));
    }
    return out;
  };
  const groupResource = async (ctx: AppContext, tenantId: string, id: string) => {
    const row = await groupRow(tenantId, id);
    return toScimGroup(row, await membersOf([row.id]), base(ctx));
  };
  const wants = (p: ListParams, name: string) => Boolean(p.attributes?.some((a) => a.toLowerCase().split(':').pop()!.split('.')[0] === name));

  const listUsers = async (ctx: AppContext, p: ListParams) => {
    const { actor, tenantId } = session(ctx);
    await services.tenants.resolve(actor.principal, tenantId);
    // Compiled (so validated) before any query runs.
    const where = p.filter !== undefined ? compileScimFilter(parseScimFilter(p.filter), db.dialect, USER_ATTRIBUTES) : undefined;
    const order = p.sortBy ? sortColumn(p.sortBy, USER_ATTRIBUTES) : 'users.created_at';
    const q = () => knex('users').where('users.tenant_id', tenantId).whereNull('users.deleted_at').modify((qb: Knex.QueryBuilder) => {
      if (where) applySqlFilter(qb, where);
    });
    const [{ total }] = await q().count({ total: '*' });
    const rows = p.count ? await q().select('users.*').orderBy(order, p.sortOrder).orderBy('users.id', p.sortOrder).limit(p.count).offset(p.startIndex - 1) : [];
    const withGroups = wants(p, 'groups');
    const resources = [];
    for (const r of rows as ScimUserRow[]) {
      resources.push(project(toScimUser(r, base(ctx), withGroups ? await services.users.effectiveGroups(r.id) : undefined), USER_SCHEMA, p.attributes, p.excludedAttributes));
    }
    send(ctx, 200, { schemas: [LIST_SCHEMA], totalResults: Number(total), startIndex: p.startIndex, itemsPerPage: resources.length, Resources: resources });
  };

  const listGroups = async (ctx: AppContext, p: ListParams) => {
    const { actor, tenantId } = session(ctx);
    await services.tenants.resolve(actor.principal, tenantId);
    const where = p.filter !== undefined ? compileScimFilter(parseScimFilter(p.filter), db.dialect, GROUP_ATTRIBUTES) : undefined;
    const order = p.sortBy ? sortColumn(p.sortBy, GROUP_ATTRIBUTES) : 'groups.created_at';
    const q = () => knex('groups').where('groups.tenant_id', tenantId).modify((qb: Knex.QueryBuilder) => {
      if (where) applySqlFilter(qb, where);
    });
    const [{ total }] = await q().count({ total: '*' });
    const rows = (p.count ? await q().select('groups.*').orderBy(order, p.sortOrder).orderBy('groups.id', p.sortOrder).limit(p.count).offset(p.startIndex - 1) : []) as ScimGroupRow[];
    const excludesMembers = p.excludedAttributes?.some((a) => a.toLowerCase() === 'members') || (p.attributes?.length && !wants(p, 'members'));
    const members = rows.length && !excludesMembers ? await membersOf(rows.map((r) => r.id)) : [];
    const resources = rows.map((r) => project(toScimGroup(r, members.filter((m) => m.groupId === r.id), base(ctx)), GROUP_SCHEMA, p.attributes, p.excludedAttributes));
    send(ctx, 200, { schemas: [LIST_SCHEMA], totalResults: Number(total), startIndex: p.startIndex, itemsPerPage: resources.length, Resources: resources });
  };

  const searchBody = (ctx: AppContext): ListParams => {
    const body = (ctx.request as { body?: unknown }).body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidValue('The body must be a SearchRequest');
    const b = body as Record<string, unknown>;
    if (Array.isArray(b.schemas) && !b.schemas.includes(SEARCH_SCHEMA)) throw scimError(400, 'invalidSyntax', `The body must list the schema ${SEARCH_SCHEMA}`);
    return listParams(b);
  };

  // --- user writes, all through UserService ---------------------------------------------------

  /** Writes a User resource's fields onto an existing user: profile, then status, then password. */
  const writeUser = async (actor: Actor, tenantId: string, id: string, f: UserFields, opts: { ifMatch?: number }) => {
    await services.users.update(actor, tenantId, id, f.rest, opts, { externalId: f.externalId, scimAttributes: f.scimAttributes, source: 'SCIM' });
    if (f.active !== undefined) {
      const row = await userRow(tenantId, id);
      // active=false disables an active user; a locked or pending one already reads as inactive.
      const to = f.active ? (row.status !== 'ACTIVE' ? 'ACTIVE' : undefined) : row.status === 'ACTIVE' ? 'DISABLED' : undefined;
      if (to) await services.users.setStatus(actor, tenantId, id, { status: to, terminate_sessions: to === 'DISABLED', reason: 'SCIM' });
    }
    if (f.password !== undefined) {
      const tenant = await services.tenants.resolve(actor.principal, tenantId);
      await services.users.setPassword(actor, tenant, id, f.password, ['body', 'password']);
    }
  };

  const body = (ctx: AppContext) => (ctx.request as { body?: unknown }).body;

  // --- groups ----------------------------------------------------------------------------------

  /** Makes the direct members exactly `wanted`: adds the missing, removes the rest, in bulk. */
  const syncMembers = async (actor: Actor, tenantId: string, groupId: string, wanted: string[], opts: { ifMatch?: number }) => {
    const bad = wanted.find((id) => !isUuid(id));
    if (bad) throw invalidValue(`"${bad}" is not the id of a user or group`);
    const current = new Set((await membersOf([groupId])).map((m) => (m.userId ?? m.memberGroupId)!));
    const toAdd = wanted.filter((id) => !current.has(id));
    const toRemove = [...current].filter((id) => !wanted.includes(id));
    let first = opts;
    if (toAdd.length) {
      const groupIds = new Set<string>();
      for (let i = 0; i < toAdd.length; i += 500) {
        for (const r of await knex('groups').where({ tenantId }).whereIn('id', toAdd.slice(i, i + 500)).select('id')) groupIds.add(r.id);
      }
      await services.groups.addMembers(actor, tenantId, groupId, { user_ids: toAdd.filter((id) => !groupIds.has(id)), group_ids: [...groupIds] }, first);
      first = {};
    }
    if (toRemove.length) await services.groups.removeMembers(actor, tenantId, groupId, toRemove, first);
  };

  const writeGroup = async (actor: Actor, tenantId: string, id: string, res: unknown, opts: { ifMatch?: number }) => {
    const f = fromScimGroup(res);
    const before = await groupRow(tenantId, id);
    await services.groups.update(actor, tenantId, id, { name: f.displayName, external_id: f.externalId }, opts);
    const after = await groupRow(tenantId, id);
    await syncMembers(actor, tenantId, id, f.memberIds, after.version === before.version ? opts : {});
  };

  // --- routes --------------------------------------------------------------------------------

  router.use(auth as never, requireScim as never);

  router.get('/ServiceProviderConfig', (ctx) => send(ctx as AppContext, 200, serviceProviderConfig(base(ctx as AppContext), parseSize(deps.config.bodyLimit))));
  router.get('/ResourceTypes', (ctx) => {
    const all = resourceTypes(base(ctx as AppContext));
    send(ctx as AppContext, 200, { schemas: [LIST_SCHEMA], totalResults: all.length, startIndex: 1, itemsPerPage: all.length, Resources: all });
  });
  router.get('/ResourceTypes/:id', (ctx) => {
    const found = resourceTypes(base(ctx as AppContext)).find((r) => r.id === ctx.params.id);
    if (!found) throw scimError(404, undefined, `No resource type ${ctx.params.id}`);
    send(ctx as AppContext, 200, found);
  });
  router.get('/Schemas', (ctx) => {
    const all = schemaDocs(base(ctx as AppContext));
    send(ctx as AppContext, 200, { schemas: [LIST_SCHEMA], totalResults: all.length, startIndex: 1, itemsPerPage: all.length, Resources: all });
  });
  router.get('/Schemas/:id', (ctx) => {
    const found = schemaDocs(base(ctx as AppContext)).find((s) => s.id.toLowerCase() === String(ctx.params.id).toLowerCase());
    if (!found || !SCHEMA_DOCS.length) throw scimError(404, undefined, `No schema ${ctx.params.id}`);
    send(ctx as AppContext, 200, found);
  });

  // Not offered: API tokens have no user behind them for /Me, and Bulk is advertised as unsupported.
  const notImplemented = (what: string) => () => {
    throw scimError(501, undefined, `${what} is not supported by this service provider`);
  };
  router.all('/Me', notImplemented('/Me'));
  router.all('/Bulk', notImplemented('/Bulk'));

  router.get('/Users', (ctx) => listUsers(ctx as AppContext, listParams(ctx.query as Record<string, unknown>)));
  router.post('/Users/.search', (ctx) => listUsers(ctx as AppContext, searchBody(ctx as AppContext)));
  router.get('/Users/:id', async (ctx) => {
    const c = ctx as AppContext;
    const { tenantId } = session(c);
    const p = listParams(ctx.query as Record<string, unknown>);
    sendResource(c, project(await userResource(c, tenantId, ctx.params.id, wants(p, 'groups')), USER_SCHEMA, p.attributes, p.excludedAttributes));
  });
  router.post('/Users', async (ctx) => {
    const c = ctx as AppContext;
    const { actor, tenantId } = session(c);
    const f = fromScimUser(body(c));
    const created = await services.users.create(actor, tenantId, {
      ...f.rest, username: f.rest.username, email: f.rest.email, password: f.password ?? null, group_ids: [], require_password_change: false,
      send_welcome_email: false, role: 'user', identity_source: 'SCIM', email_verified: false, is_internal: false, is_onboarded: false,
    }, { externalId: f.externalId, scimAttributes: f.scimAttributes, source: 'SCIM' });
    if (f.active === false) await services.users.setStatus(actor, tenantId, created.id, { status: 'DISABLED', terminate_sessions: false, reason: 'SCIM' });
    const res = await userResource(c, tenantId, created.id);
    c.set('Location', res.meta ? (res.meta as { location: string }).location : '');
    sendResource(c, res, 201);
  });
  router.put('/Users/:id', async (ctx) => {
    const c = ctx as AppContext;
    const { actor, tenantId } = session(c);
    const row = await userRow(tenantId, ctx.params.id);
    const f = fromScimUser(body(c), row.email);
    await writeUser(actor, tenantId, row.id, f, ifMatchOf(c));
    sendResource(c, await userResource(c, tenantId, row.id));
  });
  router.patch('/Users/:id', async (ctx) => {
    const c = ctx as AppContext;
    const { actor, tenantId } = session(c);
    const ops = parsePatchBody(body(c), MAX_PATCH_OPERATIONS);
    const opts = ifMatchOf(c);
    const current = await userResource(c, tenantId, ctx.params.id);
    if (opts.ifMatch !== undefined && current.meta && (current.meta as { version: string }).version !== `W/"${opts.ifMatch}"`) {
      throw scimError(412, undefined, 'The user was changed by someone else; reload it and try again');
    }
    const patched = applyPatch(structuredClone(current), ops, USER_SCHEMA as ResourceSchema);
    await writeUser(actor, tenantId, ctx.params.id, fromScimUser(patched, String((current.emails as { value: string }[])[0].value)), opts);
    sendResource(c, await userResource(c, tenantId, ctx.params.id));
  });
  router.delete('/Users/:id', async (ctx) => {
    const c = ctx as AppContext;
    const { actor, tenantId } = session(c);
    const row = await userRow(tenantId, ctx.params.id);
    await services.users.delete(actor, tenantId, row.id, { confirm_email: row.email }, ifMatchOf(c));
    c.status = 204;
  });

  router.get('/Groups', (ctx) => listGroups(ctx as AppContext, listParams(ctx.query as Record<string, unknown>)));
  router.post('/Groups/.search', (ctx) => listGroups(ctx as AppContext, searchBody(ctx as AppContext)));
  router.get('/Groups/:id', async (ctx) => {
    const c = ctx as AppContext;
    const { tenantId } = session(c);
    const p = listParams(ctx.query as Record<string, unknown>);
    sendResource(c, project(await groupResource(c, tenantId, ctx.params.id), GROUP_SCHEMA, p.attributes, p.excludedAttributes));
  });
  router.post('/Groups', async (ctx) => {
    const c = ctx as AppContext;
    const { actor, tenantId } = session(c);
    const f = fromScimGroup(body(c));
    const created = await services.groups.create(actor, tenantId, { name: f.displayName, external_id: f.externalId });
    if (f.memberIds.length) await syncMembers(actor, tenantId, created.id, f.memberIds, {});
    const res = await groupResource(c, tenantId, created.id);
    c.set('Location', (res.meta as { location: string }).location);
    sendResource(c, res, 201);
  });
  router.put('/Groups/:id', async (ctx) => {
    const c = ctx as AppContext;
    const { actor, tenantId } = session(c);
    await writeGroup(actor, tenantId, ctx.params.id, body(c), ifMatchOf(c));
    sendResource(c, await groupResource(c, tenantId, ctx.params.id));
  });
  router.patch('/Groups/:id', async (ctx) => {
    const c = ctx as AppContext;
    const { actor, tenantId } = session(c);
    const ops = parsePatchBody(body(c), MAX_PATCH_OPERATIONS);
    const opts = ifMatchOf(c);
    const current = await groupResource(c, tenantId, ctx.params.id);
    if (opts.ifMatch !== undefined && (current.meta as { version: string }).version !== `W/"${opts.ifMatch}"`) {
      throw scimError(412, undefined, 'The group was changed by someone else; reload it and try again');
    }
    await writeGroup(actor, tenantId, ctx.params.id, applyPatch(structuredClone(current), ops, GROUP_SCHEMA), opts);
    sendResource(c, await groupResource(c, tenantId, ctx.params.id));
  });
  router.delete('/Groups/:id', async (ctx) => {
    const c = ctx as AppContext;
    const { actor, tenantId } = session(c);
    await groupRow(tenantId, ctx.params.id);
    await services.groups.delete(actor, tenantId, ctx.params.id, ifMatchOf(c));
    c.status = 204;
  });

  const handleErrors = errorHandler(deps.logger, renderScimError);
  const parse = bodyParser({
    enableTypes: ['json'],
    extendTypes: { json: ['application/json', 'application/scim+json'] },
    parsedMethods: ['POST', 'PUT', 'PATCH'],
    jsonLimit: deps.config.bodyLimit,
    encoding: 'utf-8',
    onError: (err) => {
      throw err;
    },
  });
  const routes = router.routes();
  const allowed = router.allowedMethods({ throw: true });

  /** Everything under /scim/v2, with its own body parser and SCIM error bodies; the rest passes on. */
  return async (ctx: AppContext, next: Next) => {
    if (ctx.path !== SCIM_PREFIX && !ctx.path.startsWith(`${SCIM_PREFIX}/`)) return next();
    await handleErrors(ctx, () => parse(ctx as never, () => routes(ctx as never, () => allowed(ctx as never, async () => {}))));
  };
}

function parseSize(limit: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(limit.trim());
  if (!m) return 1048576;
  const unit = { b: 1, kb: 1024, mb: 1048576, gb: 1073741824 }[(m[2] ?? 'b').toLowerCase() as 'b'];
  return Math.round(Number(m[1]) * unit);
}
