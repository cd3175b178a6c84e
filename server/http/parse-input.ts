import type { z } from 'zod';
import { AppError, type ValidationDetail } from '../errors/app-error';
import { zodDetails } from '../errors/zod-details';
import type { AppContext } from './context';
import type { RouteDef } from './define-route';

/**
 * Validates path, query and body against the route's schemas. Every failing field of every
 * part is reported at once, FastAPI style, and nothing runs when any part is wrong.
 */
export function parseInput(ctx: AppContext, route: RouteDef): { params: unknown; query: unknown; body: unknown } {
  const details: ValidationDetail[] = [];
  const run = (schema: z.ZodType | undefined, value: unknown, source: 'path' | 'query' | 'body') => {
    if (!schema) return undefined;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    details.push(...zodDetails(result.error, source));
    return undefined;
  };

  if (route.body) assertBodyType(ctx, route);
  const params = run(route.params, ctx.params, 'path');
  const query = run(route.query, ctx.query, 'query');
  const body = run(route.body, bodyOf(ctx), 'body');

  if (details.length) {
    const first = details[0];
    const field = first.loc.length > 1 ? first.loc.slice(1).join('.') : undefined;
    throw new AppError(422, 'validation_error', field ? `${field}: ${first.msg}` : first.msg, field, details);
  }
  return { params, query, body };
}

function assertBodyType(ctx: AppContext, route: RouteDef): void {
  const hasBody = ctx.request.length > 0 || ctx.get('transfer-encoding') !== '';
  if (!hasBody) return;
  const allowed = route.bodyTypes ?? ['json'];
  const types = allowed.map((t) => (t === 'json' ? 'json' : 'urlencoded'));
  if (!ctx.request.is(...types)) {
    throw new AppError(415, 'unsupported_media_type', `Content-Type must be ${allowed.map((t) => (t === 'json' ? 'application/json' : 'application/x-www-form-urlencoded')).join(' or ')}`);
  }
}

function bodyOf(ctx: AppContext): unknown {
  const body = (ctx.request as unknown as { body?: unknown }).body;
  // An empty body parses to {} so that "all fields optional" bodies need not be sent at all.
  return body === undefined ? {} : body;
}
