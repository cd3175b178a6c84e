import { useState } from 'react';
import { ActionIcon, Button, Combobox, Group, Loader, useCombobox } from '@mantine/core';
import { IconChevronDown, IconX } from '@tabler/icons-react';

export interface ChipOption {
  value: string;
  label: string;
}

interface FilterChipProps {
  /** What the chip filters by, e.g. "Status"; also its accessible name. */
  label: string;
  /** The chosen option's label, or null when the filter is off. */
  valueLabel: string | null;
  options: ChipOption[];
  onChange(value: string | null): void;
  /** With a search box: options come from the server as the user types (groups, OUs). */
  onSearch?(text: string): void;
  loading?: boolean;
  /** The first opening: the moment to load options that are not loaded up front. */
  onOpen?(): void;
}

/**
 * One filter as a chip: closed it reads "Status: Locked" with a clear button; open it lists the
 * options (searchable when `onSearch` is given), all by keyboard: arrows, Enter, Escape.
 */
export function FilterChip({ label, valueLabel, options, onChange, onSearch, loading, onOpen }: FilterChipProps) {
  const [search, setSearch] = useState('');
  const combobox = useCombobox({
    onDropdownClose: () => {
      combobox.resetSelectedOption();
      if (onSearch && search) {
        setSearch('');
        onSearch('');
      }
    },
    onDropdownOpen: () => {
      onOpen?.();
      if (onSearch) combobox.focusSearchInput();
      else combobox.selectFirstOption();
    },
  });
  const active = valueLabel !== null;
  return (
    <Group gap={0} wrap="nowrap">
      <Combobox
        store={combobox}
        width={260}
        position="bottom-start"
        onOptionSubmit={(value) => {
          onChange(value);
          combobox.closeDropdown();
        }}
      >
        <Combobox.Target targetType="button" withAriaAttributes={false}>
          <Button
            size="compact-sm"
            radius="xl"
            variant={active ? 'light' : 'default'}
            rightSection={active ? undefined : <IconChevronDown size={14} />}
            onClick={() => combobox.toggleDropdown()}
            aria-label={active ? `${label}: ${valueLabel}` : `${label} filter`}
            aria-haspopup="listbox"
            aria-expanded={combobox.dropdownOpened}
            style={active ? { borderTopRightRadius: 0, borderBottomRightRadius: 0 } : undefined}
          >
            {active ? `${label}: ${valueLabel}` : label}
          </Button>
        </Combobox.Target>
        <Combobox.Dropdown>
          {onSearch && (
            <Combobox.Search
              aria-label={`Search ${label.toLowerCase()}`}
              placeholder={`Search ${label.toLowerCase()}`}
              value={search}
              onChange={(e) => {
                setSearch(e.currentTarget.value);
                onSearch(e.currentTarget.value);
              }}
              rightSection={loading ? <Loader size="xs" /> : undefined}
            />
          )}
          <Combobox.Options aria-label={label} mah={280} style={{ overflowY: 'auto' }}>
            {options.length === 0 ? (
              <Combobox.Empty>{loading ? 'Loading…' : 'Nothing found'}</Combobox.Empty>
            ) : (
              options.map((o) => (
                <Combobox.Option value={o.value} key={o.value}>
                  {o.label}
                </Combobox.Option>
              ))
            )}
          </Combobox.Options>
        </Combobox.Dropdown>
      </Combobox>
      {active && (
        <ActionIcon
          variant="light"
          radius="xl"
          size={26}
          aria-label={`Clear ${label.toLowerCase()} filter`}
          onClick={() => onChange(null)}
          style={{ borderTopLeftRadius: 0, borderBottomLeftRadius: 0 }}
        >
          <IconX size={14} />
        </ActionIcon>
      )}
    </Group>
  );
}
