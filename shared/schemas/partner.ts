import { z } from 'zod';
import { apiResponse, paginated, pagingQuery } from './common';

const slug = z.string().min(2).max(63).regex(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/, 'may contain only lower-case letters, digits and dashes');

export const PartnerCreate = z.strictObject({ name: z.string().trim().min(1).max(200), slug: slug.optional() }).meta({ id: 'PartnerCreate' });
export const PartnerUpdate = z.strictObject({ name: z.string().trim().min(1).max(200).optional(), slug: slug.optional() }).meta({ id: 'PartnerUpdate' });

export const PartnerResponse = z
  .object({ id: z.string(), name: z.string(), slug: z.string(), tenant_count: z.number().int(), created_at: z.string(), updated_at: z.string() })
  .meta({ id: 'PartnerResponse' });

export const PartnerListQuery = z.object({
  ...pagingQuery,
  search: z.string().trim().max(200).optional(),
  sort_by: z.enum(['name', 'slug', 'created_at']).optional(),
});

export const ApiResponsePartner = apiResponse(PartnerResponse, 'ApiResponse_PartnerResponse_');
export const PaginatedPartnerList = paginated(PartnerResponse, 'PaginatedResponse_PartnerResponse_');
