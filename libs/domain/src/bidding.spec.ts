import fc from 'fast-check';
import {
  closeOutcome,
  compareBids,
  decideBid,
  isStale,
  minNextBid,
  nextValidAmounts,
  priorityMatchWins,
  rankBids,
  timeInvariantSpan,
  winnerOf,
  type AcceptedBid,
  type BidDecision,
  type BidInput,
  type BiddingState,
} from './bidding.js';
import { BID_REFUSAL_CODES } from './errors.js';
import { SANDBOX, STATUTORY, type RulesProfile } from './rules-profile.js';

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const START = Date.UTC(2026, 2, 1, 2, 0, 0); // 10:00 Beijing time; fixed, never the wall clock
const END = START + DAY;
const INC = 5_000_00; // ¥5,000
const START_PRICE = 3_309_250_00;

function lotState(patch: Partial<BiddingState> = {}): BiddingState {
  return {
    status: 'live',
    startsAt: START,
    endsAt: END,
    startingPrice: START_PRICE,
    increment: INC,
    currentPrice: null,
    leader: null,
    bidCount: 0,
    extensionCount: 0,
    ...patch,
  };
}

function bid(patch: Partial<BidInput> = {}): BidInput {
  return { enrolmentId: 'e-a', enrolmentActive: true, priorityRank: null, amount: START_PRICE, now: START + HOUR, ...patch };
}

/** A state where `leaderId` (with `rank`) leads at `price`. */
function leading(price: number, leaderId = 'e-lead', rank: number | null = null, patch: Partial<BiddingState> = {}) {
  return lotState({ currentPrice: price, leader: { enrolmentId: leaderId, priorityRank: rank, placedAt: START + MIN }, bidCount: 1, ...patch });
}

function accepted(d: BidDecision) {
  if (!d.ok) throw new Error(`expected acceptance, got ${d.code}: ${d.message}`);
  return d;
}

function refusedWith(d: BidDecision, code: string) {
  expect(d).toEqual(expect.objectContaining({ ok: false, code }));
}

describe('decideBid: who may bid and when', () => {
  it('OJA Arts. 17–18: a bidder without a confirmed enrolment is refused NOT_ENROLLED', () => {
    refusedWith(decideBid(lotState(), bid({ enrolmentActive: false }), STATUTORY), 'NOT_ENROLLED');
  });
  it.each(['draft', 'suspended', 'postponed', 'withdrawn', 'sold', 'unsold'] as const)(
    'OJA Art. 20: a %s lot refuses bids with LOT_NOT_LIVE',
    (status) => {
      refusedWith(decideBid(lotState({ status }), bid(), STATUTORY), 'LOT_NOT_LIVE');
    },
  );
  it('OJA Art. 20: before startsAt (1 ms early) the bid is refused LOT_NOT_LIVE; at startsAt it is accepted', () => {
    refusedWith(decideBid(lotState({ status: 'announced' }), bid({ now: START - 1 }), STATUTORY), 'LOT_NOT_LIVE');
    refusedWith(decideBid(lotState({ status: 'live' }), bid({ now: START - 1 }), STATUTORY), 'LOT_NOT_LIVE');
    const d = accepted(decideBid(lotState({ status: 'announced' }), bid({ now: START }), STATUTORY));
    expect(d.next.status).toBe('live'); // an announced lot is live from its start; the bid materialises it
  });
  it('OJA Art. 20 ¶2: a bid 1 ms before endsAt is accepted (and extends)', () => {
    const d = accepted(decideBid(lotState(), bid({ now: END - 1 }), STATUTORY));
    expect(d.next.endsAt).toBe(END - 1 + 5 * MIN);
  });
  it('OJA Art. 20 ¶2: a bid exactly at endsAt is refused LOT_ENDED (bidding is open on [startsAt, endsAt))', () => {
    refusedWith(decideBid(lotState(), bid({ now: END }), STATUTORY), 'LOT_ENDED');
  });
  it('OJA Art. 20 ¶2: a bid 1 ms after endsAt is refused LOT_ENDED, even though the lot is not closed yet', () => {
    refusedWith(decideBid(lotState(), bid({ now: END + 1 }), STATUTORY), 'LOT_ENDED');
  });
  it.each([0, -100, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2])('BID_AMOUNT_INVALID for %p', (amount) => {
    refusedWith(decideBid(lotState(), bid({ amount }), STATUTORY), 'BID_AMOUNT_INVALID');
  });
  it.each([0, -1, 1.5])('OJA Art. 19 ¶2: PRIORITY_RANK_INVALID for rank %p', (priorityRank) => {
    refusedWith(decideBid(lotState(), bid({ priorityRank }), STATUTORY), 'PRIORITY_RANK_INVALID');
  });
  it('the leader cannot bid over themselves (LEADER_CANNOT_OUTBID_SELF), priority holder or not', () => {
    refusedWith(decideBid(leading(START_PRICE, 'e-a'), bid({ amount: START_PRICE + INC }), STATUTORY), 'LEADER_CANNOT_OUTBID_SELF');
    refusedWith(
      decideBid(leading(START_PRICE, 'e-a', 1), bid({ amount: START_PRICE + INC, priorityRank: 1 }), STATUTORY),
      'LEADER_CANNOT_OUTBID_SELF',
    );
  });
  it('a corrupt state (increment 0) is a programming error and throws', () => {
    expect(() => decideBid(lotState({ increment: 0 }), bid(), STATUTORY)).toThrow(RangeError);
  });
});

