import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Alert, Button, Center, Group, Kbd, Loader, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch, IconUserPlus } from '@tabler/icons-react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useSession } from '../../auth/session';
import { FilterBar } from './FilterBar';
import { ResultsTable } from './ResultsTable';
import { nextSort, readSearchState, writeSearchState, type SearchState } from './search-state';
import { useUserSearch } from './use-user-search';

export const SEARCH_INPUT_ID = 'find-users-search';
const DEBOUNCE_MS = 150;

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
  const [text, setText] = useState(state.q);
  const [debounced] = useDebouncedValue(text, DEBOUNCE_MS);
  const [selected, setSelected] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);

  const update = useCallback(
    (patch: Partial<SearchState>) => setParams((current) => writeSearchState({ ...readSearchState(current), ...patch }), { replace: true }),
    [setParams],
  );
  useEffect(() => {
    if (debounced !== readSearchState(params).q) update({ q: debounced });
    // Only a settled keystroke writes the URL (and so starts a search).
  }, [debounced]);

  const search = useUserSearch(state);
  const { rows, total } = search;
  const searchKey = params.toString();
  useEffect(() => setSelected(0), [searchKey]);

  const open = (index: number) => {
    const row = rows[index];
    if (row) navigate(`/users/${row.id}`);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement;
    if (target !== inputRef.current && !target.dataset.results) return;
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setSelected((i) => Math.min(i + 1, rows.length - 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setSelected((i) => Math.max(i - 1, 0));
    } else if (event.key === 'PageDown') {
      event.preventDefault();
      setSelected((i) => Math.min(i + 10, rows.length - 1));
    } else if (event.key === 'PageUp') {
      event.preventDefault();
      setSelected((i) => Math.max(i - 10, 0));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      open(selected);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      if (text) {
        setText('');
        update({ q: '' });
      } else {
        update({ status: null, role: null, ou: null, group: null, mfa: null, source: null });
      }
      inputRef.current?.focus();
    }
  };

  const settled = debounced === text && !search.isPlaceholderData;
  return (
    <Stack gap="sm" onKeyDown={onKeyDown}>
      <Group justify="space-between">
        <Title order={3}>Find users</Title>
        {can('users:create') && (
          <Button component={Link} to="/users/new" leftSection={<IconUserPlus size={16} />} variant="light">
            New user
          </Button>
        )}
      </Group>
      <TextInput
        id={SEARCH_INPUT_ID}
        ref={inputRef}
        autoFocus
        size="md"
        label="Search users"
        placeholder="Name, email or username"
        description={
          <>
            <Kbd size="xs">/</Kbd> to search from anywhere, <Kbd size="xs">↑</Kbd> <Kbd size="xs">↓</Kbd> to choose, <Kbd size="xs">Enter</Kbd> to open, <Kbd size="xs">Esc</Kbd> to clear
          </>
        }
        leftSection={<IconSearch size={16} />}
        rightSection={search.isFetching && !search.isFetchingNextPage ? <Loader size="xs" aria-label="Searching" /> : undefined}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        autoComplete="off"
        spellCheck={false}
        aria-controls="find-users-results"
      />
      <FilterBar filters={state} onChange={update} />
      <Text size="sm" c="dimmed" aria-live="polite" data-testid="result-count">
        {total === null ? ' ' : `${total.toLocaleString()} ${total === 1 ? 'user' : 'users'}${settled ? '' : ' …'}`}
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
          <Text c="dimmed">{state.q || Object.values(state).some((v) => v !== null && v !== '' && v !== 'asc') ? 'No users match this search.' : 'This tenant has no users yet.'}</Text>
        </Center>
      ) : (
        <div id="find-users-results" data-results="true" tabIndex={-1}>
          <ResultsTable
            rows={rows}
            selected={selected}
            sort={state}
            stale={!settled}
            hasMore={!!search.hasNextPage}
            loadingMore={search.isFetchingNextPage}
            onSort={(field) => update(nextSort(state, field))}
            onSelect={setSelected}
            onOpen={(row) => navigate(`/users/${row.id}`)}
            onNeedMore={() => void search.fetchNextPage()}
          />
        </div>
      )}
    </Stack>
  );
}
