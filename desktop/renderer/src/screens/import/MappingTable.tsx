import { Alert, Group, Select, Table, Text, TextInput } from '@mantine/core';
import type { CsvPreview } from './csv-preview';
import { IMPORT_FIELDS, validateMapping, type ColumnTarget } from './column-mapping';

const IGNORE = '__ignore';
const CUSTOM = '__custom';
const OPTIONS = [
  { group: 'Skip', items: [{ value: IGNORE, label: 'Ignore this column' }] },
  { group: 'User fields', items: IMPORT_FIELDS.map((f) => ({ value: f, label: f })) },
  { group: 'Other', items: [{ value: CUSTOM, label: 'Custom attribute…' }] },
];

const selectValue = (t: ColumnTarget) => (t.kind === 'field' ? t.field : t.kind === 'custom' ? CUSTOM : IGNORE);

/** One row per column of the file: its header, sample values, and what it is imported as. */
export function MappingTable({ preview, targets, onChange }: { preview: CsvPreview; targets: ColumnTarget[]; onChange(t: ColumnTarget[]): void }) {
  const problems = validateMapping(targets);
  const set = (i: number, t: ColumnTarget) => onChange(targets.map((old, j) => (j === i ? t : old)));
  return (
    <>
      <Table withTableBorder aria-label="Column mapping" maw={1000}>
        <Table.Thead>
          <Table.Tr><Table.Th w={60}>#</Table.Th><Table.Th>Column in the file</Table.Th><Table.Th>Sample values</Table.Th><Table.Th w={390}>Import as</Table.Th></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {preview.header.map((h, i) => {
            const t = targets[i];
            const name = h || `column ${i + 1}`;
            return (
              <Table.Tr key={i}>
                <Table.Td>{i + 1}</Table.Td>
                <Table.Td><Text size="sm" fw={500}>{h || <Text span c="dimmed">(blank)</Text>}</Text></Table.Td>
                <Table.Td><Text size="xs" c="dimmed" lineClamp={2}>{preview.rows.map((r) => r[i]).filter(Boolean).slice(0, 3).join(' · ') || '—'}</Text></Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap" align="flex-start">
                    <Select
                      aria-label={`Import ${name} as`}
                      data={OPTIONS}
                      value={selectValue(t)}
                      allowDeselect={false}
                      searchable
                      w={t.kind === 'custom' ? 165 : 360}
                      error={t.kind !== 'custom' ? problems.columns[i] : undefined}
                      onChange={(v) => set(i, v === IGNORE || !v ? { kind: 'ignore' } : v === CUSTOM ? { kind: 'custom', name: t.kind === 'custom' ? t.name : h.replace(/[^A-Za-z0-9_.-]+/g, '_') } : { kind: 'field', field: v as (typeof IMPORT_FIELDS)[number] })}
                    />
                    {t.kind === 'custom' && (
                      <TextInput
                        aria-label={`Custom attribute name for ${name}`}
                        placeholder="attribute"
                        leftSection={<Text size="xs" c="dimmed">custom.</Text>}
                        leftSectionWidth={64}
                        styles={{ input: { paddingInlineStart: 64 } }}
                        value={t.name}
                        error={problems.columns[i]}
                        onChange={(e) => set(i, { kind: 'custom', name: e.currentTarget.value })}
                        w={190}
                      />
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {problems.overall.map((p) => <Alert key={p} color="orange" role="alert">{p}</Alert>)}
    </>
  );
}
