import type { z } from 'zod';
import type { HttpClient, Query } from './http';
import type { Data, Page } from './envelopes';
import type { ApplicationCreate, ApplicationResponse, ApplicationUpdate, Assignment, AssignmentsAdd, EffectiveUser } from '../schemas/application';

export type Application = z.output<typeof ApplicationResponse>;
export type ApplicationAssignment = z.output<typeof Assignment>;
export type ApplicationUser = z.output<typeof EffectiveUser>;

const base = (tenantId: string) => `/api/v1/tenants/${encodeURIComponent(tenantId)}/applications`;
const one = (tenantId: string, id: string) => `${base(tenantId)}/${encodeURIComponent(id)}`;

/** Applications (OAuth clients) of a tenant and who is assigned to them. */
export const applicationsApi = (http: HttpClient) => ({
  list: (tenantId: string, query: Query = {}) => http.get<Page<Application>>(base(tenantId), query),
  create: (tenantId: string, body: z.input<typeof ApplicationCreate>) => http.post<Data<Application>>(base(tenantId), body).then((r) => r.data),
  update: (tenantId: string, id: string, body: z.input<typeof ApplicationUpdate>) => http.patch<Data<Application>>(one(tenantId, id), body).then((r) => r.data),
  remove: (tenantId: string, id: string) => http.delete<void>(one(tenantId, id)),
  rotateSecret: (tenantId: string, id: string) => http.post<Data<Application>>(`${one(tenantId, id)}/client-secret`).then((r) => r.data),
  assignments: (tenantId: string, id: string, query: Query = {}) => http.get<Page<ApplicationAssignment>>(`${one(tenantId, id)}/assignments`, query),
  assign: (tenantId: string, id: string, body: z.input<typeof AssignmentsAdd>) => http.post<unknown>(`${one(tenantId, id)}/assignments`, body),
  unassign: (tenantId: string, id: string, assigneeId: string) => http.delete<void>(`${one(tenantId, id)}/assignments/${encodeURIComponent(assigneeId)}`),
  effectiveUsers: (tenantId: string, id: string, query: Query = {}) => http.get<Page<ApplicationUser>>(`${one(tenantId, id)}/effective-users`, query),
});
