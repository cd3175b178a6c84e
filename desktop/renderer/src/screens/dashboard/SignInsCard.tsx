import { Card, Text, Title } from '@mantine/core';
import { BarChart } from '@mantine/charts';
import type { TenantStats } from '../../../../../shared/client/stats-api';
import { shortDay } from './status-colors';

/** Sign-ins and failed sign-ins per UTC day, side by side. */
export function SignInsCard({ stats }: { stats: TenantStats }) {
  const data = stats.days.map((d) => ({ day: shortDay(d.date), 'Sign-ins': d.sign_ins, 'Failed sign-ins': d.failed_sign_ins }));
  const quiet = stats.days.every((d) => d.sign_ins === 0 && d.failed_sign_ins === 0);
  return (
    <Card withBorder padding="lg" component="section" aria-label="Sign-ins per day">
      <Title order={4}>Sign-ins per day</Title>
      <Text size="xs" c="dimmed">Last {stats.days.length} days, UTC</Text>
      {quiet && <Text c="dimmed" size="sm" mt="xs">Nobody signed in during these days.</Text>}
      <BarChart
        h={220}
        mt="md"
        data={data}
        dataKey="day"
        withLegend
        legendProps={{ verticalAlign: 'top' }}
        series={[
          { name: 'Sign-ins', color: 'indigo.6' },
          { name: 'Failed sign-ins', color: 'red.5' },
        ]}
        tickLine="none"
        gridAxis="y"
        yAxisProps={{ allowDecimals: false }}
      />
    </Card>
  );
}
