import { z } from 'zod';
import { apiResponse, commaList, paginated, pagingQuery, queryBoolean, Uuid } from './common';

export const UserStatus = z
  .enum(['ACTIVE', 'PENDING_EMAIL_VERIFICATION', 'PENDING_APPROVAL', 'DISABLED', 'LOCKED'])
  .meta({ id: 'UserStatus', description: 'User account status.' });
export type UserStatus = z.infer<typeof UserStatus>;

/** Which status may follow which; anything else is a 409. The server enforces it, the admin app offers only these. */
export const STATUS_TRANSITIONS: Record<UserStatus, UserStatus[]> = {
  ACTIVE: ['DISABLED', 'LOCKED'],
  LOCKED: ['ACTIVE', 'DISABLED'],
  DISABLED: ['ACTIVE'],
  PENDING_EMAIL_VERIFICATION: ['ACTIVE', 'DISABLED'],
  PENDING_APPROVAL: ['ACTIVE', 'DISABLED'],
};

export const IdentitySource = z
  .enum(['LOCAL', 'OIDC', 'SAML', 'SCIM', 'LDAP'])
  .meta({ id: 'IdentitySource', description: 'How the user was provisioned / identity source.' });
export type IdentitySource = z.infer<typeof IdentitySource>;

export const Role = z
  .enum(['super_admin', 'partner_admin', 'tenant_admin', 'helpdesk', 'viewer', 'user'])
  .meta({ id: 'Role' });
export type Role = z.infer<typeof Role>;

const USERNAME_PATTERN = /^[a-zA-Z0-9_\-@.]+$/;
const timeZones = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC']);

const email = z.string().trim().max(320).pipe(z.email({ message: 'value is not a valid email address' }));
const username = z.string().min(1).max(255).regex(USERNAME_PATTERN, 'may contain only letters, digits and _ - @ .');
const name = z.string().max(200);
const locale = z.string().regex(/^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})*$/, 'is not a valid locale tag');
const timezone = z.string().refine((tz) => timeZones.has(tz), 'is not a known IANA time zone');
const password = z.string().min(1).max(256);
const attributes = z.record(z.string().max(100), z.unknown());
const url = z.url().max(2048);

export const UserCreate = z
  .strictObject({
    email,
    username: username.nullish(),
    first_name: name.nullish(),
    last_name: name.nullish(),
    display_name: z.string().max(400).nullish(),
    phone: z.string().max(50).nullish(),
    locale: locale.optional().describe("Default: the tenant's default locale (en)"),
    timezone: timezone.optional().describe("Default: the tenant's default time zone (UTC)"),
    password: password.nullish(),
    ou_id: Uuid.nullish(),
    group_ids: z.array(Uuid).max(1000).default([]),
    custom_attributes: attributes.nullish(),
    require_password_change: z.boolean().default(false),
    send_welcome_email: z.boolean().default(true),
    role: Role.default('user'),
    identity_source: IdentitySource.default('LOCAL'),
    email_verified: z.boolean().default(false),
    avatar_url: url.nullish(),
    company: name.nullish(),
    job_title: name.nullish(),
    metadata: attributes.nullish(),
    is_internal: z.boolean().default(false),
    is_onboarded: z.boolean().default(false),
  })
  .meta({ id: 'UserCreate', description: 'Schema for creating a new user.' });
export type UserCreate = z.infer<typeof UserCreate>;

export const UserUpdate = z
  .strictObject({
    email: email.optional(),
    username: username.nullish(),
    first_name: name.nullish(),
    last_name: name.nullish(),
    display_name: z.string().max(400).nullish(),
    phone: z.string().max(50).nullish(),
    locale: locale.optional(),
    timezone: timezone.optional(),
    ou_id: Uuid.nullish(),
    custom_attributes: attributes.nullish(),
    role: Role.optional(),
    email_verified: z.boolean().optional(),
    avatar_url: url.nullish(),
    company: name.nullish(),
    job_title: name.nullish(),
    metadata: attributes.nullish(),
    is_onboarded: z.boolean().optional(),
    password_expired: z.boolean().optional(),
    require_password_change: z.boolean().optional(),
  })
  .meta({ id: 'UserUpdate', description: 'Schema for updating a user; only the fields sent change.' });
export type UserUpdate = z.infer<typeof UserUpdate>;

export const UserGroupMembership = z
  .object({ group_id: z.string(), name: z.string(), membership_type: z.enum(['DIRECT', 'INHERITED']).default('DIRECT') })
  .meta({ id: 'UserGroupMembership', description: 'Group membership info for a user.' });

export const UserIdentity = z
  .object({ id: z.string(), provider_id: z.string(), provider_alias: z.string(), provider_type: z.string(), subject: z.string(), linked_at: z.string() })
  .meta({ id: 'UserIdentity' });

export const OuRef = z.object({ id: z.string(), name: z.string(), path: z.string() }).meta({ id: 'OuRef' });

