/**
 * The account lockout is not a weapon (accounts/device-token.ts): failed logins by someone who only knows a
 * bidder's e-mail lock the account, but not the owner's browser that has signed in to it before, which has a
 * failure budget of its own, and a rate limit of its own. On the real API and PostgreSQL.
 */
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let t: TestPlatform;

beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => {
  await t?.stop();
});

const loginWith = (email: string, password: string, deviceToken?: string) => t.http.post('/api/auth/login').send({ email, password, ...(deviceToken === undefined ? {} : { deviceToken }) });
const deviceIdOf = (token: string) => token.split('.')[4];
const accountRow = async (email: string) => (await t.db.query<{ failed_logins: number; locked: boolean }>(`SELECT failed_logins, coalesce(locked_until > now(), false) AS locked FROM users WHERE email = $1`, [email])).rows[0];
const deviceRows = async (email: string) =>
  (await t.db.query<{ device_id: string; failed_logins: number; locked: boolean }>(`SELECT d.device_id, d.failed_logins, coalesce(d.locked_until > now(), false) AS locked FROM device_logins d JOIN users u ON u.id = d.user_id WHERE u.email = $1`, [email])).rows;

async function register(prefix: string): Promise<{ email: string; password: string }> {
  const email = `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@test.fapai.local`;
  const password = `${prefix}-password-1`;
  await t.http.post('/api/auth/register').send({ email, password, displayName: prefix }).expect(201);
  return { email, password };
}

describe('device tokens against the account lockout', () => {
  it("keeps the owner's browser signed-in-able while failures from elsewhere lock the account, and leaves that lock in place", async () => {
    const owner = await register('owner');
    const first = await loginWith(owner.email, owner.password).expect(200);
    const token = first.body.deviceToken as string;
    expect(token).toMatch(/^d2\./);

    // Someone who knows only the e-mail: five failures lock the account, even for the right password.
    for (let i = 0; i < 5; i++) await loginWith(owner.email, `guess-${i}`).expect(401);
    const locked = await loginWith(owner.email, owner.password).expect(429);
    expect(locked.body).toMatchObject({ code: 'ACCOUNT_LOCKED' });
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);

    // The owner's browser signs in, and gets its token renewed for the same device.
    const again = await loginWith(owner.email, owner.password, token).expect(200);
    expect(again.body.user.id).toBe(first.body.user.id);
    expect(deviceIdOf(again.body.deviceToken as string)).toBe(deviceIdOf(token));
    const me = await t.http.get('/api/me').set({ Authorization: `Bearer ${again.body.accessToken as string}` }).expect(200);
    expect(me.body.email).toBe(owner.email);
    // The account stays locked for everyone else: whoever caused the lock keeps it.
    expect(await accountRow(owner.email)).toEqual({ failed_logins: 5, locked: true });
    await loginWith(owner.email, owner.password).expect(429);
  });

  it('trusts a token only for its own account and only as issued: another account’s token, a changed one or garbage change nothing', async () => {
    const victim = await register('victim');
    const attacker = await register('attacker');
    const attackerToken = (await loginWith(attacker.email, attacker.password).expect(200)).body.deviceToken as string;
    const victimToken = (await loginWith(victim.email, victim.password).expect(200)).body.deviceToken as string;
    for (let i = 0; i < 5; i++) await loginWith(victim.email, `guess-${i}`, attackerToken).expect(401);
    // The attacker's own device token did not make its failures the attacker's device's: the account is locked.
    expect(await accountRow(victim.email)).toEqual({ failed_logins: 5, locked: true });
    expect(await deviceRows(victim.email)).toEqual([]);
    const parts = victimToken.split('.');
    const forged = [parts[0], parts[1], String(Number(parts[2]) + 1), ...parts.slice(3)].join('.');
    for (const bad of [attackerToken, forged, 'd1.not-a-token', `${victimToken}x`]) {
      expect((await loginWith(victim.email, victim.password, bad).expect(429)).body.code).toBe('ACCOUNT_LOCKED');
    }
    await loginWith(victim.email, victim.password, victimToken).expect(200);
  });

  it("gives a trusted device its own lock: five failures lock that device, not the account, and a success clears them", async () => {
    const owner = await register('device');
    const token = (await loginWith(owner.email, owner.password).expect(200)).body.deviceToken as string;
    for (let i = 0; i < 4; i++) await loginWith(owner.email, `typo-${i}`, token).expect(401);
    expect(await deviceRows(owner.email)).toEqual([{ device_id: deviceIdOf(token), failed_logins: 4, locked: false }]);
    await loginWith(owner.email, 'typo-4', token).expect(401);
    expect(await deviceRows(owner.email)).toEqual([{ device_id: deviceIdOf(token), failed_logins: 5, locked: true }]);
    const locked = await loginWith(owner.email, owner.password, token).expect(429);
    expect(locked.body).toMatchObject({ code: 'ACCOUNT_LOCKED' });
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
    // The account itself was never counted: the same password works from a browser without the token.
    expect(await accountRow(owner.email)).toEqual({ failed_logins: 0, locked: false });
    await loginWith(owner.email, owner.password).expect(200);

    // Once the device's lock has expired, one typo does not lock it again, and a success clears its record.
    await t.db.query(`UPDATE device_logins SET locked_until = now() - interval '1 second' WHERE device_id = $1`, [deviceIdOf(token)]);
    await loginWith(owner.email, 'typo-5', token).expect(401);
    expect(await deviceRows(owner.email)).toEqual([{ device_id: deviceIdOf(token), failed_logins: 1, locked: false }]);
    await loginWith(owner.email, owner.password, token).expect(200);
    expect(await deviceRows(owner.email)).toEqual([]);
  });

  it('forgets every device when the account’s tokens are revoked: a password change takes a lost browser’s trust with it', async () => {
    const owner = await register('revoked');
    const first = await loginWith(owner.email, owner.password).expect(200);
    const lost = first.body.deviceToken as string;
    const newPassword = 'revoked-password-2';
    await t.http.post('/api/me/password').set({ Authorization: `Bearer ${first.body.accessToken as string}` }).send({ currentPassword: owner.password, newPassword }).expect(204);
    // Failures from elsewhere lock the account; the lost browser's token no longer gets past that lock.
    for (let i = 0; i < 5; i++) await loginWith(owner.email, `guess-${i}`).expect(401);
    expect((await loginWith(owner.email, newPassword, lost).expect(429)).body.code).toBe('ACCOUNT_LOCKED');
    expect(await deviceRows(owner.email)).toEqual([]);
    // Once the lock is over, a login issues a token under the new version, trusted from then on.
    await t.db.query(`UPDATE users SET locked_until = now() - interval '1 second' WHERE email = $1`, [owner.email]);
    const renewed = (await loginWith(owner.email, newPassword, lost).expect(200)).body.deviceToken as string;
    expect(deviceIdOf(renewed)).not.toBe(deviceIdOf(lost));
    for (let i = 0; i < 5; i++) await loginWith(owner.email, `guess-again-${i}`).expect(401);
    await loginWith(owner.email, newPassword, renewed).expect(200);
  });

  it('refuses a deviceToken that is not a short string with 400 naming the field, and an unknown e-mail with a token as any unknown e-mail', async () => {
    const owner = await register('shape');
    const token = (await loginWith(owner.email, owner.password).expect(200)).body.deviceToken as string;
    const notString = await t.http.post('/api/auth/login').send({ email: owner.email, password: owner.password, deviceToken: 42 }).expect(400);
    expect(JSON.stringify(notString.body)).toMatch(/deviceToken must be a string/);
    const tooLong = await loginWith(owner.email, owner.password, 'd'.repeat(201)).expect(400);
    expect(JSON.stringify(tooLong.body)).toMatch(/deviceToken must be shorter than or equal to 200 characters/);
    expect((await loginWith(`nobody-${Date.now()}@test.fapai.local`, owner.password, token).expect(401)).body.code).toBe('INVALID_CREDENTIALS');
  });
});

