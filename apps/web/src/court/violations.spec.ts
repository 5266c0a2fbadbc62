import { errorsByPath, parseFieldName, placeViolations, violationFieldPath } from './violations';

describe('publication refusals next to their fields', () => {
  it('parses the API field names', () => {
    expect(parseFieldName('startingPrice')).toEqual(['startingPrice']);
    expect(parseFieldName('disclosures.taxesAndFees')).toEqual(['disclosures', 'taxesAndFees']);
    expect(parseFieldName('notices[0]')).toEqual(['notices', 0]);
    expect(parseFieldName('parties[1].name')).toEqual(['parties', 1, 'name']);
  });

  it('places each violation on a form field, or in the summary', () => {
    expect(violationFieldPath('deposit')).toEqual(['deposit']);
    expect(violationFieldPath('notices[1]')).toEqual(['notices', 1, 'at']);
    expect(violationFieldPath('notices')).toBeNull();
    expect(violationFieldPath('previousRound')).toBeNull();
  });

  it('groups several violations of one field', () => {
    const placed = placeViolations([
      { code: 'START_PRICE_BELOW_FLOOR', field: 'startingPrice', article: 'OJA Art. 10 ¶2', message: 'a' },
      { code: 'DEPOSIT_OUT_OF_RANGE', field: 'deposit', article: 'OJA Art. 17 ¶1', message: 'b' },
      { code: 'X', field: 'startingPrice', article: 'y', message: 'c' },
      { code: 'PREVIOUS_ROUND_INVALID', field: 'previousRound', article: 'z', message: 'd' },
    ]);
    expect(errorsByPath(placed, (v) => v.message)).toEqual([
      { name: ['startingPrice'], errors: ['a', 'c'] },
      { name: ['deposit'], errors: ['b'] },
    ]);
  });
});
