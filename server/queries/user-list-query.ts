import type { Knex } from 'knex';
import type { Database, Dialect } from '../db/database';
import { resolvePaging, type PagingInput } from './paging';
import { presentUserListItem, type UserRow } from '../presenters/user-presenter';
import type { UserListQuery } from '../../shared/schemas/user';
import { foldForSearch, normalizeEmail } from '../services/normalize';
import { GROUP_AND_DESCENDANTS_IDS } from './group-graph';
import { countCacheOf } from './count-cache';
import { readBuilt } from '../db/fast-reads';
import { applyCursor, decodeCursor, nextCursor } from './user-cursor';

const toCamel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export type UserFilters = Omit<UserListQuery, 'page' | 'per_page' | 'offset' | 'limit' | 'sort_by' | 'sort_order' | 'cursor'>;

/** Sort keys of the API -> indexed columns. */
const SORT_COLUMNS: Record<NonNullable<UserListQuery['sort_by']>, string> = {
  created_at: 'users.created_at',
  updated_at: 'users.updated_at',
  email: 'users.email_normalized',
  username: 'users.username_normalized',
  last_name: 'users.last_name',
  display_name: 'users.display_name',
  last_login_at: 'users.last_login_at',
  status: 'users.status',
};

/** Shortest text the trigram indexes can match; shorter queries match as prefixes. */
const TRIGRAM = 3;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Every list filter as SQL on the users table of one tenant. Live users only. Free text goes
 * through the FTS5 trigram index on SQLite (the FTS lookup runs first, as a subquery, so the
 * planner never scans users) and the pg_trgm index on PostgreSQL.
 */
export function applyUserFilters(
  qb: Knex.QueryBuilder, dialect: Dialect, tenant: string | string[], f: UserFilters, use: 'count' | 'page' = 'count', { broadSearch = false } = {},
): Knex.QueryBuilder {
  if (Array.isArray(tenant)) qb.whereIn('users.tenant_id', tenant);
  // An external id names one user or a few, and a text search a set from the FTS index: SQLite,
  // which keeps no statistics here, would walk the whole tenant's index testing each user; `+`
  // takes the tenant column out of index choice, so the query starts from that set instead.
  // Except a page of a search matching many users: sorting all of them costs more than walking
  // the tenant in order and keeping the first that match (see isBroadSearch).
  else if (dialect === 'sqlite' && (f.oauth_id || (usesFts(f.search) && !(use === 'page' && broadSearch)))) qb.whereRaw('+users.tenant_id = ?', [tenant]);
  else qb.where('users.tenant_id', tenant);
  qb.whereNull('users.deleted_at');
  if (f.status) qb.where('users.status', f.status);
  if (f.is_active !== undefined) qb.where('users.status', f.is_active ? '=' : '<>', 'ACTIVE');
  if (f.role) qb.where('users.role', f.role);
  if (f.identity_source) qb.where('users.identity_source', f.identity_source);
  if (f.mfa_enabled !== undefined) qb.where('users.mfa_enabled', f.mfa_enabled);
  if (f.ou_id && f.include_descendants) {
    // The unit and every unit whose path starts with its path and a slash (a prefix test that
    // needs no LIKE escaping of names).
    qb.whereRaw(
      `users.ou_id IN (SELECT d.id FROM ous o JOIN ous d ON d.tenant_id = o.tenant_id
        AND (d.id = o.id OR substr(d.path, 1, length(o.path) + 1) = o.path || '/') WHERE o.id = ?)`,
      [f.ou_id],
    );
  } else if (f.ou_id) qb.where('users.ou_id', f.ou_id);
  if (f.email) qb.where('users.email_normalized', normalizeEmail(f.email));
  if (f.group_id) {
    // Members of nested groups are members too: the group and all groups inside it.
    // A count reads the members once (IN); a page walks the tenant in order and probes each user
    // (EXISTS) until it has its rows, which beats building the whole member set per request.
    if (use === 'page') qb.whereRaw(`EXISTS (SELECT 1 FROM group_members gm WHERE gm.user_id = users.id AND gm.group_id IN (${GROUP_AND_DESCENDANTS_IDS}))`, [f.group_id]);
    else qb.whereRaw(`users.id IN (SELECT gm.user_id FROM group_members gm WHERE gm.group_id IN (${GROUP_AND_DESCENDANTS_IDS}))`, [f.group_id]);
  }
  const providerIds = (p: Knex.QueryBuilder) => p.select('ip.id').from('identity_providers as ip').where('ip.alias', f.oauth_provider!.toLowerCase());
  if (f.oauth_provider && !f.oauth_id && use === 'page') {
    // As for groups: a page probes each user it walks past.
    qb.whereExists((sub) => sub.select(sub.client.raw('1')).from('user_identities as ui').whereRaw('ui.user_id = users.id').whereIn('ui.provider_id', providerIds));
  } else if (f.oauth_provider || f.oauth_id) {
    // Likewise from the identities (indexed by provider and subject), not once per user.
    // The provider as a set of ids, so (provider_id, subject) is one lookup in its unique index.
    qb.whereIn('users.id', (sub) => {
      sub.select('ui.user_id').from('user_identities as ui');
      if (f.oauth_provider) sub.whereIn('ui.provider_id', providerIds);
      if (f.oauth_id) sub.where('ui.subject', f.oauth_id);
    });
  }
  if (f.user_id) qb.where('users.id', f.user_id);
  // Timestamps are bound as ISO-8601 UTC: text that compares in order on SQLite, timestamptz on PostgreSQL.
  if (f.created_after) qb.where('users.created_at', '>=', new Date(f.created_after).toISOString());
  if (f.created_before) qb.where('users.created_at', '<', new Date(f.created_before).toISOString());
  if (f.last_login_after) qb.where('users.last_login_at', '>=', new Date(f.last_login_after).toISOString());
  if (f.last_login_before) qb.where('users.last_login_at', '<', new Date(f.last_login_before).toISOString());
  // A broad search's page tests each user it walks past, as PostgreSQL's does (see isBroadSearch).
  if (f.search) applySearch(qb, dialect, f.search, { walk: use === 'page' && broadSearch });
  return qb;
}

