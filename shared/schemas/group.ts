import { z } from 'zod';
import { apiResponse, paginated, pagingQuery, queryBoolean, Uuid } from './common';

const name = z.string().trim().min(1).max(255);

export const GroupCreate = z
  .strictObject({ name, description: z.string().max(2000).nullish(), external_id: z.string().max(255).nullish() })
  .meta({ id: 'GroupCreate' });

export const GroupUpdate = z
  .strictObject({ name: name.optional(), description: z.string().max(2000).nullish(), external_id: z.string().max(255).nullish() })
  .meta({ id: 'GroupUpdate' });

export const GroupResponse = z
  .object({
    id: z.string(),
    tenant_id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    external_id: z.string().nullable(),
    member_count: z.number().int(),
    version: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'GroupResponse' });

export const GROUP_SORT_FIELDS = ['name', 'created_at', 'updated_at'] as const;
export const GroupListQuery = z.object({
  ...pagingQuery,
  search: z.string().trim().max(200).optional(),
  name: z.string().trim().max(255).optional(),
  sort_by: z.enum(GROUP_SORT_FIELDS).optional(),
});

export const GroupMembersAdd = z
  .strictObject({
    user_ids: z.array(Uuid).max(1000).default([]),
    group_ids: z.array(Uuid).max(1000).default([]),
  })
  .refine((b) => b.user_ids.length + b.group_ids.length > 0, { message: 'name at least one user or group', path: ['user_ids'] })
  .meta({ id: 'GroupMembersAdd', description: 'Users and groups to add as direct members; members already there are kept.' });

export const GroupMember = z
  .object({
    member_type: z.enum(['USER', 'GROUP']),
    id: z.string(),
    name: z.string().nullable(),
    email: z.string().nullable(),
    membership_type: z.enum(['DIRECT', 'INHERITED']),
    added_at: z.string().nullable(),
  })
  .meta({ id: 'GroupMember' });

export const GroupMembersQuery = z.object({
  ...pagingQuery,
  effective: queryBoolean.optional().describe('true: every user in the group, directly or through nested groups'),
});

export const ApiResponseGroup = apiResponse(GroupResponse, 'ApiResponse_GroupResponse_');
export const PaginatedGroupList = paginated(GroupResponse, 'PaginatedResponse_GroupResponse_');
export const PaginatedGroupMembers = paginated(GroupMember, 'PaginatedResponse_GroupMember_');
