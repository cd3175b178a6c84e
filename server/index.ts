import http from 'node:http';
import { loadConfig } from './config';
import { createLogger } from './logger';
import { createRoster } from './roster';

const config = loadConfig();
const logger = createLogger(config);
const roster = await createRoster(config, logger);

const admin = roster.bootstrap.createdAdmin;
if (admin?.generated) {
  // Shown once, like Keycloak and Grafana: the password is not stored anywhere in clear.
  process.stdout.write(
    `\n  Roster created the first administrator.\n  email:    ${admin.email}\n  username: admin\n  password: ${admin.password}\n  Sign in and change it; set ROSTER_ADMIN_EMAIL and ROSTER_ADMIN_PASSWORD to choose them yourself.\n\n`,
  );
}

const server = http.createServer(roster.app.callback());
server.listen(config.port, config.host, () => {
  const where = `http://${config.host}:${(server.address() as { port: number }).port}`;
  logger.info({ url: where, database: roster.db.dialect }, `Roster listening on ${where} (API /api/v1, docs /docs)`);
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  server.close();
  server.closeIdleConnections();
  await roster.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
