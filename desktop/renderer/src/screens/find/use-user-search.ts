import { useMemo } from 'react';
import { useInfiniteQuery, keepPreviousData } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import { searchBody, type SearchState } from './search-state';

export const PAGE_SIZE = 50;

/**
 * The result list, a page at a time as the table scrolls. A changed search is a new query key:
 * TanStack Query aborts the request of the old one through its AbortSignal.
 */
export function useUserSearch(state: SearchState) {
  const { client, tenantId } = useSession();
  const query = useInfiniteQuery({
    queryKey: ['users', 'search', tenantId, { ...state, q: state.q.trim() }],
    queryFn: ({ pageParam, signal }) => client.users.search(searchBody(state, pageParam, PAGE_SIZE), tenantId ?? undefined, signal),
    initialPageParam: 1,
    getNextPageParam: (last) => (last.pagination.page < last.pagination.total_pages ? last.pagination.page + 1 : undefined),
    enabled: !!tenantId,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
  const rows = useMemo(() => query.data?.pages.flatMap((p) => p.data) ?? [], [query.data]);
  const total = query.data?.pages[0]?.pagination.total_items ?? null;
  return { ...query, rows, total };
}
