import { Avatar, Badge, Group, Stack, Text, Title } from '@mantine/core';
import type { User } from '../../../../../shared/client/users-api';
import { StatusBadge } from '../../components/StatusBadge';
import { ROLE_LABELS } from '../../components/roles';
import { formatDateTime } from '../../components/notify';
import { nameOf } from '../../components/user-name';
import { UserActions } from './UserActions';

const initials = (name: string) =>
  name
    .split(/[\s@.]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((p) => p[0]!.toUpperCase())
    .join('');

/** Who this is and in what state, at a glance, with what can be done about it. */
export function UserHeader({ user }: { user: User }) {
  const name = nameOf(user);
  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-start">
        <Group>
          <Avatar size="lg" radius="xl" color="indigo">
            {initials(name)}
          </Avatar>
          <div>
            <Group gap="xs">
              <Title order={3}>{name}</Title>
              <StatusBadge status={user.status} size="lg" aria-label={`Status: ${user.status}`} data-testid="user-status" />
            </Group>
            <Text c="dimmed">{user.email}</Text>
            <Group gap={6} mt={4}>
              <Badge variant="outline" size="sm">{ROLE_LABELS[user.role]}</Badge>
              <Badge variant="outline" size="sm" color="gray">{user.identity_source}</Badge>
              <Badge variant="light" size="sm" color={user.mfa_enabled ? 'teal' : 'gray'}>MFA {user.mfa_enabled ? 'on' : 'off'}</Badge>
              {user.is_internal && <Badge variant="light" size="sm" color="grape">internal</Badge>}
              <Text size="xs" c="dimmed">Last sign-in {formatDateTime(user.last_login_at)}</Text>
            </Group>
          </div>
        </Group>
      </Group>
      <UserActions user={user} />
    </Stack>
  );
}
