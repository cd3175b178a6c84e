import type { Knex } from 'knex';
import type { AppDeps } from '../app';
import type { Actor } from '../http/context';
import { isUuid } from '../db/ids';
import { readBuilt } from '../db/fast-reads';
import { assertPasswordPolicy } from '../services/password-policy';
import { parseScimFilter } from './filter-parser';
import { applySqlFilter, compileScimFilter } from './filter-to-sql';
import { USER_ATTRIBUTES } from './user-attributes';
import { applyPatch, parsePatchBody } from './patch';
import { etagOf, fromScimUser, project, toScimUser, USER_SCHEMA, type ScimUserRow, type UserFields } from './resources';
import { MAX_PATCH_OPERATIONS } from './schemas';
import { listResponse } from './http';
import { sortColumn, wants, type ListParams } from './list-params';
import { scimError } from './scim-error';

/** Who calls, in which tenant, and the /scim/v2 URL that locations start with. */
export interface ScimCall {
  actor: Actor;
  tenantId: string;
  base: string;
}

type Obj = Record<string, unknown>;

/**
 * SCIM Users over UserService: every write goes through the same service calls as the REST API
 * (rules, versions, activity events with the caller as actor). The routes, /Bulk and /Me all
 * use these functions, so a User behaves the same whichever way it arrives.
 */
export function scimUsers({ db, services }: Pick<AppDeps, 'db' | 'services'>) {
  const knex = db.knex;

  const row = async (tenantId: string, id: string): Promise<ScimUserRow> => {
    const found = isUuid(id) ? await knex('users').where({ tenantId, id }).whereNull('deletedAt').first() : undefined;
    if (!found) throw scimError(404, undefined, `User ${id} not found`);
    return found as ScimUserRow;
  };

  const resource = async (call: ScimCall, id: string, withGroups = false): Promise<Obj> => {
    const r = await row(call.tenantId, id);
    return toScimUser(r, call.base, withGroups ? await services.users.effectiveGroups(r.id) : undefined);
  };

  const list = async (call: ScimCall, p: ListParams) => {
    await services.tenants.resolve(call.actor.principal, call.tenantId);
    // Compiled (so validated) before any query runs.
    const where = p.filter !== undefined ? compileScimFilter(parseScimFilter(p.filter), db.dialect, USER_ATTRIBUTES) : undefined;
    const order = p.sortBy ? sortColumn(p.sortBy, USER_ATTRIBUTES) : 'users.created_at';
    const q = () => knex('users').where('users.tenant_id', call.tenantId).whereNull('users.deleted_at').modify((qb: Knex.QueryBuilder) => {
      if (where) applySqlFilter(qb, where);
    });
    const read = <T>(qb: Knex.QueryBuilder) => readBuilt<T>(db.reads, qb);
    const rows = p.count ? await read<ScimUserRow>(q().select('users.*').orderBy(order, p.sortOrder).orderBy('users.id', p.sortOrder).limit(p.count).offset(p.startIndex - 1)) : [];
    // A first page that is not full is the whole result (a userName or externalId lookup): no count.
    const total = p.startIndex === 1 && rows.length < p.count
      ? rows.length
      : (await read<{ total: number | string }>(q().count({ total: '*' })))[0].total;
    const withGroups = wants(p, 'groups');
    const resources = [];
    for (const r of rows) {
      resources.push(project(toScimUser(r, call.base, withGroups ? await services.users.effectiveGroups(r.id) : undefined), USER_SCHEMA, p.attributes, p.excludedAttributes));
    }
    return listResponse(resources, Number(total), p.startIndex);
  };

  /**
   * Writes a User resource's fields onto an existing user: profile, then status, then password.
   * The password is checked against the tenant's policy first, so a refused one changes nothing.
   */
  const write = async (actor: Actor, tenantId: string, id: string, f: UserFields, opts: { ifMatch?: number }) => {
    const tenant = await services.tenants.resolve(actor.principal, tenantId);
    if (f.password !== undefined) assertPasswordPolicy(tenant.settings.password_policy, f.password, ['body', 'password']);
    await services.users.update(actor, tenantId, id, f.rest, opts, { externalId: f.externalId, scimAttributes: f.scimAttributes, source: 'SCIM' });
    if (f.active !== undefined) {
      const current = await row(tenantId, id);
      // active=false disables an active user; a locked or pending one already reads as inactive.
      const to = f.active ? (current.status !== 'ACTIVE' ? 'ACTIVE' : undefined) : current.status === 'ACTIVE' ? 'DISABLED' : undefined;
      if (to) await services.users.setStatus(actor, tenantId, id, { status: to, terminate_sessions: to === 'DISABLED', reason: 'SCIM' });
    }
    if (f.password !== undefined) await services.users.setPassword(actor, tenant, id, f.password, ['body', 'password']);
  };

  const create = async (call: ScimCall, body: unknown): Promise<Obj> => {
    const { actor, tenantId } = call;
    const f = fromScimUser(body);
    const created = await services.users.create(actor, tenantId, {
      ...f.rest, username: f.rest.username, email: f.rest.email, password: f.password ?? null, group_ids: [], require_password_change: false,
      send_welcome_email: false, role: 'user', identity_source: 'SCIM', email_verified: false, is_internal: false, is_onboarded: false,
    }, { externalId: f.externalId, scimAttributes: f.scimAttributes, source: 'SCIM' });
    if (f.active === false) await services.users.setStatus(actor, tenantId, created.id, { status: 'DISABLED', terminate_sessions: false, reason: 'SCIM' });
    return resource(call, created.id);
  };

  const replace = async (call: ScimCall, id: string, body: unknown, opts: { ifMatch?: number }): Promise<Obj> => {
    const r = await row(call.tenantId, id);
    await write(call.actor, call.tenantId, r.id, fromScimUser(body, r.email), opts);
    return resource(call, r.id);
  };

  /** The resource with a PATCH applied, not yet written (a stale If-Match is a 412 here already). */
  const patched = async (call: ScimCall, id: string, body: unknown, opts: { ifMatch?: number }) => {
    const ops = parsePatchBody(body, MAX_PATCH_OPERATIONS);
    const current = await resource(call, id);
    if (opts.ifMatch !== undefined && (current.meta as { version: string }).version !== etagOf(opts.ifMatch)) {
      throw scimError(412, undefined, 'The user was changed by someone else; reload it and try again');
    }
    return { current, next: applyPatch(structuredClone(current), ops, USER_SCHEMA) };
  };

  const patch = async (call: ScimCall, id: string, body: unknown, opts: { ifMatch?: number }): Promise<Obj> => {
    const { current, next } = await patched(call, id, body, opts);
    await write(call.actor, call.tenantId, id, fromScimUser(next, String((current.emails as { value: string }[])[0].value)), opts);
    return resource(call, id);
  };

  const remove = async (call: ScimCall, id: string, opts: { ifMatch?: number }) => {
    const r = await row(call.tenantId, id);
    await services.users.delete(call.actor, call.tenantId, r.id, { confirm_email: r.email }, opts);
  };

  return { row, resource, list, create, replace, patched, patch, remove };
}

export type ScimUsers = ReturnType<typeof scimUsers>;
