import type { Logger } from 'pino';
import { toAppError } from '../errors/to-app-error';
import { ifMatchOf, scimErrorBody } from './http';
import { invalidSyntax, invalidValue, scimError } from './scim-error';
import type { ScimCall, ScimUsers } from './users';
import type { ScimGroups } from './groups';

/**
 * RFC 7644 §3.7 Bulk. Each operation runs through the same functions as the single-resource
 * endpoints (so the same service calls, rules, ETags and activity events) and succeeds or fails
 * on its own; an operation is never half-applied, but a bulk request is not one transaction.
 *
 * `bulkId:<id>` in a path or anywhere in `data` names the resource another operation of the
 * request POSTs. Operations run in request order, except that one waits for the operations whose
 * bulkIds it references. Operations whose references form a cycle (or wait on one) are not
 * attempted: each is answered 409, as §3.7.1 allows a service provider that does not resolve
 * circular references. A reference to an operation that failed is a 409 too; one to a bulkId
 * no operation defines is a 400 invalidValue.
 */

export const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

interface BulkOp {
  index: number;
  method: string;
  bulkId?: string;
  path?: string;
  version?: string;
  data?: unknown;
  /** Why the operation is refused before it runs (a malformed operation). */
  invalid?: Error;
  refs: Set<string>;
}

export interface BulkRequest {
  ops: BulkOp[];
  failOnErrors?: number;
}

const REF = /^bulkId:(.+)$/;
const PATH = /^\/(Users|Groups)(?:\/([^/?#]+))?$/;

function refsIn(v: unknown, out: Set<string>) {
  if (typeof v === 'string') {
    const m = REF.exec(v);
    if (m) out.add(m[1]);
  } else if (Array.isArray(v)) {
    for (const i of v) refsIn(i, out);
  } else if (isObj(v)) {
    for (const i of Object.values(v)) refsIn(i, out);
  }
  return out;
}

/** Replaces every `bulkId:x` string with the id the operation defining x created. */
function resolveRefs(v: unknown, ids: Map<string, string>): unknown {
  if (typeof v === 'string') {
    const m = REF.exec(v);
    return m && ids.has(m[1]) ? ids.get(m[1]) : v;
  }
  if (Array.isArray(v)) return v.map((i) => resolveRefs(i, ids));
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, i]) => [k, resolveRefs(i, ids)]));
  return v;
}

export function parseBulkRequest(body: unknown, maxOperations: number): BulkRequest {
  if (!isObj(body)) throw invalidSyntax('The body must be a BulkRequest object');
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === BULK_REQUEST_SCHEMA.toLowerCase())) {
    throw invalidSyntax(`The body must list the schema ${BULK_REQUEST_SCHEMA}`);
  }
  const list = body.Operations ?? body.operations;
  if (!Array.isArray(list) || !list.length) throw invalidSyntax('"Operations" must be a non-empty array');
  if (list.length > maxOperations) throw scimError(413, undefined, `The bulk request has ${list.length} operations; maxOperations is ${maxOperations}`);
  const foe = body.failOnErrors;
  if (foe !== undefined && foe !== null && (!Number.isInteger(foe) || (foe as number) < 1)) throw invalidValue('"failOnErrors" must be an integer of at least 1');

  const seen = new Set<string>();
  const ops = list.map((raw, index): BulkOp => {
    const op: BulkOp = { index, method: '', refs: new Set() };
    const refuse = (e: Error) => ({ ...op, invalid: e });
    if (!isObj(raw)) return refuse(invalidSyntax(`Operation ${index + 1} is not an object`));
    op.method = typeof raw.method === 'string' ? raw.method.toUpperCase() : '';
    if (typeof raw.bulkId === 'string' && raw.bulkId) op.bulkId = raw.bulkId;
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(op.method)) return refuse(invalidSyntax(`Operation ${index + 1}: "method" must be POST, PUT, PATCH or DELETE`));
    if (raw.bulkId !== undefined && typeof raw.bulkId !== 'string') return refuse(invalidSyntax(`Operation ${index + 1}: "bulkId" must be a string`));
    if (typeof raw.path !== 'string' || !PATH.test(raw.path)) return refuse(invalidSyntax(`Operation ${index + 1}: "path" must be /Users, /Groups or one of their resources, e.g. /Users/{id}`));
    op.path = raw.path;
    const [, , id] = PATH.exec(raw.path)!;
    if (op.method === 'POST' && id) return refuse(invalidSyntax(`Operation ${index + 1}: POST goes to /Users or /Groups`));
    if (op.method !== 'POST' && !id) return refuse(invalidSyntax(`Operation ${index + 1}: ${op.method} needs a resource path, e.g. /Users/{id}`));
    if (op.method === 'POST') {
      // RFC 7644 §3.7: bulkId is required with POST, so later operations can name the new resource.
      if (!op.bulkId) return refuse(invalidSyntax(`Operation ${index + 1}: POST needs a "bulkId"`));
      if (seen.has(op.bulkId)) return refuse(invalidValue(`Operation ${index + 1}: bulkId "${op.bulkId}" is used by an earlier operation`));
      seen.add(op.bulkId);
    }
    if (op.method !== 'DELETE' && raw.data === undefined) return refuse(invalidSyntax(`Operation ${index + 1}: ${op.method} needs "data"`));
    if (raw.version !== undefined && typeof raw.version !== 'string') return refuse(invalidSyntax(`Operation ${index + 1}: "version" must be an ETag string`));
    op.version = raw.version as string | undefined;
    op.data = raw.data;
    refsIn(id, op.refs);
    refsIn(raw.data, op.refs);
    return op;
  });
  return { ops, ...(typeof foe === 'number' ? { failOnErrors: foe } : {}) };
}

