import { useEffect, useMemo, useState } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import { followStream } from '../../../../../shared/client';
import type { ActivityEvent } from '../../../../../shared/client/activity-api';

const PAGE = 20;

/** Merges pages and live events: one entry per id, newest first (ids are time-ordered UUIDv7). */
export function mergeEvents(live: ActivityEvent[], pages: ActivityEvent[][]): ActivityEvent[] {
  const byId = new Map<string, ActivityEvent>();
  for (const e of [...live, ...pages.flat()]) if (!byId.has(e.id)) byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/**
 * A user's activity: the first page from the list, older ones on demand, and new events from the
 * live stream, which starts right after the newest listed event so that none falls in between.
 */
export function useActivity(userId: string, onLive: (event: ActivityEvent) => void) {
  const { client, tenantId } = useSession();
  const tenant = tenantId ?? undefined;
  const pages = useInfiniteQuery({
    queryKey: ['activity', tenantId, userId],
    queryFn: ({ pageParam, signal }) => client.activity.forUser(userId, { cursor: pageParam, limit: PAGE, tenant_id: tenant }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => (last.pagination.has_more ? (last.pagination.next_cursor ?? undefined) : undefined),
    enabled: !!tenantId,
    staleTime: Infinity,
  });
  const [live, setLive] = useState<ActivityEvent[]>([]);
  const [streamError, setStreamError] = useState<Error | null>(null);
  const [streaming, setStreaming] = useState(false);
  const loaded = pages.isSuccess;
  const newest = pages.data?.pages[0]?.data[0]?.id ?? null;

  useEffect(() => {
    if (!loaded) return;
    const abort = new AbortController();
    setStreaming(true);
    setStreamError(null);
    followStream(
      client.http,
      client.activity.streamPath(userId),
      { tenant_id: tenant },
      (message) => {
        if (message.event !== 'activity') return;
        const event = JSON.parse(message.data) as ActivityEvent;
        setLive((events) => (events.some((e) => e.id === event.id) ? events : [event, ...events]));
        onLive(event);
      },
      abort.signal,
      newest,
    )
      .catch((err: Error) => setStreamError(err))
      .finally(() => setStreaming(false));
    return () => abort.abort();
    // The stream starts once per user and tenant; later refetches of the first page merge by id.
  }, [loaded, userId, tenant]);

  const events = useMemo(() => mergeEvents(live, pages.data?.pages.map((p) => p.data) ?? []), [live, pages.data]);
  return { events, pages, streaming: streaming && !streamError, streamError };
}
