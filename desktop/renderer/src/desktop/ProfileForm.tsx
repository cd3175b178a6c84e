import { useState, type FormEvent } from 'react';
import { Alert, Button, Group, Stack, TextInput } from '@mantine/core';
import type { ConnectionProfile } from '../../../shared/bridge';
import { isInsecureRemote, serverUrlError } from './validation';

interface Props {
  initial?: ConnectionProfile;
  busy: boolean;
  onSave(p: { id?: string; name: string; url: string }): void;
  onCancel(): void;
}

/** A connection profile: a name people recognise and the server's URL. */
export function ProfileForm({ initial, busy, onSave, onCancel }: Props) {
  const [name, setName] = useState(initial?.name ?? '');
  const [url, setUrl] = useState(initial?.url ?? 'https://');
  const [touched, setTouched] = useState(false);
  const errors = { name: name.trim() ? null : 'Enter a name', url: serverUrlError(url) };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!errors.name && !errors.url) onSave({ ...(initial ? { id: initial.id } : {}), name: name.trim(), url: url.trim() });
  };

  return (
    <form onSubmit={submit} noValidate aria-label={initial ? 'Edit server' : 'Add a server'}>
      <Stack>
        <TextInput label="Name" placeholder="Head office" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={touched ? errors.name : null} />
        <TextInput label="Server URL" placeholder="https://roster.example.com" required value={url} onChange={(e) => setUrl(e.currentTarget.value)} error={touched ? errors.url : null} />
        {!errors.url && isInsecureRemote(url) ? (
          <Alert color="yellow" title="Unencrypted connection">Passwords and tokens would cross the network in clear; use https:// unless this server is on a trusted network.</Alert>
        ) : null}
        <Group justify="flex-end">
          <Button variant="subtle" onClick={onCancel} disabled={busy}>Cancel</Button>
          <Button type="submit" loading={busy}>Save</Button>
        </Group>
      </Stack>
    </form>
  );
}
