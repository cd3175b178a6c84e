import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Json, type TestApp } from '../support/test-app';

/**
 * Keyset paging of the user list (`cursor` / `next_cursor`): deep pages cost what page 1 costs.
 * Walking a list by cursor must give exactly the rows, in the order, that page/offset give.
 */
describe('user list cursor paging', () => {
  let app: TestApp;
  let tenantId: string;

  beforeAll(async () => {
    app = await createTestApp();
    const t = await app.tenantWithUser();
    tenantId = t.tenantId;
    // 23 users: some without a last name (NULLs sort first ascending, last descending), several sharing one.
    for (let i = 0; i < 22; i++) {
      await app.createUser(tenantId, {
        email: `cursor-${String(i).padStart(2, '0')}@example.com`,
        ...(i % 5 === 0 ? {} : { last_name: i % 3 === 0 ? 'Same' : `Name ${String(i % 7)}` }),
      });
    }
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  const list = (query: string) => app.http.get(`/api/v1/tenants/${tenantId}/users?${query}`).set(app.rootAuth);

  async function walkByCursor(query: string): Promise<{ ids: string[]; pages: number[] }> {
    const ids: string[] = [];
    const pages: number[] = [];
    let res = await list(`${query}&per_page=4&cursor=`);
    for (;;) {
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      ids.push(...res.body.data.map((u: Json) => u.id));
      pages.push(res.body.pagination.page);
      const next = res.body.pagination.next_cursor;
      if (!next) break;
      res = await list(`${query}&per_page=4&cursor=${encodeURIComponent(next)}`);
    }
    return { ids, pages };
  }

  async function walkByPage(query: string): Promise<string[]> {
    const res = await list(`${query}&per_page=100`);
    return res.body.data.map((u: Json) => u.id);
  }

  for (const sort of ['sort_by=created_at', 'sort_by=last_name', 'sort_by=last_name&sort_order=desc', 'sort_by=email&sort_order=desc', 'sort_by=last_login_at']) {
    it(`walks every row once, in order, by ${sort}`, async () => {
      const expected = await walkByPage(sort);
      expect(expected).toHaveLength(23);
      const { ids, pages } = await walkByCursor(sort);
      expect(ids).toEqual(expected);
      expect(pages).toEqual(pages.map((_, i) => i + 1));
    });
  }

  it('keeps the filters and the total on a cursor page', async () => {
    const first = await list('per_page=2&search=cursor-1&cursor=');
    expect(first.body.pagination.total_items).toBe(10);
    const second = await list(`per_page=2&search=cursor-1&cursor=${encodeURIComponent(first.body.pagination.next_cursor)}`);
    expect(second.body.pagination).toMatchObject({ page: 2, total_items: 10 });
    expect(second.body.data.every((u: Json) => u.email.startsWith('cursor-1'))).toBe(true);
  });

  it('offers next_cursor from an offset page too, and null on the last page; none to callers not paging by cursor', async () => {
    expect((await list('per_page=5')).body.pagination).not.toHaveProperty('next_cursor');
    const mid = await list('per_page=5&page=2&cursor=');
    const next = await list(`per_page=5&cursor=${encodeURIComponent(mid.body.pagination.next_cursor)}`);
    const third = await list('per_page=5&page=3');
    expect(next.body.data.map((u: Json) => u.id)).toEqual(third.body.data.map((u: Json) => u.id));
    const last = await list('per_page=5&page=5&cursor=');
    expect(last.body.data).toHaveLength(3);
    expect(last.body.pagination.next_cursor).toBeNull();
  });

  it('refuses a cursor that is not one, or was made for another sort, with 422', async () => {
    const page = await list('per_page=2&sort_by=email&cursor=');
    for (const [query, why] of [
      ['cursor=not-a-cursor', 'garbage'],
      [`cursor=${encodeURIComponent(page.body.pagination.next_cursor)}`, 'another sort'],
      [`sort_by=email&sort_order=desc&cursor=${encodeURIComponent(page.body.pagination.next_cursor)}`, 'another order'],
    ]) {
      const res = await list(query);
      expect(res.status, why).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'validation_error', field: 'cursor' });
      expect(res.body.detail[0].loc).toEqual(['query', 'cursor']);
    }
  });
});
