import type { z } from 'zod';
import type { HttpClient } from './http';
import type { Data } from './envelopes';
import type { UserResponse } from '../schemas/user';
import type { AdminPasswordSet } from '../schemas/admin';

const adminUser = (id: string) => `/api/v1/admin/users/${encodeURIComponent(id)}`;

/** Seed 001's admin actions on one user, wherever its tenant (within the caller's reach). */
export const adminUsersApi = (http: HttpClient) => ({
  /** LOCKED -> ACTIVE and the failed sign-in count cleared. */
  unlock: (id: string) => http.post<Data<UserResponse>>(`${adminUser(id)}/unlock`).then((r) => r.data),
  disableMfa: (id: string) => http.post<Data<UserResponse>>(`${adminUser(id)}/mfa/disable`).then((r) => r.data),
  setPassword: (id: string, body: z.input<typeof AdminPasswordSet>) =>
    http.post<Data<UserResponse>>(`${adminUser(id)}/reset-password`, body).then((r) => r.data),
});
