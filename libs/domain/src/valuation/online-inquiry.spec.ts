import fc from 'fast-check';
import { meanHalfUpFen, onlineInquiryFeeRecipients, onlineInquiryReferencePrice, type AveragingReport } from './online-inquiry.js';

const r = (platformId: string, priceFen: number | null, timely = true, objection: AveragingReport['objection'] = 'none'): AveragingReport => ({
  platformId,
  priceFen,
  timely,
  objection,
});

describe('online inquiry averaging, RPR Art. 13', () => {
  it('Art. 13 ¶1: all platforms delivered in time → mean of all', () => {
    expect(onlineInquiryReferencePrice([r('A', 100_000_00), r('B', 110_000_00), r('C', 120_000_00)])).toEqual({
      ok: true,
      priceFen: 110_000_00,
      basis: 'art13_all_timely',
      used: ['A', 'B', 'C'],
    });
  });

  it('Art. 13 ¶1: only some delivered in time → mean of those', () => {
    expect(onlineInquiryReferencePrice([r('A', 100_000_00), r('B', null, false), r('C', 120_000_00)])).toMatchObject({
      priceFen: 110_000_00,
      basis: 'art13_some_timely',
      used: ['A', 'C'],
    });
    // A report that arrived but after its deadline is not counted either.
    expect(onlineInquiryReferencePrice([r('A', 100_000_00), r('B', 999_999_00, false)])).toMatchObject({ priceFen: 100_000_00, used: ['A'] });
  });

  it('Art. 13 ¶1 / Art. 11 ¶3: no timely result → NO_USABLE_REPORT', () => {
    expect(onlineInquiryReferencePrice([r('A', null, false), r('B', null, false)])).toMatchObject({ ok: false, code: 'NO_USABLE_REPORT' });
    expect(onlineInquiryReferencePrice([])).toMatchObject({ ok: false, code: 'NO_USABLE_REPORT' });
  });

  it('Art. 13 ¶2: objections against all reports, rejected or corrected → mean of those', () => {
    const reports = [r('A', 100_000_00, true, 'rejected'), r('B', 130_000_00, true, 'corrected'), r('C', 500_000_00, true, 'upheld')];
    expect(onlineInquiryReferencePrice(reports)).toMatchObject({ priceFen: 115_000_00, basis: 'art13_all_objected', used: ['A', 'B'] });
  });

  it('Art. 13 ¶2: objections against all reports still pending → OBJECTIONS_PENDING', () => {
    expect(onlineInquiryReferencePrice([r('A', 1, true, 'rejected'), r('B', 2, true, 'pending')])).toMatchObject({ ok: false, code: 'OBJECTIONS_PENDING' });
  });

  it('Art. 13 ¶2: every objection upheld and nothing corrected → NO_USABLE_REPORT', () => {
    expect(onlineInquiryReferencePrice([r('A', 1, true, 'upheld'), r('B', 2, true, 'upheld')])).toMatchObject({ ok: false, code: 'NO_USABLE_REPORT' });
  });

  it('Art. 13 ¶2: objections against some reports → mean of the reports not objected to, whatever the rulings', () => {
    for (const objection of ['pending', 'rejected', 'upheld', 'corrected'] as const) {
      expect(onlineInquiryReferencePrice([r('A', 100_00, true, objection), r('B', 200_00), r('C', 301_00)])).toMatchObject({
        priceFen: 250_50,
        basis: 'art13_some_objected',
        used: ['B', 'C'],
      });
    }
  });

  it('objections only count against timely reports: a late report objected to does not make it "some"', () => {
    expect(onlineInquiryReferencePrice([r('A', 100, true, 'rejected'), r('B', null, false, 'pending')])).toMatchObject({ basis: 'art13_all_objected', priceFen: 100 });
  });

  it('rounds the mean half up to the fen', () => {
    expect(meanHalfUpFen([1, 2])).toBe(2); // 1.5 → 2
    expect(meanHalfUpFen([1, 1, 2])).toBe(1); // 1.33 → 1
    expect(meanHalfUpFen([1, 2, 2])).toBe(2); // 1.67 → 2
    expect(meanHalfUpFen([100_000_01, 100_000_02])).toBe(100_000_02);
    expect(meanHalfUpFen([Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1])).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => meanHalfUpFen([])).toThrow(RangeError);
    expect(() => meanHalfUpFen([1.5])).toThrow(RangeError);
  });

  it('the mean is within half a fen of the exact mean, between min and max, and order-independent', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1e13 }), { minLength: 1, maxLength: 12 }), (values) => {
        const m = meanHalfUpFen(values);
        const sum = values.reduce((a, b) => a + b, 0);
        expect(Math.abs(m * values.length - sum)).toBeLessThanOrEqual(values.length / 2);
        expect(m).toBeGreaterThanOrEqual(Math.min(...values));
        expect(m).toBeLessThanOrEqual(Math.max(...values));
        expect(meanHalfUpFen([...values].reverse())).toBe(m);
      }),
    );
  });

  it('averaging uses exactly the reports the table names (property)', () => {
    const objection = fc.constantFrom<AveragingReport['objection']>('none', 'pending', 'rejected', 'corrected', 'upheld');
    fc.assert(
      fc.property(
        fc.array(fc.record({ price: fc.option(fc.integer({ min: 1, max: 1e9 }), { nil: null }), timely: fc.boolean(), objection }), { minLength: 1, maxLength: 8 }),
        (rows) => {
          const reports = rows.map((x, i) => r(`P${i}`, x.price, x.timely, x.objection));
          const res = onlineInquiryReferencePrice(reports);
          const delivered = reports.filter((x) => x.timely && x.priceFen !== null);
          if (!res.ok) return;
          const used = reports.filter((x) => res.used.includes(x.platformId));
          expect(used.every((x) => x.timely && x.priceFen !== null)).toBe(true);
          expect(res.priceFen).toBe(meanHalfUpFen(used.map((x) => x.priceFen!)));
          const objected = delivered.filter((x) => x.objection !== 'none');
          if (objected.length === 0) expect(used).toEqual(delivered);
          else if (objected.length < delivered.length) expect(used.every((x) => x.objection === 'none')).toBe(true);
          else expect(used.every((x) => x.objection === 'rejected' || x.objection === 'corrected')).toBe(true);
        },
      ),
    );
  });
});

