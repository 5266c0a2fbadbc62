/**
 * The 18-digit citizen identity number (公民身份号码) of GB 11643-1999: 6-digit address code, 8-digit birth
 * date (YYYYMMDD), 3-digit sequence (odd for men, even for women) and a check character computed with
 * ISO 7064 MOD 11-2 ('X' stands for 10). Used for the real-name verification of bidders (OJA Art. 17 ¶2:
 * the deposit is paid in the bidder's real name).
 *
 * This checks the number's own consistency only; whether it belongs to the person is the identity
 * provider's job. The address code is not checked against the (changing) list of administrative divisions.
 */

export type Sex = 'male' | 'female';
export type ResidentIdReason = 'FORMAT' | 'BIRTH_DATE' | 'CHECK_DIGIT';

export type ResidentIdResult =
  | { ok: true; /** Normalised: upper-case 'X'. */ id: string; birthDate: string; sex: Sex }
  | { ok: false; reason: ResidentIdReason };

/** Weights 2^(17−i) mod 11 for positions 1–17 (GB 11643-1999 §8.2). */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
/** Check character for each value of (Σ aᵢ·Wᵢ) mod 11. */
const CHECK_CHARS = '10X98765432';

/** Earliest birth year accepted: the standard's year field is 4 digits; earlier dates are data errors. */
const MIN_BIRTH_YEAR = 1800;

/** The check character ('0'–'9' or 'X') of the first 17 digits. Throws on anything but 17 digits. */
export function residentIdCheckDigit(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('first17 must be exactly 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] as number);
  return CHECK_CHARS[sum % 11] as string;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
  return day <= days;
}

/**
 * Validates an 18-character resident ID. Surrounding spaces and a lower-case 'x' are tolerated (people type
 * them); the result carries the normalised form. With `options.today` ('YYYY-MM-DD', from the injected
 * clock) a birth date after today is refused as BIRTH_DATE.
 *
 * Reasons, in the order checked: FORMAT (not 17 digits + digit/X), BIRTH_DATE (not a calendar date, before
 * 1800, or in the future), CHECK_DIGIT (the MOD 11-2 check fails).
 */
export function validateResidentId(input: string, options: { today?: string } = {}): ResidentIdResult {
  const id = input.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) return { ok: false, reason: 'FORMAT' };
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  if (year < MIN_BIRTH_YEAR || !isCalendarDate(year, month, day)) return { ok: false, reason: 'BIRTH_DATE' };
  const birthDate = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  // ISO dates compare correctly as strings.
  if (options.today !== undefined && birthDate > options.today) return { ok: false, reason: 'BIRTH_DATE' };
  if (residentIdCheckDigit(id.slice(0, 17)) !== id[17]) return { ok: false, reason: 'CHECK_DIGIT' };
  const sex: Sex = Number(id[16]) % 2 === 1 ? 'male' : 'female';
  return { ok: true, id, birthDate, sex };
}

/**
 * Masks an ID for display and logs: the first 3 and last 4 characters stay, the rest become '*'
 * ("110***********002X"). Anything shorter than 8 characters is masked entirely, so a malformed value
 * never leaks whole.
 */
export function maskResidentId(id: string): string {
  const s = id.trim();
  if (s.length < 8) return '*'.repeat(s.length);
  return s.slice(0, 3) + '*'.repeat(s.length - 7) + s.slice(-4);
}
