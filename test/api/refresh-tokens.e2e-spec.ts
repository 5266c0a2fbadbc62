/**
 * Refresh tokens raced by their own client: the web app renews its access token a minute before expiry, and
 * two tabs of one session (a duplicated tab shares it) or a retry sent before the first answer came present
 * the same refresh token twice. Within REFRESH_REUSE_GRACE_SECONDS that keeps the session (a second
 * successor); after it, or beyond three successors, or once the session was ended, it is a reuse as before.
 */
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let t: TestPlatform;

beforeAll(async () => {
  t = await startTestPlatform({ REFRESH_REUSE_GRACE_SECONDS: '2' });
});
afterAll(async () => {
  await t?.stop();
});

it('the same refresh token sent twice at once (two tabs, a retry) keeps the session; a replay after the grace period revokes both branches', async () => {
  const email = `race-${Date.now()}@test.fapai.local`;
  const { id } = (await t.http.post('/api/auth/register').send({ email, password: 'race-password-1', displayName: 'r' }).expect(201)).body as { id: string };
  type Tokens = { accessToken: string; refreshToken: string };
  const first = (await t.http.post('/api/auth/login').send({ email, password: 'race-password-1' }).expect(200)).body as Tokens;
  const raced = await Promise.all([0, 1].map(() => t.http.post('/api/auth/refresh').send({ refreshToken: first.refreshToken })));
  expect(raced.map((r) => r.status)).toEqual([200, 200]);
  const [a, b] = raced.map((r) => r.body as Tokens);
  expect(a.refreshToken).not.toBe(b.refreshToken);
  for (const x of [a, b]) await t.http.get('/api/me').set('Authorization', `Bearer ${x.accessToken}`).expect(200);
  // Each branch rotates on as usual.
  const a2 = (await t.http.post('/api/auth/refresh').send({ refreshToken: a.refreshToken }).expect(200)).body as Tokens;
  // After the grace period, the first token again: a reuse, so every token issued from it goes, in both branches.
  await new Promise((r) => setTimeout(r, 2_200));
  await t.http.post('/api/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401);
  for (const x of [a2, b]) await t.http.post('/api/auth/refresh').send({ refreshToken: x.refreshToken }).expect(401);
  await t.http.get('/api/me').set('Authorization', `Bearer ${a2.accessToken}`).expect(401);
  const audit = await t.db.query(`SELECT data FROM audit_log WHERE stream = $1 AND action = 'user.refresh_token_reused'`, [`user:${id}`]);
  expect(audit.rows).toEqual([{ data: expect.objectContaining({ revokedTokens: 2 }) }]);
});

it('the grace period gives a token at most three successors, and none once the session was ended', async () => {
  const email = `grace-${Date.now()}@test.fapai.local`;
  await t.http.post('/api/auth/register').send({ email, password: 'grace-password-1', displayName: 'g' }).expect(201);
  type Tokens = { accessToken: string; refreshToken: string };
  const first = (await t.http.post('/api/auth/login').send({ email, password: 'grace-password-1' }).expect(200)).body as Tokens;
  const successors: Tokens[] = [];
  for (let i = 0; i < 3; i++) successors.push((await t.http.post('/api/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200)).body as Tokens);
  // A fourth presentation is no race of one client: a reuse, which ends every branch.
  await t.http.post('/api/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401);
  for (const x of successors) await t.http.post('/api/auth/refresh').send({ refreshToken: x.refreshToken }).expect(401);

  // Logged out right after a rotation: the used token, within the grace period, gets nothing.
  const again = (await t.http.post('/api/auth/login').send({ email, password: 'grace-password-1' }).expect(200)).body as Tokens;
  const next = (await t.http.post('/api/auth/refresh').send({ refreshToken: again.refreshToken }).expect(200)).body as Tokens;
  await t.http.post('/api/auth/logout').set('Authorization', `Bearer ${next.accessToken}`).expect(204);
  await t.http.post('/api/auth/refresh').send({ refreshToken: again.refreshToken }).expect(401);
});
