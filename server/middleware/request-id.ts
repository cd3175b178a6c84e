import { v7 as uuidv7 } from 'uuid';
import type { Next } from 'koa';
import type { AppContext } from '../http/context';

const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/** Echoes the caller's X-Request-Id when it is sane, otherwise makes one. */
export async function requestId(ctx: AppContext, next: Next) {
  const given = ctx.get('X-Request-Id');
  ctx.state.requestId = ACCEPTABLE.test(given) ? given : uuidv7();
  ctx.set('X-Request-Id', ctx.state.requestId);
  await next();
}
