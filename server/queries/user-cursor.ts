import type { Knex } from 'knex';
import { validationError } from '../errors/app-error';

/**
 * Keyset paging for the user list: a cursor names the last row of a page (its sort value and
 * id), and the next page starts right after it through the same (tenant_id, column, id) index,
 * however deep. OFFSET would walk and drop every row before the page (half a second at 500,000).
 * The cursor also carries the sort it was made for and the number of the page it leads to.
 */
export interface UserCursor {
  /** Sort column (API name) and order the cursor belongs to. */
  s: string;
  o: 'asc' | 'desc';
  /** The last row's sort value (null sorts first ascending, last descending) and id. */
  v: string | number | null;
  id: string;
  /** Number of the page this cursor leads to. */
  p: number;
}

export function encodeCursor(c: UserCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

const bad = () => validationError(['query', 'cursor'], 'not a cursor of this list (use the `next_cursor` of the page before, with the same sort)', 'cursor_invalid');

/** The cursor of `text`, checked to belong to this sort. */
export function decodeCursor(text: string, sortBy: string, order: 'asc' | 'desc'): UserCursor {
  let c: Partial<UserCursor>;
  try {
    c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<UserCursor>;
  } catch {
    throw bad();
  }
  const valueOk = c.v === null || typeof c.v === 'string' || typeof c.v === 'number';
  if (!c || c.s !== sortBy || c.o !== order || !valueOk || typeof c.id !== 'string' || !Number.isInteger(c.p) || c.p! < 2) throw bad();
  return c as UserCursor;
}

/**
 * Rows after the cursor in `column`'s order, id breaking ties. NULLs come first ascending and
 * last descending on both engines (see applyUserSort). Row values keep the condition one range
 * of the index.
 */
export function applyCursor(qb: Knex.QueryBuilder, column: string, c: UserCursor): Knex.QueryBuilder {
  // Timestamps are compared as the ISO text SQLite stores; PostgreSQL reads it as timestamptz.
  const v = c.v;
  if (c.o === 'asc') {
    if (v === null) return qb.where((w) => w.where((a) => a.whereNull(column).andWhere('users.id', '>', c.id)).orWhereNotNull(column));
    return qb.whereRaw(`(${column}, users.id) > (?, ?)`, [v, c.id]);
  }
  if (v === null) return qb.whereNull(column).andWhere('users.id', '<', c.id);
  return qb.where((w) => w.whereRaw(`(${column}, users.id) < (?, ?)`, [v, c.id]).orWhereNull(column));
}

/** The cursor of the page after `rows`, or null when they are the last. */
export function nextCursor(rows: Record<string, unknown>[], limit: number, sortBy: string, order: 'asc' | 'desc', key: string, page: number): string | null {
  if (rows.length < limit) return null;
  const last = rows[rows.length - 1];
  const raw = last[key];
  const v = raw instanceof Date ? raw.toISOString() : (raw as string | number | null);
  return encodeCursor({ s: sortBy, o: order, v, id: String(last.id), p: page + 1 });
}
