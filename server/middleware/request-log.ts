import type { Next } from 'koa';
import type { Logger } from 'pino';
import type { AppContext } from '../http/context';
import { principalId } from '../auth/principal';

/** One structured line per request, written when the response is done. */
export function requestLog(logger: Logger) {
  return async (ctx: AppContext, next: Next) => {
    const start = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const status = ctx.status;
      const line = {
        request_id: ctx.state.requestId,
        method: ctx.method,
        path: ctx.path,
        route: (ctx as { _matchedRoute?: string })._matchedRoute,
        status,
        ms: Math.round(ms * 100) / 100,
        ip: ctx.ip,
        principal: ctx.state.principal ? `${ctx.state.principal.kind}:${principalId(ctx.state.principal)}` : undefined,
        tenant_id: ctx.state.principal?.tenantId,
      };
      if (status >= 500) logger.error(line, 'request');
      else logger.info(line, 'request');
    }
  };
}
