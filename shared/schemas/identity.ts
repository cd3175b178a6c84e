import { z } from 'zod';
import { apiResponse, paginated, pagingQuery, queryBoolean, Uuid } from './common';

export const IdentityProviderType = z.enum(['OIDC', 'SAML', 'LDAP']).meta({ id: 'IdentityProviderType' });
const alias = z.string().min(2).max(63).regex(/^[a-z0-9][a-z0-9_-]*$/, 'may contain only lower-case letters, digits, _ and -');

export const IdentityProviderCreate = z
  .strictObject({
    alias,
    type: IdentityProviderType,
    name: z.string().trim().min(1).max(200),
    issuer: z.string().trim().min(1).max(2048).nullish().describe('OIDC issuer, SAML entity id or LDAP URL'),
    enabled: z.boolean().default(true),
    config: z.record(z.string(), z.unknown()).nullish(),
  })
  .meta({ id: 'IdentityProviderCreate' });

export const IdentityProviderUpdate = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    issuer: z.string().trim().min(1).max(2048).nullish(),
    enabled: z.boolean().optional(),
    config: z.record(z.string(), z.unknown()).nullish(),
  })
  .meta({ id: 'IdentityProviderUpdate' });

export const IdentityProviderResponse = z
  .object({
    id: z.string(), tenant_id: z.string(), alias: z.string(), type: IdentityProviderType, name: z.string(), issuer: z.string().nullable(),
    enabled: z.boolean(), config: z.record(z.string(), z.unknown()), linked_users: z.number().int(), created_at: z.string(), updated_at: z.string(),
  })
  .meta({ id: 'IdentityProviderResponse' });

export const IdentityProviderListQuery = z.object({ ...pagingQuery, type: IdentityProviderType.optional(), enabled: queryBoolean.optional() });

export const UserIdentityCreate = z
  .strictObject({
    provider_id: Uuid.optional(),
    provider_alias: z.string().max(63).optional(),
    subject: z.string().trim().min(1).max(255),
    external_username: z.string().max(255).nullish(),
  })
  .refine((b) => Boolean(b.provider_id) !== Boolean(b.provider_alias), { message: 'name the provider by provider_id or provider_alias (one of them)', path: ['provider_id'] })
  .meta({ id: 'UserIdentityCreate', description: 'Links a user to an account at an identity provider.' });

export const UserIdentityResponse = z
  .object({
    id: z.string(), user_id: z.string(), provider_id: z.string(), provider_alias: z.string(), provider_type: IdentityProviderType,
    subject: z.string(), external_username: z.string().nullable(), linked_at: z.string(),
  })
  .meta({ id: 'UserIdentityResponse' });

export const ApiResponseIdentityProvider = apiResponse(IdentityProviderResponse, 'ApiResponse_IdentityProviderResponse_');
export const PaginatedIdentityProviderList = paginated(IdentityProviderResponse, 'PaginatedResponse_IdentityProviderResponse_');
export const ApiResponseUserIdentity = apiResponse(UserIdentityResponse, 'ApiResponse_UserIdentityResponse_');
export const UserIdentityList = z.object({ data: z.array(UserIdentityResponse) }).meta({ id: 'UserIdentityList' });
