import { ApiError } from '../api/client';
import { placeRefusal, toCorrectionBody, toReportBody } from './report-form';

const base = { price: '1,050,000.5', method: '市场比较法', standards: '', validUntil: '2027-05-01T12:00', samples: [{ description: '同小区近期成交', price: '1000000', source: '贝壳' }] };

describe('the report form → POST /api/valuations/:id/reports', () => {
  it('turns yuan into fen, Beijing time into UTC, and keeps the samples', () => {
    expect(toReportBody(base)).toEqual({
      ok: true,
      body: { price: 105_000_050, method: '市场比较法', samples: [{ description: '同小区近期成交', price: 100_000_000, source: '贝壳' }], validUntil: '2027-05-01T04:00:00.000Z' },
    });
  });

  it('drops empty sample rows and sends the standards when given', () => {
    const out = toReportBody({ ...base, standards: ' GB/T 50291 ', samples: [...base.samples, { description: '', price: '', source: '' }] });
    expect(out.ok && out.body.samples).toHaveLength(1);
    expect(out.ok && out.body.standards).toBe('GB/T 50291');
  });

  it('refuses before sending: missing price, bad amount, missing validity, a sample without description', () => {
    expect(toReportBody({ ...base, price: '' })).toEqual({ ok: false, errors: { price: 'required' } });
    expect(toReportBody({ ...base, price: '12.345' })).toEqual({ ok: false, errors: { price: 'invalid' } });
    expect(toReportBody({ ...base, price: '0' })).toEqual({ ok: false, errors: { price: 'invalid' } });
    expect(toReportBody({ ...base, validUntil: '' })).toEqual({ ok: false, errors: { validUntil: 'required' } });
    expect(toReportBody({ ...base, method: ' ', samples: [{ description: '', price: '5', source: '' }] })).toEqual({ ok: false, errors: { method: 'required', samples: 'required' } });
  });
});

describe('the correction form → POST /api/valuations/:id/corrections', () => {
  it('sends only what is given, and refuses an empty correction', () => {
    expect(toCorrectionBody({ price: '', validUntil: '', note: ' 价格不变，补充说明 ' })).toEqual({ ok: true, body: { note: '价格不变，补充说明' } });
    expect(toCorrectionBody({ price: '500000', validUntil: '2027-01-01T08:00', note: '' })).toEqual({ ok: true, body: { price: 50_000_000, validUntil: '2027-01-01T00:00:00.000Z' } });
    expect(toCorrectionBody({ price: '', validUntil: '', note: '' })).toEqual({ ok: false, errors: { note: 'required' } });
    expect(toCorrectionBody({ price: 'abc', validUntil: '', note: 'x' })).toEqual({ ok: false, errors: { price: 'invalid' } });
  });
});

describe('refusals → the field they concern', () => {
  const fields = ['price', 'method', 'standards', 'validUntil', 'samples'] as const;
  const refusal = (code: string, details?: Record<string, unknown>) => new ApiError({ statusCode: 422, code, message: code, details });

  it('by the article condition', () => {
    expect(placeRefusal(refusal('REPORT_INCOMPLETE', { article: 'RPR Art. 11 ¶1', condition: 'method_and_samples_given' }), fields)).toEqual({
      field: 'samples',
      code: 'REPORT_INCOMPLETE',
      article: 'RPR Art. 11 ¶1',
      condition: 'method_and_samples_given',
    });
    expect(placeRefusal(refusal('X', { condition: 'standards_given' }), fields)?.field).toBe('standards');
  });

  it('by the code', () => {
    expect(placeRefusal(refusal('VALIDITY_TOO_LONG', { article: 'RPR Art. 27 ¶1' }), fields)?.field).toBe('validUntil');
    expect(placeRefusal(refusal('PRICE_INVALID'), fields)?.field).toBe('price');
  });

  it('by the validation field name', () => {
    expect(placeRefusal(refusal('VALIDATION_FAILED', { fields: [{ field: 'samples[0].description', rules: {} }] }), fields)?.field).toBe('samples');
    expect(placeRefusal(refusal('VALIDATION_FAILED', { fields: [{ field: 'method', rules: {} }] }), fields)?.field).toBe('method');
  });

  it('a refusal of the whole act has no field; a non-API error is not placed', () => {
    expect(placeRefusal(refusal('ONLINE_REPORT_LATE', { article: 'RPR Art. 11' }), fields)).toMatchObject({ field: null, article: 'RPR Art. 11' });
    expect(placeRefusal(refusal('VALIDITY_TOO_LONG'), ['note'])?.field).toBeNull();
    expect(placeRefusal(new Error('x'), fields)).toBeNull();
  });
});
