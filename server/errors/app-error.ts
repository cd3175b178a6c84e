/** Every error code the API can answer with; see the table in API.md. */
export type ErrorCode =
  | 'invalid_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'duplicate_email'
  | 'duplicate_username'
  | 'conflict'
  | 'precondition_failed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'validation_error'
  | 'rate_limited'
  | 'internal_error'
  | 'service_unavailable';

/** FastAPI's ValidationError item, the shape of `detail` in every 422. */
export interface ValidationDetail {
  loc: (string | number)[];
  msg: string;
  type: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    readonly details?: ValidationDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what = 'Resource') => new AppError(404, 'not_found', `${what} not found`);
export const forbidden = (message = 'You are not allowed to do this') => new AppError(403, 'forbidden', message);
export const unauthorized = (message = 'Authentication required') =>
  new AppError(401, 'unauthorized', message, undefined, undefined, { 'WWW-Authenticate': 'Bearer' });
export const conflict = (message: string, field?: string) => new AppError(409, 'conflict', message, field);
export const invalidRequest = (message: string, field?: string) => new AppError(400, 'invalid_request', message, field);

/** A 422 for one field, in the same shape schema validation produces. */
export function validationError(loc: (string | number)[], msg: string, type = 'value_error'): AppError {
  const field = loc.length > 1 ? loc.slice(1).join('.') : String(loc[0]);
  return new AppError(422, 'validation_error', msg, field, [{ loc, msg, type }]);
}
