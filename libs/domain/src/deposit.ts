/**
 * The deposit (保证金): its amount (OJA Art. 17), its deadlines (OJA Arts. 23, 25) and how the platform
 * secures it. A deposit is either a card hold (authorise now, capture or cancel later) or a charge (capture
 * now, refund later). A hold is cheaper and moves no money for the losers, but it expires (about 7 days for
 * cards), so it is only used when it outlives the moment the deposit is released or applied.
 */
import { assertFen, percentOfBpCeil, percentOfBpFloor } from './money.js';
import type { RulesProfile } from './rules-profile.js';

/** OJA Art. 17 ¶1: the deposit range, 5 %–20 % of the starting price, bounds rounded inwards. */
export function depositRange(startingPrice: number, profile: RulesProfile): { min: number; max: number } {
  return {
    min: percentOfBpCeil(startingPrice, profile.auction.depositMinBp),
    max: percentOfBpFloor(startingPrice, profile.auction.depositMaxBp),
  };
}

/**
 * OJA Art. 17 ¶2: what a bidder pays. The applicant creditor (申请执行人) may bid without a deposit, paying
 * only the part of it that exceeds its claim; `applicantClaim` is that claim in fen, null for everyone
 * else (who pays the full deposit).
 */
export function depositDue(deposit: number, applicantClaim: number | null): number {
  assertFen(deposit, 'deposit');
  if (applicantClaim === null) return deposit;
  assertFen(applicantClaim, 'applicantClaim');
  return Math.max(0, deposit - applicantClaim);
}

export type DepositStrategy = 'hold' | 'charge';

/** Default safety margin between a hold's expiry and the latest release: covers extensions and job delays. */
export const DEFAULT_HOLD_MARGIN_MS = 6 * 60 * 60 * 1000;

export interface HoldTiming {
  /** The lot's current end (it can still move: extensions, a resumed pause). */
  lotEndsAt: number;
  /** How long after the end the deposit is released or applied (OJA Arts. 23, 25: ≤ 24 h). */
  releaseWindowMs: number;
  marginMs?: number;
}

/** A hold expiring at `expiresAt` is safe if it outlives the latest release by more than the margin. */
function holdOutlivesRelease(expiresAt: number, t: HoldTiming): boolean {
  return expiresAt - (t.marginMs ?? DEFAULT_HOLD_MARGIN_MS) > t.lotEndsAt + t.releaseWindowMs;
}

/**
 * 'hold' when a hold placed now would still be alive, with the margin, when the deposit is released or
 * applied (`now + holdLifetime − margin > lotEndsAt + releaseWindow`); otherwise 'charge'.
 */
export function depositStrategy(t: HoldTiming & { now: number; holdLifetimeMs: number }): DepositStrategy {
  return holdOutlivesRelease(t.now + t.holdLifetimeMs, t) ? 'hold' : 'charge';
}

/**
 * True when an existing hold no longer outlives the release (the end moved later through extensions or a
 * resumed pause): the platform must convert it to a charge (capture, refund later) before it expires.
 * The same margin as `depositStrategy`, so a hold chosen with a given end does not need conversion until
 * that end moves.
 */
export function holdNeedsConversion(t: HoldTiming & { holdExpiresAt: number }): boolean {
  return !holdOutlivesRelease(t.holdExpiresAt, t);
}

/** OJA Art. 23: losers' deposits (all deposits if unsold) are released within 24 h of the end. */
export function depositReleaseDeadline(endedAt: number, profile: RulesProfile): number {
  return endedAt + profile.auction.depositReleaseMs;
}

/** OJA Art. 25: the winner's deposit reaches the court's account within 24 h of the sale. */
export function winnerDepositTransferDeadline(endedAt: number, profile: RulesProfile): number {
  return endedAt + profile.auction.winnerDepositTransferMs;
}
