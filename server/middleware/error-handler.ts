import type { Next } from 'koa';
import type { Logger } from 'pino';
import type { AppContext } from '../http/context';
import { toAppError } from '../errors/to-app-error';
import type { AppError } from '../errors/app-error';

export type ErrorRenderer = (ctx: AppContext, err: AppError) => unknown;

/** REST's error body; SCIM mounts its own renderer for the same AppError. */
export const renderRestError: ErrorRenderer = (ctx, err) => ({
  error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) },
  ...(err.details ? { detail: err.details } : {}),
  meta: { request_id: ctx.state.requestId, timestamp: new Date().toISOString() },
});

/** First in the chain: every thrown thing leaves as one AppError, rendered once. */
export function errorHandler(logger: Logger, render: ErrorRenderer = renderRestError) {
  return async (ctx: AppContext, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.throw(404);
      }
    } catch (thrown) {
      const err = toAppError(thrown);
      if (err.status >= 500) logger.error({ err: thrown, request_id: ctx.state.requestId }, 'request failed');
      ctx.status = err.status;
      for (const [name, value] of Object.entries(err.headers ?? {})) ctx.set(name, value);
      if (err.status === 405) setAllow(ctx);
      ctx.body = render(ctx, err);
    }
  };
}

/**
 * A 405 must name the methods the resource has (RFC 9110, Allow). The router throws its 405
 * without the header, since app.ts has it throw so that every error is rendered here, but it
 * leaves the routes that matched the path in `ctx.matched`.
 */
function setAllow(ctx: AppContext) {
  const matched = (ctx as { matched?: { methods: string[] }[] }).matched ?? [];
  const methods = [...new Set(matched.flatMap((layer) => layer.methods))];
  if (methods.length) ctx.set('Allow', methods.join(', '));
}
