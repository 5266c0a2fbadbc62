/**
 * Validity (有效期) of a reference price, RPR Art. 27.
 *
 * Boundaries: an act at exactly `validUntil` is within the validity; the sale may take place up to and
 * including `validUntil + graceAfterExpiryMs` (the profile's "6 months"); one millisecond later is too late.
 */
import type { RulesProfile } from '../rules-profile.js';
import { valuationRefusal, type ValuationRefusal } from './codes.js';
import type { ReferencePriceResult } from './model.js';
import { toMs, type Instant } from './time.js';

export interface ExpiredRefusal extends ValuationRefusal<'REFERENCE_PRICE_EXPIRED'> {
  condition: 'announcement_after_validity' | 'sale_after_grace';
  /**
   * Art. 11 ¶4: the platforms re-issue within 3 days; Art. 19 ¶4: the original agency within 15 days.
   * Null for a negotiated or directed price: the law provides no re-issue, so a new procedure is needed.
   */
  reissueWithinMs: number | null;
}

/**
 * Art. 27 ¶3: no new reference price is needed iff the first-auction announcement (or the direct
 * sale-off) is published within the validity AND the auction or sale-off happens no later than six
 * months after the validity ends. `saleAt` may be null while the sale date is not known yet (only the
 * announcement is checked). Returns the last instant the sale may take place.
 */
export function validityCheck(
  result: Pick<ReferencePriceResult, 'method' | 'validUntil'>,
  announceAt: Instant,
  saleAt: Instant | null,
  profile: RulesProfile,
): { ok: true; saleLatestAt: number } | ExpiredRefusal {
  const saleLatestAt = result.validUntil + profile.valuation.graceAfterExpiryMs;
  if (toMs(announceAt) > result.validUntil) {
    return expired(result.method, profile, 'announcement_after_validity', 'the announcement is after the end of the validity');
  }
  if (saleAt !== null && toMs(saleAt) > saleLatestAt) {
    return expired(result.method, profile, 'sale_after_grace', 'the sale is more than six months after the end of the validity');
  }
  return { ok: true, saleLatestAt };
}

/**
 * Art. 27 ¶1–2: every result (online report, appraisal, negotiated price, directed inquiry by analogy,
 * corrections) carries a validity of at most one year from its issue. Returns null when acceptable.
 */
export function checkSubmittedValidity(
  validUntil: number,
  issuedAt: number,
  profile: RulesProfile,
): ValuationRefusal<'VALIDITY_TOO_LONG' | 'VALIDITY_INVALID'> | null {
  if (!Number.isSafeInteger(validUntil) || validUntil <= issuedAt) {
    return valuationRefusal('VALIDITY_INVALID', 'RPR Art. 27', 'the validity must end after the result is issued', 'valid_until_after_issue');
  }
  if (validUntil - issuedAt > profile.valuation.validityMaxMs) {
    return valuationRefusal('VALIDITY_TOO_LONG', 'RPR Art. 27 ¶1', 'a result may be valid for at most one year', 'validity_at_most_one_year');
  }
  return null;
}

function expired(
  method: ReferencePriceResult['method'],
  profile: RulesProfile,
  condition: ExpiredRefusal['condition'],
  message: string,
): ExpiredRefusal {
  const reissueWithinMs =
    method === 'online_inquiry' ? profile.valuation.onlineInquiryReissueMs : method === 'appraisal' ? profile.valuation.appraisalReissueMs : null;
  const article = method === 'online_inquiry' ? 'RPR Art. 27 ¶3, Art. 11 ¶4' : method === 'appraisal' ? 'RPR Art. 27 ¶3, Art. 19 ¶4' : 'RPR Art. 27 ¶3';
  return { ok: false, code: 'REFERENCE_PRICE_EXPIRED', message, article, condition, reissueWithinMs };
}
