import type { z } from 'zod';
import type { HttpClient, Query } from './http';
import type { Data, Page } from './envelopes';
import type { UserListItem, UserResponse, UserStatusUpdate, UserPasswordReset, PasswordResetResult, UserCreate, UserUpdate } from '../schemas/user';
import type { UserSearchBody } from '../schemas/caller-users';

export type UserSearch = z.input<typeof UserSearchBody>;
export type User = UserResponse;
export type UserRow = UserListItem;

/** An application the user signed in to recently (seed 002's active workspaces). */
export interface ActiveWorkspace {
  application_id: string;
  name: string;
  client_id: string;
  first_used_at: string;
  last_used_at: string;
  sign_ins: number;
}

const userPath = (id: string) => `/api/v1/users/${encodeURIComponent(id)}`;

/** The caller's tenant's users (`/api/v1/users`); a super admin names another tenant with `tenant_id`. */
export const usersApi = (http: HttpClient) => ({
  search: (body: UserSearch, tenantId?: string, signal?: AbortSignal) =>
    http.request<Page<UserListItem>>('POST', '/api/v1/users/search', { body, query: { tenant_id: tenantId }, signal }),
  list: (query: Query) => http.get<Page<UserListItem>>('/api/v1/users', query),
  get: (id: string, include: ('groups' | 'identities' | 'ou')[] = [], tenantId?: string, signal?: AbortSignal) =>
    http.get<Data<UserResponse>>(userPath(id), { include, tenant_id: tenantId }, signal).then((r) => r.data),
  create: (body: z.input<typeof UserCreate>, tenantId?: string) =>
    http.post<Data<UserResponse>>('/api/v1/users', body, { tenant_id: tenantId }).then((r) => r.data),
  /** PATCH with If-Match: a stale `version` is a 412, never a silent overwrite. */
  update: (id: string, body: z.input<typeof UserUpdate>, version?: number, tenantId?: string) =>
    http
      .request<Data<UserResponse>>('PATCH', userPath(id), {
        body,
        query: { tenant_id: tenantId },
        headers: version === undefined ? {} : { 'If-Match': `W/"${version}"` },
      })
      .then((r) => r.data),
  setStatus: (id: string, body: z.input<typeof UserStatusUpdate>, tenantId?: string, version?: number) =>
    http
      .request<Data<UserResponse>>('PUT', `${userPath(id)}/status`, {
        body,
        query: { tenant_id: tenantId },
        headers: version === undefined ? {} : { 'If-Match': `W/"${version}"` },
      })
      .then((r) => r.data),
  remove: (id: string, confirmEmail: string, permanent = false) =>
    http.delete<void>(userPath(id), { confirm_email: confirmEmail, permanent: permanent || undefined }),
  /** The tenant directory's DELETE: the server itself checks `confirm_email` against the user's address. */
  removeConfirmed: (tenantId: string, id: string, confirmEmail: string) =>
    http.delete<void>(`/api/v1/tenants/${encodeURIComponent(tenantId)}/users/${encodeURIComponent(id)}`, { confirm_email: confirmEmail }),
  resetPassword: (tenantId: string, id: string, body: z.input<typeof UserPasswordReset>) =>
    http
      .post<Data<z.output<typeof PasswordResetResult>>>(`/api/v1/tenants/${encodeURIComponent(tenantId)}/users/${encodeURIComponent(id)}/password/reset`, body)
      .then((r) => r.data),
  activeWorkspaces: (id: string, tenantId?: string, days = 30) =>
    http.get<Data<ActiveWorkspace[]>>(`${userPath(id)}/active-workspaces`, { tenant_id: tenantId, days }).then((r) => r.data),
});
