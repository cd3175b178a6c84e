import { useState } from 'react';
import { Badge, Button, Drawer, Group, Stack, Switch, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import type { Application } from '../../../../../shared/client/applications-api';
import { confirmAction, formatDate, showSecretOnce } from './feedback';
import { FormModal, useFormSave, useRowAction } from './forms';
import { MemberPicker } from './MemberPicker';

/** Applications (OAuth clients) of the current tenant, their secrets and who may use them. */
export function ApplicationsScreen() {
  const { client, can, tenantId } = useSession();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Application | 'new' | null>(null);
  const [assigning, setAssigning] = useState<Application | null>(null);
  const apps = useQuery({ queryKey: ['applications', tenantId], queryFn: () => client.applications.list(tenantId!, { per_page: 100 }), enabled: !!tenantId });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['applications'] });
  const rotate = useRowAction(
    async (a: Application) => {
      const rotated = await client.applications.rotateSecret(tenantId!, a.id);
      showSecretOnce(`Secret of ${rotated.name}`, `client_id ${rotated.client_id}: the new client secret. The old one no longer works.`, rotated.client_secret ?? '');
    },
    null,
    ['applications'],
  );
  const remove = useRowAction((a: Application) => client.applications.remove(tenantId!, a.id), 'Application deleted', ['applications']);
  const writer = can('applications:write');
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={3}>Applications</Title>
        {writer && <Button onClick={() => setEditing('new')}>New application</Button>}
      </Group>
      <Table striped aria-label="Applications">
        <Table.Thead>
          <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Client id</Table.Th><Table.Th>Assigned</Table.Th><Table.Th>State</Table.Th><Table.Th /></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(apps.data?.data ?? []).map((a) => (
            <Table.Tr key={a.id}>
              <Table.Td>{a.name}<Text size="xs" c="dimmed">{a.description}</Text></Table.Td>
              <Table.Td><Text ff="monospace" size="xs">{a.client_id}</Text></Table.Td>
              <Table.Td>{a.assigned_users} users, {a.assigned_groups} groups</Table.Td>
              <Table.Td><Badge color={a.enabled ? 'green' : 'gray'}>{a.enabled ? 'enabled' : 'disabled'}</Badge></Table.Td>
              <Table.Td>
                <Group gap="xs" justify="flex-end">
                  <Button size="xs" variant="subtle" onClick={() => setAssigning(a)}>Assignments</Button>
                  {writer && <Button size="xs" variant="light" onClick={() => setEditing(a)}>Edit</Button>}
                  {writer && <Button size="xs" variant="light" color="orange" onClick={async () => (await confirmAction(`New secret for ${a.name}?`, 'The current secret stops working at once.', 'Rotate')) && rotate.mutate(a)}>Rotate secret</Button>}
                  {writer && <Button size="xs" variant="light" color="red" onClick={async () => (await confirmAction(`Delete ${a.name}?`, 'Its assignments go with it. This cannot be undone.', 'Delete')) && remove.mutate(a)}>Delete</Button>}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {editing && <ApplicationForm app={editing === 'new' ? null : editing} onClose={() => setEditing(null)} onSaved={() => (setEditing(null), refresh())} />}
      {assigning && <Assignments app={assigning} onClose={() => (setAssigning(null), refresh())} />}
    </Stack>
  );
}

function ApplicationForm({ app, onClose, onSaved }: { app: Application | null; onClose(): void; onSaved(): void }) {
  const { client, tenantId } = useSession();
  const [name, setName] = useState(app?.name ?? '');
  const [description, setDescription] = useState(app?.description ?? '');
  const [enabled, setEnabled] = useState(app?.enabled ?? true);
  const { errors, submit, busy } = useFormSave(
    () => {
      const body = { name, description: description || null, enabled };
      return app ? client.applications.update(tenantId!, app.id, body) : client.applications.create(tenantId!, body);
    },
    (saved) => {
      onSaved();
      if (!app && saved.client_secret) showSecretOnce(`Application ${saved.name}`, `client_id ${saved.client_id}: its client secret.`, saved.client_secret);
    },
  );
  return (
    <FormModal title={app ? `Edit ${app.name}` : 'New application'} busy={busy} onClose={onClose} onSubmit={submit}>
      <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} data-autofocus />
      <Textarea label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} error={errors.description} />
      <Switch label="Enabled" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
    </FormModal>
  );
}

function Assignments({ app, onClose }: { app: Application; onClose(): void }) {
  const { client, can, tenantId } = useSession();
  const key = ['application-assignments', app.id];
  const list = useQuery({ queryKey: key, queryFn: () => client.applications.assignments(tenantId!, app.id, { per_page: 100 }) });
  const assign = useRowAction(
    (pick: { kind: 'USER' | 'GROUP'; id: string }) => client.applications.assign(tenantId!, app.id, pick.kind === 'USER' ? { user_ids: [pick.id] } : { group_ids: [pick.id] }),
    'Assigned',
    key,
  );
  const unassign = useRowAction((id: string) => client.applications.unassign(tenantId!, app.id, id), null, key);
  return (
    <Drawer opened onClose={onClose} position="right" size="lg" title={`Who may use ${app.name}`}>
      <Stack>
        {can('applications:write') && <MemberPicker label="Assign a user or group" onPick={(pick) => assign.mutate(pick)} />}
        <Table aria-label="Assignments">
          <Table.Tbody>
            {(list.data?.data ?? []).map((a) => (
              <Table.Tr key={a.id}>
                <Table.Td><Badge variant="light" size="sm">{a.assignee_type}</Badge></Table.Td>
                <Table.Td>{a.name ?? a.email}<Text size="xs" c="dimmed">{a.email}</Text></Table.Td>
                <Table.Td>{formatDate(a.assigned_at)}</Table.Td>
                <Table.Td>{can('applications:write') && <Button size="xs" variant="subtle" color="red" onClick={() => unassign.mutate(a.id)}>Remove</Button>}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {list.data && list.data.data.length === 0 && <Text c="dimmed">Nobody is assigned yet.</Text>}
      </Stack>
    </Drawer>
  );
}
