// @vitest-environment jsdom
import { useEffect } from 'react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MantineProvider } from '@mantine/core';
import type { ConnectionProfile, DesktopState, RosterBridge, StoredTokens } from '../../desktop/shared/bridge';
import { DesktopGate, SwitchModeButton } from '../../desktop/renderer/src/desktop/DesktopGate';
import { shimJsdomForMantine } from '../support/jsdom-shims';

beforeAll(shimJsdomForMantine);

afterEach(() => {
  cleanup();
  delete window.rosterDesktop;
});

/** The bridge as main answers it, in memory, recording each call. */
function fakeBridge(initial: Partial<DesktopState> = {}, behaviour: { setupError?: string; remoteError?: string; localReady?: boolean } = {}) {
  const calls: string[] = [];
  let state: DesktopState = { mode: null, ready: false, needsSetup: false, profiles: [], activeProfileId: null, error: null, dataDir: '/home/ann/.config/Roster/data', ...initial };
  const answer = (change: Partial<DesktopState>) => { state = { ...state, ...change }; return Promise.resolve({ ...state }); };
  const bridge: RosterBridge = {
    state: () => { calls.push('state'); return Promise.resolve({ ...state }); },
    chooseLocal: () => { calls.push('chooseLocal'); return answer({ mode: 'local', needsSetup: !behaviour.localReady, ready: !!behaviour.localReady, error: null }); },
    setupLocal: (admin) => {
      calls.push(`setupLocal:${admin.email}:${admin.password}`);
      return behaviour.setupError ? answer({ error: behaviour.setupError }) : answer({ ready: true, needsSetup: false, error: null });
    },
    saveProfile: (p) => {
      calls.push(`saveProfile:${p.name}:${p.url}`);
      if (p.url.includes('bad')) return Promise.reject(new Error("Error invoking remote method 'roster:save-profile': Error: Invalid request to roster:save-profile: url: The URL must start with https:// or http://"));
      const profiles: ConnectionProfile[] = p.id ? state.profiles.map((x) => (x.id === p.id ? { id: p.id, name: p.name, url: p.url } : x)) : [...state.profiles, { id: `p${state.profiles.length + 1}`, name: p.name, url: p.url }];
      return answer({ profiles });
    },
    deleteProfile: (id) => { calls.push(`deleteProfile:${id}`); return answer({ profiles: state.profiles.filter((p) => p.id !== id) }); },
    chooseRemote: (id) => {
      calls.push(`chooseRemote:${id}`);
      return behaviour.remoteError
        ? answer({ mode: 'remote', activeProfileId: id, ready: false, error: behaviour.remoteError })
        : answer({ mode: 'remote', activeProfileId: id, ready: true, error: null });
    },
    switchMode: () => { calls.push('switchMode'); return answer({ mode: null, ready: false, needsSetup: false, error: null }); },
    tokens: { load: async () => null as StoredTokens | null, save: async () => undefined, clear: async () => undefined },
    files: { save: async () => null },
  };
  window.rosterDesktop = bridge;
  return { bridge, calls };
}

function renderGate() {
  return render(
    <MantineProvider>
      <DesktopGate>
        <header><SwitchModeButton /></header>
        <main>The admin app</main>
      </DesktopGate>
    </MantineProvider>,
  );
}

