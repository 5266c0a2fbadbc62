/**
 * The live state of one lot as a pure reducer, so the ordering rules are testable without a socket:
 * - events carry `seq`, one more per accepted bid; an event at or below the known seq is a duplicate
 *   (re-delivery after a reconnect) and is ignored;
 * - an event beyond `seq + 1` means events were missed: its price is still the newest truth and is shown,
 *   but `resyncNeeded` asks the hook to reload the lot and the bid record from the API;
 * - a snapshot (GET /api/lots/:id, or the `lot.watch` ack) older than what events already showed never
 *   moves the price backwards.
 */
import type { BidView, LotBidEvent, LotClosedEvent, LotStatusEvent, LotView } from '@fapai/contracts';

export const BID_RECORD_LIMIT = 100;

export interface Extension {
  seq: number;
  endsAt: string;
}

export interface LiveLotState {
  lot: LotView | null;
  /** Newest first, by seq, without duplicates. */
  bids: BidView[];
  /** The highest bid seq applied so far (the lot's `seq`). */
  seq: number;
  resyncNeeded: boolean;
  /** The last extension seen live (for the "extended" notice). */
  lastExtension: Extension | null;
  closed: LotClosedEvent | null;
}

export type LiveLotAction =
  | { type: 'snapshot'; lot: LotView; bids?: BidView[] }
  | { type: 'bid'; event: LotBidEvent }
  | { type: 'status'; event: LotStatusEvent }
  | { type: 'closed'; event: LotClosedEvent }
  | { type: 'resyncStarted' };

export const initialLiveLot: LiveLotState = { lot: null, bids: [], seq: 0, resyncNeeded: false, lastExtension: null, closed: null };

/** Union of two bid lists by seq, newest first, capped. */
export function mergeBids(a: readonly BidView[], b: readonly BidView[]): BidView[] {
  const bySeq = new Map<number, BidView>();
  for (const bid of [...a, ...b]) bySeq.set(bid.seq, bid);
  return [...bySeq.values()].sort((x, y) => y.seq - x.seq).slice(0, BID_RECORD_LIMIT);
}

export function liveLotReducer(state: LiveLotState, action: LiveLotAction): LiveLotState {
  switch (action.type) {
    case 'snapshot': {
      const { lot } = action;
      const bids = mergeBids(state.bids, action.bids ?? []);
      if (state.lot && lot.id === state.lot.id && lot.seq < state.seq) {
        // Older than the events already applied: keep the newer price, take only the bids.
        return { ...state, bids };
      }
      const outcome = lot.status === 'sold' || lot.status === 'unsold' ? lot.status : null;
      const closed = outcome ? (state.closed ?? { lotId: lot.id, outcome, price: lot.currentPrice, bidderCode: lot.leaderCode }) : state.closed;
      // The record must reach the lot's seq; if it does not (a `lot.watch` ack after a reconnect, or a
      // bid between the two GETs), the hook fetches again.
      const newest = bids[0]?.seq ?? 0;
      return { ...state, lot, bids, seq: lot.seq, resyncNeeded: lot.seq > newest, closed };
    }
    case 'bid': {
      const e = action.event;
      if (!state.lot || e.lotId !== state.lot.id) return state;
      if (e.seq <= state.seq) return state; // duplicate or already in a snapshot
      const gap = e.seq > state.seq + 1;
      const bid: BidView = { seq: e.seq, amount: e.amount, bidderCode: e.bidderCode, priority: e.priority, placedAt: e.placedAt };
      return {
        ...state,
        lot: {
          ...state.lot,
          status: 'live',
          currentPrice: e.amount,
          leaderCode: e.bidderCode,
          endsAt: e.endsAt,
          bidCount: e.seq,
          seq: e.seq,
          extensionCount: state.lot.extensionCount + (e.extended ? 1 : 0),
        },
        bids: mergeBids(state.bids, [bid]),
        seq: e.seq,
        resyncNeeded: state.resyncNeeded || gap,
        lastExtension: e.extended ? { seq: e.seq, endsAt: e.endsAt } : state.lastExtension,
      };
    }
    case 'status': {
      const e = action.event;
      if (!state.lot || e.lotId !== state.lot.id) return state;
      return {
        ...state,
        lot: { ...state.lot, status: e.status, endsAt: e.endsAt ?? state.lot.endsAt, statusReason: e.reason ?? null },
        // A pause or resume moves the end and may be followed by events we must not miss: reload.
        resyncNeeded: state.resyncNeeded || e.status === 'live',
      };
    }
    case 'closed': {
      const e = action.event;
      if (!state.lot || e.lotId !== state.lot.id) return state;
      return {
        ...state,
        lot: { ...state.lot, status: e.outcome, currentPrice: e.price ?? state.lot.currentPrice, leaderCode: e.bidderCode ?? state.lot.leaderCode },
        closed: e,
      };
    }
    case 'resyncStarted':
      return { ...state, resyncNeeded: false };
  }
}
