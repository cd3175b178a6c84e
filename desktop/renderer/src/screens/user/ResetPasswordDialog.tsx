import { useState } from 'react';
import { Alert, Button, Code, CopyButton, Group, Modal, PasswordInput, SegmentedControl, Stack, Text } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import type { User } from '../../../../../shared/client/users-api';
import { ApiError } from '../../../../../shared/client';
import { fieldErrorsOf, notifyDone } from '../../components/notify';
import { useUserChanged } from './use-user';

/** The link inside a queued mail's text: what a helpdesk reads out when mail is off. */
export const linkIn = (text: string) => text.match(/https?:\/\/\S+/)?.[0] ?? null;

/** EMAIL queues a one-time link (shown from the outbox until it is sent); DIRECT sets a password now. */
export function ResetPasswordDialog({ user, onClose }: { user: User; onClose(): void }) {
  const { client, tenantId } = useSession();
  const changed = useUserChanged(user.id);
  const [method, setMethod] = useState<'EMAIL' | 'DIRECT'>('EMAIL');
  const [password, setPassword] = useState('');
  const reset = useMutation({
    mutationFn: () => client.users.resetPassword(tenantId!, user.id, method === 'EMAIL' ? { method } : { method, new_password: password }),
    onSuccess: (result) => {
      changed();
      if (result.method === 'DIRECT') {
        notifyDone(result.message);
        onClose();
      }
    },
  });
  const queued = reset.data?.method === 'EMAIL' ? reset.data : null;
  const errors = fieldErrorsOf(reset.error);
  const general = reset.error && !errors.new_password ? (reset.error instanceof ApiError ? reset.error.message : 'The server cannot be reached.') : null;
  return (
    <Modal opened onClose={onClose} title={`Reset the password of ${user.email}`} centered size="lg">
      {queued ? (
        <QueuedLink userId={user.id} messageId={queued.outbox_message_id} message={queued.message} onClose={onClose} />
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            reset.mutate();
          }}
        >
          <Stack>
            <SegmentedControl
              aria-label="Method"
              value={method}
              onChange={(v) => {
                setMethod(v as 'EMAIL' | 'DIRECT');
                reset.reset();
              }}
              data={[
                { value: 'EMAIL', label: 'Email a link' },
                { value: 'DIRECT', label: 'Set a password' },
              ]}
            />
            {method === 'EMAIL' ? (
              <Text size="sm">A one-time link goes to {user.email}. The user is signed out everywhere.</Text>
            ) : (
              <PasswordInput
                label="New password"
                description="The tenant's password policy applies; the user is signed out everywhere"
                autoComplete="new-password"
                autoFocus
                required
                withAsterisk={false}
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                error={errors.new_password}
              />
            )}
            {general && (
              <Alert color="red" role="alert">
                {general}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={reset.isPending}>
                {method === 'EMAIL' ? 'Send link' : 'Set password'}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

/** After an EMAIL reset: the queued message's state, and its link for as long as it is not sent. */
function QueuedLink({ userId, messageId, message, onClose }: { userId: string; messageId: string | null; message: string; onClose(): void }) {
  const { client, tenantId, can } = useSession();
  const outbox = useQuery({
    queryKey: ['outbox', tenantId, userId, messageId],
    queryFn: () => client.outbox.list(tenantId!, { user_id: userId, kind: 'password_reset', per_page: 5 }).then((p) => p.data.find((m) => m.id === messageId) ?? null),
    enabled: can('outbox:read') && !!messageId,
    // Until it leaves the outbox: with mail off it never does, and the link stays on screen.
    refetchInterval: (q) => (q.state.data?.status === 'SENT' ? false : 3000),
  });
  const mail = outbox.data;
  const link = mail ? linkIn(mail.body_text) : null;
  return (
    <Stack>
      <Alert color="green">{message}</Alert>
      {mail?.status === 'SENT' && <Text size="sm">The mail was delivered at {new Date(mail.sent_at!).toLocaleString()}.</Text>}
      {mail && mail.status !== 'SENT' && link && (
        <Stack gap={6}>
          <Text size="sm">
            Not delivered yet ({mail.status.toLowerCase()}{mail.last_error ? `: ${mail.last_error}` : ''}). When mail is off, read this link to the user; it works once:
          </Text>
          <Code block aria-label="Reset link" style={{ wordBreak: 'break-all' }}>
            {link}
          </Code>
          <Group gap="xs">
            <CopyButton value={link}>{({ copied, copy }) => <Button size="xs" variant="light" onClick={copy}>{copied ? 'Copied' : 'Copy link'}</Button>}</CopyButton>
          </Group>
        </Stack>
      )}
      {outbox.isError && <Alert color="red">{outbox.error.message}</Alert>}
      <Group justify="flex-end">
        <Button onClick={onClose}>Done</Button>
      </Group>
    </Stack>
  );
}
