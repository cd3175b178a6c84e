import { parseScimFilter } from './filter-parser';
import type { AttributeMap } from './user-attributes';
import { DEFAULT_COUNT, MAX_COUNT } from './schemas';
import { invalidValue, scimError } from './scim-error';

const SEARCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** The query of a list or .search request (RFC 7644 §3.4.2, §3.4.3). */
export interface ListParams {
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

export function listParams(src: Record<string, unknown>): ListParams {
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

/** A POST .search body: a SearchRequest with the same parameters as a GET's query. */
export function searchParams(body: unknown): ListParams {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidValue('The body must be a SearchRequest');
  const b = body as Record<string, unknown>;
  if (Array.isArray(b.schemas) && !b.schemas.includes(SEARCH_SCHEMA)) throw scimError(400, 'invalidSyntax', `The body must list the schema ${SEARCH_SCHEMA}`);
  return listParams(b);
}

/** The column `sortBy` names: text, id and dateTime attributes with a column of their own. */
export function sortColumn(sortBy: string, attrs: AttributeMap): string {
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

/** Whether `attributes` asks for the attribute `name` (for `returned: request` ones such as groups). */
export const wants = (p: ListParams, name: string) => Boolean(p.attributes?.some((a) => a.toLowerCase().split(':').pop()!.split('.')[0] === name));
