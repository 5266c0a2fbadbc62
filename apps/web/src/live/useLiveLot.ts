/**
 * One lot, live: the reducer of `live-lot.ts` fed by the API (first load and every resync) and by the
 * socket (`lot.watch` on every connect, then `lot.bid` / `lot.status` / `lot.closed`). A resync runs after
 * a reconnect (the watch ack shows a newer seq than the record) and after a `seq` gap.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { LotBidEvent, LotClosedEvent, LotStatusEvent, PlaceBidResponse } from '@fapai/contracts';
import { endpoints } from '../api/endpoints';
import { serverClock } from './clock';
import { initialLiveLot, liveLotReducer, type LiveLotState } from './live-lot';
import { getSocket } from './socket';

export interface LiveLot extends LiveLotState {
  loading: boolean;
  error: unknown;
  resyncing: boolean;
  resync(): Promise<void>;
  /** Applies our own accepted bid at once, before its `lot.bid` event arrives. */
  applyOwnBid(res: PlaceBidResponse): void;
}

const RECORD_PAGE = 50;

export function useLiveLot(lotId: string): LiveLot {
  const [state, dispatch] = useReducer(liveLotReducer, initialLiveLot);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [resyncing, setResyncing] = useState(false);
  const inFlight = useRef(false);

  const resync = useCallback(async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    setResyncing(true);
    dispatch({ type: 'resyncStarted' });
    try {
      const [lot, bids] = await Promise.all([endpoints.lot(lotId), endpoints.bids(lotId, { pageSize: RECORD_PAGE })]);
      dispatch({ type: 'snapshot', lot, bids: bids.items });
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      inFlight.current = false;
      setResyncing(false);
      setLoading(false);
    }
  }, [lotId]);

  useEffect(() => {
    void resync();
  }, [resync]);

  useEffect(() => {
    const socket = getSocket();
    const watch = () => {
      const done = serverClock.probe();
      socket.timeout(10_000).emit('lot.watch', { lotId }, (err, res) => {
        if (err || !res || !res.ok) return;
        done(res.serverTime);
        dispatch({ type: 'snapshot', lot: res.lot });
      });
    };
    const onBid = (event: LotBidEvent) => dispatch({ type: 'bid', event });
    const onStatus = (event: LotStatusEvent) => dispatch({ type: 'status', event });
    const onClosed = (event: LotClosedEvent) => dispatch({ type: 'closed', event });
    socket.on('connect', watch);
    socket.on('lot.bid', onBid);
    socket.on('lot.status', onStatus);
    socket.on('lot.closed', onClosed);
    if (socket.connected) watch();
    return () => {
      socket.off('connect', watch);
      socket.off('lot.bid', onBid);
      socket.off('lot.status', onStatus);
      socket.off('lot.closed', onClosed);
      if (socket.connected) socket.emit('lot.unwatch', { lotId }, () => undefined);
    };
  }, [lotId]);

  // Coalesce a burst (several events after a gap) into one reload.
  useEffect(() => {
    if (!state.resyncNeeded) return;
    const timer = setTimeout(() => void resync(), 250);
    return () => clearTimeout(timer);
  }, [state.resyncNeeded, resync]);

  const applyOwnBid = useCallback(
    (res: PlaceBidResponse) => {
      dispatch({
        type: 'bid',
        event: {
          lotId,
          seq: res.bid.seq,
          amount: res.bid.amount,
          bidderCode: res.bid.bidderCode,
          priority: res.bid.priority,
          placedAt: res.bid.placedAt,
          endsAt: res.lot.endsAt,
          // The response does not say; the `lot.bid` event that follows is a duplicate and is ignored,
          // so compare with the known count instead.
          extended: false,
          committedAt: res.bid.placedAt,
        },
      });
    },
    [lotId],
  );

  return { ...state, loading, error, resyncing, resync, applyOwnBid };
}
