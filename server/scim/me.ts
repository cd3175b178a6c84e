import type { AppDeps } from '../app';
import { actorOf, type AppContext } from '../http/context';
import { can } from '../auth/permissions';
import { forbidden } from '../errors/app-error';
import { fromScimUser, type UserFields } from './resources';
import { mutability, scimError } from './scim-error';
import { ENTERPRISE_USER_SCHEMA, ROSTER_USER_SCHEMA } from './user-attributes';
import type { ScimCall, ScimUsers } from './users';

type Obj = Record<string, unknown>;

/**
 * /Me (RFC 7644 §3.11): the User of the authenticated subject, under the REST API's self-service
 * rules (PUT /api/v1/users/me): a person may change their names, phone, locale and time zone;
 * anything else is an administrator's, and a change to it is a 400 `mutability` naming it.
 * The password changes at PUT /api/v1/users/me/password, which asks for the current one, and a
 * user cannot delete themselves (the REST rule answers DELETE /Me with 409).
 *
 * Only a user's access token has a subject with a User. A tenant API token stands for an
 * integration, not a person: §3.11 defines /Me as an alias of "the User or other resource
 * associated with the currently authenticated subject", and there is none. That is not a
 * malformed request (400), nor an unsupported feature (501, which would tell the client /Me does
 * not exist at all): the aliased resource does not exist, so it is a 404 whose detail says what
 * /Me needs.
 */

/** UserFields.rest keys a person may change about themselves, with their SCIM names. */
const SELF_EDITABLE = new Set(['first_name', 'last_name', 'display_name', 'phone', 'locale', 'timezone']);
const SCIM_NAME: Record<string, string> = {
  email: 'emails', username: 'userName', job_title: 'title', company: `${ENTERPRISE_USER_SCHEMA}:organization`,
  custom_attributes: ROSTER_USER_SCHEMA, externalId: 'externalId', active: 'active',
};

/** JSON with sorted keys: two objects with the same content compare equal. */
const stable = (v: unknown): string =>
  JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));

/** The SCIM-only attributes kept with a user, less those that belong to self-editable ones (phone type, name.formatted). */
function withoutSelfExtras(extras: Obj | null): Obj {
  const copy = structuredClone(extras ?? {}) as Obj & { name?: Obj };
  delete copy.phoneType;
  if (copy.name) {
    delete copy.name.formatted;
    if (!Object.keys(copy.name).length) delete copy.name;
  }
  return copy;
}

/** The self-service change from `current` to `next`, or a mutability error naming what may not change. */
function selfChange(current: UserFields, next: UserFields, active: boolean) {
  const refused: string[] = [];
  const update: Record<string, unknown> = {};
  for (const [field, to] of Object.entries(next.rest)) {
    const from = (current.rest as Record<string, unknown>)[field];
    if (stable(from ?? null) === stable(to ?? null)) continue;
    if (SELF_EDITABLE.has(field)) update[field] = to;
    else refused.push(SCIM_NAME[field] ?? field);
  }
  if ((next.externalId ?? null) !== (current.externalId ?? null)) refused.push('externalId');
  if (next.active !== undefined && next.active !== active) refused.push('active');
  const extrasChanged = stable(next.scimAttributes ?? {}) !== stable(current.scimAttributes ?? {});
  if (extrasChanged && stable(withoutSelfExtras(next.scimAttributes)) !== stable(withoutSelfExtras(current.scimAttributes))) {
    refused.push('attributes other than name.givenName, name.familyName, displayName, the primary phone number, locale and timezone');
  }
  if (next.password !== undefined) {
    throw mutability('"password" cannot be changed through /Me: use PUT /api/v1/users/me/password, which asks for the current password');
  }
  if (refused.length) throw mutability(`Only an administrator can change ${refused.join(', ')}; through /Me you may change name.givenName, name.familyName, displayName, the primary phone number (replace phoneNumbers), locale and timezone`);
  return { update, scimAttributes: extrasChanged ? next.scimAttributes : undefined };
}

/**
 * PUT /Me: the body over the current resource. RFC 7644 §3.5.1 lets a service provider read
 * omitted attributes as "not asserted" rather than cleared; here that keeps a person's PUT of the
 * attributes they own from reading as an attempt to clear the ones an administrator owns.
 */
function overlay(current: Obj, body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const out = structuredClone(current);
  for (const [k, v] of Object.entries(body as Obj)) {
    for (const existing of Object.keys(out)) if (existing.toLowerCase() === k.toLowerCase()) delete out[existing];
    out[k] = v;
  }
  return out;
}

export function scimMe({ services }: Pick<AppDeps, 'services'>, users: ScimUsers) {
  /** The caller as the subject of /Me: a signed-in user of the tenant, allowed self-service. */
  const subject = (ctx: AppContext, base: string): { call: ScimCall; userId: string } => {
    const actor = actorOf(ctx);
    const p = actor.principal;
    if (p.kind === 'api_token') {
      throw scimError(404, undefined, '/Me is the User of the authenticated person; an API token is not one. Call /Me with a user\'s access token (POST /api/v1/auth/token), or use /Users/{id}');
    }
    if (p.kind !== 'user') throw forbidden('/Me needs a user\'s access token');
    if (p.mfaEnrollmentOnly) throw forbidden('Your tenant requires MFA: enrol first with POST /api/v1/users/me/mfa/totp');
    if (!can(p, 'self:manage')) throw forbidden();
    return { call: { actor, tenantId: p.tenantId, base }, userId: p.userId };
  };

  const write = async (s: { call: ScimCall; userId: string }, current: Obj, next: unknown, opts: { ifMatch?: number }) => {
    const row = await users.row(s.call.tenantId, s.userId);
    const change = selfChange(fromScimUser(current), fromScimUser(next, row.email), row.status === 'ACTIVE');
    await services.users.update(s.call.actor, s.call.tenantId, s.userId, change.update, opts, change.scimAttributes !== undefined ? { scimAttributes: change.scimAttributes } : {});
    return users.resource(s.call, s.userId);
  };

  return {
    subject,
    get: (s: { call: ScimCall; userId: string }, withGroups: boolean) => users.resource(s.call, s.userId, withGroups),
    replace: async (s: { call: ScimCall; userId: string }, body: unknown, opts: { ifMatch?: number }) => {
      const current = await users.resource(s.call, s.userId);
      return write(s, current, overlay(current, body), opts);
    },
    patch: async (s: { call: ScimCall; userId: string }, body: unknown, opts: { ifMatch?: number }) => {
      const { current, next } = await users.patched(s.call, s.userId, body, opts);
      return write(s, current, next, opts);
    },
    remove: (s: { call: ScimCall; userId: string }, opts: { ifMatch?: number }) => users.remove(s.call, s.userId, opts),
  };
}
