import { useState } from 'react';
import { CloseButton, Combobox, InputBase, Loader, Text, useCombobox } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useSession } from '../../auth/session';
import type { UserListItem } from '../../../../../shared/schemas/user';

export type PickedUser = Pick<UserListItem, 'id' | 'email' | 'display_name' | 'first_name' | 'last_name' | 'status'>;

export const userLabel = (u: PickedUser) => {
  const name = u.display_name || [u.first_name, u.last_name].filter(Boolean).join(' ');
  return name ? `${name} <${u.email}>` : u.email;
};

/**
 * A search box over POST /api/v1/users/search that picks one user: type a few letters of a name
 * or address, arrows to move, Enter to choose, Escape to close.
 */
export function UserPicker({ label, value, onChange, excludeId, placeholder = 'Name or email' }: {
  label: string;
  value: PickedUser | null;
  onChange(user: PickedUser | null): void;
  excludeId?: string;
  placeholder?: string;
}) {
  const { client, tenantId } = useSession();
  const combobox = useCombobox({ onDropdownClose: () => combobox.resetSelectedOption() });
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 200);
  const results = useQuery({
    queryKey: ['users', 'picker', tenantId, debounced],
    queryFn: ({ signal }) => client.users.search({ q: debounced, per_page: 10, sort_by: 'display_name' }, tenantId ?? undefined, signal),
    enabled: !value && debounced.length >= 2,
    placeholderData: keepPreviousData,
  });
  const options = (results.data?.data ?? []).filter((u) => u.id !== excludeId);

  return (
    <Combobox
      store={combobox}
      onOptionSubmit={(id) => {
        const user = options.find((u) => u.id === id);
        if (user) onChange(user);
        setSearch('');
        combobox.closeDropdown();
      }}
    >
      <Combobox.Target>
        <InputBase
          label={label}
          placeholder={placeholder}
          value={value ? userLabel(value) : search}
          readOnly={!!value}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            combobox.openDropdown();
            combobox.updateSelectedOptionIndex();
          }}
          onFocus={() => !value && combobox.openDropdown()}
          onBlur={() => combobox.closeDropdown()}
          rightSection={
            value ? (
              <CloseButton size="sm" aria-label={`Clear ${label}`} onMouseDown={(e) => e.preventDefault()} onClick={() => onChange(null)} />
            ) : results.isFetching ? (
              <Loader size="xs" />
            ) : null
          }
          rightSectionPointerEvents={value ? 'all' : 'none'}
        />
      </Combobox.Target>
      <Combobox.Dropdown hidden={!!value || debounced.length < 2}>
        <Combobox.Options aria-label={`${label} results`}>
          {options.map((u) => (
            <Combobox.Option value={u.id} key={u.id}>
              <Text size="sm">{userLabel(u)}</Text>
              <Text size="xs" c="dimmed">{u.status}</Text>
            </Combobox.Option>
          ))}
          {results.isError && <Combobox.Empty>The search failed; try again.</Combobox.Empty>}
          {results.isSuccess && options.length === 0 && <Combobox.Empty>Nobody matches “{debounced}”.</Combobox.Empty>}
        </Combobox.Options>
      </Combobox.Dropdown>
    </Combobox>
  );
}
