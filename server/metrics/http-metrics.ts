import type { Next } from 'koa';
import type { AppContext } from '../http/context';
import type { RosterMetrics } from './registry';

const TOKEN_PATH = '/api/v1/auth/token';
/** Requests that matched no route share one label, so scanners cannot grow the label set. */
const UNMATCHED = 'unmatched';

/** `/a/:b` (the router's form of a defineRoute path) back to the declared `/a/{b}`. */
const template = (matched: string) => matched.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** Why a token request was refused, read from the rendered error: the field it names. */
function loginFailureReason(ctx: AppContext): string | undefined {
  if (ctx.status === 429) return 'rate_limited';
  if (ctx.status !== 401) return undefined;
  const body = ctx.request.body as { grant_type?: unknown } | undefined;
  if (body?.grant_type !== undefined && body.grant_type !== 'password') return undefined;
  const field = (ctx.body as { error?: { field?: string } } | undefined)?.error?.field;
  if (field === 'mfa_code') return 'mfa_code';
  if (field === 'new_password') return 'password_change_required';
  if (field === 'client_id') return 'client';
  return 'invalid_credentials';
}

/**
 * Counts and times every request by its route template (never the raw URL, whose ids would
 * make a series per user). Sits outside the error handler, so it sees the status sent.
 * A streamed body is timed until the response is done.
 */
export function httpMetrics(metrics: RosterMetrics) {
  return async (ctx: AppContext, next: Next) => {
    const start = process.hrtime.bigint();
    const record = () => {
      const matched = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
      const route = typeof matched === 'string' ? template(matched) : ctx.path === '/metrics' ? '/metrics' : UNMATCHED;
      const labels = { method: ctx.method, route, status: String(ctx.status) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
      if (ctx.path === TOKEN_PATH && ctx.method === 'POST') {
        const reason = loginFailureReason(ctx);
        if (reason) metrics.loginFailures.inc({ reason });
      }
    };
    try {
      await next();
    } finally {
      if (ctx.res.writableFinished || !ctx.body || typeof (ctx.body as { pipe?: unknown }).pipe !== 'function') record();
      else ctx.res.once('close', record);
    }
  };
}
