import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createServerDatabase, rootAuthOf, runCli, startServer, type ServerDatabase, type ServerProcess } from '../support/server-process';
import { SqliteFile } from '../../server/cli/sqlite-file';

async function emailsIn(file: string): Promise<Set<string>> {
  const db = await SqliteFile.open(file, 'readonly');
  try {
    expect(await db.integrityProblems()).toEqual([]);
    const rows = await db.all<{ email: string }>("SELECT email FROM users WHERE email LIKE '%@backup.test'");
    return new Set(rows.map((r) => r.email));
  } finally {
    await db.close();
  }
}

/** `roster backup` while a server writes, then `roster restore`: SQLite only (PostgreSQL uses pg_dump, see cli.test.ts). */
describe.skipIf(Boolean(process.env.TEST_DATABASE_URL))('backup and restore (SQLite)', { timeout: 180_000 }, () => {
  let db: ServerDatabase;
  const servers: ServerProcess[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.kill();
    await db?.drop();
  });

  it('takes a consistent backup while another process writes, and restores it intact', async () => {
    db = await createServerDatabase();
    const server = await startServer(db.env, { cli: true });
    servers.push(server);
    const auth = await rootAuthOf(server.url);

    // Two writers creating users without pause; a user counts once its 201 has arrived.
    const acked: string[] = [];
    let writing = true;
    let n = 0;
    const writer = async () => {
      while (writing) {
        const email = `w${n++}@backup.test`;
        const res = await fetch(`${server.url}/api/v1/tenants/default/users`, {
          method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ email, first_name: 'W', send_welcome_email: false }),
        });
        if (res.status !== 201) throw new Error(`write failed: ${res.status} ${await res.text()}`);
        acked.push(email);
      }
    };
    let failure: unknown;
    const writers = [writer(), writer()].map((w) => w.catch((err: unknown) => void (failure ??= err)));
    const waitFor = async (count: number) => {
      while (acked.length < count && failure === undefined) await new Promise((r) => setTimeout(r, 20));
      if (failure !== undefined) throw failure;
    };
    await waitFor(100);

    const file = path.join(db.dataDir, 'backups', 'roster-backup.sqlite');
    fs.mkdirSync(path.dirname(file));
    const ackedBefore = acked.slice();
    const backup = await runCli(['backup', file], db.env);
    const ackedDuring = acked.length - ackedBefore.length;
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/integrity ok/);
    // The server went on writing while the backup ran.
    expect(ackedDuring).toBeGreaterThan(0);
    await waitFor(ackedBefore.length + ackedDuring + 50);

    // Restoring under a running server is refused and changes nothing.
    const busy = await runCli(['restore', file], db.env);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/in use/);
    writing = false;
    await Promise.all(writers);
    expect(failure).toBeUndefined();
    const written = acked.length;
    expect(await server.stop()).toBe(0);
    const live = path.join(db.dataDir, 'roster.sqlite');
    expect((await emailsIn(live)).size).toBe(written);

    // A damaged file is refused before anything is touched.
    const damaged = path.join(db.dataDir, 'damaged.sqlite');
    const bytes = fs.readFileSync(file);
    bytes.fill(0x5a, 4096, 4096 * 3);
    fs.writeFileSync(damaged, bytes);
    const refused = await runCli(['restore', damaged], db.env);
    expect(refused.code).toBe(1);
    expect((await emailsIn(live)).size).toBe(written);
    expect(fs.readdirSync(db.dataDir).filter((f) => f.includes('before-restore'))).toEqual([]);

    const restore = await runCli(['restore', file], db.env);
    expect(restore.code, restore.stderr).toBe(0);
    expect(fs.existsSync(`${live}-wal`)).toBe(false);
    const restored = await emailsIn(live);
    // Every user acknowledged before the backup began is there; what came after it is not.
    for (const email of ackedBefore) expect(restored.has(email), email).toBe(true);
    expect(restored.size).toBeGreaterThanOrEqual(ackedBefore.length);
    expect(restored.size).toBeLessThanOrEqual(ackedBefore.length + ackedDuring + 2);
    expect(restored.size).toBeLessThan(written);
    // The database it replaced is kept beside it.
    const kept = fs.readdirSync(db.dataDir).filter((f) => f.startsWith('roster.sqlite.before-restore-'));
    expect(kept.length).toBe(1);
    expect((await emailsIn(path.join(db.dataDir, kept[0]))).size).toBe(written);

    // A server starts on the restored database and serves what it holds.
    const again = await startServer(db.env, { cli: true });
    servers.push(again);
    const a = await rootAuthOf(again.url);
    const list = await fetch(`${again.url}/api/v1/tenants/default/users?search=backup.test&per_page=1`, { headers: a });
    expect(((await list.json()) as { pagination: { total_items: number } }).pagination.total_items).toBe(restored.size);
  });

  it('refuses to overwrite a file and explains a missing database', async () => {
    db = await createServerDatabase();
    expect((await runCli(['backup', path.join(db.dataDir, 'b.sqlite')], db.env)).stderr).toMatch(/no database/i);
    fs.writeFileSync(path.join(db.dataDir, 'taken.sqlite'), 'x');
    expect((await runCli(['migrate'], db.env)).code).toBe(0);
    const taken = await runCli(['backup', path.join(db.dataDir, 'taken.sqlite')], db.env);
    expect(taken.code).toBe(1);
    expect(fs.readFileSync(path.join(db.dataDir, 'taken.sqlite'), 'utf8')).toBe('x');
    // An empty file is a sound, empty SQLite database, but not Roster's.
    const notRoster = path.join(db.dataDir, 'other.sqlite');
    fs.writeFileSync(notRoster, '');
    expect((await runCli(['restore', notRoster], db.env)).stderr).toMatch(/not a Roster database|cannot be opened/);
  });
});
