import type { Role } from '../../../../shared/schemas/user';

/** Highest first: the same order the server ranks roles by (nobody acts above their own rank). */
export const ROLES: readonly Role[] = ['super_admin', 'partner_admin', 'tenant_admin', 'helpdesk', 'viewer', 'user'];

const rank = (role: Role) => ROLES.length - ROLES.indexOf(role);

/** Whether someone of `actor` may act on, or grant, `target`: the server refuses otherwise. */
export const outranksOrEquals = (actor: Role, target: Role) => rank(actor) >= rank(target);

/** Roles `actor` may give a new or existing account, highest first. */
export const assignableRoles = (actor: Role): Role[] => ROLES.filter((r) => outranksOrEquals(actor, r));

export const ROLE_LABELS: Record<Role, string> = {
  super_admin: 'Super admin',
  partner_admin: 'Partner admin',
  tenant_admin: 'Tenant admin',
  helpdesk: 'Helpdesk',
  viewer: 'Viewer',
  user: 'User',
};
