/**
 * Which method may be used now: the statutory order negotiation → directed inquiry → online inquiry →
 * appraisal, each reached when the previous one is impossible (不能) or failed (不成), and the shortcuts
 * the parties or the law open (RPR Arts. 3, 4, 5, 7, 14).
 */
import { valuationRefusal, type MethodRefusalCode, type ValuationRefusal } from './codes.js';
import { VALUATION_METHODS, type ValuationMethod, type ValuationState, type ValuationStep } from './model.js';

export type MethodCheck = { ok: true } | ValuationRefusal<MethodRefusalCode>;

/** The methods `checkMethod` accepts now, in statutory order. */
export function allowedMethods(state: ValuationState): ValuationMethod[] {
  return VALUATION_METHODS.filter((m) => checkMethod(state, m).ok);
}

/**
 * Whether `method` may be opened now; a refusal names the failed condition:
 * - negotiation (Art. 4): unless a party refuses or cannot be found; first of all methods;
 * - directed inquiry (Art. 5): only with a government price, after negotiation is impossible or failed,
 *   or directly when both parties ask (¶2);
 * - online inquiry (Art. 7): only if no on-site survey is needed, after directed inquiry is impossible or
 *   failed, or directly when both parties ask or agree (¶2);
 * - appraisal (Art. 14): when the law requires it, both parties ask, or online inquiry is impossible or
 *   failed (including Art. 11 ¶3). When the law requires appraisal or the parties jointly chose a later
 *   method that is available, the earlier methods are closed: the court "shall allow" the request.
 * A failed negotiation, directed or online inquiry is not repeated; a failed appraisal (every ranked
 * agency replaced) may be opened again with a new selection, since nothing comes after it.
 */
