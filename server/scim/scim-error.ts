import { AppError, type ErrorCode } from '../errors/app-error';

/** The `scimType` keywords of RFC 7644 §3.12, carried next to the REST error code. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

/**
 * An AppError the SCIM renderer can answer with its `scimType`; everywhere else it is an
 * ordinary AppError, so the REST error handler needs to know nothing about it.
 */
export class ScimError extends AppError {
  constructor(
    status: number,
    code: ErrorCode,
    message: string,
    readonly scimType?: ScimType,
  ) {
    super(status, code, message);
    this.name = 'ScimError';
  }
}

export const invalidFilter = (message: string) => new ScimError(400, 'invalid_request', message, 'invalidFilter');

export const scimError = (status: number, scimType: ScimType | undefined, message: string) =>
  new ScimError(status, status === 409 ? 'conflict' : status === 404 ? 'not_found' : status === 412 ? 'precondition_failed' : status === 413 ? 'payload_too_large' : 'invalid_request', message, scimType);
export const invalidValue = (message: string) => scimError(400, 'invalidValue', message);
export const invalidPath = (message: string) => scimError(400, 'invalidPath', message);
export const invalidSyntax = (message: string) => scimError(400, 'invalidSyntax', message);
export const mutability = (message: string) => scimError(400, 'mutability', message);
export const noTarget = (message: string) => scimError(400, 'noTarget', message);
