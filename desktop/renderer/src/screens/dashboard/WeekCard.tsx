import { Card, Group, Progress, SimpleGrid, Stack, Text, Title, Tooltip } from '@mantine/core';
import { BarChart } from '@mantine/charts';
import type { TenantStats } from '../../../../../shared/client/stats-api';
import { shortDay } from './status-colors';

/** This week: lockouts per day as bars, and what imports did as one stacked bar. */
export function WeekCard({ stats }: { stats: TenantStats }) {
  const lastWeek = stats.days.slice(-7).map((d) => ({ day: shortDay(d.date), Lockouts: d.lockouts }));
  const { imports } = stats.week;
  const rows = imports.created + imports.updated + imports.failed;
  const part = (n: number) => (rows ? (n / rows) * 100 : 0);
  return (
    <Card withBorder padding="lg" component="section" aria-label="This week">
      <Title order={4}>This week</Title>
      <SimpleGrid cols={{ base: 1, md: 2 }} mt="md" spacing="xl">
        <Stack gap={4} aria-label="Lockouts this week">
          <Text fw={500}>Lockouts <Text span c="dimmed" size="sm">({stats.week.lockouts})</Text></Text>
          {stats.week.lockouts === 0 && <Text size="xs" c="dimmed">Nobody was locked out in the last seven days.</Text>}
          <BarChart h={160} data={lastWeek} dataKey="day" series={[{ name: 'Lockouts', color: 'red.6' }]} tickLine="none" gridAxis="y" yAxisProps={{ allowDecimals: false }} />
        </Stack>
        <Stack gap={6} aria-label="Imports this week">
          <Text fw={500}>Imports <Text span c="dimmed" size="sm">({imports.jobs} {imports.jobs === 1 ? 'job' : 'jobs'})</Text></Text>
          {rows === 0 ? (
            <Text c="dimmed" size="sm">No rows imported this week.</Text>
          ) : (
            <>
              <Progress.Root size={28} aria-label="Imported rows">
                <Tooltip label={`${imports.created} created`}><Progress.Section value={part(imports.created)} color="teal.6"><Progress.Label>{imports.created}</Progress.Label></Progress.Section></Tooltip>
                <Tooltip label={`${imports.updated} updated`}><Progress.Section value={part(imports.updated)} color="indigo.5"><Progress.Label>{imports.updated}</Progress.Label></Progress.Section></Tooltip>
                <Tooltip label={`${imports.failed} failed`}><Progress.Section value={part(imports.failed)} color="red.5"><Progress.Label>{imports.failed}</Progress.Label></Progress.Section></Tooltip>
              </Progress.Root>
              <Group gap="md">
                <Text size="xs" c="teal.8">● {imports.created} created</Text>
                <Text size="xs" c="indigo.7">● {imports.updated} updated</Text>
                <Text size="xs" c="red.7">● {imports.failed} failed</Text>
              </Group>
            </>
          )}
        </Stack>
      </SimpleGrid>
    </Card>
  );
}
