import { z } from 'zod';
import { defineRoute } from '../http/define-route';
import { actorOf } from '../http/context';
import { sendData, sendPage, setEtag } from '../http/envelope';
import { ifMatchVersion } from '../http/if-match';
import type { UserService } from '../services/user-service';
import {
  ApiResponsePasswordReset, ApiResponseUser, PaginatedUserList, UserCreate, UserDeleteQuery, UserGetQuery,
  UserListQuery, UserPasswordReset, UserStatusUpdate, UserUpdate,
} from '../../shared/schemas/user';
import { TenantParams } from '../../shared/schemas/common';

const UserParams = TenantParams.extend({ user_id: z.string().min(1).max(64) });
const base = '/api/v1/tenants/{tenant_id}/users';

export const tenantUserRoutes = (users: UserService) => [
  defineRoute({
    method: 'get', path: base, summary: 'List users', tags: ['tenant directory'], access: 'users:read',
    description: 'Filters, sort and paging run in the database. `search` matches substrings of email, username and names, ignoring case and accents.',
    params: TenantParams, query: UserListQuery,
    responses: { 200: { description: 'A page of users', schema: PaginatedUserList } },
    handler: async (ctx, { params, query }) => sendPage(ctx, await users.list(actorOf(ctx), params.tenant_id, query)),
  }),
  defineRoute({
    method: 'post', path: base, summary: 'Create a user', tags: ['tenant directory'], access: 'users:create',
    params: TenantParams, body: UserCreate,
    responses: { 201: { description: 'Created', schema: ApiResponseUser }, 409: { description: 'duplicate_email or duplicate_username' } },
    handler: async (ctx, { params, body }) => {
      const user = await users.create(actorOf(ctx), params.tenant_id, body);
      setEtag(ctx, user.version);
      ctx.set('Location', `/api/v1/tenants/${user.tenant_id}/users/${user.id}`);
      sendData(ctx, user, 201);
    },
  }),
  defineRoute({
    method: 'get', path: `${base}/{user_id}`, summary: 'Get a user', tags: ['tenant directory'], access: 'users:read',
    params: UserParams, query: UserGetQuery,
    responses: { 200: { description: 'The user', schema: ApiResponseUser } },
    handler: async (ctx, { params, query }) => {
      const user = await users.get(actorOf(ctx), params.tenant_id, params.user_id, query.include);
      setEtag(ctx, user.version);
      sendData(ctx, user);
    },
  }),
  defineRoute({
    method: 'patch', path: `${base}/{user_id}`, summary: 'Update a user', tags: ['tenant directory'], access: 'users:update',
    description: 'Only the fields sent change. Honours `If-Match` (412 when the user changed since).',
    params: UserParams, body: UserUpdate,
    responses: { 200: { description: 'Updated', schema: ApiResponseUser }, 412: { description: 'Stale If-Match' } },
    handler: async (ctx, { params, body }) => {
      const user = await users.update(actorOf(ctx), params.tenant_id, params.user_id, body, { ifMatch: ifMatchVersion(ctx) });
      setEtag(ctx, user.version);
      sendData(ctx, user);
    },
  }),
  defineRoute({
    method: 'delete', path: `${base}/{user_id}`, summary: 'Delete a user', tags: ['tenant directory'], access: 'users:delete',
    description: 'A soft delete; `confirm_email` must equal the user\'s email. `permanent=true` erases personal data for good (GDPR) and keeps anonymised events.',
    params: UserParams, query: UserDeleteQuery,
    responses: { 204: { description: 'Deleted' }, 409: { description: 'Internal users cannot be deleted' } },
    handler: async (ctx, { params, query }) => {
      await users.delete(actorOf(ctx), params.tenant_id, params.user_id, query, { ifMatch: ifMatchVersion(ctx) });
      ctx.status = 204;
    },
  }),
  defineRoute({
    method: 'post', path: `${base}/{user_id}/restore`, summary: 'Restore a deleted user', tags: ['tenant directory'], access: 'users:delete',
    description: 'Undoes a soft delete: the user comes back with its groups, identities and application assignments. 409 when the user is not deleted, was merged, or its email or username was taken meanwhile. Honours `If-Match`.',
    params: UserParams,
    responses: { 200: { description: 'Restored', schema: ApiResponseUser }, 409: { description: 'Not deleted, merged, or email taken' } },
    handler: async (ctx, { params }) => {
      const user = await users.restore(actorOf(ctx), params.tenant_id, params.user_id, { ifMatch: ifMatchVersion(ctx) });
      setEtag(ctx, user.version);
      sendData(ctx, user);
    },
  }),
  defineRoute({
    method: 'post', path: `${base}/{user_id}/password/reset`, summary: 'Reset a user\'s password', tags: ['tenant directory'], access: 'users:reset_password',
    description: '`EMAIL` queues a one-time link (to `redirect_uri`, or the admin app) in the outbox; `DIRECT` sets `new_password`. Both sign the user out everywhere.',
    params: UserParams, body: UserPasswordReset,
    responses: { 200: { description: 'Done', schema: ApiResponsePasswordReset } },
    handler: async (ctx, { params, body }) => sendData(ctx, await users.resetPassword(actorOf(ctx), params.tenant_id, params.user_id, body)),
  }),
  defineRoute({
    method: 'put', path: `${base}/{user_id}/status`, summary: 'Update a user\'s status', tags: ['tenant directory'], access: 'users:status',
    description: 'Enable, disable, lock, unlock. Allowed moves: ACTIVE→DISABLED|LOCKED, LOCKED→ACTIVE|DISABLED, DISABLED→ACTIVE, PENDING_*→ACTIVE|DISABLED; others are 409. `terminate_sessions` revokes every session and refresh token of the user.',
    params: UserParams, body: UserStatusUpdate,
    responses: { 200: { description: 'The user', schema: ApiResponseUser }, 409: { description: 'Illegal transition' } },
    handler: async (ctx, { params, body }) => {
      const user = await users.setStatus(actorOf(ctx), params.tenant_id, params.user_id, body, { ifMatch: ifMatchVersion(ctx) });
      setEtag(ctx, user.version);
      sendData(ctx, user);
    },
  }),
];
