import { useState } from 'react';
import { Button, Group, Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { useMutation } from '@tanstack/react-query';
import { IconKey, IconLock, IconLockOpen, IconPlayerPlay, IconShieldOff, IconTrash, IconUserOff } from '@tabler/icons-react';
import { useSession } from '../../auth/session';
import type { User } from '../../../../../shared/client/users-api';
import { notifyDone, notifyError } from '../../components/notify';
import { mayActOn, statusActions, type StatusAction, type StatusActionId } from './status-actions';
import { StatusActionDialog } from './StatusActionDialog';
import { ResetPasswordDialog } from './ResetPasswordDialog';
import { DeleteUserDialog } from './DeleteUserDialog';
import { useUserChanged } from './use-user';

const ICONS: Record<StatusActionId, typeof IconLock> = { unlock: IconLockOpen, enable: IconPlayerPlay, lock: IconLock, disable: IconUserOff };

/** The actions this role may take on this user from its current status; nothing else is shown. */
export function UserActions({ user }: { user: User }) {
  const session = useSession();
  const { client, can } = session;
  const changed = useUserChanged(user.id);
  const [dialog, setDialog] = useState<StatusAction | 'reset' | 'delete' | null>(null);
  const viewer = { role: session.user!.role, userId: session.user!.id, can };
  const reachable = mayActOn(viewer, user);
  const actions = statusActions(viewer, user);
  const disableMfa = useMutation({
    mutationFn: () => client.adminUsers.disableMfa(user.id),
    onSuccess: (updated) => (changed(updated), notifyDone(`MFA is off for ${user.email}`)),
    onError: (err) => notifyError(err, 'MFA could not be turned off'),
  });
  const confirmMfaOff = () =>
    modals.openConfirmModal({
      title: `Turn off MFA for ${user.email}?`,
      children: <Text size="sm">The authenticator and recovery codes are removed; the user signs in with the password alone until MFA is set up again.</Text>,
      labels: { confirm: 'Turn off MFA', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () => disableMfa.mutate(),
    });

  const buttons = [
    ...actions.map((a) => {
      const Icon = ICONS[a.id];
      return (
        <Button key={a.id} color={a.color} variant={a.id === 'unlock' || a.id === 'enable' ? 'filled' : 'light'} leftSection={<Icon size={16} />} onClick={() => setDialog(a)}>
          {a.label}
        </Button>
      );
    }),
    reachable && can('users:reset_password') && (
      <Button key="reset" variant="light" leftSection={<IconKey size={16} />} onClick={() => setDialog('reset')}>
        Reset password
      </Button>
    ),
    reachable && user.mfa_enabled && can('users:disable_mfa') && (
      <Button key="mfa" variant="light" color="orange" leftSection={<IconShieldOff size={16} />} loading={disableMfa.isPending} onClick={confirmMfaOff}>
        Turn off MFA
      </Button>
    ),
    reachable && !user.is_internal && can('users:delete') && (
      <Button key="delete" variant="subtle" color="red" leftSection={<IconTrash size={16} />} onClick={() => setDialog('delete')}>
        Delete
      </Button>
    ),
  ].filter(Boolean);

  if (!buttons.length) return null;
  return (
    <>
      <Group gap="xs" role="toolbar" aria-label="User actions">
        {buttons}
      </Group>
      {dialog === 'reset' && <ResetPasswordDialog user={user} onClose={() => setDialog(null)} />}
      {dialog === 'delete' && <DeleteUserDialog user={user} onClose={() => setDialog(null)} />}
      {dialog && typeof dialog === 'object' && <StatusActionDialog user={user} action={dialog} onClose={() => setDialog(null)} />}
    </>
  );
}
