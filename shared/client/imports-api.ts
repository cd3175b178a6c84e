import type { z } from 'zod';
import type { HttpClient } from './http';
import type { Data } from './envelopes';
import type { ImportJob, ImportQuery } from '../schemas/import';

export type ImportJobView = z.output<typeof ImportJob>;
/** The query of the upload; `dry_run` is sent as the text `true` or `false`. */
export type ImportOptions = Pick<z.output<typeof ImportQuery>, 'mode' | 'on_error'> & { dry_run: boolean };

const jobPath = (id: string) => `/api/v1/import-jobs/${encodeURIComponent(id)}`;

/** Bulk import: upload a file as a job, poll it, read its row errors, resume it after an interruption. */
export const importsApi = (http: HttpClient) => ({
  /** Streams the file as the request body (a Blob is never read into a string here). */
  start: (file: Blob, options: ImportOptions, tenantId?: string, contentType = 'text/csv') =>
    http
      .request<Data<ImportJobView>>('POST', '/api/v1/users/bulk-import', {
        query: { ...options, tenant_id: tenantId },
        raw: { data: file, contentType },
      })
      .then((r) => r.data),
  get: (id: string, tenantId?: string, signal?: AbortSignal) =>
    http.get<Data<ImportJobView>>(jobPath(id), { tenant_id: tenantId }, signal).then((r) => r.data),
  /** Every row error as CSV, with the server's file name. */
  errorsCsv: async (id: string, tenantId?: string) => {
    const res = await http.fetch('GET', `${jobPath(id)}/errors.csv`, { query: { tenant_id: tenantId }, headers: { Accept: 'text/csv' } });
    return { blob: await res.blob(), filename: filenameOf(res) ?? `import-${id}-errors.csv` };
  },
  resume: (id: string, tenantId?: string) =>
    http.request<Data<ImportJobView>>('POST', `${jobPath(id)}/resume`, { query: { tenant_id: tenantId } }).then((r) => r.data),
});

/** The file name of a `Content-Disposition: attachment; filename="..."` header. */
export function filenameOf(res: Response): string | null {
  const header = res.headers.get('content-disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(header);
  return plain ? plain[1] : null;
}
