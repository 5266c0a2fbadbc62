import { randomInt } from 'node:crypto';

// Crockford-style alphabet without look-alikes (0/O, 1/I/L): codes are read aloud and typed on phones.
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/**
 * A bidder code (竞买代码, OJA Art. 18): random from a CSPRNG, per lot, never derived from the user id, so
 * nothing about the bidder can be learned from it. 6 symbols of 31 ≈ 8.9·10⁸ codes per lot.
 */
export function newBidderCode(): string {
  let code = '';
  for (let i = 0; i < 6; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

/** A priority code (优先竞买代码) carries the rank the court set (OJA Art. 19 ¶2), e.g. `P1-K7Q2XM`. */
export function priorityCode(rank: number, code: string): string {
  return `P${rank}-${code.replace(/^P\d+-/, '')}`;
}
