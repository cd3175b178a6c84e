import { iso, json } from '../presenters/values';
import type { UserRow } from '../presenters/user-presenter';
import { UserUpdate } from '../../shared/schemas/user';
import { CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA, ROSTER_USER_SCHEMA } from './user-attributes';
import { customAttributesFrom } from './custom-attributes';
import { CORE_GROUP_SCHEMA } from './group-attributes';
import { asBoolean, getAttr, type ResourceSchema } from './patch';
import { ENTERPRISE_ATTRS, GROUP_ATTRS, USER_ATTRS } from './schemas';
import { invalidValue } from './scim-error';

export const USER_SCHEMA: ResourceSchema = {
  core: CORE_USER_SCHEMA, attrs: USER_ATTRS, extensions: [{ urn: ENTERPRISE_USER_SCHEMA, attrs: ENTERPRISE_ATTRS }, { urn: ROSTER_USER_SCHEMA, attrs: [], open: true }],
};
export const GROUP_SCHEMA: ResourceSchema = { core: CORE_GROUP_SCHEMA, attrs: GROUP_ATTRS, extensions: [] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Drops null, undefined, empty strings, arrays and objects: SCIM leaves unassigned attributes out. */
function compact<T extends Obj>(o: T): Partial<T> {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) {
    const c = isObj(v) ? compact(v) : v;
    if (c === null || c === undefined || c === '' || (Array.isArray(c) && !c.length) || (isObj(c) && !Object.keys(c).length)) continue;
    out[k] = c;
  }
  return out as Partial<T>;
}

export const etagOf = (version: number | string) => `W/"${Number(version)}"`;

export interface ScimUserRow extends UserRow {
  customAttributes: unknown;
  externalId: string | null;
  scimAttributes: unknown;
}

interface Extras {
  nickName?: string;
  userType?: string;
  preferredLanguage?: string;
  name?: Obj;
  emails?: Obj[];
  phoneNumbers?: Obj[];
  addresses?: Obj[];
  photos?: Obj[];
  enterprise?: Obj;
  /** The type of the primary phone number, which has a column of its own. */
  phoneType?: string;
}

export function toScimUser(u: ScimUserRow, base: string, groups?: { group_id: string; name: string; membership_type: string }[]): Obj {
  const x = json<Extras>(u.scimAttributes) ?? {};
  const enterprise = compact({ ...(x.enterprise ?? {}), organization: u.company });
  const stored = json<Obj>(u.customAttributes);
  const custom = isObj(stored) ? Object.fromEntries(Object.entries(stored).filter(([, v]) => v !== null)) : {};
  const hasCustom = Object.keys(custom).length > 0;
  const { meta, ...res } = compact({
    schemas: [CORE_USER_SCHEMA, ...(Object.keys(enterprise).length ? [ENTERPRISE_USER_SCHEMA] : []), ...(hasCustom ? [ROSTER_USER_SCHEMA] : [])],
    id: u.id,
    externalId: u.externalId,
    userName: u.username ?? u.email,
    name: { formatted: (x.name?.formatted as string | undefined) ?? u.displayName, familyName: u.lastName, givenName: u.firstName, ...(x.name ?? {}) },
    displayName: u.displayName,
    nickName: x.nickName,
    title: u.jobTitle,
    userType: x.userType,
    preferredLanguage: x.preferredLanguage,
    locale: u.locale,
    timezone: u.timezone,
    active: u.status === 'ACTIVE',
    emails: [{ value: u.email, type: 'work', primary: true }, ...(x.emails ?? [])],
    phoneNumbers: [...(u.phone ? [{ value: u.phone, type: x.phoneType ?? 'work', primary: true }] : []), ...(x.phoneNumbers ?? [])],
    addresses: x.addresses,
    photos: x.photos,
    groups: groups?.map((g) => ({ value: g.group_id, $ref: `${base}/Groups/${g.group_id}`, display: g.name, type: g.membership_type === 'DIRECT' ? 'direct' : 'indirect' })),
    [ENTERPRISE_USER_SCHEMA]: enterprise,
    meta: { resourceType: 'User', created: iso(u.createdAt), lastModified: iso(u.updatedAt), version: etagOf(u.version), location: `${base}/Users/${u.id}` },
  });
  // Custom values as stored, not compacted: an empty string or list there is data.
  return { ...res, ...(hasCustom ? { [ROSTER_USER_SCHEMA]: custom } : {}), meta };
}

const str = (o: Obj | undefined, name: string, label = name): string | null => {
  const v = o ? getAttr(o, name) : undefined;
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw invalidValue(`"${label}" must be a string`);
  return v;
};

function multi(o: Obj, name: string): Obj[] {
  const v = getAttr(o, name);
  if (v === undefined || v === null) return [];
  const items = Array.isArray(v) ? v : [v];
  return items.map((i) => {
    if (!isObj(i)) throw invalidValue(`Each of "${name}" must be an object`);
    const primary = getAttr(i, 'primary');
    return compact({ ...i, ...(primary !== undefined ? { primary: asBoolean(primary) ?? invalidBool(`${name}.primary`) } : {}) });
  });
}
const invalidBool = (name: string): never => {
  throw invalidValue(`"${name}" must be true or false`);
};

