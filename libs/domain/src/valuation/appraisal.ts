/** Appraisal (委托评估) fee basis, RPR Art. 32. */
import type { RulesProfile } from '../rules-profile.js';

/** How the appraisal ended for this agency. `reissued`: it re-issued its report under Art. 19 ¶4. */
export type AppraisalFeeCase =
  | { kind: 'sold'; salePriceFen: number; reissued?: boolean }
  | { kind: 'unsold'; reissued?: boolean }
  | { kind: 'withdrawn' }
  | { kind: 'replaced' };

export type AppraisalFeeBasis =
  | { basis: 'appraisal_value' | 'sale_price'; baseFen: number; ratioBp: number; article: string }
  | { basis: 'actual_costs'; ratioBp: number; article: string }
  | { basis: 'none'; article: string };

/**
 * What the agency's fee is computed on (Art. 32; the fee schedule itself is outside the RPR):
 * - sold above the appraisal → on the appraisal value; below → on the sale price (¶1); at exactly the
 *   appraisal both bases are equal and we name the appraisal value;
 * - not sold → reasonable actual costs (¶1); appraisal withdrawn under Art. 29 → actual costs (¶2);
 * - a re-issued report (Art. 19 ¶4) → 30 % of what ¶1 gives (¶2), as `ratioBp`;
 * - agency replaced by the next one (Art. 19 ¶3, Art. 23 ¶2) → nothing (¶3).
 */
export function appraisalFeeBasis(appraisalPriceFen: number, outcome: AppraisalFeeCase, profile: RulesProfile): AppraisalFeeBasis {
  switch (outcome.kind) {
    case 'replaced':
      return { basis: 'none', article: 'RPR Art. 32 ¶3' };
    case 'withdrawn':
      return { basis: 'actual_costs', ratioBp: 10_000, article: 'RPR Art. 32 ¶2' };
    case 'unsold':
      return outcome.reissued
        ? { basis: 'actual_costs', ratioBp: profile.valuation.reissueFeeBp, article: 'RPR Art. 32 ¶1–2' }
        : { basis: 'actual_costs', ratioBp: 10_000, article: 'RPR Art. 32 ¶1' };
    case 'sold': {
      const ratioBp = outcome.reissued ? profile.valuation.reissueFeeBp : 10_000;
      const article = outcome.reissued ? 'RPR Art. 32 ¶1–2' : 'RPR Art. 32 ¶1';
      return outcome.salePriceFen >= appraisalPriceFen
        ? { basis: 'appraisal_value', baseFen: appraisalPriceFen, ratioBp, article }
        : { basis: 'sale_price', baseFen: outcome.salePriceFen, ratioBp, article };
    }
  }
}
