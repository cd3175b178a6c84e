import { ZodError } from 'zod';
import { wrapError, UniqueViolationError, ForeignKeyViolationError, CheckViolationError } from 'db-errors';
import { AppError, unauthorized, type ValidationDetail } from './app-error';
import { zodDetails } from './zod-details';

/**
 * The one table from anything thrown to an AppError. Routes and services throw AppError for
 * the cases they know; everything else (driver errors, body parser, koa-jwt, router) is mapped
 * here, for SQLite and PostgreSQL alike.
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) {
    const details: ValidationDetail[] = zodDetails(err, 'body');
    return new AppError(422, 'validation_error', details[0]?.msg ?? 'Invalid input', fieldOf(details[0]), details);
  }

  const e = err as { status?: number; statusCode?: number; type?: string; message?: string; name?: string; code?: string };
  const status = e.status ?? e.statusCode;

  // Errors raised by Koa middleware (body parser, koa-jwt, router) carry an HTTP status.
  if (status === 401) return unauthorized(e.message?.startsWith('Authentication Error') ? 'Invalid or expired token' : 'Authentication required');
  if (status === 413 || e.type === 'entity.too.large') return new AppError(413, 'payload_too_large', 'Request body is too large');
  if (status === 415) return new AppError(415, 'unsupported_media_type', 'Unsupported content type');
  // The router answers a method it does not know at all (PROPFIND, TRACE) with 501: still the
  // caller's mistake, not a server failure to log as one.
  if (status === 405 || status === 501) return new AppError(405, 'method_not_allowed', 'Method not allowed');
  if (status === 400 || e.type === 'entity.parse.failed' || e.name === 'SyntaxError') {
    return new AppError(400, 'invalid_request', 'Request body could not be parsed');
  }
  if (status === 404) return new AppError(404, 'not_found', 'Not found');

  const db = safeWrap(err);
  if (db instanceof UniqueViolationError) return uniqueViolation(db);
  if (db instanceof ForeignKeyViolationError) return new AppError(409, 'conflict', 'A referenced resource does not exist or is still in use');
  if (db instanceof CheckViolationError) return new AppError(422, 'validation_error', 'A value is out of range');
  // Objection wraps driver errors (db-errors' DBError) and keeps the driver's own in nativeError.
  const unavailable = databaseUnavailable(e) ?? databaseUnavailable((err as { nativeError?: typeof e }).nativeError ?? {});
  if (unavailable) return unavailable;

  return new AppError(500, 'internal_error', 'Internal server error');
}

function uniqueViolation(err: UniqueViolationError): AppError {
  const where = `${err.constraint ?? ''} ${(err.columns ?? []).join(' ')}`;
  if (where.includes('email')) return new AppError(409, 'duplicate_email', 'A user with this email already exists', 'email');
  if (where.includes('username')) return new AppError(409, 'duplicate_username', 'A user with this username already exists', 'username');
  if (where.includes('slug')) return new AppError(409, 'conflict', 'This slug is already taken', 'slug');
  return new AppError(409, 'conflict', 'A resource with these values already exists');
}

function safeWrap(err: unknown): unknown {
  try {
    return err instanceof Error ? wrapError(err) : err;
  } catch {
    return err;
  }
}

const BUSY = 'The database is busy, try again shortly';
const READ_ONLY = 'The database is read-only at the moment: changes are refused until it is writable again';
const FULL = 'The database is out of space: changes are refused until space is freed';
const DOWN = 'The database cannot be reached at the moment, try again shortly';

/**
 * Conditions of the database, not of the request: a lock held elsewhere, a read-only or full
 * disk, a server shutting down or unreachable. Each answers 503 with Retry-After and says which;
 * nothing is half-written (the transaction rolled back), and the next request after the cause is
 * gone succeeds, since every request takes a fresh statement and the pool replaces dead
 * connections.
 */
const UNAVAILABLE: Record<string, [message: string, retryAfterSeconds: number]> = {
  // SQLite (node-sqlite3 puts the result code name in `code`)
  SQLITE_BUSY: [BUSY, 1],
  SQLITE_LOCKED: [BUSY, 1],
  SQLITE_READONLY: [READ_ONLY, 30],
  SQLITE_FULL: [FULL, 30],
  SQLITE_IOERR: [DOWN, 5],
  SQLITE_CANTOPEN: [DOWN, 5],
  // PostgreSQL SQLSTATEs
  '55P03': [BUSY, 1], // lock_not_available (lock_timeout)
  '40001': [BUSY, 1], // serialization_failure
  '40P01': [BUSY, 1], // deadlock_detected
  '25006': [READ_ONLY, 30], // read_only_sql_transaction
  '53100': [FULL, 30], // disk_full
  '53200': [DOWN, 5], // out_of_memory
  '53300': [DOWN, 5], // too_many_connections
  '57P01': [DOWN, 5], // admin_shutdown
  '57P02': [DOWN, 5], // crash_shutdown
  '57P03': [DOWN, 5], // cannot_connect_now
  '08000': [DOWN, 5], // connection_exception and its kin
  '08001': [DOWN, 5],
  '08003': [DOWN, 5],
  '08004': [DOWN, 5],
  '08006': [DOWN, 5],
  // The network under the driver
  ECONNREFUSED: [DOWN, 5],
  ECONNRESET: [DOWN, 5],
  ETIMEDOUT: [DOWN, 5],
  EPIPE: [DOWN, 5],
};

function databaseUnavailable(e: { code?: string; message?: string; name?: string }): AppError | undefined {
  const known = e.code ? UNAVAILABLE[e.code] : undefined;
  const [message, retryAfter] =
    known ??
    (e.name === 'KnexTimeoutError' ? [BUSY, 1] as const : undefined) ??
    // Errors without a code: pg's dropped connection, or a code only named in the message.
    (/SQLITE_BUSY/.test(e.message ?? '') ? [BUSY, 1] as const : undefined) ??
    (/Connection terminated|connection error and is not queryable/.test(e.message ?? '') ? [DOWN, 5] as const : undefined) ??
    [];
  if (!message) return undefined;
  return new AppError(503, 'service_unavailable', message, undefined, undefined, { 'Retry-After': String(retryAfter) });
}

function fieldOf(d: ValidationDetail | undefined): string | undefined {
  return d && d.loc.length > 1 ? d.loc.slice(1).join('.') : undefined;
}
