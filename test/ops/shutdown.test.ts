import { afterEach, describe, expect, it } from 'vitest';
import { createServerDatabase, rootAuthOf, startServer, type ServerDatabase, type ServerProcess } from '../support/server-process';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- API bodies, read field by field

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met in time; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** SIGTERM to a real `roster serve` process, on SQLite (and PostgreSQL under test:pg). */
describe('graceful shutdown', { timeout: 180_000 }, () => {
  let db: ServerDatabase;
  const servers: ServerProcess[] = [];
  const start = async () => {
    const s = await startServer(db.env, { cli: true });
    servers.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.kill();
    await db?.drop();
  });

  it('ends event streams with a retry hint, lets an in-flight request finish, refuses new ones, exits 0', async () => {
    db = await createServerDatabase();
    const server = await start();
    const auth = await rootAuthOf(server.url);

    const stream = await fetch(`${server.url}/api/v1/tenants/default/audit-events/stream`, { headers: auth });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value);
    expect(text).toContain(': connected');

    // An upload still being sent when the signal comes: its request must be answered.
    let feed!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (feed = c) });
    const upload = fetch(`${server.url}/api/v1/users/bulk-import?tenant_id=default`, {
      method: 'POST', headers: { ...auth, 'Content-Type': 'text/csv' }, body, duplex: 'half',
    } as RequestInit);
    feed.enqueue(new TextEncoder().encode('email,first_name\ninflight1@example.com,In\n'));
    await new Promise((r) => setTimeout(r, 300));

    process.kill(server.pid, 'SIGTERM');
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    expect(text).toMatch(/retry: \d+\nevent: shutdown\n/);

    // New connections are refused while the upload is still open.
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    feed.enqueue(new TextEncoder().encode('inflight2@example.com,Flight\n'));
    feed.close();
    const answered = await upload;
    expect(answered.status).toBe(202);
    expect(await server.exited).toBe(0);

    // The accepted upload is kept: whatever it did not finish is resumable after a restart.
    const again = await start();
    const job = (await (await fetch(`${again.url}/api/v1/import-jobs/${((await answered.json()) as Json).data.id}?tenant_id=default`, { headers: await rootAuthOf(again.url) })).json()) as Json;
    expect(['completed', 'interrupted']).toContain(job.data.status);
  });

  it('stops a running import at a batch boundary, resumable without duplicates', async () => {
    db = await createServerDatabase();
    const server = await start();
    const auth = await rootAuthOf(server.url);
    const rows = 20_000;
    let csv = 'email,first_name,last_name\n';
    for (let i = 0; i < rows; i++) csv += `bulk${i}@shutdown.test,First${i},Last${i}\n`;
    const started = await fetch(`${server.url}/api/v1/users/bulk-import?tenant_id=default`, { method: 'POST', headers: { ...auth, 'Content-Type': 'text/csv' }, body: csv });
    expect(started.status).toBe(202);
    const id = ((await started.json()) as Json).data.id as string;
    // The job as the API shows it; a 503 (the database busy with the import's batch) is asked again.
    const jobAt = (url: string, a: Record<string, string>) => async (): Promise<Json> => {
      for (;;) {
        const res = await fetch(`${url}/api/v1/import-jobs/${id}?tenant_id=default`, { headers: a });
        if (res.status === 200) return ((await res.json()) as Json).data;
        if (res.status !== 503) throw new Error(`GET import job: ${res.status} ${await res.text()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    const running = await until(jobAt(server.url, auth), (j) => j.committed_rows >= 1000 || j.status !== 'running' && j.status !== 'queued');
    expect(running.status).toBe('running');
    expect(await server.stop()).toBe(0);

    const next = await start();
    const auth2 = await rootAuthOf(next.url);
    const stopped = await jobAt(next.url, auth2)();
    expect(stopped.status).toBe('interrupted');
    expect(stopped.committed_rows % 500).toBe(0);
    expect(stopped.committed_rows).toBeGreaterThan(0);
    expect(stopped.committed_rows).toBeLessThan(rows);
    expect(stopped.created).toBe(stopped.committed_rows);
    const total = async () => ((await (await fetch(`${next.url}/api/v1/tenants/default/users?search=shutdown.test&per_page=1`, { headers: auth2 })).json()) as Json).pagination.total_items;
    expect(await total()).toBe(stopped.committed_rows);

    const resumed = await fetch(`${next.url}/api/v1/import-jobs/${id}/resume?tenant_id=default`, { method: 'POST', headers: auth2 });
    expect(resumed.status).toBeLessThan(300);
    const done = await until(jobAt(next.url, auth2), (j) => j.status !== 'running' && j.status !== 'queued');
    expect(done).toMatchObject({ status: 'completed', rows_read: rows, committed_rows: rows, created: rows, failed: 0 });
    expect(await total()).toBe(rows);
  });
});