export const UserResponse = z
  .object({
    id: z.string(),
    tenant_id: z.string(),
    email: z.string(),
    email_verified: z.boolean(),
    username: z.string().nullable(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    display_name: z.string().nullable(),
    phone: z.string().nullable(),
    locale: z.string(),
    timezone: z.string(),
    avatar_url: z.string().nullable(),
    company: z.string().nullable(),
    job_title: z.string().nullable(),
    ou_id: z.string().nullable(),
    ou_path: z.string().nullable(),
    status: UserStatus,
    is_active: z.boolean(),
    identity_source: IdentitySource,
    mfa_enabled: z.boolean(),
    groups: z.array(UserGroupMembership).optional(),
    identities: z.array(UserIdentity).optional(),
    ou: OuRef.nullable().optional(),
    custom_attributes: z.record(z.string(), z.unknown()).nullable(),
    metadata: z.record(z.string(), z.unknown()).nullable(),
    role: Role,
    is_internal: z.boolean(),
    is_onboarded: z.boolean(),
    password_expired: z.boolean(),
    require_password_change: z.boolean(),
    version: z.number().int(),
    created_at: z.string(),
    updated_at: z.string().nullable(),
    last_login_at: z.string().nullable(),
    password_changed_at: z.string().nullable(),
    deleted_at: z.string().nullable(),
  })
  .meta({ id: 'UserResponse', description: 'Full user response.' });
export type UserResponse = z.infer<typeof UserResponse>;

export const UserListItem = z
  .object({
    id: z.string(),
    tenant_id: z.string(),
    email: z.string(),
    username: z.string().nullable(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    display_name: z.string().nullable(),
    status: UserStatus,
    role: Role,
    ou_id: z.string().nullable(),
    ou_path: z.string().nullable(),
    identity_source: IdentitySource,
    mfa_enabled: z.boolean(),
    created_at: z.string(),
    last_login_at: z.string().nullable(),
  })
  .meta({ id: 'UserListItem', description: 'Abbreviated user info for lists.' });
export type UserListItem = z.infer<typeof UserListItem>;

export const USER_SORT_FIELDS = ['created_at', 'updated_at', 'email', 'username', 'last_name', 'display_name', 'last_login_at', 'status'] as const;

export const UserListQuery = z.object({
  ...pagingQuery,
  search: z.string().trim().max(200).optional(),
  status: UserStatus.optional(),
  ou_id: Uuid.optional(),
  include_descendants: queryBoolean.optional().describe('With ou_id: users of the unit and of every unit below it'),
  group_id: Uuid.optional().describe('Members of the group, directly or through nested groups'),
  mfa_enabled: queryBoolean.optional(),
  identity_source: IdentitySource.optional(),
  email: z.string().trim().max(320).optional(),
  is_active: queryBoolean.optional(),
  oauth_provider: z.string().max(63).optional(),
  oauth_id: z.string().max(255).optional(),
  role: Role.optional(),
  user_id: Uuid.optional().describe('Seed 003: one user by id'),
  created_after: z.iso.datetime({ offset: true }).optional(),
  created_before: z.iso.datetime({ offset: true }).optional(),
  last_login_after: z.iso.datetime({ offset: true }).optional(),
  last_login_before: z.iso.datetime({ offset: true }).optional(),
  sort_by: z.enum(USER_SORT_FIELDS).optional(),
  cursor: z.string().max(2000).optional().describe('Keyset paging, as fast at any depth: empty for the first page (or the `page`/`offset` given), then the `next_cursor` of the page before, with the same sort'),
});
export type UserListQuery = z.infer<typeof UserListQuery>;

export const USER_INCLUDES = ['groups', 'identities', 'ou'] as const;
export const UserGetQuery = z.object({
  include: commaList(USER_INCLUDES, 'include'),
});

export const UserDeleteQuery = z.object({
  confirm_email: z.string().trim().min(1).max(320),
  permanent: queryBoolean.optional(),
});

export const UserPasswordReset = z
  .strictObject({
    method: z.enum(['EMAIL', 'DIRECT']).default('EMAIL'),
    new_password: password.nullish(),
    redirect_uri: url.nullish(),
  })
  .meta({ id: 'UserPasswordReset', description: 'Schema for password reset request.' });

export const PasswordResetResult = z
  .object({ method: z.enum(['EMAIL', 'DIRECT']), message: z.string(), expires_at: z.string().nullable(), outbox_message_id: z.string().nullable() })
  .meta({ id: 'PasswordResetResult' });

export const UserStatusUpdate = z
  .strictObject({
    status: UserStatus,
    reason: z.string().max(500).nullish(),
    terminate_sessions: z.boolean().default(false),
  })
  .meta({ id: 'UserStatusUpdate', description: 'Schema for updating user status.' });

export const ApiResponseUser = apiResponse(UserResponse, 'ApiResponse_UserResponse_');
export const PaginatedUserList = paginated(UserListItem, 'PaginatedResponse_UserListItem_');
export const ApiResponsePasswordReset = apiResponse(PasswordResetResult, 'ApiResponse_PasswordResetResult_');
