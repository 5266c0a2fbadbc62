/**
 * The domain keeps instants as epoch milliseconds; the API speaks ISO 8601 (UTC), in answers and in refusal
 * details alike. Converts every finite number under a time-named key (`…At`, `…Until`, deadlines, `earliest`/`latest`
 * with `Start`, `End`, `Notice`, `Publication`), at any depth; durations (`…Ms`) and amounts stay numbers.
 */
const TIME_KEY = /(At|deadline|Deadline|Until)$|^(from|to|at)$|^(earliest|latest)(Start|End|Notice|Publication)?$/;

export function isoTimes<T>(value: T): T {
  if (Array.isArray(value)) return value.map((x: unknown) => isoTimes(x)) as T;
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = typeof v === 'number' && TIME_KEY.test(k) && Number.isFinite(v) ? new Date(v).toISOString() : isoTimes(v);
  }
  return out as T;
}
