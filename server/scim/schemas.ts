import { CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA, ROSTER_USER_SCHEMA } from './user-attributes';
import { CORE_GROUP_SCHEMA } from './group-attributes';

/**
 * The attributes Roster supports, as RFC 7643 §7 describes them. The same table serves the
 * /Schemas documents and PATCH path resolution, so what is advertised is what is accepted.
 */
export interface AttrDef {
  name: string;
  type: 'string' | 'boolean' | 'decimal' | 'integer' | 'complex' | 'reference' | 'dateTime';
  multiValued: boolean;
  required: boolean;
  caseExact: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'never' | 'default' | 'request';
  uniqueness: 'none' | 'server' | 'global';
  description: string;
  subAttributes?: AttrDef[];
  canonicalValues?: string[];
  referenceTypes?: string[];
}

type Opts = Partial<Omit<AttrDef, 'name' | 'description'>>;
const attr = (name: string, description: string, o: Opts = {}): AttrDef => ({
  name, type: 'string', multiValued: false, required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none', description, ...o,
});
const complex = (name: string, description: string, subAttributes: AttrDef[], o: Opts = {}) => attr(name, description, { type: 'complex', subAttributes, ...o });
const multi = (name: string, description: string, subAttributes: AttrDef[], o: Opts = {}) => complex(name, description, subAttributes, { multiValued: true, ...o });
const typed = (types: string[]) => attr('type', 'A label for the value\'s function', { canonicalValues: types });
const primary = attr('primary', 'Whether this is the preferred value; the primary email and phone number are the user\'s own columns', { type: 'boolean' });

export const USER_ATTRS: AttrDef[] = [
  attr('userName', 'Unique sign-in name (letters, digits and _ - @ .)', { required: true, uniqueness: 'server' }),
  complex('name', 'The components of the user\'s name', [
    attr('formatted', 'The full name, as displayed (stored as displayName)'),
    attr('familyName', 'Family name'),
    attr('givenName', 'Given name'),
    attr('middleName', 'Middle name'),
    attr('honorificPrefix', 'Honorific prefix'),
    attr('honorificSuffix', 'Honorific suffix'),
  ]),
  attr('displayName', 'Name shown to people'),
  attr('nickName', 'Casual name'),
  attr('title', 'Job title'),
  attr('userType', 'Relationship to the organisation (Employee, Contractor...)'),
  attr('preferredLanguage', 'Preferred written or spoken language'),
  attr('locale', 'Locale tag (en, en-GB...)'),
  attr('timezone', 'IANA time zone'),
  attr('active', 'Whether the user may sign in: status ACTIVE; false disables the user', { type: 'boolean' }),
  attr('password', 'Sets the password under the tenant\'s policy; never returned', { mutability: 'writeOnly', returned: 'never', caseExact: true }),
  multi('emails', 'Email addresses; the primary one is the user\'s unique sign-in email', [
    attr('value', 'Email address'), typed(['work', 'home', 'other']), primary,
  ]),
  multi('phoneNumbers', 'Phone numbers; the primary one is the user\'s phone', [
    attr('value', 'Phone number'), typed(['work', 'home', 'mobile', 'fax', 'pager', 'other']), primary,
  ]),
  multi('addresses', 'Physical mailing addresses (stored, not searchable)', [
    attr('formatted', 'Full address'), attr('streetAddress', 'Street'), attr('locality', 'City'), attr('region', 'Region'),
    attr('postalCode', 'Postal code'), attr('country', 'Country code'), typed(['work', 'home', 'other']), primary,
  ]),
  multi('photos', 'URLs of photos (stored, not searchable)', [
    attr('value', 'Photo URL', { type: 'reference', referenceTypes: ['external'], caseExact: true }), typed(['photo', 'thumbnail']), primary,
  ]),
  multi('groups', 'Groups the user is a direct or inherited member of; change membership through Groups', [
    attr('value', 'Group id', { mutability: 'readOnly' }),
    attr('$ref', 'Group URI', { type: 'reference', referenceTypes: ['Group'], mutability: 'readOnly' }),
    attr('display', 'Group name', { mutability: 'readOnly' }),
    attr('type', 'direct or indirect', { mutability: 'readOnly', canonicalValues: ['direct', 'indirect'] }),
  ], { mutability: 'readOnly', returned: 'request' }),
  attr('externalId', 'The provisioning client\'s id for the user', { caseExact: true }),
];

