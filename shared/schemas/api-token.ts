import { z } from 'zod';
import { apiResponse, paginated, pagingQuery, queryBoolean } from './common';

/** Scopes an API token can carry; each maps to permissions in the server's one permission table. */
export const API_TOKEN_SCOPES = ['scim', 'users:read', 'users:write', 'groups:read', 'groups:write'] as const;
export const ApiTokenScope = z.enum(API_TOKEN_SCOPES).meta({ id: 'ApiTokenScope' });

export const ApiTokenCreate = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    scopes: z.array(ApiTokenScope).min(1).max(10),
    expires_at: z.iso.datetime({ offset: true }).nullish().describe('When the token stops working; none: never'),
  })
  .meta({ id: 'ApiTokenCreate' });

export const ApiTokenResponse = z
  .object({
    id: z.string(), tenant_id: z.string(), name: z.string(), scopes: z.array(z.string()), created_by: z.string().nullable(),
    created_at: z.string(), expires_at: z.string().nullable(), revoked_at: z.string().nullable(), last_used_at: z.string().nullable(),
    token: z.string().optional().describe('The secret, only in the answer that creates the token; never shown again'),
  })
  .meta({ id: 'ApiTokenResponse' });

export const ApiTokenListQuery = z.object({ ...pagingQuery, include_revoked: queryBoolean.optional() });

export const ApiResponseApiToken = apiResponse(ApiTokenResponse, 'ApiResponse_ApiTokenResponse_');
export const PaginatedApiTokenList = paginated(ApiTokenResponse, 'PaginatedResponse_ApiTokenResponse_');
