import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getJson, postFile, writeCsv } from '../support/import-csv';
import { serversOnOneDatabase, waitForJob } from './import-servers';
import type { Json } from '../support/test-app';

const ROWS = 40_000;
const BAD_ROWS = [7, 18_001, 39_999];

const servers = serversOnOneDatabase();

describe('an import whose server is killed mid-way', () => {
  it('is interrupted at the next start and resumes without a duplicate or a lost row', async () => {
    const file = path.join(servers.db.dataDir, 'kill.csv');
    writeCsv(file, 'email,first_name', ROWS, (i) => (BAD_ROWS.includes(i) ? `broken-${i},Bad` : `k${i}@kill.example.com,K${i}`));

    const { server: first, auth: firstAuth } = await servers.start();
    const res = await postFile(`${first.url}/api/v1/users/bulk-import`, file, { ...firstAuth, 'Content-Type': 'text/csv' });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const id = res.body.data.id as string;

    // Some batches are committed, the job is not finished: now the process dies.
    const seen = await waitForJob(`${first.url}/api/v1/import-jobs/${id}`, firstAuth, (j) => j.committed_rows >= 1000 || !['queued', 'running'].includes(j.status));
    expect(seen.status).toBe('running');
    await first.kill();

    const { server: second, auth } = await servers.start();
    const jobUrl = `${second.url}/api/v1/import-jobs/${id}`;
    const stopped = (await getJson(jobUrl, auth)).body.data;
    expect(stopped.status).toBe('interrupted');
    expect(stopped.committed_rows).toBeGreaterThanOrEqual(seen.committed_rows);
    expect(stopped.committed_rows).toBeLessThan(ROWS);
    expect(stopped.committed_rows % 500).toBe(0);
    expect(stopped.finished_at).toBeNull();

    const resumed = await getJson(`${jobUrl}/resume`, auth, 'POST');
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(202);
    const job = await waitForJob(jobUrl, auth, (j) => !['queued', 'running'].includes(j.status));
    expect(job).toMatchObject({ status: 'completed', rows_read: ROWS, committed_rows: ROWS, created: ROWS - BAD_ROWS.length, failed: BAD_ROWS.length });
    // Each bad row reported once, whether before or after the kill.
    expect(job.errors.map((e: Json) => [e.row, e.field, e.code])).toEqual(BAD_ROWS.map((r) => [r, 'email', 'invalid']));

    const check = await servers.db.open();
    try {
      const stored: { id: string; emailNormalized: string }[] = await check.knex('users').where('emailNormalized', 'like', '%@kill.example.com').select('id', 'emailNormalized');
      const emails = stored.map((u) => u.emailNormalized);
      expect(new Set(emails).size).toBe(emails.length);
      const expected = Array.from({ length: ROWS }, (_, i) => i + 1).filter((i) => !BAD_ROWS.includes(i)).map((i) => `k${i}@kill.example.com`);
      expect(emails.sort()).toEqual(expected.sort());
      // One creation event per user: the replayed part wrote nothing twice.
      const events = await check.knex('activityEvents').where({ action: 'user.created' }).whereIn('subjectId', check.knex('users').where('emailNormalized', 'like', '%@kill.example.com').select('id'))
        .countDistinct({ users: 'subjectId' }).count({ n: '*' }).first();
      expect(Number(events!.n)).toBe(expected.length);
      expect(Number(events!.users)).toBe(expected.length);
    } finally {
      await check.close();
    }
    expect((await getJson(`${jobUrl}/resume`, auth, 'POST')).status).toBe(409);
  }, 600_000);
});
