import type { z } from 'zod';
import type { HttpClient } from './http';
import type { CursorPage } from './envelopes';
import type { ActivityEventResponse, ActivityQuery } from '../schemas/activity';

export type ActivityEvent = z.output<typeof ActivityEventResponse>;
export type AuditQuery = Omit<z.input<typeof ActivityQuery>, 'limit'> & { limit?: number };

const base = (tenantId: string) => `/api/v1/tenants/${encodeURIComponent(tenantId)}/audit-events`;

/** The tenant's audit log: newest first with a cursor, and its live stream (see followStream). */
export const auditApi = (http: HttpClient) => ({
  list: (tenantId: string, query: AuditQuery = {}, signal?: AbortSignal) => http.get<CursorPage<ActivityEvent>>(base(tenantId), { ...query }, signal),
  /** The path to pass to followStream. */
  streamPath: (tenantId: string) => `${base(tenantId)}/stream`,
});
