import type { z } from 'zod';
import type { HttpClient, Query } from './http';
import type { Data, Page } from './envelopes';
import type { TenantCreate, TenantResponse, TenantUpdate } from '../schemas/tenant';

export type Tenant = z.output<typeof TenantResponse>;

/** Tenants within the caller's reach (all for a super admin, its partner's for a partner admin). */
export const tenantsApi = (http: HttpClient) => ({
  list: (query: Query = {}) => http.get<Page<Tenant>>('/api/v1/tenants', query),
  get: (id: string) => http.get<Data<Tenant>>(`/api/v1/tenants/${encodeURIComponent(id)}`).then((r) => r.data),
  create: (body: z.input<typeof TenantCreate>) => http.post<Data<Tenant>>('/api/v1/tenants', body).then((r) => r.data),
  update: (id: string, body: z.input<typeof TenantUpdate>) => http.patch<Data<Tenant>>(`/api/v1/tenants/${encodeURIComponent(id)}`, body).then((r) => r.data),
  remove: (id: string) => http.delete<void>(`/api/v1/tenants/${encodeURIComponent(id)}`),
});
