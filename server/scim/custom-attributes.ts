import type { Database } from '../db/database';
import type { AttrDef } from './schemas';
import { invalidValue } from './scim-error';
import { ROSTER_USER_SCHEMA } from './user-attributes';

/**
 * Roster users carry `custom_attributes`, a JSON object the REST API accepts with any key of at
 * most 100 characters and any value; tenants declare no list of them. SCIM sees the object as
 * the extension schema ROSTER_USER_SCHEMA, one attribute per key. The /Schemas document lists the
 * keys the tenant's users have (found in SQL), typed by their stored JSON values; a client may
 * write new keys, as the REST API may.
 */

/** What a SCIM attribute name may be (RFC 7643 §2.1, ATTRNAME), within the REST API's 100 characters. */
export const CUSTOM_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,99}$/;

const KEYS_SQL = {
  sqlite: `SELECT DISTINCT j.key AS name, j.type AS type FROM users, json_each(users.custom_attributes) j
    WHERE users.tenant_id = ? AND users.deleted_at IS NULL AND json_valid(users.custom_attributes) AND json_type(users.custom_attributes) = 'object'
    ORDER BY 1, 2`,
  // Named as SQLite's json_type() names them, so one mapping serves both engines. (No "?" in the
  // SQL: knex would read it as a binding.)
  pg: `SELECT DISTINCT k.key AS name, CASE jsonb_typeof(k.value)
      WHEN 'string' THEN 'text' WHEN 'boolean' THEN k.value::text
      WHEN 'number' THEN CASE WHEN k.value::text ~ '^-{0,1}[0-9]+$' THEN 'integer' ELSE 'real' END
      ELSE jsonb_typeof(k.value) END AS type
    FROM users CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(users.custom_attributes) = 'object' THEN users.custom_attributes ELSE '{}'::jsonb END) k
    WHERE users.tenant_id = ? AND users.deleted_at IS NULL
    ORDER BY 1, 2`,
};

const SCIM_TYPE: Record<string, AttrDef['type']> = {
  text: 'string', integer: 'integer', real: 'decimal', true: 'boolean', false: 'boolean', object: 'complex', array: 'string',
};

/** The tenant's custom attributes as SCIM attribute definitions, from the keys in use. */
export async function customAttributeDefs(db: Database, tenantId: string): Promise<AttrDef[]> {
  const rows = await db.reads.all<{ name: string; type: string }>(KEYS_SQL[db.dialect], [tenantId]);
  const types = new Map<string, Set<string>>();
  for (const r of rows) {
    if (!CUSTOM_NAME.test(r.name) || r.type === 'null') continue;
    types.set(r.name, (types.get(r.name) ?? new Set()).add(r.type));
  }
  return [...types].map(([name, seen]): AttrDef => {
    const kinds = new Set([...seen].map((t) => SCIM_TYPE[t] ?? 'string'));
    // Integers next to decimals are decimals; any other mix is read as text.
    const type = kinds.size === 1 ? [...kinds][0] : [...kinds].every((k) => k === 'integer' || k === 'decimal') ? 'decimal' : 'string';
    return {
      name, type, multiValued: seen.has('array'), required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none',
      description: `Custom attribute "${name}" (users.custom_attributes)`,
    };
  });
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The extension object of a SCIM User as custom_attributes: null values are unassigned and left
 * out (RFC 7643 §2.5); keys follow the REST API's rule (at most 100 characters).
 */
export function customAttributesFrom(raw: unknown): Obj {
  if (raw === undefined || raw === null) return {};
  if (!isObj(raw)) throw invalidValue(`"${ROSTER_USER_SCHEMA}" must be an object`);
  const out: Obj = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!k.trim() || k.length > 100) throw invalidValue(`Custom attribute names have 1 to 100 characters; "${k.slice(0, 40)}" does not`);
    if (v === null || v === undefined) continue;
    out[k] = v;
  }
  return out;
}
