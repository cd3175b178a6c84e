import type { z } from 'zod';
import type { HttpClient, Query } from './http';
import type { Data, Page } from './envelopes';
import type { UserListItem, UserResponse, UserStatusUpdate, UserPasswordReset, PasswordResetResult, UserCreate, UserUpdate } from '../schemas/user';
import type { UserSearchBody } from '../schemas/caller-users';

export type UserSearch = z.input<typeof UserSearchBody>;

/** The caller's tenant's users (`/api/v1/users`); a super admin names another tenant with `tenant_id`. */
export const usersApi = (http: HttpClient) => ({
  search: (body: UserSearch, tenantId?: string, signal?: AbortSignal) =>
    http.request<Page<UserListItem>>('POST', '/api/v1/users/search', { body, query: { tenant_id: tenantId }, signal }),
  list: (query: Query) => http.get<Page<UserListItem>>('/api/v1/users', query),
  get: (id: string, include: ('groups' | 'identities' | 'ou')[] = []) =>
    http.get<Data<UserResponse>>(`/api/v1/users/${encodeURIComponent(id)}`, { include }).then((r) => r.data),
  create: (body: z.input<typeof UserCreate>, tenantId?: string) =>
    http.post<Data<UserResponse>>('/api/v1/users', body, { tenant_id: tenantId }).then((r) => r.data),
  /** PATCH with If-Match: a stale `version` is a 412, never a silent overwrite. */
  update: (id: string, body: z.input<typeof UserUpdate>, version?: number) =>
    http
      .request<Data<UserResponse>>('PATCH', `/api/v1/users/${encodeURIComponent(id)}`, { body, headers: version === undefined ? {} : { 'If-Match': `W/"${version}"` } })
      .then((r) => r.data),
  setStatus: (id: string, body: z.input<typeof UserStatusUpdate>) =>
    http.put<Data<UserResponse>>(`/api/v1/users/${encodeURIComponent(id)}/status`, body).then((r) => r.data),
  remove: (id: string, confirmEmail: string, permanent = false) =>
    http.delete<void>(`/api/v1/users/${encodeURIComponent(id)}`, { confirm_email: confirmEmail, permanent: permanent || undefined }),
  resetPassword: (tenantId: string, id: string, body: z.input<typeof UserPasswordReset>) =>
    http
      .post<Data<z.output<typeof PasswordResetResult>>>(`/api/v1/tenants/${encodeURIComponent(tenantId)}/users/${encodeURIComponent(id)}/password/reset`, body)
      .then((r) => r.data),
});
