/**
 * Device tokens (设备凭证): what keeps the account lockout from being a weapon. Without them, anyone who knows
 * a bidder's e-mail could lock the account with five wrong passwords (or keep its per-account login limit
 * spent) in the last minutes of an auction, and keep a rival from signing in. A browser that has signed in to
 * an account before gets a device token for it; a login that presents a valid one for the same account is
 * not held by the account's lock or its per-account limit, but by a failure budget of that device alone
 * (OWASP's "device cookies"). The password is still needed: the token only says "this browser signed in here
 * before".
 *
 * The token is stateless: `d2.<userId>.<token version>.<issued, s>.<device id>.<HMAC-SHA256 of the rest>`,
 * under a key derived from JWT_SECRET (so rotating JWT_SECRET forgets every device, as it ends every session).
 * It is good for DEVICE_TOKEN_TTL_DAYS and says nothing the caller does not know already. It counts only while
 * the account's token version is the one it was issued under: a password change, "log out everywhere" and a
 * detected refresh-token theft each bump that version (token-versions.ts), so each also forgets every device
 * (an owner who changes a password because a browser was lost takes that browser's trust away with it). The
 * first format, `d1`, had no version and is no longer trusted: such a browser is trusted again after its
 * next successful login.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const DEVICE_TOKEN_TTL_DAYS = 365;
const PREFIX = 'd2';
const TOKEN = /^d2\.([0-9a-f-]{36})\.(\d{1,9})\.(\d{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export interface DeviceClaim {
  userId: string;
  /** The account's token version when the token was issued: trusted only while it is still the current one. */
  tokenVersion: number;
  /** Random per device, the subject of the device's own failure budget. */
  deviceId: string;
  issuedAt: number;
}

/** The signing key: its own derivation of the JWT secret, so a device token is never a valid JWT signature. */
export const deviceTokenKey = (jwtSecret: string): Buffer => createHmac('sha256', jwtSecret).update('fapai device tokens v1').digest();

const mac = (key: Buffer, body: string): Buffer => createHmac('sha256', key).update(body).digest();

export function signDeviceToken(key: Buffer, userId: string, tokenVersion: number, nowMs: number, deviceId = randomBytes(16).toString('base64url')): string {
  const body = `${PREFIX}.${userId}.${tokenVersion}.${Math.floor(nowMs / 1000)}.${deviceId}`;
  return `${body}.${mac(key, body).toString('base64url')}`;
}

/** The claim of a well-formed, authentic, unexpired token; null for anything else (never an error: it is only a hint). */
export function verifyDeviceToken(key: Buffer, token: string | undefined, nowMs: number): DeviceClaim | null {
  const m = token ? TOKEN.exec(token) : null;
  if (!m) return null;
  const [, userId, version, issued, deviceId, signature] = m;
  const expected = mac(key, `${PREFIX}.${userId}.${version}.${issued}.${deviceId}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const issuedAt = Number(issued) * 1000;
  if (issuedAt > nowMs + 60_000 || nowMs - issuedAt > DEVICE_TOKEN_TTL_DAYS * 86_400_000) return null;
  return { userId, tokenVersion: Number(version), deviceId, issuedAt };
}