interface OpResult {
  index: number;
  body: Obj;
  failed: boolean;
}

export async function runBulk(call: ScimCall, req: BulkRequest, users: ScimUsers, groups: ScimGroups, logger: Logger) {
  // bulkId -> the operation that POSTs it
  const definers = new Map(req.ops.filter((o) => o.method === 'POST' && o.bulkId && !o.invalid).map((o) => [o.bulkId!, o]));
  const created = new Map<string, string>();
  const failedIds = new Set<string>();
  const results: OpResult[] = [];
  let errors = 0;

  const answer = (op: BulkOp, status: number, extra: Obj, failed: boolean) => {
    results.push({ index: op.index, failed, body: { method: op.method || undefined, ...(op.bulkId ? { bulkId: op.bulkId } : {}), ...extra, status: String(status) } });
    if (failed) {
      errors += 1;
      if (op.bulkId && definers.get(op.bulkId) === op) failedIds.add(op.bulkId);
    }
  };
  const fail = (op: BulkOp, thrown: unknown, location?: string) => {
    const err = toAppError(thrown);
    if (err.status >= 500) logger.error({ err: thrown, op: op.index }, 'bulk operation failed');
    const { status, body } = scimErrorBody(err);
    answer(op, status, location ? { location } : {}, true);
    results[results.length - 1].body.response = body;
  };
  const stop = () => req.failOnErrors !== undefined && errors >= req.failOnErrors;

  const pending = [...req.ops];
  while (pending.length && !stop()) {
    // The first operation (in request order) whose references are all settled.
    const at = pending.findIndex((op) => [...op.refs].every((r) => !definers.has(r) || created.has(r) || failedIds.has(r)));
    if (at < 0) {
      // What is left waits on a cycle of references.
      for (const op of pending) {
        if (stop()) break;
        fail(op, scimError(409, undefined, `Operation ${op.index + 1} is part of, or waits on, a circular bulkId reference (${[...op.refs].map((r) => `bulkId:${r}`).join(', ')})`));
      }
      break;
    }
    const [op] = pending.splice(at, 1);
    if (op.invalid) {
      fail(op, op.invalid);
      continue;
    }
    const unknown = [...op.refs].find((r) => !definers.has(r));
    if (unknown) {
      fail(op, invalidValue(`bulkId:${unknown} is not the bulkId of a POST in this request`));
      continue;
    }
    const broken = [...op.refs].find((r) => failedIds.has(r));
    if (broken) {
      fail(op, scimError(409, undefined, `The operation that creates bulkId:${broken} failed`));
      continue;
    }
    await execute(op);
  }

  async function execute(op: BulkOp) {
    const [, type, rawId] = PATH.exec(op.path!)!;
    const id = rawId ? (resolveRefs(rawId, created) as string) : undefined;
    const location = id ? `${call.base}/${type}/${id}` : undefined;
    const store = type === 'Users' ? users : groups;
    const data = resolveRefs(op.data, created);
    try {
      const opts = ifMatchOf(op.version);
      if (op.method === 'DELETE') {
        await store.remove(call, id!, opts);
        answer(op, 204, { location }, false);
        return;
      }
      const res = op.method === 'POST' ? await store.create(call, data)
        : op.method === 'PUT' ? await store.replace(call, id!, data, opts)
          : await store.patch(call, id!, data, opts);
      const meta = res.meta as { location: string; version: string };
      if (op.method === 'POST') created.set(op.bulkId!, res.id as string);
      answer(op, op.method === 'POST' ? 201 : 200, { location: meta.location, version: meta.version }, false);
    } catch (thrown) {
      fail(op, thrown, location);
    }
  }

  results.sort((a, b) => a.index - b.index);
  return { schemas: [BULK_RESPONSE_SCHEMA], Operations: results.map((r) => r.body) };
}
