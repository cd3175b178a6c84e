import { Button, Group, Loader, Stack, Text } from '@mantine/core';
import { GateFrame } from './GateFrame';
import { ProblemAlert } from './ProblemAlert';

/** Local mode while its server starts, or after it failed to. */
export function LocalStatus({ error, busy, onRetry, onBack }: { error: string | null; busy: boolean; onRetry(): void; onBack(): void }) {
  if (!error) {
    return (
      <GateFrame title="Starting Roster…" subtitle="The local server is opening its database.">
        <Group justify="center"><Loader aria-label="Starting" /></Group>
      </GateFrame>
    );
  }
  return (
    <GateFrame title="The local server is not running">
      <Stack>
        <ProblemAlert message={error} title="Roster could not start on this computer" />
        <Text size="sm" c="dimmed">Its log is in the logs folder next to the data folder.</Text>
        <Group justify="space-between">
          <Button variant="subtle" onClick={onBack} disabled={busy}>Choose another mode</Button>
          <Button onClick={onRetry} loading={busy}>Try again</Button>
        </Group>
      </Stack>
    </GateFrame>
  );
}
