import type { AppContext } from '../http/context';
import type { ErrorRenderer } from '../middleware/error-handler';
import type { AppError } from '../errors/app-error';
import { ScimError, scimError } from './scim-error';

export const SCIM_TYPE = 'application/scim+json; charset=utf-8';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/** RFC 7644 §3.12 error body for an AppError, with the scimType the REST code implies. */
export function scimErrorBody(err: AppError): { status: number; body: Record<string, unknown> } {
  let status = err.status;
  let scimType = err instanceof ScimError ? err.scimType : undefined;
  if (!scimType) {
    if (err.code === 'duplicate_email' || err.code === 'duplicate_username' || (status === 409 && err.field === 'name')) scimType = 'uniqueness';
    else if (status === 422) scimType = 'invalidValue';
    else if (status === 400) scimType = 'invalidSyntax';
  }
  // SCIM has no 422: a value Roster's rules refuse is a 400 invalidValue.
  if (status === 422) status = 400;
  const detail = err.details?.length ? err.details.map((d) => d.msg).join('; ') : err.message;
  return { status, body: { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail } };
}

export const renderScimError: ErrorRenderer = (ctx, err) => {
  const { status, body } = scimErrorBody(err);
  ctx.status = status;
  ctx.type = SCIM_TYPE;
  return body;
};

/** W/"3" or "3" -> 3; `*` (or no header) matches any version; anything else can never match. */
export function parseVersion(header: string | undefined): number | undefined | null {
  if (!header) return undefined;
  const tags = header.split(',').map((t) => t.trim());
  if (tags.includes('*')) return undefined;
  const m = /^(?:W\/)?"(\d+)"$/.exec(tags[0]);
  return m ? Number(m[1]) : null;
}

/** The If-Match precondition of a write (a header, or a Bulk operation's `version`). */
export function ifMatchOf(header: string | undefined): { ifMatch?: number } {
  const v = parseVersion(header);
  if (v === null) throw scimError(412, undefined, 'The If-Match version does not match the resource');
  return v === undefined ? {} : { ifMatch: v };
}

export function send(ctx: AppContext, status: number, body: unknown, etag?: string) {
  ctx.status = status;
  ctx.type = SCIM_TYPE;
  if (etag) ctx.set('ETag', etag);
  ctx.body = body;
}

/** One resource; a GET whose If-None-Match names the current version is a 304. */
export function sendResource(ctx: AppContext, res: Record<string, unknown>, status = 200) {
  const etag = (res.meta as { version: string }).version;
  const inm = ctx.get('If-None-Match');
  if (status === 200 && ctx.method === 'GET' && inm && (inm.trim() === '*' || inm.split(',').map((t) => t.trim()).includes(etag))) {
    ctx.status = 304;
    ctx.set('ETag', etag);
    return;
  }
  send(ctx, status, res, etag);
}

export const listResponse = (resources: unknown[], totalResults: number, startIndex = 1) =>
  ({ schemas: [LIST_SCHEMA], totalResults, startIndex, itemsPerPage: resources.length, Resources: resources });
