import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getJson, postFile, writeCsv } from '../support/import-csv';
import { serversOnOneDatabase, waitForJob } from './import-servers';

// Enough rows that A still runs the job while B starts, even on a fast machine.
const ROWS = 60_000;

const servers = serversOnOneDatabase();

describe('import jobs with several servers on one database', () => {
  it('a starting server leaves a live server\'s job alone; a stale heartbeat makes it interrupted', async () => {
    const file = path.join(servers.db.dataDir, 'two.csv');
    writeCsv(file, 'email,first_name', ROWS, (i) => `h${i}@beat.example.com,H${i}`);
    const check = await servers.db.open();
    try {
      const { server: a, auth: authA } = await servers.start();
      const res = await postFile(`${a.url}/api/v1/users/bulk-import`, file, { ...authA, 'Content-Type': 'text/csv' });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      const id = res.body.data.id as string;
      const running = await waitForJob(`${a.url}/api/v1/import-jobs/${id}`, authA, (j) => j.committed_rows > 0 || !['queued', 'running'].includes(j.status));
      expect(running.status).toBe('running');
      const beat1 = (await check.knex('importJobs').where({ id }).first()).heartbeatAt;

      // B starts while A runs the job: B neither interrupts it at start-up nor when asked about it.
      const { server: b, auth: authB } = await servers.start();
      const jobAtB = `${b.url}/api/v1/import-jobs/${id}`;
      const seenByB = (await getJson(jobAtB, authB)).body.data;
      expect(seenByB.status, 'A finished before B started: the file is too small for this machine').toBe('running');
      const refused = await getJson(`${jobAtB}/resume`, authB, 'POST');
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('conflict');
      // A's heartbeat goes on with its batches.
      await waitForJob(jobAtB, authB, (j) => j.committed_rows > running.committed_rows + 1000 || j.status !== 'running');
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
      const job = await waitForJob(jobAtB, authB, (j) => !['queued', 'running'].includes(j.status));
      expect(job).toMatchObject({ status: 'completed', rows_read: ROWS, created: ROWS, failed: 0 });
      expect(await check.knex('importJobs').where({ id }).first('runnerPid')).toEqual({ runnerPid: b.pid });
      const n = await check.knex('users').where('emailNormalized', 'like', '%@beat.example.com').countDistinct({ d: 'emailNormalized' }).count({ n: '*' }).first();
      expect([Number(n!.n), Number(n!.d)]).toEqual([ROWS, ROWS]);
    } finally {
      await check.close();
    }
  }, 600_000);
});
