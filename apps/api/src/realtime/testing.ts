import type { LotBidEvent } from '@fapai/contracts';

/** Spec support: the `lot.bid` event of bid `seq` of a lot (prices rise with seq). */
export function bidEvent(lotId: string, seq: number): LotBidEvent {
  return {
    lotId,
    seq,
    amount: 100_000 + seq * 1_000,
    bidderCode: `B${seq}`,
    priority: false,
    placedAt: '2026-11-27T10:00:00.000Z',
    endsAt: '2026-11-28T10:00:00.000Z',
    extended: false,
    committedAt: '2026-11-27T10:00:00.000Z',
  };
}
