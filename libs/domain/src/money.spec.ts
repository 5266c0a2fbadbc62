import fc from 'fast-check';
import {
  assertFen,
  formatYuan,
  isFen,
  percentOfBp,
  percentOfBpCeil,
  percentOfBpFloor,
  toChineseCapital,
} from './money.js';

describe('assertFen / isFen', () => {
  it('accepts safe non-negative integers', () => {
    for (const v of [0, 1, 100, Number.MAX_SAFE_INTEGER]) {
      expect(isFen(v)).toBe(true);
      expect(() => assertFen(v, 'amount')).not.toThrow();
    }
  });
  it('refuses negatives, fractions, unsafe integers, NaN, strings and null, naming the field', () => {
    for (const v of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, NaN, Infinity, '100', null, undefined, 10n]) {
      expect(isFen(v)).toBe(false);
      expect(() => assertFen(v, 'startingPrice')).toThrow(/startingPrice/);
    }
  });
});

describe('percentOfBp', () => {
  it('OJA Art. 10: 70 % of a reference price, rounded up for a floor', () => {
    expect(percentOfBpCeil(1_000_000_00, 7000)).toBe(700_000_00);
    expect(percentOfBpCeil(1, 7000)).toBe(1); // 0.7 fen → 1
    expect(percentOfBpCeil(333, 7000)).toBe(234); // 233.1 → 234
    expect(percentOfBpFloor(333, 7000)).toBe(233);
  });
  it('OJA Art. 17: deposit range of a start of 999 fen is [50, 199] (min up, max down)', () => {
    expect(percentOfBpCeil(999, 500)).toBe(50); // 49.95
    expect(percentOfBpFloor(999, 2000)).toBe(199); // 199.8
  });
  it('exact results are the same in both directions', () => {
    expect(percentOfBp(12_345_600, 2500, 'floor')).toBe(3_086_400);
    expect(percentOfBp(12_345_600, 2500, 'ceil')).toBe(3_086_400);
  });
  it('0 bp and 0 amount give 0; 10 000 bp is the identity', () => {
    expect(percentOfBpCeil(12345, 0)).toBe(0);
    expect(percentOfBpCeil(0, 7000)).toBe(0);
    expect(percentOfBpFloor(Number.MAX_SAFE_INTEGER, 10_000)).toBe(Number.MAX_SAFE_INTEGER);
  });
  it('stays exact near the top of the safe range (no float overflow in a × bp)', () => {
    // MAX_SAFE_INTEGER = 9007199254740991; × 0.7 = 6305039478318693.7
    expect(percentOfBpFloor(Number.MAX_SAFE_INTEGER, 7000)).toBe(6305039478318693);
    expect(percentOfBpCeil(Number.MAX_SAFE_INTEGER, 7000)).toBe(6305039478318694);
  });
  it('refuses a bad amount, a negative or fractional bp, and an overflowing result', () => {
    expect(() => percentOfBpFloor(-1, 100)).toThrow(RangeError);
    expect(() => percentOfBpFloor(100, -1)).toThrow(RangeError);
    expect(() => percentOfBpFloor(100, 1.5)).toThrow(RangeError);
    expect(() => percentOfBpFloor(Number.MAX_SAFE_INTEGER, 20_000)).toThrow(RangeError);
  });
  it('agrees with bigint arithmetic for any amount and bp (property)', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.integer({ min: 0, max: 10_000 }), (amount, bp) => {
        const exact = BigInt(amount) * BigInt(bp);
        const floor = exact / 10_000n;
        const ceil = floor + (exact % 10_000n === 0n ? 0n : 1n);
        expect(BigInt(percentOfBpFloor(amount, bp))).toBe(floor);
        expect(BigInt(percentOfBpCeil(amount, bp))).toBe(ceil);
      }),
    );
  });
});

describe('formatYuan', () => {
  it.each([
    [0, '¥0.00'],
    [1, '¥0.01'],
    [10, '¥0.10'],
    [100, '¥1.00'],
    [123456, '¥1,234.56'],
    [100_000_000, '¥1,000,000.00'],
    [123456789, '¥1,234,567.89'],
    [-5, '-¥0.05'],
    [Number.MAX_SAFE_INTEGER, '¥90,071,992,547,409.91'],
  ])('%p fen → %p', (fen, text) => {
    expect(formatYuan(fen)).toBe(text);
  });
  it('refuses non-integers', () => {
    expect(() => formatYuan(1.5)).toThrow(RangeError);
  });
});

describe('toChineseCapital (大写金额)', () => {
  it.each([
    [0, '零元整'],
    [1, '壹分'],
    [5, '伍分'],
    [10, '壹角'],
    [32, '叁角贰分'],
    [50, '伍角'],
    [100, '壹元整'],
    [1000, '壹拾元整'],
    [1500, '壹拾伍元整'],
    [1005, '壹拾元零伍分'],
    [10000, '壹佰元整'],
    [10005, '壹佰元零伍分'],
    [10050, '壹佰元零伍角'],
    [32504, '叁佰贰拾伍元零肆分'],
    [101000, '壹仟零壹拾元整'],
    [140950, '壹仟肆佰零玖元伍角'],
    [168032, '壹仟陆佰捌拾元零叁角贰分'],
    [1640902, '壹万陆仟肆佰零玖元零贰分'],
    [1000500, '壹万零伍元整'],
    [1000000, '壹万元整'],
    [10700053, '壹拾万零柒仟元零伍角叁分'],
    [117000000, '壹佰壹拾柒万元整'],
    [11700000, '壹拾壹万柒仟元整'],
    [1000000000100, '壹佰亿零壹元整'],
    [100001000, '壹佰万零壹拾元整'],
    [123456789, '壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分'],
    [10000000000, '壹亿元整'],
    [10000000100, '壹亿零壹元整'],
    [10001000000, '壹亿零壹万元整'],
    [11000000000, '壹亿壹仟万元整'],
    [10100000000, '壹亿零壹佰万元整'],
    [123456789012, '壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾元零壹角贰分'],
    [100000000000000, '壹万亿元整'],
    [100010000000000, '壹万零壹亿元整'],
    // 9007199254740991 fen = 90,0719,9254,7409 yuan 9 角 1 分
    [Number.MAX_SAFE_INTEGER, '玖拾万零柒佰壹拾玖亿玖仟贰佰伍拾肆万柒仟肆佰零玖元玖角壹分'],
  ])('%p fen → %s', (fen, text) => {
    expect(toChineseCapital(fen)).toBe(text);
  });
  it('refuses negative and fractional amounts', () => {
    expect(() => toChineseCapital(-1)).toThrow(RangeError);
    expect(() => toChineseCapital(0.5)).toThrow(RangeError);
  });
  it('never writes two 零 in a row, never ends in 零, and ends in 整 exactly for whole yuan (property)', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (fen) => {
        fc.pre(fen > 0); // 零元整 is the one amount that starts with 零
        const text = toChineseCapital(fen);
        expect(text).not.toMatch(/零零/);
        expect(text).not.toMatch(/零$/);
        expect(text).not.toMatch(/零[元万亿]/);
        expect(text.endsWith('整')).toBe(fen % 100 === 0);
      }),
    );
  });
  it('writes exactly one 零 per run of zeros between non-zero digits of the amount (property)', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (fen) => {
        fc.pre(fen > 0);
        const innerZeroRuns = (String(fen).replace(/0+$/, '').match(/0+/g) ?? []).length;
        expect((toChineseCapital(fen).match(/零/g) ?? []).length).toBe(innerZeroRuns);
      }),
    );
  });
});
