import { Alert, Badge, Button, ColorSwatch, Group, Loader, Paper, Stack, Text, Timeline, Title } from '@mantine/core';
import { useSession } from '../../auth/session';
import type { ActivityEvent } from '../../../../../shared/client/activity-api';
import { formatAgo } from '../../components/notify';
import { describeEvent } from './describe-event';
import { useActivity } from './use-activity';

function actorOf(event: ActivityEvent, me: string | undefined, subject: string): string {
  if (event.actor_type === 'system') return 'Roster';
  if (event.actor_type === 'token') return 'an API token';
  if (event.actor_type === 'application') return 'an application';
  if (event.actor_id && event.actor_id === me) return 'you';
  if (event.actor_id === subject) return 'the user';
  return 'an administrator';
}

/** What happened to the user, newest first, with new events arriving live. */
export function ActivityTimeline({ userId, onLive }: { userId: string; onLive(event: ActivityEvent): void }) {
  const { user: me } = useSession();
  const { events, pages, streaming, streamError } = useActivity(userId, onLive);
  return (
    <Paper withBorder p="md" component="section" aria-label="Activity">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={5}>Activity</Title>
          {streaming && (
            <Badge color="green" variant="dot" size="sm">
              Live
            </Badge>
          )}
        </Group>
        {streamError && <Alert color="yellow">Live updates stopped: {streamError.message}</Alert>}
        {pages.isPending ? (
          <Loader size="sm" aria-label="Loading activity" />
        ) : pages.isError ? (
          <Alert color="red">{pages.error.message}</Alert>
        ) : events.length === 0 ? (
          <Text size="sm" c="dimmed">Nothing has happened to this account yet.</Text>
        ) : (
          <Timeline bulletSize={12} lineWidth={2} aria-label="Activity timeline">
            {events.map((event) => {
              const { title, detail, color } = describeEvent(event);
              return (
                <Timeline.Item
                  key={event.id}
                  bullet={<ColorSwatch color={`var(--mantine-color-${color}-filled)`} size={10} withShadow={false} />}
                  title={<Text size="sm" fw={600}>{title}</Text>}
                  data-action={event.action}
                >
                  {detail && <Text size="xs">{detail}</Text>}
                  <Text size="xs" c="dimmed" title={new Date(event.created_at).toLocaleString()}>
                    {formatAgo(event.created_at)} · by {actorOf(event, me?.id, userId)}
                    {event.ip ? ` · ${event.ip}` : ''}
                  </Text>
                </Timeline.Item>
              );
            })}
          </Timeline>
        )}
        {pages.hasNextPage && (
          <Button variant="subtle" size="xs" onClick={() => void pages.fetchNextPage()} loading={pages.isFetchingNextPage}>
            Load more
          </Button>
        )}
      </Stack>
    </Paper>
  );
}
