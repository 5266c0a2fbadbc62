/**
 * The session: a short-lived access token (15 minutes by default) and the refresh token that renews it,
 * kept in sessionStorage: they live as long as the tab, survive a reload during a live auction, and are not
 * shared with other tabs (each tab is its own session, like the bidder's device). Listeners (the socket, the
 * auth context) are told when it changes.
 *
 * Renewal: the access token is renewed before it expires (a minute ahead, or a quarter of its life when that
 * is shorter), so a bidder who has watched a lot for an hour bids in its last minute with no login and no
 * extra round trip in the bid's path. A phone asleep runs no timers: a request that finds the token about to
 * expire renews first (`freshToken`), and a 401 is answered by one renewal and one retry (`client.ts`).
 * Renewals are single-flight per tab, because the server takes a refresh token presented twice as stolen.
 * A renewal refused (the session was ended: logout, password change, reuse) ends the session here too; one
 * that could not reach the server keeps it and tries again.
 */
import type { LoginResponse } from '@fapai/contracts';

const KEY = 'fapai.session';
/** Renew this long before the access token expires (at most; a quarter of its life when shorter). */
const RENEW_AHEAD_MS = 60_000;
/** A token this close to its expiry is not sent: it could expire on the way. */
const EXPIRY_MARGIN_MS = 5_000;
/** After a renewal that could not reach the server. */
const RETRY_MS = 10_000;

export interface Session {
  token: string;
  userId: string;
  /** Epoch ms when the access token expires (by this device's clock). */
  expiresAt: number;
  /** Absent in a session made without one (tests): it then ends when the access token expires. */
  refreshToken?: string;
  /** Epoch ms when the renewal is due. */
  renewAt?: number;
}

let current: Session | null = read();
const listeners = new Set<() => void>();
let renewing: Promise<Session | null> | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;

function usable(s: Session, now = Date.now()): boolean {
  return s.expiresAt > now || s.refreshToken !== undefined;
}

function read(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    return usable(s) ? s : null;
  } catch {
    return null;
  }
}

/** The session made from a login or refresh answer, received at `now`. */
export function sessionFrom(res: LoginResponse, now = Date.now()): Session {
  const ttl = res.expiresIn * 1000;
  return { token: res.accessToken, userId: res.user.id, expiresAt: now + ttl, refreshToken: res.refreshToken, renewAt: now + ttl - Math.min(RENEW_AHEAD_MS, ttl / 4) };
}

export function getSession(): Session | null {
  if (current && !usable(current)) setSession(null);
  return current;
}

/** An access token good for a while yet: renews first when it is not (null: no session, or it ended). */
export async function freshToken(): Promise<string | null> {
  const s = getSession();
  if (!s) return null;
  if (s.expiresAt - EXPIRY_MARGIN_MS > Date.now()) return s.token;
  return (await renewSession())?.token ?? null;
}

export function setSession(session: Session | null): void {
  current = session;
  try {
    if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
    else sessionStorage.removeItem(KEY);
  } catch {
    // storage unavailable: the session lasts for this page only
  }
  schedule(session?.renewAt);
  for (const l of listeners) l();
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Exchanges the refresh token for a new pair, once at a time: callers during a renewal share it. Resolves to
 * the session after it (the same one when the server could not be reached and its token is still good), or
 * null when there is none any more.
 */
export function renewSession(): Promise<Session | null> {
  renewing ??= renew().finally(() => (renewing = null));
  return renewing;
}

async function renew(): Promise<Session | null> {
  const s = current;
  if (!s?.refreshToken) return s && s.expiresAt > Date.now() ? s : null;
  let res: Response;
  let body: unknown;
  try {
    res = await fetch('/api/auth/refresh', { method: 'POST', headers: { Accept: 'application/json', 'Content-Type': 'application/json' }, body: JSON.stringify({ refreshToken: s.refreshToken }) });
    body = res.ok ? JSON.parse(await res.text()) : undefined;
  } catch {
    return keep(s);
  }
  if (current !== s) return current; // logged out, or in as someone else, meanwhile
  if (res.ok) {
    const next = sessionFrom(body as LoginResponse);
    setSession(next);
    return next;
  }
  // 401: the refresh token is no good any more (the session was ended); 400 cannot happen for a token we got.
  if (res.status === 401 || res.status === 400) {
    setSession(null);
    return null;
  }
  return keep(s); // 429 or 5xx: the server is busy or away
}

/** A renewal that failed for want of the server: keep the session while its token is good, and try again soon. */
function keep(s: Session): Session | null {
  if (current !== s) return current;
  schedule(Date.now() + RETRY_MS);
  return s.expiresAt > Date.now() ? s : null;
}

function schedule(at: number | undefined): void {
  if (timer) clearTimeout(timer);
  timer = null;
  if (at === undefined || !current?.refreshToken) return;
  timer = setTimeout(() => void renewSession(), Math.max(0, at - Date.now()));
}

// A tab coming back to the front (a phone woken up) renews at once if it slept through the due time.
if (typeof document !== 'undefined') {
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && current?.renewAt !== undefined && current.renewAt <= Date.now()) void renewSession();
  });
}
schedule(current?.renewAt);
