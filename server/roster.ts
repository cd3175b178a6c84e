import type Koa from 'koa';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { Database } from './db/database';
import type { TokenSigner } from './auth/token-signer';
import type { Services } from './services';
import { bootstrapDirectory, type BootstrapResult } from './services/bootstrap';
import { openCore } from './core';
import { createApp } from './app';
import { OutboxWorker } from './mail/outbox-worker';
import { smtpTransport } from './mail/smtp-transport';
import { liveStreamsOf } from './http/sse';

export interface Roster {
  app: Koa;
  db: Database;
  services: Services;
  signer: TokenSigner;
  bootstrap: BootstrapResult;
  close(): Promise<void>;
}

/** Config -> migrated database -> first-start bootstrap -> app. Shared by the server, the CLI and tests. */
export async function createRoster(config: Config, logger: Logger): Promise<Roster> {
  const core = await openCore(config);
  const { db, hasher, signer, services } = core;
  try {
    const bootstrap = await bootstrapDirectory(db, config, hasher, logger);
    // Jobs a killed process left running are interrupted; POST .../resume goes on with them.
    await services.imports.recoverInterrupted();
    const app = createApp({ config, db, logger, signer, services });
    // Without SMTP_URL mail stays PENDING in the outbox, readable by admins.
    const mailer = config.mail.smtpUrl ? new OutboxWorker(db, smtpTransport(config.mail.smtpUrl), config.mail, logger) : undefined;
    mailer?.start();
    return {
      app, db, services, signer, bootstrap,
      async close() {
        // Streams first: their polls use the pool, and each client is told to reconnect elsewhere.
        liveStreamsOf(app).closeAll();
        await mailer?.stop();
        await core.close();
      },
    };
  } catch (err) {
    await core.close();
    throw err;
  }
}
