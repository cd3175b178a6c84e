import pino, { type Logger } from 'pino';
import type { Config } from './config';

/** JSON lines; secrets are redacted wherever they might appear in a logged object. */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'roster' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['password', '*.password', 'new_password', '*.new_password', 'passwordHash', '*.passwordHash', 'password_hash', '*.password_hash',
        'refresh_token', '*.refresh_token', 'access_token', '*.access_token', 'token', '*.token', 'authorization', '*.authorization', '*.headers.authorization',
        'current_password', '*.current_password', 'client_secret', '*.client_secret', 'clientSecret', '*.clientSecret', 'secret', '*.secret',
        'mfa_code', '*.mfa_code', 'totp_secret', '*.totp_secret', 'totpSecret', '*.totpSecret', 'totpPendingSecret', '*.totpPendingSecret',
        'recovery_codes', '*.recovery_codes', 'recoveryCodes', '*.recoveryCodes', 'cookie', '*.cookie', '*.headers.cookie', '*.headers["set-cookie"]',
        'jwt', '*.jwt', 'tokenHash', '*.tokenHash', 'token_hash', '*.token_hash', 'bindings', '*.bindings'],
      censor: '[redacted]',
    },
  }, destination);
}
