import { useState, type FormEvent } from 'react';
import { Alert, Button, Center, Paper, PasswordInput, Stack, TextInput, Title, Text } from '@mantine/core';
import { ApiError } from '../../../../shared/client';
import { useSession } from './session';

/**
 * Sign-in: organisation, user, password; the server says when it also needs an MFA code or a
 * new password (error.field), and only then does the form ask for it.
 */
export function LoginScreen() {
  const { signIn } = useSession();
  const [tenant, setTenant] = useState('default');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [mfaCode, setMfaCode] = useState<string | null>(null);
  const [newPassword, setNewPassword] = useState<string | null>(null);
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn({ tenant: tenant.trim() || 'default', username: username.trim(), password, mfa_code: mfaCode || undefined, new_password: newPassword || undefined });
    } catch (err) {
      if (err instanceof ApiError) {
        if (err.field === 'mfa_code' && mfaCode === null) setMfaCode('');
        if (err.field === 'new_password' && newPassword === null) setNewPassword('');
        setError({ message: err.message, field: err.field });
      } else {
        setError({ message: 'The server cannot be reached.' });
      }
    } finally {
      setBusy(false);
    }
  }

  const fieldError = (field: string) => (error?.field === field ? error.message : undefined);
  return (
    <Center mih="100vh" bg="gray.0">
      <Paper withBorder shadow="sm" p="xl" w={380} component="form" onSubmit={submit} aria-label="Sign in">
        <Stack>
          <div>
            <Title order={2}>Roster</Title>
            <Text c="dimmed" size="sm">Sign in to the directory</Text>
          </div>
          {error && !error.field && <Alert color="red" role="alert">{error.message}</Alert>}
          <TextInput label="Organisation" description="Tenant slug or id" value={tenant} onChange={(e) => setTenant(e.currentTarget.value)} error={fieldError('tenant')} />
          <TextInput label="Email or username" autoComplete="username" required withAsterisk={false} autoFocus value={username} onChange={(e) => setUsername(e.currentTarget.value)} error={fieldError('username')} />
          <PasswordInput label="Password" autoComplete="current-password" required withAsterisk={false} value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={fieldError('password')} />
          {mfaCode !== null && (
            <TextInput label="MFA code" description="From your authenticator app, or a recovery code" autoComplete="one-time-code" inputMode="numeric" value={mfaCode} onChange={(e) => setMfaCode(e.currentTarget.value)} error={fieldError('mfa_code')} />
          )}
          {newPassword !== null && (
            <PasswordInput label="New password" description="Your password must be changed now" autoComplete="new-password" value={newPassword} onChange={(e) => setNewPassword(e.currentTarget.value)} error={fieldError('new_password')} />
          )}
          {error?.field && !['tenant', 'username', 'password', 'mfa_code', 'new_password'].includes(error.field) && <Alert color="red" role="alert">{error.message}</Alert>}
          <Button type="submit" loading={busy}>Sign in</Button>
        </Stack>
      </Paper>
    </Center>
  );
}
