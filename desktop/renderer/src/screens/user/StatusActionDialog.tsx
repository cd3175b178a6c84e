import { useState } from 'react';
import { Alert, Button, Checkbox, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import type { User } from '../../../../../shared/client/users-api';
import { ApiError } from '../../../../../shared/client';
import { notifyDone } from '../../components/notify';
import type { StatusAction } from './status-actions';
import { useUserChanged } from './use-user';

/** Confirms one status action with a reason and "sign out everywhere", then applies it. */
export function StatusActionDialog({ user, action, onClose }: { user: User; action: StatusAction; onClose(): void }) {
  const { client, tenantId } = useSession();
  const changed = useUserChanged(user.id);
  const [reason, setReason] = useState('');
  const [signOut, setSignOut] = useState(action.to !== 'ACTIVE');
  const apply = useMutation({
    mutationFn: () =>
      action.via === 'unlock'
        ? client.adminUsers.unlock(user.id)
        : client.users.setStatus(user.id, { status: action.to, reason: reason.trim() || null, terminate_sessions: signOut }, tenantId ?? undefined, user.version),
    onSuccess: (updated) => {
      changed(updated);
      notifyDone(`${action.label}: done for ${user.email}`);
      onClose();
    },
    onError: (err) => {
      if (err instanceof ApiError && err.status === 412) changed();
    },
  });
  const error = apply.error instanceof ApiError ? apply.error : apply.error ? new Error('The server cannot be reached.') : null;
  return (
    <Modal opened onClose={onClose} title={`${action.label} ${user.email}?`} centered>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          apply.mutate();
        }}
      >
        <Stack>
          <Text size="sm">{action.explain}</Text>
          {action.via === 'status' && (
            <>
              <Textarea label="Reason" description="Kept in the user's history" autoFocus autosize minRows={2} maxLength={500} value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
              <Checkbox label="Sign out everywhere" description="End every session of the user now" checked={signOut} onChange={(e) => setSignOut(e.currentTarget.checked)} />
            </>
          )}
          {error && (
            <Alert color="red" role="alert">
              {error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" color={action.color} loading={apply.isPending} data-autofocus={action.via === 'unlock' || undefined}>
              {action.label}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