/** Whether a search goes through the trigram index (SQLite's FTS5 table) rather than prefix ranges. */
const usesFts = (search: string | undefined) => Boolean(search) && [...foldForSearch(search!.trim())].length >= TRIGRAM;

const ftsPhrase = (search: string) => `"${foldForSearch(search.trim()).replace(/"/g, '""')}"`;

/**
 * Matches (in all tenants) from which a page of a SQLite search walks the tenant in sort order,
 * testing each user's search text, and keeps the first that match. Measured at a million users:
 * a common surname (20,000 matches) takes 50 ms to fetch from the FTS index and sort, but a few
 * milliseconds to walk; a term of 2,000 matches about the same either way; a rare one is a few
 * lookups from the FTS side but a walk of the whole tenant (100+ ms at 700,000) from the other.
 */
const BROAD_SEARCH_MATCHES = 2_000;

/**
 * Which terms were broad, lately: only the plan depends on it, never the answer, so a term's
 * verdict is reused for a minute (someone paging through results, or typing on from a prefix).
 */
const broadTerms = new Map<string, { broad: boolean; at: number }>();
const BROAD_VERDICT_MS = 60_000;

/** Whether a SQLite search matches so many users that its page should walk in order (a bounded FTS read). */
async function isBroadSearch(db: Database, search: string | undefined): Promise<boolean> {
  if (db.dialect !== 'sqlite' || !usesFts(search)) return false;
  const phrase = ftsPhrase(search!);
  const known = broadTerms.get(phrase);
  if (known && Date.now() - known.at < BROAD_VERDICT_MS) return known.broad;
  const [{ n }] = await db.reads.all<{ n: number }>(
    `SELECT count(*) AS n FROM (SELECT 1 FROM users_fts WHERE users_fts MATCH ? LIMIT ${BROAD_SEARCH_MATCHES})`, [phrase]);
  if (broadTerms.size >= 1_000) broadTerms.delete(broadTerms.keys().next().value!);
  broadTerms.set(phrase, { broad: n >= BROAD_SEARCH_MATCHES, at: Date.now() });
  return n >= BROAD_SEARCH_MATCHES;
}

