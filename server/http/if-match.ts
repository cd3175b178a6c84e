import { AppError } from '../errors/app-error';
import type { AppContext } from './context';

/** The version named by `If-Match: W/"7"` (or `"7"`); `*` and absence ask for no check. */
export function ifMatchVersion(ctx: AppContext): number | undefined {
  const header = ctx.get('If-Match').trim();
  if (!header || header === '*') return undefined;
  const m = /^(?:W\/)?"(\d+)"$/.exec(header);
  if (!m) throw new AppError(412, 'precondition_failed', 'If-Match must be an ETag this server issued, like W/"3"');
  return Number(m[1]);
}
