/**
 * The verifiable agency lottery (摇号), RPR Art. 16: when the parties do not agree on three appraisal
 * agencies and their order within the period set (or a party cannot be found), the court draws three
 * agencies, in order, from the sub-list. Art. 34 asks the system to record the lottery process; we make
 * it checkable by anyone with commit–reveal:
 *
 * 1. before the draw the platform publishes `commitment = sha256Hex(seed)` together with the sorted
 *    candidate list, so neither can change afterwards;
 * 2. (optional) the parties contribute `publicEntropy` after seeing the commitment, so the platform,
 *    which knows its seed, cannot grind seeds for a result it likes;
 * 3. the platform reveals `seed`; `drawAgencies` is deterministic, so anyone recomputes the order.
 *
 * Stream: block i = SHA-256(UTF-8 of `fapai-lottery-v1\n${seed.length}:${seed}\n${entropy.length}:${entropy}\n${i}`)
 * (lengths in UTF-16 code units, so no two (seed, entropy) pairs share a prefix); each block gives eight
 * 32-bit big-endian words. A partial Fisher–Yates shuffle over the candidates sorted by code unit picks
 * position k from the remaining m = n − k with rejection sampling (a word w ≥ 2³² − (2³² mod m) is
 * dropped) so that every order is exactly equally likely: plain `w % m` would favour low indices.
 */
import { sha256Hex } from './sha256.js';

export type LotteryRefusalCode =
  | 'LOTTERY_COMMITMENT_INVALID'
  | 'LOTTERY_CANDIDATES_INVALID'
  | 'LOTTERY_COMMITMENT_MISMATCH'
  | 'LOTTERY_RESULT_MISMATCH';

export interface LotteryRefusal {
  ok: false;
  code: LotteryRefusalCode;
  message: string;
  article: string;
  condition?: string;
}

const ARTICLE = 'RPR Art. 16, Art. 34';
const TWO_32 = 0x100000000;

/** The value published before the draw: SHA-256 of the secret seed, lowercase hex. */
export function lotteryCommitment(seed: string): string {
  return sha256Hex(seed);
}

/** A commitment is 64 lowercase hex digits. */
export function isCommitment(value: string): boolean {
  return /^[0-9a-f]{64}$/.test(value);
}

/**
 * The candidates in canonical order: sorted by UTF-16 code unit (never `localeCompare`, whose order
 * depends on the runtime's locale data and would make the browser disagree with the server).
 * Returns null when the list is empty or holds duplicates or empty ids.
 */
export function canonicalCandidates(candidateIds: readonly string[]): string[] | null {
  if (candidateIds.length === 0 || candidateIds.some((id) => id.length === 0)) return null;
  const sorted = [...candidateIds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) return null;
  return sorted;
}

/**
 * Deterministic draw of `count` agencies, in rank order, from the candidates (RPR Art. 16). The input
 * order of `candidateIds` does not matter (they are sorted first). If the sub-list has fewer candidates
 * than `count`, all of them are ranked (the law assumes three exist; we do not invent more).
 * @throws RangeError on an empty or duplicated candidate list, or a count below 1 — programmer errors,
 *   since the state machine validates before drawing.
 */
export function drawAgencies(seed: string, candidateIds: readonly string[], count = 3, publicEntropy = ''): string[] {
  const pool = canonicalCandidates(candidateIds);
  if (!pool) throw new RangeError('candidates must be a non-empty list of distinct, non-empty ids');
  if (!Number.isInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
  const words = wordStream(seed, publicEntropy);
  const picks = Math.min(count, pool.length);
  for (let k = 0; k < picks; k++) {
    const m = pool.length - k;
    const j = k + uniformBelow(m, words);
    const chosen = pool[j]!;
    pool[j] = pool[k]!;
    pool[k] = chosen;
  }
  return pool.slice(0, picks);
}

/**
 * Anyone's check of a published draw: the seed matches the commitment, and re-running the draw on the
 * published candidates gives the published order.
 */
export function verifyLottery(input: {
  commitment: string;
  seed: string;
  candidates: readonly string[];
  result: readonly string[];
  count?: number;
  publicEntropy?: string;
}): { ok: true } | LotteryRefusal {
  if (!isCommitment(input.commitment)) {
    return refuse('LOTTERY_COMMITMENT_INVALID', 'the commitment must be 64 lowercase hex digits (a SHA-256)');
  }
  if (!canonicalCandidates(input.candidates)) {
    return refuse('LOTTERY_CANDIDATES_INVALID', 'the candidates must be distinct, non-empty ids');
  }
  if (lotteryCommitment(input.seed) !== input.commitment) {
    return refuse('LOTTERY_COMMITMENT_MISMATCH', 'SHA-256 of the revealed seed is not the published commitment', 'seed_matches_commitment');
  }
  const expected = drawAgencies(input.seed, input.candidates, input.count ?? 3, input.publicEntropy ?? '');
  const same = expected.length === input.result.length && expected.every((id, i) => id === input.result[i]);
  if (!same) {
    return refuse('LOTTERY_RESULT_MISMATCH', `recomputed draw is ${expected.join(', ')}`, 'result_matches_recomputation');
  }
  return { ok: true };
}

function refuse(code: LotteryRefusalCode, message: string, condition?: string): LotteryRefusal {
  return condition === undefined ? { ok: false, code, message, article: ARTICLE } : { ok: false, code, message, article: ARTICLE, condition };
}

/** An endless stream of 32-bit words from the hash chain described above. */
function wordStream(seed: string, entropy: string): () => number {
  let counter = 0;
  let buffer: number[] = [];
  return () => {
    if (buffer.length === 0) {
      const hex = sha256Hex(`fapai-lottery-v1\n${seed.length}:${seed}\n${entropy.length}:${entropy}\n${counter}`);
      counter++;
      buffer = [];
      for (let i = 0; i < 64; i += 8) buffer.push(parseInt(hex.slice(i, i + 8), 16));
    }
    return buffer.shift()!;
  };
}

/** Uniform integer in [0, m) by rejection sampling, m ≥ 1. */
function uniformBelow(m: number, next: () => number): number {
  const limit = TWO_32 - (TWO_32 % m);
  for (;;) {
    const w = next();
    if (w < limit) return w % m;
  }
}
