import type { HttpClient, Query } from './http';

export interface StreamEvent {
  id: string | null;
  event: string;
  data: string;
}

/**
 * Server-Sent Events over fetch, so the bearer token travels in a header (never in the URL, as
 * EventSource would need). Reconnects with Last-Event-ID after a drop, waiting what the server's
 * `retry:` asked for, until `signal` aborts.
 */
export async function followStream(
  http: HttpClient,
  path: string,
  query: Query,
  onEvent: (event: StreamEvent) => void,
  signal: AbortSignal,
  /** Start right after this event (the newest one already read from a list), so none falls in between. */
  after: string | null = null,
): Promise<void> {
  let lastEventId: string | null = after;
  let retryMs = 2000;
  while (!signal.aborted) {
    try {
      const headers: Record<string, string> = { Accept: 'text/event-stream' };
      if (lastEventId) headers['Last-Event-ID'] = lastEventId;
      const res = await http.fetch('GET', path, { query, headers, signal });
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
          const parsed = parseBlock(block);
          if (parsed.retry) retryMs = parsed.retry;
          if (parsed.event) {
            if (parsed.event.id) lastEventId = parsed.event.id;
            onEvent(parsed.event);
          }
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      if ((err as { status?: number }).status && (err as { status: number }).status < 500) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
}

function parseBlock(block: string): { event?: StreamEvent; retry?: number } {
  let id: string | null = null;
  let event = 'message';
  const data: string[] = [];
  let retry: number | undefined;
  for (const line of block.split(/\r?\n/)) {
    if (!line || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
  }
  return { retry, event: data.length ? { id, event, data: data.join('\n') } : undefined };
}
