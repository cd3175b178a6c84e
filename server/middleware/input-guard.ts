import type { Next } from 'koa';
import type { AppContext } from '../http/context';
import { AppError, invalidRequest, validationError } from '../errors/app-error';

/** Deeper JSON than any request of the API needs; beyond it, validators would recurse for nothing. */
export const MAX_JSON_DEPTH = 32;
/** More items than any array of the API takes (bulk import streams its body and is not parsed here). */
export const MAX_ARRAY_ITEMS = 10_000;

/**
 * A NUL byte in the URL is refused before any route sees it: PostgreSQL cannot store or compare
 * one (22021) and SQLite cuts C strings at it, so it could only end in a 500 or a silent mismatch.
 * Runs before every router, SCIM's included.
 */
export async function urlGuard(ctx: AppContext, next: Next) {
  if (/%00/i.test(ctx.querystring) || /%00|\0/i.test(ctx.path)) throw invalidRequest('The URL must not contain NUL characters');
  await next();
}

/**
 * What the body parser lets through but no field may hold: text that was not valid UTF-8 (the
 * decoder turned it into U+FFFD), NUL characters and lone surrogates in any string or key, JSON
 * nested absurdly deep, and huge arrays. Walked without recursion, so the walk itself cannot be
 * made to overflow the stack. Refused with 400 (unreadable) or 422 naming the field.
 */
export async function bodyGuard(ctx: AppContext, next: Next) {
  const raw = (ctx.request as { rawBody?: unknown }).rawBody;
  if (typeof raw === 'string' && raw.includes('\uFFFD')) throw invalidRequest('The request body is not valid UTF-8');
  const body = (ctx.request as { body?: unknown }).body;
  if (body !== null && typeof body === 'object') checkTree(body);
  await next();
}

function checkTree(root: object) {
  const stack: { value: unknown; loc: (string | number)[] }[] = [{ value: root, loc: [] }];
  while (stack.length) {
    const { value, loc } = stack.pop()!;
    if (typeof value === 'string') {
      checkText(value, loc);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (loc.length >= MAX_JSON_DEPTH) throw refuse(loc, `is nested deeper than ${MAX_JSON_DEPTH} levels`, 'too_deep');
    if (Array.isArray(value)) {
      if (value.length > MAX_ARRAY_ITEMS) throw refuse(loc, `has more than ${MAX_ARRAY_ITEMS} items`, 'too_long');
      value.forEach((item, i) => stack.push({ value: item, loc: [...loc, i] }));
    } else {
      for (const [key, item] of Object.entries(value)) {
        checkText(key, [...loc, key]);
        stack.push({ value: item, loc: [...loc, key] });
      }
    }
  }
}

function checkText(text: string, loc: (string | number)[]) {
  if (text.includes('\0')) throw refuse(loc, 'must not contain NUL characters', 'nul_character');
  // In a `u` regex a valid pair is one code point, so only a lone surrogate matches.
  if (/\p{Surrogate}/u.test(text)) throw refuse(loc, 'must be well-formed Unicode (no lone surrogates)', 'invalid_unicode');
}

function refuse(loc: (string | number)[], msg: string, type: string): AppError {
  return validationError(['body', ...loc], loc.length ? msg : `The body ${msg}`, type);
}
