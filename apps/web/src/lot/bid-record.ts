/**
 * The bid record beyond the live window: the lot page keeps the newest bids (live-lot.ts), and "show more"
 * fetches older pages of `GET /api/lots/:id/bids` (newest first, `page`/`pageSize`).
 */
import type { BidView } from '@fapai/contracts';

export const OLDER_PAGE_SIZE = 50;

/** Union of bid lists by seq, newest first, uncapped (the reader asked for the older ones). */
export function unionBids(...lists: readonly (readonly BidView[])[]): BidView[] {
  const bySeq = new Map<number, BidView>();
  for (const list of lists) for (const bid of list) bySeq.set(bid.seq, bid);
  return [...bySeq.values()].sort((x, y) => y.seq - x.seq);
}

/**
 * The page that holds the bid just older than `oldestSeq`, when the lot has `total` bids. Seqs run 1..total
 * without holes, so that bid sits at offset `total − oldestSeq + 1` from the newest. New bids arriving
 * meanwhile shift pages towards newer bids: the page then overlaps what is shown (deduplicated by seq),
 * never leaves a hole. Null when nothing older exists.
 */
export function olderPage(total: number, oldestSeq: number | null, pageSize = OLDER_PAGE_SIZE): number | null {
  if (oldestSeq === null || oldestSeq <= 1 || total <= 0) return null;
  return Math.floor((total - oldestSeq + 1) / pageSize) + 1;
}
