import { z } from 'zod';
import { defineRoute } from '../http/define-route';
import { actorOf } from '../http/context';
import { sendData, sendPage, setEtag } from '../http/envelope';
import { ifMatchVersion } from '../http/if-match';
import type { AdminUserService } from '../services/admin-user-service';
import { ApiResponseUser, PaginatedUserList, UserUpdate } from '../../shared/schemas/user';
import { AdminPasswordSet, AdminUserCreate, AdminUserListQuery, MismatchQuery, MismatchReport, UserGroupsResponse } from '../../shared/schemas/admin';
import { meta } from '../http/envelope';

const Params = z.object({ user_id: z.string().min(1).max(64) });
const base = '/api/v1/admin/users';
const tags = ['admin'];

export const adminUserRoutes = (admin: AdminUserService) => [
  defineRoute({
    method: 'get', path: base, summary: 'List users across tenants', tags, access: 'admin_users:read',
    description: 'Every tenant the caller reaches: all for a super admin, the partner\'s for a partner admin, its own otherwise.',
    query: AdminUserListQuery,
    responses: { 200: { description: 'A page of users', schema: PaginatedUserList } },
    handler: async (ctx, { query }) => sendPage(ctx, await admin.list(actorOf(ctx), query)),
  }),
  defineRoute({
    method: 'post', path: base, summary: 'Create a user', tags, access: 'admin_users:write',
    body: AdminUserCreate,
    responses: { 201: { description: 'Created', schema: ApiResponseUser } },
    handler: async (ctx, { body }) => {
      const user = await admin.create(actorOf(ctx), body);
      setEtag(ctx, user.version);
      sendData(ctx, user, 201);
    },
  }),
  defineRoute({
    method: 'get', path: `${base}/identity-source/mismatches`, summary: 'Identity-source mismatches', tags, access: 'users:fix_identity_source',
    description: 'Users whose identity_source differs from the type of the provider of their (earliest) federated identity, e.g. an LDAP identity with identity_source LOCAL. `fix=true` corrects each and records it as an event.',
    query: MismatchQuery,
    responses: { 200: { description: 'What was found and fixed', schema: MismatchReport } },
    handler: async (ctx, { query }) => {
      const { items, fixed } = await admin.identitySourceMismatches(actorOf(ctx), query);
      ctx.body = { data: items, summary: { found: items.length, fixed }, meta: meta(ctx) };
    },
  }),
  defineRoute({
    method: 'get', path: `${base}/{user_id}`, summary: 'Get a user', tags, access: 'admin_users:read',
    params: Params,
    responses: { 200: { description: 'The user, with its groups', schema: ApiResponseUser } },
    handler: async (ctx, { params }) => {
      const user = await admin.get(actorOf(ctx), params.user_id);
      setEtag(ctx, user.version);
      sendData(ctx, user);
    },
  }),
  defineRoute({
    method: 'patch', path: `${base}/{user_id}`, summary: 'Update a user', tags, access: 'admin_users:write',
    params: Params, body: UserUpdate,
    responses: { 200: { description: 'Updated', schema: ApiResponseUser } },
    handler: async (ctx, { params, body }) => {
      const user = await admin.update(actorOf(ctx), params.user_id, body, ifMatchVersion(ctx));
      setEtag(ctx, user.version);
      sendData(ctx, user);
    },
  }),
  defineRoute({
    method: 'delete', path: `${base}/{user_id}`, summary: 'Delete a user (soft)', tags, access: 'admin_users:write',
    params: Params,
    responses: { 204: { description: 'Deleted' } },
    handler: async (ctx, { params }) => {
      await admin.delete(actorOf(ctx), params.user_id, ifMatchVersion(ctx));
      ctx.status = 204;
    },
  }),
  defineRoute({
    method: 'get', path: `${base}/{user_id}/groups`, summary: 'A user\'s groups', tags, access: 'admin_users:read',
    description: 'Every group the user belongs to, DIRECT or INHERITED through nested groups.',
    params: Params,
    responses: { 200: { description: 'The groups', schema: UserGroupsResponse } },
    handler: async (ctx, { params }) => sendData(ctx, await admin.groups(actorOf(ctx), params.user_id)),
  }),
  defineRoute({
    method: 'post', path: `${base}/{user_id}/mfa/disable`, summary: 'Disable MFA', tags, access: 'users:disable_mfa',
    params: Params,
    responses: { 200: { description: 'The user', schema: ApiResponseUser }, 409: { description: 'MFA was not enabled' } },
    handler: async (ctx, { params }) => sendData(ctx, await admin.disableMfa(actorOf(ctx), params.user_id)),
  }),
  defineRoute({
    method: 'post', path: `${base}/{user_id}/reset-password`, summary: 'Set a password', tags, access: 'users:reset_password',
    description: 'The admin sets the password directly; the tenant\'s policy and history apply and the user is signed out everywhere.',
    params: Params, body: AdminPasswordSet,
    responses: { 200: { description: 'The user', schema: ApiResponseUser } },
    handler: async (ctx, { params, body }) => sendData(ctx, await admin.setPassword(actorOf(ctx), params.user_id, body)),
  }),
  defineRoute({
    method: 'post', path: `${base}/{user_id}/unlock`, summary: 'Unlock a user', tags, access: 'users:unlock',
    description: 'LOCKED goes back to ACTIVE and the failed sign-in count is cleared (for an ACTIVE user, just the count).',
    params: Params,
    responses: { 200: { description: 'The user', schema: ApiResponseUser }, 409: { description: 'Disabled or pending users are enabled, not unlocked' } },
    handler: async (ctx, { params }) => sendData(ctx, await admin.unlock(actorOf(ctx), params.user_id)),
  }),
];
