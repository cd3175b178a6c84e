import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerDatabase, rootAuthOf, startServer, type ServerDatabase, type ServerProcess } from '../support/server-process';
import { getJson, postFile, writeCsv } from '../support/import-csv';

const ROWS = 100_000;
/**
 * The server's peak resident memory over the whole import. It starts at about 180 MB (tsx, the
 * app, the hashing threads) and peaked at 316-335 MB in our runs; most of the rise is V8 heap
 * slack, not live data: the same import completes with the old space capped at 64 MB
 * (--max-old-space-size=64), peaking at about 200 MB.
 */
const PEAK_RSS_BOUND = 400 * 1024 * 1024;
const MB = 1024 * 1024;

/** About 560 bytes a row, 54 MB in all: a file of a size that must be streamed, not slurped. */
const NOTE = 'Imported from the old directory; '.repeat(15);
/** Invalid rows at known positions, each with the error it must produce. */
const BAD: Record<number, { line: string; field: string | null; code: string }> = {};
for (let i = 9_973; i <= ROWS; i += 9_973) BAD[i] = { line: `not-an-email-${i},Bad,Row,user,Co,${NOTE}`, field: 'email', code: 'invalid' };
Object.assign(BAD, {
  2: { line: `big1@bulk.example.com,Again,Row,user,Co,${NOTE}`, field: 'email', code: 'duplicate_in_file' },
  12_345: { line: 'short-row@bulk.example.com,Only', field: null, code: 'column_count' },
  50_000: { line: `emperor@bulk.example.com,Bad,Role,emperor,Co,${NOTE}`, field: 'role', code: 'invalid' },
  77_777: { line: `BIG1@BULK.example.com,Case,Duplicate,user,Co,${NOTE}`, field: 'email', code: 'duplicate_in_file' },
  99_999: { line: `extra@bulk.example.com,One,Too,user,Co,${NOTE},many`, field: null, code: 'column_count' },
});
const badRows = Object.keys(BAD).map(Number).sort((a, b) => a - b);

let db: ServerDatabase;
let server: ServerProcess;
let file: string;
beforeAll(async () => {
  db = await createServerDatabase();
  server = await startServer(db.env);
  file = path.join(db.dataDir, 'users.csv');
  writeCsv(file, 'email,first_name,last_name,role,company,custom.notes', ROWS, (i) => BAD[i]?.line ?? `big${i}@bulk.example.com,First${i},Last${i},user,Company ${i % 97},${NOTE}${i}`);
}, 180_000);
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

describe('bulk import of a 100,000-row CSV, on a server process of its own', () => {
  it('reports every bad row by number, commits the rest exactly once, and keeps memory bounded', async () => {
    const auth = await rootAuthOf(server.url);
    const before = server.memory();
    const started = Date.now();
    const res = await postFile(`${server.url}/api/v1/users/bulk-import`, file, { ...auth, 'Content-Type': 'text/csv' });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const id = res.body.data!.id as string;

    let job;
    for (;;) {
      job = (await getJson(`${server.url}/api/v1/import-jobs/${id}`, auth)).body.data;
      if (!['queued', 'running'].includes(job.status)) break;
      expect(Date.now() - started, 'the import takes too long').toBeLessThan(1_140_000);
      await new Promise((r) => setTimeout(r, 250));
    }
    const seconds = (Date.now() - started) / 1000;
    const { peak } = server.memory();

    expect(job).toMatchObject({ status: 'completed', rows_read: ROWS, committed_rows: ROWS, created: ROWS - badRows.length, updated: 0, skipped: 0, failed: badRows.length });
    expect(job.errors.map((e: { row: number; field: string | null; code: string }) => [e.row, e.field, e.code]))
      .toEqual(badRows.map((row) => [row, BAD[row].field, BAD[row].code]));

    const csv = await (await fetch(`${server.url}/api/v1/import-jobs/${id}/errors.csv`, { headers: auth })).text();
    expect(csv.trim().split('\r\n').slice(1).map((l) => Number(l.split(',')[0]))).toEqual(badRows);

    // Exactly the good rows, each once.
    const check = await db.open();
    try {
      const stored = await check.knex('users').where('emailNormalized', 'like', '%@bulk.example.com').select('emailNormalized');
      const expected = new Set<string>();
      for (let i = 1; i <= ROWS; i++) if (!BAD[i]) expected.add(`big${i}@bulk.example.com`);
      expect(stored).toHaveLength(expected.size);
      expect(stored.every((u: { emailNormalized: string }) => expected.has(u.emailNormalized))).toBe(true);
      const sample = await check.knex('users').where({ emailNormalized: 'big54321@bulk.example.com' }).first();
      const attrs = typeof sample.customAttributes === 'string' ? JSON.parse(sample.customAttributes) : sample.customAttributes;
      expect([sample.company, attrs]).toEqual([`Company ${54321 % 97}`, { notes: `${NOTE}54321` }]);
    } finally {
      await check.close();
    }

    console.info(
      `100,000-row CSV (${(fs.statSync(file).size / MB).toFixed(1)} MB): ${seconds.toFixed(1)} s, ${Math.round(ROWS / seconds)} rows/s; ` +
      `server RSS ${(before.rss / MB).toFixed(0)} MB before, peak ${(peak / MB).toFixed(0)} MB`,
    );
    expect(peak).toBeLessThan(PEAK_RSS_BOUND);
  }, 1_200_000);
});
