import { Alert, Center, Group, Loader, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import { errorText } from '../export/notify';
import { UsersByStatusCard } from './UsersByStatusCard';
import { SignInsCard } from './SignInsCard';
import { WeekCard } from './WeekCard';

/** Home: the tenant at a glance, as pictures, refreshed every half minute. */
export function DashboardScreen() {
  const { client, tenantId } = useSession();
  const stats = useQuery({
    queryKey: ['stats', tenantId],
    queryFn: ({ signal }) => client.stats.get(tenantId!, 14, signal),
    enabled: !!tenantId,
    refetchInterval: 30_000,
  });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={3}>Dashboard</Title>
        {stats.data && <Text size="xs" c="dimmed">Updated {new Date(stats.data.generated_at).toLocaleTimeString()}</Text>}
      </Group>
      {stats.isPending && <Center h={200}><Loader aria-label="Loading figures" /></Center>}
      {stats.isError && <Alert color="red" title="The figures could not be loaded">{errorText(stats.error)}</Alert>}
      {stats.data && (
        <>
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            <UsersByStatusCard stats={stats.data} />
            <SignInsCard stats={stats.data} />
          </SimpleGrid>
          <WeekCard stats={stats.data} />
        </>
      )}
    </Stack>
  );
}
