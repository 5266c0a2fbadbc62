/**
 * Attackers and floods: rate limits with Retry-After, account lockout, short-lived tokens with refresh, reuse
 * detection and revocation, security headers, CORS, metrics, and no identity number, token or password in any
 * log line.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { clerkWithCase, enrol, login, loginAdmin, publishedLot, registerBidder, waitFor, type Actor } from '../support/actors.js';

let t: TestPlatform;
let logFile: string;
const secrets: string[] = [];

beforeAll(async () => {
  logFile = path.join(mkdtempSync(path.join(tmpdir(), 'fapai-logs-')), 'api.log');
  t = await startTestPlatform({ RATE_LIMITS: 'true', RATE_LIMIT_LOGIN_PER_MINUTE: '5', RATE_LIMIT_REGISTER_PER_MINUTE: '200', RATE_LIMIT_BIDS_PER_SECOND: '3', REFRESH_REUSE_GRACE_SECONDS: '2', LOG_LEVEL: 'debug', LOG_FILE: logFile, CORS_ORIGINS: 'https://court.example.cn' });
});
afterAll(async () => {
  await t?.stop();
});

describe('rate limits and lockout', () => {
  it('limits logins per account with 429 and Retry-After, and locks the account after repeated failures', async () => {
    const email = `victim-${Date.now()}@test.fapai.local`;
    await t.http.post('/api/auth/register').send({ email, password: 'victim-password-1', displayName: 'v' }).expect(201);
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 7; i++) {
      const r = await t.http.post('/api/auth/login').send({ email, password: `wrong-${i}` });
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers['retry-after'] as string;
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // after 5 failures the account is locked even with the right password (once the window lets it through)
    const locked = await t.db.query(`SELECT locked_until > now() AS locked FROM users WHERE email = $1`, [email]);
    expect(locked.rows[0].locked).toBe(true);
  });

  it('counts failures afresh once a lock has expired: one typo does not lock the account again', async () => {
    const email = `relock-${Date.now()}@test.fapai.local`;
    await t.http.post('/api/auth/register').send({ email, password: 'relock-password-1', displayName: 'r' }).expect(201);
    // What 5 failures leave (the test above reaches it by hand), with the 15 minutes over.
    await t.db.query(`UPDATE users SET failed_logins = 5, locked_until = now() - interval '1 second' WHERE email = $1`, [email]);
    const typo = await t.http.post('/api/auth/login').send({ email, password: 'relock-password-2' }).expect(401);
    expect(typo.body).toMatchObject({ code: 'INVALID_CREDENTIALS' });
    const afterTypo = await t.db.query(`SELECT failed_logins, locked_until FROM users WHERE email = $1`, [email]);
    expect(afterTypo.rows[0]).toEqual({ failed_logins: 1, locked_until: null });
    await t.http.post('/api/auth/login').send({ email, password: 'relock-password-1' }).expect(200);
    // Locking still works afterwards: what 4 more failures leave (5 more would pass the per-account rate
    // limit of 5 a minute), then the fifth.
    await t.db.query(`UPDATE users SET failed_logins = 4 WHERE email = $1`, [email]);
    await t.http.post('/api/auth/login').send({ email, password: 'wrong-5' }).expect(401);
    const row = await t.db.query(`SELECT failed_logins, locked_until > now() AS locked FROM users WHERE email = $1`, [email]);
    expect(row.rows[0]).toEqual({ failed_logins: 5, locked: true });
  });

  it('limits bids per user in the place-bid use case shared by HTTP and sockets (429 RATE_LIMITED)', async () => {
    const admin = await loginAdmin(t).catch(async () => {
      await new Promise((r) => setTimeout(r, 61_000));
      return loginAdmin(t);
    });
    const { clerk, caseId } = await clerkWithCase(t, admin);
    const lot = await publishedLot(t, clerk, caseId, { startInMs: 3500, durationMs: 60_000 });
    const bidder = await registerBidder(t);
    await enrol(t, bidder, lot);
    await waitFor('live', async () => ((await t.http.get(`/api/lots/${lot}`)).body as { status: string }).status === 'live');
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => t.http.post(`/api/lots/${lot}/bids`).set(bidder.auth).send({ amount: 700_000 + i * 1000 })));
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0].body).toMatchObject({ code: 'RATE_LIMITED' });
    expect(limited[0].headers['retry-after']).toBeDefined();
    // Each refusal is counted by its code (nothing else in this file is refused RATE_LIMITED).
    const metrics = (await t.http.get('/api/metrics').expect(200)).text;
    expect(metrics).toMatch(new RegExp(`^fapai_bids_total\\{result="refused",code="RATE_LIMITED"\\} ${limited.length}$`, 'm'));
    expect(metrics).toMatch(new RegExp(`^fapai_bids_total\\{result="accepted",code=""\\} ${results.filter((r) => r.status === 201).length}$`, 'm'));
    secrets.push(bidder.token, bidder.idNumber!);
  }, 120_000);
});

describe('tokens', () => {
  it('refreshes, rotates, and revokes on logout and on password change', async () => {
    const email = `tok-${Date.now()}@test.fapai.local`;
    await t.http.post('/api/auth/register').send({ email, password: 'token-password-1', displayName: 't' }).expect(201);
    const first = (await t.http.post('/api/auth/login').send({ email, password: 'token-password-1' }).expect(200)).body as { accessToken: string; refreshToken: string; expiresIn: number };
    secrets.push(first.accessToken, first.refreshToken, 'token-password-1');
    expect(first.expiresIn).toBeLessThanOrEqual(900);
    const second = (await t.http.post('/api/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200)).body as { accessToken: string; refreshToken: string };
    await t.http.get('/api/me').set('Authorization', `Bearer ${second.accessToken}`).expect(200);
    await t.http.post('/api/me/password').set('Authorization', `Bearer ${second.accessToken}`).send({ currentPassword: 'token-password-1', newPassword: 'token-password-2' }).expect(204);
    await t.http.get('/api/me').set('Authorization', `Bearer ${second.accessToken}`).expect(401); // at once, no cache delay
    const again: Actor = await login(t, email, 'token-password-2');
    // A token revoked (not used) is only refused: replaying it does not log the new session out.
    const revoked = await t.http.post('/api/auth/refresh').send({ refreshToken: second.refreshToken }).expect(401);
    expect(revoked.body).toMatchObject({ code: 'REFRESH_TOKEN_INVALID', message: 'the refresh token is expired, used or revoked; log in again' });
    await t.http.get('/api/me').set(again.auth).expect(200);
    await t.http.post('/api/auth/logout').set(again.auth).expect(204);
    await t.http.get('/api/me').set(again.auth).expect(401);
  });

  it('a used refresh token presented again revokes the tokens issued from it and the access tokens', async () => {
    const email = `reuse-${Date.now()}@test.fapai.local`;
    const { id } = (await t.http.post('/api/auth/register').send({ email, password: 'reuse-password-1', displayName: 'r' }).expect(201)).body as { id: string };
    type Tokens = { accessToken: string; refreshToken: string };
    const first = (await t.http.post('/api/auth/login').send({ email, password: 'reuse-password-1' }).expect(200)).body as Tokens;
    const second = (await t.http.post('/api/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200)).body as Tokens;
    secrets.push(first.accessToken, first.refreshToken, second.accessToken, second.refreshToken);
    await t.http.get('/api/me').set('Authorization', `Bearer ${second.accessToken}`).expect(200);
    // The thief (or the owner) replays the used first token after the grace period: both parties lose the chain.
    await new Promise((r) => setTimeout(r, 2_200));
    const replay = await t.http.post('/api/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401);
    expect(replay.body).toMatchObject({ code: 'REFRESH_TOKEN_INVALID' });
    const successor = await t.http.post('/api/auth/refresh').send({ refreshToken: second.refreshToken }).expect(401);
    expect(successor.body).toMatchObject({ code: 'REFRESH_TOKEN_INVALID' });
    await t.http.get('/api/me').set('Authorization', `Bearer ${second.accessToken}`).expect(401);
    const audit = await t.db.query(`SELECT data FROM audit_log WHERE stream = $1 AND action = 'user.refresh_token_reused'`, [`user:${id}`]);
    expect(audit.rows).toEqual([{ data: expect.objectContaining({ revokedTokens: 1 }) }]);
    // Logging in again starts a new chain, which rotates as usual.
    const fresh = (await t.http.post('/api/auth/login').send({ email, password: 'reuse-password-1' }).expect(200)).body as Tokens;
    const rotated = (await t.http.post('/api/auth/refresh').send({ refreshToken: fresh.refreshToken }).expect(200)).body as Tokens;
    secrets.push(fresh.accessToken, fresh.refreshToken, rotated.accessToken, rotated.refreshToken);
    await t.http.get('/api/me').set('Authorization', `Bearer ${rotated.accessToken}`).expect(200);
  });

  it('a revocation committed by another instance takes effect here at once (LISTEN/NOTIFY), not after the cache expires', async () => {
    const bidder = await registerBidder(t);
    await t.http.get('/api/me').set(bidder.auth).expect(200); // now cached here for up to a minute
    // What another instance's logout commits: the version bump and the notification, on its own connection.
    const other = await t.db.connect();
    try {
      await other.query('BEGIN');
      await other.query('UPDATE users SET token_version = token_version + 1 WHERE id = $1', [bidder.id]);
      await other.query("SELECT pg_notify('fapai_token_revoked', $1::text)", [bidder.id]);
      await other.query('COMMIT');
    } finally {
      other.release();
    }
    // The 1-minute cache would otherwise keep accepting the token; the notification makes it refuse within 2 s.
    await waitFor('the revoked token refused', async () => (await t.http.get('/api/me').set(bidder.auth)).status === 401, 2000);
  });
});

describe('headers, CORS, metrics, logs', () => {
  it('sends security headers and a strict CORS list', async () => {
    const res = await t.http.get('/api/health').set('Origin', 'https://evil.example.com');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBeDefined();
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const ok = await t.http.get('/api/health').set('Origin', 'https://court.example.cn');
    expect(ok.headers['access-control-allow-origin']).toBe('https://court.example.cn');
    expect(res.headers['x-request-id']).toBeDefined();
    // Scripts from this origin (and Stripe.js) only; nothing may frame the platform.
    const csp = Object.fromEntries(String(res.headers['content-security-policy']).split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    expect(csp['script-src']).toEqual(["'self'", 'https://js.stripe.com', 'https://*.js.stripe.com']);
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(csp['default-src']).toEqual(["'self'"]);
    // The same set on every kind of response: the web app, an unknown route, a refused request.
    for (const other of [await t.http.get('/'), await t.http.get('/api/no-such-route'), await t.http.post('/api/auth/login').send({})]) {
      expect([other.status, other.headers['content-security-policy']]).toEqual([other.status, res.headers['content-security-policy']]);
      expect(other.headers['x-content-type-options']).toBe('nosniff');
      expect(other.headers['strict-transport-security']).toBe(res.headers['strict-transport-security']);
    }
  });

  it('exposes Prometheus metrics', async () => {
    const res = await t.http.get('/api/metrics').expect(200);
    // Every family is exposed (with its TYPE line) whether or not it has samples yet; counts are checked where they happen.
    expect(res.text).toContain('# TYPE fapai_bids_total counter');
    expect(res.text).toContain('fapai_bid_duration_seconds_bucket');
    expect(res.text).toContain('fapai_socket_connections');
  });

  it('reads the database pool and whether PostgreSQL and Redis are up when scraped', async () => {
    await t.http.get('/api/health').expect(200); // the pool has a client (idle for 10 s) when the scrape comes
    const text = (await t.http.get('/api/metrics').expect(200)).text;
    const value = (name: string): number => {
      const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
      if (!m) throw new Error(`${name} is not in /api/metrics`);
      return Number(m[1]);
    };
    const poolMax = t.platform.config.dbPoolSize;
    expect(value('fapai_db_up')).toBe(1);
    expect(value('fapai_db_pool_clients')).toBeGreaterThanOrEqual(1);
    expect(value('fapai_db_pool_clients')).toBeLessThanOrEqual(poolMax);
    expect(value('fapai_db_pool_idle_clients')).toBeGreaterThanOrEqual(0);
    expect(value('fapai_db_pool_idle_clients')).toBeLessThanOrEqual(value('fapai_db_pool_clients'));
    expect(value('fapai_db_pool_waiting_requests')).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/^# TYPE fapai_db_pool_clients gauge$/m);
    // Without REDIS_URL there is no Redis: the gauge is absent, not 0.
    expect(text).not.toMatch(/fapai_redis_up/);
  });

  it('writes structured JSON logs with correlation ids and no identity number, token or password', async () => {
    await t.http.post('/api/auth/login').set('X-Request-Id', 'trace-me-123').send({ email: 'nobody@test.fapai.local', password: 'super-secret-password' });
    secrets.push('super-secret-password');
    const lines = readFileSync(logFile, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines.some((l) => (JSON.parse(l) as { reqId?: string }).reqId === 'trace-me-123')).toBe(true);
    const leaks = secrets.filter((s) => s && lines.some((l) => l.includes(s)));
    expect(leaks).toEqual([]);
    expect(lines.filter((l) => /\b\d{17}[\dX]\b/.test(l))).toEqual([]);
  });
});
