/**
 * Resident IDs (公民身份号码, GB 11643) for test and benchmark accounts, distinct across every process of a run.
 *
 * Identity verification refuses an ID already verified on another account (409 IDENTITY_IN_USE), and the
 * Jest workers, fault-test children and benchmark drivers all register bidders in one database. So an ID
 * is not drawn at random (a few thousand draws from a small space collide: CI failed once on it) but taken
 * in turn: the address code carries this process's pid, and the birth date and sequence number step through
 * 60 years × 1,000 from a random start, so one process never repeats itself within 21.9 million IDs and two
 * processes alive at once differ in the address code (a pid reused by a later run starts elsewhere).
 */
import { residentIdCheckDigit } from '@fapai/domain';

const FIRST_BIRTH_DAY = Date.UTC(1940, 0, 1);
const DAYS = 60 * 365;
const SPACE = DAYS * 1000;
const DAY_MS = 86_400_000;

let next = Math.floor(Math.random() * SPACE);

/** The next valid 18-character resident ID of this process (check character by ISO 7064 MOD 11-2). */
export function residentId() {
  const n = next % SPACE;
  next += 1;
  const birth = new Date(FIRST_BIRTH_DAY + Math.floor(n / 1000) * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '');
  const address = `11${String(process.pid % 10_000).padStart(4, '0')}`;
  const first17 = `${address}${birth}${String(n % 1000).padStart(3, '0')}`;
  return first17 + residentIdCheckDigit(first17);
}
