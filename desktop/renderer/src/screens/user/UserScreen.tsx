import { useCallback } from 'react';
import { Alert, Anchor, Center, Grid, Loader, Stack } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { useSession } from '../../auth/session';
import { UserHeader } from './UserHeader';
import { ProfileForm } from './ProfileForm';
import { GroupsCard } from './GroupsCard';
import { ApplicationsCard } from './ApplicationsCard';
import { IdentitiesCard } from './IdentitiesCard';
import { ActivityTimeline } from './ActivityTimeline';
import { useUser, userKey } from './use-user';

/** One user: who, in what state, what can be done, and what has happened, live. */
export function UserScreen() {
  const { id = '' } = useParams();
  const { tenantId, can } = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const user = useUser(id);
  // Whoever changed the user (this screen, another admin, the user signing in), show it now.
  const onLive = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: userKey(tenantId, id) });
    void queryClient.invalidateQueries({ queryKey: ['user-apps', tenantId, id] });
  }, [queryClient, tenantId, id]);

  if (user.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading user" />
      </Center>
    );
  }
  if (user.isError) {
    return (
      <Alert color="red" role="alert" title={(user.error as { status?: number }).status === 404 ? 'No such user' : 'The user could not be loaded'}>
        {user.error.message}{' '}
        <Anchor component={Link} to="/users">
          Back to search
        </Anchor>
      </Alert>
    );
  }
  return (
    <Stack>
      <Anchor
        component="button"
        type="button"
        size="sm"
        style={{ alignSelf: 'flex-start' }}
        // Back to the very list the user came from (its state is in that URL), or to Find.
        onClick={() => ((window.history.state as { idx?: number } | null)?.idx ? navigate(-1) : navigate('/users'))}
      >
        ← Back to results
      </Anchor>
      <UserHeader user={user.data} />
      <Grid>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Stack>
            <ProfileForm key={user.data.id} user={user.data} />
            <Grid>
              <Grid.Col span={{ base: 12, md: 4 }}>
                <GroupsCard user={user.data} />
              </Grid.Col>
              <Grid.Col span={{ base: 12, md: 4 }}>
                <ApplicationsCard userId={id} />
              </Grid.Col>
              <Grid.Col span={{ base: 12, md: 4 }}>{can('identities:read') && <IdentitiesCard userId={id} />}</Grid.Col>
            </Grid>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <ActivityTimeline userId={id} onLive={onLive} />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
