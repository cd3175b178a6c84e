import { parseScimFilter, type ScimFilter } from './filter-parser';
import { findAttr, type AttrDef } from './schemas';
import { invalidPath, invalidSyntax, invalidValue, mutability, noTarget } from './scim-error';

/**
 * RFC 7644 §3.5.2 PATCH, applied to a resource's SCIM representation; the caller then writes
 * the result through the service layer like a PUT, so every rule is checked once. A value
 * filter in a path selects among the values of one resource, never among rows.
 *
 * Accepted beyond the letter of the RFC, because real clients send them: capitalised ops
 * ("Replace"), no-path values keyed by dotted or URN-qualified paths ({"name.givenName": ...}),
 * removal of members listed in `value` (Entra ID), and an add or replace whose value filter
 * matches nothing, which adds the value the filter describes (Entra ID's emails[type eq "work"]).
 */

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface PatchOp {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: unknown;
}

export interface ResourceSchema {
  core: string;
  attrs: AttrDef[];
  /** `open`: any attribute name is accepted (custom attributes, whose keys the client chooses). */
  extensions: { urn: string; attrs: AttrDef[]; open?: boolean }[];
}

const OPEN_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,99}$/;
/** An attribute of an open extension that no definition names yet: a single value of any JSON type. */
const openAttr = (name: string): AttrDef => ({
  name, type: 'string', multiValued: false, required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none', description: name,
});

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parsePatchBody(body: unknown, maxOperations: number): PatchOp[] {
  if (!isObj(body)) throw invalidSyntax('The body must be a PatchOp object');
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase())) {
    throw invalidSyntax(`The body must list the schema ${PATCH_OP_SCHEMA}`);
  }
  const ops = body.Operations ?? body.operations;
  if (!Array.isArray(ops) || ops.length === 0) throw invalidSyntax('"Operations" must be a non-empty array');
  if (ops.length > maxOperations) throw invalidValue(`At most ${maxOperations} operations per PATCH`);
  return ops.map((o, i) => {
    if (!isObj(o)) throw invalidSyntax(`Operation ${i + 1} is not an object`);
    const op = typeof o.op === 'string' ? o.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw invalidSyntax(`Operation ${i + 1}: "op" must be add, replace or remove`);
    if (o.path !== undefined && (typeof o.path !== 'string' || !o.path.trim())) throw invalidPath(`Operation ${i + 1}: "path" must be a non-empty string`);
    if (op === 'remove' && o.path === undefined) throw noTarget(`Operation ${i + 1}: remove needs a "path"`);
    if (op !== 'remove' && o.value === undefined) throw invalidValue(`Operation ${i + 1}: ${op} needs a "value"`);
    return { op, ...(o.path !== undefined ? { path: (o.path as string).trim() } : {}), ...(o.value !== undefined ? { value: o.value } : {}) } as PatchOp;
  });
}

interface Target {
  ext?: string;
  def: AttrDef;
  filter?: ScimFilter;
  sub?: AttrDef;
}

const PATH = /^([A-Za-z$][\w$-]*)(?:\[(.*)\])?(?:\.([A-Za-z$][\w$-]*))?$/s;

function parsePath(path: string, schema: ResourceSchema): Target {
  let rest = path;
  let ext: string | undefined;
  const lower = path.toLowerCase();
  for (const urn of [schema.core, ...schema.extensions.map((e) => e.urn)]) {
    if (lower.startsWith(`${urn.toLowerCase()}:`)) {
      rest = path.slice(urn.length + 1);
      ext = urn === schema.core ? undefined : urn;
      break;
    }
  }
  const m = PATH.exec(rest);
  if (!m) throw invalidPath(`"${path}" is not a valid attribute path`);
  const [, name, filterText, subName] = m;
  if (!ext && ['id', 'meta', 'schemas'].includes(name.toLowerCase())) throw mutability(`"${name}" is read-only`);
  const extension = ext ? schema.extensions.find((e) => e.urn === ext) : undefined;
  const def = findAttr(extension ? extension.attrs : schema.attrs, name) ?? (extension?.open && OPEN_NAME.test(name) ? openAttr(name) : undefined);
  if (!def) throw invalidPath(`Unknown attribute "${path}"`);
  if (extension?.open && subName !== undefined) throw invalidPath(`"${path}": a custom attribute is written whole, not by sub-attribute`);
  let filter: ScimFilter | undefined;
  if (filterText !== undefined) {
    if (!def.multiValued) throw invalidPath(`"${def.name}" is not multi-valued and cannot take a value filter`);
    try {
      filter = parseScimFilter(filterText);
    } catch (e) {
      throw invalidPath(`Invalid value filter in "${path}": ${(e as Error).message}`);
    }
  }
  let sub: AttrDef | undefined;
  if (subName !== undefined) {
    sub = findAttr(def.subAttributes, subName);
    if (!sub) throw invalidPath(`"${def.name}" has no sub-attribute "${subName}"`);
  }
  if (def.mutability === 'readOnly' || sub?.mutability === 'readOnly') throw mutability(`"${path}" is read-only`);
  return { ext, def, filter, sub };
}

