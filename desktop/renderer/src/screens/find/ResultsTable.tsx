import { memo, useEffect, useRef } from 'react';
import { Box, Center, Loader, Table, Text, UnstyledButton } from '@mantine/core';
import { IconArrowDown, IconArrowUp } from '@tabler/icons-react';
import { flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { UserRow } from '../../../../../shared/client/users-api';
import { columns } from './columns';
import type { SortField } from './search-state';

const ROW_HEIGHT = 41;

interface ResultsTableProps {
  rows: UserRow[];
  selected: number;
  sortBy: SortField | null;
  sortOrder: 'asc' | 'desc';
  stale: boolean;
  hasMore: boolean;
  loadingMore: boolean;
  onSort(field: SortField): void;
  onSelect(index: number): void;
  onOpen(row: UserRow): void;
  onNeedMore(): void;
}

/**
 * Only the rows in view are in the DOM (a million-user directory scrolls like a short one);
 * nearing the end asks for the next page.
 */
export const ResultsTable = memo(function ResultsTable({ rows, selected, sortBy, sortOrder, stale, hasMore, loadingMore, onSort, onSelect, onOpen, onNeedMore }: ResultsTableProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel(), manualSorting: true, getRowId: (u) => u.id });
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1].index : -1;

  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= rows.length - 15) onNeedMore();
  }, [lastIndex, rows.length, hasMore, loadingMore, onNeedMore]);

  useEffect(() => {
    if (selected >= 0 && selected < rows.length) virtualizer.scrollToIndex(selected, { align: 'auto' });
  }, [selected, rows.length, virtualizer]);

  const before = items.length ? items[0].start : 0;
  const after = items.length ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;
  const tableRows = table.getRowModel().rows;

  return (
    <Box ref={scrollRef} style={{ overflow: 'auto', height: 'calc(100vh - 220px)', minHeight: 240, opacity: stale ? 0.6 : 1 }}>
      <Table stickyHeader highlightOnHover layout="fixed" aria-label="Users" aria-rowcount={rows.length} verticalSpacing={8}>
        <Table.Thead>
          {table.getHeaderGroups().map((group) => (
            <Table.Tr key={group.id}>
              {group.headers.map((header) => {
                const field = header.column.columnDef.meta?.sortField;
                const active = field && sortBy === field;
                const label = flexRender(header.column.columnDef.header, header.getContext());
                return (
                  <Table.Th
                    key={header.id}
                    style={{ width: header.column.columnDef.meta?.width }}
                    aria-sort={active ? (sortOrder === 'asc' ? 'ascending' : 'descending') : field ? 'none' : undefined}
                  >
                    {field ? (
                      <UnstyledButton onClick={() => onSort(field)} fw={700} fz="sm" style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}>
                        {label}
                        {active && (sortOrder === 'asc' ? <IconArrowUp size={14} /> : <IconArrowDown size={14} />)}
                      </UnstyledButton>
                    ) : (
                      label
                    )}
                  </Table.Th>
                );
              })}
            </Table.Tr>
          ))}
        </Table.Thead>
        <Table.Tbody>
          {before > 0 && <tr aria-hidden style={{ height: before }} />}
          {items.map((item) => {
            const row = tableRows[item.index];
            if (!row) return null;
            const isSelected = item.index === selected;
            return (
              <Table.Tr
                key={row.id}
                data-index={item.index}
                aria-selected={isSelected}
                bg={isSelected ? 'var(--mantine-primary-color-light)' : undefined}
                style={{ cursor: 'pointer', height: ROW_HEIGHT }}
                onMouseDown={() => onSelect(item.index)}
                onClick={() => onOpen(row.original)}
              >
                {row.getVisibleCells().map((cell) => (
                  <Table.Td key={cell.id} style={{ whiteSpace: 'nowrap', overflow: 'hidden' }}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </Table.Td>
                ))}
              </Table.Tr>
            );
          })}
          {after > 0 && <tr aria-hidden style={{ height: after }} />}
        </Table.Tbody>
      </Table>
      {loadingMore && (
        <Center py="xs">
          <Loader size="sm" aria-label="Loading more users" />
        </Center>
      )}
      {!hasMore && rows.length > 0 && (
        <Text ta="center" c="dimmed" size="xs" py="xs">
          End of the list
        </Text>
      )}
    </Box>
  );
});
