import { PERMISSIONS } from '../../server/auth/permissions';

const ROLES = ['super_admin', 'partner_admin', 'tenant_admin', 'helpdesk', 'viewer', 'user'] as const;

/** The README's roles table, written from the permission table itself. */
export function rolesTable(): string {
  const head = `| permission | ${ROLES.join(' | ')} | API token scopes |`;
  const rule = `|${'---|'.repeat(ROLES.length + 2)}`;
  const rows = Object.entries(PERMISSIONS).map(([permission, grant]) => {
    const g: { roles: readonly string[]; scopes?: readonly string[] } = grant;
    const marks = ROLES.map((r) => (g.roles.includes(r) ? 'yes' : ''));
    const scopes = (g.scopes ?? []).map((s) => (s.startsWith('app:') ? `application ${s.slice(4)}` : s)).join(', ');
    return `| \`${permission}\` | ${marks.join(' | ')} | ${scopes} |`;
  });
  return [head, rule, ...rows].join('\n');
}
