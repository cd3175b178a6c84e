import { spawnSync } from 'node:child_process';
import { startPgServer } from './pg-server';

/**
 * `npm run test:pg`: the whole suite again on PostgreSQL. Uses TEST_DATABASE_URL when set (a
 * server where the user may create databases); otherwise starts a throwaway local server.
 */
const given = process.env.TEST_DATABASE_URL;
const server = given ? undefined : await startPgServer();
let status = 1;
try {
  const result = spawnSync('npx', ['vitest', 'run', ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, TEST_DATABASE_URL: given ?? server!.url },
  });
  status = result.status ?? 1;
} finally {
  server?.stop();
}
process.exit(status);
