import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { followStream, type RosterClient } from '../../../../../shared/client';
import type { ActivityEvent } from '../../../../../shared/client/audit-api';

export type LiveState = 'connecting' | 'live' | 'failed';

/**
 * Follows the tenant's audit stream (SSE over fetch, resuming with Last-Event-ID) and collects
 * new events, newest first, that `keep` lets through. Starts afresh when the tenant or `resetKey`
 * (the filters) change, since the list below it is then read again from the server.
 */
export function useLiveEvents(client: RosterClient, tenantId: string | null, keep: (e: ActivityEvent) => boolean, resetKey: string) {
  const [events, setEvents] = useState<ActivityEvent[]>([]);
  const [state, setState] = useState<LiveState>('connecting');
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!tenantId) return;
    setEvents([]);
    setState('connecting');
    const abort = new AbortController();
    const opened = setTimeout(() => !abort.signal.aborted && setState((s) => (s === 'connecting' ? 'live' : s)), 300);
    followStream(
      client.http,
      client.audit.streamPath(tenantId),
      {},
      (message) => {
        if (message.event !== 'activity') return;
        setState('live');
        const event = JSON.parse(message.data) as ActivityEvent;
        // The dashboard counts these events: let it catch up.
        void queryClient.invalidateQueries({ queryKey: ['stats'] });
        if (keep(event)) setEvents((list) => (list.some((e) => e.id === event.id) ? list : [event, ...list]));
      },
      abort.signal,
    ).catch(() => !abort.signal.aborted && setState('failed'));
    return () => {
      clearTimeout(opened);
      abort.abort();
    };
    // `keep` is derived from resetKey: following again on every render would drop the stream.
  }, [client, tenantId, resetKey]);
  return { events, state };
}
