import { z } from 'zod';
import { pagingQuery, queryBoolean, Uuid } from './common';
import { IdentitySource, Role, USER_SORT_FIELDS, UserStatus, UserUpdate } from './user';

/** Caller-scoped routes work in the caller's tenant; those who reach others may name one. */
export const TenantScopeQuery = z.object({
  tenant_id: z.string().min(1).max(64).optional().describe("A tenant id or slug within the caller's reach; the caller's own by default"),
});

/** PUT replaces: profile fields left out are cleared (email stays required). */
export const UserReplace = UserUpdate.extend({ email: UserUpdate.shape.email.unwrap() }).meta({ id: 'UserReplace' });

/** What a user may change about itself. */
export const SelfUpdate = z
  .strictObject({
    first_name: z.string().max(200).nullish(),
    last_name: z.string().max(200).nullish(),
    display_name: z.string().max(400).nullish(),
    phone: z.string().max(50).nullish(),
    locale: UserUpdate.shape.locale,
    timezone: UserUpdate.shape.timezone,
    avatar_url: UserUpdate.shape.avatar_url,
  })
  .meta({ id: 'SelfUpdate' });

export const PasswordChange = z
  .strictObject({ current_password: z.string().min(1).max(256), new_password: z.string().min(1).max(256) })
  .meta({ id: 'PasswordChange' });

export const UserSearchGetQuery = z.object({
  ...pagingQuery,
  ...TenantScopeQuery.shape,
  q: z.string().trim().min(1).max(200),
  sort_by: z.enum(USER_SORT_FIELDS).optional(),
});

export const UserSearchBody = z
  .strictObject({
    q: z.string().trim().max(200).optional().describe('Free text: substrings of email, username and names, ignoring case and accents'),
    filters: z
      .strictObject({
        status: UserStatus.optional(),
        is_active: z.boolean().optional(),
        role: Role.optional(),
        ou_id: Uuid.optional(),
        include_descendants: z.boolean().optional(),
        group_id: Uuid.optional(),
        mfa_enabled: z.boolean().optional(),
        identity_source: IdentitySource.optional(),
        email: z.string().trim().max(320).optional(),
        created_after: z.iso.datetime({ offset: true }).optional(),
        created_before: z.iso.datetime({ offset: true }).optional(),
        last_login_after: z.iso.datetime({ offset: true }).optional(),
        last_login_before: z.iso.datetime({ offset: true }).optional(),
      })
      .default({}),
    sort_by: z.enum(USER_SORT_FIELDS).optional(),
    sort_order: z.enum(['asc', 'desc']).optional(),
    page: z.number().int().min(1).optional(),
    per_page: z.number().int().min(1).optional(),
    offset: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).optional(),
  })
  .meta({ id: 'UserSearch' });

export const CallerUserListQuery = z.object({ ...TenantScopeQuery.shape, is_active: queryBoolean.optional() });
