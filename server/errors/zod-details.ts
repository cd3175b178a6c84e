import type { ZodError } from 'zod';
import type { ValidationDetail } from './app-error';

/** ZodError -> FastAPI's `detail` list, with `loc` starting at the request part. */
export function zodDetails(err: ZodError, source: 'body' | 'query' | 'path' | 'header'): ValidationDetail[] {
  return err.issues.flatMap((issue): ValidationDetail[] => {
    const loc = [source, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    if (missing) return [{ loc, msg: 'Field required', type: 'missing' }];
    // Zod reports all unknown keys of an object in one issue; FastAPI names each at its own
    // location, so a client can mark every offending field.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ loc: [...loc, key], msg: `Unknown field: ${key}`, type: 'extra_forbidden' }));
    }
    return [{ loc, msg: issue.message, type: issue.code }];
  });
}
