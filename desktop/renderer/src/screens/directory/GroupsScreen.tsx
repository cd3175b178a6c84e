import { useState } from 'react';
import { Badge, Button, Drawer, Group, SegmentedControl, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import type { Group as RosterGroup } from '../../../../../shared/client/groups-api';
import { confirmAction, notifyDone } from './feedback';
import { FormModal, useFormSave, useRowAction } from './forms';
import { MemberPicker } from './MemberPicker';

/** Groups of the current tenant: search, create, rename, delete, and members (direct or effective). */
export function GroupsScreen() {
  const { client, can, tenantId } = useSession();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 200);
  const [editing, setEditing] = useState<RosterGroup | 'new' | null>(null);
  const [open, setOpen] = useState<RosterGroup | null>(null);
  const groups = useQuery({
    queryKey: ['groups', tenantId, debounced],
    queryFn: ({ signal }) => client.groups.list(tenantId!, { search: debounced, per_page: 100, sort_by: 'name' }, signal),
    enabled: !!tenantId,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['groups'] });
  const remove = useRowAction((g: RosterGroup) => client.groups.remove(tenantId!, g.id), 'Group deleted', ['groups']);
  const writer = can('groups:write');
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={3}>Groups</Title>
        {writer && <Button onClick={() => setEditing('new')}>New group</Button>}
      </Group>
      <TextInput aria-label="Search groups" placeholder="Search groups" value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={320} />
      <Table striped highlightOnHover aria-label="Groups">
        <Table.Thead>
          <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Members</Table.Th><Table.Th>External id</Table.Th><Table.Th /></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(groups.data?.data ?? []).map((g) => (
            <Table.Tr key={g.id}>
              <Table.Td>{g.name}<Text size="xs" c="dimmed">{g.description}</Text></Table.Td>
              <Table.Td>{g.member_count}</Table.Td>
              <Table.Td>{g.external_id ?? '—'}</Table.Td>
              <Table.Td>
                <Group gap="xs" justify="flex-end">
                  <Button size="xs" variant="subtle" onClick={() => setOpen(g)}>Members</Button>
                  {writer && <Button size="xs" variant="light" onClick={() => setEditing(g)}>Edit</Button>}
                  {writer && <Button size="xs" variant="light" color="red" onClick={async () => (await confirmAction(`Delete ${g.name}?`, 'Members lose what the group gave them. This cannot be undone.', 'Delete')) && remove.mutate(g)}>Delete</Button>}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {groups.data && groups.data.data.length === 0 && <Text c="dimmed">No groups{debounced ? ' match' : ' yet'}.</Text>}
      {editing && <GroupForm group={editing === 'new' ? null : editing} onClose={() => setEditing(null)} onSaved={() => (setEditing(null), refresh())} />}
      {open && <Members group={open} onClose={() => (setOpen(null), refresh())} />}
    </Stack>
  );
}

function GroupForm({ group, onClose, onSaved }: { group: RosterGroup | null; onClose(): void; onSaved(): void }) {
  const { client, tenantId } = useSession();
  const [name, setName] = useState(group?.name ?? '');
  const [description, setDescription] = useState(group?.description ?? '');
  // If-Match on the version read: a stale edit is a 412 whose message says what happened.
  const { errors, submit, busy } = useFormSave(
    () => {
      const body = { name, description: description || null };
      return group ? client.groups.update(tenantId!, group.id, body, group.version) : client.groups.create(tenantId!, body);
    },
    () => (notifyDone('Group saved'), onSaved()),
  );
  return (
    <FormModal title={group ? `Edit ${group.name}` : 'New group'} busy={busy} onClose={onClose} onSubmit={submit}>
      <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} data-autofocus />
      <Textarea label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} error={errors.description} />
    </FormModal>
  );
}

function Members({ group, onClose }: { group: RosterGroup; onClose(): void }) {
  const { client, can, tenantId } = useSession();
  const [view, setView] = useState<'direct' | 'effective'>('direct');
  const members = useQuery({ queryKey: ['group-members', group.id, view], queryFn: () => client.groups.members(tenantId!, group.id, { per_page: 100, effective: view === 'effective' }) });
  const add = useRowAction(
    (pick: { kind: 'USER' | 'GROUP'; id: string }) => client.groups.addMembers(tenantId!, group.id, pick.kind === 'USER' ? { user_ids: [pick.id] } : { group_ids: [pick.id] }),
    'Added',
    ['group-members', group.id],
  );
  const removeMember = useRowAction((id: string) => client.groups.removeMember(tenantId!, group.id, id), null, ['group-members', group.id]);
  return (
    <Drawer opened onClose={onClose} position="right" size="lg" title={`Members of ${group.name}`}>
      <Stack>
        {can('groups:write') && <MemberPicker label="Add a user or a nested group" onPick={(pick) => add.mutate(pick)} />}
        <SegmentedControl value={view} onChange={(v) => setView(v as 'direct' | 'effective')} data={[{ value: 'direct', label: 'Direct members' }, { value: 'effective', label: 'Everyone (nested)' }]} />
        <Text size="sm" c="dimmed">{members.data?.pagination.total_items ?? 0} {members.data?.pagination.total_items === 1 ? 'member' : 'members'}</Text>
        <Table aria-label="Members">
          <Table.Tbody>
            {(members.data?.data ?? []).map((m) => (
              <Table.Tr key={`${m.member_type}:${m.id}`}>
                <Table.Td><Badge variant="light" size="sm">{m.member_type}</Badge></Table.Td>
                <Table.Td>{m.name ?? m.email}<Text size="xs" c="dimmed">{m.email}</Text></Table.Td>
                <Table.Td><Badge color={m.membership_type === 'DIRECT' ? 'blue' : 'gray'} size="sm">{m.membership_type.toLowerCase()}</Badge></Table.Td>
                <Table.Td>{can('groups:write') && m.membership_type === 'DIRECT' && <Button size="xs" variant="subtle" color="red" onClick={() => removeMember.mutate(m.id)}>Remove</Button>}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Stack>
    </Drawer>
  );
}
