import { Group, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import { formatAgo } from '../../components/notify';
import { SideCard } from './SideCard';

/** Applications the user signed in to in the last 30 days, most recent first. */
export function ApplicationsCard({ userId }: { userId: string }) {
  const { client, tenantId } = useSession();
  const apps = useQuery({
    queryKey: ['user-apps', tenantId, userId],
    queryFn: () => client.users.activeWorkspaces(userId, tenantId ?? undefined),
    enabled: !!tenantId,
  });
  return (
    <SideCard title="Applications" loading={apps.isPending} error={apps.error} empty={apps.data?.length === 0 && 'No application used in the last 30 days.'}>
      {apps.data?.map((a) => (
        <Group key={a.application_id} justify="space-between" wrap="nowrap">
          <Text size="sm" truncate>{a.name}</Text>
          <Text size="xs" c="dimmed" title={new Date(a.last_used_at).toLocaleString()}>
            {a.sign_ins} sign-ins · {formatAgo(a.last_used_at)}
          </Text>
        </Group>
      ))}
    </SideCard>
  );
}
