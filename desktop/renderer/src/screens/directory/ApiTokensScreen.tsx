import { useState } from 'react';
import { Badge, Button, Checkbox, Group, Modal, MultiSelect, Stack, Table, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import { API_TOKEN_SCOPES } from '../../../../../shared/schemas/api-token';
import type { ApiToken } from '../../../../../shared/client/api-tokens-api';
import { confirmAction, fieldErrorsOf, formatDate, notifyDone, notifyError, showSecretOnce } from './feedback';

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
  const revoke = useMutation({
    mutationFn: (t: ApiToken) => client.apiTokens.revoke(tenantId!, t.id),
    onSuccess: () => (notifyDone('Token revoked'), refresh()),
    onError: (err) => notifyError(err),
  });
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
  const [errors, setErrors] = useState<Record<string, string>>({});
  const create = useMutation({
    mutationFn: () =>
      client.apiTokens.create(tenantId!, { name, scopes: scopes as (typeof API_TOKEN_SCOPES)[number][], expires_at: expiresAt ? new Date(expiresAt).toISOString() : null }),
    onSuccess: (t) => (onCreated(), showSecretOnce(`Token ${t.name}`, 'This is the token to give the client (Bearer).', t.token ?? '')),
    onError: (err) => (setErrors(fieldErrorsOf(err)), Object.keys(fieldErrorsOf(err)).length === 0 && notifyError(err)),
  });
  return (
    <Modal opened onClose={onClose} title="New API token">
      <Stack component="form" onSubmit={(e) => (e.preventDefault(), create.mutate())}>
        <TextInput label="Name" description="Who uses it, e.g. Entra ID provisioning" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} data-autofocus />
        <MultiSelect label="Scopes" data={[...API_TOKEN_SCOPES]} value={scopes} onChange={setScopes} error={errors.scopes} />
        <TextInput label="Expires" type="datetime-local" value={expiresAt} onChange={(e) => setExpiresAt(e.currentTarget.value)} error={errors.expires_at} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button type="submit" loading={create.isPending}>Create</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
