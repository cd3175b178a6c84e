import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from '../../shared/schemas/common';

export interface PagingInput {
  page?: number;
  per_page?: number;
  offset?: number;
  limit?: number;
}

export interface Paging {
  limit: number;
  offset: number;
  page: number;
  perPage: number;
}

/**
 * page/per_page (seed 001) or offset/limit (seed 003), whichever the caller used; the size
 * defaults to 20 and is capped at 100 rather than refused.
 */
export function resolvePaging(q: PagingInput): Paging {
  const size = Math.min(q.limit ?? q.per_page ?? PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX);
  if (q.offset !== undefined || (q.limit !== undefined && q.page === undefined)) {
    const offset = q.offset ?? 0;
    return { limit: size, offset, perPage: size, page: Math.floor(offset / size) + 1 };
  }
  const page = q.page ?? 1;
  return { limit: size, offset: (page - 1) * size, perPage: size, page };
}
