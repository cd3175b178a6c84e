import { describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../server/db/database';
import { createPgDatabase } from '../support/test-app';

const onPg = Boolean(process.env.TEST_DATABASE_URL);

describe.skipIf(!onPg)('migrations when servers start together (npm run test:pg; SQLite has one writer)', () => {
  it('three servers migrating one empty database at the same instant all succeed, and the schema is made once', async () => {
    for (let round = 0; round < 4; round++) {
      const pg = await createPgDatabase(process.env.TEST_DATABASE_URL!);
      const servers: Database[] = [];
      try {
        for (let i = 0; i < 3; i++) servers.push(await openDatabase({ client: 'pg', connectionString: pg.url }));
        const outcomes = await Promise.allSettled(servers.map((db) => db.migrate()));
        expect(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : 'ok')), `round ${round}`).toEqual(['ok', 'ok', 'ok']);
        const applied = await servers[0].knex('knex_migrations').count<{ n: string }[]>({ n: '*' });
        const names = await servers[0].knex('knex_migrations').select('name');
        expect(Number(applied[0].n)).toBe(new Set(names.map((r: { name: string }) => r.name)).size);
      } finally {
        await Promise.all(servers.map((db) => db.close()));
        await pg.drop();
      }
    }
  }, 120_000);
});
