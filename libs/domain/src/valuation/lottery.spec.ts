import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { canonicalCandidates, drawAgencies, lotteryCommitment, verifyLottery } from './lottery.js';

const AGENCIES = Array.from({ length: 10 }, (_, i) => `agency-${String(i + 1).padStart(2, '0')}`);
const SEED = 'fapai-2026-case-123-seed-7f3a';
const PUBLISHED = {
  commitment: 'c53bfb5e6bb7508a12857eaf6402306a0d8417fc4c54d69e51158d6b00b80762',
  seed: SEED,
  candidates: AGENCIES,
  result: ['agency-10', 'agency-04', 'agency-07'],
};

/** The draw as the doc comment describes it, written independently on node:crypto. */
function referenceDraw(seed: string, candidates: string[], count: number, entropy = ''): string[] {
  const pool = [...candidates].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let counter = 0;
  const words: number[] = [];
  const next = () => {
    if (words.length === 0) {
      const digest = createHash('sha256').update(`fapai-lottery-v1\n${seed.length}:${seed}\n${entropy.length}:${entropy}\n${counter++}`, 'utf8').digest();
      for (let i = 0; i < 32; i += 4) words.push(digest.readUInt32BE(i));
    }
    return words.shift()!;
  };
  for (let k = 0; k < Math.min(count, pool.length); k++) {
    const m = pool.length - k;
    const limit = 2 ** 32 - (2 ** 32 % m);
    let w = next();
    while (w >= limit) w = next();
    const j = k + (w % m);
    [pool[k], pool[j]] = [pool[j]!, pool[k]!];
  }
  return pool.slice(0, Math.min(count, pool.length));
}

describe('agency lottery (摇号), RPR Art. 16 and Art. 34', () => {
  it('Art. 16: the published draw is reproduced from its revealed seed and verifies', () => {
    expect(lotteryCommitment(SEED)).toBe(PUBLISHED.commitment);
    expect(drawAgencies(SEED, AGENCIES, 3)).toEqual(PUBLISHED.result);
    expect(verifyLottery(PUBLISHED)).toEqual({ ok: true });
  });

  it('follows the documented algorithm exactly (independent re-implementation on node:crypto)', () => {
    expect(referenceDraw(SEED, AGENCIES, 3)).toEqual(PUBLISHED.result);
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 30 }),
        fc.string({ maxLength: 10 }),
        (seed, candidates, entropy) => {
          expect(drawAgencies(seed, candidates, 3, entropy)).toEqual(referenceDraw(seed, candidates, 3, entropy));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a changed seed gives a different but valid draw', () => {
    const other = drawAgencies('fapai-2026-case-123-seed-7f3b', AGENCIES, 3);
    expect(other).toEqual(['agency-03', 'agency-01', 'agency-08']);
    expect(other).not.toEqual(PUBLISHED.result);
    expect(verifyLottery({ ...PUBLISHED, seed: 'fapai-2026-case-123-seed-7f3b', commitment: lotteryCommitment('fapai-2026-case-123-seed-7f3b'), result: other })).toEqual({ ok: true });
  });

  it('detects a seed that does not match the commitment, a forged result and a malformed commitment', () => {
    expect(verifyLottery({ ...PUBLISHED, seed: 'fapai-2026-case-123-seed-7f3b' })).toMatchObject({ ok: false, code: 'LOTTERY_COMMITMENT_MISMATCH' });
    expect(verifyLottery({ ...PUBLISHED, result: ['agency-04', 'agency-10', 'agency-07'] })).toMatchObject({ ok: false, code: 'LOTTERY_RESULT_MISMATCH' });
    expect(verifyLottery({ ...PUBLISHED, commitment: PUBLISHED.commitment.toUpperCase() })).toMatchObject({ ok: false, code: 'LOTTERY_COMMITMENT_INVALID' });
    expect(verifyLottery({ ...PUBLISHED, candidates: ['a', 'a'] })).toMatchObject({ ok: false, code: 'LOTTERY_CANDIDATES_INVALID' });
  });

  it('does not depend on the order in which the candidates are listed (sorted by code unit first)', () => {
    expect(drawAgencies(SEED, [...AGENCIES].reverse(), 3)).toEqual(PUBLISHED.result);
    expect(canonicalCandidates(['b', 'B', 'a'])).toEqual(['B', 'a', 'b']);
    expect(canonicalCandidates(['a', 'a'])).toBeNull();
    expect(canonicalCandidates([])).toBeNull();
  });

  it('public entropy contributed after the commitment changes the draw (no seed grinding)', () => {
    const withEntropy = drawAgencies(SEED, AGENCIES, 3, 'applicant:42|respondent:17');
    expect(withEntropy).toEqual(['agency-10', 'agency-04', 'agency-03']);
    expect(verifyLottery({ ...PUBLISHED, result: withEntropy, publicEntropy: 'applicant:42|respondent:17' })).toEqual({ ok: true });
    expect(verifyLottery({ ...PUBLISHED, result: withEntropy })).toMatchObject({ ok: false, code: 'LOTTERY_RESULT_MISMATCH' });
  });

  it('always ranks 3 distinct candidates from the list (all of them when fewer), deterministically', () => {
    fc.assert(
      fc.property(fc.string(), fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 60 }), (seed, candidates) => {
        const a = drawAgencies(seed, candidates);
        expect(a).toHaveLength(Math.min(3, candidates.length));
        expect(new Set(a).size).toBe(a.length);
        for (const id of a) expect(candidates).toContain(id);
        expect(drawAgencies(seed, [...candidates].reverse())).toEqual(a);
      }),
      { numRuns: 500 },
    );
  });

  it('is unbiased: over 6,000 seeds each of 7 agencies is drawn first about 1/7 of the time', () => {
    const seven = AGENCIES.slice(0, 7);
    const counts = new Map(seven.map((a) => [a, 0]));
    const runs = 6000;
    for (let i = 0; i < runs; i++) {
      const first = drawAgencies(`seed-${i}`, seven, 1)[0]!;
      counts.set(first, counts.get(first)! + 1);
    }
    // Chi-square with 6 degrees of freedom; 22.46 is the 0.1 % critical value.
    const expected = runs / 7;
    const chi2 = [...counts.values()].reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(22.46);
  });

  it('refuses programmer errors loudly', () => {
    expect(() => drawAgencies(SEED, [], 3)).toThrow(RangeError);
    expect(() => drawAgencies(SEED, ['a', 'a'], 3)).toThrow(RangeError);
    expect(() => drawAgencies(SEED, ['a'], 0)).toThrow(RangeError);
  });
});
