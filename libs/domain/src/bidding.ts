/**
 * Bid acceptance (竞价), ranking and the 5-minute extension (延时), as pure functions.
 *
 * The API calls `decideBid` inside the transaction that holds the lot's row lock, with `now` read from the
 * database clock: OJA Art. 20 ¶2 makes the bid time the moment the bid enters the platform's server, and
 * reading it under the lock means bids are decided in the order they are recorded. The web app calls
 * `minNextBid` / `nextValidAmounts` with the same state to fill the bid panel.
 *
 * Rules implemented:
 * - OJA Arts. 17–18: only a bidder whose enrolment (deposit) is confirmed may bid.
 * - OJA Art. 20 ¶1: the first bid is at least the starting price (起拍价); bids ascend in whole increments
 *   (加价幅度) set by the court: every price is `startingPrice + k × increment`.
 * - OJA Art. 20 ¶2: a bid in the last 5 minutes moves the end to the bid time + 5 minutes, without limit.
 *   Bidding is open on `[startsAt, endsAt)`: a bid arriving exactly at `endsAt` is late.
 * - OJA Art. 21: a confirmed priority purchaser (优先购买权人) may bid the current price itself; at equal
 *   price a priority holder beats an ordinary bidder, a higher rank (lower number) beats a lower one, and
 *   among the same rank the earlier bid wins. A match that would not win is refused, so the leader is always
 *   the top of `rankBids` over all accepted bids.
 * - Platform guards (not law): the leader cannot bid over themselves; a bid more than N increments above
 *   the current price needs an explicit confirmation (fat-finger guard).
 */
import { refusal, type BidRefusalCode, type Refusal } from './errors.js';
import { effectiveStatus, type LotStatus } from './lot.js';
import type { RulesProfile } from './rules-profile.js';

export interface BidLeader {
  enrolmentId: string;
  /** Confirmed priority rank (1 = highest), null for an ordinary bidder. */
  priorityRank: number | null;
  placedAt: number;
}

/** The part of a lot that decides a bid. Times are epoch ms, money is fen. */
export interface BiddingState {
  status: LotStatus;
  startsAt: number;
  endsAt: number;
  startingPrice: number;
  increment: number;
  /** Null until the first accepted bid. */
  currentPrice: number | null;
  leader: BidLeader | null;
  bidCount: number;
  /** Number of 5-minute extensions so far (Ali's `delayCount`). */
  extensionCount: number;
}

export interface BidInput {
  enrolmentId: string;
  /** Enrolled with the deposit secured, and not barred (e.g. a defaulter in the re-auction, OJA Art. 24 ¶2). */
  enrolmentActive: boolean;
  /** Court-confirmed priority rank (OJA Art. 19), 1 = highest; null for an ordinary bidder. */
  priorityRank: number | null;
  amount: number;
  /** Server (database) time of receipt. */
  now: number;
  /** The bidder confirmed a bid more than `jumpConfirmIncrements` increments above the current price. */
  confirmJump?: boolean;
}

/** opening: the first bid; raise: above the current price; priority_match: a priority holder at the current price. */
export type BidKind = 'opening' | 'raise' | 'priority_match';

export interface AcceptedBid {
  /** 1, 2, 3… per lot: the bid record's order and the event sequence. */
  seq: number;
  enrolmentId: string;
  amount: number;
  priorityRank: number | null;
  placedAt: number;
  kind: BidKind;
}

export type BidDecision =
  | { ok: true; next: BiddingState; extended: boolean; bid: AcceptedBid }
  | Refusal<BidRefusalCode>;

const refuse = refusal<BidRefusalCode>;

const isPositiveSafeInteger = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;

/**
 * Would a priority holder of `rank` who bids exactly the current price win the tie against `leader`?
 * OJA Art. 21: yes against an ordinary bidder and against a lower rank (higher number); no against the
 * same or a higher rank (the same rank at the same price goes to the earlier bid, which is the leader's).
 */
export function priorityMatchWins(rank: number | null, leader: Pick<BidLeader, 'priorityRank'> | null): boolean {
  if (rank === null || leader === null) return false;
  return leader.priorityRank === null || rank < leader.priorityRank;
}

/**
 * How much time left before the end makes a bid extend (OJA Art. 20 ¶2). With window = extension (the law:
 * 5 and 5) it is 5 minutes; taking the smaller of the two keeps a profile with a longer window from counting
 * a bid that moves nothing.
 */
function extendingWindow(profile: RulesProfile): number {
  return Math.min(profile.auction.extensionWindowMs, profile.auction.extensionMs);
}

