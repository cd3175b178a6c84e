import pino, { type Logger } from 'pino';
import type { Config } from './config';

/** JSON lines; secrets are redacted wherever they might appear in a logged object. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'roster' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['password', '*.password', 'new_password', '*.new_password', 'passwordHash', '*.passwordHash', 'password_hash', '*.password_hash',
        'refresh_token', '*.refresh_token', 'access_token', '*.access_token', 'token', '*.token', 'authorization', '*.authorization', '*.headers.authorization'],
      censor: '[redacted]',
    },
  });
}
