import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app';
import { createTenant, usersBase } from './users-helpers';

/**
 * A search term that matches thousands of users takes another plan on SQLite (the page walks the
 * tenant in sort order instead of sorting every match) than a rare one. Whichever plan runs, the
 * answer must be the same: these pages are checked against the order worked out here.
 */
let app: TestApp;
let tenant: { id: string };
interface Seeded { id: string; email: string; lastName: string; createdAt: string; status: string }
const seeded: Seeded[] = [];

const BROAD = 2_300;

beforeAll(async () => {
  app = await createTestApp();
  tenant = await createTenant(app);
  const other = await createTenant(app);
  const base = Date.parse('2026-03-01T00:00:00.000Z');
  const rows = [];
  for (let i = 0; i < 2_700; i++) {
    // Creation times in an order unlike insertion order (a fixed shuffle), so the FTS index's
    // order (insertion) and the page's order (created_at) differ.
    const at = new Date(base + ((i * 7919) % 2_700) * 1000).toISOString();
    const kind = i < BROAD ? 'quillfeather' : i < BROAD + 3 ? 'marrowind' : 'plain';
    const email = `${kind}-${i}@search.example.com`;
    const lastName = kind === 'plain' ? `Other${i}` : `${kind[0].toUpperCase()}${kind.slice(1)} ${String(i % 97).padStart(2, '0')}`;
    const status = i % 5 === 0 ? 'DISABLED' : 'ACTIVE';
    const user = { id: crypto.randomUUID(), email, lastName, createdAt: at, status };
    seeded.push(user);
    rows.push(row(tenant.id, user));
  }
  // The same names in another tenant: a walk must keep to its own tenant.
  for (let i = 0; i < 300; i++) {
    rows.push(row(other.id, { id: crypto.randomUUID(), email: `quillfeather-x${i}@elsewhere.example.com`, lastName: 'Quillfeather', createdAt: new Date(base - i * 1000).toISOString(), status: 'ACTIVE' }));
  }
  await app.roster.db.knex.batchInsert('users', rows, 100);
});
afterAll(() => app.close());

function row(tenantId: string, u: Seeded) {
  return {
    id: u.id, tenantId, email: u.email, emailNormalized: u.email, lastName: u.lastName, locale: 'en', timezone: 'UTC', status: u.status,
    identitySource: 'LOCAL', role: 'user', customAttributes: '{}', metadata: '{}', searchText: `${u.email} ${u.lastName.toLowerCase()}`,
    createdAt: u.createdAt, updatedAt: u.createdAt, version: 1,
  };
}

async function page(query: Record<string, string | number>) {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
  const res = await app.http.get(`${usersBase(tenant.id)}?${qs}`).set(app.rootAuth);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { emails: (res.body.data as { email: string }[]).map((u) => u.email), pagination: res.body.pagination };
}

const byCreated = (a: Seeded, b: Seeded) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);
const matching = (word: string) => seeded.filter((u) => u.email.startsWith(word));

describe('free-text search over thousands of matches', () => {
  it('a broad term: the first page, its total, and the next pages by cursor, in creation order', async () => {
    const expected = matching('quillfeather').sort(byCreated).map((u) => u.email);
    const first = await page({ search: 'quillfeather', per_page: 20, cursor: '' });
    expect(first.pagination.total_items).toBe(BROAD);
    expect(first.emails).toEqual(expected.slice(0, 20));
    let cursor = first.pagination.next_cursor as string;
    for (let p = 1; p < 4; p++) {
      const next = await page({ search: 'quillfeather', per_page: 20, cursor });
      expect(next.emails).toEqual(expected.slice(p * 20, p * 20 + 20));
      cursor = next.pagination.next_cursor;
    }
  });

  it('a broad term by page number, newest first, and with another filter', async () => {
    const newest = matching('quillfeather').sort(byCreated).reverse().map((u) => u.email);
    expect((await page({ search: 'quillfeather', sort_order: 'desc', per_page: 50, page: 3 })).emails).toEqual(newest.slice(100, 150));
    const disabled = matching('quillfeather').filter((u) => u.status === 'DISABLED').sort(byCreated).map((u) => u.email);
    const res = await page({ search: 'quillfeather', status: 'DISABLED', per_page: 25 });
    expect(res.pagination.total_items).toBe(disabled.length);
    expect(res.emails).toEqual(disabled.slice(0, 25));
  });

  it('a broad term sorted by another column', async () => {
    const byLastName = matching('quillfeather')
      .sort((a, b) => (a.lastName < b.lastName ? -1 : a.lastName > b.lastName ? 1 : a.id.localeCompare(b.id)))
      .map((u) => u.email);
    expect((await page({ search: 'quillfeather', sort_by: 'last_name', per_page: 30 })).emails).toEqual(byLastName.slice(0, 30));
  });

  it('a rare term takes the other plan and answers the same way', async () => {
    const rare = await page({ search: 'marrowind' });
    expect(rare.pagination.total_items).toBe(3);
    expect(rare.emails).toEqual(matching('marrowind').sort(byCreated).map((u) => u.email));
  });
});
