import { decideBid, RULES_PROFILES } from '@fapai/domain';
import { bidContext, checkAmount, incrementsAbove, minimumBid, needsJumpConfirmation, parseBidAmount, quickAmounts, reconcileAmount, stepAmount, type BidContext } from './bid-logic';

const ctx = (over: Partial<BidContext> = {}): BidContext => ({ startingPrice: 24_500_000, increment: 122_500, currentPrice: null, leaderIsPriority: false, myPriorityRank: null, ...over });

describe('bid panel arithmetic (from @fapai/domain)', () => {
  it('proposes the starting price before any bid, then one increment above the current price', () => {
    expect(minimumBid(ctx())).toBe(24_500_000);
    expect(minimumBid(ctx({ currentPrice: 24_500_000 }))).toBe(24_622_500);
    expect(quickAmounts(ctx({ currentPrice: 24_500_000 }))).toEqual([24_622_500, 24_745_000, 24_867_500]);
  });

  it('lets a priority holder match the price of an ordinary leader, but not of a priority leader', () => {
    expect(minimumBid(ctx({ currentPrice: 1_000_000, myPriorityRank: 1 }))).toBe(1_000_000);
    expect(minimumBid(ctx({ currentPrice: 1_000_000, myPriorityRank: 1, leaderIsPriority: true }))).toBe(1_122_500);
  });

  it('steps by increments and never below the minimum', () => {
    const c = ctx({ currentPrice: 24_500_000 });
    expect(stepAmount(24_622_500, 1, c)).toBe(24_745_000);
    expect(stepAmount(24_622_500, -1, c)).toBe(24_622_500);
  });

  it('counts increments and asks for confirmation beyond the profile threshold', () => {
    const c = ctx({ currentPrice: 24_500_000 });
    expect(incrementsAbove(24_500_000 + 11 * 122_500, c)).toBe(11);
    expect(needsJumpConfirmation(24_500_000 + 10 * 122_500, c, 10)).toBe(false);
    expect(needsJumpConfirmation(24_500_000 + 11 * 122_500, c, 10)).toBe(true);
  });

  it('flags amounts that are too low or off the increment grid', () => {
    const c = ctx({ currentPrice: 24_500_000 });
    expect(checkAmount(24_500_000, c)).toBe('too_low');
    expect(checkAmount(24_622_501, c)).toBe('not_on_increment');
    expect(checkAmount(24_745_000, c)).toBe('ok');
  });

  it('keeps a still valid amount after the price moved, otherwise proposes the new minimum', () => {
    expect(reconcileAmount(24_867_500, ctx({ currentPrice: 24_622_500 }))).toBe(24_867_500);
    expect(reconcileAmount(24_622_500, ctx({ currentPrice: 24_622_500 }))).toBe(24_745_000);
    expect(reconcileAmount(null, ctx())).toBe(24_500_000);
  });

  it('agrees with the API decision: every proposed amount is accepted by decideBid', () => {
    const profile = RULES_PROFILES.sandbox;
    const lot = { startingPrice: 24_500_000, increment: 122_500, currentPrice: 24_745_000 };
    const c = bidContext(lot, false, null)!;
    const state = { status: 'live' as const, startsAt: 0, endsAt: 10_000, ...lot, leader: { enrolmentId: 'other', priorityRank: null, placedAt: 1 }, bidCount: 3, extensionCount: 0 };
    for (const amount of quickAmounts(c, 5)) {
      const decision = decideBid(state, { enrolmentId: 'me', enrolmentActive: true, priorityRank: null, amount, now: 5_000 }, profile);
      expect(decision.ok).toBe(true);
    }
    const low = decideBid(state, { enrolmentId: 'me', enrolmentActive: true, priorityRank: null, amount: minimumBid(c) - 1, now: 5_000 }, profile);
    expect(low.ok).toBe(false);
  });
});

describe('reading the typed amount', () => {
  it('reads yuan with up to 2 decimals as fen', () => {
    expect(parseBidAmount('75100')).toBe(7_510_000);
    expect(parseBidAmount(' 75,100.5 ')).toBe(7_510_050);
    expect(parseBidAmount('¥75100.99')).toBe(7_510_099);
    expect(parseBidAmount('0.29')).toBe(29);
  });

  it('reads the full-width digits, point and yuan sign of Chinese IMEs', () => {
    expect(parseBidAmount('７５１００')).toBe(7_510_000);
    expect(parseBidAmount('７５１００．５０')).toBe(7_510_050);
    expect(parseBidAmount('￥７５，１００')).toBe(7_510_000);
  });

  it('refuses anything else rather than guessing', () => {
    for (const text of ['', '   ', '75100.999', '7.5万', '75100元', 'abc', '1e5', '-100', '0', '0.00', '75 100.1.2', '７５１００．９９９', '0x10']) {
      expect(parseBidAmount(text)).toBeNull();
    }
  });
});
