import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerDatabase, rootAuthOf, startServer, type ServerDatabase, type ServerProcess } from '../support/server-process';
import { getJson, postFile, writeCsv } from '../support/import-csv';
import type { Json } from '../support/test-app';

// Enough rows that A still runs the job while B starts, even on a fast machine.
const ROWS = 60_000;

let db: ServerDatabase;
const servers: ServerProcess[] = [];
beforeAll(async () => {
  db = await createServerDatabase();
}, 180_000);
afterAll(async () => {
  for (const s of servers) await s.kill();
  await db?.drop();
});

async function waitFor(url: string, auth: Record<string, string>, done: (job: Json) => boolean, timeoutMs = 300_000): Promise<Json> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await getJson(url, auth);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    if (done(res.body.data)) return res.body.data;
    if (Date.now() > until) throw new Error(`gave up waiting: ${JSON.stringify(res.body.data)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('import jobs with several servers on one database', () => {
  it('a starting server leaves a live server\'s job alone; a stale heartbeat makes it interrupted', async () => {
    const file = path.join(db.dataDir, 'two.csv');
    writeCsv(file, 'email,first_name', ROWS, (i) => `h${i}@beat.example.com,H${i}`);
    const check = await db.open();
    try {
      const a = await startServer(db.env);
      servers.push(a);
      const authA = await rootAuthOf(a.url);
      const res = await postFile(`${a.url}/api/v1/users/bulk-import`, file, { ...authA, 'Content-Type': 'text/csv' });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      const id = res.body.data.id as string;
      const running = await waitFor(`${a.url}/api/v1/import-jobs/${id}`, authA, (j) => j.committed_rows > 0 || !['queued', 'running'].includes(j.status));
      expect(running.status).toBe('running');
      const beat1 = (await check.knex('importJobs').where({ id }).first()).heartbeatAt;

      // B starts while A runs the job: B neither interrupts it at start-up nor when asked about it.
      const b = await startServer(db.env);
      servers.push(b);
      const authB = await rootAuthOf(b.url);
      const jobAtB = `${b.url}/api/v1/import-jobs/${id}`;
      const seenByB = (await getJson(jobAtB, authB)).body.data;
      expect(seenByB.status, 'A finished before B started: the file is too small for this machine').toBe('running');
      const refused = await getJson(`${jobAtB}/resume`, authB, 'POST');
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('conflict');
      // A's heartbeat goes on with its batches.
      await waitFor(jobAtB, authB, (j) => j.committed_rows > running.committed_rows + 1000 || j.status !== 'running');
      const beat2 = (await check.knex('importJobs').where({ id }).first()).heartbeatAt;
      expect(new Date(beat2).getTime()).toBeGreaterThan(new Date(beat1).getTime());

      // A dies, and as if it had run on another machine (B cannot look up its process), only
      // the heartbeat tells: fresh, the job stays running; 30 s old, it is interrupted.
      await a.kill();
      await check.knex('importJobs').where({ id }).update({ runnerHost: 'another-host|pid:[1]' });
      expect((await getJson(jobAtB, authB)).body.data.status).toBe('running');
      expect((await getJson(`${jobAtB}/resume`, authB, 'POST')).status).toBe(409);
      await check.knex('importJobs').where({ id }).update({ heartbeatAt: new Date(Date.now() - 31_000).toISOString() });
      const orphaned = (await getJson(jobAtB, authB)).body.data;
      expect(orphaned.status).toBe('interrupted');

      // B takes it over and finishes it, each row once.
      expect((await getJson(`${jobAtB}/resume`, authB, 'POST')).status).toBe(202);
      const job = await waitFor(jobAtB, authB, (j) => !['queued', 'running'].includes(j.status));
      expect(job).toMatchObject({ status: 'completed', rows_read: ROWS, created: ROWS, failed: 0 });
      expect(await check.knex('importJobs').where({ id }).first('runnerPid')).toEqual({ runnerPid: b.pid });
      const n = await check.knex('users').where('emailNormalized', 'like', '%@beat.example.com').countDistinct({ d: 'emailNormalized' }).count({ n: '*' }).first();
      expect([Number(n!.n), Number(n!.d)]).toEqual([ROWS, ROWS]);
    } finally {
      await check.close();
    }
  }, 600_000);
});
