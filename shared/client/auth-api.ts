import type { z } from 'zod';
import type { HttpClient } from './http';
import type { TokenResponse } from '../schemas/auth';
import type { Data } from './envelopes';
import type { UserResponse } from '../schemas/user';
import type { SelfUpdate, PasswordChange } from '../schemas/caller-users';

export type Tokens = z.output<typeof TokenResponse>;

export interface PasswordSignIn {
  username: string;
  password: string;
  tenant?: string;
  mfa_code?: string;
  new_password?: string;
}

/** Sign-in, refresh, sign-out and the signed-in person's own account. */
export const authApi = (http: HttpClient) => ({
  signIn: (input: PasswordSignIn) =>
    http.request<Tokens>('POST', '/api/v1/auth/token', { body: { grant_type: 'password', ...input }, anonymous: true }),
  refresh: (refreshToken: string) =>
    http.request<Tokens>('POST', '/api/v1/auth/token', { body: { grant_type: 'refresh_token', refresh_token: refreshToken }, anonymous: true }),
  revoke: (token: string) => http.request<void>('POST', '/api/v1/auth/revoke', { body: { token, token_type_hint: 'refresh_token' }, anonymous: true }),
  me: () => http.get<Data<UserResponse>>('/api/v1/users/me').then((r) => r.data),
  updateMe: (body: z.input<typeof SelfUpdate>) => http.put<Data<UserResponse>>('/api/v1/users/me', body).then((r) => r.data),
  changePassword: (body: z.input<typeof PasswordChange>) => http.put<unknown>('/api/v1/users/me/password', body),
  completePasswordReset: (token: string, newPassword: string) =>
    http.request<unknown>('POST', '/api/v1/auth/password-reset/complete', { body: { token, new_password: newPassword }, anonymous: true }),
});
