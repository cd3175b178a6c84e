import type { Role } from '../../shared/schemas/user';
import { rankRole, type Principal } from './principal';
import { PERMISSIONS, type Grant, type Permission } from '../../shared/permissions';

export { PERMISSIONS, type Permission } from '../../shared/permissions';

/** Application scopes as the table spells them (`app:`): an application's `users:read` is not a token's. */
const scopesOf = (p: Principal): string[] => (p.kind === 'application' ? p.scopes.map((s) => `app:${s}`) : p.kind === 'api_token' ? p.scopes : []);

export function can(principal: Principal, permission: Permission): boolean {
  const grant: Grant = PERMISSIONS[permission];
  if (principal.kind === 'user') return grant.roles.includes(principal.role);
  return scopesOf(principal).some((s) => grant.scopes?.includes(s));
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
export function outranksOrEquals(actor: Role | Principal, target: Role): boolean {
  return RANK[typeof actor === 'string' ? actor : rankRole(actor)] >= RANK[target];
}

export interface TenantRef {
  id: string;
  partnerId: string | null;
}

/** Which tenants a caller sees: all, its partner's, or its own (tokens and applications: their own). */
export function canReachTenant(principal: Principal, tenant: TenantRef): boolean {
  if (principal.kind !== 'user') return tenant.id === principal.tenantId;
  if (principal.role === 'super_admin') return true;
  if (principal.role === 'partner_admin') return principal.partnerId !== null && tenant.partnerId === principal.partnerId;
  return tenant.id === principal.tenantId;
}
