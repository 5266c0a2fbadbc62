/**
 * A flood of logins from many addresses (each under its own rate limit, so rate limits are off here) while a
 * lot is live: password checks take turns and the excess is refused at once with 503 PASSWORD_CHECKS_BUSY
 * and Retry-After, having done nothing (no failure counted towards a lockout, no session issued); the right
 * password still logs in once its turn comes, and bidding goes on during the flood. A returning browser (the
 * account's device token) waits in a line of its own, served first, and signs in while the flood is refused.
 */
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { createCase, createCourt, createStaff, enrol, loginAdmin, publishedLot, registerBidder, waitLive, type Actor } from '../support/actors.js';

let t: TestPlatform;
let clerk: Actor;

beforeAll(async () => {
  t = await startTestPlatform({ PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '3' });
  const admin = await loginAdmin(t);
  clerk = await createStaff(t, admin, 'court_clerk', { courtId: await createCourt(t, admin) });
});
afterAll(async () => {
  await t?.stop();
});

it('refuses the excess of a login flood at once and unharmed, while bids go on', async () => {
  const lotId = await publishedLot(t, clerk, await createCase(t, clerk), { startInMs: 2500, durationMs: 60_000 });
  const bidder = await registerBidder(t);
  expect((await enrol(t, bidder, lotId)).status).toBe(201);
  await waitLive(t, lotId);

  const victim = `flooded-${Date.now()}@test.fapai.local`;
  await t.http.post('/api/auth/register').send({ email: victim, password: 'the-right-password', displayName: 'v' }).expect(201);
  const tokensBefore = Number((await t.db.query(`SELECT count(*) FROM refresh_tokens rt JOIN users u ON u.id = rt.user_id WHERE u.email = $1`, [victim])).rows[0].count);

  // 40 logins at once: wrong passwords for the victim and unknown accounts, and one right one among them.
  const attempts = Array.from({ length: 40 }, (_, i) =>
    i === 20 ? { email: victim, password: 'the-right-password' } : i % 2 ? { email: victim, password: `wrong-${i}` } : { email: `nobody-${i}-${Date.now()}@test.fapai.local`, password: 'whatever-password' },
  );
  const flood = Promise.all(attempts.map((a) => t.http.post('/api/auth/login').send(a)));
  // A bid during the flood is decided, not stuck behind the password checks.
  const bid = await t.http.post(`/api/lots/${lotId}/bids`).set(bidder.auth).send({ amount: 700_000 });
  expect(bid.status).toBe(201);
  const answers = await flood;

  const byStatus = new Map<number, number>();
  for (const r of answers) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
  expect([...byStatus.keys()].every((s) => s === 200 || s === 401 || s === 503)).toBe(true);
  const busy = answers.filter((r) => r.status === 503);
  expect(busy.length).toBeGreaterThan(0);
  for (const r of busy) {
    expect(r.body).toMatchObject({ statusCode: 503, code: 'PASSWORD_CHECKS_BUSY', details: { retryAfterSeconds: 1 } });
    expect(r.headers['retry-after']).toBe('1');
  }
  // Nothing was done for a refused attempt: the victim's failures are those answered 401, and a session was
  // issued only for a 200.
  const victimAnswers = answers.filter((_, i) => attempts[i].email === victim);
  const failures = victimAnswers.filter((r) => r.status === 401).length;
  const successes = victimAnswers.filter((r) => r.status === 200).length;
  const row = (await t.db.query(`SELECT failed_logins, locked_until FROM users WHERE email = $1`, [victim])).rows[0] as { failed_logins: number; locked_until: Date | null };
  const tokensAfter = Number((await t.db.query(`SELECT count(*) FROM refresh_tokens rt JOIN users u ON u.id = rt.user_id WHERE u.email = $1`, [victim])).rows[0].count);
  expect(tokensAfter - tokensBefore).toBe(successes);
  // A success resets the count; without one, every 401 counted (and five of them lock).
  if (successes === 0) expect(row.failed_logins).toBe(failures);

  // Once the flood has passed, the right password logs in (unless the flood's own failures locked it).
  if (!row.locked_until || row.locked_until.getTime() < Date.now()) await t.http.post('/api/auth/login').send({ email: victim, password: 'the-right-password' }).expect(200);
  const metrics = (await t.http.get('/api/metrics').expect(200)).text;
  expect(metrics).toMatch(/fapai_bids_total\{result="accepted",code=""\} [1-9]/);
});

it("lets a returning bidder's browser sign in while a flood keeps the line full: its check waits in a line of its own, served first", async () => {
  const email = `returning-${Date.now()}@test.fapai.local`;
  const password = 'returning-password-1';
  await t.http.post('/api/auth/register').send({ email, password, displayName: 'r' }).expect(201);
  const deviceToken = (await t.http.post('/api/auth/login').send({ email, password }).expect(200)).body.deviceToken as string;

  // Eight attackers, each logging in to unknown accounts again the moment it is answered: the line of anyone
  // (3 here) stays full, and most of their attempts are refused.
  let flooding = true;
  const floodStatuses: number[] = [];
  const attacker = async (k: number): Promise<void> => {
    for (let i = 0; flooding; i++) floodStatuses.push((await t.http.post('/api/auth/login').send({ email: `nobody-${k}-${i}@test.fapai.local`, password: 'whatever-password' })).status);
  };
  const attackers = Array.from({ length: 8 }, (_, k) => attacker(k));
  try {
    while (!floodStatuses.includes(503)) await new Promise((r) => setTimeout(r, 10));
    // The owner's browser signs in, again and again, while the flood is refused.
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await t.http.post('/api/auth/login').send({ email, password, deviceToken })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
  } finally {
    flooding = false;
    await Promise.all(attackers);
  }
  const refused = floodStatuses.filter((s) => s === 503).length;
  expect(refused).toBeGreaterThan(floodStatuses.length / 2);
  expect(floodStatuses.every((s) => s === 401 || s === 503)).toBe(true);
});
