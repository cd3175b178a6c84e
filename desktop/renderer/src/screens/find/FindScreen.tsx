import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Alert, Button, Center, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { IconUserPlus } from '@tabler/icons-react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useSession } from '../../auth/session';
import type { UserRow } from '../../../../../shared/client/users-api';
import { FilterBar } from './FilterBar';
import { ResultsTable } from './ResultsTable';
import { SearchBox } from './SearchBox';
import { nextSort, readSearchState, writeSearchState, type SearchState, type SortField } from './search-state';
import { useUserSearch } from './use-user-search';

const NO_FILTERS = { status: null, role: null, ou: null, group: null, mfa: null, source: null } as const;

/**
 * Find: one search box, results as you type, filters as chips, sort by column; arrows move
 * the selection, Enter opens the user, Escape clears. The state lives in the URL, so Back from
 * a user returns to the same list.
 */
export function FindScreen() {
  const { can } = useSession();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const state = readSearchState(params);
  const [selected, setSelected] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);

  const update = useCallback(
    (patch: Partial<SearchState>) => setParams((current) => writeSearchState({ ...readSearchState(current), ...patch }), { replace: true }),
    [setParams],
  );
  const search = useUserSearch(state);
  const { rows, total } = search;
  const searchKey = params.toString();
  useEffect(() => setSelected(0), [searchKey]);

  // Stable callbacks: a keystroke or a selection move must not re-render every row.
  const latest = useRef({ rows, selected, state });
  latest.current = { rows, selected, state };
  const openRow = useCallback((row: UserRow) => navigate(`/users/${row.id}`), [navigate]);
  const onSort = useCallback((field: SortField) => update(nextSort(latest.current.state, field)), [update]);
  const onSearch = useCallback((q: string) => update({ q }), [update]);
  const { fetchNextPage } = search;
  const onNeedMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);

  const onListKey = useCallback(
    (event: KeyboardEvent) => {
      const { rows: list, selected: current } = latest.current;
      const last = list.length - 1;
      const move = (to: number) => (event.preventDefault(), setSelected(Math.max(0, Math.min(to, last))));
      if (event.key === 'ArrowDown') move(current + 1);
      else if (event.key === 'ArrowUp') move(current - 1);
      else if (event.key === 'PageDown') move(current + 10);
      else if (event.key === 'PageUp') move(current - 10);
      else if (event.key === 'Enter') {
        event.preventDefault();
        if (list[current]) openRow(list[current]);
      } else if (event.key === 'Escape') {
        event.preventDefault();
        update(NO_FILTERS);
        inputRef.current?.focus();
      }
    },
    [openRow, update],
  );

  const filtered = Object.keys(NO_FILTERS).some((k) => state[k as keyof typeof NO_FILTERS] !== null);
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={3}>Find users</Title>
        {can('users:create') && (
          <Button component={Link} to="/users/new" leftSection={<IconUserPlus size={16} />} variant="light">
            New user
          </Button>
        )}
      </Group>
      <SearchBox ref={inputRef} value={state.q} busy={search.isFetching && !search.isFetchingNextPage} onSearch={onSearch} onListKey={onListKey} />
      <FilterBar filters={state} onChange={update} />
      <Text size="sm" c="dimmed" aria-live="polite" data-testid="result-count">
        {total === null ? ' ' : `${total.toLocaleString()} ${total === 1 ? 'user' : 'users'}${search.isPlaceholderData ? ' …' : ''}`}
      </Text>
      {search.isError ? (
        <Alert color="red" role="alert" title="The search failed">
          {search.error.message}
        </Alert>
      ) : search.isPending ? (
        <Center py="xl">
          <Loader aria-label="Loading users" />
        </Center>
      ) : rows.length === 0 ? (
        <Center py="xl">
          <Text c="dimmed">{state.q || filtered ? 'No users match this search.' : 'This tenant has no users yet.'}</Text>
        </Center>
      ) : (
        <div id="find-users-results" tabIndex={-1} onKeyDown={(e) => e.target === e.currentTarget && onListKey(e)}>
          <ResultsTable
            rows={rows}
            selected={selected}
            sortBy={state.sortBy}
            sortOrder={state.sortOrder}
            stale={search.isPlaceholderData}
            hasMore={!!search.hasNextPage}
            loadingMore={search.isFetchingNextPage}
            onSort={onSort}
            onSelect={setSelected}
            onOpen={openRow}
            onNeedMore={onNeedMore}
          />
        </div>
      )}
    </Stack>
  );
}
