import { Card, Group, Stack, Text, Title } from '@mantine/core';
import { DonutChart } from '@mantine/charts';
import type { TenantStats } from '../../../../../shared/client/stats-api';
import { STATUS_LOOK } from './status-colors';

/** A donut of the tenant's users by status, with a legend naming each slice. */
export function UsersByStatusCard({ stats }: { stats: TenantStats }) {
  const slices = stats.users_by_status.filter((s) => s.count > 0).map((s) => ({ name: STATUS_LOOK[s.status].label, value: s.count, color: STATUS_LOOK[s.status].color }));
  return (
    <Card withBorder padding="lg" component="section" aria-label="Users by status">
      <Title order={4}>Users by status</Title>
      {stats.total_users === 0 ? (
        <Text c="dimmed" mt="md">No users in this tenant yet.</Text>
      ) : (
        <Group align="center" gap="xl" mt="md" wrap="nowrap">
          <DonutChart data={slices} chartLabel={`${stats.total_users} users`} size={180} thickness={28} withTooltip tooltipDataSource="segment" />
          <Stack gap={6} role="list" aria-label="Status legend">
            {stats.users_by_status.map((s) => (
              <Group key={s.status} gap="xs" role="listitem" wrap="nowrap">
                <svg width={12} height={12} aria-hidden><rect width={12} height={12} rx={2} fill={`var(--mantine-color-${STATUS_LOOK[s.status].color.replace('.', '-')})`} /></svg>
                <Text size="sm">{STATUS_LOOK[s.status].label}</Text>
                <Text size="sm" c="dimmed">{s.count}</Text>
              </Group>
            ))}
          </Stack>
        </Group>
      )}
    </Card>
  );
}
