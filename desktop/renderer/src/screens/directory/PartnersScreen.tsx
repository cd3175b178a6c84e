import { useState } from 'react';
import { Button, Group, Modal, Stack, Table, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import type { Partner } from '../../../../../shared/client/partners-api';
import { confirmAction, fieldErrorsOf, formatDate, notifyDone, notifyError } from './feedback';

/** Partners (resellers, MSPs) and how many tenants each looks after. */
export function PartnersScreen() {
  const { client, can } = useSession();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Partner | 'new' | null>(null);
  const partners = useQuery({ queryKey: ['partners', 'list'], queryFn: () => client.partners.list({ per_page: 100, sort_by: 'name' }) });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['partners'] });
  const remove = useMutation({
    mutationFn: (p: Partner) => client.partners.remove(p.id),
    onSuccess: () => (notifyDone('Partner deleted'), refresh()),
    onError: (err) => notifyError(err, 'The partner was not deleted'),
  });
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
  const [errors, setErrors] = useState<Record<string, string>>({});
  const save = useMutation({
    mutationFn: () => (partner ? client.partners.update(partner.id, { name, slug: slug || undefined }) : client.partners.create({ name, slug: slug || undefined })),
    onSuccess: () => (notifyDone('Partner saved'), onSaved()),
    onError: (err) => (setErrors(fieldErrorsOf(err)), Object.keys(fieldErrorsOf(err)).length === 0 && notifyError(err)),
  });
  return (
    <Modal opened onClose={onClose} title={partner ? `Edit ${partner.name}` : 'New partner'}>
      <Stack component="form" onSubmit={(e) => (e.preventDefault(), save.mutate())}>
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} data-autofocus />
        <TextInput label="Slug" value={slug} onChange={(e) => setSlug(e.currentTarget.value)} error={errors.slug} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button type="submit" loading={save.isPending}>Save</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
