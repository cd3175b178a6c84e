import { Badge, Group, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import { SideCard } from './SideCard';

/** Accounts at identity providers (OIDC, SAML, LDAP) linked to the user. */
export function IdentitiesCard({ userId }: { userId: string }) {
  const { client, tenantId } = useSession();
  const identities = useQuery({
    queryKey: ['user-identities', tenantId, userId],
    queryFn: () => client.identities.forUser(tenantId!, userId),
    enabled: !!tenantId,
  });
  return (
    <SideCard title="Identities" loading={identities.isPending} error={identities.error} empty={identities.data?.length === 0 && 'No linked identity: signs in with a Roster password.'}>
      {identities.data?.map((i) => (
        <Group key={i.id} justify="space-between" wrap="nowrap">
          <Text size="sm" truncate>
            {i.provider_alias} · {i.external_username ?? i.subject}
          </Text>
          <Badge size="xs" variant="outline">{i.provider_type}</Badge>
        </Group>
      ))}
    </SideCard>
  );
}
