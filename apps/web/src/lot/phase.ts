/**
 * Where a lot stands on the server clock. The API materialises "live" only on the next read, so the page
 * derives it with the same `effectiveStatus` rule from @fapai/domain, and treats a live lot past its end
 * as "closing" (bidding is over, the closer has not published the result yet).
 */
import { effectiveStatus } from '@fapai/domain';
import type { LotView } from '@fapai/contracts';
import type { MessageKey } from '../i18n/messages';

export type LotPhase = 'draft' | 'upcoming' | 'live' | 'closing' | 'paused' | 'ended' | 'withdrawn';

type Timing = Pick<LotView, 'status' | 'startsAt' | 'endsAt' | 'pausedRemainingMs'>;

const at = (iso: string | null) => (iso ? Date.parse(iso) : Number.POSITIVE_INFINITY);

export function lotPhase(lot: Timing, serverNow: number): LotPhase {
  const status = effectiveStatus({ status: lot.status, startsAt: at(lot.startsAt) }, serverNow);
  switch (status) {
    case 'draft':
      return 'draft';
    case 'announced':
      return 'upcoming';
    case 'live':
      return serverNow < at(lot.endsAt) ? 'live' : 'closing';
    case 'suspended':
    case 'postponed':
      return 'paused';
    case 'withdrawn':
      return 'withdrawn';
    default:
      return 'ended';
  }
}

/** The instant the countdown runs to (start or end), or the frozen remainder of a paused lot. */
export function countdownTarget(lot: Timing, phase: LotPhase): { kind: 'startsIn' | 'endsIn'; at: number } | { kind: 'paused'; remainingMs: number } | null {
  if (phase === 'upcoming') return { kind: 'startsIn', at: at(lot.startsAt) };
  if (phase === 'live') return { kind: 'endsIn', at: at(lot.endsAt) };
  if (phase === 'paused' && lot.pausedRemainingMs !== null) return { kind: 'paused', remainingMs: lot.pausedRemainingMs };
  return null;
}

/** The label of the status badge: the stored status, except the derived live and closing. */
export function statusLabelKey(lot: Pick<LotView, 'status'>, phase: LotPhase): MessageKey {
  if (phase === 'closing') return 'status.closing';
  if (phase === 'live') return 'status.live';
  return `status.${lot.status}`;
}

/**
 * The price board's labels. While bidding can still happen the price is "current" and its bidder "leads";
 * once the lot is over (closed, closing or withdrawn) that wording would tell a reader the auction is
 * still running, so a sale names the price and the buyer, anything else the highest bid and its bidder.
 */
export function priceBoardLabels(lot: Pick<LotView, 'status' | 'currentPrice'>, phase: LotPhase): { price: MessageKey; leader: MessageKey; over: boolean } {
  const over = phase === 'ended' || phase === 'closing' || phase === 'withdrawn';
  if (lot.currentPrice === null) return { price: 'lot.startingPrice', leader: over ? 'lot.highestBidder' : 'lot.leader', over };
  if (!over) return { price: 'lot.currentPrice', leader: 'lot.leader', over };
  // A defaulted or set-aside sale has no buyer any more: only sold and transferred lots name one.
  const sale = phase === 'ended' && (lot.status === 'sold' || lot.status === 'transferred');
  return sale ? { price: 'lot.soldPrice', leader: 'lot.buyer', over } : { price: 'lot.highestBid', leader: 'lot.highestBidder', over };
}
