import { STATUTORY } from '../rules-profile.js';
import { appraisalFeeBasis } from './appraisal.js';

describe('appraisal fee basis, RPR Art. 32', () => {
  const APPRAISAL = 1_000_000_00;

  it('Art. 32 ¶1: sold above the appraisal → on the appraisal value', () => {
    expect(appraisalFeeBasis(APPRAISAL, { kind: 'sold', salePriceFen: 1_200_000_00 }, STATUTORY)).toEqual({
      basis: 'appraisal_value',
      baseFen: APPRAISAL,
      ratioBp: 10_000,
      article: 'RPR Art. 32 ¶1',
    });
  });

  it('Art. 32 ¶1: sold below the appraisal → on the sale price', () => {
    expect(appraisalFeeBasis(APPRAISAL, { kind: 'sold', salePriceFen: 700_000_00 }, STATUTORY)).toMatchObject({ basis: 'sale_price', baseFen: 700_000_00 });
  });

  it('Art. 32 ¶1: sold at exactly the appraisal → both bases are equal', () => {
    expect(appraisalFeeBasis(APPRAISAL, { kind: 'sold', salePriceFen: APPRAISAL }, STATUTORY)).toMatchObject({ baseFen: APPRAISAL });
  });

  it('Art. 32 ¶1–2: not sold or withdrawn → reasonable actual costs', () => {
    expect(appraisalFeeBasis(APPRAISAL, { kind: 'unsold' }, STATUTORY)).toMatchObject({ basis: 'actual_costs', ratioBp: 10_000 });
    expect(appraisalFeeBasis(APPRAISAL, { kind: 'withdrawn' }, STATUTORY)).toMatchObject({ basis: 'actual_costs', article: 'RPR Art. 32 ¶2' });
  });

  it('Art. 32 ¶2: a re-issued report (Art. 19 ¶4) earns 30 % of the ¶1 fee', () => {
    expect(appraisalFeeBasis(APPRAISAL, { kind: 'sold', salePriceFen: 800_000_00, reissued: true }, STATUTORY)).toMatchObject({
      basis: 'sale_price',
      baseFen: 800_000_00,
      ratioBp: 3000,
    });
    expect(appraisalFeeBasis(APPRAISAL, { kind: 'unsold', reissued: true }, STATUTORY)).toMatchObject({ basis: 'actual_costs', ratioBp: 3000 });
  });

  it('Art. 32 ¶3: an agency replaced by the next one is paid nothing', () => {
    expect(appraisalFeeBasis(APPRAISAL, { kind: 'replaced' }, STATUTORY)).toEqual({ basis: 'none', article: 'RPR Art. 32 ¶3' });
  });
});
