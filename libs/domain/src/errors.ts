/**
 * Every machine code the domain rules can return, in one place, so that the API can map them exhaustively
 * (HTTP status, socket ack, message) with a `switch` the compiler checks.
 *
 * Rule refusals are values, never exceptions: the functions of this library return `{ ok: false, … }` or a
 * list of violations. Exceptions are kept for programming errors (a negative amount of fen, a malformed
 * argument), which the edge validation should have stopped.
 */

/** Refusals of `decideBid` (bidding.ts): OJA Arts. 11, 17–21 and the platform's fat-finger guard. */
export const BID_REFUSAL_CODES = [
  'NOT_ENROLLED',
  'LOT_NOT_LIVE',
  'LOT_ENDED',
  'BID_AMOUNT_INVALID',
  'PRIORITY_RANK_INVALID',
  'LEADER_CANNOT_OUTBID_SELF',
  'BID_TOO_LOW',
  'BID_NOT_ON_INCREMENT',
  'PRIORITY_MATCH_NOT_WINNING',
  'JUMP_NEEDS_CONFIRMATION',
] as const;
export type BidRefusalCode = (typeof BID_REFUSAL_CODES)[number];

/** Violations reported by `checkPublication` (publication.ts): OJA Arts. 10, 12, 13, 16, 17, 20, 26. */
export const PUBLICATION_VIOLATION_CODES = [
  'REFERENCE_PRICE_MISSING',
  'START_PRICE_INVALID',
  'START_PRICE_BELOW_FLOOR',
  'PREVIOUS_ROUND_INVALID',
  'RELIST_REDUCTION_TOO_LARGE',
  'RELIST_TOO_LATE',
  'SALE_OFF_PRICE_MISMATCH',
  'SALE_OFF_TOO_LATE',
  'SALE_OFF_PERIOD_TOO_LONG',
  'DEPOSIT_OUT_OF_RANGE',
  'INCREMENT_INVALID',
  'SCHEDULE_MISSING',
  'ENDS_BEFORE_START',
  'BIDDING_TOO_SHORT',
  'ANNOUNCEMENT_TOO_SHORT',
  'PARTIES_NOT_NOTIFIED',
  'DISCLOSURE_MISSING',
] as const;
export type PublicationViolationCode = (typeof PUBLICATION_VIOLATION_CODES)[number];

/** Refusals of `applyLotEvent` (lot.ts): OJA Arts. 20, 24, 28, 31; ASR Art. 17. */
export const LOT_TRANSITION_CODES = [
  'LOT_TRANSITION_NOT_ALLOWED',
  'REASON_REQUIRED',
  'LOT_NOT_ENDED',
  'LOT_BIDDING_ENDED',
  'SCHEDULE_REQUIRED',
  'SCHEDULE_INVALID',
  'SET_ASIDE_GROUND_INVALID',
] as const;
export type LotTransitionCode = (typeof LOT_TRANSITION_CODES)[number];

/** Any code of the auction rules. The three sets are disjoint (a test checks it). */
export type DomainRuleCode = BidRefusalCode | PublicationViolationCode | LotTransitionCode;

/** The shape of a refusal: a stable code, a human message, the article when one applies. */
export interface Refusal<C extends string> {
  ok: false;
  code: C;
  message: string;
  article?: string;
  details?: Record<string, unknown>;
}

/** Builds a refusal, leaving out the optional fields that are not given. */
export function refusal<C extends string>(
  code: C,
  message: string,
  article?: string,
  details?: Record<string, unknown>,
): Refusal<C> {
  return { ok: false, code, message, ...(article ? { article } : {}), ...(details ? { details } : {}) };
}

/** For exhaustive switches: the compiler rejects the call when a case of the union is missing. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${String(value)}`);
}
