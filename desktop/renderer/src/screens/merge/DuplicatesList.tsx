import { Alert, Badge, Button, Card, Group, Loader, ScrollArea, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import { errorText } from '../export/notify';
import type { DuplicateReason } from '../../../../../shared/client/merge-api';
import { userLabel, type PickedUser } from './UserPicker';

const REASONS: Record<DuplicateReason, string> = {
  same_email_without_tag: 'Same address but for a +tag',
  same_name_and_phone: 'Same name and phone',
  same_name: 'Same name',
};

/** Likely duplicates found by the server, to start a merge from with one click. */
export function DuplicatesList({ onPick }: { onPick(target: PickedUser, source: PickedUser): void }) {
  const { client, tenantId } = useSession();
  const groups = useQuery({
    queryKey: ['duplicates', tenantId],
    queryFn: () => client.merge.duplicates({ limit: 50 }, tenantId ?? undefined),
    enabled: !!tenantId,
  });
  return (
    <Card withBorder padding="md" component="section" aria-label="Likely duplicates">
      <Title order={5} mb="xs">Likely duplicates</Title>
      {groups.isPending && <Loader size="sm" aria-label="Looking for duplicates" />}
      {groups.isError && <Alert color="red">{errorText(groups.error)}</Alert>}
      {groups.data && groups.data.length === 0 && <Text size="sm" c="dimmed">No likely duplicates in this tenant.</Text>}
      <ScrollArea.Autosize mah={520}>
        <Stack gap="sm">
          {(groups.data ?? []).map((g) => {
            const users = g.users as unknown as PickedUser[];
            return (
              <Card key={users.map((u) => u.id).join()} withBorder padding="xs" radius="sm">
                <Badge size="xs" variant="light" mb={4}>{REASONS[g.reason]}</Badge>
                {users.map((u) => <Text size="xs" key={u.id} style={{ overflowWrap: 'anywhere' }}>{userLabel(u)}</Text>)}
                <Group justify="flex-end" mt={4}>
                  <Button size="compact-xs" variant="light" onClick={() => onPick(users[0], users[1])} aria-label={`Compare ${users.map((u) => u.email).join(' and ')}`}>
                    Compare
                  </Button>
                </Group>
              </Card>
            );
          })}
        </Stack>
      </ScrollArea.Autosize>
    </Card>
  );
}