describe('online inquiry fee, RPR Art. 31', () => {
  const reports = [
    { platformId: 'A', priceFen: 100_00 },
    { platformId: 'B', priceFen: 120_00 },
    { platformId: 'C', priceFen: 140_00 },
  ];

  it('Art. 31 ¶1: the platform whose result is closest to the final sale price is paid', () => {
    expect(onlineInquiryFeeRecipients(reports, 125_00)).toEqual({
      recipients: ['B'],
      shareEach: { numerator: 1, denominator: 1 },
      reason: 'closest_to_sale_price',
      article: 'RPR Art. 31 ¶1',
    });
  });

  it('Art. 31 ¶1: equal distance splits the fee equally', () => {
    expect(onlineInquiryFeeRecipients(reports, 130_00)).toMatchObject({ recipients: ['B', 'C'], shareEach: { denominator: 2 } });
  });

  it('Art. 31 ¶1: equal results split the fee equally', () => {
    const same = [...reports, { platformId: 'D', priceFen: 100_00 }];
    expect(onlineInquiryFeeRecipients(same, 90_00)).toMatchObject({ recipients: ['A', 'D'], shareEach: { denominator: 2 } });
  });

  it('Art. 31 ¶2: nothing is paid after the switch to appraisal under Art. 11 ¶3, or a withdrawal under Art. 29', () => {
    expect(onlineInquiryFeeRecipients(reports, 125_00, { switchedToAppraisal: true })).toMatchObject({ recipients: [], shareEach: null, reason: 'switched_to_appraisal_art11_3' });
    expect(onlineInquiryFeeRecipients(reports, 125_00, { withdrawn: true })).toMatchObject({ recipients: [], reason: 'withdrawn_art29' });
  });

  it('no sale or no result: nobody can be named', () => {
    expect(onlineInquiryFeeRecipients(reports, null)).toMatchObject({ recipients: [], reason: 'not_sold' });
    expect(onlineInquiryFeeRecipients([], 100)).toMatchObject({ recipients: [], reason: 'no_result' });
  });
});
