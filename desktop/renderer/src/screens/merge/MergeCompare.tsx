import { Badge, Group, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import type { UserResponse } from '../../../../../shared/schemas/user';
import { ExportUserButton } from '../export/ExportUserButton';
import { isChoice, MERGE_FIELDS, outcome, shownValue, type Choices, type Side } from './merge-fields';

const Value = ({ value, wins }: { value: string | null; wins: boolean }) =>
  value === null ? <Text size="sm" c="dimmed">—</Text> : <Text size="sm" fw={wins ? 600 : 400} td={wins ? undefined : 'line-through'} c={wins ? undefined : 'dimmed'}>{value}</Text>;

/** The two accounts side by side; for each field that differs, which side's value is kept. */
export function MergeCompare({ source, target, choices, onChoose }: { source: UserResponse; target: UserResponse; choices: Choices; onChoose(c: Choices): void }) {
  const groupsOf = (u: UserResponse) => (u.groups ?? []).map((g) => g.name).join(', ') || '—';
  return (
    <Table withTableBorder withColumnBorders aria-label="Accounts side by side" layout="fixed">
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={170}>Field</Table.Th>
          <Table.Th>
            <Stack gap={2}>
              <Group gap="xs"><Badge color="orange" variant="light">Merged away</Badge><ExportUserButton userId={source.id} email={source.email} size="compact-xs" /></Group>
              <Text size="sm">{source.email}</Text>
            </Stack>
          </Table.Th>
          <Table.Th w={190}>Keep</Table.Th>
          <Table.Th>
            <Stack gap={2}>
              <Group gap="xs"><Badge color="teal" variant="light">Kept</Badge><ExportUserButton userId={target.id} email={target.email} size="compact-xs" /></Group>
              <Text size="sm">{target.email}</Text>
            </Stack>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {MERGE_FIELDS.map(({ field, label }) => {
          const side: Side = choices[field] ?? 'target';
          const result = outcome(source, target, field, side);
          const choice = isChoice(source, target, field);
          const s = shownValue(source, field);
          const t = shownValue(target, field);
          return (
            <Table.Tr key={field}>
              <Table.Td><Text size="sm" fw={500}>{label}</Text></Table.Td>
              <Table.Td><Value value={s} wins={s !== null && s === result} /></Table.Td>
              <Table.Td>
                {choice && t !== null ? (
                  <SegmentedControl
                    size="xs"
                    fullWidth
                    aria-label={`Keep ${label} from`}
                    value={side}
                    onChange={(v) => onChoose({ ...choices, [field]: v as Side })}
                    data={[{ value: 'source', label: '← This' }, { value: 'target', label: 'That →' }]}
                  />
                ) : (
                  <Text size="xs" c="dimmed">{s === t ? (s === null ? 'both empty' : 'same') : s === null ? 'kept' : 'taken over'}</Text>
                )}
              </Table.Td>
              <Table.Td><Value value={t} wins={t !== null && t === result} /></Table.Td>
            </Table.Tr>
          );
        })}
        <Table.Tr>
          <Table.Td><Text size="sm" fw={500}>Groups</Text></Table.Td>
          <Table.Td><Text size="sm">{groupsOf(source)}</Text></Table.Td>
          <Table.Td><Text size="xs" c="dimmed">all moved →</Text></Table.Td>
          <Table.Td><Text size="sm">{groupsOf(target)}</Text></Table.Td>
        </Table.Tr>
        <Table.Tr>
          <Table.Td><Text size="sm" fw={500}>Status</Text></Table.Td>
          <Table.Td><Text size="sm">{source.status}</Text></Table.Td>
          <Table.Td><Text size="xs" c="dimmed">source is deleted</Text></Table.Td>
          <Table.Td><Text size="sm">{target.status}</Text></Table.Td>
        </Table.Tr>
        <Table.Tr>
          <Table.Td><Text size="sm" fw={500}>Last sign-in</Text></Table.Td>
          <Table.Td><Text size="sm">{source.last_login_at ? new Date(source.last_login_at).toLocaleString() : 'never'}</Text></Table.Td>
          <Table.Td />
          <Table.Td><Text size="sm">{target.last_login_at ? new Date(target.last_login_at).toLocaleString() : 'never'}</Text></Table.Td>
        </Table.Tr>
      </Table.Tbody>
    </Table>
  );
}
