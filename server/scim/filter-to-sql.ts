import type { Knex } from 'knex';
import type { Dialect } from '../db/database';
import { escapeLike } from '../queries/like';
import { formatPath, type AttrPath, type CompareOp, type ScimFilter, type ScimValue } from './filter-parser';
import { invalidFilter } from './scim-error';
import { USER_ATTRIBUTES, type AttributeMap, type UserAttribute } from './user-attributes';

/**
 * A parsed SCIM filter as SQL on the users table. Every value is a bound parameter. The filter
 * is compiled (and so validated) in full before the query builder is touched, because Knex
 * only runs where-callbacks when the query is compiled, long after a 400 should have been thrown.
 *
 * Each comparison is written so it is never NULL (a missing attribute makes it false, not
 * unknown); `not (...)` then really is the complement, and `ne` matches users without the
 * attribute, as an unassigned value is not equal to anything.
 */

export type SqlFilter =
  | { kind: 'raw'; sql: string; bindings: (string | number | boolean)[] }
  | { kind: 'and' | 'or'; left: SqlFilter; right: SqlFilter }
  | { kind: 'not'; filter: SqlFilter };

const TRUE: SqlFilter = { kind: 'raw', sql: '1 = 1', bindings: [] };
const FALSE: SqlFilter = { kind: 'raw', sql: '1 = 0', bindings: [] };
const raw = (sql: string, ...bindings: (string | number | boolean)[]): SqlFilter => ({ kind: 'raw', sql, bindings });
const constant = (b: boolean) => (b ? TRUE : FALSE);

