import { expect } from 'vitest';
import type { Auth, Json, TestApp } from '../support/test-app';

/** Polls GET /import-jobs/:id until the job is no longer queued or running, and answers it. */
export async function waitForImportJob(app: TestApp, id: string, auth: Auth, timeoutMs = 60_000): Promise<Json> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await app.http.get(`/api/v1/import-jobs/${id}`).set(auth);
    expect(res.status).toBe(200);
    if (!['queued', 'running'].includes(res.body.data.status)) return res.body.data;
    if (Date.now() > until) throw new Error(`job ${id} still ${res.body.data.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** POSTs `body` (of Content-Type `type`) to the bulk import, expects 202, and answers the finished job. */
export async function importInto(app: TestApp, auth: Auth, body: string, type: string, query: Record<string, string> = {}): Promise<Json> {
  const res = await app.http.post('/api/v1/users/bulk-import').set(auth).set('Content-Type', type).query(query).send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  expect(res.body.data).toMatchObject({ status: expect.stringMatching(/queued|running|completed/) });
  return waitForImportJob(app, res.body.data.id, auth);
}
