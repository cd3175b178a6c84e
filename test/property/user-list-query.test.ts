import crypto from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app';
import { addMember, createPlainUser, createTenant, insertGroup, insertIdp, insertOu, linkIdentity, usersBase } from '../api/users-helpers';

/**
 * The users list against a plain in-memory model of the same directory: for any combination of
 * filters, sort and page, the API must answer the same ids in the same order, with the same
 * totals, and walking the pages must visit every match exactly once.
 */

const STATUSES = ['ACTIVE', 'PENDING_EMAIL_VERIFICATION', 'PENDING_APPROVAL', 'DISABLED', 'LOCKED'] as const;
const ROLES = ['user', 'viewer', 'helpdesk', 'tenant_admin'] as const;
const SOURCES = ['LOCAL', 'OIDC', 'SAML', 'SCIM', 'LDAP'] as const;
const SORTS = ['created_at', 'updated_at', 'email', 'username', 'last_name', 'display_name', 'last_login_at', 'status'] as const;

// Accented and plain spellings side by side, so accent-insensitive search has something to find.
const FIRST = ['Lée', 'Lee', 'Léa', 'Zoë', 'Zoe', 'José', 'Jose', 'Renée', 'Anaïs', 'Chloé', 'Åsa', 'Björn', 'Mary Ann', 'Al', 'alice', 'ALICE', 'Émile', 'Noël', null];
const LAST = ['Smith', 'smith', 'Lée', 'Leeds', 'Müller', 'Muller', 'de la Cruz', 'Ó Briain', 'Nguyễn', 'Ashley', 'Zeller', null];
const LOCAL_PARTS = ['alice', 'lee', 'zoe', 'jose', 'bjorn', 'al', 'sally', 'mary.ann', 'x', 'ed', 'renee', 'anais'];
const DOMAINS = ['example.com', 'Example.ORG', 'corp.example.net'];
const CREATED = Array.from({ length: 8 }, (_, i) => new Date(Date.UTC(2026, 0, 1 + i)).toISOString());
const UPDATED = Array.from({ length: 6 }, (_, i) => new Date(Date.UTC(2026, 1, 1 + i)).toISOString());
const LOGINS = [null, null, ...Array.from({ length: 5 }, (_, i) => new Date(Date.UTC(2026, 2, 1 + i, 8)).toISOString())];