/** The key under which `obj` holds `name`, whatever its case. */
export const keyOf = (obj: Obj, name: string) => Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
export const getAttr = (obj: Obj, name: string): unknown => {
  const k = keyOf(obj, name);
  return k === undefined ? undefined : obj[k];
};
function setAttr(obj: Obj, name: string, value: unknown) {
  const k = keyOf(obj, name);
  if (k !== undefined) delete obj[k];
  obj[name] = value;
}
function deleteAttr(obj: Obj, name: string) {
  const k = keyOf(obj, name);
  if (k !== undefined) delete obj[k];
}

/** "True"/"False" as Entra ID sends booleans. */
export function asBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  return undefined;
}

function compareValues(left: unknown, op: string, right: string | number | boolean | null): boolean {
  if (typeof right === 'boolean') return asBoolean(left) === right && op === 'eq';
  if (right === null) return op === 'eq' ? left == null : left != null;
  if (typeof left !== 'string' && typeof left !== 'number') return op === 'ne';
  const l = typeof left === 'string' ? left.toLowerCase() : left;
  const r: string | number = typeof right === 'string' ? right.toLowerCase() : right;
  switch (op) {
    case 'eq': return l === r;
    case 'ne': return l !== r;
    case 'co': return String(l).includes(String(r));
    case 'sw': return String(l).startsWith(String(r));
    case 'ew': return String(l).endsWith(String(r));
    case 'gt': return l > r;
    case 'ge': return l >= r;
    case 'lt': return l < r;
    case 'le': return l <= r;
    default: return false;
  }
}

/** Whether one value of a multi-valued attribute matches a value filter (sub-attributes only). */
export function matchesValue(item: unknown, f: ScimFilter): boolean {
  switch (f.op) {
    case 'and': return matchesValue(item, f.left) && matchesValue(item, f.right);
    case 'or': return matchesValue(item, f.left) || matchesValue(item, f.right);
    case 'not': return !matchesValue(item, f.filter);
    case 'valuePath': throw invalidPath('Value filters cannot be nested');
    default: {
      if (f.path.subAttribute || f.path.schema) throw invalidPath('A value filter names sub-attributes only');
      const v = isObj(item) ? getAttr(item, f.path.attribute) : f.path.attribute.toLowerCase() === 'value' ? item : undefined;
      if (f.op === 'pr') return v !== undefined && v !== null && v !== '';
      return compareValues(v, f.op, f.value);
    }
  }
}

/** The value a filter of `eq` conditions describes, to add when nothing matches it. */
function seedOf(f: ScimFilter): Obj | undefined {
  if (f.op === 'eq' && !f.path.subAttribute && f.value !== null) return { [f.path.attribute]: f.value };
  if (f.op === 'and') {
    const l = seedOf(f.left);
    const r = seedOf(f.right);
    return l && r ? { ...l, ...r } : undefined;
  }
  return undefined;
}

const sameValue = (a: unknown, b: unknown) =>
  isObj(a) && isObj(b) && getAttr(a, 'value') !== undefined ? String(getAttr(a, 'value')).toLowerCase() === String(getAttr(b, 'value')).toLowerCase() : JSON.stringify(a) === JSON.stringify(b);

export function applyPatch(resource: Obj, ops: PatchOp[], schema: ResourceSchema): Obj {
  for (const op of ops) applyOp(resource, op, schema);
  return resource;
}