describe('decideBid: prices (OJA Art. 20 ¶1)', () => {
  it('OJA Art. 20 ¶1: the first bid may be exactly the starting price', () => {
    const d = accepted(decideBid(lotState(), bid(), STATUTORY));
    expect(d.bid).toEqual({ seq: 1, enrolmentId: 'e-a', amount: START_PRICE, priorityRank: null, placedAt: START + HOUR, kind: 'opening' });
    expect(d.next).toEqual(
      expect.objectContaining({ currentPrice: START_PRICE, bidCount: 1, extensionCount: 0, endsAt: END }),
    );
    expect(d.next.leader).toEqual({ enrolmentId: 'e-a', priorityRank: null, placedAt: START + HOUR });
    expect(d.extended).toBe(false);
  });
  it('OJA Art. 20 ¶1: a first bid below the starting price is void (BID_TOO_LOW, minimum = start)', () => {
    const d = decideBid(lotState(), bid({ amount: START_PRICE - 1 }), STATUTORY);
    expect(d).toEqual(expect.objectContaining({ ok: false, code: 'BID_TOO_LOW', details: { minimum: START_PRICE } }));
  });
  it('OJA Art. 20 ¶1: a first bid of start + k × increment is accepted; off the grid is BID_NOT_ON_INCREMENT', () => {
    expect(decideBid(lotState(), bid({ amount: START_PRICE + 3 * INC }), STATUTORY).ok).toBe(true);
    const d = decideBid(lotState(), bid({ amount: START_PRICE + INC / 2 }), STATUTORY);
    expect(d).toEqual(
      expect.objectContaining({
        code: 'BID_NOT_ON_INCREMENT',
        details: { increment: INC, nearestBelow: START_PRICE, nearestAbove: START_PRICE + INC },
      }),
    );
  });
  it('OJA Art. 20 ¶1: the increment grid is exact up to the largest safe amount', () => {
    const s = lotState({ startingPrice: Number.MAX_SAFE_INTEGER - 21, increment: 7 });
    expect(decideBid(s, bid({ amount: Number.MAX_SAFE_INTEGER }), STATUTORY).ok).toBe(true);
    refusedWith(decideBid(s, bid({ amount: Number.MAX_SAFE_INTEGER - 1 }), STATUTORY), 'BID_NOT_ON_INCREMENT');
  });
  it('OJA Art. 20 ¶1: an ordinary later bid must be at least current + one increment', () => {
    const s = leading(START_PRICE + INC);
    refusedWith(decideBid(s, bid({ amount: START_PRICE + INC }), STATUTORY), 'BID_TOO_LOW');
    refusedWith(decideBid(s, bid({ amount: START_PRICE }), STATUTORY), 'BID_TOO_LOW');
    refusedWith(decideBid(s, bid({ amount: START_PRICE + INC + 1 }), STATUTORY), 'BID_NOT_ON_INCREMENT');
    const d = accepted(decideBid(s, bid({ amount: START_PRICE + 2 * INC }), STATUTORY));
    expect(d.bid).toEqual(expect.objectContaining({ kind: 'raise', seq: 2 }));
    expect(d.next.currentPrice).toBe(START_PRICE + 2 * INC);
  });
  it('OJA Art. 20 ¶1: the refusal names the minimum (current + increment) for the bid panel', () => {
    const d = decideBid(leading(START_PRICE), bid({ amount: START_PRICE }), STATUTORY);
    expect(d).toEqual(expect.objectContaining({ code: 'BID_TOO_LOW', details: { currentPrice: START_PRICE, minimum: START_PRICE + INC } }));
  });
});