interface ModelUser {
  id: string;
  email: string;
  username: string | null;
  first_name: string | null;
  last_name: string | null;
  display_name: string | null;
  status: string;
  role: string;
  identity_source: string;
  mfa_enabled: boolean;
  ou_id: string | null;
  groups: string[];
  identities: { alias: string; subject: string }[];
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

type Query = Record<string, string | number>;

let app: TestApp;
let tenantId: string;
const users: ModelUser[] = [];
let ouIds: string[] = [];
let groupIds: string[] = [];
const ALIASES = ['google', 'okta', 'azure'];

/** A small seeded PRNG: the fixture is the same on every run, the queries are what vary. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(async () => {
  app = await createTestApp();
  tenantId = (await createTenant(app)).id;
  const knex = app.roster.db.knex;
  const rnd = prng(20261123);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const flipCase = (s: string) => (rnd() < 0.3 ? s.toUpperCase() : rnd() < 0.3 ? s[0].toUpperCase() + s.slice(1) : s);

  const a = await insertOu(knex, tenantId, 'A', '/A');
  const b = await insertOu(knex, tenantId, 'B', '/A/B', a.id);
  const c = await insertOu(knex, tenantId, 'C', '/C');
  ouIds = [a.id, b.id, c.id];
  groupIds = [(await insertGroup(knex, tenantId, 'Red')).id, (await insertGroup(knex, tenantId, 'Green')).id, (await insertGroup(knex, tenantId, 'Blue')).id];
  const idps = [await insertIdp(knex, tenantId, 'google', 'OIDC'), await insertIdp(knex, tenantId, 'okta', 'SAML'), await insertIdp(knex, tenantId, 'azure', 'OIDC')];

  for (let i = 0; i < 42; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const localPart = pick(LOCAL_PARTS);
    const email = `${flipCase(localPart)}${i}@${pick(DOMAINS)}`;
    const username = rnd() < 0.25 ? null : flipCase(`${pick(LOCAL_PARTS).replace('.', '_')}-${i}`);
    const displayName = rnd() < 0.2 ? pick(['Captain Lée', 'The Boss', 'zed', 'Ånnie', '']) : undefined;
    const groups = groupIds.filter(() => rnd() < 0.35);
    const created = await createPlainUser(app, tenantId, {
      email,
      username,
      first_name: first,
      last_name: last,
      ...(displayName !== undefined ? { display_name: displayName || null } : {}),
      role: pick(ROLES),
      identity_source: pick(SOURCES),
      ou_id: rnd() < 0.3 ? null : pick(ouIds),
      group_ids: groups.slice(0, 1),
    });
    // Memberships also arrive outside the create call.
    for (const g of groups.slice(1)) await addMember(knex, tenantId, g, created.id);

    const status = pick(STATUSES);
    const mfa = rnd() < 0.4;
    const createdAt = pick(CREATED);
    const updatedAt = pick(UPDATED);
    const lastLoginAt = pick(LOGINS);
    await knex('users').where({ id: created.id }).update({ status, mfaEnabled: mfa, createdAt, updatedAt, lastLoginAt });

    const identities: ModelUser['identities'] = [];
    for (const idp of idps) {
      if (rnd() < 0.3) {
        const subject = `${idp.alias}-${i % 7}-${i}`;
        await linkIdentity(knex, tenantId, created.id, idp.id, subject);
        identities.push({ alias: idp.alias, subject });
      }
    }
    users.push({
      id: created.id,
      email: created.email,
      username: created.username,
      first_name: created.first_name,
      last_name: created.last_name,
      display_name: created.display_name,
      status,
      role: created.role,
      identity_source: created.identity_source,
      mfa_enabled: mfa,
      ou_id: created.ou_id,
      groups,
      identities,
      created_at: createdAt,
      updated_at: updatedAt,
      last_login_at: lastLoginAt,
    });
  }

  // Deleted users and other tenants' users are never part of the answer.
  for (const victim of users.splice(0, 3)) {
    const res = await app.http.delete(`${usersBase(tenantId)}/${victim.id}`).query({ confirm_email: victim.email }).set(app.rootAuth);
    expect(res.status).toBe(204);
  }
  const other = await createTenant(app);
  for (const u of users.slice(0, 3)) await createPlainUser(app, other.id, { email: u.email, username: u.username, first_name: u.first_name, last_name: u.last_name });
}, 60_000);
afterAll(() => app.close());

// --- the model -----------------------------------------------------------------------------------

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
const lower = (s: string) => s.toLowerCase();

function matchesSearch(u: ModelUser, raw: string): boolean {
  const q = fold(raw.trim());
  if (!q) return true;
  // One or two characters: a prefix of the email or the username.
  if ([...q].length < 3) return lower(u.email).startsWith(q) || (u.username !== null && lower(u.username).startsWith(q));
  const haystack = fold([u.email, u.username, u.first_name, u.last_name, u.display_name].filter(Boolean).join(' '));
  return haystack.includes(q);
}

function matches(u: ModelUser, q: Query): boolean {
  const s = (k: string) => (q[k] === undefined ? undefined : String(q[k]));
  const bool = (k: string) => (s(k) === undefined ? undefined : s(k) === 'true' || s(k) === '1');
  if (s('search') !== undefined && !matchesSearch(u, s('search')!)) return false;
  if (s('status') && u.status !== s('status')) return false;
  if (bool('is_active') !== undefined && (u.status === 'ACTIVE') !== bool('is_active')) return false;
  if (s('role') && u.role !== s('role')) return false;
  if (s('identity_source') && u.identity_source !== s('identity_source')) return false;
  if (bool('mfa_enabled') !== undefined && u.mfa_enabled !== bool('mfa_enabled')) return false;
  if (s('ou_id') && u.ou_id !== s('ou_id')) return false;
  if (s('group_id') && !u.groups.includes(s('group_id')!)) return false;
  if (s('email') && lower(u.email) !== lower(s('email')!.trim())) return false;
  if (s('oauth_provider') || s('oauth_id')) {
    const hit = u.identities.some((i) => (!s('oauth_provider') || i.alias === lower(s('oauth_provider')!)) && (!s('oauth_id') || i.subject === s('oauth_id')));
    if (!hit) return false;
  }
  return true;
}

function sortKey(u: ModelUser, by: string): string | null {
  switch (by) {
    case 'email': return lower(u.email);
    case 'username': return u.username === null ? null : lower(u.username);
    default: return u[by as keyof ModelUser] as string | null;
  }
}

/** Code-point order, NULLs first ascending, id breaking ties; descending is the exact reverse. */
function modelOrder(q: Query): ModelUser[] {
  const by = String(q.sort_by ?? 'created_at');
  const cmp = (x: string | null, y: string | null) => (x === y ? 0 : x === null ? -1 : y === null ? 1 : x < y ? -1 : 1);
  const rows = users.filter((u) => matches(u, q)).sort((a, b) => cmp(sortKey(a, by), sortKey(b, by)) || cmp(a.id, b.id));
  return q.sort_order === 'desc' ? rows.reverse() : rows;
}

// --- the queries ---------------------------------------------------------------------------------

/** A piece of some user's field, sometimes shouted, sometimes with its accents stripped. */
const searchFromData = fc
  .tuple(fc.nat(), fc.constantFrom('email', 'username', 'first_name', 'last_name', 'display_name'), fc.nat(), fc.integer({ min: 1, max: 6 }), fc.constantFrom('as-is', 'upper', 'folded'))
  .map(([ui, field, start, len, style]) => {
    const value = (users[ui % users.length][field as keyof ModelUser] as string | null) ?? 'lee';
    const chars = [...value];
    const from = start % chars.length;
    const piece = chars.slice(from, from + len).join('');
    return style === 'upper' ? piece.toUpperCase() : style === 'folded' ? piece.normalize('NFD').replace(/\p{M}+/gu, '') : piece;
  });

const filterEntry: fc.Arbitrary<[string, string]> = fc.oneof(
  { weight: 4, arbitrary: fc.oneof(searchFromData, fc.stringMatching(/^[aeilnorsé ]{1,4}$/), fc.constantFrom('lee', 'LÉE', 'zoe', 'al', 'example.org', 'muller', 'xyz', '  ')).map((v): [string, string] => ['search', v]) },
  fc.constantFrom(...STATUSES).map((v): [string, string] => ['status', v]),
  fc.constantFrom('true', 'false', '1', '0').map((v): [string, string] => ['is_active', v]),
  fc.constantFrom(...ROLES, 'super_admin').map((v): [string, string] => ['role', v]),
  fc.constantFrom(...SOURCES).map((v): [string, string] => ['identity_source', v]),
  fc.constantFrom('true', 'false').map((v): [string, string] => ['mfa_enabled', v]),
  fc.constantFrom(...[0, 1, 2, 3]).map((i): [string, string] => ['ou_id', ouIds[i] ?? crypto.randomUUID()]),
  fc.constantFrom(...[0, 1, 2, 3]).map((i): [string, string] => ['group_id', groupIds[i] ?? crypto.randomUUID()]),
  fc.tuple(fc.nat(), fc.boolean()).map(([i, up]): [string, string] => {
    const e = users[i % users.length].email;
    return ['email', up ? e.toUpperCase() : ` ${e.toLowerCase()} `];
  }),
  fc.constantFrom(...ALIASES, 'GOOGLE', 'Okta', 'github').map((v): [string, string] => ['oauth_provider', v]),
  fc.nat().map((i): [string, string] => {
    const withIds = users.filter((u) => u.identities.length);
    const u = withIds[i % withIds.length];
    return ['oauth_id', u.identities[i % u.identities.length].subject];
  }),
);

const filters = fc.array(filterEntry, { maxLength: 3 }).map((entries) => Object.fromEntries(entries) as Query);

const sorting = fc.record({ sort_by: fc.option(fc.constantFrom(...SORTS), { nil: undefined }), sort_order: fc.option(fc.constantFrom('asc', 'desc'), { nil: undefined }) })
  .map((s) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as Query);

const paging: fc.Arbitrary<{ page?: number; per_page?: number; offset?: number; limit?: number }> = fc.oneof(
  fc.record({ page: fc.integer({ min: 1, max: 8 }), per_page: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ offset: fc.integer({ min: 0, max: 45 }), limit: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ page: fc.integer({ min: 1, max: 3 }) }),
  fc.constant({}),
);

async function fetchPage(q: Query) {
  const res = await app.http.get(usersBase(tenantId)).query(q).set(app.rootAuth);
  if (res.status !== 200) throw new Error(`GET ${JSON.stringify(q)}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { data: { id: string }[]; pagination: { page: number; per_page: number; total_items: number; total_pages: number } };
}

describe('user list query (property)', () => {
  it('the fixture is varied enough to mean something', () => {
    expect(users.length).toBeGreaterThanOrEqual(36);
    for (const s of STATUSES) expect(users.some((u) => u.status === s)).toBe(true);
    expect(new Set(users.map((u) => u.created_at)).size).toBeLessThan(users.length);
    expect(users.some((u) => u.username === null)).toBe(true);
    expect(users.some((u) => u.last_login_at === null)).toBe(true);
    expect(users.some((u) => u.identities.length > 0)).toBe(true);
  });

  it('any filter, sort and page answers what the model answers', async () => {
    await fc.assert(
      fc.asyncProperty(filters, sorting, paging, async (f, s, p) => {
        const q: Query = { ...f, ...s, ...p };
        const expected = modelOrder(q);
        const size = Math.min(p.limit ?? p.per_page ?? 20, 100);
        const offset = p.offset !== undefined ? p.offset : ((p.page ?? 1) - 1) * size;
        const page = p.offset !== undefined ? Math.floor(offset / size) + 1 : (p.page ?? 1);

        const body = await fetchPage(q);
        expect(body.data.map((u) => u.id)).toEqual(expected.slice(offset, offset + size).map((u) => u.id));
        expect(body.pagination).toEqual({ page, per_page: size, total_items: expected.length, total_pages: Math.ceil(expected.length / size) });
      }),
      { numRuns: 200 },
    );
  });

  it('walking every page visits each match exactly once, in order', async () => {
    await fc.assert(
      fc.asyncProperty(filters, sorting, fc.integer({ min: 3, max: 11 }), async (f, s, perPage) => {
        const q: Query = { ...f, ...s };
        const expected = modelOrder(q).map((u) => u.id);
        const first = await fetchPage({ ...q, per_page: perPage, page: 1 });
        const { total_items: total, total_pages: pages } = first.pagination;
        expect(total).toBe(expected.length);
        expect(pages).toBe(Math.ceil(expected.length / perPage));

        const seen = [...first.data.map((u) => u.id)];
        for (let page = 2; page <= pages; page++) {
          const body = await fetchPage({ ...q, per_page: perPage, page });
          expect(body.pagination).toEqual({ page, per_page: perPage, total_items: total, total_pages: pages });
          expect(body.data.length).toBe(page < pages ? perPage : total - perPage * (pages - 1));
          seen.push(...body.data.map((u) => u.id));
        }
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen).toEqual(expected);
        const past = await fetchPage({ ...q, per_page: perPage, page: pages + 1 });
        expect(past.data).toEqual([]);
        expect(past.pagination.total_items).toBe(total);
      }),
      { numRuns: 60 },
    );
  });

  it('offset/limit windows tile the same order as pages', async () => {
    await fc.assert(
      fc.asyncProperty(filters, sorting, fc.integer({ min: 4, max: 15 }), async (f, s, limit) => {
        const q: Query = { ...f, ...s };
        const expected = modelOrder(q).map((u) => u.id);
        const seen: string[] = [];
        for (let offset = 0; offset < expected.length; offset += limit) {
          const body = await fetchPage({ ...q, offset, limit });
          seen.push(...body.data.map((u) => u.id));
        }
        expect(seen).toEqual(expected);
      }),
      { numRuns: 30 },
    );
  });
});
