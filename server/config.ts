import path from 'node:path';
import { z } from 'zod';

const envSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  DATABASE_URL: z.string().optional(),
  ROSTER_DATA_DIR: z.string().default('./data'),
  ROSTER_ADMIN_EMAIL: z.string().optional(),
  ROSTER_ADMIN_PASSWORD: z.string().optional(),
  ROSTER_JWT_SECRET: z.string().min(32).optional(),
  ROSTER_PUBLIC_URL: z.string().url().optional(),
  ROSTER_HASH_THREADS: z.coerce.number().int().min(1).max(64).optional(),
  ROSTER_BODY_LIMIT: z.string().default('1mb'),
  // Bearer token for /metrics; without one, /metrics answers only direct loopback requests.
  ROSTER_METRICS_TOKEN: z.string().min(16).optional(),
  ROSTER_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  ROSTER_IMPORT_MAX_BYTES: z.coerce.number().int().min(1024).default(512 * 1024 * 1024),
  ROSTER_DB_BUSY_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(5000),
  // Peers whose X-Forwarded-For is believed: comma-separated addresses or CIDR ranges.
  ROSTER_TRUSTED_PROXIES: z.string().default(''),
  ROSTER_LOGIN_RATE_PER_IP: z.coerce.number().int().min(1).default(300),
  ROSTER_LOGIN_FAILURES_PER_IP: z.coerce.number().int().min(1).default(200),
  ROSTER_LOGIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(20),
  ROSTER_LOGIN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // An empty SMTP_URL means "no SMTP", as if it were unset.
  SMTP_URL: z.string().optional().transform((v) => v || undefined).refine((v) => v === undefined || /^smtps?:\/\//.test(v), 'SMTP_URL must start with smtp:// or smtps://'),
  MAIL_FROM: z.string().min(3).optional(),
  MAIL_POLL_INTERVAL_MS: z.coerce.number().int().min(10).default(5000),
  MAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  MAIL_RETRY_BASE_MS: z.coerce.number().int().min(1).default(60_000),
});

export type DatabaseConfig = (
  | { client: 'sqlite'; filename: string }
  | { client: 'pg'; connectionString: string }
) & {
  /** How long a write waits for a lock held elsewhere (SQLite busy_timeout, PostgreSQL lock_timeout) before answering 503. */
  busyTimeoutMs?: number;
};

/** Sign-in rate limits on POST /api/v1/auth/token; over one, the answer is 429 with Retry-After. */
export interface LoginLimits {
  /** Token requests (any grant) per client address per minute. */
  perIpPerMinute: number;
  /** Failed password sign-ins per client address per window. */
  failuresPerIp: number;
  /** Failed password sign-ins per account (tenant + username as given) per window. */
  failuresPerAccount: number;
  failureWindowSeconds: number;
}

export interface Config {
  host: string;
  port: number;
  database: DatabaseConfig;
  dataDir: string;
  adminEmail?: string;
  adminPassword?: string;
  jwtSecret?: string;
  publicUrl: string;
  hashThreads: number;
  bodyLimit: string;
  /** Addresses and CIDR ranges of reverse proxies whose X-Forwarded-For names the client. */
  trustedProxies: string[];
  loginLimits: LoginLimits;
  /** Required as `Authorization: Bearer` on /metrics when set. */
  metricsToken?: string;
  /** On SIGTERM, how long in-flight requests may take before their connections are cut. */
  shutdownTimeoutMs: number;
  /** Largest bulk-import upload; it is streamed to disk, never held in memory. */
  importMaxBytes: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  mail: MailConfig;
}

export interface MailConfig {
  /** Delivery is on only with an SMTP URL; without one, messages wait in the outbox. */
  smtpUrl?: string;
  from: string;
  pollIntervalMs: number;
  maxAttempts: number;
  /** The first retry waits this long; each later one twice the one before (capped at a day). */
  retryBaseMs: number;
}

/** Reads the environment once; everything else takes a Config. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = envSchema.parse(env);
  const dataDir = path.resolve(e.ROSTER_DATA_DIR);
  return {
    host: e.HOST,
    port: e.PORT,
    database: { ...parseDatabaseUrl(e.DATABASE_URL, dataDir), busyTimeoutMs: e.ROSTER_DB_BUSY_TIMEOUT_MS },
    dataDir,
    adminEmail: e.ROSTER_ADMIN_EMAIL,
    adminPassword: e.ROSTER_ADMIN_PASSWORD,
    jwtSecret: e.ROSTER_JWT_SECRET,
    publicUrl: (e.ROSTER_PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/$/, ''),
    hashThreads: e.ROSTER_HASH_THREADS ?? 2,
    bodyLimit: e.ROSTER_BODY_LIMIT,
    trustedProxies: e.ROSTER_TRUSTED_PROXIES.split(',').map((p) => p.trim()).filter(Boolean),
    loginLimits: {
      perIpPerMinute: e.ROSTER_LOGIN_RATE_PER_IP,
      failuresPerIp: e.ROSTER_LOGIN_FAILURES_PER_IP,
      failuresPerAccount: e.ROSTER_LOGIN_FAILURES_PER_ACCOUNT,
      failureWindowSeconds: e.ROSTER_LOGIN_FAILURE_WINDOW_SECONDS,
    },
    metricsToken: e.ROSTER_METRICS_TOKEN,
    shutdownTimeoutMs: e.ROSTER_SHUTDOWN_TIMEOUT_MS,
    importMaxBytes: e.ROSTER_IMPORT_MAX_BYTES,
    logLevel: e.LOG_LEVEL,
    mail: {
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM ?? 'Roster <roster@localhost>',
      pollIntervalMs: e.MAIL_POLL_INTERVAL_MS,
      maxAttempts: e.MAIL_MAX_ATTEMPTS,
      retryBaseMs: e.MAIL_RETRY_BASE_MS,
    },
  };
}

export function parseDatabaseUrl(url: string | undefined, dataDir: string): DatabaseConfig {
  if (!url) return { client: 'sqlite', filename: path.join(dataDir, 'roster.sqlite') };
  if (/^postgres(ql)?:\/\//.test(url)) return { client: 'pg', connectionString: url };
  const file = url.replace(/^(sqlite|file):(\/\/)?/, '');
  return { client: 'sqlite', filename: path.resolve(file) };
}
