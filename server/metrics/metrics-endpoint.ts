import crypto from 'node:crypto';
import type { Next } from 'koa';
import type { AppContext } from '../http/context';
import { AppError, forbidden, unauthorized } from '../errors/app-error';
import type { RosterMetrics } from './registry';

export const METRICS_PATH = '/metrics';

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

const digest = (s: string) => crypto.createHash('sha256').update(s).digest();

/**
 * With a token, a caller must present it; without one, only a caller on this machine that did
 * not come through a proxy may read (a proxy on the same host would otherwise publish it).
 */
function assertMayScrape(ctx: AppContext, token: string | undefined) {
  if (token) {
    const given = /^Bearer\s+(.+)$/i.exec(ctx.get('Authorization'))?.[1]?.trim() ?? '';
    // Equal-length digests: the comparison takes the same time whatever was sent.
    if (!crypto.timingSafeEqual(digest(given), digest(token))) throw unauthorized('A valid metrics token is required (ROSTER_METRICS_TOKEN)');
    return;
  }
  const direct = LOOPBACK.test(ctx.req.socket.remoteAddress ?? '') && !ctx.get('X-Forwarded-For') && !ctx.get('Forwarded');
  if (!direct) throw forbidden('/metrics answers only on loopback unless ROSTER_METRICS_TOKEN is set');
}

/** GET /metrics in Prometheus' text format. */
export function metricsEndpoint(metrics: RosterMetrics, token: string | undefined) {
  return async (ctx: AppContext, next: Next) => {
    if (ctx.path !== METRICS_PATH) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      throw new AppError(405, 'method_not_allowed', 'Method not allowed', undefined, undefined, { Allow: 'GET, HEAD' });
    }
    assertMayScrape(ctx, token);
    metrics.ensureProcessMetrics();
    ctx.set('Cache-Control', 'no-store');
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  };
}
