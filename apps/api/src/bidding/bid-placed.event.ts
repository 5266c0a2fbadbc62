/** Domain events of bidding and closing, published after commit; the realtime module forwards them. */
export class BidPlaced {
  static readonly topic = 'bid.placed';
  constructor(
    readonly lotId: string,
    readonly seq: number,
    readonly amount: number,
    readonly bidderCode: string,
    readonly priority: boolean,
    readonly placedAt: string,
    readonly endsAt: string,
    readonly extended: boolean,
    readonly committedAt: string,
    /** The previous leader, told personally that they were outbid. */
    readonly outbid: { userId: string; amount: number } | null,
  ) {}
}

export class LotClosed {
  static readonly topic = 'lot.closed';
  constructor(
    readonly lotId: string,
    readonly outcome: 'sold' | 'unsold',
    readonly price: number | null,
    readonly bidderCode: string | null,
    readonly winnerUserId: string | null,
  ) {}
}
