import { formatPath, type AttrPath } from './filter-parser';
import { invalidFilter } from './scim-error';

/**
 * Which SCIM User attributes a filter may name and what each is in the users table. Names are
 * matched case-insensitively (RFC 7644 §3.4.2.2); the caseExact flags follow RFC 7643 §4.1.
 *
 * A user has exactly one email, exposed as the primary "work" entry of `emails`, and at most
 * one phone number; so a value filter on them is a condition on the row itself and needs no
 * correlation between sub-attributes.
 */

export const CORE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** Roster's extension: the user's custom_attributes, one SCIM attribute per key. */
export const ROSTER_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:roster:2.0:User';

export type UserAttribute =
  /**
   * Text; `normalized` columns already hold NFKC lower-case values, so no lower() is needed;
   * `caseExact` ones (externalId) are compared as stored.
   */
  | { kind: 'string'; column: string; normalized: boolean; caseExact?: boolean }
  /** users.id: a lower-case UUID, compared case-exactly. */
  | { kind: 'id'; column: string }
  | { kind: 'dateTime'; column: string }
  /** `active`: a view of users.status. */
  | { kind: 'active' }
  /** The same value for every user (emails.type is always "work"): folded before any SQL is written. */
  | { kind: 'constant'; value: string | boolean; caseExact: boolean }
  /**
   * A value inside a JSON object column (custom_attributes, scim_attributes), found by its path of
   * keys and compared by its JSON type.
   */
  | { kind: 'json'; column: string; path: string[] }
  /** A group's direct members (live users and groups), matched by id. */
  | { kind: 'member' };

/** SCIM attributes kept in users.scim_attributes (see resources.ts), by their path there. */
const scimJson = (...path: string[]): UserAttribute => ({ kind: 'json', column: 'users.scim_attributes', path });

const CORE: Record<string, UserAttribute> = {
  id: { kind: 'id', column: 'users.id' },
  externalid: { kind: 'string', column: 'users.external_id', normalized: false, caseExact: true },
  username: { kind: 'string', column: 'users.username_normalized', normalized: true },
  'name.givenname': { kind: 'string', column: 'users.first_name', normalized: false },
  'name.familyname': { kind: 'string', column: 'users.last_name', normalized: false },
  'name.formatted': { kind: 'string', column: 'users.display_name', normalized: false },
  displayname: { kind: 'string', column: 'users.display_name', normalized: false },
  title: { kind: 'string', column: 'users.job_title', normalized: false },
  locale: { kind: 'string', column: 'users.locale', normalized: false },
  timezone: { kind: 'string', column: 'users.timezone', normalized: false },
  active: { kind: 'active' },
  // A complex multi-valued attribute named without a sub-attribute means its `value`.
  emails: { kind: 'string', column: 'users.email_normalized', normalized: true },
  'emails.value': { kind: 'string', column: 'users.email_normalized', normalized: true },
  'emails.type': { kind: 'constant', value: 'work', caseExact: false },
  'emails.primary': { kind: 'constant', value: true, caseExact: false },
  phonenumbers: { kind: 'string', column: 'users.phone', normalized: false },
  'phonenumbers.value': { kind: 'string', column: 'users.phone', normalized: false },
  'meta.created': { kind: 'dateTime', column: 'users.created_at' },
  'meta.lastmodified': { kind: 'dateTime', column: 'users.updated_at' },
  'meta.resourcetype': { kind: 'constant', value: 'User', caseExact: true },
  usertype: scimJson('userType'),
  nickname: scimJson('nickName'),
  preferredlanguage: scimJson('preferredLanguage'),
  'name.middlename': scimJson('name', 'middleName'),
  'name.honorificprefix': scimJson('name', 'honorificPrefix'),
  'name.honorificsuffix': scimJson('name', 'honorificSuffix'),
};

const ENTERPRISE: Record<string, UserAttribute> = {
  organization: { kind: 'string', column: 'users.company', normalized: false },
  employeenumber: scimJson('enterprise', 'employeeNumber'),
  costcenter: scimJson('enterprise', 'costCenter'),
  division: scimJson('enterprise', 'division'),
  department: scimJson('enterprise', 'department'),
  manager: scimJson('enterprise', 'manager', 'value'),
  'manager.value': scimJson('enterprise', 'manager', 'value'),
};

/** Known SCIM attributes Roster has no column for: a clearer answer than "unknown attribute". */
const UNSUPPORTED = new Set(['schemas', 'profileurl', 'password',
  'ims', 'photos', 'addresses', 'groups', 'entitlements', 'roles', 'x509certificates', 'meta.location', 'meta.version',
  'phonenumbers.type', 'phonenumbers.primary', 'emails.display']);

const key = (attribute: string, subAttribute?: string) => (subAttribute ? `${attribute}.${subAttribute}` : attribute).toLowerCase();

/**
 * The mapping of an attribute path; inside a value filter `parent` is the path in front of the
 * brackets. Throws 400 invalidFilter naming the attribute when it is unknown or not filterable.
 */
export function resolveUserAttribute(path: AttrPath, parent?: AttrPath): UserAttribute {
  let schema = parent?.schema ?? path.schema;
  let name: string;
  if (parent) {
    if (path.schema || path.subAttribute) throw invalidFilter(`"${formatPath(path)}" is not a sub-attribute of ${formatPath(parent)}`);
    name = key(parent.attribute, path.attribute);
  } else {
    name = key(path.attribute, path.subAttribute);
  }
  const shown = parent ? `${formatPath(parent)}.${path.attribute}` : formatPath(path);
  schema = schema?.toLowerCase();

  if (schema === ROSTER_USER_SCHEMA.toLowerCase()) {
    // Keys are JSON object keys, matched as stored; their values are strings, numbers or booleans.
    if (parent || path.subAttribute) throw invalidFilter(`"${shown}": custom attributes have no sub-attributes`);
    return { kind: 'json', column: 'users.custom_attributes', path: [path.attribute] };
  }
  let found: UserAttribute | undefined;
  if (schema === undefined || schema === CORE_USER_SCHEMA.toLowerCase()) found = CORE[name];
  else if (schema === ENTERPRISE_USER_SCHEMA.toLowerCase()) found = ENTERPRISE[name];
  else throw invalidFilter(`Unknown schema "${parent?.schema ?? path.schema}" in filter attribute "${shown}"`);

  if (found) return found;
  if (UNSUPPORTED.has(name) || (schema === ENTERPRISE_USER_SCHEMA.toLowerCase())) {
    throw invalidFilter(`Filtering on "${shown}" is not supported`);
  }
  throw invalidFilter(`Unknown filter attribute "${shown}"`);
}

/** Whether `path[...]` names a complex attribute a value filter can apply to. */
export function isComplexUserAttribute(path: AttrPath): boolean {
  const prefix = `${path.attribute.toLowerCase()}.`;
  const schema = path.schema?.toLowerCase();
  if (schema !== undefined && schema !== CORE_USER_SCHEMA.toLowerCase()) return false;
  return Object.keys(CORE).some((k) => k.startsWith(prefix));
}

/** How a filter's attribute paths map onto one table: users here, groups in group-attributes.ts. */
export interface AttributeMap {
  resolve(path: AttrPath, parent?: AttrPath): UserAttribute;
  isComplex(path: AttrPath): boolean;
}

export const USER_ATTRIBUTES: AttributeMap = { resolve: resolveUserAttribute, isComplex: isComplexUserAttribute };
