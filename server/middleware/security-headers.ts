import type { Next } from 'koa';
import type { AppContext } from '../http/context';

export async function securityHeaders(ctx: AppContext, next: Next) {
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Referrer-Policy', 'no-referrer');
  await next();
}
