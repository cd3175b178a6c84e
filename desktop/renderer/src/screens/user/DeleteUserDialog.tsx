import { useState } from 'react';
import { Alert, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { useSession } from '../../auth/session';
import type { User } from '../../../../../shared/client/users-api';
import { ApiError } from '../../../../../shared/client';
import { notifyDone } from '../../components/notify';

/** A soft delete, confirmed by typing the user's email (the server checks it too). */
export function DeleteUserDialog({ user, onClose }: { user: User; onClose(): void }) {
  const { client, tenantId } = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [typed, setTyped] = useState('');
  const matches = typed.trim().toLowerCase() === user.email.toLowerCase();
  const remove = useMutation({
    mutationFn: () => client.users.removeConfirmed(tenantId!, user.id, typed.trim()),
    onSuccess: () => {
      notifyDone(`${user.email} was deleted`);
      void queryClient.invalidateQueries({ queryKey: ['users', 'search'] });
      queryClient.removeQueries({ queryKey: ['user', tenantId, user.id] });
      onClose();
      navigate('/users');
    },
  });
  return (
    <Modal opened onClose={onClose} title={`Delete ${user.email}?`} centered>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (matches) remove.mutate();
        }}
      >
        <Stack>
          <Text size="sm">The account is removed from the directory and can no longer sign in. An administrator can restore it later.</Text>
          <TextInput label="Type the user's email to confirm" autoFocus autoComplete="off" value={typed} onChange={(e) => setTyped(e.currentTarget.value)} placeholder={user.email} />
          {remove.error && (
            <Alert color="red" role="alert">
              {remove.error instanceof ApiError ? remove.error.message : 'The server cannot be reached.'}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" color="red" disabled={!matches} loading={remove.isPending}>
              Delete user
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