describe('decideBid: priority purchasers (OJA Art. 21)', () => {
  const P = START_PRICE + 4 * INC;
  it('OJA Art. 21 ¶1: a priority holder may match the current price of an ordinary leader, and leads', () => {
    const d = accepted(decideBid(leading(P), bid({ amount: P, priorityRank: 1 }), STATUTORY));
    expect(d.bid.kind).toBe('priority_match');
    expect(d.next.currentPrice).toBe(P);
    expect(d.next.leader).toEqual({ enrolmentId: 'e-a', priorityRank: 1, placedAt: START + HOUR });
    expect(d.next.bidCount).toBe(2);
  });
  it('OJA Art. 21 ¶2: a higher rank (1) may match a lower-ranked (2) priority leader', () => {
    expect(decideBid(leading(P, 'e-p2', 2), bid({ amount: P, priorityRank: 1 }), STATUTORY).ok).toBe(true);
  });
  it('OJA Art. 21 ¶2: a lower rank (2) matching a higher-ranked (1) leader is refused PRIORITY_MATCH_NOT_WINNING', () => {
    const d = decideBid(leading(P, 'e-p1', 1), bid({ amount: P, priorityRank: 2 }), STATUTORY);
    expect(d).toEqual(
      expect.objectContaining({ code: 'PRIORITY_MATCH_NOT_WINNING', article: 'OJA Art. 21', details: { leaderPriorityRank: 1, minimum: P + INC } }),
    );
  });
  it('OJA Art. 21 ¶3: the same rank at the same price goes to the earlier bid, so a later match is refused', () => {
    refusedWith(decideBid(leading(P, 'e-p1', 1), bid({ amount: P, priorityRank: 1 }), STATUTORY), 'PRIORITY_MATCH_NOT_WINNING');
  });
  it('OJA Art. 21: a priority holder may also raise like anyone, and bidding below the price is BID_TOO_LOW', () => {
    expect(decideBid(leading(P, 'e-p1', 1), bid({ amount: P + INC, priorityRank: 2 }), STATUTORY).ok).toBe(true);
    const d = decideBid(leading(P), bid({ amount: P - INC, priorityRank: 1 }), STATUTORY);
    expect(d).toEqual(expect.objectContaining({ code: 'BID_TOO_LOW', details: { currentPrice: P, minimum: P } }));
  });
  it('OJA Art. 21: an ordinary bidder can outbid a priority holder only by raising', () => {
    refusedWith(decideBid(leading(P, 'e-p1', 1), bid({ amount: P }), STATUTORY), 'BID_TOO_LOW');
    expect(decideBid(leading(P, 'e-p1', 1), bid({ amount: P + INC }), STATUTORY).ok).toBe(true);
  });
  it('OJA Art. 21: with no bid yet, a priority holder opens at the starting price like anyone', () => {
    expect(accepted(decideBid(lotState(), bid({ priorityRank: 1 }), STATUTORY)).bid.kind).toBe('opening');
  });
  it('priorityMatchWins encodes the tie rule', () => {
    expect(priorityMatchWins(1, { priorityRank: null })).toBe(true);
    expect(priorityMatchWins(1, { priorityRank: 2 })).toBe(true);
    expect(priorityMatchWins(2, { priorityRank: 2 })).toBe(false);
    expect(priorityMatchWins(3, { priorityRank: 2 })).toBe(false);
    expect(priorityMatchWins(null, { priorityRank: null })).toBe(false);
    expect(priorityMatchWins(1, null)).toBe(false);
  });
});

describe('decideBid: fat-finger guard (platform rule, jumpConfirmIncrements = 10)', () => {
  const P = START_PRICE + 2 * INC;
  it('up to 10 increments above the current price needs no confirmation', () => {
    expect(decideBid(leading(P), bid({ amount: P + 10 * INC }), STATUTORY).ok).toBe(true);
  });
  it('11 increments above is refused JUMP_NEEDS_CONFIRMATION with increments and amountAbove', () => {
    const d = decideBid(leading(P), bid({ amount: P + 11 * INC }), STATUTORY);
    expect(d).toEqual(
      expect.objectContaining({
        code: 'JUMP_NEEDS_CONFIRMATION',
        details: { increments: 11, amountAbove: 11 * INC, maxWithoutConfirmation: P + 10 * INC },
      }),
    );
  });
  it('with confirmJump the same bid is accepted', () => {
    expect(decideBid(leading(P), bid({ amount: P + 1000 * INC, confirmJump: true }), STATUTORY).ok).toBe(true);
  });
  it('the first bid counts from the starting price', () => {
    expect(decideBid(lotState(), bid({ amount: START_PRICE + 10 * INC }), STATUTORY).ok).toBe(true);
    refusedWith(decideBid(lotState(), bid({ amount: START_PRICE + 11 * INC }), STATUTORY), 'JUMP_NEEDS_CONFIRMATION');
  });
  it('an off-grid jump is reported as BID_NOT_ON_INCREMENT first', () => {
    refusedWith(decideBid(leading(P), bid({ amount: P + 11 * INC + 1 }), STATUTORY), 'BID_NOT_ON_INCREMENT');
  });
});

