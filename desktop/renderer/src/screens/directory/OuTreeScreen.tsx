import { useState } from 'react';
import { ActionIcon, Badge, Button, Group, Modal, Radio, Select, Stack, Text, TextInput, Title, UnstyledButton } from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import type { Ou } from '../../../../../shared/client/ous-api';
import { notifyDone, notifyError } from './feedback';
import { FormModal, useFormSave } from './forms';

type Editing = { mode: 'create'; parent: Ou | null } | { mode: 'edit'; ou: Ou } | { mode: 'delete'; ou: Ou };

/** The organisational units as a tree, read one level at a time as it is opened. */
export function OuTreeScreen() {
  const { can } = useSession();
  const [editing, setEditing] = useState<Editing | null>(null);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={3}>Organisational units</Title>
        {can('ous:write') && <Button onClick={() => setEditing({ mode: 'create', parent: null })}>New top-level unit</Button>}
      </Group>
      <Stack gap={2} role="tree" aria-label="Organisational units">
        <Level parentId={null} depth={0} onEdit={setEditing} />
      </Stack>
      {editing?.mode === 'create' && <OuForm parent={editing.parent} onClose={() => setEditing(null)} />}
      {editing?.mode === 'edit' && <OuForm ou={editing.ou} onClose={() => setEditing(null)} />}
      {editing?.mode === 'delete' && <DeleteOu ou={editing.ou} onClose={() => setEditing(null)} />}
    </Stack>
  );
}

function Level({ parentId, depth, onEdit }: { parentId: string | null; depth: number; onEdit(e: Editing): void }) {
  const { client, tenantId } = useSession();
  const level = useQuery({
    queryKey: ['ous', tenantId, parentId],
    queryFn: () => client.ous.list(tenantId!, parentId ? { parent_id: parentId, per_page: 100, sort_by: 'name' } : { roots: true, per_page: 100, sort_by: 'name' }),
    enabled: !!tenantId,
  });
  if (level.data && level.data.data.length === 0 && depth === 0) return <Text c="dimmed">No units yet.</Text>;
  return <>{(level.data?.data ?? []).map((ou) => <Node key={ou.id} ou={ou} depth={depth} onEdit={onEdit} />)}</>;
}

function Node({ ou, depth, onEdit }: { ou: Ou; depth: number; onEdit(e: Editing): void }) {
  const { can } = useSession();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Group gap="xs" pl={depth * 22} role="treeitem" aria-expanded={ou.child_count ? open : undefined} aria-label={ou.name}>
        <ActionIcon variant="subtle" size="sm" aria-label={open ? `Close ${ou.name}` : `Open ${ou.name}`} disabled={!ou.child_count} onClick={() => setOpen(!open)}>
          {open ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
        </ActionIcon>
        <UnstyledButton onClick={() => ou.child_count && setOpen(!open)}><Text size="sm" fw={500}>{ou.name}</Text></UnstyledButton>
        <Badge size="xs" variant="light">{ou.user_count} users</Badge>
        {can('ous:write') && (
          <Group gap={4}>
            <Button size="compact-xs" variant="subtle" onClick={() => onEdit({ mode: 'create', parent: ou })}>Add unit</Button>
            <Button size="compact-xs" variant="subtle" onClick={() => onEdit({ mode: 'edit', ou })}>Edit</Button>
            <Button size="compact-xs" variant="subtle" color="red" onClick={() => onEdit({ mode: 'delete', ou })}>Delete</Button>
          </Group>
        )}
      </Group>
      {open && <Level parentId={ou.id} depth={depth + 1} onEdit={onEdit} />}
    </>
  );
}

function useRefreshOus() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: ['ous'] });
}

function OuForm({ ou, parent, onClose }: { ou?: Ou; parent?: Ou | null; onClose(): void }) {
  const { client, tenantId } = useSession();
  const refresh = useRefreshOus();
  const [name, setName] = useState(ou?.name ?? '');
  const [description, setDescription] = useState(ou?.description ?? '');
  const [parentId, setParentId] = useState<string | null>(ou ? ou.parent_id : (parent?.id ?? null));
  const [parentSearch, setParentSearch] = useState('');
  const candidates = useQuery({
    queryKey: ['ou-parents', tenantId, parentSearch],
    queryFn: () => client.ous.list(tenantId!, { search: parentSearch || undefined, per_page: 50, sort_by: 'path' }),
    enabled: !!ou,
  });
  const { errors, submit, busy } = useFormSave(
    () =>
      ou
        ? client.ous.update(tenantId!, ou.id, { name, description: description || null, parent_id: parentId })
        : client.ous.create(tenantId!, { name, description: description || null, parent_id: parentId }),
    () => (notifyDone('Unit saved'), refresh(), onClose()),
  );
  const parentOptions = [{ value: '', label: '(top level)' }, ...(candidates.data?.data ?? []).filter((c) => c.id !== ou?.id).map((c) => ({ value: c.id, label: c.path }))];
  return (
    <FormModal title={ou ? `Edit ${ou.name}` : parent ? `New unit in ${parent.name}` : 'New top-level unit'} busy={busy} onClose={onClose} onSubmit={submit}>
      <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} data-autofocus />
      <TextInput label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} error={errors.description} />
      {ou && (
        <Select
          label="Parent (move)"
          searchable
          onSearchChange={setParentSearch}
          data={parentOptions}
          value={parentId ?? ''}
          onChange={(v) => setParentId(v || null)}
          error={errors.parent_id}
        />
      )}
    </FormModal>
  );
}

function DeleteOu({ ou, onClose }: { ou: Ou; onClose(): void }) {
  const { client, tenantId } = useSession();
  const refresh = useRefreshOus();
  const [cascade, setCascade] = useState<'none' | 'reparent' | 'subtree'>('none');
  const remove = useMutation({
    mutationFn: () => client.ous.remove(tenantId!, ou.id, cascade),
    onSuccess: () => (notifyDone(`${ou.name} deleted`), refresh(), onClose()),
    onError: (err) => notifyError(err, 'The unit was not deleted'),
  });
  const empty = ou.user_count === 0 && ou.child_count === 0;
  return (
    <Modal opened onClose={onClose} title={`Delete ${ou.name}?`}>
      <Stack>
        <Text size="sm">{ou.path} has {ou.user_count} users and {ou.child_count} units below it. This cannot be undone.</Text>
        {!empty && (
          <Radio.Group label="What happens to what is inside" value={cascade} onChange={(v) => setCascade(v as typeof cascade)}>
            <Stack gap={4} mt={4}>
              <Radio value="none" label="Nothing: refuse unless empty" />
              <Radio value="reparent" label="Move users and units up to the parent" />
              <Radio value="subtree" label="Delete the units below too; their users leave every unit" />
            </Stack>
          </Radio.Group>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button color="red" loading={remove.isPending} onClick={() => remove.mutate()}>Delete</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
