import type { Role } from './schemas/user';

const ADMINS = ['super_admin', 'partner_admin', 'tenant_admin'] as const satisfies readonly Role[];
const STAFF = [...ADMINS, 'helpdesk', 'viewer'] as const satisfies readonly Role[];

export interface Grant {
  /** Roles of signed-in users that hold the permission. */
  roles: readonly Role[];
  /** Scopes of API tokens and applications that hold it. */
  scopes?: readonly string[];
}

/**
 * The one table of who may do what. Every route names one permission; `can` is the only reader.
 * Where a permission reaches (which tenants, which users) is decided beside it, by
 * `canReachTenant` and `outranksOrEquals`, and for applications by their assignments.
 */
export const PERMISSIONS = {
  'partners:read': { roles: ['super_admin', 'partner_admin'] },
  'partners:write': { roles: ['super_admin'] },
  'tenants:read': { roles: ADMINS },
  'tenants:create': { roles: ['super_admin', 'partner_admin'] },
  'tenants:update': { roles: ADMINS },
  'tenants:delete': { roles: ['super_admin', 'partner_admin'] },
  /** Applications read only the users assigned to them (UserService limits the rows). */
  'users:read': { roles: STAFF, scopes: ['users:read', 'users:write', 'scim', 'app:users:read'] },
  'users:create': { roles: ADMINS, scopes: ['users:write', 'scim'] },
  'users:update': { roles: ADMINS, scopes: ['users:write', 'scim'] },
  'users:delete': { roles: ADMINS, scopes: ['users:write', 'scim'] },
  'users:status': { roles: [...ADMINS, 'helpdesk'], scopes: ['users:write', 'scim'] },
  'users:reset_password': { roles: [...ADMINS, 'helpdesk'], scopes: ['users:write'] },
  'users:disable_mfa': { roles: [...ADMINS, 'helpdesk'] },
  'users:unlock': { roles: [...ADMINS, 'helpdesk'] },
  'users:fix_identity_source': { roles: ADMINS },
  'users:export': { roles: ADMINS },
  'users:merge': { roles: ADMINS },
  /** Bulk import, and reading the tenant's import jobs and their errors. */
  'users:import': { roles: ADMINS },
  'audit:read': { roles: STAFF },
  /** Queued mail holds live reset links: people who may reset passwords, never tokens. */
  'outbox:read': { roles: [...ADMINS, 'helpdesk'] },
  /** Seed 001's cross-tenant admin routes: people only, never tokens or applications. */
  'admin_users:read': { roles: STAFF },
  'admin_users:write': { roles: ADMINS },
  'ous:read': { roles: STAFF, scopes: ['users:read', 'users:write'] },
  'ous:write': { roles: ADMINS },
  'groups:read': { roles: STAFF, scopes: ['groups:read', 'groups:write', 'scim'] },
  'groups:write': { roles: ADMINS, scopes: ['groups:write', 'scim'] },
  'identity_providers:read': { roles: STAFF },
  'identity_providers:write': { roles: ADMINS },
  'identities:read': { roles: STAFF, scopes: ['users:read', 'users:write'] },
  'identities:write': { roles: ADMINS, scopes: ['users:write'] },
  'applications:read': { roles: STAFF },
  'applications:write': { roles: ADMINS },
  /** An application reading its own effective users. */
  'applications:effective_users': { roles: STAFF, scopes: ['app:users:read'] },
  'api_tokens:read': { roles: ADMINS },
  'api_tokens:write': { roles: ADMINS },
  /** A signed-in person managing its own account (MFA enrolment). */
  'self:manage': { roles: [...STAFF, 'user'] },
} as const satisfies Record<string, Grant>;

export type Permission = keyof typeof PERMISSIONS;

/** Whether a signed-in person of `role` holds `permission`: the admin app hides what this denies. */
export const roleCan = (role: Role, permission: Permission): boolean => (PERMISSIONS[permission].roles as readonly Role[]).includes(role);
