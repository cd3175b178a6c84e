import { createContext, useContext } from 'react';
import type { DesktopState } from '../../../shared/bridge';

export interface DesktopContextValue {
  state: DesktopState;
  switchMode(): Promise<void>;
}

/** Set by DesktopGate once a server is ready; absent in a plain browser. */
export const DesktopContext = createContext<DesktopContextValue | null>(null);

export function useDesktop(): DesktopContextValue | null {
  return useContext(DesktopContext);
}
