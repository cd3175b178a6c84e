import { afterAll, beforeAll, expect } from 'vitest';
import { createServerDatabase, rootAuthOf, startServer, type ServerDatabase, type ServerProcess } from '../support/server-process';
import { getJson } from '../support/import-csv';
import type { Json } from '../support/test-app';

/**
 * Server processes on one database for the import tests of a file: the database is made before
 * its tests; every server started is killed and the database dropped after them.
 */
export function serversOnOneDatabase() {
  let db: ServerDatabase | undefined;
  const servers: ServerProcess[] = [];
  beforeAll(async () => {
    db = await createServerDatabase();
  }, 180_000);
  afterAll(async () => {
    for (const s of servers) await s.kill();
    await db?.drop();
  });
  return {
    get db(): ServerDatabase {
      if (!db) throw new Error('the database is made in beforeAll');
      return db;
    },
    /** One more server on the database, with the bootstrap super admin's bearer header. */
    async start(): Promise<{ server: ServerProcess; auth: Record<string, string> }> {
      const server = await startServer(this.db.env);
      servers.push(server);
      return { server, auth: await rootAuthOf(server.url) };
    },
  };
}

/** Polls an import job (GET `url`) until `done` holds for it, and answers it. */
export async function waitForJob(url: string, auth: Record<string, string>, done: (job: Json) => boolean, timeoutMs = 300_000): Promise<Json> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await getJson(url, auth);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    if (done(res.body.data)) return res.body.data;
    if (Date.now() > until) throw new Error(`gave up waiting: ${JSON.stringify(res.body.data)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
