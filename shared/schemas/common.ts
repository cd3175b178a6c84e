import { z } from 'zod';

export const Meta = z
  .object({ request_id: z.string().nullable().optional(), timestamp: z.string().optional() })
  .meta({ id: 'MetaResponse', description: 'Metadata included in API responses.' });

export const PaginationMeta = z
  .object({
    page: z.number().int(), per_page: z.number().int(), total_items: z.number().int(), total_pages: z.number().int(),
    next_cursor: z.string().nullable().optional().describe('Lists with keyset paging: pass it as `cursor` for the next page (null on the last)'),
  })
  .meta({ id: 'PaginationMeta', description: 'Pagination metadata.' });

export const ValidationErrorItem = z
  .object({ loc: z.array(z.union([z.string(), z.number()])), msg: z.string(), type: z.string() })
  .meta({ id: 'ValidationError' });

export const ErrorResponse = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
    detail: z.array(ValidationErrorItem).optional(),
    meta: Meta,
  })
  .meta({ id: 'ErrorResponse', description: 'Every error, whatever its status.' });

export const apiResponse = <T extends z.ZodType>(data: T, id: string) =>
  z.object({ data, meta: Meta.optional() }).meta({ id });

export const paginated = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ data: z.array(item), pagination: PaginationMeta, meta: Meta.optional() }).meta({ id });

/** Query strings carry text: booleans are spelled out, never coerced from any non-empty string. */
export const queryBoolean = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

export const Id = z.string().min(1).max(64);

/** `{tenant_id}` in a path: the tenant's id or its slug. */
export const TenantParams = z.object({ tenant_id: z.string().min(1).max(64) });

/**
 * A comma-separated query value whose items must come from `allowed` (e.g. `include=groups,ou`);
 * unknown items are a 422 naming them.
 */
export function commaList<T extends string>(allowed: readonly T[], what: string) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      const parts = (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      const bad = parts.filter((p) => !(allowed as readonly string[]).includes(p));
      if (bad.length) ctx.addIssue({ code: 'custom', message: `unknown ${what}: ${bad.join(', ')} (allowed: ${allowed.join(', ')})` });
      return parts as T[];
    });
}
export const Uuid = z.uuid();

export const PAGE_SIZE_DEFAULT = 20;
export const PAGE_SIZE_MAX = 100;

/** Both paging styles of the contract: page/per_page (seed 001) and offset/limit (seed 003). */
export const pagingQuery = {
  page: z.coerce.number().int().min(1).max(10_000_000).optional(),
  per_page: z.coerce.number().int().min(1).optional(),
  offset: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).optional(),
  sort_order: z.enum(['asc', 'desc']).optional(),
};

export type Paging = { limit: number; offset: number; page: number; perPage: number };
