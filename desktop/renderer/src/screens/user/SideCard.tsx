import type { ReactNode } from 'react';
import { Alert, Loader, Paper, Stack, Text, Title } from '@mantine/core';

/** A titled card with real loading, error and empty states around its list. */
export function SideCard({ title, loading, error, empty, children }: { title: string; loading?: boolean; error?: Error | null; empty?: string | false; children?: ReactNode }) {
  return (
    <Paper withBorder p="md" component="section" aria-label={title}>
      <Stack gap="xs">
        <Title order={5}>{title}</Title>
        {loading ? <Loader size="sm" aria-label={`Loading ${title.toLowerCase()}`} /> : error ? <Alert color="red">{error.message}</Alert> : empty ? <Text size="sm" c="dimmed">{empty}</Text> : children}
      </Stack>
    </Paper>
  );
}
