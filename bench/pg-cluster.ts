import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../test/support/processes';
import { pgCluster } from '../test/support/pg-server';

/**
 * A PostgreSQL cluster kept under bench/tmp/pg between runs, so a seeded database is reused.
 * Started on a loopback port for the run and stopped after it. BENCH_DATABASE_URL (a server
 * where the user may create databases) is used instead when set.
 */
export interface PgCluster {
  /** URL of a database on the cluster. */
  url(db: string): string;
  stop(): void;
}

export async function startPgCluster(tmpDir: string): Promise<PgCluster> {
  const given = process.env.BENCH_DATABASE_URL;
  if (given) {
    return {
      url: (db) => Object.assign(new URL(given), { pathname: `/${db}` }).toString(),
      stop() {},
    };
  }
  const dir = path.join(tmpDir, 'pg');
  const cluster = pgCluster(dir);
  if (!fs.existsSync(path.join(cluster.data, 'PG_VERSION'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    cluster.init();
  }
  // A cluster left running by an interrupted run is stopped first.
  if (fs.existsSync(path.join(cluster.data, 'postmaster.pid'))) {
    try {
      cluster.stop();
    } catch {
      fs.rmSync(path.join(cluster.data, 'postmaster.pid'), { force: true });
    }
  }
  const port = await freePort();
  // Durable settings (fsync on): the figures are those of a real deployment, not of a test server.
  cluster.start(port, '-c max_connections=100 -c shared_buffers=1GB -c maintenance_work_mem=512MB', 120);
  return {
    url: (db) => `postgres://postgres@127.0.0.1:${port}/${db}`,
    stop: () => cluster.stop(),
  };
}
