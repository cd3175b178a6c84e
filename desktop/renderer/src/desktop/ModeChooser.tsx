import { Button, Card, SimpleGrid, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconDeviceDesktop, IconServer } from '@tabler/icons-react';
import { GateFrame } from './GateFrame';
import { ProblemAlert } from './ProblemAlert';

/** First start (and after "switch"): run Roster here, or connect to an organisation's server. */
export function ModeChooser({ busy, error, onLocal, onRemote }: { busy: boolean; error: string | null; onLocal(): void; onRemote(): void }) {
  return (
    <GateFrame title="How do you want to use Roster?" subtitle="You can change this later from the header." width={720}>
      <ProblemAlert message={error} />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Card withBorder padding="lg">
          <Stack gap="sm" h="100%">
            <ThemeIcon size="lg" variant="light"><IconDeviceDesktop size={20} /></ThemeIcon>
            <Text fw={600}>On this computer (Local)</Text>
            <Text size="sm" c="dimmed" style={{ flex: 1 }}>
              Roster runs inside the app, on a database in your user folder. One organisation, works offline.
            </Text>
            <Button onClick={onLocal} loading={busy} aria-label="Use Local">Use Local</Button>
          </Stack>
        </Card>
        <Card withBorder padding="lg">
          <Stack gap="sm" h="100%">
            <ThemeIcon size="lg" variant="light"><IconServer size={20} /></ThemeIcon>
            <Text fw={600}>A Roster server (Remote)</Text>
            <Text size="sm" c="dimmed" style={{ flex: 1 }}>
              Connect to your organisation&apos;s Roster server and sign in with your account.
            </Text>
            <Button variant="light" onClick={onRemote} disabled={busy} aria-label="Connect to a server">Connect to a server</Button>
          </Stack>
        </Card>
      </SimpleGrid>
    </GateFrame>
  );
}