/** The primary value: marked primary, else of type work, else the first. */
function pickPrimary(items: Obj[]): [Obj | undefined, Obj[]] {
  const p = items.find((i) => i.primary === true) ?? items.find((i) => String(getAttr(i, 'type') ?? '').toLowerCase() === 'work') ?? items[0];
  return [p, items.filter((i) => i !== p).map((i) => ({ ...i, primary: false }))];
}

export interface UserFields {
  rest: UserUpdate & { email: string; username: string };
  externalId: string | null;
  scimAttributes: Obj | null;
  active?: boolean;
  password?: string;
}

/**
 * A SCIM User (POST, PUT, or the result of a PATCH) as Roster's fields. `currentEmail` is kept
 * when the resource has no email, since every Roster user has one.
 */
export function fromScimUser(res: unknown, currentEmail?: string): UserFields {
  if (!isObj(res)) throw invalidValue('The body must be a User object');
  const userName = str(res, 'userName');
  if (!userName) throw invalidValue('"userName" is required');
  const name = getAttr(res, 'name');
  if (name !== undefined && name !== null && !isObj(name)) throw invalidValue('"name" must be an object');
  const n = isObj(name) ? name : undefined;

  const [primaryEmail, otherEmails] = pickPrimary(multi(res, 'emails'));
  const email = str(primaryEmail, 'value', 'emails.value') ?? currentEmail ?? (userName.includes('@') ? userName : null);
  if (!email) throw invalidValue('An email is required: send "emails" or an email address as "userName"');
  const [primaryPhone, otherPhones] = pickPrimary(multi(res, 'phoneNumbers'));

  const entRaw = getAttr(res, ENTERPRISE_USER_SCHEMA);
  if (entRaw !== undefined && entRaw !== null && !isObj(entRaw)) throw invalidValue(`"${ENTERPRISE_USER_SCHEMA}" must be an object`);
  const ent = isObj(entRaw) ? entRaw : {};
  const managerRaw = getAttr(ent, 'manager');
  const manager = typeof managerRaw === 'string' ? { value: managerRaw } : isObj(managerRaw) ? compact({ value: str(managerRaw, 'value', 'manager.value'), $ref: getAttr(managerRaw, '$ref') }) : undefined;

  const displayName = str(res, 'displayName') ?? str(n, 'formatted', 'name.formatted');
  const formatted = str(n, 'formatted', 'name.formatted');
  const extras = compact({
    nickName: str(res, 'nickName'),
    userType: str(res, 'userType'),
    preferredLanguage: str(res, 'preferredLanguage'),
    name: { middleName: str(n, 'middleName'), honorificPrefix: str(n, 'honorificPrefix'), honorificSuffix: str(n, 'honorificSuffix'), ...(formatted && formatted !== displayName ? { formatted } : {}) },
    emails: otherEmails,
    phoneNumbers: otherPhones,
    addresses: multi(res, 'addresses'),
    photos: multi(res, 'photos'),
    phoneType: primaryPhone && str(primaryPhone, 'type', 'phoneNumbers.type') !== 'work' ? str(primaryPhone, 'type', 'phoneNumbers.type') : null,
    enterprise: { employeeNumber: str(ent, 'employeeNumber'), costCenter: str(ent, 'costCenter'), division: str(ent, 'division'), department: str(ent, 'department'), manager },
  });

  const activeRaw = getAttr(res, 'active');
  const active = activeRaw === undefined || activeRaw === null ? undefined : asBoolean(activeRaw) ?? invalidBool('active');
  const password = getAttr(res, 'password');
  if (password !== undefined && typeof password !== 'string') throw invalidValue('"password" must be a string');

  const rest = {
    email,
    username: userName,
    first_name: str(n, 'givenName', 'name.givenName'),
    last_name: str(n, 'familyName', 'name.familyName'),
    display_name: displayName,
    phone: str(primaryPhone, 'value', 'phoneNumbers.value'),
    job_title: str(res, 'title'),
    company: str(ent, 'organization'),
    custom_attributes: customAttributesFrom(getAttr(res, ROSTER_USER_SCHEMA)),
    ...(str(res, 'locale') ? { locale: str(res, 'locale')! } : {}),
    ...(str(res, 'timezone') ? { timezone: str(res, 'timezone')! } : {}),
  };
  // Roster's own field rules (username characters, email syntax, lengths, locale, time zone).
  const checked = UserUpdate.safeParse(rest);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const field = { username: 'userName', email: 'emails.value', first_name: 'name.givenName', last_name: 'name.familyName', display_name: 'displayName', phone: 'phoneNumbers.value', job_title: 'title', company: 'organization', custom_attributes: ROSTER_USER_SCHEMA }[String(issue.path[0])] ?? String(issue.path[0]);
    throw invalidValue(`"${field}" ${issue.message}`);
  }
  return { rest, externalId: str(res, 'externalId'), scimAttributes: Object.keys(extras).length ? extras : null, ...(active !== undefined ? { active } : {}), ...(password !== undefined ? { password } : {}) };
}