const type = (label: RegExp | string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

describe('DesktopGate', () => {
  it('in a browser (no bridge) shows the app as it is, without a switch button', () => {
    renderGate();
    expect(screen.getByText('The admin app')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /switch/i })).toBeNull();
  });

  it('first start: choose Local, create the administrator, then the app', async () => {
    const { calls } = fakeBridge();
    renderGate();
    fireEvent.click(await screen.findByRole('button', { name: 'Use Local' }));
    expect(await screen.findByText('Create the administrator')).toBeTruthy();
    expect(screen.getByText(/\.config\/Roster\/data/)).toBeTruthy();
    expect(screen.queryByText('The admin app')).toBeNull();

    // Invalid input is shown on the fields and nothing is sent.
    type(/^Email/, 'not-an-email');
    type(/^Password/, 'short');
    type(/Repeat the password/, 'other');
    fireEvent.click(screen.getByRole('button', { name: 'Create and start' }));
    expect(await screen.findByText('Enter a valid email address')).toBeTruthy();
    expect(screen.getByText('At least 8 characters')).toBeTruthy();
    expect(screen.getByText('The passwords do not match')).toBeTruthy();
    expect(calls.some((c) => c.startsWith('setupLocal'))).toBe(false);

    type(/^Email/, 'ann@example.com');
    type(/^Password/, 'long-enough-pass');
    type(/Repeat the password/, 'long-enough-pass');
    fireEvent.click(screen.getByRole('button', { name: 'Create and start' }));
    expect(await screen.findByText('The admin app')).toBeTruthy();
    expect(calls).toContain('setupLocal:ann@example.com:long-enough-pass');
    expect(screen.getByRole('button', { name: /Connected to This computer: switch/ })).toBeTruthy();
  });

  it('shows why the local server did not start, on the setup form', async () => {
    fakeBridge({ mode: 'local', needsSetup: true }, { setupError: 'The local server stopped before it was ready. It said: Error: disk full' });
    renderGate();
    type(await screen.findByLabelText(/^Email/).then(() => /^Email/), 'ann@example.com');
    type(/^Password/, 'long-enough-pass');
    type(/Repeat the password/, 'long-enough-pass');
    fireEvent.click(screen.getByRole('button', { name: 'Create and start' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/disk full/);
    expect(screen.queryByText('The admin app')).toBeNull();
  });

  it('a local server that fails at launch offers to try again or choose another mode', async () => {
    const { calls } = fakeBridge({ mode: 'local', error: 'The local server did not get ready in time.' });
    renderGate();
    expect((await screen.findByRole('alert')).textContent).toMatch(/did not get ready in time/);
    fireEvent.click(screen.getByRole('button', { name: 'Choose another mode' }));
    expect(await screen.findByRole('button', { name: 'Use Local' })).toBeTruthy();
    expect(calls).toContain('switchMode');
  });

  it('remote: add a profile (URL checked), connect, and switch back to the chooser', async () => {
    const { calls } = fakeBridge();
    renderGate();
    fireEvent.click(await screen.findByRole('button', { name: 'Connect to a server' }));
    // No profiles yet: the form is open.
    type(/^Name/, 'Head office');
    type(/^Server URL/, 'ftp://roster.example.com');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('The URL must start with https:// or http://')).toBeTruthy();
    expect(calls.some((c) => c.startsWith('saveProfile'))).toBe(false);

    type(/^Server URL/, 'http://10.1.2.3:8080');
    expect(screen.getByText('Unencrypted connection')).toBeTruthy();
    type(/^Server URL/, 'https://roster.example.com');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const list = await screen.findByRole('list', { name: 'Saved servers' });
    expect(within(list).getByText('Head office')).toBeTruthy();
    expect(within(list).getByText('https://roster.example.com')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Connect to Head office' }));
    expect(await screen.findByText('The admin app')).toBeTruthy();
    expect(calls).toContain('chooseRemote:p1');

    fireEvent.click(screen.getByRole('button', { name: /Connected to Head office: switch/ }));
    expect(await screen.findByRole('button', { name: 'Use Local' })).toBeTruthy();
    expect(screen.queryByText('The admin app')).toBeNull();
  });

  it('remote: shows the server error main reports, and edits and deletes profiles', async () => {
    const { calls } = fakeBridge(
      { mode: 'remote', profiles: [{ id: 'p1', name: 'Branch', url: 'https://branch.example.com' }], activeProfileId: 'p1', error: 'Cannot reach Branch (https://branch.example.com): ECONNREFUSED' },
    );
    renderGate();
    expect((await screen.findByRole('alert')).textContent).toMatch(/ECONNREFUSED/);

    fireEvent.click(screen.getByRole('button', { name: 'Edit Branch' }));
    type(/^Name/, 'Branch office');
    type(/^Server URL/, 'https://bad.example.com');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    // main's refusal, without Electron's "Error invoking remote method" wrapping.
    const refusal = await screen.findByText('url: The URL must start with https:// or http://');
    expect(refusal.textContent).not.toMatch(/invoking remote method/);

    type(/^Server URL/, 'https://branch2.example.com');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('https://branch2.example.com')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Delete Branch office' }));
    expect(calls.some((c) => c.startsWith('deleteProfile'))).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(calls).toContain('deleteProfile:p1'));
    await waitFor(() => expect(screen.queryByRole('list', { name: 'Saved servers' })).toBeNull());
  });

  it('notices a local server that stopped while the app was open, and offers to start it again', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const { bridge, calls } = fakeBridge({ mode: 'local', ready: true }, { localReady: true });
      renderGate();
      expect(await screen.findByText('The admin app')).toBeTruthy();
      const crashed: DesktopState = { ...(await bridge.state()), ready: false, error: 'The local server stopped unexpectedly (exit code 1).' };
      bridge.state = async () => crashed;
      await vi.advanceTimersByTimeAsync(5000);
      expect((await screen.findByRole('alert')).textContent).toMatch(/stopped unexpectedly/);
      expect(screen.queryByText('The admin app')).toBeNull();
      fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
      expect(await screen.findByText('The admin app')).toBeTruthy();
      expect(calls).toContain('chooseLocal');
    } finally {
      vi.useRealTimers();
    }
  });

  it('starts the app afresh when the server changes (its session belongs to one server)', async () => {
    fakeBridge({ mode: 'local', ready: true }, { localReady: true });
    let mounts = 0;
    function Probe() {
      useEffect(() => { mounts += 1; }, []);
      return <span>probe</span>;
    }
    render(
      <MantineProvider>
        <DesktopGate><SwitchModeButton /><Probe /></DesktopGate>
      </MantineProvider>,
    );
    expect(await screen.findByText('probe')).toBeTruthy();
    expect(mounts).toBe(1);
    fireEvent.click(screen.getByRole('button', { name: /Connected to This computer: switch/ }));
    fireEvent.click(await screen.findByRole('button', { name: 'Use Local' }));
    expect(await screen.findByText('probe')).toBeTruthy();
    expect(mounts).toBe(2);
  });
});
