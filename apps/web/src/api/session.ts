/**
 * The session: a short-lived access token (15 minutes by default) and the refresh token that renews it,
 * kept in localStorage and shared by every tab of the browser: a lot opened in a new tab from the catalogue
 * is signed in, a reload during a live auction keeps the session, and logging out (or in as someone else)
 * in one tab does so in all of them (the `storage` event). Listeners (the socket, the auth context) are told
 * when it changes, here or in another tab.
 *
 * Renewal: the access token is renewed before it expires (a minute ahead, or a quarter of its life when that
 * is shorter), so a bidder who has watched a lot for an hour bids in its last minute with no login and no
 * extra round trip in the bid's path. A phone asleep runs no timers: a request that finds the token about to
 * expire renews first (`freshToken`), and a 401 is answered by one renewal and one retry (`client.ts`).
 * Renewals are single-flight across tabs (a Web Lock; in one tab, one promise), because the server takes a
 * refresh token presented twice as stolen: a tab whose turn comes after another tab's renewal takes that
 * tab's session instead of spending the old refresh token again. A renewal refused (the session was ended:
 * logout, password change, reuse) ends the session here too; one that could not reach the server keeps it
 * and tries again.
 */
import type { LoginResponse } from '@fapai/contracts';

const KEY = 'fapai.session';
/** Renew this long before the access token expires (at most; a quarter of its life when shorter). */
const RENEW_AHEAD_MS = 60_000;
/** A token this close to its expiry is not sent: it could expire on the way. */
const EXPIRY_MARGIN_MS = 5_000;
/** After a renewal that could not reach the server. */
const RETRY_MS = 10_000;
/** The Web Lock that makes renewals single-flight across the browser's tabs. */
const RENEW_LOCK = 'fapai.session.renew';
/** How long the lock is kept after a renewal, for the other tabs' copies of localStorage to learn of it. */
const STORAGE_SETTLE_MS = 300;

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

/** False once a write failed (storage full or refused): the stored session is then not this tab's any more. */
let storageWorks = true;
let current: Session | null = stored() ?? null;
const listeners = new Set<() => void>();
let renewing: Promise<Session | null> | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;

function usable(s: Session, now = Date.now()): boolean {
  return s.expiresAt > now || s.refreshToken !== undefined;
}

function storage(): Storage | null {
  if (!storageWorks) return null;
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage disabled (a privacy mode): the session lasts for this page only
  }
}

/** The session as stored for every tab: null when there is none, undefined when storage is unavailable. */
function stored(): Session | null | undefined {
  const store = storage();
  if (!store) return undefined;
  try {
    const raw = store.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    return usable(s) ? s : null;
  } catch {
    return null;
  }
}

function sameSession(a: Session | null | undefined, b: Session | null | undefined): boolean {
  return (a?.token ?? null) === (b?.token ?? null) && (a?.refreshToken ?? null) === (b?.refreshToken ?? null);
}

/** This tab follows a session set here or in another tab: timer and listeners, no write. */
function adopt(session: Session | null): void {
  current = session;
  schedule(session?.renewAt);
  for (const l of listeners) l();
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
  try {
    const store = storage();
    if (session) store?.setItem(KEY, JSON.stringify(session));
    else store?.removeItem(KEY);
  } catch {
    // Storage full or refused: the session lasts for this page only, and what is stored is not followed.
    storageWorks = false;
  }
  adopt(session);
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
  const wanted = current;
  renewing ??= oneTabAtATime(() => renew(wanted)).finally(() => (renewing = null));
  return renewing;
}

/**
 * Runs `fn` holding the renewal lock of the browser (every tab), where Web Locks exist. The caller has the
 * result at once, but the lock is held a moment longer: each tab keeps its own copy of localStorage, which
 * learns of another tab's write asynchronously, and the next tab in line must read the new session rather
 * than present the refresh token just spent (it would still be accepted within the server's grace period,
 * as a racing client, but as a second successor). Measured in Chromium: with the lock released right after
 * the write, the tab granted it next read the old value in 4–14 of 40 rounds; held 50 ms, in none.
 */
function oneTabAtATime<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  if (!locks) return fn();
  return new Promise<T>((resolve, reject) => {
    locks
      .request(RENEW_LOCK, async () => {
        try {
          resolve(await fn());
        } catch (error) {
          reject(error);
          return;
        }
        await new Promise((settled) => setTimeout(settled, STORAGE_SETTLE_MS));
      })
      .catch(reject);
  });
}

/** Renews `wanted`, the session this tab had when the renewal was asked for. */
async function renew(wanted: Session | null): Promise<Session | null> {
  // Another tab may have renewed (or ended the session) while this one waited for the lock, its storage
  // event heard meanwhile or not yet: its session is the one whose refresh token is still good, so take it
  // rather than present the spent one.
  const shared = stored();
  if (shared !== undefined && !sameSession(shared, current)) adopt(shared);
  if (!sameSession(current, wanted)) return current;
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
    // Without Web Locks two tabs can race with one refresh token; the loser takes the winner's session.
    const after = stored();
    if (after && !sameSession(after, s)) {
      adopt(after);
      return after;
    }
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

// Another tab logged in or out, or renewed: this one follows (the event comes only from other tabs).
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (e) => {
    if (e.key !== KEY && e.key !== null) return; // null: the whole storage was cleared
    const shared = stored();
    if (shared !== undefined && !sameSession(shared, current)) adopt(shared);
  });
}

// A tab coming back to the front (a phone woken up) renews at once if it slept through the due time.
if (typeof document !== 'undefined') {
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && current?.renewAt !== undefined && current.renewAt <= Date.now()) void renewSession();
  });
}
schedule(current?.renewAt);
