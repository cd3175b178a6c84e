import { Table, Text } from '@mantine/core';
import type { ImportJobView } from '../../../../../shared/client/imports-api';

/** The rows the server refused, with their number in the file and the reason. */
export function RowErrors({ job }: { job: ImportJobView }) {
  if (!job.errors.length) return null;
  return (
    <>
      <Table striped withTableBorder aria-label="Row errors" maw={900}>
        <Table.Thead>
          <Table.Tr><Table.Th w={80}>Row</Table.Th><Table.Th w={180}>Column</Table.Th><Table.Th>Problem</Table.Th></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {job.errors.map((e, i) => (
            <Table.Tr key={`${e.row}-${i}`}>
              <Table.Td>{e.row}</Table.Td>
              <Table.Td>{e.field ?? '—'}</Table.Td>
              <Table.Td>{e.message}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed">
        Rows are counted from 1 for the first line after the header.{job.errors_truncated ? ' Only the first 100 errors are shown; the download has them all.' : ''}
      </Text>
    </>
  );
}
