import { jest } from '@jest/globals';
import type { LoginResponse } from '@fapai/contracts';
import { api } from './client';
import { freshToken, getSession, onSessionChange, renewSession, sessionFrom, setSession, type Session } from './session';

/**
 * The session's renewal with a stand-in for the server: `/auth/refresh` answers with the next pair (or what a
 * test says), every other path answers 401 unless the bearer token is the latest one issued.
 */
function server(opts: { refresh?: 'ok' | 'refused' | 'offline' | 'busy'; delayMs?: number } = {}) {
  const calls: { url: string; auth: string | null; body: unknown }[] = [];
  let issued = 0;
  let valid = 'access-0';
  globalThis.fetch = (async (url: string, init?: RequestInit) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    calls.push({ url, auth: headers.Authorization ?? null, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    const answer = (status: number, body: unknown) => ({ status, ok: status < 400, statusText: '', text: () => Promise.resolve(JSON.stringify(body)) }) as Response;
    if (url === '/api/auth/refresh') {
      if (opts.refresh === 'offline') throw new TypeError('Failed to fetch');
      if (opts.refresh === 'refused') return answer(401, { statusCode: 401, code: 'REFRESH_TOKEN_INVALID', message: 'no' });
      if (opts.refresh === 'busy') return answer(503, { statusCode: 503, code: 'UNAVAILABLE', message: 'busy' });
      issued += 1;
      valid = `access-${issued}`;
      const res: LoginResponse = { accessToken: valid, refreshToken: `refresh-${issued}`, expiresIn: 900, user: { id: 'u1', roles: ['bidder'] } };
      return answer(201, res);
    }
    if (headers.Authorization !== `Bearer ${valid}`) return answer(401, { statusCode: 401, code: 'UNAUTHENTICATED', message: 'token expired' });
    return answer(200, { ok: true });
  }) as typeof fetch;
  return { calls, refreshes: () => calls.filter((c) => c.url === '/api/auth/refresh') };
}

/** A session whose access token (`access-0`) expires `inMs` from now. */
const sessionExpiringIn = (inMs: number) => setSession({ token: 'access-0', userId: 'u1', expiresAt: Date.now() + inMs, refreshToken: 'refresh-0', renewAt: Date.now() + inMs - 60_000 });

afterEach(() => {
  setSession(null);
  jest.useRealTimers();
});

describe('session renewal', () => {
  it('is due a minute before expiry, or at three quarters of a short life', () => {
    const now = 1_000_000;
    const long = sessionFrom({ accessToken: 'a', refreshToken: 'r', expiresIn: 900, user: { id: 'u', roles: [] } }, now);
    expect(long).toMatchObject({ expiresAt: now + 900_000, renewAt: now + 840_000, refreshToken: 'r' });
    const short = sessionFrom({ accessToken: 'a', refreshToken: 'r', expiresIn: 60, user: { id: 'u', roles: [] } }, now);
    expect(short.renewAt).toBe(now + 45_000);
  });

  it('sends a token good for a while as it is, without renewing', async () => {
    const s = server();
    sessionExpiringIn(600_000);
    await api.get('/me');
    expect(s.refreshes()).toHaveLength(0);
    expect(s.calls[0].auth).toBe('Bearer access-0');
  });

  it('renews a token about to expire before sending the request, once for requests made together', async () => {
    const s = server({ delayMs: 5 });
    sessionExpiringIn(2_000);
    await Promise.all([api.get('/me'), api.get('/lots'), api.post('/lots/x/bids', { amount: 1 })]);
    expect(s.refreshes()).toHaveLength(1);
    expect(s.refreshes()[0].body).toEqual({ refreshToken: 'refresh-0' });
    expect(s.calls.filter((c) => c.url !== '/api/auth/refresh').map((c) => c.auth)).toEqual(['Bearer access-1', 'Bearer access-1', 'Bearer access-1']);
    expect(getSession()).toMatchObject({ token: 'access-1', refreshToken: 'refresh-1', userId: 'u1' });
  });

  it('answers a 401 (token revoked or expired on the way) with one renewal and one retry', async () => {
    const s = server();
    setSession({ token: 'stale', userId: 'u1', expiresAt: Date.now() + 600_000, refreshToken: 'refresh-0' });
    await expect(api.get('/me')).resolves.toEqual({ ok: true });
    expect(s.calls.map((c) => [c.url, c.auth])).toEqual([
      ['/api/me', 'Bearer stale'],
      ['/api/auth/refresh', null],
      ['/api/me', 'Bearer access-1'],
    ]);
  });

  it('ends the session when the server refuses the refresh token (logged out elsewhere, password changed)', async () => {
    server({ refresh: 'refused' });
    sessionExpiringIn(2_000);
    expect(await freshToken()).toBeNull();
    expect(getSession()).toBeNull();
  });

  it('keeps the session while its token is good when the server cannot be reached or is busy', async () => {
    server({ refresh: 'offline' });
    sessionExpiringIn(30_000);
    expect((await renewSession())?.token).toBe('access-0');
    server({ refresh: 'busy' });
    expect((await renewSession())?.token).toBe('access-0');
    expect(getSession()?.refreshToken).toBe('refresh-0');
  });

  it('drops a session without a refresh token when its access token expires (nothing to renew it with)', async () => {
    server();
    setSession({ token: 'access-0', userId: 'u1', expiresAt: Date.now() - 1 });
    expect(await freshToken()).toBeNull();
    expect(getSession()).toBeNull();
  });

  it('renews on its own when due, so a bid in the last minute pays no renewal', async () => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick'] });
    const s = server();
    sessionExpiringIn(900_000);
    jest.advanceTimersByTime(839_000);
    expect(s.refreshes()).toHaveLength(0);
    jest.advanceTimersByTime(1_001);
    for (let i = 0; i < 10 && getSession()?.token !== 'access-1'; i++) await Promise.resolve();
    expect(s.refreshes()).toHaveLength(1);
    expect(getSession()?.token).toBe('access-1');
  });
});

