import { Badge, Text } from '@mantine/core';
import { createColumnHelper } from '@tanstack/react-table';
import type { UserRow } from '../../../../../shared/client/users-api';
import { StatusBadge } from '../../components/StatusBadge';
import { ROLE_LABELS } from '../../components/roles';
import { formatDateTime } from '../../components/notify';
import type { SortField } from './search-state';
import { nameOf } from '../../components/user-name';

declare module '@tanstack/react-table' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the generic parameters must match the library's declaration
  interface ColumnMeta<TData, TValue> {
    /** The server's sort_by for this column, when it can be sorted. */
    sortField?: SortField;
    width?: string;
  }
}


const col = createColumnHelper<UserRow>();

/** The result table's columns; those with `sortField` sort on the server when their header is clicked. */
export const columns = [
  col.accessor((u) => nameOf(u), { id: 'name', header: 'Name', meta: { sortField: 'last_name', width: '18%' }, cell: (c) => <Text size="sm" fw={500} truncate>{c.getValue()}</Text> }),
  col.accessor('email', { header: 'Email', meta: { sortField: 'email', width: '22%' }, cell: (c) => <Text size="sm" truncate>{c.getValue()}</Text> }),
  col.accessor('username', { header: 'Username', meta: { sortField: 'username', width: '11%' }, cell: (c) => <Text size="sm" truncate>{c.getValue() ?? '—'}</Text> }),
  col.accessor('status', { header: 'Status', meta: { sortField: 'status', width: '11%' }, cell: (c) => <StatusBadge status={c.getValue()} size="sm" /> }),
  col.accessor('role', { header: 'Role', meta: { width: '9%' }, cell: (c) => <Text size="sm">{ROLE_LABELS[c.getValue()]}</Text> }),
  col.accessor('ou_path', { header: 'OU', meta: { width: '10%' }, cell: (c) => <Text size="sm" truncate>{c.getValue() ?? '—'}</Text> }),
  col.accessor('identity_source', { header: 'Source', meta: { width: '6%' }, cell: (c) => <Text size="sm">{c.getValue()}</Text> }),
  col.accessor('mfa_enabled', {
    header: 'MFA',
    meta: { width: '5%' },
    cell: (c) => (c.getValue() ? <Badge size="xs" color="teal" variant="light">on</Badge> : <Text size="sm" c="dimmed">off</Text>),
  }),
  col.accessor('last_login_at', { header: 'Last sign-in', meta: { sortField: 'last_login_at', width: '12%' }, cell: (c) => <Text size="sm" truncate>{formatDateTime(c.getValue())}</Text> }),
];
