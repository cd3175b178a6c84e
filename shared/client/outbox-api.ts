import type { z } from 'zod';
import type { HttpClient } from './http';
import type { Page } from './envelopes';
import type { OUTBOX_KINDS, OUTBOX_STATUSES, OutboxMessageResponse } from '../schemas/mail';

export type OutboxMessage = z.output<typeof OutboxMessageResponse>;

export interface OutboxQuery {
  user_id?: string;
  kind?: (typeof OUTBOX_KINDS)[number];
  status?: (typeof OUTBOX_STATUSES)[number];
  page?: number;
  per_page?: number;
}

/** A tenant's queued mail: where a helpdesk reads a reset link to a caller when mail is off. */
export const outboxApi = (http: HttpClient) => ({
  list: (tenantId: string, query: OutboxQuery = {}) =>
    http.get<Page<OutboxMessage>>(`/api/v1/tenants/${encodeURIComponent(tenantId)}/outbox`, { ...query }),
});
