import { z } from 'zod';
import { apiResponse, paginated, pagingQuery, queryBoolean, Uuid } from './common';

const name = z.string().trim().min(1).max(200).regex(/^[^/]+$/, 'may not contain "/"');

export const OuCreate = z
  .strictObject({ name, parent_id: Uuid.nullish(), description: z.string().max(2000).nullish() })
  .meta({ id: 'OuCreate', description: 'An organisational unit, at the root or under `parent_id`.' });

export const OuUpdate = z
  .strictObject({ name: name.optional(), parent_id: Uuid.nullish(), description: z.string().max(2000).nullish() })
  .meta({ id: 'OuUpdate', description: 'Rename, describe, or move (`parent_id`; null moves to the root).' });

export const OuResponse = z
  .object({
    id: z.string(),
    tenant_id: z.string(),
    parent_id: z.string().nullable(),
    name: z.string(),
    path: z.string(),
    description: z.string().nullable(),
    user_count: z.number().int(),
    child_count: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'OuResponse' });

export const OU_SORT_FIELDS = ['path', 'name', 'created_at'] as const;
export const OuListQuery = z.object({
  ...pagingQuery,
  parent_id: Uuid.optional(),
  roots: queryBoolean.optional(),
  search: z.string().trim().max(200).optional(),
  sort_by: z.enum(OU_SORT_FIELDS).optional(),
});

export const OuDeleteQuery = z.object({
  cascade: z
    .enum(['none', 'reparent', 'subtree'])
    .default('none')
    .describe('none: refuse unless empty; reparent: child units and users move to the parent; subtree: delete every unit below too, their users become unassigned'),
});

export const ApiResponseOu = apiResponse(OuResponse, 'ApiResponse_OuResponse_');
export const PaginatedOuList = paginated(OuResponse, 'PaginatedResponse_OuResponse_');
