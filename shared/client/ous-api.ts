import type { z } from 'zod';
import type { HttpClient, Query } from './http';
import type { Data, Page } from './envelopes';
import type { OuCreate, OuResponse, OuUpdate } from '../schemas/ou';

export type Ou = z.output<typeof OuResponse>;

const base = (tenantId: string) => `/api/v1/tenants/${encodeURIComponent(tenantId)}/ous`;
const one = (tenantId: string, id: string) => `${base(tenantId)}/${encodeURIComponent(id)}`;

/** The organisational-unit tree of a tenant: read a level at a time (`roots`, `parent_id`). */
export const ousApi = (http: HttpClient) => ({
  list: (tenantId: string, query: Query = {}) => http.get<Page<Ou>>(base(tenantId), query),
  get: (tenantId: string, id: string) => http.get<Data<Ou>>(one(tenantId, id)).then((r) => r.data),
  create: (tenantId: string, body: z.input<typeof OuCreate>) => http.post<Data<Ou>>(base(tenantId), body).then((r) => r.data),
  update: (tenantId: string, id: string, body: z.input<typeof OuUpdate>) => http.patch<Data<Ou>>(one(tenantId, id), body).then((r) => r.data),
  remove: (tenantId: string, id: string, cascade: 'none' | 'reparent' | 'subtree' = 'none') => http.delete<void>(one(tenantId, id), { cascade }),
});
