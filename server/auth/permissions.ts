import type { Role } from '../../shared/schemas/user';

/**
 * The one table of who may do what. Routes declare the permission they need; tenant reach
 * (which tenants a role sees) is decided by `canReachTenant`, and rank by `outranksOrEquals`.
 */
export const PERMISSIONS = {
  'tenants:read': ['super_admin', 'partner_admin', 'tenant_admin'],
  'tenants:create': ['super_admin'],
  'tenants:update': ['super_admin'],
  'tenants:delete': ['super_admin'],
  'users:read': ['super_admin', 'partner_admin', 'tenant_admin', 'helpdesk', 'viewer'],
  'users:create': ['super_admin', 'partner_admin', 'tenant_admin'],
  'users:update': ['super_admin', 'partner_admin', 'tenant_admin'],
  'users:delete': ['super_admin', 'partner_admin', 'tenant_admin'],
  'users:status': ['super_admin', 'partner_admin', 'tenant_admin', 'helpdesk'],
  'users:reset_password': ['super_admin', 'partner_admin', 'tenant_admin', 'helpdesk'],
  'session:manage': ['super_admin', 'partner_admin', 'tenant_admin', 'helpdesk', 'viewer', 'user'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

const RANK: Record<Role, number> = {
  super_admin: 5,
  partner_admin: 4,
  tenant_admin: 3,
  helpdesk: 2,
  viewer: 1,
  user: 0,
};

/** Nobody grants a role above their own, nor acts on an account that outranks them. */
export function outranksOrEquals(actor: Role, target: Role): boolean {
  return RANK[actor] >= RANK[target];
}

export interface TenantRef {
  id: string;
  partnerId: string | null;
}

/** Which tenants a caller sees: all, its partner's, or its own. */
export function canReachTenant(principal: { role: Role; tenantId: string; partnerId: string | null }, tenant: TenantRef): boolean {
  if (principal.role === 'super_admin') return true;
  if (principal.role === 'partner_admin') return principal.partnerId !== null && tenant.partnerId === principal.partnerId;
  return tenant.id === principal.tenantId;
}
