import { STATUTORY } from '../rules-profile.js';
import type { ValuationEvent } from './events.js';
import type { PropertyFacts, ValuationState } from './model.js';
import { allowedMethods, checkMethod } from './order.js';
import { applyValuationEvent, createValuationProcedure } from './procedure.js';

const T0 = Date.UTC(2026, 2, 2, 1, 0, 0);
const DAY = 86_400_000;
const FACTS: PropertyFacts = {
  title: 'sole owner, certificate 0012345',
  encumbrances: ['mortgage to bank'],
  occupancy: 'vacant',
  unpaidTaxesFen: 0,
  defects: [],
  hasGovernmentPrice: true,
  needsOnSiteSurvey: false,
  appraisalRequiredByLaw: false,
};

function build(facts: Partial<PropertyFacts> | null, ...events: ValuationEvent[]): ValuationState {
  let s = createValuationProcedure({ id: 'v1', caseId: 'c1', propertyId: 'p1', facts: facts ? { ...FACTS, ...facts } : null }, T0);
  let t = T0;
  for (const e of events) {
    t += 1000;
    const r = applyValuationEvent(s, e, t, STATUTORY);
    if (!r.ok) throw new Error(`${e.type}: ${r.code} ${r.message}`);
    s = r.state;
  }
  return s;
}

const refuses: ValuationEvent = { type: 'party_stance_recorded', party: 'respondent', refusesNegotiation: true };
const failNegotiation: ValuationEvent[] = [{ type: 'negotiation_opened', actor: 'clerk' }, { type: 'negotiation_failed', reason: 'parties declare no agreement' }];

