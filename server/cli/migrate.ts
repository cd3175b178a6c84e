import type { Config } from '../config';
import { openDatabase } from '../db/database';
import { migrateLatest } from '../db/migrate';
import { migrationSource } from '../../db/migrations/index';

/** `roster migrate`: brings the schema to this version (`--status`: lists, changes nothing). */
export async function migrateCommand(config: Config, opts: { status?: boolean }, out: NodeJS.WritableStream = process.stdout) {
  const db = await openDatabase(config.database);
  try {
    if (opts.status) {
      const [done, pending] = (await db.knex.migrate.list({ migrationSource })) as [{ name: string }[], string[]];
      for (const m of done) out.write(`applied  ${m.name}\n`);
      for (const name of pending) out.write(`pending  ${name}\n`);
      out.write(`${done.length} applied, ${pending.length} pending\n`);
      return;
    }
    const [batch, names] = await migrateLatest(db.knex);
    if (!names.length) out.write('The database is up to date\n');
    else out.write(`Applied ${names.length} migration(s) as batch ${batch}:\n${names.map((n) => `  ${n}\n`).join('')}`);
  } finally {
    await db.close();
  }
}
