import { useMemo, useState } from 'react';
import { Alert, Badge, Button, Center, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import { errorText } from '../export/notify';
import { matches, NO_FILTERS, toQuery, type AuditFilters } from './audit-filter';
import { AuditFiltersBar } from './AuditFiltersBar';
import { useLiveEvents } from './use-live-events';
import { ActorCell, SubjectCell } from './ActorName';
import { EventDetails } from './EventDetails';
import type { ActivityEvent } from '../../../../../shared/client/audit-api';

const PAGE = 50;

/** The tenant's audit log: filtered and paged by the server, new events arriving live at the top. */
export function AuditScreen() {
  const { client, tenantId } = useSession();
  const [filters, setFilters] = useState<AuditFilters>(NO_FILTERS);
  const query = useMemo(() => toQuery(filters), [filters]);
  const key = JSON.stringify(query);
  const pages = useInfiniteQuery({
    queryKey: ['audit', tenantId, key],
    queryFn: ({ pageParam, signal }) => client.audit.list(tenantId!, { ...query, limit: PAGE, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.pagination.next_cursor ?? undefined,
    enabled: !!tenantId,
  });
  const live = useLiveEvents(client, tenantId, (e) => matches(e, filters), `${tenantId}|${key}`);

  const loaded = pages.data?.pages.flatMap((p) => p.data) ?? [];
  const known = new Set(loaded.map((e) => e.id));
  const fresh = new Set(live.events.map((e) => e.id));
  const rows: ActivityEvent[] = [...live.events.filter((e) => !known.has(e.id)), ...loaded];

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={3}>Audit log</Title>
        <Badge
          variant="dot"
          color={live.state === 'live' ? 'teal' : live.state === 'failed' ? 'red' : 'gray'}
          aria-label={`Live updates: ${live.state}`}
        >
          {live.state === 'live' ? 'Live' : live.state === 'failed' ? 'Live updates stopped' : 'Connecting…'}
        </Badge>
      </Group>
      <AuditFiltersBar value={filters} onChange={setFilters} />
      {pages.isError && <Alert color="red" title="The audit log could not be loaded">{errorText(pages.error)}</Alert>}
      {pages.isPending && tenantId && <Center h={160}><Loader aria-label="Loading events" /></Center>}
      {pages.isSuccess && rows.length === 0 && <Text c="dimmed">No events{key !== '{}' ? ' match these filters' : ' yet'}.</Text>}
      {rows.length > 0 && (
        <Table striped highlightOnHover aria-label="Audit events" stickyHeader>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={180}>Time</Table.Th>
              <Table.Th w={200}>Action</Table.Th>
              <Table.Th>Actor</Table.Th>
              <Table.Th>About</Table.Th>
              <Table.Th>Details</Table.Th>
              <Table.Th w={120}>IP</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((e) => (
              <Table.Tr key={e.id} data-new={fresh.has(e.id) || undefined} style={fresh.has(e.id) ? { background: 'var(--mantine-color-yellow-0)' } : undefined}>
                <Table.Td><Text size="sm">{new Date(e.created_at).toLocaleString()}</Text></Table.Td>
                <Table.Td><Badge variant="light" tt="none" color={e.action.includes('fail') || e.action.endsWith('locked') ? 'red' : 'indigo'}>{e.action}</Badge></Table.Td>
                <Table.Td><ActorCell event={e} /></Table.Td>
                <Table.Td><SubjectCell event={e} /></Table.Td>
                <Table.Td><EventDetails details={e.details} /></Table.Td>
                <Table.Td><Text size="xs">{e.ip ?? '—'}</Text></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {pages.hasNextPage && (
        <Group justify="center">
          <Button variant="light" loading={pages.isFetchingNextPage} onClick={() => void pages.fetchNextPage()}>Older events</Button>
        </Group>
      )}
    </Stack>
  );
}
