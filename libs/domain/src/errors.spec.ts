import { BID_REFUSAL_CODES, LOT_TRANSITION_CODES, PUBLICATION_VIOLATION_CODES, assertNever } from './errors.js';

describe('domain rule codes', () => {
  const all = [...BID_REFUSAL_CODES, ...PUBLICATION_VIOLATION_CODES, ...LOT_TRANSITION_CODES];
  it('are stable UPPER_SNAKE strings', () => {
    for (const code of all) expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
  });
  it('are unique across the three sets, so one API map can cover them all', () => {
    expect(new Set(all).size).toBe(all.length);
  });
  it('assertNever throws for a value the types said could not exist', () => {
    expect(() => assertNever('x' as never, 'event')).toThrow('unexpected event: x');
  });
});
