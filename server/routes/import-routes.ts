import { Readable } from 'node:stream';
import { z } from 'zod';
import { defineRoute } from '../http/define-route';
import { actorOf, type AppContext } from '../http/context';
import { sendData } from '../http/envelope';
import { AppError } from '../errors/app-error';
import type { ImportService, ImportFormat } from '../services/import-service';
import { TenantScopeQuery } from '../../shared/schemas/caller-users';
import { ImportJob, ImportQuery } from '../../shared/schemas/import';

export const IMPORT_PATH = '/api/v1/users/bulk-import';
const Params = z.object({ job_id: z.string().min(1).max(64) });
const jobs = '/api/v1/import-jobs';
const tags = ['users'];
const ApiResponseImportJob = z.object({ data: ImportJob });

const tenantOf = (ctx: AppContext, query: { tenant_id?: string }) => query.tenant_id ?? actorOf(ctx).principal.tenantId;

function formatOf(ctx: AppContext): ImportFormat {
  const type = ctx.request.is('text/csv', 'application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/json');
  if (type === 'text/csv') return 'csv';
  if (type === 'application/json') return 'json';
  if (type) return 'ndjson';
  throw new AppError(415, 'unsupported_media_type', 'Content-Type must be text/csv, application/json (an array) or application/x-ndjson');
}

/** Bulk import. The upload is read from the raw request stream: the JSON body parser skips this path. */
export const importRoutes = (imports: ImportService) => [
  defineRoute({
    method: 'post', path: IMPORT_PATH, summary: 'Import users in bulk', tags, access: 'users:import',
    description: 'The body is CSV (`text/csv`, a header row; UserCreate\'s fields as columns, `groups` as names separated by `;`, `ou_path`, `custom.*` columns, `password` or a pre-hashed argon2 or bcrypt (`$2a$`/`$2b$`/`$2y$`) `password_hash`, stored as given and replaced by argon2id at the first sign-in; `send_welcome_email` true queues the welcome mail for a created user), a JSON array or NDJSON of the same fields. The upload is stored and processed in the background in batches of 500 rows, each batch in one transaction; the answer is the job to poll.',
    query: ImportQuery,
    responses: { 202: { description: 'The import job', schema: ApiResponseImportJob }, 415: { description: 'Not CSV, JSON or NDJSON' } },
    handler: async (ctx, { query }) => {
      const format = formatOf(ctx);
      const job = await imports.start(actorOf(ctx), tenantOf(ctx, query), format, { mode: query.mode, dryRun: query.dry_run, onError: query.on_error }, ctx.req);
      ctx.set('Location', `${jobs}/${job.id}`);
      sendData(ctx, job, 202);
    },
  }),
  defineRoute({
    method: 'get', path: `${jobs}/{job_id}`, summary: 'An import job', tags, access: 'users:import',
    description: 'Status (queued, running, completed, failed, aborted, interrupted), counts and the first 100 row errors. A running job whose server is gone (its process ended, or no heartbeat for 30 s) is shown, and stored, as interrupted.',
    params: Params, query: TenantScopeQuery,
    responses: { 200: { description: 'The job', schema: ApiResponseImportJob } },
    handler: async (ctx, { params, query }) => sendData(ctx, await imports.get(actorOf(ctx), tenantOf(ctx, query), params.job_id)),
  }),
  defineRoute({
    method: 'get', path: `${jobs}/{job_id}/errors.csv`, summary: 'All row errors of an import job', tags, access: 'users:import',
    description: 'CSV with row, field, code and message; cells that a spreadsheet would run as a formula start with an apostrophe.',
    params: Params, query: TenantScopeQuery,
    responses: { 200: { description: 'text/csv' } },
    handler: async (ctx, { params, query }) => {
      const lines = imports.errorsCsv(actorOf(ctx), tenantOf(ctx, query), params.job_id);
      // The first line comes only after the job was found, so a 404 is still a JSON error.
      const first = await lines.next();
      ctx.type = 'text/csv; charset=utf-8';
      ctx.set('Content-Disposition', `attachment; filename="import-${params.job_id}-errors.csv"`);
      ctx.body = Readable.from((async function* () {
        if (!first.done) yield first.value;
        yield* lines;
      })());
    },
  }),
  defineRoute({
    method: 'post', path: `${jobs}/{job_id}/resume`, summary: 'Resume an interrupted import job', tags, access: 'users:import',
    description: 'Goes on from the last committed row of a job the server stopped in the middle of.',
    params: Params, query: TenantScopeQuery,
    responses: { 202: { description: 'The job', schema: ApiResponseImportJob }, 409: { description: 'Not interrupted' } },
    handler: async (ctx, { params, query }) => sendData(ctx, await imports.resume(actorOf(ctx), tenantOf(ctx, query), params.job_id), 202),
  }),
];
