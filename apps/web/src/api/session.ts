/**
 * The bearer token, kept in sessionStorage: it lives as long as the tab, survives a reload during a live
 * auction, and is not shared with other tabs (each tab is its own session, like the bidder's device).
 * Listeners (the socket, the auth context) are told when it changes.
 */
const KEY = 'fapai.session';

export interface Session {
  token: string;
  userId: string;
  expiresAt: number;
}

let current: Session | null = read();
const listeners = new Set<() => void>();

function read(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    return s.expiresAt > Date.now() ? s : null;
  } catch {
    return null;
  }
}

export function getSession(): Session | null {
  if (current && current.expiresAt <= Date.now()) setSession(null);
  return current;
}

export function getToken(): string | null {
  return getSession()?.token ?? null;
}

export function setSession(session: Session | null): void {
  current = session;
  try {
    if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
    else sessionStorage.removeItem(KEY);
  } catch {
    // storage unavailable: the session lasts for this page only
  }
  for (const l of listeners) l();
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
