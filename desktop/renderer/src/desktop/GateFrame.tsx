import type { ReactNode } from 'react';
import { Center, Paper, Stack, Text, Title } from '@mantine/core';

/** The frame of the desktop's own screens: before any server is there, so no app shell yet. */
export function GateFrame({ title, subtitle, children, width = 560 }: { title: string; subtitle?: ReactNode; children: ReactNode; width?: number }) {
  return (
    <Center mih="100vh" p="md" bg="var(--mantine-color-gray-0)">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={width}>
        <Stack gap="lg">
          <Stack gap={4}>
            <Text size="sm" c="dimmed" fw={700} tt="uppercase">Roster</Text>
            <Title order={2}>{title}</Title>
            {subtitle ? <Text c="dimmed">{subtitle}</Text> : null}
          </Stack>
          {children}
        </Stack>
      </Paper>
    </Center>
  );
}
