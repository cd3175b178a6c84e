import { Badge, Group, Text } from '@mantine/core';
import type { User } from '../../../../../shared/client/users-api';
import { SideCard } from './SideCard';

/** Groups the user is in: directly, or inherited through nested groups. */
export function GroupsCard({ user }: { user: User }) {
  const groups = [...(user.groups ?? [])].sort((a, b) => (a.membership_type === b.membership_type ? a.name.localeCompare(b.name) : a.membership_type === 'DIRECT' ? -1 : 1));
  return (
    <SideCard title="Groups" empty={groups.length === 0 && 'In no group.'}>
      {groups.map((g) => (
        <Group key={g.group_id} justify="space-between" wrap="nowrap">
          <Text size="sm" truncate>{g.name}</Text>
          <Badge size="xs" variant={g.membership_type === 'DIRECT' ? 'light' : 'outline'} color={g.membership_type === 'DIRECT' ? 'indigo' : 'gray'}>
            {g.membership_type === 'DIRECT' ? 'direct' : 'inherited'}
          </Badge>
        </Group>
      ))}
    </SideCard>
  );
}
