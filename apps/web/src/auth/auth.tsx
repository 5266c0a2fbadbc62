/**
 * Who is logged in. The session (token) lives in `api/session.ts`; the profile (`GET /api/me`) is a query
 * so identity verification refreshes it everywhere.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { MeView, Role } from '@fapai/contracts';
import { endpoints } from '../api/endpoints';
import { deviceTokenFor, rememberDeviceToken } from '../api/device-tokens';
import { getSession, onSessionChange, sessionFrom, setSession, type Session } from '../api/session';

interface Auth {
  session: Session | null;
  me: MeView | undefined;
  loadingMe: boolean;
  hasRole(role: Role): boolean;
  login(email: string, password: string): Promise<MeView>;
  logout(): Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setLocal] = useState<Session | null>(getSession);
  const qc = useQueryClient();
  const userId = useRef(session?.userId ?? null);
  useEffect(
    () =>
      onSessionChange(() => {
        const next = getSession();
        // Another user now (a login or logout here or in another tab): nothing of the last one's stays cached.
        if ((next?.userId ?? null) !== userId.current) {
          qc.removeQueries({ queryKey: ['me'] });
          qc.removeQueries({ queryKey: ['enrolment'] });
        }
        userId.current = next?.userId ?? null;
        setLocal(next);
      }),
    [qc],
  );
  const meQuery = useQuery({ queryKey: ['me', session?.userId], queryFn: endpoints.me, enabled: session !== null, staleTime: 60_000 });

  const login = useCallback(
    async (email: string, password: string) => {
      const res = await endpoints.login({ email, password, deviceToken: deviceTokenFor(email) });
      rememberDeviceToken(email, res.deviceToken);
      setSession(sessionFrom(res));
      const me = await endpoints.me();
      qc.setQueryData(['me', res.user.id], me);
      return me;
    },
    [qc],
  );
  const logout = useCallback(async () => {
    try {
      await endpoints.logout();
    } catch {
      // the token may already be invalid; logging out locally is what matters
    }
    setSession(null);
    qc.removeQueries({ queryKey: ['me'] });
    qc.removeQueries({ queryKey: ['enrolment'] });
  }, [qc]);

  const me = session ? meQuery.data : undefined;
  const value = useMemo<Auth>(
    () => ({ session, me, loadingMe: session !== null && meQuery.isLoading, hasRole: (role) => me?.roles.includes(role) ?? false, login, logout }),
    [session, me, meQuery.isLoading, login, logout],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