const LIKE = "LIKE ? ESCAPE '\\'";
const SQL_OP: Record<'eq' | 'gt' | 'ge' | 'lt' | 'le', string> = { eq: '=', gt: '>', ge: '>=', lt: '<', le: '<=' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// xsd:dateTime as SCIM sends it; a time needs its offset, or the instant would depend on the
// server's time zone.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/i;

const fold = (s: string) => s.normalize('NFKC').toLowerCase();

function likePattern(op: 'co' | 'sw' | 'ew', value: string): string {
  const e = escapeLike(value);
  return op === 'co' ? `%${e}%` : op === 'sw' ? `${e}%` : `%${e}`;
}

export function compileScimFilter(ast: ScimFilter, dialect: Dialect, attrs: AttributeMap = USER_ATTRIBUTES): SqlFilter {
  return compile(ast, dialect, attrs);
}

function compile(f: ScimFilter, dialect: Dialect, attrs: AttributeMap, parent?: AttrPath): SqlFilter {
  switch (f.op) {
    case 'and':
    case 'or':
      return { kind: f.op, left: compile(f.left, dialect, attrs, parent), right: compile(f.right, dialect, attrs, parent) };
    case 'not':
      return { kind: 'not', filter: compile(f.filter, dialect, attrs, parent) };
    case 'valuePath':
      if (!attrs.isComplex(f.path)) throw invalidFilter(`"${formatPath(f.path)}" is not a complex attribute and cannot take a value filter`);
      return compile(f.filter, dialect, attrs, f.path);
    case 'pr':
      return present(attrs.resolve(f.path, parent), dialect);
    default:
      return compare(attrs.resolve(f.path, parent), f.op, f.value, dialect, parent ? `${formatPath(parent)}.${f.path.attribute}` : formatPath(f.path));
  }
}

function present(a: UserAttribute, dialect: Dialect): SqlFilter {
  switch (a.kind) {
    case 'json':
      return jsonPresent(a, dialect);
    case 'member':
      return raw(`EXISTS (${MEMBERS_SQL})`);
    case 'string':
      return raw(`(${a.column} IS NOT NULL AND ${a.column} <> '')`);
    case 'id':
    case 'dateTime':
      return raw(`${a.column} IS NOT NULL`);
    case 'active':
    case 'constant':
      return TRUE;
  }
}

function compare(a: UserAttribute, op: CompareOp, value: ScimValue, dialect: Dialect, shown: string): SqlFilter {
  // `eq null` asks for an unassigned attribute, `ne null` for an assigned one.
  if (value === null) {
    if (op === 'eq') return { kind: 'not', filter: present(a, dialect) };
    if (op === 'ne') return present(a, dialect);
    throw invalidFilter(`"${op}" cannot compare "${shown}" with null`);
  }
  if (op === 'ne') return { kind: 'not', filter: compare(a, 'eq', value, dialect, shown) };

  switch (a.kind) {
    case 'active':
      if (typeof value !== 'boolean') throw invalidFilter(`"${shown}" is a boolean; compare it with true or false`);
      if (op !== 'eq') throw invalidFilter(`"${op}" is not supported on the boolean "${shown}"`);
      return raw(`users.status ${value ? '=' : '<>'} ?`, 'ACTIVE');
    case 'constant':
      return constant(compareConstant(a, op, value, shown));
    case 'dateTime':
      return compareDateTime(a.column, op, value, shown);
    case 'id':
      return compareId(a.column, op, value, dialect, shown);
    case 'string':
      return compareString(a, op, value, dialect, shown);
    case 'json':
      return compareJson(a, op, value, dialect, shown);
    case 'member': {
      if (op !== 'eq') throw invalidFilter(`"${shown}" is a member id; only "eq" and "ne" compare it`);
      const id = requireString(value, shown);
      return UUID.test(id) ? raw(`EXISTS (${MEMBERS_SQL} AND (gm.user_id = ? OR gm.member_group_id = ?))`, id, id) : FALSE;
    }
  }
}

/** A group's direct members as the members attribute shows them: groups, and users not deleted. */
const MEMBERS_SQL = `SELECT 1 FROM group_members gm LEFT JOIN users mu ON mu.id = gm.user_id
  WHERE gm.group_id = groups.id AND (gm.user_id IS NULL OR mu.deleted_at IS NULL)`;

/**
 * A value inside a JSON object column: SQLite's json_type/json_extract, PostgreSQL's jsonb #> and #>>.
 * The value's JSON type picks the comparison (strings ignoring case, numbers as numbers, booleans
 * by eq); a value of another type never matches. Each test is a CASE, so it is never NULL and a
 * cast only ever sees a number.
 */
function jsonParts(a: Extract<UserAttribute, { kind: 'json' }>, dialect: Dialect) {
  const sqlite = dialect !== 'pg';
  // Path segments are attribute names ([A-Za-z][A-Za-z0-9_-]*): safe inside quotes and braces.
  const key = sqlite ? `$${a.path.map((k) => `."${k}"`).join('')}` : `{${a.path.join(',')}}`;
  return {
    type: sqlite ? `json_type(${a.column}, ?)` : `jsonb_typeof(${a.column} #> CAST(? AS text[]))`,
    text: sqlite ? `json_extract(${a.column}, ?)` : `(${a.column} #>> CAST(? AS text[]))`,
    key,
    string: sqlite ? "'text'" : "'string'",
    number: sqlite ? "('integer', 'real')" : "('number')",
    asNumber: (e: string) => (sqlite ? e : `CAST(${e} AS numeric)`),
    isBool: (b: boolean) => (sqlite ? `= '${b}'` : `= 'boolean'`),
  };
}

const caseOf = (when: string, then: string | undefined, bindings: (string | number | boolean)[]): SqlFilter =>
  raw(then ? `(CASE WHEN ${when} THEN CASE WHEN ${then} THEN 1 ELSE 0 END ELSE 0 END) = 1` : `(CASE WHEN ${when} THEN 1 ELSE 0 END) = 1`, ...bindings);

function jsonPresent(a: Extract<UserAttribute, { kind: 'json' }>, dialect: Dialect): SqlFilter {
  const j = jsonParts(a, dialect);
  return caseOf(`${j.type} IS NOT NULL AND ${j.type} <> 'null' AND (${j.type} <> ${j.string} OR ${j.text} <> '')`, undefined, [j.key, j.key, j.key, j.key]);
}

function compareJson(a: Extract<UserAttribute, { kind: 'json' }>, op: Exclude<CompareOp, 'ne'>, value: Exclude<ScimValue, null>, dialect: Dialect, shown: string): SqlFilter {
  const j = jsonParts(a, dialect);
  if (typeof value === 'boolean') {
    if (op !== 'eq') throw invalidFilter(`"${op}" is not supported on the boolean value of "${shown}"`);
    return dialect === 'pg'
      ? caseOf(`${j.type} = 'boolean'`, `${j.text} = ?`, [j.key, j.key, String(value)])
      : caseOf(`${j.type} ${j.isBool(value)}`, undefined, [j.key]);
  }
  if (typeof value === 'number') {
    if (op === 'co' || op === 'sw' || op === 'ew') throw invalidFilter(`"${op}" needs a string; "${shown}" was compared with a number`);
    return caseOf(`${j.type} IN ${j.number}`, `${j.asNumber(j.text)} ${SQL_OP[op]} ${j.asNumber('?')}`, [j.key, j.key, value]);
  }
  const v = fold(value);
  const expr = `lower(${j.text})`;
  if (op === 'co' || op === 'sw' || op === 'ew') return caseOf(`${j.type} = ${j.string}`, `${expr} ${LIKE}`, [j.key, j.key, likePattern(op, v)]);
  const ordered = op !== 'eq' && dialect === 'pg' ? `${expr} COLLATE "C"` : expr;
  return caseOf(`${j.type} = ${j.string}`, `${ordered} ${SQL_OP[op]} ?`, [j.key, j.key, v]);
}

function requireString(value: ScimValue, shown: string): string {
  if (typeof value !== 'string') throw invalidFilter(`"${shown}" is a string; compare it with a quoted value`);
  return value;
}

function compareString(a: Extract<UserAttribute, { kind: 'string' }>, op: Exclude<CompareOp, 'ne'>, value: ScimValue, dialect: Dialect, shown: string): SqlFilter {
  // caseExact=false: the normalised columns already hold folded text; others are lowered here.
  const v = a.caseExact ? requireString(value, shown) : fold(requireString(value, shown));
  const expr = a.normalized || a.caseExact ? a.column : `lower(${a.column})`;
  const guard = `${a.column} IS NOT NULL AND`;
  if ((op === 'co' || op === 'sw' || op === 'ew') && a.caseExact && dialect !== 'pg') {
    // SQLite's LIKE ignores ASCII case; GLOB does not (its wildcards escaped as one-character classes).
    const g = v.replace(/[[*?]/g, (c) => `[${c}]`);
    return raw(`(${guard} ${expr} GLOB ?)`, op === 'co' ? `*${g}*` : op === 'sw' ? `${g}*` : `*${g}`);
  }
  if (op === 'co' || op === 'sw' || op === 'ew') return raw(`(${guard} ${expr} ${LIKE})`, likePattern(op, v));
  // Order as SQLite does, byte-wise, whatever PostgreSQL's collation is.
  const ordered = op !== 'eq' && dialect === 'pg' ? `${expr} COLLATE "C"` : expr;
  return raw(`(${guard} ${ordered} ${SQL_OP[op]} ?)`, v);
}

function compareId(column: string, op: Exclude<CompareOp, 'ne'>, value: ScimValue, dialect: Dialect, shown: string): SqlFilter {
  const v = requireString(value, shown);
  // Ids are lower-case UUIDs and compare case-exactly; a value that is not one matches nothing
  // (and is never handed to PostgreSQL's uuid parser, which would reject it).
  if (op === 'eq') return UUID.test(v) ? raw(`${column} = ?`, v) : FALSE;
  const text = `CAST(${column} AS TEXT)`;
  if (op === 'co' || op === 'sw' || op === 'ew') {
    // Only lower-case hex digits and dashes can occur in an id; with nothing else in the value,
    // SQLite's case-insensitive LIKE cannot match more than a case-exact comparison would.
    return /^[0-9a-f-]*$/.test(v) ? raw(`${text} ${LIKE}`, likePattern(op, v)) : FALSE;
  }
  return raw(`${text}${dialect === 'pg' ? ' COLLATE "C"' : ''} ${SQL_OP[op]} ?`, v);
}

function compareDateTime(column: string, op: Exclude<CompareOp, 'ne'>, value: ScimValue, shown: string): SqlFilter {
  if (op === 'co' || op === 'sw' || op === 'ew') throw invalidFilter(`"${op}" is not supported on the dateTime "${shown}"`);
  const date = typeof value === 'string' && DATE_TIME.test(value) ? new Date(value) : undefined;
  const year = date?.getUTCFullYear() ?? NaN;
  if (!date || !(year >= 1 && year <= 9999)) {
    throw invalidFilter(`"${shown}" is a dateTime; ${JSON.stringify(value)} is not a quoted ISO 8601 date-time with an offset`);
  }
  // SQLite holds the same ISO 8601 UTC text toISOString() writes, so text order is time order;
  // PostgreSQL reads the bound text as a timestamptz.
  return raw(`(${column} IS NOT NULL AND ${column} ${SQL_OP[op]} ?)`, date.toISOString());
}

function compareConstant(a: Extract<UserAttribute, { kind: 'constant' }>, op: Exclude<CompareOp, 'ne'>, value: Exclude<ScimValue, null>, shown: string): boolean {
  if (typeof a.value === 'boolean') {
    if (typeof value !== 'boolean') throw invalidFilter(`"${shown}" is a boolean; compare it with true or false`);
    if (op !== 'eq') throw invalidFilter(`"${op}" is not supported on the boolean "${shown}"`);
    return a.value === value;
  }
  const v = a.caseExact ? requireString(value, shown) : fold(requireString(value, shown));
  const c = a.caseExact ? a.value : fold(a.value);
  switch (op) {
    case 'eq': return c === v;
    case 'co': return c.includes(v);
    case 'sw': return c.startsWith(v);
    case 'ew': return c.endsWith(v);
    case 'gt': return c > v;
    case 'ge': return c >= v;
    case 'lt': return c < v;
    case 'le': return c <= v;
  }
}

/** Adds a compiled filter to a query as nested where / orWhere / whereNot groups. */
export function applySqlFilter(qb: Knex.QueryBuilder, f: SqlFilter): Knex.QueryBuilder {
  switch (f.kind) {
    case 'raw':
      return qb.whereRaw(f.sql, f.bindings);
    case 'and':
      return qb.where((w) => {
        applySqlFilter(w, f.left);
        applySqlFilter(w, f.right);
      });
    case 'or':
      return qb.where((w) => {
        w.where((l) => {
          applySqlFilter(l, f.left);
        }).orWhere((r) => {
          applySqlFilter(r, f.right);
        });
      });
    case 'not':
      return qb.whereNot((w) => {
        applySqlFilter(w, f.filter);
      });
  }
}

/** Validates and translates `ast`, then narrows `qb` (a query on users) to the matching rows. */
export function applyScimFilter(qb: Knex.QueryBuilder, ast: ScimFilter, dialect: Dialect, attrs: AttributeMap = USER_ATTRIBUTES): Knex.QueryBuilder {
  return applySqlFilter(qb, compileScimFilter(ast, dialect, attrs));
}
