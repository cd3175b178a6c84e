import { useState } from 'react';
import { ActionIcon, Button, Group, Paper, Stack, Text, Tooltip } from '@mantine/core';
import { IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import type { ConnectionProfile } from '../../../shared/bridge';
import { GateFrame } from './GateFrame';
import { ProblemAlert } from './ProblemAlert';
import { ProfileForm } from './ProfileForm';

interface Props {
  profiles: ConnectionProfile[];
  activeProfileId: string | null;
  busy: boolean;
  error: string | null;
  onConnect(id: string): void;
  onSave(p: { id?: string; name: string; url: string }): Promise<boolean>;
  onDelete(id: string): void;
  onBack(): void;
}

type Editing = { kind: 'new' } | { kind: 'edit'; profile: ConnectionProfile } | null;

/** Remote mode: the saved servers (connect, edit, delete) and a form for a new one. */
export function RemoteProfiles({ profiles, activeProfileId, busy, error, onConnect, onSave, onDelete, onBack }: Props) {
  const [editing, setEditing] = useState<Editing>(profiles.length === 0 ? { kind: 'new' } : null);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);

  const save = async (p: { id?: string; name: string; url: string }) => {
    if (await onSave(p)) setEditing(null);
  };

  return (
    <GateFrame title="Connect to a Roster server" subtitle="Choose a saved server, or add your organisation's." width={640}>
      <ProblemAlert message={error} title="Cannot connect" />
      {profiles.length > 0 ? (
        <Stack gap="xs" role="list" aria-label="Saved servers">
          {profiles.map((p) => (
            <Paper key={p.id} withBorder p="sm" role="listitem" aria-label={p.name}>
              {confirmDelete === p.id ? (
                <Group justify="space-between">
                  <Text size="sm">Delete “{p.name}” and its saved sign-in?</Text>
                  <Group gap="xs">
                    <Button size="xs" variant="subtle" onClick={() => setConfirmDelete(null)}>Keep</Button>
                    <Button size="xs" color="red" onClick={() => { setConfirmDelete(null); onDelete(p.id); }}>Delete</Button>
                  </Group>
                </Group>
              ) : (
                <Group justify="space-between" wrap="nowrap">
                  <Stack gap={0} style={{ minWidth: 0 }}>
                    <Text fw={600} truncate>{p.name}{p.id === activeProfileId ? ' · last used' : ''}</Text>
                    <Text size="sm" c="dimmed" truncate>{p.url}</Text>
                  </Stack>
                  <Group gap="xs" wrap="nowrap">
                    <Tooltip label="Edit"><ActionIcon variant="subtle" aria-label={`Edit ${p.name}`} onClick={() => setEditing({ kind: 'edit', profile: p })} disabled={busy}><IconPencil size={16} /></ActionIcon></Tooltip>
                    <Tooltip label="Delete"><ActionIcon variant="subtle" color="red" aria-label={`Delete ${p.name}`} onClick={() => setConfirmDelete(p.id)} disabled={busy}><IconTrash size={16} /></ActionIcon></Tooltip>
                    <Button size="xs" onClick={() => onConnect(p.id)} loading={busy} aria-label={`Connect to ${p.name}`}>Connect</Button>
                  </Group>
                </Group>
              )}
            </Paper>
          ))}
        </Stack>
      ) : null}
      {editing ? (
        <Paper withBorder p="md">
          <ProfileForm
            key={editing.kind === 'edit' ? editing.profile.id : 'new'}
            initial={editing.kind === 'edit' ? editing.profile : undefined}
            busy={busy}
            onSave={(p) => void save(p)}
            onCancel={() => setEditing(null)}
          />
        </Paper>
      ) : (
        <Group justify="flex-start">
          <Button variant="light" leftSection={<IconPlus size={16} />} onClick={() => setEditing({ kind: 'new' })} disabled={busy}>Add a server</Button>
        </Group>
      )}
      <Group justify="flex-start">
        <Button variant="subtle" onClick={onBack} disabled={busy}>Back</Button>
      </Group>
    </GateFrame>
  );
}
