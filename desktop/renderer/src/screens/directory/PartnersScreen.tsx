import { useState } from 'react';
import { Button, Group, Stack, Table, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import type { Partner } from '../../../../../shared/client/partners-api';
import { confirmAction, formatDate, notifyDone } from './feedback';
import { FormModal, useFormSave, useRowAction } from './forms';

/** Partners (resellers, MSPs) and how many tenants each looks after. */
export function PartnersScreen() {
  const { client, can } = useSession();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Partner | 'new' | null>(null);
  const partners = useQuery({ queryKey: ['partners', 'list'], queryFn: () => client.partners.list({ per_page: 100, sort_by: 'name' }) });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['partners'] });
  const remove = useRowAction((p: Partner) => client.partners.remove(p.id), 'Partner deleted', ['partners'], 'The partner was not deleted');
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={3}>Partners</Title>
        {can('partners:write') && <Button onClick={() => setEditing('new')}>New partner</Button>}
      </Group>
      <Table striped aria-label="Partners">
        <Table.Thead>
          <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Slug</Table.Th><Table.Th>Tenants</Table.Th><Table.Th>Created</Table.Th><Table.Th /></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(partners.data?.data ?? []).map((p) => (
            <Table.Tr key={p.id}>
              <Table.Td>{p.name}</Table.Td>
              <Table.Td>{p.slug}</Table.Td>
              <Table.Td>{p.tenant_count}</Table.Td>
              <Table.Td>{formatDate(p.created_at)}</Table.Td>
              <Table.Td>
                {can('partners:write') && (
                  <Group gap="xs" justify="flex-end">
                    <Button size="xs" variant="light" onClick={() => setEditing(p)}>Edit</Button>
                    <Button size="xs" variant="light" color="red" onClick={async () => (await confirmAction(`Delete ${p.name}?`, 'Only a partner without tenants can be deleted.', 'Delete')) && remove.mutate(p)}>Delete</Button>
                  </Group>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {editing && <PartnerForm partner={editing === 'new' ? null : editing} onClose={() => setEditing(null)} onSaved={() => (setEditing(null), refresh())} />}
    </Stack>
  );
}

function PartnerForm({ partner, onClose, onSaved }: { partner: Partner | null; onClose(): void; onSaved(): void }) {
  const { client } = useSession();
  const [name, setName] = useState(partner?.name ?? '');
  const [slug, setSlug] = useState(partner?.slug ?? '');
  const { errors, submit, busy } = useFormSave(
    () => (partner ? client.partners.update(partner.id, { name, slug: slug || undefined }) : client.partners.create({ name, slug: slug || undefined })),
    () => (notifyDone('Partner saved'), onSaved()),
  );
  return (
    <FormModal title={partner ? `Edit ${partner.name}` : 'New partner'} busy={busy} onClose={onClose} onSubmit={submit}>
      <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} data-autofocus />
      <TextInput label="Slug" value={slug} onChange={(e) => setSlug(e.currentTarget.value)} error={errors.slug} />
    </FormModal>
  );
}