describe('decideBid: the 5-minute extension (OJA Art. 20 ¶2)', () => {
  it('OJA Art. 20: a bid with exactly 5:00 left extends to bid time + 5 min (boundary is <=, counted)', () => {
    const now = END - 5 * MIN;
    const d = accepted(decideBid(lotState(), bid({ now }), STATUTORY));
    expect(d.extended).toBe(true);
    expect(d.next.endsAt).toBe(now + 5 * MIN); // equals the old end: the end is now defined by this bid
    expect(d.next.extensionCount).toBe(1);
  });
  it('OJA Art. 20: a bid with 5:00.001 left does not extend', () => {
    const d = accepted(decideBid(lotState(), bid({ now: END - 5 * MIN - 1 }), STATUTORY));
    expect(d.extended).toBe(false);
    expect(d.next.endsAt).toBe(END);
    expect(d.next.extensionCount).toBe(0);
  });
  it('OJA Art. 20: a bid with 4:59.999 left moves the end 1 ms later (from the bid time, not the old end)', () => {
    const now = END - 5 * MIN + 1;
    const d = accepted(decideBid(lotState(), bid({ now }), STATUTORY));
    expect(d.next.endsAt).toBe(now + 5 * MIN);
    expect(d.next.endsAt).toBe(END + 1);
  });
  it('OJA Art. 20: extensions repeat without limit, each from its own bid time', () => {
    let s = lotState();
    let now = END - MIN;
    for (let i = 0; i < 50; i++) {
      const d = accepted(
        decideBid(s, bid({ enrolmentId: i % 2 ? 'e-a' : 'e-b', amount: minNextBid(s), now }), STATUTORY),
      );
      expect(d.extended).toBe(true);
      expect(d.next.endsAt).toBe(now + 5 * MIN);
      s = d.next;
      now += 4 * MIN + 59 * SEC; // the next bid always comes 1 s before the new end
    }
    expect(s.extensionCount).toBe(50);
    expect(s.bidCount).toBe(50);
    // … and the lot ends 5 min after the last bid when nobody bids again
    refusedWith(decideBid(s, bid({ enrolmentId: 'e-c', amount: minNextBid(s), now: s.endsAt }), STATUTORY), 'LOT_ENDED');
  });
  it('OJA Art. 20: a priority match in the last 5 minutes extends too', () => {
    const d = accepted(decideBid(leading(START_PRICE), bid({ amount: START_PRICE, priorityRank: 1, now: END - MIN }), STATUTORY));
    expect(d.next.endsAt).toBe(END + 4 * MIN);
  });
  it('the sandbox profile extends by 3 s within the last 3 s', () => {
    const s = lotState({ endsAt: START + 10 * SEC });
    expect(accepted(decideBid(s, bid({ now: START + 7 * SEC }), SANDBOX)).next.endsAt).toBe(START + 10 * SEC);
    expect(accepted(decideBid(s, bid({ now: START + 7 * SEC - 1 }), SANDBOX)).extended).toBe(false);
    expect(accepted(decideBid(s, bid({ now: START + 9 * SEC }), SANDBOX)).next.endsAt).toBe(START + 12 * SEC);
  });
  it('the end never moves backwards, whatever the profile (window 10 min, extension 5 min)', () => {
    const odd: RulesProfile = { ...STATUTORY, auction: { ...STATUTORY.auction, extensionWindowMs: 10 * MIN, extensionMs: 5 * MIN } };
    const early = accepted(decideBid(lotState(), bid({ now: END - 8 * MIN }), odd));
    expect(early.next.endsAt).toBe(END);
    expect(early.extended).toBe(false);
    const late = accepted(decideBid(lotState(), bid({ now: END - 4 * MIN }), odd));
    expect(late.next.endsAt).toBe(END + MIN);
  });
  it('decideBid never mutates the state it is given', () => {
    const s = leading(START_PRICE);
    const snapshot = structuredClone(s);
    decideBid(s, bid({ amount: START_PRICE + INC, now: END - MIN }), STATUTORY);
    expect(s).toEqual(snapshot);
  });
});

