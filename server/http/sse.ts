import type { Knex } from 'knex';
import type { AppContext } from './context';
import type { Database } from '../db/database';
import { isUuid } from '../db/ids';
import { activityStream } from '../services/activity-stream';

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
  ctx.body = activityStream(db, { events, after: isUuid(lastEventId) ? lastEventId.toLowerCase() : undefined, signal: abort.signal });
}
