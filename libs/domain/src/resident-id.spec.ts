import fc from 'fast-check';
import { maskResidentId, residentIdCheckDigit, validateResidentId } from './resident-id.js';

/** Independent re-implementation of GB 11643 §8.2: Wᵢ = 2^(18−i) mod 11, a₁ = (12 − Σ mod 11) mod 11. */
function referenceCheck(first17: string): string {
  let sum = 0;
  for (let i = 1; i <= 17; i++) sum += Number(first17[i - 1]) * (2 ** (18 - i) % 11);
  const a1 = (12 - (sum % 11)) % 11;
  return a1 === 10 ? 'X' : String(a1);
}

describe('residentIdCheckDigit (GB 11643-1999, ISO 7064 MOD 11-2)', () => {
  it('gives X for the standard example 11010519491231002X', () => {
    expect(residentIdCheckDigit('11010519491231002')).toBe('X');
  });
  it('matches worked sums: 440524188001010014 and 110101199003074514 (ours)', () => {
    // 440524188001010014: Σ = 4·7+4·9+0·10+5·5+2·8+4·4+1·2+8·1+8·6+0·3+0·7+1·9+0·10+1·5+0·8+0·4+1·2 = 195,
    // 195 mod 11 = 8 → '4'.
    expect(residentIdCheckDigit('44052418800101001')).toBe('4');
    // 110101199003074514: Σ = 7+9+0+5+0+4+2+9+54+0+0+27+0+35+32+20+2 = 206, 206 mod 11 = 8 → '4'.
    expect(residentIdCheckDigit('11010119900307451')).toBe('4');
  });
  it('agrees with an independent formula for any 17 digits (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{17}$/), (first17) => {
        expect(residentIdCheckDigit(first17)).toBe(referenceCheck(first17));
      }),
    );
  });
  it('throws on anything but 17 digits (a programming error)', () => {
    expect(() => residentIdCheckDigit('1101051949123100')).toThrow(RangeError);
    expect(() => residentIdCheckDigit('1101051949123100X')).toThrow(RangeError);
  });
});

describe('validateResidentId', () => {
  it('accepts the standard example: born 1949-12-31, female (sequence 002 is even)', () => {
    expect(validateResidentId('11010519491231002X')).toEqual({
      ok: true,
      id: '11010519491231002X',
      birthDate: '1949-12-31',
      sex: 'female',
    });
  });
  it('accepts a lower-case x and surrounding spaces, normalising them', () => {
    const r = validateResidentId(' 11010519491231002x ');
    expect(r).toEqual(expect.objectContaining({ ok: true, id: '11010519491231002X' }));
  });
  it('reads the sex from the 17th digit: odd is male', () => {
    const first17 = '44030420000229001'; // 2000-02-29 (a leap day), sequence 001
    const id = first17 + residentIdCheckDigit(first17);
    expect(validateResidentId(id)).toEqual({ ok: true, id, birthDate: '2000-02-29', sex: 'male' });
  });
  it.each([
    ['too short', '11010519491231002'],
    ['too long', '11010519491231002X1'],
    ['letter inside', '1101051949123100AX'],
    ['X not last', '1101051949123X0021'],
    ['15-digit old format', '110105491231002'],
    ['empty', ''],
  ])('FORMAT: %s', (_, id) => {
    expect(validateResidentId(id)).toEqual({ ok: false, reason: 'FORMAT' });
  });
  it.each([
    ['month 13', '1101051949133100'],
    ['month 00', '1101051949003100'],
    ['day 00', '1101051949120000'],
    ['31 April', '1101051949043100'],
    ['29 February 1900 (not a leap year)', '1101051900022900'],
    ['29 February 2023', '1101052023022900'],
    ['year 1799', '1101051799123100'],
  ])('BIRTH_DATE: %s', (_, prefix16) => {
    const first17 = prefix16 + '2';
    const id = first17 + residentIdCheckDigit(first17); // a correct check digit: the date alone is wrong
    expect(validateResidentId(id)).toEqual({ ok: false, reason: 'BIRTH_DATE' });
  });
  it('BIRTH_DATE: a birth date after the injected today is refused; today itself is accepted', () => {
    const first17 = '11010520300101002';
    const id = first17 + residentIdCheckDigit(first17);
    expect(validateResidentId(id)).toEqual(expect.objectContaining({ ok: true }));
    expect(validateResidentId(id, { today: '2029-12-31' })).toEqual({ ok: false, reason: 'BIRTH_DATE' });
    expect(validateResidentId(id, { today: '2030-01-01' })).toEqual(expect.objectContaining({ ok: true }));
  });
  it('CHECK_DIGIT: every wrong check character is refused', () => {
    for (const c of '0123456789X') {
      if (c === 'X') continue;
      expect(validateResidentId('11010519491231002' + c)).toEqual({ ok: false, reason: 'CHECK_DIGIT' });
    }
  });
  it('CHECK_DIGIT: any single-digit typo in the first 17 digits is caught (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 16 }), fc.integer({ min: 1, max: 9 }), (pos, delta) => {
        const valid = '11010519491231002X';
        const changed = (Number(valid[pos]) + delta) % 10;
        const typo = valid.slice(0, pos) + changed + valid.slice(pos + 1);
        const r = validateResidentId(typo);
        // A typo in the date may break the date first; otherwise the check digit catches it.
        expect(r.ok).toBe(false);
      }),
    );
  });
});

describe('maskResidentId', () => {
  it('keeps the first 3 and last 4 characters: 110***********002X', () => {
    expect(maskResidentId('11010519491231002X')).toBe('110***********002X');
    expect(maskResidentId('11010519491231002X')).toHaveLength(18);
  });
  it('masks short or malformed values entirely', () => {
    expect(maskResidentId('1234567')).toBe('*******');
    expect(maskResidentId('')).toBe('');
  });
});
