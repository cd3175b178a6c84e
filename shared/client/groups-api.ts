import type { z } from 'zod';
import type { HttpClient, Query } from './http';
import type { Data, Page } from './envelopes';
import type { GroupCreate, GroupMember, GroupMembersAdd, GroupResponse, GroupUpdate } from '../schemas/group';

export type Group = z.output<typeof GroupResponse>;
export type Member = z.output<typeof GroupMember>;

const base = (tenantId: string) => `/api/v1/tenants/${encodeURIComponent(tenantId)}/groups`;
const one = (tenantId: string, id: string) => `${base(tenantId)}/${encodeURIComponent(id)}`;

/** Groups of a tenant, nested groups included, and their members. */
export const groupsApi = (http: HttpClient) => ({
  list: (tenantId: string, query: Query = {}, signal?: AbortSignal) => http.get<Page<Group>>(base(tenantId), query, signal),
  get: (tenantId: string, id: string) => http.get<Data<Group>>(one(tenantId, id)).then((r) => r.data),
  create: (tenantId: string, body: z.input<typeof GroupCreate>) => http.post<Data<Group>>(base(tenantId), body).then((r) => r.data),
  /** With If-Match on `version`: a stale edit is a 412. */
  update: (tenantId: string, id: string, body: z.input<typeof GroupUpdate>, version?: number) =>
    http.request<Data<Group>>('PATCH', one(tenantId, id), { body, headers: version === undefined ? {} : { 'If-Match': `W/"${version}"` } }).then((r) => r.data),
  remove: (tenantId: string, id: string) => http.delete<void>(one(tenantId, id)),
  members: (tenantId: string, id: string, query: Query = {}) => http.get<Page<Member>>(`${one(tenantId, id)}/members`, query),
  addMembers: (tenantId: string, id: string, body: z.input<typeof GroupMembersAdd>) => http.post<unknown>(`${one(tenantId, id)}/members`, body),
  removeMember: (tenantId: string, id: string, memberId: string) => http.delete<void>(`${one(tenantId, id)}/members/${encodeURIComponent(memberId)}`),
});
