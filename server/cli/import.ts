import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import type { ImportFormat } from '../services/import-service';
import type { ImportJob } from '../../shared/schemas/import';
import { CliError } from './cli-error';
import { cliActor, openCli } from './context';

export interface ImportCommandOptions { tenant: string; mode: 'create' | 'upsert'; dryRun: boolean; onError: 'skip' | 'abort'; format?: ImportFormat }

const FORMAT_BY_EXTENSION: Record<string, ImportFormat> = { '.csv': 'csv', '.json': 'json', '.ndjson': 'ndjson', '.jsonl': 'ndjson' };
const POLL_MS = 250;
/** Exit codes: 0 all rows imported, 2 done but some rows refused, 1 the job failed or was aborted, 130 stopped by a signal (resumable). */
export const IMPORT_EXIT = { ok: 0, failed: 1, rowErrors: 2, interrupted: 130 } as const;

const counts = (j: ImportJob) => `rows ${j.rows_read}: created ${j.created}, updated ${j.updated}, skipped ${j.skipped}, failed ${j.failed}`;

/**
 * `roster import FILE`: the same job the API runs (the file is copied to the data dir, read in
 * batches of 500 rows, each committed with its progress), followed here until it ends. Ctrl-C
 * or SIGTERM stops it at the next batch boundary; the job is left interrupted and any server
 * on this database resumes it with POST /api/v1/import-jobs/{id}/resume.
 */
export async function importCommand(config: Config, file: string, opts: ImportCommandOptions, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const format = opts.format ?? FORMAT_BY_EXTENSION[path.extname(file).toLowerCase()];
  if (!format) throw new CliError(`Cannot tell the format of ${file} from its name: pass --format csv|json|ndjson`);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new CliError(`No such file: ${file}`);

  const cli = await openCli(config);
  const stop = () => {
    err.write('\nStopping at the next batch boundary...\n');
    void cli.services.imports.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const actor = await cliActor(cli.db);
    let job = await cli.services.imports.start(actor, opts.tenant, format, { mode: opts.mode, dryRun: opts.dryRun, onError: opts.onError }, fs.createReadStream(file));
    err.write(`Import job ${job.id} (${format}, ${opts.mode}${opts.dryRun ? ', dry run' : ''}, on error ${opts.onError})\n`);
    let shown = -1;
    while (job.status === 'queued' || job.status === 'running') {
      await new Promise((r) => setTimeout(r, POLL_MS));
      job = await cli.services.imports.get(actor, job.tenant_id, job.id);
      if (job.rows_read !== shown) {
        shown = job.rows_read;
        err.write(`  ${counts(job)}\n`);
      }
    }
    // Close first: a stopped job is written as interrupted only once the runner has finished.
    await cli.services.imports.close();
    job = await cli.services.imports.get(actor, job.tenant_id, job.id);
    for (const e of job.errors) err.write(`  row ${e.row}${e.field ? ` ${e.field}` : ''}: ${e.message}\n`);
    if (job.errors_truncated) err.write(`  ... and more: GET /api/v1/import-jobs/${job.id}/errors.csv\n`);
    out.write(`${job.status}: ${counts(job)}${job.message ? ` (${job.message})` : ''}\n`);
    if (job.status === 'interrupted') {
      out.write(`Resume with POST /api/v1/import-jobs/${job.id}/resume?tenant_id=${job.tenant_id}\n`);
      return IMPORT_EXIT.interrupted;
    }
    if (job.status !== 'completed') return IMPORT_EXIT.failed;
    return job.failed > 0 ? IMPORT_EXIT.rowErrors : IMPORT_EXIT.ok;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await cli.close();
  }
}