describe('rankBids / winnerOf / closeOutcome (OJA Arts. 11, 20, 21)', () => {
  const b = (id: string, amount: number, priorityRank: number | null, placedAt: number, seq?: number) => ({
    id,
    amount,
    priorityRank,
    placedAt,
    ...(seq === undefined ? {} : { seq }),
  });
  it('OJA Art. 20: the highest price wins', () => {
    expect(rankBids([b('a', 100, null, 1), b('b', 300, null, 2), b('c', 200, 1, 3)]).map((x) => x.id)).toEqual(['b', 'c', 'a']);
  });
  it('OJA Art. 21 ¶1: at equal price a priority holder ranks before an ordinary bidder, even if later', () => {
    expect(rankBids([b('ord', 500, null, 1), b('pri', 500, 3, 9)]).map((x) => x.id)).toEqual(['pri', 'ord']);
  });
  it('OJA Art. 21 ¶2: at equal price the higher rank (lower number) wins, even if later', () => {
    expect(rankBids([b('r2', 500, 2, 1), b('r1', 500, 1, 9), b('r3', 500, 3, 0)]).map((x) => x.id)).toEqual(['r1', 'r2', 'r3']);
  });
  it('OJA Art. 21 ¶3: at equal price and rank the earlier server time wins', () => {
    expect(rankBids([b('late', 500, 1, 20), b('early', 500, 1, 10)]).map((x) => x.id)).toEqual(['early', 'late']);
    expect(rankBids([b('late', 500, null, 20), b('early', 500, null, 10)]).map((x) => x.id)).toEqual(['early', 'late']);
  });
  it('at an identical millisecond the lower seq wins; the input is not reordered', () => {
    const input = [b('second', 500, 1, 10, 2), b('first', 500, 1, 10, 1)];
    expect(rankBids(input).map((x) => x.id)).toEqual(['first', 'second']);
    expect(input.map((x) => x.id)).toEqual(['second', 'first']);
    expect(compareBids(input[0]!, input[0]!)).toBe(0);
  });
  it('winnerOf: the top bid, or null with no bids (流拍)', () => {
    expect(winnerOf([])).toBeNull();
    expect(winnerOf([b('x', 1, null, 1), b('y', 1, 1, 2)])?.id).toBe('y');
  });
  it('OJA Art. 11: closeOutcome is sold to the leader with one bid, unsold with none', () => {
    expect(closeOutcome(lotState())).toEqual({ outcome: 'unsold' });
    const s = leading(START_PRICE, 'e-x', 2);
    expect(closeOutcome(s)).toEqual({ outcome: 'sold', price: START_PRICE, winner: s.leader });
  });
});

