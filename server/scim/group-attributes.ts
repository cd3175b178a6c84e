import { formatPath, type AttrPath } from './filter-parser';
import { invalidFilter } from './scim-error';
import type { AttributeMap, UserAttribute } from './user-attributes';

export const CORE_GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/**
 * Which SCIM Group attributes a filter may name, as columns of the groups table. displayName
 * goes through the normalised name column, which is also what makes group names unique.
 */
const GROUP: Record<string, UserAttribute> = {
  id: { kind: 'id', column: 'groups.id' },
  displayname: { kind: 'string', column: 'groups.name_normalized', normalized: true },
  externalid: { kind: 'string', column: 'groups.external_id', normalized: false, caseExact: true },
  'meta.created': { kind: 'dateTime', column: 'groups.created_at' },
  'meta.lastmodified': { kind: 'dateTime', column: 'groups.updated_at' },
  'meta.resourcetype': { kind: 'constant', value: 'Group', caseExact: true },
  // `members eq "<id>"` is how Entra ID asks whether a user is still in a group.
  members: { kind: 'member' },
  'members.value': { kind: 'member' },
};

/** Known, but answered with a clear 400: members are found by id only. */
const UNSUPPORTED = new Set(['members.display', 'members.type', 'members.$ref', 'schemas', 'meta.location', 'meta.version']);

function resolve(path: AttrPath, parent?: AttrPath): UserAttribute {
  const schema = (parent?.schema ?? path.schema)?.toLowerCase();
  const shown = parent ? `${formatPath(parent)}.${path.attribute}` : formatPath(path);
  if (schema !== undefined && schema !== CORE_GROUP_SCHEMA.toLowerCase()) throw invalidFilter(`Unknown schema in filter attribute "${shown}"`);
  const name = (parent ? `${parent.attribute}.${path.attribute}` : path.subAttribute ? `${path.attribute}.${path.subAttribute}` : path.attribute).toLowerCase();
  const found = GROUP[name];
  if (found) return found;
  if (UNSUPPORTED.has(name)) throw invalidFilter(`Filtering on "${shown}" is not supported`);
  throw invalidFilter(`Unknown filter attribute "${shown}"`);
}

export const GROUP_ATTRIBUTES: AttributeMap = {
  resolve,
  isComplex: (path) => ['meta', 'members'].includes(path.attribute.toLowerCase()) && !path.schema,
};
