import type { Next } from 'koa';
import type { Logger } from 'pino';
import type { AppContext } from '../http/context';
import type { Database } from '../db/database';
import { toAppError } from '../errors/to-app-error';
import { recordActivity, eventActorOf } from '../services/activity-log';

/**
 * A signed-in caller refused with 403 leaves an `access.denied` event in its own tenant's audit
 * log (route, method, path, reason): probing for what one may do is itself worth auditing. The
 * refusal goes on unchanged; if the event cannot be written (the database is down), the answer is
 * still the 403 and the failure is logged. REST refusals arrive thrown; SCIM renders its own
 * error bodies, so its refusals arrive as a finished 403 answer.
 */
export function auditDenied(db: Database, logger: Logger) {
  const audit = async (ctx: AppContext, reason: string) => {
    const principal = ctx.state.principal;
    if (!principal) return;
    await recordActivity(db.knex, {
      tenantId: principal.tenantId,
      action: 'access.denied',
      actor: eventActorOf({ principal, ip: ctx.ip, requestId: ctx.state.requestId }),
      subjectType: 'request',
      subjectId: null,
      details: {
        method: ctx.method,
        route: (ctx as { _matchedRoute?: string })._matchedRoute ?? null,
        path: ctx.path,
        reason,
      },
    }).catch((err: unknown) => logger.error({ err, request_id: ctx.state.requestId }, 'could not audit a denied request'));
  };
  return async (ctx: AppContext, next: Next) => {
    try {
      await next();
    } catch (thrown) {
      const error = toAppError(thrown);
      if (error.status === 403) await audit(ctx, error.message);
      throw thrown;
    }
    if (ctx.status === 403) await audit(ctx, String((ctx.body as { detail?: unknown } | undefined)?.detail ?? 'forbidden'));
  };
}