/** Another tab of the same browser: it writes the shared storage, and this tab hears of it by a `storage` event. */
function otherTab(session: Session | null) {
  if (session) localStorage.setItem('fapai.session', JSON.stringify(session));
  else localStorage.removeItem('fapai.session');
  window.dispatchEvent(new StorageEvent('storage', { key: 'fapai.session', newValue: session ? JSON.stringify(session) : null }));
}
const renewedElsewhere = (n: number): Session => ({ token: `access-${n}`, userId: 'u1', expiresAt: Date.now() + 900_000, refreshToken: `refresh-${n}`, renewAt: Date.now() + 840_000 });

describe('one session for every tab', () => {
  it('is kept where every tab of the browser reads it (a lot opened in a new tab is signed in)', () => {
    sessionExpiringIn(600_000);
    expect(JSON.parse(localStorage.getItem('fapai.session') ?? 'null')).toMatchObject({ token: 'access-0', refreshToken: 'refresh-0' });
  });

  it('follows another tab’s renewal: its timer moves, and this tab never spends the old refresh token', async () => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick'] });
    const s = server();
    sessionExpiringIn(120_000); // due in 60 s
    const heard: (string | undefined)[] = [];
    const stop = onSessionChange(() => heard.push(getSession()?.token));
    otherTab(renewedElsewhere(7));
    expect(getSession()).toMatchObject({ token: 'access-7', refreshToken: 'refresh-7' });
    expect(heard).toEqual(['access-7']);
    jest.advanceTimersByTime(61_000); // this tab's old due time
    await Promise.resolve();
    expect(s.refreshes()).toHaveLength(0);
    stop();
  });

  it('a renewal whose turn comes after another tab renewed takes that session (the event not yet heard)', async () => {
    const s = server();
    sessionExpiringIn(2_000);
    // The other tab has written its renewal; its storage event has not reached this tab yet.
    localStorage.setItem('fapai.session', JSON.stringify(renewedElsewhere(3)));
    expect(await freshToken()).toBe('access-3');
    expect(s.refreshes()).toHaveLength(0);
  });

  it('renewals of several tabs take turns through a Web Lock; one that waited behind another tab’s takes its session', async () => {
    const s = server();
    sessionExpiringIn(2_000);
    // The browser's lock manager, with the lock held by another tab until `release`.
    let release!: () => void;
    let queue: Promise<unknown> = new Promise<void>((r) => (release = r));
    const requested: string[] = [];
    Object.defineProperty(navigator, 'locks', {
      configurable: true,
      value: { request: (name: string, fn: () => Promise<unknown>) => (requested.push(name), (queue = queue.then(fn, fn))) },
    });
    try {
      const here = renewSession(); // waits for the lock
      await Promise.resolve();
      expect(s.refreshes()).toHaveLength(0);
      // The other tab renews, stores its session, its storage event reaches this tab, then it lets go.
      otherTab(renewedElsewhere(4));
      release();
      expect((await here)?.token).toBe('access-4');
      expect(requested).toEqual(['fapai.session.renew']);
      expect(s.refreshes()).toHaveLength(0); // refresh-0 was not presented again
      // Its own turn, with nobody ahead: it renews the session it now has.
      sessionExpiringIn(2_000);
      expect((await renewSession())?.token).toBe('access-1');
      expect(s.refreshes().map((c) => c.body)).toEqual([{ refreshToken: 'refresh-0' }]);
    } finally {
      delete (navigator as { locks?: unknown }).locks;
    }
  });

  it('keeps the lock a moment after renewing (other tabs learn of the write late), without making the caller wait', async () => {
    server();
    sessionExpiringIn(2_000);
    const events: string[] = [];
    Object.defineProperty(navigator, 'locks', {
      configurable: true,
      value: {
        request: async (_name: string, fn: () => Promise<unknown>) => {
          events.push('acquired');
          await fn();
          events.push('released');
        },
      },
    });
    try {
      const renewed = await renewSession();
      events.push('renewed');
      expect(renewed?.token).toBe('access-1');
      expect(events).toEqual(['acquired', 'renewed']);
      await new Promise((r) => setTimeout(r, 400));
      expect(events).toEqual(['acquired', 'renewed', 'released']);
    } finally {
      delete (navigator as { locks?: unknown }).locks;
    }
  });

  it('a logout in another tab ends the session here; a login as someone else there switches this tab', () => {
    sessionExpiringIn(600_000);
    otherTab({ ...renewedElsewhere(9), userId: 'u2' });
    expect(getSession()?.userId).toBe('u2');
    otherTab(null);
    expect(getSession()).toBeNull();
  });

  it('a refused renewal raced by another tab (no Web Locks) takes the winner’s session instead of logging out', async () => {
    const s = server({ refresh: 'refused' });
    sessionExpiringIn(2_000);
    const pending = freshToken();
    // The other tab won the race with the same refresh token and stored its successor meanwhile.
    localStorage.setItem('fapai.session', JSON.stringify(renewedElsewhere(5)));
    expect(await pending).toBe('access-5');
    expect(getSession()?.refreshToken).toBe('refresh-5');
    expect(s.refreshes()).toHaveLength(1);
  });
});