describe('order of methods and shortcuts (RPR Arts. 3, 4, 5, 7, 14)', () => {
  it('Art. 3: no method before the facts are established', () => {
    expect(checkMethod(build(null), 'negotiation')).toMatchObject({ ok: false, code: 'FACTS_NOT_RECORDED', article: 'RPR Art. 3' });
    expect(allowedMethods(build(null))).toEqual([]);
  });

  it('Art. 4: negotiation comes first', () => {
    const s = build({});
    expect(allowedMethods(s)).toEqual(['negotiation']);
    expect(checkMethod(s, 'directed_inquiry')).toMatchObject({ code: 'METHOD_OUT_OF_ORDER', condition: 'negotiation_impossible_or_failed' });
    expect(checkMethod(s, 'online_inquiry')).toMatchObject({ code: 'METHOD_OUT_OF_ORDER', condition: 'negotiation_impossible_or_failed' });
    expect(checkMethod(s, 'appraisal')).toMatchObject({ code: 'METHOD_OUT_OF_ORDER', condition: 'negotiation_impossible_or_failed', article: 'RPR Art. 14' });
  });

  it('Art. 4 ¶1: skipped when a party refuses to negotiate or cannot be found', () => {
    expect(checkMethod(build({}, refuses), 'negotiation')).toMatchObject({ code: 'NEGOTIATION_IMPOSSIBLE', condition: 'no_party_refuses' });
    const missing = build({}, { type: 'party_stance_recorded', party: 'applicant', cannotBeFound: true });
    expect(checkMethod(missing, 'negotiation')).toMatchObject({ code: 'NEGOTIATION_IMPOSSIBLE', condition: 'no_party_missing' });
    expect(allowedMethods(missing)).toEqual(['directed_inquiry']);
  });

  it('Art. 5 ¶1: directed inquiry only with a tax base / government-set / government-guided price', () => {
    const s = build({ hasGovernmentPrice: false }, refuses);
    expect(checkMethod(s, 'directed_inquiry')).toMatchObject({ code: 'DIRECTED_INQUIRY_NEEDS_GOVERNMENT_PRICE', condition: 'has_government_price' });
    expect(allowedMethods(s)).toEqual(['online_inquiry']);
  });

  it('Art. 5 ¶1: after a failed negotiation, directed inquiry (not yet online inquiry)', () => {
    const s = build({}, ...failNegotiation);
    expect(allowedMethods(s)).toEqual(['directed_inquiry']);
    expect(checkMethod(s, 'negotiation')).toMatchObject({ code: 'METHOD_ALREADY_FAILED' });
    expect(checkMethod(s, 'online_inquiry')).toMatchObject({ code: 'METHOD_OUT_OF_ORDER', condition: 'directed_inquiry_impossible_or_failed' });
  });

  it('Art. 5 ¶2: both parties ask for directed inquiry → allowed at once, negotiation closed', () => {
    const s = build({}, { type: 'joint_request_recorded', method: 'directed_inquiry' });
    expect(allowedMethods(s)).toEqual(['directed_inquiry']);
    expect(checkMethod(s, 'negotiation')).toMatchObject({ code: 'METHOD_OUT_OF_ORDER', condition: 'no_joint_request_for_later_method', article: 'RPR Art. 5 ¶2' });
  });

  it('Art. 5 ¶2: the joint request has no effect without a government price', () => {
    const s = build({ hasGovernmentPrice: false }, { type: 'joint_request_recorded', method: 'directed_inquiry' });
    expect(allowedMethods(s)).toEqual(['negotiation']);
  });

  it('Art. 7 ¶1: online inquiry only without an on-site survey', () => {
    const s = build({ hasGovernmentPrice: false, needsOnSiteSurvey: true }, refuses);
    expect(checkMethod(s, 'online_inquiry')).toMatchObject({ code: 'ONLINE_INQUIRY_NEEDS_NO_SURVEY', condition: 'no_on_site_survey_needed' });
    // Art. 14: online inquiry impossible → appraisal.
    expect(allowedMethods(s)).toEqual(['appraisal']);
  });

  it('Art. 7 ¶1: after directed inquiry failed, online inquiry', () => {
    const s = build({}, refuses, { type: 'directed_inquiry_opened', actor: 'clerk', body: 'tax bureau' }, { type: 'directed_inquiry_declined', reason: 'no data' });
    expect(allowedMethods(s)).toEqual(['online_inquiry']);
  });

  it('Art. 7 ¶2: both parties ask for or agree to online inquiry → allowed at once', () => {
    const s = build({}, { type: 'joint_request_recorded', method: 'online_inquiry' });
    expect(allowedMethods(s)).toEqual(['online_inquiry']);
    expect(checkMethod(s, 'directed_inquiry')).toMatchObject({ code: 'METHOD_OUT_OF_ORDER', article: 'RPR Art. 7 ¶2' });
  });

  it('Art. 14: appraisal required by law → appraisal only', () => {
    const s = build({ appraisalRequiredByLaw: true });
    expect(allowedMethods(s)).toEqual(['appraisal']);
    expect(checkMethod(s, 'negotiation')).toMatchObject({ code: 'METHOD_OUT_OF_ORDER', condition: 'appraisal_not_required_by_law' });
  });

  it('Art. 14: both parties ask for appraisal → appraisal only', () => {
    const s = build({}, { type: 'joint_request_recorded', method: 'appraisal' });
    expect(allowedMethods(s)).toEqual(['appraisal']);
    expect(checkMethod(s, 'online_inquiry')).toMatchObject({ code: 'METHOD_OUT_OF_ORDER', condition: 'parties_did_not_jointly_choose_appraisal' });
  });

  it('Art. 14: appraisal before online inquiry failed names the missing condition', () => {
    expect(checkMethod(build({}, ...failNegotiation), 'appraisal')).toMatchObject({ condition: 'directed_inquiry_impossible_or_failed' });
    expect(checkMethod(build({ hasGovernmentPrice: false }, refuses), 'appraisal')).toMatchObject({ condition: 'online_inquiry_impossible_or_failed' });
  });

  it('Arts. 5 ¶2, 7 ¶2: a party who cannot be found cannot join a request', () => {
    const s = build({}, { type: 'party_stance_recorded', party: 'applicant', cannotBeFound: true });
    const r = applyValuationEvent(s, { type: 'joint_request_recorded', method: 'appraisal' }, T0 + DAY, STATUTORY);
    expect(r).toMatchObject({ ok: false, code: 'JOINT_REQUEST_IMPOSSIBLE' });
  });

  it('one step at a time; no return to an earlier method; a closed procedure allows nothing', () => {
    const running = build({}, { type: 'negotiation_opened', actor: 'clerk' });
    expect(checkMethod(running, 'directed_inquiry')).toMatchObject({ code: 'STEP_IN_PROGRESS' });
    const online = build({}, { type: 'joint_request_recorded', method: 'online_inquiry' }, { type: 'online_inquiry_opened', actor: 'clerk', platformIds: ['A'] }, { type: 'joint_request_recorded', method: null }, { type: 'valuation_withdrawn', reason: 'other' });
    expect(checkMethod(online, 'negotiation')).toMatchObject({ code: 'PROCEDURE_CLOSED' });
    const s = build({}, { type: 'negotiation_opened', actor: 'clerk' }, { type: 'negotiation_price_submitted', party: 'applicant', priceFen: 100, validUntil: T0 + 30 * DAY }, { type: 'negotiation_price_submitted', party: 'respondent', priceFen: 100, validUntil: T0 + 30 * DAY });
    expect(checkMethod(s, 'appraisal')).toMatchObject({ code: 'PROCEDURE_CLOSED' });
  });

  it('a later method once used closes the earlier ones', () => {
    const s = build(
      {},
      { type: 'joint_request_recorded', method: 'online_inquiry' },
      { type: 'online_inquiry_opened', actor: 'clerk', platformIds: ['A'] },
    );
    const later = applyValuationEvent(s, { type: 'deadline_passed' }, T0 + 10 * DAY, STATUTORY);
    if (!later.ok) throw new Error(later.code);
    const cleared = applyValuationEvent(later.state, { type: 'joint_request_recorded', method: null }, T0 + 10 * DAY, STATUTORY);
    if (!cleared.ok) throw new Error(cleared.code);
    expect(checkMethod(cleared.state, 'negotiation')).toMatchObject({ code: 'METHOD_OUT_OF_ORDER', condition: 'later_method_not_yet_used' });
    expect(allowedMethods(cleared.state)).toEqual(['appraisal']);
  });
});
