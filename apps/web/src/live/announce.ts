/**
 * What the polite live region says about the countdown: at each minute boundary, then at 10, 5, 3, 2
 * and 1 seconds, then once at the end. Every second would flood a screen reader (each phrase takes
 * longer than a second to speak); nothing at all would hide the most important moment of an auction.
 */
export type TimerAnnouncement = { kind: 'minutes'; minutes: number } | { kind: 'seconds'; seconds: number } | { kind: 'ended' } | null;

const SECOND_MARKS = new Set([10, 5, 3, 2, 1]);

/** Whole seconds shown for `ms` (rounded up, as the countdown shows them). */
const secs = (ms: number) => (ms > 0 ? Math.ceil(ms / 1000) : 0);

/** The announcement due when the time left moves from `prevMs` to `nextMs`, if any. */
export function timerAnnouncement(prevMs: number, nextMs: number): TimerAnnouncement {
  const prev = secs(prevMs);
  const next = secs(nextMs);
  if (next >= prev) return null; // no time passed, or an extension (announced on its own)
  if (next === 0) return { kind: 'ended' };
  if (next <= 10) {
    // A mark reached in this step (a throttled tab may skip seconds): say the time actually left.
    for (let s = next; s < prev; s++) if (SECOND_MARKS.has(s)) return { kind: 'seconds', seconds: next };
    return null;
  }
  const prevMin = Math.ceil(prev / 60);
  const nextMin = Math.ceil(next / 60);
  if (nextMin < prevMin && next % 60 === 0) return { kind: 'minutes', minutes: nextMin };
  if (nextMin < prevMin && prev - next > 1) return { kind: 'minutes', minutes: nextMin }; // skipped the boundary second
  return null;
}
