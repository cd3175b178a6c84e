import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { seedUser, type BenchScope } from './data';
import type { Api } from './api';

/**
 * A CSV of `rows` new users without passwords (kept under bench/tmp and reused), the shape an
 * HR export has: email, username, names, role.
 */
export async function importFile(tmpDir: string, scope: BenchScope, rows: number, tag: string): Promise<string> {
  // One file per database, so runs on both at once never write the same file.
  const file = path.join(tmpDir, `import-${tag}-${rows}.csv`);
  if (fs.existsSync(file)) return file;
  const part = `${file}.part`;
  const out = fs.createWriteStream(part);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write('email,username,first_name,last_name,role\n');
  for (let i = 0; i < rows; i++) {
    const u = seedUser(scope, i, rows, 'imp');
    await write(`${u.email},${u.username},${u.firstName},${u.lastName},${u.role}\n`);
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  fs.renameSync(part, file);
  return file;
}

export interface ImportResult {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

/** Uploads `file` through POST /api/v1/users/bulk-import and waits for the job to complete. */
export async function runImport(api: Api, file: string): Promise<ImportResult> {
  const started = process.hrtime.bigint();
  const body = Readable.toWeb(fs.createReadStream(file)) as ReadableStream;
  const job = (await api.call('POST', '/api/v1/users/bulk-import?mode=create&on_error=skip', body, 202, 'text/csv')).data;
  for (;;) {
    const state = (await api.call('GET', `/api/v1/import-jobs/${job.id}`)).data;
    if (state.status === 'completed') {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (state.failed || state.skipped) throw new Error(`import: ${state.failed} rows failed, ${state.skipped} skipped: ${JSON.stringify(state.errors?.slice(0, 3))}`);
      return { rows: state.created, seconds, rowsPerSecond: state.created / seconds };
    }
    if (!['queued', 'running'].includes(state.status)) throw new Error(`import ended ${state.status}: ${state.message}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