function applySearch(qb: Knex.QueryBuilder, dialect: Dialect, search: string, { walk = false } = {}) {
  const text = foldForSearch(search.trim());
  if (!text) return;
  if ([...text].length < TRIGRAM) {
    // Prefix ranges on the unique indexes: short queries stay indexed too.
    const upper = `${text}\uffff`;
    qb.where((w) =>
      w
        .where((a) => a.where('users.email_normalized', '>=', text).andWhere('users.email_normalized', '<', upper))
        .orWhere((a) => a.where('users.username_normalized', '>=', text).andWhere('users.username_normalized', '<', upper)),
    );
    return;
  }
  // search_text is folded as the query is (lower case, no accents): the FTS trigram match and
  // LIKE over it find the same users.
  if (dialect === 'sqlite' && !walk) {
    qb.whereRaw('users.seq IN (SELECT rowid FROM users_fts WHERE users_fts MATCH ?)', [ftsPhrase(search)]);
  } else {
    qb.whereRaw(`users.search_text LIKE ? ESCAPE '\\'`, [`%${escapeLike(text)}%`]);
  }
}

export function applyUserSort(qb: Knex.QueryBuilder, dialect: Dialect, sortBy: UserListQuery['sort_by'], order: 'asc' | 'desc'): Knex.QueryBuilder {
  const column = SORT_COLUMNS[sortBy ?? 'created_at'];
  // SQLite sorts NULL first ascending; PostgreSQL is told to do the same, so pages agree.
  if (dialect === 'pg') qb.orderByRaw(`${column} ${order} NULLS ${order === 'asc' ? 'FIRST' : 'LAST'}`);
  else qb.orderBy(column, order);
  return qb.orderBy('users.id', order);
}

/**
 * One page of the user list with its total: the filters run twice (count and page) as SQL, the
 * page joins the OU path; the total comes from the count cache while nothing was written.
 * `narrow` adds what only some callers need (an application's reach).
 */
export async function pageOfUsers(
  db: Database,
  tenant: string | string[],
  q: UserFilters & PagingInput & { sort_by?: UserListQuery['sort_by']; sort_order?: 'asc' | 'desc'; cursor?: string },
  narrow: (qb: Knex.QueryBuilder) => void = () => {},
) {
  const paging = resolvePaging(q);
  const broadSearch = await isBroadSearch(db, q.search);
  const filtered = (use: 'count' | 'page') => applyUserFilters(db.knex('users'), db.dialect, tenant, q, use, { broadSearch }).modify(narrow);
  // Lists run on the read path: they neither queue behind the one SQLite writer connection nor hold it.
  const read = <T>(qb: Knex.QueryBuilder) => readBuilt<T>(db.reads, qb);
  const counted = filtered('count').count({ total: '*' });
  const { sql: countSql, bindings: countBindings } = counted.toSQL();
  const sortBy = q.sort_by ?? 'created_at';
  const order = q.sort_order ?? 'asc';
  const cursor = q.cursor ? decodeCursor(q.cursor, sortBy, order) : undefined;
  const pageQuery = applyUserSort(filtered('page'), db.dialect, sortBy, order)
    .leftJoin('ous', 'ous.id', 'users.ou_id')
    .select('users.*', 'ous.path as ou_path')
    .limit(paging.limit);
  if (cursor) applyCursor(pageQuery, SORT_COLUMNS[sortBy], cursor);
  else pageQuery.offset(paging.offset);
  const countAll = () => countCacheOf(db.knex).get(countSql, countBindings, async () => Number((await read<{ total: number | string }>(counted))[0].total));
  // A first page that is not full is the whole result: its length is the total, and a lookup
  // (one email, one subject) costs one query instead of two.
  const [total, rows] = !cursor && paging.offset === 0
    ? await read<UserRow>(pageQuery).then(async (found) => [found.length < paging.limit ? found.length : await countAll(), found] as const)
    : await Promise.all([countAll(), read<UserRow>(pageQuery)]);
  const page = cursor?.p ?? paging.page;
  const sortKey = toCamel(SORT_COLUMNS[sortBy].slice('users.'.length));
  return {
    items: rows.map(presentUserListItem), page, perPage: paging.perPage, totalItems: Number(total),
    // Only callers paging by cursor (`cursor`, empty to start) get one: the plain envelope stays as it was.
    ...(q.cursor !== undefined ? { nextCursor: nextCursor(rows as unknown as Record<string, unknown>[], paging.limit, sortBy, order, sortKey, page) } : {}),
  };
}
