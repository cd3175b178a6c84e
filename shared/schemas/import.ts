import { z } from 'zod';
import { queryBoolean } from './common';
import { TenantScopeQuery } from './caller-users';

export const ImportQuery = TenantScopeQuery.extend({
  mode: z.enum(['create', 'upsert']).default('create').describe('upsert updates the user with the same email (case-insensitive)'),
  dry_run: queryBoolean.default(false).describe('Validate and count without changing anything'),
  on_error: z.enum(['skip', 'abort']).default('skip').describe('skip: bad rows are reported, good rows committed; abort: the first bad row stops the job and nothing is applied'),
});

export const ImportRowError = z
  .object({ row: z.number().int(), field: z.string().nullable(), code: z.string(), message: z.string() })
  .meta({ id: 'ImportRowError', description: 'Rows are numbered from 1 for the first record after the CSV header (the first element of a JSON array, the first non-blank NDJSON line).' });

export const ImportJob = z
  .object({
    id: z.string(),
    tenant_id: z.string(),
    status: z.enum(['queued', 'running', 'completed', 'failed', 'aborted', 'interrupted']),
    format: z.enum(['csv', 'json', 'ndjson']),
    mode: z.enum(['create', 'upsert']),
    dry_run: z.boolean(),
    on_error: z.enum(['skip', 'abort']),
    rows_read: z.number().int(),
    committed_rows: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    skipped: z.number().int().describe('Upserted rows identical to the existing user'),
    failed: z.number().int(),
    message: z.string().nullable(),
    errors: z.array(ImportRowError).describe('The first 100 row errors; errors.csv has them all'),
    errors_truncated: z.boolean(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
  })
  .meta({ id: 'ImportJob' });
export type ImportJob = z.infer<typeof ImportJob>;