describe('device tokens against the per-account rate limit', () => {
  let limited: TestPlatform;
  beforeAll(async () => {
    limited = await startTestPlatform({ RATE_LIMITS: 'true', RATE_LIMIT_LOGIN_PER_MINUTE: '5' });
  });
  afterAll(async () => {
    await limited?.stop();
  });

  it("counts a trusted device's logins apart from the account's: a flood of guesses neither limits nor locks the owner's browser", async () => {
    const email = `flooded-${Date.now()}@test.fapai.local`;
    const password = 'flooded-password-1';
    const send = (body: object) => limited.http.post('/api/auth/login').send({ email, ...body });
    await limited.http.post('/api/auth/register').send({ email, password, displayName: 'f' }).expect(201);
    const deviceToken = (await send({ password }).expect(200)).body.deviceToken as string;
    // The attacker spends the account's logins of this minute (5) and locks it.
    const codes: string[] = [];
    for (let i = 0; i < 7; i++) codes.push((await send({ password: `wrong-${i}` })).body.code as string);
    expect(codes).toContain('RATE_LIMITED');
    expect((await send({ password }).expect(429)).body.code).toMatch(/^(RATE_LIMITED|ACCOUNT_LOCKED)$/);
    // The owner's browser: its own limit and its own lock, both untouched.
    await send({ password, deviceToken }).expect(200);
    // Its own limit is 5 a minute too: a stolen token does not buy more guesses than the account has.
    const deviceCodes: string[] = [];
    for (let i = 0; i < 11; i++) deviceCodes.push((await send({ password: `wrong-${i}`, deviceToken })).body.code as string);
    expect(deviceCodes).toContain('RATE_LIMITED');
    expect(deviceCodes.filter((c) => c === 'INVALID_CREDENTIALS').length).toBeLessThanOrEqual(5);
  });
});
