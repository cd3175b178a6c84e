import { useState, type FormEvent } from 'react';
import { Button, Group, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { GateFrame } from './GateFrame';
import { ProblemAlert } from './ProblemAlert';
import { emailError, MIN_ADMIN_PASSWORD } from './validation';

interface Props {
  dataDir?: string;
  busy: boolean;
  error: string | null;
  onSubmit(admin: { email: string; password: string }): void;
  onBack(): void;
}

/** Local mode on a fresh data folder: the first administrator, then the server starts with it. */
export function LocalSetup({ dataDir, busy, error, onSubmit, onBack }: Props) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [touched, setTouched] = useState(false);

  const errors = {
    email: emailError(email),
    password: password.length < MIN_ADMIN_PASSWORD ? `At least ${MIN_ADMIN_PASSWORD} characters` : null,
    confirm: confirm !== password ? 'The passwords do not match' : null,
  };
  const valid = !errors.email && !errors.password && !errors.confirm;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (valid) onSubmit({ email: email.trim(), password });
  };

  return (
    <GateFrame title="Create the administrator" subtitle="This account signs in to the Roster on this computer. Keep the password safe: it cannot be shown again.">
      <form onSubmit={submit} noValidate>
        <Stack>
          <ProblemAlert message={error} title="The local server could not start" />
          <TextInput label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={touched ? errors.email : null} data-autofocus />
          <PasswordInput label="Password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={touched ? errors.password : null} />
          <PasswordInput label="Repeat the password" autoComplete="new-password" required value={confirm} onChange={(e) => setConfirm(e.currentTarget.value)} error={touched ? errors.confirm : null} />
          {dataDir ? <Text size="xs" c="dimmed">Data folder: {dataDir}</Text> : null}
          {busy ? <Text size="sm" c="dimmed">Starting Roster on this computer; the first start takes a few seconds…</Text> : null}
          <Group justify="space-between">
            <Button variant="subtle" onClick={onBack} disabled={busy}>Back</Button>
            <Button type="submit" loading={busy}>Create and start</Button>
          </Group>
        </Stack>
      </form>
    </GateFrame>
  );
}
