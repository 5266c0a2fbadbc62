/**
 * The bid panel's arithmetic, on top of @fapai/domain's `minNextBid` / `nextValidAmounts` / `isStale`,
 * so the panel proposes exactly what the API's `decideBid` accepts.
 */
import { isStale, minNextBid, nextValidAmounts, type BiddingState } from '@fapai/domain';
import type { LotView } from '@fapai/contracts';
import { yuanToFen } from '../format/money';

export interface BidContext {
  startingPrice: number;
  increment: number;
  currentPrice: number | null;
  /** The leading bid was a priority bid: its holder's rank is not public, so assume it wins a tie. */
  leaderIsPriority: boolean;
  /** This bidder's confirmed priority rank (1 = highest), null for an ordinary bidder. */
  myPriorityRank: number | null;
}

type PanelState = Pick<BiddingState, 'startingPrice' | 'increment' | 'currentPrice' | 'leader'>;

export function bidContext(lot: Pick<LotView, 'startingPrice' | 'increment' | 'currentPrice'>, leaderIsPriority: boolean, myPriorityRank: number | null): BidContext | null {
  if (lot.startingPrice === null || lot.increment === null) return null;
  return { startingPrice: lot.startingPrice, increment: lot.increment, currentPrice: lot.currentPrice, leaderIsPriority, myPriorityRank };
}

function toState(ctx: BidContext): PanelState {
  // Rank 0 outranks every real rank (1 = highest), the safe assumption about an unknown priority leader.
  const leader = ctx.currentPrice === null ? null : { enrolmentId: '', priorityRank: ctx.leaderIsPriority ? 0 : null, placedAt: 0 };
  return { startingPrice: ctx.startingPrice, increment: ctx.increment, currentPrice: ctx.currentPrice, leader };
}

export function minimumBid(ctx: BidContext): number {
  return minNextBid(toState(ctx), ctx.myPriorityRank);
}

/** The quick choices: the minimum and the next amounts, one increment apart. */
export function quickAmounts(ctx: BidContext, count = 3): number[] {
  return nextValidAmounts(toState(ctx), count, ctx.myPriorityRank);
}

/** How many increments `amount` is above the price the increments count from (start or current). */
export function incrementsAbove(amount: number, ctx: BidContext): number {
  return (amount - (ctx.currentPrice ?? ctx.startingPrice)) / ctx.increment;
}

export function needsJumpConfirmation(amount: number, ctx: BidContext, jumpConfirmIncrements: number): boolean {
  return incrementsAbove(amount, ctx) > jumpConfirmIncrements;
}

export type AmountCheck = 'ok' | 'too_low' | 'not_on_increment';

export function checkAmount(amount: number, ctx: BidContext): AmountCheck {
  if (!Number.isSafeInteger(amount) || amount <= 0) return 'too_low';
  const priority = ctx.myPriorityRank !== null;
  if (ctx.currentPrice === null ? amount < ctx.startingPrice : isStale(amount, ctx.currentPrice, ctx.increment, priority) || amount < minimumBid(ctx)) return 'too_low';
  if (!Number.isInteger(incrementsAbove(amount, ctx))) return 'not_on_increment';
  return 'ok';
}

/** One increment up or down, never below the minimum. */
export function stepAmount(amount: number, direction: 1 | -1, ctx: BidContext): number {
  return Math.max(minimumBid(ctx), amount + direction * ctx.increment);
}

/**
 * The amount to keep in the panel after the price moved: the bidder's choice if it is still valid, else
 * the new minimum (a stale amount would only be refused).
 */
export function reconcileAmount(amount: number | null, ctx: BidContext): number {
  if (amount === null || checkAmount(amount, ctx) !== 'ok') return minimumBid(ctx);
  return amount;
}

/**
 * What the bidder typed, in fen, or null when it is not an amount. Chinese IMEs often produce full-width
 * digits ("７５１００", "．", "￥"), so those are read as their ASCII forms; anything else yuanToFen refuses
 * (more than 2 decimals, "7.5万", letters) stays invalid rather than being guessed at.
 */
export function parseBidAmount(text: string): number | null {
  const ascii = text.replace(/[\uFF10-\uFF19\uFF0E\uFFE5]/g, (c) => (c === '\uFF0E' ? '.' : c === '\uFFE5' ? '¥' : String.fromCharCode(c.charCodeAt(0) - 0xff10 + 0x30)));
  const fen = yuanToFen(ascii);
  return fen === null || fen <= 0 ? null : fen;
}
