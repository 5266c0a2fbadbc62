import type { ValueTransformer } from 'typeorm';

/** bigint columns of fen ↔ JS numbers; refuses anything that is not a safe integer. */
export const fenTransformer: ValueTransformer = {
  to(value: unknown): unknown {
    if (value === null || value === undefined) return value;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new Error(`money must be a safe integer of fen, got ${String(value)}`);
    return value;
  },
  from(value: unknown): number | null {
    if (value === null || value === undefined) return null;
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new Error(`stored money ${String(value)} is not a safe integer`);
    return n;
  },
};
