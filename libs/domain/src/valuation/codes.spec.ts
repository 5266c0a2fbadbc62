import { VALUATION_REFUSAL_CODES, valuationRefusal, type ValuationRefusalCode } from './codes.js';

// Compile-time: the runtime list and the union hold exactly the same codes.
type Listed = (typeof VALUATION_REFUSAL_CODES)[number];
const missing: [Exclude<ValuationRefusalCode, Listed>] extends [never] ? true : false = true;

describe('valuation refusal codes', () => {
  it('are listed once each, and the list covers the union', () => {
    expect(missing).toBe(true);
    expect(new Set(VALUATION_REFUSAL_CODES).size).toBe(VALUATION_REFUSAL_CODES.length);
  });

  it('a refusal carries code, article and the failed condition', () => {
    expect(valuationRefusal('METHOD_OUT_OF_ORDER', 'RPR Art. 5', 'negotiation first', 'negotiation_impossible_or_failed')).toEqual({
      ok: false,
      code: 'METHOD_OUT_OF_ORDER',
      article: 'RPR Art. 5',
      message: 'negotiation first',
      condition: 'negotiation_impossible_or_failed',
    });
    expect(valuationRefusal('NO_DEADLINE_DUE', 'RPR', 'nothing')).not.toHaveProperty('condition');
  });
});
