import { VALUATION_REFUSAL_CODES } from '@fapai/domain';
import { STATUS_OF_KIND } from '../common/app-error.js';
import { ValuationError, valuationErrorKind } from './valuation.errors.js';

describe('valuation errors', () => {
  it('maps every domain refusal code to 409 or 422 with its article and condition', () => {
    for (const code of VALUATION_REFUSAL_CODES) {
      expect([409, 422]).toContain(STATUS_OF_KIND[valuationErrorKind(code)]);
    }
    const e = ValuationError.fromRefusal({ code: 'METHOD_OUT_OF_ORDER', message: 'm', article: 'RPR Art. 14', condition: 'c' });
    expect(e.status).toBe(409);
    expect(e.details).toEqual({ article: 'RPR Art. 14', condition: 'c' });
  });
});
