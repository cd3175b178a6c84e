import { z } from 'zod';
import { apiResponse, pagingQuery, queryBoolean, Uuid } from './common';
import { IdentitySource, USER_SORT_FIELDS, UserCreate, UserGroupMembership, UserStatus } from './user';

export const AdminUserListQuery = z.object({
  ...pagingQuery,
  search: z.string().trim().max(200).optional(),
  status: UserStatus.optional(),
  tenant_id: z.string().min(1).max(64).optional().describe('A tenant id or slug'),
  partner_id: Uuid.optional().describe('Every tenant of the partner'),
  sort_by: z.enum(USER_SORT_FIELDS).optional(),
});

export const AdminUserCreate = UserCreate.extend({
  tenant_id: z.string().min(1).max(64).optional().describe("A tenant id or slug; the caller's own tenant by default"),
}).meta({ id: 'AdminUserCreate' });

export const AdminPasswordSet = z
  .strictObject({
    new_password: z.string().min(1).max(256),
    require_password_change: z.boolean().default(false).describe('Ask the user for a new password at the next sign-in'),
  })
  .meta({ id: 'AdminPasswordSet' });

export const MismatchQuery = z.object({
  tenant_id: z.string().min(1).max(64).optional(),
  fix: queryBoolean.default(false),
});

export const IdentitySourceMismatch = z
  .object({
    user_id: z.string(),
    tenant_id: z.string(),
    email: z.string(),
    identity_source: IdentitySource,
    expected_identity_source: IdentitySource,
    provider_alias: z.string(),
    provider_type: z.string(),
    fixed: z.boolean(),
  })
  .meta({ id: 'IdentitySourceMismatch' });

export const MismatchReport = z
  .object({ data: z.array(IdentitySourceMismatch), summary: z.object({ found: z.number().int(), fixed: z.number().int() }) })
  .meta({ id: 'IdentitySourceMismatchReport' });

export const UserGroupsResponse = z.object({ data: z.array(UserGroupMembership) }).meta({ id: 'UserGroupsResponse' });
export const ApiResponseMessage = apiResponse(z.object({ message: z.string() }), 'ApiResponse_Message_');
