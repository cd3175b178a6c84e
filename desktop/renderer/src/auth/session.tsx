import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { createRosterClient, type RosterClient } from '../../../../shared/client';
import type { PasswordSignIn, Tokens } from '../../../../shared/client/auth-api';
import type { UserResponse } from '../../../../shared/schemas/user';
import { roleCan, type Permission } from '../../../../shared/permissions';
import { tokenStore, type StoredTokens } from './token-store';

export interface Session {
  status: 'loading' | 'signed-out' | 'signed-in';
  user: UserResponse | null;
  client: RosterClient;
  /** The tenant the screens work in: the user's own, or the one a super or partner admin picked. */
  tenantId: string | null;
  setTenantId(id: string): void;
  /** Whether the signed-in person's role holds the permission (the server's own table). */
  can(permission: Permission): boolean;
  signIn(input: PasswordSignIn): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

const REFRESH_AHEAD_MS = 60_000;
const toStored = (t: Tokens): StoredTokens => ({ access_token: t.access_token, refresh_token: t.refresh_token ?? '', expires_at: Date.now() + t.expires_in * 1000 });

export function SessionProvider({ children }: { children: ReactNode }) {
  const tokens = useRef<StoredTokens | null>(null);
  const refreshing = useRef<Promise<boolean> | null>(null);
  const [status, setStatus] = useState<Session['status']>('loading');
  const [user, setUser] = useState<UserResponse | null>(null);
  const [tenantId, setTenantId] = useState<string | null>(null);
  const [expiresAt, setExpiresAt] = useState<number | null>(null);

  const client = useMemo(
    () =>
      createRosterClient({
        accessToken: () => tokens.current?.access_token ?? null,
        // One refresh at a time, however many requests met the 401 together.
        refresh: () => (refreshing.current ??= refreshNow().finally(() => (refreshing.current = null))),
      }),
    [],
  );

  const adopt = useCallback(async (stored: StoredTokens) => {
    tokens.current = stored;
    setExpiresAt(stored.expires_at);
    await tokenStore.save(stored);
  }, []);

  const forget = useCallback(async () => {
    tokens.current = null;
    setExpiresAt(null);
    await tokenStore.clear();
    setUser(null);
    setStatus('signed-out');
  }, []);

  async function refreshNow(): Promise<boolean> {
    const refreshToken = tokens.current?.refresh_token;
    if (!refreshToken) return false;
    try {
      await adopt(toStored(await client.auth.refresh(refreshToken)));
      return true;
    } catch {
      await forget();
      return false;
    }
  }

  const loadUser = useCallback(async () => {
    const me = await client.auth.me();
    setUser(me);
    setTenantId((current) => current ?? me.tenant_id);
    setStatus('signed-in');
  }, [client]);

  // A stored session survives a reload (browser tab) or a relaunch (desktop).
  useEffect(() => {
    void (async () => {
      const stored = await tokenStore.load();
      if (!stored) return setStatus('signed-out');
      tokens.current = stored;
      setExpiresAt(stored.expires_at);
      if (stored.expires_at - Date.now() < REFRESH_AHEAD_MS && !(await refreshNow())) return;
      try {
        await loadUser();
      } catch {
        await forget();
      }
    })();
  }, []);

  // Silent refresh a minute before the access token expires.
  useEffect(() => {
    if (status !== 'signed-in' || expiresAt === null) return;
    const timer = setTimeout(() => void refreshNow(), Math.max(1_000, expiresAt - Date.now() - REFRESH_AHEAD_MS));
    return () => clearTimeout(timer);
  }, [status, expiresAt]);

  const session: Session = {
    status,
    user,
    client,
    tenantId,
    setTenantId,
    can: (permission) => (user ? roleCan(user.role, permission) : false),
    signIn: async (input) => {
      await adopt(toStored(await client.auth.signIn(input)));
      await loadUser();
    },
    signOut: async () => {
      const refreshToken = tokens.current?.refresh_token;
      if (refreshToken) await client.auth.revoke(refreshToken).catch(() => undefined);
      await forget();
    },
  };
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The client of the signed-in session. */
export const useClient = () => useSession().client;
