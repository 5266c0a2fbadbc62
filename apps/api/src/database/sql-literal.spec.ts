import { sqlLiteral } from './sql-literal.js';

describe('sqlLiteral', () => {
  it('quotes strings so that quotes and backslashes cannot end the literal', () => {
    expect(sqlLiteral("it's")).toBe("'it''s'");
    expect(sqlLiteral('a\\b')).toBe(" E'a\\\\b'");
    expect(sqlLiteral(`'); DROP TABLE bids; --`)).toBe(`'''); DROP TABLE bids; --'`);
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