export function checkMethod(state: ValuationState, method: ValuationMethod): MethodCheck {
  if (state.status === 'determined' || state.status === 'withdrawn') {
    return valuationRefusal('PROCEDURE_CLOSED', 'RPR Art. 2', `the procedure is ${state.status}`);
  }
  if (state.postponedAt !== null) return valuationRefusal('PROCEDURE_POSTPONED', 'RPR Art. 28', 'the procedure is postponed');
  const running = state.steps.find((s) => s.status === 'active');
  if (running) return valuationRefusal('STEP_IN_PROGRESS', 'RPR Art. 2', `a ${running.method} step is running`);
  const facts = state.facts;
  if (!facts) {
    return valuationRefusal('FACTS_NOT_RECORDED', 'RPR Art. 3', 'title, encumbrances, occupancy, unpaid taxes and defects must be established first');
  }
  const rank = VALUATION_METHODS.indexOf(method);
  if (state.steps.some((s) => VALUATION_METHODS.indexOf(s.method) > rank)) {
    return valuationRefusal('METHOD_OUT_OF_ORDER', 'RPR Art. 2', 'a later method has already been used', 'later_method_not_yet_used');
  }

  const { applicant, respondent, jointRequest } = state.stances;
  const failed = (m: ValuationMethod) => state.steps.some((s: ValuationStep) => s.method === m && s.status === 'failed');
  const partyRefuses = applicant.refusesNegotiation || respondent.refusesNegotiation;
  const partyMissing = applicant.cannotBeFound || respondent.cannotBeFound;
  // A joint request counts only where the requested method's own conditions hold (Arts. 5 ¶2, 7 ¶2).
  const jointDirected = jointRequest === 'directed_inquiry' && facts.hasGovernmentPrice;
  const jointOnline = jointRequest === 'online_inquiry' && !facts.needsOnSiteSurvey;
  const appraisalForced = facts.appraisalRequiredByLaw || jointRequest === 'appraisal';

  const negotiationExhausted = partyRefuses || partyMissing || failed('negotiation');
  const reachedDirected = negotiationExhausted || jointDirected;
  // A method that was actually used and failed was reached lawfully, whatever the stances are now.
  const directedExhausted = failed('directed_inquiry') || (reachedDirected && !facts.hasGovernmentPrice);
  const reachedOnline = jointOnline || directedExhausted;
  const onlineExhausted = failed('online_inquiry') || (reachedOnline && facts.needsOnSiteSurvey);

  if (method !== 'appraisal' && appraisalForced) {
    const condition = facts.appraisalRequiredByLaw ? 'appraisal_not_required_by_law' : 'parties_did_not_jointly_choose_appraisal';
    return valuationRefusal('METHOD_OUT_OF_ORDER', 'RPR Art. 14', 'appraisal must be used', condition);
  }

  switch (method) {
    case 'negotiation': {
      if (partyRefuses) return valuationRefusal('NEGOTIATION_IMPOSSIBLE', 'RPR Art. 4 ¶1', 'a party refuses to negotiate', 'no_party_refuses');
      if (partyMissing) return valuationRefusal('NEGOTIATION_IMPOSSIBLE', 'RPR Art. 4 ¶1', 'a party cannot be found', 'no_party_missing');
      if (failed('negotiation')) return valuationRefusal('METHOD_ALREADY_FAILED', 'RPR Art. 5 ¶1', 'negotiation already failed');
      if (jointDirected || jointOnline) {
        return valuationRefusal('METHOD_OUT_OF_ORDER', jointDirected ? 'RPR Art. 5 ¶2' : 'RPR Art. 7 ¶2', 'the parties jointly chose a later method', 'no_joint_request_for_later_method');
      }
      return { ok: true };
    }
    case 'directed_inquiry': {
      if (!facts.hasGovernmentPrice) {
        return valuationRefusal('DIRECTED_INQUIRY_NEEDS_GOVERNMENT_PRICE', 'RPR Art. 5', 'the property has no tax base, government-set or government-guided price', 'has_government_price');
      }
      if (failed('directed_inquiry')) return valuationRefusal('METHOD_ALREADY_FAILED', 'RPR Art. 7 ¶1', 'directed inquiry already failed');
      if (jointOnline) return valuationRefusal('METHOD_OUT_OF_ORDER', 'RPR Art. 7 ¶2', 'the parties jointly chose online inquiry', 'no_joint_request_for_later_method');
      if (!reachedDirected) {
        return valuationRefusal('METHOD_OUT_OF_ORDER', 'RPR Art. 5', 'negotiation first, unless it is impossible or failed or both parties ask for directed inquiry', 'negotiation_impossible_or_failed');
      }
      return { ok: true };
    }
    case 'online_inquiry': {
      if (facts.needsOnSiteSurvey) {
        return valuationRefusal('ONLINE_INQUIRY_NEEDS_NO_SURVEY', 'RPR Art. 7', 'the property needs an on-site survey or expert appraisal', 'no_on_site_survey_needed');
      }
      if (failed('online_inquiry')) return valuationRefusal('METHOD_ALREADY_FAILED', 'RPR Art. 14', 'online inquiry already failed');
      if (!reachedOnline) {
        return reachedDirected
          ? valuationRefusal('METHOD_OUT_OF_ORDER', 'RPR Art. 7 ¶1', 'directed inquiry first (the property has a government price)', 'directed_inquiry_impossible_or_failed')
          : valuationRefusal('METHOD_OUT_OF_ORDER', 'RPR Arts. 4, 7', 'negotiation first, unless it is impossible or failed or both parties ask for online inquiry', 'negotiation_impossible_or_failed');
      }
      return { ok: true };
    }
    case 'appraisal': {
      if (appraisalForced || onlineExhausted) return { ok: true };
      const condition = !reachedDirected
        ? 'negotiation_impossible_or_failed'
        : !directedExhausted
          ? 'directed_inquiry_impossible_or_failed'
          : 'online_inquiry_impossible_or_failed';
      return valuationRefusal('METHOD_OUT_OF_ORDER', 'RPR Art. 14', 'appraisal only when the law requires it, both parties ask, or online inquiry is impossible or failed', condition);
    }
  }
}
