import type { z } from 'zod';
import type { HttpClient, Query } from './http';
import type { Data, Page } from './envelopes';
import type { PartnerCreate, PartnerResponse, PartnerUpdate } from '../schemas/partner';

export type Partner = z.output<typeof PartnerResponse>;

export const partnersApi = (http: HttpClient) => ({
  list: (query: Query = {}) => http.get<Page<Partner>>('/api/v1/partners', query),
  create: (body: z.input<typeof PartnerCreate>) => http.post<Data<Partner>>('/api/v1/partners', body).then((r) => r.data),
  update: (id: string, body: z.input<typeof PartnerUpdate>) => http.patch<Data<Partner>>(`/api/v1/partners/${encodeURIComponent(id)}`, body).then((r) => r.data),
  remove: (id: string) => http.delete<void>(`/api/v1/partners/${encodeURIComponent(id)}`),
});
