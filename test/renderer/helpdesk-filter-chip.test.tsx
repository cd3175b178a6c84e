// @vitest-environment jsdom
import { useState } from 'react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MantineProvider } from '@mantine/core';
import { FilterChip } from '../../desktop/renderer/src/components/FilterChip';
import { StatusBadge } from '../../desktop/renderer/src/components/StatusBadge';
import { shimJsdomForMantine } from '../support/jsdom-shims';

const OPTIONS = [
  { value: 'ACTIVE', label: 'Active' },
  { value: 'LOCKED', label: 'Locked' },
];

/** A chip wired to state the way FilterBar wires it, recording what it was told. */
function Harness({ seen, initial }: { seen: (string | null)[]; initial: string | null }) {
  const [value, setValue] = useState<string | null>(initial);
  return (
    <MantineProvider>
      <FilterChip
        label="Status"
        valueLabel={OPTIONS.find((o) => o.value === value)?.label ?? null}
        options={OPTIONS}
        onChange={(v) => {
          seen.push(v);
          setValue(v);
        }}
      />
    </MantineProvider>
  );
}

describe('a filter chip', () => {
  beforeAll(shimJsdomForMantine);
  afterEach(cleanup);

  it('reads "Status" when off, "Status: Locked" when on, and its clear button turns it off', async () => {
    const seen: (string | null)[] = [];
    render(<Harness seen={seen} initial={null} />);
    expect(screen.getByRole('button', { name: 'Status filter' }).textContent).toBe('Status');
    expect(screen.getByRole('button', { name: 'Status filter' }).getAttribute('aria-haspopup')).toBe('listbox');
    expect(screen.queryByRole('button', { name: 'Clear status filter' })).toBeNull();
    cleanup();

    render(<Harness seen={seen} initial="LOCKED" />);
    expect(screen.getByRole('button', { name: 'Status: Locked' }).textContent).toBe('Status: Locked');
    fireEvent.click(screen.getByRole('button', { name: 'Clear status filter' }));
    expect(seen).toEqual([null]);
    await waitFor(() => expect(screen.getByRole('button', { name: 'Status filter' })).toBeTruthy());
  });
});

describe('a status badge', () => {
  afterEach(cleanup);
  it('names the status in words and colours it', () => {
    render(
      <MantineProvider>
        <StatusBadge status="LOCKED" data-testid="b1" />
        <StatusBadge status="PENDING_EMAIL_VERIFICATION" data-testid="b2" />
      </MantineProvider>,
    );
    expect(screen.getByTestId('b1').textContent).toBe('Locked');
    expect(screen.getByTestId('b1').getAttribute('style')).toContain('orange');
    expect(screen.getByTestId('b2').textContent).toBe('Email unverified');
  });
});