/**
 * Decides one bid against the state read under the lot's lock. Never throws for a rule refusal; throws only
 * when the state itself is corrupt (a non-positive increment), which publication forbids.
 *
 * Checks, in order: NOT_ENROLLED, LOT_NOT_LIVE, LOT_ENDED, BID_AMOUNT_INVALID, PRIORITY_RANK_INVALID,
 * LEADER_CANNOT_OUTBID_SELF, BID_TOO_LOW, PRIORITY_MATCH_NOT_WINNING, BID_NOT_ON_INCREMENT,
 * JUMP_NEEDS_CONFIRMATION.
 *
 * Extension boundary (the texts leave it open, rulebook §10.2 item 7): a bid with `endsAt − now ≤ 5 min`
 * extends, so a bid with exactly 5:00 left extends (the new end, bid time + 5:00, equals the old one, and
 * it counts as an extension); with 5:00.001 left it does not. The end never moves backwards.
 */
export function decideBid(state: BiddingState, input: BidInput, profile: RulesProfile): BidDecision {
  const { amount, now, priorityRank } = input;
  const { increment, startingPrice, currentPrice, leader } = state;
  if (!isPositiveSafeInteger(increment)) throw new RangeError(`corrupt lot state: increment ${increment}`);

  if (!input.enrolmentActive) {
    return refuse('NOT_ENROLLED', 'only an enrolled bidder whose deposit is confirmed may bid', 'OJA Arts. 17–18');
  }
  const status = effectiveStatus(state, now);
  if (status !== 'live' || now < state.startsAt) {
    return refuse('LOT_NOT_LIVE', 'the lot is not open for bidding', 'OJA Art. 20', { status, startsAt: state.startsAt });
  }
  if (now >= state.endsAt) {
    return refuse('LOT_ENDED', 'bidding has ended', 'OJA Art. 20 ¶2', { endsAt: state.endsAt });
  }
  if (!isPositiveSafeInteger(amount)) {
    return refuse('BID_AMOUNT_INVALID', 'the amount must be a positive whole number of fen', undefined, { amount });
  }
  if (priorityRank !== null && !isPositiveSafeInteger(priorityRank)) {
    return refuse('PRIORITY_RANK_INVALID', 'a priority rank is a positive integer (1 = highest)', 'OJA Art. 19 ¶2', {
      priorityRank,
    });
  }
  if (leader !== null && leader.enrolmentId === input.enrolmentId) {
    return refuse('LEADER_CANNOT_OUTBID_SELF', 'you already hold the highest bid');
  }

  let kind: BidKind;
  let base: number; // the price the increments count from
  if (currentPrice === null) {
    if (amount < startingPrice) {
      return refuse('BID_TOO_LOW', 'the first bid must be at least the starting price', 'OJA Art. 20 ¶1', {
        minimum: startingPrice,
      });
    }
    kind = 'opening';
    base = startingPrice;
  } else {
    const canMatch = priorityMatchWins(priorityRank, leader);
    if (amount < currentPrice || (amount === currentPrice && priorityRank === null)) {
      return refuse('BID_TOO_LOW', 'the bid must be above the current price', 'OJA Art. 20 ¶1', {
        currentPrice,
        minimum: canMatch ? currentPrice : currentPrice + increment,
      });
    }
    if (amount === currentPrice && !canMatch) {
      return refuse(
        'PRIORITY_MATCH_NOT_WINNING',
        'at this price the current leader ranks first; bid at least one increment more',
        'OJA Art. 21',
        { leaderPriorityRank: leader?.priorityRank ?? null, minimum: currentPrice + increment },
      );
    }
    kind = amount === currentPrice ? 'priority_match' : 'raise';
    base = currentPrice;
  }

  // Integer remainder, not a float quotient: exact for every safe integer.
  const offGrid = (amount - base) % increment;
  if (offGrid !== 0) {
    const below = amount - offGrid;
    return refuse('BID_NOT_ON_INCREMENT', 'bids rise in whole increments', 'OJA Art. 20 ¶1', {
      increment,
      nearestBelow: below,
      nearestAbove: below + increment,
    });
  }
  const steps = (amount - base) / increment;
  const maxSteps = profile.auction.jumpConfirmIncrements;
  if (steps > maxSteps && input.confirmJump !== true) {
    const message = `the bid is ${steps} increments above the ${kind === 'opening' ? 'starting' : 'current'} price; confirm it`;
    return refuse('JUMP_NEEDS_CONFIRMATION', message, undefined, {
      increments: steps,
      amountAbove: amount - base,
      maxWithoutConfirmation: base + maxSteps * increment,
    });
  }

  // OJA Art. 20 ¶2: `endsAt − now ≤ 5 min` extends.
  const extended = state.endsAt - now <= extendingWindow(profile);
  const endsAt = extended ? Math.max(state.endsAt, now + profile.auction.extensionMs) : state.endsAt;

  const { enrolmentId } = input;
  const bid: AcceptedBid = { seq: state.bidCount + 1, enrolmentId, amount, priorityRank, placedAt: now, kind };
  const next: BiddingState = {
    ...state,
    status: 'live', // materialises an announced lot that went live at its start
    endsAt,
    currentPrice: amount,
    leader: { enrolmentId, priorityRank, placedAt: now },
    bidCount: state.bidCount + 1,
    extensionCount: state.extensionCount + (extended ? 1 : 0),
  };
  return { ok: true, next, extended, bid };
}

