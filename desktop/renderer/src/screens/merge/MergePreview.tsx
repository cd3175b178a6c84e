import { Alert, Box, List, Stack, Table, Text } from '@mantine/core';
import type { MergePlanView } from '../../../../../shared/client/merge-api';
import type { UserResponse } from '../../../../../shared/schemas/user';
import { labelOf } from './merge-fields';

const show = (v: unknown) => (v === null || v === undefined || v === '' ? '—' : String(v));

/** Exactly what the server says the merge changes (a dry run), or changed. */
export function MergePreview({ plan, source }: { plan: MergePlanView; source: UserResponse }) {
  const groupName = (id: string) => source.groups?.find((g) => g.group_id === id)?.name ?? id;
  const changes = Object.entries(plan.profile_changes);
  return (
    <Box component="section" aria-label="Merge preview">
    <Alert color={plan.dry_run ? 'blue' : 'teal'} title={plan.dry_run ? 'What the merge will do' : 'Merged'}>
      <Stack gap="xs">
        {changes.length === 0 ? (
          <Text size="sm">The kept account's profile stays as it is.</Text>
        ) : (
          <Table aria-label="Profile changes" withRowBorders={false}>
            <Table.Tbody>
              {changes.map(([field, change]) => (
                <Table.Tr key={field}>
                  <Table.Td w={170}><Text size="sm" fw={500}>{labelOf(field)}</Text></Table.Td>
                  <Table.Td><Text size="sm">{show(change.from)} → <b>{show(change.to)}</b></Text></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <List size="sm" spacing={2}>
          <List.Item>Groups moved: {plan.groups_moved.length ? plan.groups_moved.map(groupName).join(', ') : 'none'}</List.Item>
          <List.Item>Application assignments moved: {plan.applications_moved.length}</List.Item>
          <List.Item>Federated identities moved: {plan.identities_moved.length}</List.Item>
          {plan.custom_attributes_added.length > 0 && <List.Item>Custom attributes added: {plan.custom_attributes_added.join(', ')}</List.Item>}
          <List.Item>Sessions of the merged-away account ended: {plan.sessions_revoked}</List.Item>
          {plan.source_deleted && <List.Item>The merged-away account is deleted; its history stays with the kept one.</List.Item>}
        </List>
      </Stack>
    </Alert>
    </Box>
  );
}
