import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { LoginResponse, type RegisterBody, TokenResponse, UserProfile } from '../../../contracts/axi/auth.js';
import { http, onSessionExpired, refreshAccessToken, request, setAccessToken } from '../api/http.js';

export type SignInResult = { status: 'signed-in' } | { status: 'mfa-required'; challengeToken: string };

interface Session {
  /** undefined while the app checks for an existing session (refresh cookie) at start. */
  user: UserProfile | null | undefined;
  /** True once the user was signed out by an expired session (not by choice). */
  expired: boolean;
  signIn(email: string, password: string): Promise<SignInResult>;
  completeTwoFactor(challengeToken: string, code: string): Promise<void>;
  register(body: RegisterBody): Promise<void>;
  signOut(): Promise<void>;
  reloadUser(): Promise<void>;
}

const SessionContext = createContext<Session | undefined>(undefined);

/**
 * Whether this browser signed in before. Only a hint (the session itself is the httpOnly
 * cookie): it spares a visitor who never signed in a refresh call that can only fail.
 */
const hintKey = 'nexus-signed-in';
const sessionHint = {
  present: () => localStorage.getItem(hintKey) === '1',
  set: (on: boolean) => (on ? localStorage.setItem(hintKey, '1') : localStorage.removeItem(hintKey)),
};

async function loadUser(): Promise<UserProfile> {
  return request(UserProfile, { url: '/api/v1/users/me' });
}

/**
 * Who is signed in. On start it tries the refresh cookie once, so a reload keeps the session
 * without ever storing the access token.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<UserProfile | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);
  const queryClient = useQueryClient();

  useEffect(() => {
    let cancelled = false;
    (sessionHint.present() ? refreshAccessToken() : Promise.resolve(undefined))
      .then((token) => (token ? loadUser() : null))
      .then((u) => {
        if (!cancelled) setUser(u);
        if (!u) sessionHint.set(false);
      })
      .catch(() => !cancelled && setUser(null));
    return () => {
      cancelled = true;
    };
  }, []);

  useEffect(() => {
    onSessionExpired(() => {
      sessionHint.set(false);
      setAccessToken(undefined);
      setExpired(true);
      setUser(null);
      queryClient.clear();
    });
    return () => onSessionExpired(undefined);
  }, [queryClient]);

  const acceptTokens = useCallback(async (data: unknown) => {
    setAccessToken(TokenResponse.parse(data).accessToken);
    sessionHint.set(true);
    setExpired(false);
    setUser(await loadUser());
  }, []);

  const session = useMemo<Session>(
    () => ({
      user,
      expired,
      async signIn(email, password) {
        const res = await request(LoginResponse, {
          method: 'POST',
          url: '/api/v1/auth/token',
          data: { email, password },
        });
        if ('mfaRequired' in res) return { status: 'mfa-required', challengeToken: res.challengeToken };
        await acceptTokens(res);
        return { status: 'signed-in' };
      },
      async completeTwoFactor(challengeToken, code) {
        const res = await http.post('/api/v1/auth/token/2fa', { challengeToken, code });
        await acceptTokens(res.data);
      },
      async register(body) {
        await http.post('/api/v1/auth/register', body);
        const res = await http.post('/api/v1/auth/token', { email: body.email, password: body.password });
        await acceptTokens(res.data);
      },
      async signOut() {
        await http.post('/api/v1/auth/logout', {}).catch(() => undefined);
        sessionHint.set(false);
        setAccessToken(undefined);
        setExpired(false);
        setUser(null);
        queryClient.clear();
      },
      async reloadUser() {
        setUser(await loadUser());
      },
    }),
    [user, expired, acceptTokens, queryClient],
  );

  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession needs a SessionProvider');
  return session;
}
