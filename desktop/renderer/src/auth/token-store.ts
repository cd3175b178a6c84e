import type { RosterBridge, StoredTokens } from '../../../shared/bridge';

export type { StoredTokens };
type DesktopTokens = RosterBridge['tokens'];

const desktopTokens = (): DesktopTokens | undefined => window.rosterDesktop?.tokens;
const KEY = 'roster.session';

/**
 * Where the refresh token lives between launches: the desktop app keeps it encrypted by the
 * operating system (safeStorage, through the preload bridge); a browser keeps it for the tab's
 * life in sessionStorage. Never localStorage.
 */
export const tokenStore: DesktopTokens = {
  async load() {
    const desktop = desktopTokens();
    if (desktop) return desktop.load();
    try {
      const text = sessionStorage.getItem(KEY);
      return text ? (JSON.parse(text) as StoredTokens) : null;
    } catch {
      return null;
    }
  },
  async save(tokens) {
    const desktop = desktopTokens();
    if (desktop) return desktop.save(tokens);
    sessionStorage.setItem(KEY, JSON.stringify(tokens));
  },
  async clear() {
    const desktop = desktopTokens();
    if (desktop) return desktop.clear();
    sessionStorage.removeItem(KEY);
  },
};
