import { Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import type { ActivityEvent } from '../../../../../shared/client/audit-api';

/** Who an id is, in words: a user's name or address, looked up once and cached. */
export function UserRef({ id }: { id: string }) {
  const { client, tenantId, can } = useSession();
  const user = useQuery({
    queryKey: ['users', 'name', tenantId, id],
    queryFn: ({ signal }) => client.users.get(id, [], tenantId ?? undefined, signal),
    enabled: can('users:read'),
    staleTime: 5 * 60_000,
    retry: false,
  });
  const name = user.data ? user.data.display_name || user.data.email : null;
  if (name) return <Text size="sm" span title={id}>{name}</Text>;
  // Not found here: deleted since, or an administrator who belongs to another tenant.
  return (
    <Text size="sm" span c="dimmed" title={user.isError ? `${id}: not a user of this tenant (deleted, or an administrator from elsewhere)` : id}>
      User {id.slice(0, 8)}…
    </Text>
  );
}

/** The actor of an event: a user by name, otherwise what kind of caller it was. */
export function ActorCell({ event }: { event: ActivityEvent }) {
  if (event.actor_type === 'user' && event.actor_id) return <UserRef id={event.actor_id} />;
  if (event.actor_type === 'system') return <Text size="sm" span c="dimmed">System</Text>;
  return <Text size="sm" span title={event.actor_id ?? ''}>{event.actor_type === 'token' ? 'API token' : 'Application'} {event.actor_id?.slice(0, 8)}</Text>;
}

/** The subject of an event: a user by name, anything else by kind. */
export function SubjectCell({ event }: { event: ActivityEvent }) {
  if (event.subject_type === 'user' && event.subject_id) return <UserRef id={event.subject_id} />;
  return <Text size="sm" span c="dimmed" title={event.subject_id ?? ''}>{event.subject_type.replace('_', ' ')}</Text>;
}
