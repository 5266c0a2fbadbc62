import { newBidderCode, priorityCode } from './bidder-code.js';

describe('bidder codes (OJA Art. 18)', () => {
  it('are random, six symbols, without look-alike characters', () => {
    const codes = new Set(Array.from({ length: 5000 }, () => newBidderCode()));
    expect(codes.size).toBeGreaterThan(4990);
    for (const c of codes) expect(c).toMatch(/^[2-9A-HJ-NP-Z]{6}$/);
  });
  it('a priority code carries the rank (OJA Art. 19 ¶2)', () => {
    expect(priorityCode(2, 'ABC234')).toBe('P2-ABC234');
    expect(priorityCode(1, 'P2-ABC234')).toBe('P1-ABC234');
  });
});
