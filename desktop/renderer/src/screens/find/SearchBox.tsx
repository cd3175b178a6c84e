import { forwardRef, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Kbd, Loader, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';

export const SEARCH_INPUT_ID = 'find-users-search';
const DEBOUNCE_MS = 150;

interface SearchBoxProps {
  /** The search in force (from the URL); the box follows it when it changes from outside. */
  value: string;
  busy: boolean;
  /** A settled keystroke: ~150 ms without typing. */
  onSearch(q: string): void;
  /** Arrows, Enter, Escape on an empty box: the result list's keys. */
  onListKey(event: KeyboardEvent<HTMLInputElement>): void;
}

/**
 * The search box keeps what is typed to itself, so a keystroke re-renders only the box; the
 * screen hears of it once typing pauses.
 */
export const SearchBox = forwardRef<HTMLInputElement, SearchBoxProps>(function SearchBox({ value, busy, onSearch, onListKey }, ref) {
  const [text, setText] = useState(value);
  const [debounced] = useDebouncedValue(text, DEBOUNCE_MS);
  // What this box last asked for: a `value` that differs came from outside (Back, a nav link).
  const sent = useRef(value);
  const search = (q: string) => {
    sent.current = q;
    onSearch(q);
  };
  useEffect(() => {
    if (debounced !== sent.current) search(debounced);
  }, [debounced]);
  useEffect(() => {
    if (value !== sent.current) {
      sent.current = value;
      setText(value);
    }
  }, [value]);

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Escape' && text) {
      event.preventDefault();
      setText('');
      search('');
      return;
    }
    if (['ArrowDown', 'ArrowUp', 'PageDown', 'PageUp', 'Enter', 'Escape'].includes(event.key)) onListKey(event);
  };
  return (
    <TextInput
      id={SEARCH_INPUT_ID}
      ref={ref}
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
      rightSection={busy ? <Loader size="xs" aria-label="Searching" /> : undefined}
      value={text}
      onChange={(e) => setText(e.currentTarget.value)}
      onKeyDown={onKeyDown}
      autoComplete="off"
      spellCheck={false}
      aria-controls="find-users-results"
    />
  );
});
