import { createHmac } from 'node:crypto';
import { DEVICE_TOKEN_TTL_DAYS, deviceTokenKey, signDeviceToken, verifyDeviceToken } from './device-token.js';

const key = deviceTokenKey('j'.repeat(40));
const user = '0b5c6f3e-2f4d-4c8a-9a43-6d1f0e2b7c11';
const now = Date.UTC(2026, 10, 29, 6, 0, 0);

describe('device tokens', () => {
  it('verifies its own token and names the user and the device', () => {
    const token = signDeviceToken(key, user, 3, now);
    const claim = verifyDeviceToken(key, token, now + 1000);
    expect(claim).toEqual({ userId: user, tokenVersion: 3, deviceId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), issuedAt: Math.floor(now / 1000) * 1000 });
    // a new device id each time
    expect(verifyDeviceToken(key, signDeviceToken(key, user, 3, now), now)!.deviceId).not.toBe(claim!.deviceId);
  });

  it('refuses a token changed anywhere, signed with another secret, or not a token at all', () => {
    const token = signDeviceToken(key, user, 3, now);
    const other = '7e1f5a20-9c3b-4d6e-8f01-2a3b4c5d6e7f';
    expect(verifyDeviceToken(key, token.replace(user, other), now)).toBeNull();
    const parts = token.split('.');
    parts[4] = `${parts[4].slice(0, -1)}${parts[4].endsWith('A') ? 'B' : 'A'}`;
    expect(verifyDeviceToken(key, parts.join('.'), now)).toBeNull();
    // The token version is signed too: a token cannot be carried over a revocation by editing it.
    expect(verifyDeviceToken(key, token.replace(`${user}.3.`, `${user}.4.`), now)).toBeNull();
    // The first format (no version) is no longer trusted, even when its signature is good.
    const d1Body = `d1.${user}.${Math.floor(now / 1000)}.${'A'.repeat(22)}`;
    expect(verifyDeviceToken(key, `${d1Body}.${createHmac('sha256', key).update(d1Body).digest('base64url')}`, now)).toBeNull();
    expect(verifyDeviceToken(deviceTokenKey('k'.repeat(40)), token, now)).toBeNull();
    for (const bad of [undefined, '', 'd2', `${token}x`, token.replace(/^d2/, 'd3'), 'eyJhbGciOiJIUzI1NiJ9.e30.x']) expect(verifyDeviceToken(key, bad, now)).toBeNull();
  });

  it(`is good for ${DEVICE_TOKEN_TTL_DAYS} days and not from the future`, () => {
    const token = signDeviceToken(key, user, 3, now);
    const day = 86_400_000;
    expect(verifyDeviceToken(key, token, now + DEVICE_TOKEN_TTL_DAYS * day - 1000)).not.toBeNull();
    expect(verifyDeviceToken(key, token, now + DEVICE_TOKEN_TTL_DAYS * day + 1000)).toBeNull();
    expect(verifyDeviceToken(key, token, now - 5 * 60_000)).toBeNull();
  });
});
