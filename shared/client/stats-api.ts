import type { HttpClient } from './http';
import type { Data } from './envelopes';
import type { TenantStats } from '../schemas/stats';

export type { TenantStats };

/** The dashboard's figures of a tenant, counted by the server. */
export const statsApi = (http: HttpClient) => ({
  get: (tenantId: string, days?: number, signal?: AbortSignal) =>
    http.get<Data<TenantStats>>(`/api/v1/tenants/${encodeURIComponent(tenantId)}/stats`, { days }, signal).then((r) => r.data),
});
