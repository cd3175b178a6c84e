import type { AppContext } from './context';

export const meta = (ctx: AppContext) => ({ request_id: ctx.state.requestId, timestamp: new Date().toISOString() });

/** `{data, meta}` with the given status. */
export function sendData(ctx: AppContext, data: unknown, status = 200): void {
  ctx.status = status;
  ctx.body = { data, meta: meta(ctx) };
}

export interface Page<T> {
  items: T[];
  page: number;
  perPage: number;
  totalItems: number;
  /** Lists with keyset paging: the cursor of the next page (null on the last). */
  nextCursor?: string | null;
}

/** `{data, pagination, meta}` for every list. */
export function sendPage<T>(ctx: AppContext, page: Page<T>): void {
  ctx.status = 200;
  ctx.body = {
    data: page.items,
    pagination: {
      page: page.page,
      per_page: page.perPage,
      total_items: page.totalItems,
      total_pages: Math.ceil(page.totalItems / page.perPage),
      ...(page.nextCursor !== undefined ? { next_cursor: page.nextCursor } : {}),
    },
    meta: meta(ctx),
  };
}

/** `{data, pagination: {per_page, next_cursor, has_more}, meta}`: lists paged by cursor, newest first. */
export function sendCursorPage<T>(ctx: AppContext, page: { items: T[]; perPage: number; nextCursor: string | null }): void {
  ctx.status = 200;
  ctx.body = { data: page.items, pagination: { per_page: page.perPage, next_cursor: page.nextCursor, has_more: page.nextCursor !== null }, meta: meta(ctx) };
}

/** Sets the ETag of a versioned resource (users, groups). */
export function setEtag(ctx: AppContext, version: number): void {
  ctx.set('ETag', `W/"${version}"`);
}
