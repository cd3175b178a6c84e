import type { ZodError } from 'zod';
import type { ValidationDetail } from './app-error';

/** ZodError -> FastAPI's `detail` list, with `loc` starting at the request part. */
export function zodDetails(err: ZodError, source: 'body' | 'query' | 'path' | 'header'): ValidationDetail[] {
  return err.issues.map((issue) => {
    const loc = [source, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    if (missing) return { loc, msg: 'Field required', type: 'missing' };
    if (issue.code === 'unrecognized_keys') {
      return { loc: [...loc, ...(issue.keys.length === 1 ? issue.keys : [])], msg: `Unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`, type: 'extra_forbidden' };
    }
    return { loc, msg: issue.message, type: issue.code };
  });
}