describe('minNextBid / nextValidAmounts / isStale (bid panel and pre-lock check)', () => {
  it('before any bid the minimum is the starting price for everyone', () => {
    expect(minNextBid(lotState())).toBe(START_PRICE);
    expect(minNextBid(lotState(), 1)).toBe(START_PRICE);
    expect(nextValidAmounts(lotState(), 3)).toEqual([START_PRICE, START_PRICE + INC, START_PRICE + 2 * INC]);
  });
  it('OJA Art. 21: the minimum is the current price for a priority holder who would win the tie', () => {
    const s = leading(START_PRICE, 'e-l', 2);
    expect(minNextBid(s)).toBe(START_PRICE + INC);
    expect(minNextBid(s, 1)).toBe(START_PRICE);
    expect(minNextBid(s, 2)).toBe(START_PRICE + INC);
    expect(nextValidAmounts(s, 2, 1)).toEqual([START_PRICE, START_PRICE + INC]);
    expect(nextValidAmounts(s, 0)).toEqual([]);
  });
  it('isStale: below the known price + increment is certainly refused; a priority holder may match', () => {
    expect(isStale(100, null, 10)).toBe(false);
    expect(isStale(109, 100, 10)).toBe(true);
    expect(isStale(110, 100, 10)).toBe(false);
    expect(isStale(100, 100, 10, true)).toBe(false);
    expect(isStale(99, 100, 10, true)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------
// Property-based tests: random bidders (some priority, ranks 1–3) bidding at random, increasing times.

interface Step {
  bidder: number;
  dt: number;
  choice: { t: 'min' } | { t: 'match' } | { t: 'raise'; k: number } | { t: 'any'; amount: number };
  confirmJump: boolean;
  active: boolean;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  bidder: fc.nat({ max: 7 }),
  /** Time to the previous step in thousandths of the profile's extension (5 min statutory, 3 s sandbox). */
  dt: fc.oneof(fc.integer({ min: 0, max: 1200 }), fc.integer({ min: 0, max: 50 }), fc.constant(0), fc.constant(1)),
  choice: fc.oneof(
    fc.constant({ t: 'min' as const }),
    fc.constant({ t: 'match' as const }),
    fc.record({ t: fc.constant('raise' as const), k: fc.integer({ min: -1, max: 14 }) }),
    fc.record({ t: fc.constant('any' as const), amount: fc.integer({ min: -10, max: 200 }) }),
  ),
  confirmJump: fc.boolean(),
  active: fc.oneof(fc.constant(true), fc.constant(true), fc.constant(true), fc.boolean()),
});

const scenarioArb = fc.record({
  ranks: fc.array(fc.option(fc.integer({ min: 1, max: 3 }), { nil: null, freq: 2 }), { minLength: 8, maxLength: 8 }),
  increment: fc.integer({ min: 1, max: 7 }),
  startingPrice: fc.integer({ min: 1, max: 50 }),
  // In thousandths of the extension: bidding starts 0–0.5 extensions after the first step and lasts 2–6
  // extensions, so bids before the start, extensions, repeated extensions and late bids all happen.
  startDelay: fc.integer({ min: 0, max: 500 }),
  duration: fc.integer({ min: 2000, max: 6000 }),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 120, size: 'large' }),
  profile: fc.constantFrom(STATUTORY, SANDBOX),
});

function amountFor(step: Step, s: BiddingState, rank: number | null): number {
  switch (step.choice.t) {
    case 'min':
      return minNextBid(s, rank);
    case 'match':
      return s.currentPrice ?? s.startingPrice;
    case 'raise':
      return (s.currentPrice ?? s.startingPrice) + step.choice.k * s.increment;
    case 'any':
      return step.choice.amount;
  }
}

describe('decideBid properties (OJA Arts. 20–21)', () => {
  it('prices never decrease and rise except by priority matches; the leader is rankBids(accepted)[0]; the end never moves back; nothing is accepted at or after the end', () => {
    fc.assert(
      fc.property(scenarioArb, ({ ranks, increment, startingPrice, startDelay, duration, steps, profile }) => {
        const unit = profile.auction.extensionMs / 1000;
        const t0 = START - startDelay * unit;
        let s: BiddingState = {
          status: 'announced',
          startsAt: START,
          endsAt: START + duration * unit,
          startingPrice,
          increment,
          currentPrice: null,
          leader: null,
          bidCount: 0,
          extensionCount: 0,
        };
        const acceptedBids: AcceptedBid[] = [];
        let now = t0;
        for (const step of steps) {
          now += step.dt * unit;
          const rank = ranks[step.bidder] ?? null;
          const input: BidInput = {
            enrolmentId: `e-${step.bidder}`,
            enrolmentActive: step.active,
            priorityRank: rank,
            amount: amountFor(step, s, rank),
            now,
            confirmJump: step.confirmJump,
          };
          const d = decideBid(s, input, profile);
          if (!d.ok) {
            expect(BID_REFUSAL_CODES).toContain(d.code);
            continue;
          }
          const prev = s;
          // never accepted outside [startsAt, endsAt)
          expect(now).toBeGreaterThanOrEqual(prev.startsAt);
          expect(now).toBeLessThan(prev.endsAt);
          // the end never moves backwards; an extension is always to bid time + extension
          expect(d.next.endsAt).toBeGreaterThanOrEqual(prev.endsAt);
          if (d.extended) expect(d.next.endsAt).toBe(now + profile.auction.extensionMs);
          else expect(d.next.endsAt).toBe(prev.endsAt);
          // prices never decrease; equal only for a priority match that wins the tie
          if (prev.currentPrice === null) {
            expect(d.bid.amount).toBeGreaterThanOrEqual(prev.startingPrice);
          } else if (d.bid.amount === prev.currentPrice) {
            expect(d.bid.kind).toBe('priority_match');
            expect(rank).not.toBeNull();
            expect(priorityMatchWins(rank, prev.leader)).toBe(true);
          } else {
            expect(d.bid.amount).toBeGreaterThanOrEqual(prev.currentPrice + increment);
          }
          // every price is on the grid of the starting price
          expect((d.bid.amount - startingPrice) % increment).toBe(0);
          expect(d.bid.seq).toBe(acceptedBids.length + 1);
          acceptedBids.push(d.bid);
          s = d.next;
        }
        expect(s.bidCount).toBe(acceptedBids.length);
        const top = winnerOf(acceptedBids);
        if (top === null) {
          expect(s.leader).toBeNull();
          expect(closeOutcome(s)).toEqual({ outcome: 'unsold' });
        } else {
          expect(s.leader).toEqual({ enrolmentId: top.enrolmentId, priorityRank: top.priorityRank, placedAt: top.placedAt });
          expect(s.currentPrice).toBe(top.amount);
          expect(closeOutcome(s)).toEqual({ outcome: 'sold', price: top.amount, winner: s.leader });
        }
      }),
      { numRuns: 500 },
    );
  });

  it('the bid panel minimum is always accepted for a non-leader while open, and one increment less is not', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.option(fc.record({ k: fc.nat({ max: 100 }), rank: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }) }), { nil: null }),
        fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
        (startingPrice, increment, lead, myRank) => {
          const s = lotState({
            startingPrice,
            increment,
            ...(lead
              ? {
                  currentPrice: startingPrice + lead.k * increment,
                  leader: { enrolmentId: 'e-lead', priorityRank: lead.rank, placedAt: START },
                  bidCount: 1,
                }
              : {}),
          });
          const min = minNextBid(s, myRank);
          const input = bid({ enrolmentId: 'e-me', priorityRank: myRank, amount: min });
          expect(decideBid(s, input, STATUTORY).ok).toBe(true);
          // the first jumpConfirmIncrements (10) choices never need a confirmation; beyond base + 10 they do
          const base = s.currentPrice ?? s.startingPrice;
          for (const [i, amount] of nextValidAmounts(s, 15, myRank).entries()) {
            if (i < 10) expect(amount).toBeLessThanOrEqual(base + 10 * increment);
            expect(decideBid(s, { ...input, amount }, STATUTORY).ok).toBe(amount <= base + 10 * increment);
            expect(decideBid(s, { ...input, amount, confirmJump: true }, STATUTORY).ok).toBe(true);
          }
          if (min - increment > 0) expect(decideBid(s, { ...input, amount: min - increment }, STATUTORY).ok).toBe(false);
          // isStale never refuses what decideBid would accept
          expect(isStale(min, s.currentPrice, increment, myRank !== null)).toBe(false);
        },
      ),
    );
  });

  it('rankBids is a total order consistent with winnerOf, whatever the input order', () => {
    const bidArb = fc.record({
      amount: fc.integer({ min: 1, max: 5 }),
      priorityRank: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
      placedAt: fc.integer({ min: 0, max: 5 }),
      seq: fc.nat(),
    });
    fc.assert(
      fc.property(fc.uniqueArray(bidArb, { selector: (x) => x.seq, minLength: 1 }), (bids) => {
        const ranked = rankBids(bids);
        for (let i = 1; i < ranked.length; i++) expect(compareBids(ranked[i - 1]!, ranked[i]!)).toBeLessThan(0);
        expect(rankBids([...bids].reverse())).toEqual(ranked);
        expect(winnerOf(bids)).toBe(ranked[0]);
      }),
    );
  });
});

