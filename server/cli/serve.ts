import http from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { createRoster } from '../roster';
import { liveStreamsOf } from '../http/sse';

/**
 * The server's life: listen, then on SIGTERM or SIGINT stop in order. New connections are
 * refused at once; open event streams get a `retry:` hint and end (a client reconnects to
 * another server); in-flight requests may finish within `shutdownTimeoutMs`, after which their
 * connections are cut; a running import stops at its next batch boundary, resumable; the mail
 * worker and the pool close; the process exits 0. A second signal exits at once (1), as does
 * closing that takes longer than the timeout.
 */
export async function serve(config: Config, logger: Logger): Promise<void> {
  const roster = await createRoster(config, logger);

  const admin = roster.bootstrap.createdAdmin;
  if (admin?.generated) {
    // Shown once, like Keycloak and Grafana: the password is not stored anywhere in clear.
    process.stdout.write(
      `\n  Roster created the first administrator.\n  email:    ${admin.email}\n  username: admin\n  password: ${admin.password}\n  Sign in and change it; set ROSTER_ADMIN_EMAIL and ROSTER_ADMIN_PASSWORD to choose them yourself.\n\n`,
    );
  }

  const server = http.createServer(roster.app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const where = `http://${config.host}:${(server.address() as { port: number }).port}`;
  logger.info({ url: where, database: roster.db.dialect }, `Roster listening on ${where} (API /api/v1, docs /docs)`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, timeout_ms: config.shutdownTimeoutMs }, 'shutting down');
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    liveStreamsOf(roster.app).closeAll();
    // A keep-alive connection between requests is closed now; one in a request is closed once
    // its response is sent (Node answers it with `Connection: close` after close()).
    server.closeIdleConnections();
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      drained.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), config.shutdownTimeoutMs))),
    ]);
    clearInterval(idle);
    clearTimeout(timer);
    if (timedOut) {
      logger.warn('requests still running after the shutdown timeout: closing their connections');
      server.closeAllConnections();
    }
    // A batch of an import hashing passwords can take a while to reach its boundary; past the
    // timeout the process leaves anyway: the batch's transaction is rolled back, and the job
    // resumes from its last committed row.
    let closeTimer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      roster.close().then(() => 'closed' as const, (err: unknown) => {
        logger.error({ err }, 'error while closing');
        return 'failed' as const;
      }),
      new Promise<'timeout'>((resolve) => (closeTimer = setTimeout(() => resolve('timeout'), config.shutdownTimeoutMs))),
    ]);
    clearTimeout(closeTimer);
    if (closed !== 'closed') {
      if (closed === 'timeout') logger.error('background work did not stop within the shutdown timeout: exiting');
      process.exit(1);
    }
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
