import { z } from 'zod';
import { apiResponse, paginated, pagingQuery, Uuid } from './common';

/** What an application's client-credentials token may do: read the users assigned to it. */
export const APPLICATION_SCOPES = ['users:read'] as const;
export const ApplicationScope = z.enum(APPLICATION_SCOPES).meta({ id: 'ApplicationScope' });

export const ApplicationCreate = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).nullish(),
    scopes: z.array(ApplicationScope).max(10).default(['users:read']),
    enabled: z.boolean().default(true),
  })
  .meta({ id: 'ApplicationCreate' });

export const ApplicationUpdate = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(2000).nullish(),
    scopes: z.array(ApplicationScope).max(10).optional(),
    enabled: z.boolean().optional(),
  })
  .meta({ id: 'ApplicationUpdate' });

export const ApplicationResponse = z
  .object({
    id: z.string(), tenant_id: z.string(), name: z.string(), description: z.string().nullable(), client_id: z.string(),
    scopes: z.array(z.string()), enabled: z.boolean(), assigned_users: z.number().int(), assigned_groups: z.number().int(),
    created_at: z.string(), updated_at: z.string(),
    client_secret: z.string().optional().describe('Only in the answer that creates or rotates it; never shown again'),
  })
  .meta({ id: 'ApplicationResponse' });

export const ApplicationListQuery = z.object({ ...pagingQuery, search: z.string().trim().max(200).optional() });

export const AssignmentsAdd = z
  .strictObject({ user_ids: z.array(Uuid).max(1000).default([]), group_ids: z.array(Uuid).max(1000).default([]) })
  .refine((b) => b.user_ids.length + b.group_ids.length > 0, { message: 'name at least one user or group', path: ['user_ids'] })
  .meta({ id: 'AssignmentsAdd' });

export const Assignment = z
  .object({ assignee_type: z.enum(['USER', 'GROUP']), id: z.string(), name: z.string().nullable(), email: z.string().nullable(), assigned_at: z.string() })
  .meta({ id: 'Assignment' });

export const EffectiveUser = z
  .object({
    id: z.string(), email: z.string(), username: z.string().nullable(), display_name: z.string().nullable(), status: z.string(),
    assignment: z.enum(['DIRECT', 'GROUP']),
  })
  .meta({ id: 'EffectiveUser' });

export const ApiResponseApplication = apiResponse(ApplicationResponse, 'ApiResponse_ApplicationResponse_');
export const PaginatedApplicationList = paginated(ApplicationResponse, 'PaginatedResponse_ApplicationResponse_');
export const PaginatedAssignments = paginated(Assignment, 'PaginatedResponse_Assignment_');
export const PaginatedEffectiveUsers = paginated(EffectiveUser, 'PaginatedResponse_EffectiveUser_');
