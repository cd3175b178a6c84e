import { useState } from 'react';
import { Badge, Button, Checkbox, Group, MultiSelect, Stack, Table, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import { API_TOKEN_SCOPES } from '../../../../../shared/schemas/api-token';
import type { ApiToken } from '../../../../../shared/client/api-tokens-api';
import { confirmAction, formatDate, showSecretOnce } from './feedback';
import { FormModal, useFormSave, useRowAction } from './forms';

/** API tokens of the current tenant (SCIM provisioning, integrations): issue, see use, revoke. */
export function ApiTokensScreen() {
  const { client, can, tenantId } = useSession();
  const queryClient = useQueryClient();
  const [includeRevoked, setIncludeRevoked] = useState(false);
  const [creating, setCreating] = useState(false);
  const tokens = useQuery({
    queryKey: ['api-tokens', tenantId, includeRevoked],
    queryFn: () => client.apiTokens.list(tenantId!, { per_page: 100, include_revoked: includeRevoked }),
    enabled: !!tenantId,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['api-tokens'] });
  const revoke = useRowAction((t: ApiToken) => client.apiTokens.revoke(tenantId!, t.id), 'Token revoked', ['api-tokens']);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={3}>API tokens</Title>
        {can('api_tokens:write') && <Button onClick={() => setCreating(true)}>New token</Button>}
      </Group>
      <Checkbox label="Show revoked tokens" checked={includeRevoked} onChange={(e) => setIncludeRevoked(e.currentTarget.checked)} />
      <Table striped aria-label="API tokens">
        <Table.Thead>
          <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Scopes</Table.Th><Table.Th>Last used</Table.Th><Table.Th>Expires</Table.Th><Table.Th /></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(tokens.data?.data ?? []).map((t) => (
            <Table.Tr key={t.id}>
              <Table.Td>{t.name} {t.revoked_at && <Badge color="gray" size="xs">revoked</Badge>}</Table.Td>
              <Table.Td><Group gap={4}>{t.scopes.map((s) => <Badge key={s} variant="light" size="sm">{s}</Badge>)}</Group></Table.Td>
              <Table.Td>{formatDate(t.last_used_at)}</Table.Td>
              <Table.Td>{t.expires_at ? formatDate(t.expires_at) : 'never'}</Table.Td>
              <Table.Td>
                {can('api_tokens:write') && !t.revoked_at && (
                  <Button size="xs" variant="light" color="red" onClick={async () => (await confirmAction(`Revoke ${t.name}?`, 'Every client using this token is refused from now on.', 'Revoke')) && revoke.mutate(t)}>Revoke</Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {creating && <TokenForm onClose={() => setCreating(false)} onCreated={() => (setCreating(false), refresh())} />}
    </Stack>
  );
}

function TokenForm({ onClose, onCreated }: { onClose(): void; onCreated(): void }) {
  const { client, tenantId } = useSession();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['scim']);
  const [expiresAt, setExpiresAt] = useState('');
  const { errors, submit, busy } = useFormSave(
    () => client.apiTokens.create(tenantId!, { name, scopes: scopes as (typeof API_TOKEN_SCOPES)[number][], expires_at: expiresAt ? new Date(expiresAt).toISOString() : null }),
    (t) => (onCreated(), showSecretOnce(`Token ${t.name}`, 'This is the token to give the client (Bearer).', t.token ?? '')),
  );
  return (
    <FormModal title="New API token" submitLabel="Create" busy={busy} onClose={onClose} onSubmit={submit}>
      <TextInput label="Name" description="Who uses it, e.g. Entra ID provisioning" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} data-autofocus />
      <MultiSelect label="Scopes" data={[...API_TOKEN_SCOPES]} value={scopes} onChange={setScopes} error={errors.scopes} />
      <TextInput label="Expires" type="datetime-local" value={expiresAt} onChange={(e) => setExpiresAt(e.currentTarget.value)} error={errors.expires_at} />
    </FormModal>
  );
}
