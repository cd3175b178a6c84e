import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import type { User } from '../../../../../shared/client/users-api';

export const userKey = (tenantId: string | null, id: string) => ['user', tenantId, id] as const;

/** The user with its groups (direct and inherited) and OU, in the tenant the screens work in. */
export function useUser(id: string) {
  const { client, tenantId } = useSession();
  return useQuery({
    queryKey: userKey(tenantId, id),
    queryFn: ({ signal }) => client.users.get(id, ['groups', 'ou'], tenantId ?? undefined, signal),
    enabled: !!tenantId,
    retry: (count, err) => count < 1 && (err as { status?: number }).status !== 404,
  });
}

/** After a change: the answer becomes the cached user at once, and lists showing it refresh. */
export function useUserChanged(id: string) {
  const { tenantId } = useSession();
  const queryClient = useQueryClient();
  return (updated?: User) => {
    if (updated) queryClient.setQueryData<User>(userKey(tenantId, id), (old) => ({ ...updated, groups: updated.groups ?? old?.groups, ou: updated.ou ?? old?.ou }));
    void queryClient.invalidateQueries({ queryKey: userKey(tenantId, id) });
    void queryClient.invalidateQueries({ queryKey: ['users', 'search'] });
  };
}