export interface ScimGroupRow {
  id: string;
  name: string;
  externalId: string | null;
  version: number;
  createdAt: unknown;
  updatedAt: unknown;
}

export interface MemberRow {
  groupId: string;
  userId: string | null;
  memberGroupId: string | null;
  display: string | null;
}

export function toScimGroup(g: ScimGroupRow, members: MemberRow[], base: string): Obj {
  return compact({
    schemas: [CORE_GROUP_SCHEMA],
    id: g.id,
    externalId: g.externalId,
    displayName: g.name,
    members: members.map((m) => {
      const id = (m.userId ?? m.memberGroupId)!;
      const type = m.userId ? 'User' : 'Group';
      return compact({ value: id, $ref: `${base}/${type}s/${id}`, display: m.display, type });
    }),
    meta: { resourceType: 'Group', created: iso(g.createdAt), lastModified: iso(g.updatedAt), version: etagOf(g.version), location: `${base}/Groups/${g.id}` },
  });
}

export interface GroupFields {
  displayName: string;
  externalId: string | null;
  memberIds: string[];
}

export function fromScimGroup(res: unknown): GroupFields {
  if (!isObj(res)) throw invalidValue('The body must be a Group object');
  const displayName = str(res, 'displayName');
  if (!displayName?.trim()) throw invalidValue('"displayName" is required');
  if (displayName.length > 200) throw invalidValue('"displayName" is longer than 200 characters');
  const memberIds = multi(res, 'members').map((m) => {
    const v = getAttr(m, 'value');
    if (typeof v !== 'string' || !v) throw invalidValue('Each member needs a "value" (the member\'s id)');
    return v.toLowerCase();
  });
  return { displayName, externalId: str(res, 'externalId'), memberIds: [...new Set(memberIds)] };
}

/**
 * `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5): id, schemas and meta are always
 * returned; `returned: request` attributes (groups) only when asked for.
 */
export function project(res: Obj, schema: ResourceSchema, attributes?: string[], excluded?: string[]): Obj {
  const split = (a: string): [string | undefined, string, string | undefined] => {
    const lower = a.toLowerCase();
    for (const urn of [schema.core, ...schema.extensions.map((e) => e.urn)]) {
      if (lower === urn.toLowerCase()) return [urn, '', undefined];
      if (lower.startsWith(`${urn.toLowerCase()}:`)) {
        const [attr, sub] = a.slice(urn.length + 1).split('.');
        return [urn === schema.core ? undefined : urn, attr, sub];
      }
    }
    const [attr, sub] = a.split('.');
    return [undefined, attr, sub];
  };
  const always = new Set(['schemas', 'id', 'meta']);
  const requested = (attributes ?? []).map(split);
  const out: Obj = {};
  for (const [k, v] of Object.entries(res)) {
    const ext = schema.extensions.find((e) => e.urn === k);
    const def = !ext ? schema.attrs.find((d) => d.name === k) : undefined;
    if (always.has(k)) {
      out[k] = v;
      continue;
    }
    if (attributes?.length) {
      const hits = requested.filter(([e, a]) => (ext ? e === ext.urn : !e && a.toLowerCase() === k.toLowerCase()));
      if (!hits.length) continue;
      if (ext && hits.every(([, a]) => a) && isObj(v)) {
        const keep = new Set(hits.map(([, a]) => a.toLowerCase()));
        out[k] = Object.fromEntries(Object.entries(v).filter(([sk]) => keep.has(sk.toLowerCase())));
      } else if (!ext && hits.every(([, , s]) => s) && (isObj(v) || Array.isArray(v))) {
        const keep = new Set(hits.map(([, , s]) => s!.toLowerCase()));
        const pick = (o: unknown) => (isObj(o) ? Object.fromEntries(Object.entries(o).filter(([sk]) => keep.has(sk.toLowerCase()))) : o);
        out[k] = Array.isArray(v) ? v.map(pick) : pick(v);
      } else {
        out[k] = v;
      }
      continue;
    }
    if (def?.returned === 'request' || def?.returned === 'never') continue;
    out[k] = v;
  }
  for (const [e, a, s] of (excluded ?? []).map(split)) {
    const key = e ? (a ? undefined : e) : Object.keys(out).find((k) => k.toLowerCase() === a.toLowerCase());
    if (e && a && isObj(out[e])) {
      const inner = { ...(out[e] as Obj) };
      for (const k of Object.keys(inner)) if (k.toLowerCase() === a.toLowerCase()) delete inner[k];
      out[e] = inner;
      continue;
    }
    if (!key || always.has(key)) continue;
    if (s && isObj(out[key])) {
      out[key] = Object.fromEntries(Object.entries(out[key] as Obj).filter(([sk]) => sk.toLowerCase() !== s.toLowerCase()));
    } else if (!s) {
      delete out[key];
    }
  }
  return out;
}
