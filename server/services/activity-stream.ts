import { PassThrough } from 'node:stream';
import type { Knex } from 'knex';
import type { Database } from '../db/database';
import { presentEvent } from './activity-service';

/** How often the stream looks for new events: each one reaches the client within a second. */
const POLL_MS = 400;
const KEEP_ALIVE_MS = 15_000;
/**
 * Ids are UUIDv7, so they order by creation time; but on PostgreSQL a transaction that began
 * earlier can commit later than one that began after it. Each poll therefore looks back this far
 * and skips what it already sent, so such an event still arrives instead of being jumped over.
 */
const LATE_COMMIT_WINDOW_MS = 5_000;

/** The smallest UUIDv7 of a millisecond: ids compare as text on SQLite and bytewise on PostgreSQL. */
function uuidAt(ms: number): string {
  const hex = Math.max(0, ms).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}
const msOf = (uuid: string) => parseInt(uuid.replace(/-/g, '').slice(0, 12), 16);

export interface StreamOptions {
  /** The events to follow: a query on activity_events the stream adds its own conditions to. */
  events: () => Knex.QueryBuilder;
  /** Last-Event-ID of a reconnecting client: the stream goes on right after it. */
  after?: string;
  /** Ends the stream (client gone, server stopping). */
  signal: AbortSignal;
}

/**
 * Server-Sent Events over an indexed poll of the activity table, so events written through any
 * server of a cluster reach every client. Each event carries its id, which a client sends back as
 * Last-Event-ID to resume without gaps or repeats.
 */
export function activityStream(db: Database, opts: StreamOptions): PassThrough {
  const out = new PassThrough();
  const sent = new Map<string, number>();
  let cursor = opts.after ?? uuidAt(Date.now());
  let timer: NodeJS.Timeout | undefined;
  const keepAlive = setInterval(() => out.write(': keep-alive\n\n'), KEEP_ALIVE_MS);

  const stop = () => {
    clearTimeout(timer);
    clearInterval(keepAlive);
    if (!out.writableEnded) out.end();
  };
  opts.signal.addEventListener('abort', stop, { once: true });
  out.on('close', stop);

  // A retry hint, and a first line so proxies and clients see the stream open at once.
  out.write(`retry: 2000\n: connected\n\n`);

  // A fresh stream starts now: what is already in the look-back window counts as seen.
  const seedSeen = async () => {
    if (opts.after) return;
    const rows: { id: string }[] = await opts.events().where('id', '>', uuidAt(Date.now() - LATE_COMMIT_WINDOW_MS)).select('id');
    for (const { id } of rows) sent.set(id, msOf(id));
  };

  const poll = async () => {
    try {
      const from = opts.after && sent.size === 0 && cursor === opts.after ? cursor : uuidAt(msOf(cursor) - LATE_COMMIT_WINDOW_MS);
      const rows = await opts.events().where('id', '>', from).orderBy('id', 'asc').limit(500).select('*');
      for (const row of rows) {
        if (sent.has(row.id) || (opts.after && row.id <= opts.after)) continue;
        const event = presentEvent(row);
        out.write(`id: ${event.id}\nevent: activity\ndata: ${JSON.stringify(event)}\n\n`);
        sent.set(row.id, msOf(row.id));
        if (row.id > cursor) cursor = row.id;
      }
      // Forget what has fallen out of the look-back window.
      const horizon = msOf(cursor) - 2 * LATE_COMMIT_WINDOW_MS;
      for (const [id, ms] of sent) if (ms < horizon) sent.delete(id);
    } catch (err) {
      out.write(`event: error\ndata: ${JSON.stringify({ message: 'The stream could not read new events; reconnect to resume' })}\n\n`);
      out.destroy(err as Error);
      return;
    }
    if (!opts.signal.aborted && !out.destroyed) timer = setTimeout(poll, POLL_MS);
  };
  void seedSeen().then(poll, (err) => out.destroy(err as Error));
  return out;
}
