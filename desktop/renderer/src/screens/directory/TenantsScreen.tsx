import { useState } from 'react';
import { Badge, Button, Group, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import type { Tenant } from '../../../../../shared/client/tenants-api';
import { confirmAction, formatDate, notifyDone } from './feedback';
import { FormModal, useFormSave, useRowAction } from './forms';

/** Tenants within reach: create, rename, suspend or resume, delete an empty one, switch into one. */
export function TenantsScreen() {
  const { client, can, user, tenantId, setTenantId } = useSession();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [editing, setEditing] = useState<Tenant | 'new' | null>(null);
  const tenants = useQuery({ queryKey: ['tenants', search], queryFn: () => client.tenants.list({ search, per_page: 100, sort_by: 'name' }) });
  const partners = useQuery({ queryKey: ['partners', 'all'], queryFn: () => client.partners.list({ per_page: 100 }), enabled: user?.role === 'super_admin' });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['tenants'] });

  const setStatus = useRowAction(
    (t: Tenant) => client.tenants.update(t.id, { status: t.status === 'ACTIVE' ? 'SUSPENDED' : 'ACTIVE' }),
    (t) => `${t.name} is ${t.status.toLowerCase()}`,
    ['tenants'],
  );
  const remove = useRowAction((t: Tenant) => client.tenants.remove(t.id), 'Tenant deleted', ['tenants'], 'The tenant was not deleted');

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={3}>Tenants</Title>
        {can('tenants:create') && <Button onClick={() => setEditing('new')}>New tenant</Button>}
      </Group>
      <TextInput aria-label="Search tenants" placeholder="Search by name or slug" value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={320} />
      <Table striped highlightOnHover aria-label="Tenants">
        <Table.Thead>
          <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Slug</Table.Th><Table.Th>Status</Table.Th><Table.Th>Created</Table.Th><Table.Th /></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(tenants.data?.data ?? []).map((t) => (
            <Table.Tr key={t.id}>
              <Table.Td>{t.name}{t.id === tenantId && <Badge ml="xs" size="xs">current</Badge>}</Table.Td>
              <Table.Td>{t.slug}</Table.Td>
              <Table.Td><Badge color={t.status === 'ACTIVE' ? 'green' : 'orange'}>{t.status}</Badge></Table.Td>
              <Table.Td>{formatDate(t.created_at)}</Table.Td>
              <Table.Td>
                <Group gap="xs" justify="flex-end">
                  {t.id !== tenantId && <Button size="xs" variant="subtle" onClick={() => setTenantId(t.id)}>Work here</Button>}
                  {can('tenants:update') && <Button size="xs" variant="light" onClick={() => setEditing(t)}>Edit</Button>}
                  {can('tenants:update') && t.slug !== 'default' && (
                    <Button size="xs" variant="light" color={t.status === 'ACTIVE' ? 'orange' : 'green'} onClick={async () => (t.status === 'ACTIVE' ? await confirmAction(`Suspend ${t.name}?`, 'Nobody in this tenant can sign in until it is resumed.', 'Suspend') : true) && setStatus.mutate(t)}>
                      {t.status === 'ACTIVE' ? 'Suspend' : 'Resume'}
                    </Button>
                  )}
                  {can('tenants:delete') && t.slug !== 'default' && (
                    <Button size="xs" variant="light" color="red" onClick={async () => (await confirmAction(`Delete ${t.name}?`, 'Only an empty tenant can be deleted. This cannot be undone.', 'Delete')) && remove.mutate(t)}>Delete</Button>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {editing && (
        <TenantForm
          tenant={editing === 'new' ? null : editing}
          partners={(partners.data?.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
          onClose={() => setEditing(null)}
          onSaved={() => (setEditing(null), refresh())}
        />
      )}
    </Stack>
  );
}

function TenantForm({ tenant, partners, onClose, onSaved }: { tenant: Tenant | null; partners: { value: string; label: string }[]; onClose(): void; onSaved(): void }) {
  const { client, user } = useSession();
  const [name, setName] = useState(tenant?.name ?? '');
  const [slug, setSlug] = useState(tenant?.slug ?? '');
  const [partnerId, setPartnerId] = useState<string | null>(tenant?.partner_id ?? null);
  const { errors, submit, busy } = useFormSave(
    () => {
      const body = { name, slug: slug || undefined, ...(user?.role === 'super_admin' ? { partner_id: partnerId } : {}) };
      return tenant ? client.tenants.update(tenant.id, body) : client.tenants.create(body);
    },
    (t) => (notifyDone(`${t.name} saved`), onSaved()),
  );
  return (
    <FormModal title={tenant ? `Edit ${tenant.name}` : 'New tenant'} busy={busy} onClose={onClose} onSubmit={submit}>
      <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} data-autofocus />
      <TextInput label="Slug" description="Lower-case letters, digits and dashes; used to sign in" value={slug} onChange={(e) => setSlug(e.currentTarget.value)} error={errors.slug} />
      {user?.role === 'super_admin' && <Select label="Partner" clearable data={partners} value={partnerId} onChange={setPartnerId} error={errors.partner_id} />}
    </FormModal>
  );
}
