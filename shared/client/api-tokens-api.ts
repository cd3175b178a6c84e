import type { z } from 'zod';
import type { HttpClient, Query } from './http';
import type { Data, Page } from './envelopes';
import type { ApiTokenCreate, ApiTokenResponse } from '../schemas/api-token';

export type ApiToken = z.output<typeof ApiTokenResponse>;

const base = (tenantId: string) => `/api/v1/tenants/${encodeURIComponent(tenantId)}/api-tokens`;

/** A tenant's API tokens (SCIM clients, integrations); the secret is in the create answer only. */
export const apiTokensApi = (http: HttpClient) => ({
  list: (tenantId: string, query: Query = {}) => http.get<Page<ApiToken>>(base(tenantId), query),
  create: (tenantId: string, body: z.input<typeof ApiTokenCreate>) => http.post<Data<ApiToken>>(base(tenantId), body).then((r) => r.data),
  revoke: (tenantId: string, id: string) => http.delete<void>(`${base(tenantId)}/${encodeURIComponent(id)}`),
});
