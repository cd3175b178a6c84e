import { useCallback, useEffect, useRef, useState } from 'react';
import type { DesktopState, RosterBridge } from '../../../shared/bridge';
import { bridgeErrorMessage } from './bridge-errors';

export interface DesktopStateHandle {
  state: DesktopState | null;
  /** An action is under way (starting the server, connecting). */
  busy: boolean;
  /** The last action's refusal (invalid input), apart from state.error (the server's own trouble). */
  actionError: string | null;
  run(action: (bridge: RosterBridge) => Promise<DesktopState>): Promise<boolean>;
  clearActionError(): void;
}

/** How often a ready app checks that its server is still there (a crashed local server shows up). */
const WATCH_MS = 5000;

export function useDesktopState(bridge: RosterBridge): DesktopStateHandle {
  const [state, setState] = useState<DesktopState | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    bridge.state().then((s) => mounted.current && setState(s), (e: unknown) => mounted.current && setActionError(bridgeErrorMessage(e)));
    return () => { mounted.current = false; };
  }, [bridge]);

  const ready = state?.ready ?? false;
  useEffect(() => {
    if (!ready) return undefined;
    const timer = setInterval(() => {
      bridge.state().then((s) => {
        if (mounted.current && !s.ready) setState(s);
      }, () => undefined);
    }, WATCH_MS);
    return () => clearInterval(timer);
  }, [bridge, ready]);

  const run = useCallback(async (action: (b: RosterBridge) => Promise<DesktopState>) => {
    setBusy(true);
    setActionError(null);
    try {
      const next = await action(bridge);
      if (mounted.current) setState(next);
      return true;
    } catch (e) {
      if (mounted.current) setActionError(bridgeErrorMessage(e));
      return false;
    } finally {
      if (mounted.current) setBusy(false);
    }
  }, [bridge]);

  return { state, busy, actionError, run, clearActionError: () => setActionError(null) };
}
