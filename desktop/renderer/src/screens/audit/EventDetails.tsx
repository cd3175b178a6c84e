import { Text } from '@mantine/core';

const show = (v: unknown) => (v === null ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** An event's details as short `key: value` pairs. */
export function EventDetails({ details }: { details: Record<string, unknown> }) {
  const entries = Object.entries(details);
  if (!entries.length) return <Text size="xs" c="dimmed">—</Text>;
  return (
    <Text size="xs" c="dimmed" lineClamp={2} title={JSON.stringify(details, null, 2)}>
      {entries.map(([k, v]) => `${k}: ${show(v)}`).join(' · ')}
    </Text>
  );
}
