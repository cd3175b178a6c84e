import { ScrollArea, Table, Text } from '@mantine/core';
import type { CsvPreview } from './csv-preview';

/** The first rows of the file as the browser read them. */
export function PreviewTable({ preview }: { preview: CsvPreview }) {
  return (
    <ScrollArea type="auto">
      <Table withTableBorder withColumnBorders striped aria-label="File preview" fz="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={50}>Row</Table.Th>
            {preview.header.map((h, i) => <Table.Th key={i}>{h || <Text span c="dimmed" size="xs">(blank)</Text>}</Table.Th>)}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {preview.rows.map((row, r) => (
            <Table.Tr key={r}>
              <Table.Td>{r + 1}</Table.Td>
              {preview.header.map((_, i) => <Table.Td key={i}>{row[i] ?? ''}</Table.Td>)}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {preview.rows.length === 0 && <Text size="sm" c="dimmed">The file has a header but no rows.</Text>}
    </ScrollArea>
  );
}
