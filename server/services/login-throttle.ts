import net from 'node:net';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Database } from '../db/database';
import type { LoginLimits } from '../config';
import { AppError, type AppError as AppErrorType } from '../errors/app-error';
import { normalizeEmail } from './normalize';

/**
 * Rate limits of the token endpoint, beside the per-account lockout kept in the users table:
 * token requests per client address per minute, and failed password sign-ins per address and
 * per account name (tenant + name as typed, canonical), per window. An attempt takes its point
 * before the password is checked, so parallel attempts cannot all pass a check made before any
 * of them counted; a sign-in that succeeds gives its point back. Account names are counted
 * whether or not they exist, so a 429 tells nothing about existence.
 *
 * On PostgreSQL the counters are rows of one table, shared by every server on the database; on
 * SQLite (one server per file) they are kept in memory.
 */
export class LoginThrottle {
  private readonly requests: RateLimiterAbstract;
  private readonly ipFailures: RateLimiterAbstract;
  private readonly accountFailures: RateLimiterAbstract;
  private readonly ready: Promise<void>;

  constructor(db: Database, limits: LoginLimits) {
    const window = limits.failureWindowSeconds;
    if (db.dialect === 'pg') {
      let created = 0;
      let resolveReady!: () => void;
      let rejectReady!: (err: unknown) => void;
      this.ready = new Promise((resolve, reject) => { resolveReady = resolve; rejectReady = reject; });
      const done = (err?: unknown) => (err ? rejectReady(err) : ++created === 3 && resolveReady());
      const store = (keyPrefix: string, points: number, duration: number) =>
        new RateLimiterPostgres({ storeClient: db.knex, storeType: 'knex', tableName: 'login_rate_limits', tableCreated: true, keyPrefix, points, duration }, done);
      this.requests = store('ip', limits.perIpPerMinute, 60);
      this.ipFailures = store('ip_fail', limits.failuresPerIp, window);
      this.accountFailures = store('account_fail', limits.failuresPerAccount, window);
    } else {
      this.ready = Promise.resolve();
      this.requests = new RateLimiterMemory({ keyPrefix: 'ip', points: limits.perIpPerMinute, duration: 60 });
      this.ipFailures = new RateLimiterMemory({ keyPrefix: 'ip_fail', points: limits.failuresPerIp, duration: window });
      this.accountFailures = new RateLimiterMemory({ keyPrefix: 'account_fail', points: limits.failuresPerAccount, duration: window });
    }
  }

  /** Every token request, whatever its grant. */
  async request(ip: string): Promise<void> {
    // The PostgreSQL table is created (if missing) when the throttle is made; the first requests wait for it.
    await this.ready;
    await take(this.requests, addressKey(ip), 'Too many token requests from this address');
  }

  /**
   * A password sign-in: both failure counters take a point first; the attempt runs only within
   * both limits. A sign-in that gets through (or stops at a later step: MFA code or new password
   * asked for) gives the points back; a refused one keeps them.
   */
  async passwordAttempt<T>(ip: string, tenant: string, username: string, attempt: () => Promise<T>): Promise<T> {
    const account = `${tenant.trim().toLowerCase()}:${normalizeEmail(username)}`;
    ip = addressKey(ip);
    await take(this.ipFailures, ip, 'Too many failed sign-ins from this address');
    try {
      await take(this.accountFailures, account, 'Too many failed sign-ins for this account');
    } catch (err) {
      await this.ipFailures.reward(ip);
      throw err;
    }
    let failed = false;
    try {
      return await attempt();
    } catch (err) {
      failed = isCredentialFailure(err);
      throw err;
    } finally {
      if (!failed) await Promise.all([this.ipFailures.reward(ip), this.accountFailures.reward(account)]);
    }
  }
}

/**
 * The key an address is counted under. One IPv6 host usually holds a whole /64 and can pick any
 * address in it, so IPv6 is counted per /64; IPv4 per address.
 */
export function addressKey(ip: string): string {
  if (net.isIPv6(ip)) {
    const groups = expandIpv6(ip).slice(0, 4);
    return `${groups.join(':')}::/64`;
  }
  return ip;
}

function expandIpv6(ip: string): string[] {
  const [head, tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = ip.includes('::') && tail ? tail.split(':') : [];
  const fill = ip.includes('::') ? Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}

/** Consumes one point, or throws 429 with Retry-After once the limit is reached. */
async function take(limiter: RateLimiterAbstract, key: string, message: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    // rate-limiter-flexible rejects with a RateLimiterRes over the limit, with an Error when its store fails.
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw new AppError(429, 'rate_limited', `${message}; try again in ${seconds} s`, undefined, undefined, { 'Retry-After': String(seconds) });
  }
}

/** A wrong password, unknown account or wrong MFA code, not a step asked for after a right password. */
function isCredentialFailure(err: unknown): boolean {
  if (!(err instanceof AppError) || err.status !== 401) return false;
  const e = err as AppErrorType;
  return !(e.field === 'new_password' || (e.field === 'mfa_code' && /required/.test(e.message)));
}
