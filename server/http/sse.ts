import type Koa from 'koa';
import type { PassThrough } from 'node:stream';
import type { Knex } from 'knex';
import type { AppContext } from './context';
import type { Database } from '../db/database';
import { isUuid } from '../db/ids';
import { activityStream } from '../services/activity-stream';

/** How soon a client told to go away comes back (to this server's successor, behind a balancer). */
const SHUTDOWN_RETRY_MS = 1000;

/**
 * The open event streams of one app: counted for /metrics, and ended with a reconnect hint when
 * the server stops, since a stream never finishes by itself and would hold the shutdown forever.
 */
export class LiveStreams {
  private readonly open = new Map<PassThrough, AbortController>();

  constructor(private readonly gauge?: { inc(): void; dec(): void }) {}

  get size(): number {
    return this.open.size;
  }

  add(out: PassThrough, abort: AbortController) {
    this.open.set(out, abort);
    this.gauge?.inc();
    // Whichever comes first: the client went away (abort) or the response is done (close).
    const gone = () => {
      if (this.open.delete(out)) this.gauge?.dec();
    };
    out.once('close', gone);
    abort.signal.addEventListener('abort', gone, { once: true });
  }

  /** Tells every client to reconnect after `retryMs` (`retry:` field), then ends its stream. */
  closeAll(retryMs = SHUTDOWN_RETRY_MS) {
    for (const [out, abort] of this.open) {
      if (!out.writableEnded) out.write(`retry: ${retryMs}\nevent: shutdown\ndata: {"message":"The server is stopping; reconnect with Last-Event-ID to resume"}\n\n`);
      abort.abort();
    }
  }
}

const streamsByApp = new WeakMap<Koa, LiveStreams>();

/** The app's stream registry, made on first use; createApp gives it the /metrics gauge. */
export function liveStreamsOf(app: Koa, gauge?: { inc(): void; dec(): void }): LiveStreams {
  let streams = streamsByApp.get(app);
  if (!streams) {
    streams = new LiveStreams(gauge);
    streamsByApp.set(app, streams);
  }
  return streams;
}

/**
 * Answers the request with a live event stream of `events`, resuming after the client's
 * Last-Event-ID when it sends a valid one. The stream ends when the client goes away.
 */
export function sendActivityStream(ctx: AppContext, db: Database, events: () => Knex.QueryBuilder) {
  const abort = new AbortController();
  ctx.req.on('close', () => abort.abort());
  const lastEventId = ctx.get('Last-Event-ID');
  ctx.status = 200;
  ctx.set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', 'X-Accel-Buffering': 'no' });
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  const out = activityStream(db, { events, after: isUuid(lastEventId) ? lastEventId.toLowerCase() : undefined, signal: abort.signal });
  liveStreamsOf(ctx.app).add(out, abort);
  ctx.body = out;
}
