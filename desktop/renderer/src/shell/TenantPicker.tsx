import { Select } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useSession } from '../auth/session';

/** Super and partner admins work in one tenant at a time; everyone else is in their own. */
export function TenantPicker() {
  const { client, user, tenantId, setTenantId } = useSession();
  const crossTenant = user?.role === 'super_admin' || user?.role === 'partner_admin';
  const tenants = useQuery({
    queryKey: ['tenants', 'picker'],
    queryFn: () => client.tenants.list({ per_page: 100, sort_by: 'name' }),
    enabled: crossTenant,
  });
  if (!crossTenant) return null;
  return (
    <Select
      aria-label="Tenant"
      size="xs"
      w={220}
      searchable
      allowDeselect={false}
      value={tenantId}
      onChange={(id) => id && setTenantId(id)}
      data={(tenants.data?.data ?? []).map((t) => ({ value: t.id, label: `${t.name} (${t.slug})` }))}
    />
  );
}