export const ENTERPRISE_ATTRS: AttrDef[] = [
  attr('employeeNumber', 'Employee number'),
  attr('costCenter', 'Cost center'),
  attr('organization', 'Organisation (the user\'s company)'),
  attr('division', 'Division'),
  attr('department', 'Department'),
  complex('manager', 'The user\'s manager', [
    attr('value', 'The manager\'s id'),
    attr('$ref', 'The manager\'s URI', { type: 'reference', referenceTypes: ['User'] }),
    attr('displayName', 'The manager\'s display name', { mutability: 'readOnly' }),
  ]),
];

export const GROUP_ATTRS: AttrDef[] = [
  attr('displayName', 'Group name, unique in the tenant (case-insensitive)', { required: true, uniqueness: 'server' }),
  multi('members', 'Direct members: users and groups', [
    attr('value', 'Member id', { mutability: 'immutable', caseExact: true }),
    attr('$ref', 'Member URI', { type: 'reference', referenceTypes: ['User', 'Group'], mutability: 'immutable' }),
    attr('display', 'Member name', { mutability: 'readOnly' }),
    attr('type', 'User or Group', { mutability: 'immutable', canonicalValues: ['User', 'Group'] }),
  ]),
  attr('externalId', 'The provisioning client\'s id for the group', { caseExact: true }),
];

/**
 * The schemas /Schemas serves. Roster's extension lists the tenant's custom attributes (the keys
 * its users have), so its attributes come with each request.
 */
export function schemaList(customAttrs: AttrDef[]) {
  return [
    { id: CORE_USER_SCHEMA, name: 'User', description: 'User Account', attributes: USER_ATTRS },
    { id: ENTERPRISE_USER_SCHEMA, name: 'EnterpriseUser', description: 'Enterprise User', attributes: ENTERPRISE_ATTRS },
    {
      id: ROSTER_USER_SCHEMA, name: 'RosterUser', attributes: customAttrs,
      description: 'The user\'s custom attributes (custom_attributes in the REST API). Listed are the names the tenant\'s users have; any name of 1-100 letters, digits, _ and - may be written.',
    },
    { id: CORE_GROUP_SCHEMA, name: 'Group', description: 'Group', attributes: GROUP_ATTRS },
  ];
}

export const MAX_COUNT = 200;
export const DEFAULT_COUNT = 100;
export const MAX_PATCH_OPERATIONS = 1000;
/** Bulk limits (RFC 7644 §3.7.4), advertised and enforced with 413. */
export const MAX_BULK_OPERATIONS = 1000;
export const MAX_BULK_PAYLOAD = 1_048_576;

export function serviceProviderConfig(base: string, maxPayloadSize: number) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: 'https://github.com/roster/roster#connect-entra-id--okta',
    patch: { supported: true },
    bulk: { supported: true, maxOperations: MAX_BULK_OPERATIONS, maxPayloadSize },
    filter: { supported: true, maxResults: MAX_COUNT },
    changePassword: { supported: true },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [{
      type: 'oauthbearertoken', name: 'API token', primary: true,
      description: 'A tenant API token with the scope "scim", sent as "Authorization: Bearer rst_..."',
    }],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypes(base: string) {
  return [
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'User', name: 'User', endpoint: '/Users', description: 'User Account',
      schema: CORE_USER_SCHEMA, schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }, { schema: ROSTER_USER_SCHEMA, required: false }],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'Group', name: 'Group', endpoint: '/Groups', description: 'Group',
      schema: CORE_GROUP_SCHEMA, schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ];
}

export function schemaDocs(base: string, customAttrs: AttrDef[]) {
  return schemaList(customAttrs).map((s) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'], ...s, meta: { resourceType: 'Schema', location: `${base}/Schemas/${s.id}` } }));
}

/** Looks an attribute up by name, case-insensitively (RFC 7643 §2.1). */
export const findAttr = (defs: AttrDef[] | undefined, name: string) => defs?.find((d) => d.name.toLowerCase() === name.toLowerCase());
