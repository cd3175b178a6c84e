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
  if (isBusy(e)) {
    return new AppError(503, 'service_unavailable', 'The database is busy, try again shortly', undefined, undefined, { 'Retry-After': '1' });
  }

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

function isBusy(e: { code?: string; message?: string }): boolean {
  return e.code === 'SQLITE_BUSY' || e.code === 'SQLITE_LOCKED' || /SQLITE_BUSY/.test(e.message ?? '');
}

function fieldOf(d: ValidationDetail | undefined): string | undefined {
  return d && d.loc.length > 1 ? d.loc.slice(1).join('.') : undefined;
}
