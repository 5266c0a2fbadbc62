/**
 * Online inquiry (网络询价) arithmetic: the Art. 13 averaging table and the Art. 31 fee rule, as pure
 * functions over plain report summaries so that the web app can show "why this figure".
 */
import { valuationRefusal, type ValuationRefusal, type AveragingRefusalCode } from './codes.js';

/** One platform's result as Art. 13 sees it. */
export interface AveragingReport {
  platformId: string;
  /**
   * The platform's effective result in fen (its correction if it corrected), or null when it has no
   * usable result: silent, late, or faulty and not corrected (Art. 12).
   */
  priceFen: number | null;
  /** Delivered (or corrected) within its deadline, including a granted Art. 11 ¶2 extension. */
  timely: boolean;
  /**
   * Art. 22 objections against this report: 'none'; 'pending' (not yet ruled, or correction still due);
   * 'rejected' (all rejected); 'corrected' (upheld and the platform corrected); 'upheld' (upheld and not
   * corrected in time).
   */
  objection: 'none' | 'pending' | 'rejected' | 'corrected' | 'upheld';
}

export type AveragingBasis = 'art13_all_timely' | 'art13_some_timely' | 'art13_all_objected' | 'art13_some_objected';

export interface AveragingResult {
  ok: true;
  priceFen: number;
  basis: AveragingBasis;
  /** Platforms whose results were averaged. */
  used: string[];
}

/**
 * The reference price of an online inquiry, RPR Art. 13:
 * - all platforms delivered (or corrected) in time → mean of all (¶1);
 * - only some did → mean of those (¶1);
 * - objections against every delivered report → mean of the reports whose objection was rejected or
 *   which were corrected (¶2); needs every such objection resolved;
 * - objections against some → mean of the reports not objected to (¶2), whatever the rulings.
 * A report with no usable result never counts. The mean is rounded half up to the fen.
 */
export function onlineInquiryReferencePrice(
  reports: readonly AveragingReport[],
): AveragingResult | ValuationRefusal<AveragingRefusalCode> {
  const delivered = reports.filter((r) => r.timely && r.priceFen !== null);
  if (delivered.length === 0) {
    return valuationRefusal('NO_USABLE_REPORT', 'RPR Art. 13 ¶1, Art. 11 ¶3', 'no platform delivered a usable result in time', 'some_timely_result');
  }
  const objected = delivered.filter((r) => r.objection !== 'none');
  if (objected.length === 0) {
    const basis: AveragingBasis = delivered.length === reports.length ? 'art13_all_timely' : 'art13_some_timely';
    return averaged(delivered, basis);
  }
  if (objected.length < delivered.length) {
    return averaged(
      delivered.filter((r) => r.objection === 'none'),
      'art13_some_objected',
    );
  }
  if (objected.some((r) => r.objection === 'pending')) {
    return valuationRefusal('OBJECTIONS_PENDING', 'RPR Art. 13 ¶2', 'every report is objected to: wait for the rulings and corrections', 'objections_resolved');
  }
  const kept = objected.filter((r) => r.objection === 'rejected' || r.objection === 'corrected');
  if (kept.length === 0) {
    return valuationRefusal('NO_USABLE_REPORT', 'RPR Art. 13 ¶2', 'every objection was upheld and no platform corrected its report', 'some_report_survives_objections');
  }
  return averaged(kept, 'art13_all_objected');
}

/**
 * Arithmetic mean of integer fen amounts, rounded half up to the fen (½ fen and more goes up). Chosen
 * because it is the rounding a clerk does by hand (四舍五入) and is independent of the order of the
 * reports; BigInt keeps the sum exact for any safe amounts.
 */
export function meanHalfUpFen(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('mean of no values');
  let sum = 0n;
  for (const v of values) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`not a fen amount: ${v}`);
    sum += BigInt(v);
  }
  const n = BigInt(values.length);
  return Number((2n * sum + n) / (2n * n));
}

function averaged(reports: readonly AveragingReport[], basis: AveragingBasis): AveragingResult {
  return { ok: true, priceFen: meanHalfUpFen(reports.map((r) => r.priceFen!)), basis, used: reports.map((r) => r.platformId) };
}

export interface FeeRecipients {
  /** Platforms paid the inquiry fee; empty when none is. */
  recipients: string[];
  /** Each recipient's share of the one fee (1/k for a k-way tie), or null when nobody is paid. */
  shareEach: { numerator: 1; denominator: number } | null;
  reason: 'closest_to_sale_price' | 'switched_to_appraisal_art11_3' | 'withdrawn_art29' | 'not_sold' | 'no_result';
  article: string;
}

/**
 * Art. 31: the fee (按次计付, once per inquiry) goes to the platform whose result is closest to the final
 * sale price; equal results or equal distances split it equally. Nothing is paid when the court
 * switched to appraisal under Art. 11 ¶3 or withdrew the inquiry under Art. 29. `reports` are the
 * platforms that issued a result (the procedure's `onlineInquiryResults`). With no sale (null) there is
 * no price to compare, so no recipient can be named (our reading; the article presupposes a sale).
 */
export function onlineInquiryFeeRecipients(
  reports: readonly { platformId: string; priceFen: number }[],
  finalSalePriceFen: number | null,
  options: { switchedToAppraisal?: boolean; withdrawn?: boolean } = {},
): FeeRecipients {
  const none = (reason: FeeRecipients['reason'], article: string): FeeRecipients => ({ recipients: [], shareEach: null, reason, article });
  if (options.switchedToAppraisal) return none('switched_to_appraisal_art11_3', 'RPR Art. 31 ¶2, Art. 11 ¶3');
  if (options.withdrawn) return none('withdrawn_art29', 'RPR Art. 31 ¶2, Art. 29');
  if (finalSalePriceFen === null) return none('not_sold', 'RPR Art. 31 ¶1');
  if (reports.length === 0) return none('no_result', 'RPR Art. 31 ¶1');
  const distance = (r: { priceFen: number }) => Math.abs(r.priceFen - finalSalePriceFen);
  const best = Math.min(...reports.map(distance));
  const recipients = [...new Set(reports.filter((r) => distance(r) === best).map((r) => r.platformId))];
  return { recipients, shareEach: { numerator: 1, denominator: recipients.length }, reason: 'closest_to_sale_price', article: 'RPR Art. 31 ¶1' };
}