function applyOp(res: Obj, op: PatchOp, schema: ResourceSchema) {
  if (op.path === undefined) {
    if (!isObj(op.value)) throw invalidValue(`An ${op.op} without a path needs an object value`);
    for (const [key, value] of Object.entries(op.value)) {
      const ext = schema.extensions.find((e) => e.urn.toLowerCase() === key.toLowerCase());
      if (ext && isObj(value)) {
        for (const [k, v] of Object.entries(value)) applyOp(res, { op: op.op, path: `${ext.urn}:${k}`, value: v }, schema);
      } else if (['schemas', 'id', 'meta'].includes(key.toLowerCase())) {
        // The resource's own identity, echoed back by clients that replace the whole object.
        continue;
      } else {
        applyOp(res, { op: op.op, path: key, value }, schema);
      }
    }
    return;
  }
  const t = parsePath(op.path, schema);
  let c: Obj | undefined = res;
  if (t.ext) {
    const existing = getAttr(res, t.ext);
    if (isObj(existing)) c = existing;
    else if (op.op === 'remove') return;
    else setAttr(res, t.ext, (c = {}));
  }
  // A custom attribute keeps the spelling it is stored with.
  const name = t.ext && schema.extensions.find((e) => e.urn === t.ext)?.open ? (keyOf(c, t.def.name) ?? t.def.name) : t.def.name;
  const current = getAttr(c, name);

  if (t.filter) {
    const items = Array.isArray(current) ? current : [];
    const matches = items.filter((item) => matchesValue(item, t.filter!));
    if (op.op === 'remove') {
      if (!matches.length) throw noTarget(`No value matches "${op.path}"`);
      if (t.sub) {
        for (const m of matches) if (isObj(m)) deleteAttr(m, t.sub.name);
      } else {
        setAttr(c, name, items.filter((i) => !matches.includes(i)));
      }
      return;
    }
    if (!matches.length) {
      const seed = seedOf(t.filter);
      if (!seed) throw noTarget(`No value matches "${op.path}"`);
      const item = t.sub ? { ...seed, [t.sub.name]: op.value } : { ...seed, ...(isObj(op.value) ? op.value : { value: op.value }) };
      setAttr(c, name, [...items, item]);
      return;
    }
    setAttr(c, name, items.map((i) => {
      if (!matches.includes(i)) return i;
      if (!t.sub) return op.value;
      const copy = { ...(isObj(i) ? i : {}) };
      setAttr(copy, t.sub.name, op.value);
      return copy;
    }));
    return;
  }

  if (t.sub) {
    if (t.def.multiValued) {
      if (!Array.isArray(current)) return;
      for (const item of current) {
        if (!isObj(item)) continue;
        if (op.op === 'remove') deleteAttr(item, t.sub.name);
        else setAttr(item, t.sub.name, op.value);
      }
      return;
    }
    if (op.op === 'remove') {
      if (isObj(current)) deleteAttr(current, t.sub.name);
      return;
    }
    const obj = isObj(current) ? current : {};
    setAttr(obj, t.sub.name, op.value);
    setAttr(c, name, obj);
    return;
  }

  if (op.op === 'remove') {
    if (t.def.multiValued && Array.isArray(op.value) && Array.isArray(current)) {
      const gone = op.value;
      setAttr(c, name, current.filter((i) => !gone.some((g) => sameValue(i, g))));
    } else {
      deleteAttr(c, name);
    }
    return;
  }
  if (t.def.multiValued) {
    const incoming = Array.isArray(op.value) ? op.value : [op.value];
    const base = op.op === 'add' && Array.isArray(current) ? current : [];
    let merged = [...base.filter((b) => !incoming.some((n) => sameValue(b, n))), ...incoming];
    // Only one value may be primary (RFC 7643 §2.4): a new primary demotes the others.
    if (incoming.some((n) => isObj(n) && asBoolean(getAttr(n, 'primary')) === true)) {
      merged = merged.map((m) => (isObj(m) && !incoming.includes(m) && asBoolean(getAttr(m, 'primary')) ? { ...m, primary: false } : m));
    }
    setAttr(c, name, merged);
    return;
  }
  if (t.def.type === 'complex' && isObj(op.value)) {
    // Sub-attributes left out of the value stay as they were (RFC 7644 §3.5.2.3).
    const obj = { ...(isObj(current) ? current : {}) };
    for (const [k, v] of Object.entries(op.value)) setAttr(obj, findAttr(t.def.subAttributes, k)?.name ?? k, v);
    setAttr(c, name, obj);
    return;
  }
  setAttr(c, name, op.value);
}