describe('timeInvariantSpan (the one-statement bid write, OJA Art. 20 ¶2)', () => {
  it('is [startsAt, endsAt − 5 min) for a live lot: 5:00.001 left is inside, exactly 5:00 left (which extends) is not', () => {
    const span = { from: START, until: END - 5 * MIN };
    expect(timeInvariantSpan(lotState(), START, STATUTORY)).toEqual(span);
    expect(timeInvariantSpan(lotState(), END - 5 * MIN - 1, STATUTORY)).toEqual(span);
    expect(timeInvariantSpan(lotState(), END - 5 * MIN, STATUTORY)).toBeNull();
    expect(timeInvariantSpan(lotState(), END - 1, STATUTORY)).toBeNull();
    expect(timeInvariantSpan(lotState(), END, STATUTORY)).toBeNull();
    expect(timeInvariantSpan(lotState(), START - 1, STATUTORY)).toBeNull();
  });
  it('is null for a lot not written live, even after its start (the first bid also writes the status)', () => {
    expect(timeInvariantSpan(lotState({ status: 'announced' }), START + HOUR, STATUTORY)).toBeNull();
    expect(timeInvariantSpan(lotState({ status: 'suspended' }), START + HOUR, STATUTORY)).toBeNull();
    expect(timeInvariantSpan(lotState({ status: 'sold' }), START + HOUR, STATUTORY)).toBeNull();
  });
  it('follows the profile: the sandbox extends within the last 3 s', () => {
    expect(timeInvariantSpan(lotState({ endsAt: START + 10 * SEC }), START + SEC, SANDBOX)).toEqual({ from: START, until: START + 7 * SEC });
  });
  it('property: anywhere in the span decideBid decides the same but for the bid time; at its end an accepted bid extends', () => {
    const stateArb = fc.record({
      status: fc.constantFrom('live' as const, 'live' as const, 'announced' as const, 'suspended' as const),
      startsAt: fc.integer({ min: 0, max: 10 * MIN }),
      /** In thousandths of the profile's extension (5 min statutory, 3 s sandbox). */
      length: fc.integer({ min: 1, max: 6000 }),
      startingPrice: fc.integer({ min: 1, max: 100 }),
      increment: fc.integer({ min: 1, max: 7 }),
      lead: fc.option(fc.record({ k: fc.nat({ max: 30 }), rank: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }), me: fc.boolean() }), { nil: null }),
      extensionCount: fc.nat({ max: 3 }),
    });
    const inputArb = fc.record({
      rank: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
      k: fc.integer({ min: -2, max: 14 }),
      active: fc.oneof(fc.constant(true), fc.boolean()),
      confirmJump: fc.boolean(),
    });
    fc.assert(
      fc.property(stateArb, inputArb, fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000), fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000), fc.constantFrom(STATUTORY, SANDBOX), (st, inp, a, b, profile) => {
        const length = Math.ceil((st.length * profile.auction.extensionMs) / 1000);
        const s = lotState({
          status: st.status,
          startsAt: st.startsAt,
          endsAt: st.startsAt + length,
          startingPrice: st.startingPrice,
          increment: st.increment,
          currentPrice: st.lead ? st.startingPrice + st.lead.k * st.increment : null,
          leader: st.lead ? { enrolmentId: st.lead.me ? 'e-me' : 'e-lead', priorityRank: st.lead.rank, placedAt: st.startsAt } : null,
          bidCount: st.lead ? st.lead.k + 1 : 0,
          extensionCount: st.extensionCount,
        });
        const input = bid({
          enrolmentId: 'e-me',
          enrolmentActive: inp.active,
          priorityRank: inp.rank,
          amount: Math.max(1, (s.currentPrice ?? s.startingPrice) + inp.k * s.increment),
          confirmJump: inp.confirmJump,
        });
        // Any time from a little before the start to a little after the end.
        const margin = profile.auction.extensionMs / 10;
        const now = Math.floor(s.startsAt - margin + a * (length + 2 * margin));
        const atNow = decideBid(s, { ...input, now }, profile);
        const span = timeInvariantSpan(s, now, profile);
        if (!span) {
          // Outside the span the time matters: a live lot accepts there only with an extension.
          if (s.status === 'live' && atNow.ok) expect(atNow.extended).toBe(true);
          return;
        }
        expect(now).toBeGreaterThanOrEqual(span.from);
        expect(now).toBeLessThan(span.until);
        const timeless = (d: BidDecision) => (d.ok ? { ...d, bid: { ...d.bid, placedAt: 0 }, next: { ...d.next, leader: { ...d.next.leader!, placedAt: 0 } } } : d);
        // Anywhere in the span, its first and its last millisecond included.
        for (const t of [Math.min(span.until - 1, Math.floor(span.from + b * (span.until - span.from))), span.from, span.until - 1]) {
          const atT = decideBid(s, { ...input, now: t }, profile);
          expect(timeless(atT)).toEqual(timeless(atNow));
          if (atT.ok) {
            expect(atT.bid.placedAt).toBe(t);
            expect(atT.next.leader!.placedAt).toBe(t);
            expect(atT.extended).toBe(false);
          }
        }
        // The span is as long as it can be: at its end the same bid extends.
        if (atNow.ok) expect(decideBid(s, { ...input, now: span.until }, profile)).toEqual(expect.objectContaining({ ok: true, extended: true }));
      }),
      { numRuns: 2000 },
    );
  });
});
