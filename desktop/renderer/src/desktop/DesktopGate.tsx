import { Fragment, useMemo, useState, type ReactNode } from 'react';
import { Button, Center, Loader, Stack, Text, Tooltip } from '@mantine/core';
import { IconSwitchHorizontal } from '@tabler/icons-react';
import type { RosterBridge } from '../../../shared/bridge';
import { DesktopContext, useDesktop } from './desktop-context';
import { GateFrame } from './GateFrame';
import { ProblemAlert } from './ProblemAlert';
import { LocalSetup } from './LocalSetup';
import { LocalStatus } from './LocalStatus';
import { ModeChooser } from './ModeChooser';
import { RemoteProfiles } from './RemoteProfiles';
import { useDesktopState } from './use-desktop-state';

/**
 * In the desktop app, nothing of the admin app shows until a server is ready: the mode chooser,
 * the local first-run form or the remote profiles come first. In a browser it is transparent.
 * The app below is keyed by mode and profile, so switching servers starts it afresh (its
 * session and tokens belong to one server).
 */
export function DesktopGate({ children }: { children: ReactNode }) {
  const bridge = typeof window === 'undefined' ? undefined : window.rosterDesktop;
  if (!bridge) return <>{children}</>;
  return <Gate bridge={bridge}>{children}</Gate>;
}

function Gate({ bridge, children }: { bridge: RosterBridge; children: ReactNode }) {
  const { state, busy, actionError, run, clearActionError } = useDesktopState(bridge);
  // The chooser's "Remote" opens the profiles before any remote mode is chosen.
  const [browsingRemote, setBrowsingRemote] = useState(false);
  const context = useMemo(() => (state ? {
    state,
    switchMode: async () => {
      setBrowsingRemote(false);
      await run((b) => b.switchMode());
    },
  } : null), [state, run]);

  if (!state || !context) {
    return actionError
      ? <GateFrame title="Roster cannot start"><ProblemAlert message={actionError} /></GateFrame>
      : (
        <Center mih="100vh">
          <Stack align="center" gap="xs">
            <Loader aria-label="Loading" />
            <Text size="sm" c="dimmed">Starting Roster…</Text>
          </Stack>
        </Center>
      );
  }

  const back = () => {
    setBrowsingRemote(false);
    clearActionError();
    void run((b) => b.switchMode());
  };

  if (state.ready) {
    return (
      <DesktopContext.Provider value={context}>
        <Fragment key={`${state.mode}:${state.activeProfileId ?? ''}`}>{children}</Fragment>
      </DesktopContext.Provider>
    );
  }

  if (state.mode === 'local') {
    if (state.needsSetup) {
      return <LocalSetup dataDir={state.dataDir} busy={busy} error={actionError ?? state.error} onSubmit={(admin) => void run((b) => b.setupLocal(admin))} onBack={back} />;
    }
    return <LocalStatus error={actionError ?? state.error} busy={busy} onRetry={() => void run((b) => b.chooseLocal())} onBack={back} />;
  }

  if (state.mode === 'remote' || browsingRemote) {
    return (
      <RemoteProfiles
        profiles={state.profiles}
        activeProfileId={state.activeProfileId}
        busy={busy}
        error={actionError ?? (state.mode === 'remote' ? state.error : null)}
        onConnect={(id) => void run((b) => b.chooseRemote(id))}
        onSave={(p) => run((b) => b.saveProfile(p))}
        onDelete={(id) => void run((b) => b.deleteProfile(id))}
        onBack={back}
      />
    );
  }

  return (
    <ModeChooser
      busy={busy}
      error={actionError ?? state.error}
      onLocal={() => void run((b) => b.chooseLocal())}
      onRemote={() => { clearActionError(); setBrowsingRemote(true); }}
    />
  );
}

/**
 * For the app's header: which server this is, and the way back to the chooser. Renders nothing
 * in a browser.
 */
export function SwitchModeButton() {
  const desktop = useDesktop();
  const [busy, setBusy] = useState(false);
  if (!desktop) return null;
  const { state } = desktop;
  const profile = state.profiles.find((p) => p.id === state.activeProfileId);
  const where = state.mode === 'local' ? 'This computer' : profile?.name ?? 'Remote server';
  const detail = state.mode === 'local' ? 'Roster runs inside this app' : profile?.url ?? '';
  return (
    <Tooltip label={`${detail}. Switch to another mode or server.`}>
      <Button
        size="xs"
        variant="default"
        leftSection={<IconSwitchHorizontal size={14} />}
        loading={busy}
        aria-label={`Connected to ${where}: switch`}
        onClick={() => {
          setBusy(true);
          void desktop.switchMode().finally(() => setBusy(false));
        }}
      >
        {where}
      </Button>
    </Tooltip>
  );
}