/** A span of server time `[from, until)`, epoch ms. */
export interface TimeSpan {
  from: number;
  until: number;
}

/**
 * The span of server time around `now` over which `decideBid(state, input)` decides as it does at `now`:
 * the same outcome, the same next state and the same bid, but for the bid's own time (`placedAt`, and the
 * leader's). Null where the time itself decides something: before the start of a lot not yet written
 * `live`, in the last minutes where a bid extends (the new end is bid time + 5 min), and at or after the end.
 *
 * For a `live` lot this is `[startsAt, endsAt − window)`, the window being the extension boundary of
 * `decideBid` (a bid with exactly the window left extends, so `endsAt − window` is outside). The API uses
 * it to write a bid decided on its last known state in one statement, guarded by the database clock
 * falling in this span and by the lot still being that state: the decision is then the one `decideBid`
 * takes under the lock at the database's time (OJA Art. 20 ¶2), without a round trip to read it first.
 */
export function timeInvariantSpan(state: Pick<BiddingState, 'status' | 'startsAt' | 'endsAt'>, now: number, profile: RulesProfile): TimeSpan | null {
  if (state.status !== 'live') return null;
  const until = state.endsAt - extendingWindow(profile);
  return now >= state.startsAt && now < until ? { from: state.startsAt, until } : null;
}

/** What ranking needs of a bid. `seq` (if present) breaks a tie of identical timestamps. */
export interface RankableBid {
  amount: number;
  priorityRank: number | null;
  placedAt: number;
  seq?: number;
}

/**
 * Negative when `a` ranks before `b` (OJA Arts. 20–21): higher price; at equal price a priority holder
 * before an ordinary bidder; lower rank number first; then the earlier server time; then the lower seq.
 */
export function compareBids(a: RankableBid, b: RankableBid): number {
  if (a.amount !== b.amount) return b.amount - a.amount;
  if ((a.priorityRank === null) !== (b.priorityRank === null)) return a.priorityRank === null ? 1 : -1;
  if (a.priorityRank !== null && b.priorityRank !== null && a.priorityRank !== b.priorityRank) {
    return a.priorityRank - b.priorityRank;
  }
  if (a.placedAt !== b.placedAt) return a.placedAt - b.placedAt;
  return (a.seq ?? 0) - (b.seq ?? 0);
}

/** The bids in winning order (a new array; the input is not reordered). */
export function rankBids<T extends RankableBid>(bids: readonly T[]): T[] {
  return [...bids].sort(compareBids);
}

/** The winning bid, or null when there is none (流拍). */
export function winnerOf<T extends RankableBid>(bids: readonly T[]): T | null {
  return rankBids(bids)[0] ?? null;
}

export type CloseOutcome = { outcome: 'sold'; price: number; winner: BidLeader } | { outcome: 'unsold' };

/**
 * The result at the close: the leader at the current price, or unsold. OJA Art. 11: one valid bid at or
 * above the start is enough for a sale. Whether the lot may close yet is `applyLotEvent`'s question.
 */
export function closeOutcome(state: Pick<BiddingState, 'currentPrice' | 'leader'>): CloseOutcome {
  if (state.leader === null || state.currentPrice === null) return { outcome: 'unsold' };
  return { outcome: 'sold', price: state.currentPrice, winner: state.leader };
}

/**
 * The lowest amount `decideBid` accepts from a bidder other than the leader: the starting price before
 * any bid; the current price for a priority holder who would win the tie; else one increment more.
 */
export function minNextBid(
  state: Pick<BiddingState, 'startingPrice' | 'increment' | 'currentPrice' | 'leader'>,
  priorityRank: number | null = null,
): number {
  if (state.currentPrice === null) return state.startingPrice;
  return priorityMatchWins(priorityRank, state.leader) ? state.currentPrice : state.currentPrice + state.increment;
}

/** `count` valid amounts from `minNextBid` upward, one increment apart (the bid panel's choices). */
export function nextValidAmounts(
  state: Pick<BiddingState, 'startingPrice' | 'increment' | 'currentPrice' | 'leader'>,
  count: number,
  priorityRank: number | null = null,
): number[] {
  const first = minNextBid(state, priorityRank);
  return Array.from({ length: Math.max(0, Math.floor(count)) }, (_, i) => first + i * state.increment);
}

/**
 * A cheap refusal before taking the row lock: true when `amount` is certainly too low against a price read
 * earlier. Sound because accepted prices never decrease, so a price read before the lock is a lower bound
 * of the price under it. A priority holder (`priority`) may still match the price, so only a lower amount
 * is stale for them. A false answer proves nothing: `decideBid` under the lock decides.
 */
export function isStale(amount: number, knownCurrentPrice: number | null, increment: number, priority = false): boolean {
  if (knownCurrentPrice === null) return false;
  return amount < (priority ? knownCurrentPrice : knownCurrentPrice + increment);
}
