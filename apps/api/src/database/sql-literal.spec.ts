import fc from 'fast-check';
import pg from 'pg';
import { sqlLiteral } from './sql-literal.js';

describe('sqlLiteral', () => {
  it('quotes strings so that quotes and backslashes cannot end the literal', () => {
    expect(sqlLiteral("it's")).toBe("'it''s'");
    expect(sqlLiteral('a\\b')).toBe(" E'a\\\\b'");
    expect(sqlLiteral(`'); DROP TABLE bids; --`)).toBe(`'''); DROP TABLE bids; --'`);
  });
  it('quotes any string exactly as pg.escapeLiteral does (the fast path for text without quotes or backslashes)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'Z', '0', "'", '\\', '"', ' ', '{', ':', '法', '\n', '\u0000', 'é'), maxLength: 40 });
    fc.assert(
      fc.property(fc.oneof(text, fc.string(), fc.json()), (s) => sqlLiteral(s) === pg.escapeLiteral(s)),
      { numRuns: 2000 },
    );
    expect(sqlLiteral('{"seq":3,"bidderCode":"A1B2"}')).toBe(`'{"seq":3,"bidderCode":"A1B2"}'`);
  });
  it('writes integers, booleans, null and times; refuses what is not a safe integer', () => {
    expect(sqlLiteral(123456789)).toBe('123456789');
    expect(sqlLiteral(true)).toBe('TRUE');
    expect(sqlLiteral(null)).toBe('NULL');
    expect(sqlLiteral(undefined)).toBe('NULL');
    expect(sqlLiteral(new Date(Date.UTC(2026, 10, 27, 2, 3, 4, 5)))).toBe("'2026-11-27T02:03:04.005Z'::timestamptz");
    expect(() => sqlLiteral(1.5)).toThrow(TypeError);
    expect(() => sqlLiteral(Number.MAX_SAFE_INTEGER + 1)).toThrow(TypeError);
    expect(() => sqlLiteral(Number.NaN)).toThrow(TypeError);
  });
});
