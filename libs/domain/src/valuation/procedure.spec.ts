import { SANDBOX, STATUTORY, type RulesProfile } from '../rules-profile.js';
import type { ValuationEffect, ValuationEvent } from './events.js';
import { drawAgencies, lotteryCommitment, verifyLottery } from './lottery.js';
import type { AppraisalStep, OnlineInquiryStep, PropertyFacts, ValuationState } from './model.js';
import { onlineInquiryFeeRecipients } from './online-inquiry.js';
import { allowedMethods } from './order.js';
import {
  activeValuationStep,
  applyValuationEvent,
  createValuationProcedure,
  dueDeadlines,
  nextValuationDeadlineAt,
  onlineInquiryResults,
} from './procedure.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 2, 1, 0, 0);
const YEAR = STATUTORY.valuation.validityMaxMs;
const FACTS: PropertyFacts = {
  title: 'sole owner, certificate 0012345',
  encumbrances: ['mortgage to bank'],
  occupancy: 'vacant',
  unpaidTaxesFen: 12_345_00,
  defects: ['roof leak'],
  hasGovernmentPrice: true,
  needsOnSiteSurvey: false,
  appraisalRequiredByLaw: false,
};

/** A procedure driven by an injected clock; `ok` insists on success, `no` on a refusal that changes nothing. */
function flow(facts: Partial<PropertyFacts> = {}, profile: RulesProfile = STATUTORY, seizedAt: number | null = null) {
  const initial = createValuationProcedure({ id: 'v1', caseId: 'case-1', propertyId: 'prop-1', facts: { ...FACTS, ...facts }, seizedAt }, T0);
  let state = initial;
  const log: { event: ValuationEvent; at: number }[] = [];
  return {
    initial,
    log,
    get s(): ValuationState {
      return state;
    },
    ok(event: ValuationEvent, at: number): ValuationEffect[] {
      const before = JSON.stringify(state);
      const r = applyValuationEvent(state, event, at, profile);
      if (!r.ok) throw new Error(`${event.type} refused: ${r.code} (${r.condition ?? ''}) ${r.message}`);
      expect(JSON.stringify(state)).toBe(before); // the input is never mutated
      state = r.state;
      log.push({ event, at });
      return r.effects;
    },
    no(event: ValuationEvent, at: number) {
      const r = applyValuationEvent(state, event, at, profile);
      if (r.ok) throw new Error(`${event.type} was accepted`);
      return r;
    },
    tick(at: number): ValuationEffect[] {
      return this.ok({ type: 'deadline_passed' }, at);
    },
  };
}

const online = (s: ValuationState) => activeValuationStep(s) as OnlineInquiryStep;
const appraisal = (s: ValuationState) => s.steps.findLast((x) => x.method === 'appraisal') as AppraisalStep;
const ofType = <T extends ValuationEffect['type']>(effects: ValuationEffect[], type: T) =>
  effects.filter((e): e is Extract<ValuationEffect, { type: T }> => e.type === type);
type ReportEvent = Extract<ValuationEvent, { type: 'online_report_submitted' }>;
const report = (platformId: string, priceFen: number, at: number, over: Partial<ReportEvent> = {}): ReportEvent => ({
  type: 'online_report_submitted',
  platformId,
  priceFen,
  method: 'comparable sales, hedonic adjustment',
  samples: [{ description: 'same compound, 2025-11', priceFen }],
  validUntil: at + 180 * DAY,
  ...over,
});
const PARTIES = [{ id: 'applicant' }, { id: 'respondent' }];

describe('negotiation (当事人议价), RPR Art. 4', () => {
  it('Art. 4: opened with the profile default period; matching prices become the reference price, validity the shorter agreed one (Art. 27 ¶2)', () => {
    const f = flow();
    const opened = f.ok({ type: 'negotiation_opened', actor: 'clerk-1' }, T0);
    const deadline = T0 + STATUTORY.valuation.defaultNegotiationMs;
    expect(opened).toEqual([{ type: 'notify_parties_to_negotiate', deadline }]);
    expect(f.s.status).toBe('negotiation');
    expect(f.s.steps[0]).toMatchObject({ method: 'negotiation', status: 'active', openedAt: T0, deadline, actor: 'clerk-1' });
    f.ok({ type: 'negotiation_price_submitted', party: 'applicant', priceFen: 900_000_00, validUntil: T0 + 200 * DAY }, T0 + DAY);
    // A party may revise until the other answers.
    f.ok({ type: 'negotiation_price_submitted', party: 'applicant', priceFen: 850_000_00, validUntil: T0 + 200 * DAY }, T0 + 2 * DAY);
    const done = f.ok({ type: 'negotiation_price_submitted', party: 'respondent', priceFen: 850_000_00, validUntil: T0 + 100 * DAY }, deadline);
    expect(f.s.status).toBe('determined');
    expect(f.s.result).toEqual({
      referencePriceFen: 850_000_00,
      method: 'negotiation',
      validUntil: T0 + 100 * DAY,
      decidedAt: deadline,
      stepId: 'step-1',
      basis: 'negotiation_agreed',
      sources: ['applicant', 'respondent'],
    });
    expect(ofType(done, 'reference_price_determined')).toHaveLength(1);
  });

  it("Art. 4 ¶1: the clerk's own period; a deadline in the past is refused", () => {
    const f = flow();
    expect(f.no({ type: 'negotiation_opened', actor: 'clerk', deadline: T0 }, T0)).toMatchObject({ code: 'DEADLINE_INVALID' });
    f.ok({ type: 'negotiation_opened', actor: 'clerk', deadline: T0 + 3 * DAY }, T0);
    expect(f.s.steps[0]!.deadline).toBe(T0 + 3 * DAY);
  });

  it('Art. 4 ¶2: different prices → negotiation failed; directed inquiry next (Art. 5)', () => {
    const f = flow();
    f.ok({ type: 'negotiation_opened', actor: 'clerk' }, T0);
    f.ok({ type: 'negotiation_price_submitted', party: 'respondent', priceFen: 700_000_00, validUntil: T0 + YEAR }, T0 + DAY);
    const effects = f.ok({ type: 'negotiation_price_submitted', party: 'applicant', priceFen: 900_000_00, validUntil: T0 + YEAR }, T0 + DAY);
    expect(effects).toEqual([{ type: 'method_failed', method: 'negotiation', reason: 'prices_differ', article: 'RPR Art. 4 ¶2', nextAllowed: ['directed_inquiry'] }]);
    expect(f.s.status).toBe('open');
    expect(f.no({ type: 'negotiation_price_submitted', party: 'applicant', priceFen: 700_000_00, validUntil: T0 + YEAR }, T0 + DAY)).toMatchObject({ code: 'EVENT_NOT_ALLOWED_NOW' });
  });

  it('Art. 4 ¶1: a submission exactly at the deadline counts; 1 ms later it is refused and the timer fails the negotiation', () => {
    const f = flow();
    f.ok({ type: 'negotiation_opened', actor: 'clerk', deadline: T0 + 5 * DAY }, T0);
    f.ok({ type: 'negotiation_price_submitted', party: 'applicant', priceFen: 1, validUntil: T0 + 30 * DAY }, T0 + 5 * DAY);
    expect(dueDeadlines(f.s, T0 + 5 * DAY, STATUTORY)).toEqual([]);
    expect(nextValuationDeadlineAt(f.s, STATUTORY)).toBe(T0 + 5 * DAY + 1);
    expect(f.no({ type: 'negotiation_price_submitted', party: 'respondent', priceFen: 1, validUntil: T0 + 30 * DAY }, T0 + 5 * DAY + 1)).toMatchObject({
      code: 'DEADLINE_PASSED',
    });
    expect(dueDeadlines(f.s, T0 + 5 * DAY + 1, STATUTORY)).toMatchObject([{ kind: 'negotiation', at: T0 + 5 * DAY, article: 'RPR Art. 4' }]);
    const effects = f.tick(T0 + 5 * DAY + 1);
    expect(effects[0]).toMatchObject({ type: 'method_failed', reason: 'no_agreement_within_period' });
    expect(f.no({ type: 'deadline_passed' }, T0 + 6 * DAY)).toMatchObject({ code: 'NO_DEADLINE_DUE' });
  });

  it('Art. 4 ¶1: a party who refuses during the negotiation makes it fail', () => {
    const f = flow();
    f.ok({ type: 'negotiation_opened', actor: 'clerk' }, T0);
    const effects = f.ok({ type: 'party_stance_recorded', party: 'respondent', refusesNegotiation: true }, T0 + HOUR);
    expect(effects[0]).toMatchObject({ type: 'method_failed', reason: 'party_refuses' });
  });

  it('Art. 27 ¶2: a negotiated validity over one year is refused (VALIDITY_TOO_LONG); prices are positive fen', () => {
    const f = flow();
    f.ok({ type: 'negotiation_opened', actor: 'clerk' }, T0);
    expect(f.no({ type: 'negotiation_price_submitted', party: 'applicant', priceFen: 1, validUntil: T0 + HOUR + YEAR + 1 }, T0 + HOUR)).toMatchObject({
      code: 'VALIDITY_TOO_LONG',
      article: 'RPR Art. 27 ¶2',
    });
    expect(f.no({ type: 'negotiation_price_submitted', party: 'applicant', priceFen: 0, validUntil: T0 + DAY }, T0 + HOUR)).toMatchObject({ code: 'PRICE_INVALID' });
    expect(f.no({ type: 'negotiation_price_submitted', party: 'applicant', priceFen: 10.5, validUntil: T0 + DAY }, T0 + HOUR)).toMatchObject({ code: 'PRICE_INVALID' });
  });

  it('Art. 24 ¶2: objections to a negotiated price are not accepted, during or after the negotiation', () => {
    const f = flow();
    f.ok({ type: 'negotiation_opened', actor: 'clerk' }, T0);
    const objection: ValuationEvent = { type: 'objection_filed', objectionId: 'o1', objector: 'respondent', target: 'report', grounds: ['facts_wrong'] };
    expect(f.no(objection, T0 + HOUR)).toMatchObject({ code: 'OBJECTION_NOT_ACCEPTED_FOR_METHOD', article: 'RPR Art. 24 ¶2' });
    f.ok({ type: 'negotiation_price_submitted', party: 'applicant', priceFen: 5, validUntil: T0 + DAY }, T0 + HOUR);
    f.ok({ type: 'negotiation_price_submitted', party: 'respondent', priceFen: 5, validUntil: T0 + DAY }, T0 + HOUR);
    expect(f.no(objection, T0 + 2 * HOUR)).toMatchObject({ code: 'OBJECTION_NOT_ACCEPTED_FOR_METHOD' });
  });
});

describe('directed inquiry (定向询价), RPR Arts. 5–6', () => {
  const start = () => {
    const f = flow();
    f.ok({ type: 'party_stance_recorded', party: 'respondent', refusesNegotiation: true }, T0);
    const effects = f.ok({ type: 'directed_inquiry_opened', actor: 'clerk', body: 'Huiyang tax bureau', deadline: T0 + 7 * DAY }, T0);
    expect(effects).toEqual([{ type: 'send_inquiry_letter', body: 'Huiyang tax bureau', deadline: T0 + 7 * DAY }]);
    return f;
  };

  it('Art. 6 ¶2: a result issued within the deadline is the reference price, served within 3 days (Art. 21)', () => {
    const f = start();
    const effects = f.ok({ type: 'directed_inquiry_result', priceFen: 1_230_000_00, validUntil: T0 + 300 * DAY }, T0 + 7 * DAY);
    expect(effects).toContainEqual({ type: 'serve_reports', what: 'directed_inquiry', dueAt: T0 + 10 * DAY });
    expect(f.s.result).toMatchObject({ referencePriceFen: 1_230_000_00, method: 'directed_inquiry', basis: 'directed_inquiry_result', sources: ['Huiyang tax bureau'] });
    // Art. 24 ¶2: no objection to a directed inquiry.
    expect(f.no({ type: 'objection_filed', objectionId: 'o', objector: 'respondent', target: 'report', grounds: ['result'] }, T0 + 8 * DAY)).toMatchObject({
      code: 'OBJECTION_NOT_ACCEPTED_FOR_METHOD',
    });
  });

  it('Art. 6 ¶2: a late result is refused and the timer fails the inquiry; online inquiry follows (Art. 7)', () => {
    const f = start();
    expect(f.no({ type: 'directed_inquiry_result', priceFen: 1, validUntil: T0 + 30 * DAY }, T0 + 7 * DAY + 1)).toMatchObject({ code: 'DIRECTED_INQUIRY_LATE' });
    const effects = f.tick(T0 + 7 * DAY + 1);
    expect(effects).toEqual([
      { type: 'method_failed', method: 'directed_inquiry', reason: 'no_result_within_deadline', article: 'RPR Art. 6 ¶2', nextAllowed: ['online_inquiry'] },
    ]);
  });

  it('Art. 7 ¶1: the body declines → failed', () => {
    const f = start();
    expect(f.ok({ type: 'directed_inquiry_declined', reason: 'no base price for this kind' }, T0 + DAY)[0]).toMatchObject({ type: 'method_failed', method: 'directed_inquiry' });
  });

  it('Art. 27 ¶2: directed results are valid at most one year', () => {
    const f = start();
    expect(f.no({ type: 'directed_inquiry_result', priceFen: 1, validUntil: T0 + DAY + YEAR + 1 }, T0 + DAY)).toMatchObject({ code: 'VALIDITY_TOO_LONG' });
  });
});

describe('online inquiry (网络询价), RPR Arts. 10–13, 31', () => {
  /** Opens an online inquiry by joint request (Art. 7 ¶2) at T0 with platforms A, B, C. */
  const start = (platformIds = ['A', 'B', 'C']) => {
    const f = flow();
    f.ok({ type: 'joint_request_recorded', method: 'online_inquiry' }, T0);
    const effects = f.ok({ type: 'online_inquiry_opened', actor: 'clerk', platformIds }, T0);
    expect(effects).toEqual([{ type: 'dispatch_online_inquiry', platformIds, deadline: T0 + 3 * DAY }]);
    return f;
  };
  const D = T0 + 3 * DAY;

  it('Art. 10: sent to every listed platform at once; an empty or duplicated list is refused', () => {
    const f = flow();
    f.ok({ type: 'joint_request_recorded', method: 'online_inquiry' }, T0);
    expect(f.no({ type: 'online_inquiry_opened', actor: 'clerk', platformIds: [] }, T0)).toMatchObject({ code: 'PLATFORMS_INVALID' });
    expect(f.no({ type: 'online_inquiry_opened', actor: 'clerk', platformIds: ['A', 'A'] }, T0)).toMatchObject({ code: 'PLATFORMS_INVALID' });
  });

  it('Art. 11 ¶1: report exactly at 3 days is on time, 1 ms later it is ONLINE_REPORT_LATE', () => {
    const f = start(['A', 'B']);
    f.ok(report('A', 100_00, D), D);
    expect(f.no(report('B', 100_00, D + 1), D + 1)).toMatchObject({ code: 'ONLINE_REPORT_LATE' });
  });

  it('Art. 11 ¶1: a report names samples and method and has a validity ≤ 1 year (Art. 27 ¶1)', () => {
    const f = start();
    expect(f.no(report('A', 1, T0, { samples: [] }), T0 + HOUR)).toMatchObject({ code: 'REPORT_INCOMPLETE' });
    expect(f.no(report('A', 1, T0, { validUntil: T0 + HOUR + YEAR + 1 }), T0 + HOUR)).toMatchObject({ code: 'VALIDITY_TOO_LONG' });
    expect(f.no(report('Z', 1, T0), T0 + HOUR)).toMatchObject({ code: 'UNKNOWN_PLATFORM' });
    f.ok(report('A', 1, T0), T0 + HOUR);
    expect(f.no(report('A', 2, T0), T0 + 2 * HOUR)).toMatchObject({ code: 'PLATFORM_ALREADY_REPORTED' });
  });

  it('flow: three platforms, one late → mean of the other two (Art. 13 ¶1), served, objection window closes, determined', () => {
    const f = start();
    f.ok(report('A', 1_000_000_00, T0), T0 + DAY);
    f.ok(report('B', 1_100_000_01, T0), T0 + 2 * DAY);
    expect(f.s.status).toBe('online_inquiry');
    expect(dueDeadlines(f.s, D, STATUTORY)).toEqual([]);
    const late = f.tick(D + 1);
    expect(late).toEqual([
      { type: 'provider_late', provider: 'platform', id: 'C', article: 'RPR Art. 9 ¶2(2)' },
      { type: 'review_reports', what: 'online_inquiry' },
    ]);
    expect(f.no(report('C', 1, T0), D + 2)).toMatchObject({ code: 'ONLINE_REPORT_LATE' });
    // Art. 12: review, no fault → serve within 3 days (Art. 21).
    expect(f.ok({ type: 'online_reports_reviewed', faultyPlatformIds: [] }, D + HOUR)).toEqual([{ type: 'serve_reports', what: 'online_inquiry', dueAt: D + 1 + 3 * DAY }]);
    f.ok({ type: 'reports_served', recipients: PARTIES }, D + 2 * HOUR);
    expect(f.s.status).toBe('objection');
    const windowEnd = D + 2 * HOUR + 5 * DAY;
    expect(online(f.s).service).toMatchObject({ reportIds: ['A', 'B'], windowClosesAt: windowEnd, windowClosed: false });
    expect(dueDeadlines(f.s, windowEnd, STATUTORY)).toEqual([]);
    const done = f.tick(windowEnd + 1);
    expect(done).toEqual([
      {
        type: 'reference_price_determined',
        result: {
          referencePriceFen: 1_050_000_01, // (1 000 000.00 + 1 100 000.01) / 2 = 1 050 000.005 → half up
          method: 'online_inquiry',
          validUntil: T0 + 180 * DAY,
          decidedAt: windowEnd + 1,
          stepId: 'step-1',
          basis: 'art13_some_timely',
          sources: ['A', 'B'],
        },
      },
    ]);
    // Art. 31: the fee goes to the platform closest to the final sale price.
    const step = f.s.steps[0] as OnlineInquiryStep;
    expect(onlineInquiryResults(step)).toEqual([
      { platformId: 'A', priceFen: 1_000_000_00 },
      { platformId: 'B', priceFen: 1_100_000_01 },
    ]);
    expect(onlineInquiryFeeRecipients(onlineInquiryResults(step), 1_080_000_00).recipients).toEqual(['B']);
  });

  it('Art. 13 ¶1: all three on time → review at once, mean of all', () => {
    const f = start();
    f.ok(report('A', 300, T0), T0 + HOUR);
    f.ok(report('B', 400, T0), T0 + HOUR);
    expect(f.ok(report('C', 500, T0), T0 + 2 * HOUR)).toEqual([{ type: 'review_reports', what: 'online_inquiry' }]);
    f.ok({ type: 'online_reports_reviewed', faultyPlatformIds: [] }, T0 + 3 * HOUR);
    f.ok({ type: 'reports_served', recipients: PARTIES }, T0 + 3 * HOUR);
    f.tick(T0 + 3 * HOUR + 5 * DAY + 1);
    expect(f.s.result).toMatchObject({ referencePriceFen: 400, basis: 'art13_all_timely', sources: ['A', 'B', 'C'] });
  });

  it('flow: all late, asked in time → extension of 3 days from the deadline for the askers only (Art. 11 ¶2)', () => {
    const f = start();
    f.ok({ type: 'online_extension_requested', platformId: 'A' }, T0 + DAY);
    f.ok({ type: 'online_extension_requested', platformId: 'B' }, D);
    expect(f.no({ type: 'online_extension_requested', platformId: 'B' }, D)).toMatchObject({ code: 'EXTENSION_ALREADY_REQUESTED' });
    expect(f.no({ type: 'online_extension_requested', platformId: 'C' }, D + 1)).toMatchObject({ code: 'EXTENSION_REQUEST_LATE', article: 'RPR Art. 11 ¶2' });
    const effects = f.tick(D + 10);
    expect(effects).toEqual([
      { type: 'provider_late', provider: 'platform', id: 'C', article: 'RPR Art. 9 ¶2(2)' },
      { type: 'extension_granted', to: ['A', 'B'], deadline: D + 3 * DAY, article: 'RPR Art. 11 ¶2' },
    ]);
    expect(online(f.s).phase).toBe('extension');
    expect(f.no(report('C', 1, T0), D + DAY)).toMatchObject({ code: 'ONLINE_REPORT_LATE' });
    f.ok(report('A', 800, T0), D + 3 * DAY);
    f.tick(D + 3 * DAY + 1); // B never reports
    expect(online(f.s).platforms.map((p) => p.status)).toEqual(['delivered', 'late', 'late']);
    f.ok({ type: 'online_reports_reviewed', faultyPlatformIds: [] }, D + 4 * DAY);
    f.ok({ type: 'reports_served', recipients: PARTIES }, D + 4 * DAY);
    f.tick(D + 9 * DAY + 1);
    expect(f.s.result).toMatchObject({ referencePriceFen: 800, basis: 'art13_some_timely' });
  });

  it('Art. 11 ¶2: a platform that delivered in time → the others’ extension requests are refused', () => {
    const f = start();
    f.ok({ type: 'online_extension_requested', platformId: 'B' }, T0 + HOUR);
    f.ok(report('A', 100, T0), T0 + DAY);
    expect(f.no({ type: 'online_extension_requested', platformId: 'C' }, T0 + 2 * DAY)).toMatchObject({
      code: 'EXTENSION_REFUSED_SOME_DELIVERED',
      condition: 'no_platform_delivered',
    });
    const effects = f.tick(D + 1);
    expect(effects).toContainEqual({ type: 'extension_refused', to: ['B'], reason: 'another_platform_delivered_in_time', article: 'RPR Art. 11 ¶2' });
    expect(online(f.s).platforms.map((p) => [p.status, p.extension])).toEqual([
      ['delivered', null],
      ['late', 'refused'],
      ['late', null],
    ]);
  });

  it('Art. 11 ¶3: nobody delivered and nobody asked → appraisal, and no platform is paid (Art. 31 ¶2)', () => {
    const f = start();
    const effects = f.tick(D + 1);
    expect(effects.at(-1)).toEqual({
      type: 'method_failed',
      method: 'online_inquiry',
      reason: 'no_report_and_no_extension_request',
      article: 'RPR Art. 11 ¶3',
      nextAllowed: ['appraisal'],
    });
    expect(f.s.steps[0]!.failure).toEqual({ reason: 'no_report_and_no_extension_request', article: 'RPR Art. 11 ¶3', switchedToAppraisalArt11_3: true });
    expect(allowedMethods(f.s)).toEqual(['appraisal']);
  });

  it('Art. 11 ¶2 / Art. 14: extension granted but still nothing → failed, appraisal', () => {
    const f = start(['A']);
    f.ok({ type: 'online_extension_requested', platformId: 'A' }, T0 + DAY);
    f.tick(D + 1);
    const effects = f.tick(D + 3 * DAY + 1);
    expect(effects.at(-1)).toMatchObject({ type: 'method_failed', reason: 'no_report_after_extension', nextAllowed: ['appraisal'] });
  });

  it('Art. 12: every report faulty → all correct within 3 days; one corrects, the other is dropped', () => {
    const f = start(['A', 'B']);
    f.ok(report('A', 100, T0), T0 + HOUR);
    f.ok(report('B', 200, T0), T0 + HOUR);
    expect(f.no({ type: 'online_reports_reviewed', faultyPlatformIds: ['Z'] }, T0 + DAY)).toMatchObject({ code: 'UNKNOWN_PLATFORM' });
    const effects = f.ok({ type: 'online_reports_reviewed', faultyPlatformIds: ['A', 'B'] }, T0 + DAY);
    expect(effects).toEqual([{ type: 'order_correction', to: ['A', 'B'], dueAt: T0 + 4 * DAY, article: 'RPR Art. 12' }]);
    f.ok({ type: 'online_report_corrected', platformId: 'A', priceFen: 150, validUntil: T0 + 90 * DAY }, T0 + 4 * DAY);
    expect(f.no({ type: 'online_report_corrected', platformId: 'B', priceFen: 1, validUntil: T0 + 90 * DAY }, T0 + 4 * DAY + 1)).toMatchObject({ code: 'CORRECTION_LATE' });
    f.tick(T0 + 4 * DAY + 1);
    expect(online(f.s).platforms.map((p) => p.status)).toEqual(['corrected', 'correction_late']);
    f.ok({ type: 'reports_served', recipients: PARTIES }, T0 + 5 * DAY);
    f.tick(T0 + 10 * DAY + 1);
    expect(f.s.result).toMatchObject({ referencePriceFen: 150, validUntil: T0 + 90 * DAY, basis: 'art13_some_timely', sources: ['A'] });
  });

  it('Art. 12 + Art. 11 ¶3: every report faulty and none corrected → appraisal, no fee', () => {
    const f = start(['A']);
    f.ok(report('A', 100, T0), T0 + HOUR);
    f.ok({ type: 'online_reports_reviewed', faultyPlatformIds: ['A'] }, T0 + DAY);
    f.tick(T0 + 4 * DAY + 1);
    expect(f.s.steps[0]!.failure).toMatchObject({ reason: 'no_correction_in_time', switchedToAppraisalArt11_3: true });
  });

  it('Art. 12: one clean report → the faulty ones are not asked to correct and are left out', () => {
    const f = start();
    f.ok(report('A', 100, T0), T0 + HOUR);
    f.ok(report('B', 200, T0), T0 + HOUR);
    f.ok(report('C', 900, T0), T0 + HOUR);
    const effects = f.ok({ type: 'online_reports_reviewed', faultyPlatformIds: ['C'] }, T0 + DAY);
    expect(ofType(effects, 'order_correction')).toEqual([]);
    f.ok({ type: 'reports_served', recipients: PARTIES }, T0 + DAY);
    expect(online(f.s).service!.reportIds).toEqual(['A', 'B']);
    f.tick(T0 + 6 * DAY + 1);
    expect(f.s.result).toMatchObject({ referencePriceFen: 150, basis: 'art13_some_timely' });
  });

  /** Three timely reports served at S to the two parties. */
  const served = () => {
    const f = start();
    f.ok(report('A', 100_00, T0), T0 + HOUR);
    f.ok(report('B', 200_00, T0), T0 + HOUR);
    f.ok(report('C', 600_00, T0), T0 + HOUR);
    f.ok({ type: 'online_reports_reviewed', faultyPlatformIds: [] }, T0 + DAY);
    f.ok({ type: 'reports_served', recipients: [{ id: 'applicant' }, { id: 'respondent' }, { id: 'tenant', publicNotice: true }] }, T0 + DAY);
    return f;
  };
  const S = T0 + DAY;

  it('Art. 13 ¶2: objection against some reports → mean of the reports not objected to', () => {
    const f = served();
    f.ok({ type: 'objection_filed', objectionId: 'o1', objector: 'respondent', target: 'report', grounds: ['facts_wrong'], platformIds: ['C'] }, S + 5 * DAY);
    // The tenant was served by public notice: received 15 days later, so the window ends at S + 20 days (Art. 21 ¶2).
    expect(online(f.s).service!.windowClosesAt).toBe(S + 20 * DAY);
    f.tick(S + 20 * DAY + 1);
    expect(f.s.result).toMatchObject({ referencePriceFen: 150_00, basis: 'art13_some_objected', sources: ['A', 'B'] });
    expect((f.s.steps[0] as OnlineInquiryStep).objections[0]!.status).toBe('moot');
  });

  it('Art. 13 ¶2: objections against all reports, one rejected, one upheld and corrected, one upheld uncorrected → mean of the first two', () => {
    const f = served();
    f.ok({ type: 'objection_filed', objectionId: 'o1', objector: 'respondent', target: 'report', grounds: ['facts_wrong'], platformIds: ['A', 'B'] }, S + DAY);
    f.ok({ type: 'objection_filed', objectionId: 'o2', objector: 'applicant', target: 'report', grounds: ['scope'], platformIds: ['C'] }, S + DAY);
    f.ok({ type: 'objection_filed', objectionId: 'o3', objector: 'tenant', target: 'report', grounds: ['scope'], platformIds: ['A'] }, S + 20 * DAY);
    f.ok({ type: 'objection_ruled', objectionId: 'o1', upheld: false }, S + 2 * DAY);
    const upheld = f.ok({ type: 'objection_ruled', objectionId: 'o2', upheld: true }, S + 2 * DAY);
    expect(upheld).toEqual([{ type: 'order_correction', to: ['C'], dueAt: S + 5 * DAY, article: 'RPR Art. 13 ¶2' }]);
    f.ok({ type: 'online_report_corrected', platformId: 'C', priceFen: 300_00, validUntil: S + 60 * DAY }, S + 3 * DAY);
    f.tick(S + 20 * DAY + 1); // window closes; o3 still pending → wait
    expect(f.s.status).toBe('objection');
    f.ok({ type: 'objection_ruled', objectionId: 'o3', upheld: true }, S + 21 * DAY); // A must correct, and does not
    f.tick(S + 24 * DAY + 1);
    expect(f.s.result).toMatchObject({ referencePriceFen: 250_00, basis: 'art13_all_objected', sources: ['B', 'C'], validUntil: S + 60 * DAY });
  });

  it('Arts. 22–24: late objection, objector not served, appraisal-only grounds, and objections to a correction are refused', () => {
    const f = served();
    const o = (over: Partial<Extract<ValuationEvent, { type: 'objection_filed' }>>): ValuationEvent => ({
      type: 'objection_filed',
      objectionId: 'o',
      objector: 'respondent',
      target: 'report',
      grounds: ['facts_wrong'],
      platformIds: ['A'],
      ...over,
    });
    expect(f.no(o({}), S + 5 * DAY + 1)).toMatchObject({ code: 'OBJECTION_LATE' });
    f.ok(o({ objectionId: 'on-time' }), S + 5 * DAY);
    expect(f.no(o({ objector: 'stranger' }), S + DAY)).toMatchObject({ code: 'OBJECTOR_NOT_SERVED' });
    expect(f.no(o({ grounds: ['result'] }), S + DAY)).toMatchObject({ code: 'OBJECTION_GROUNDS_INVALID' });
    expect(f.no(o({ grounds: ['qualification'] }), S + DAY)).toMatchObject({ code: 'OBJECTION_GROUNDS_INVALID' });
    expect(f.no(o({ target: 'correction' }), S + DAY)).toMatchObject({ code: 'OBJECTION_NOT_ACCEPTED_FOR_TARGET', article: 'RPR Art. 24 ¶1' });
    expect(f.no(o({ platformIds: ['Z'] }), S + DAY)).toMatchObject({ code: 'UNKNOWN_PLATFORM' });
    expect(f.no(o({ objectionId: 'on-time' }), S + DAY)).toMatchObject({ code: 'INVALID_INPUT' });
    // The tenant, served by public notice, may object until 15 + 5 days after publication.
    f.ok(o({ objectionId: 'tenant-1', objector: 'tenant' }), S + 20 * DAY);
  });

  it('Art. 21: an objection before service is refused; the court is reminded once when service is overdue', () => {
    const f = start(['A']);
    f.ok(report('A', 100, T0), T0 + HOUR);
    expect(f.no({ type: 'objection_filed', objectionId: 'o', objector: 'x', target: 'report', grounds: ['scope'], platformIds: ['A'] }, T0 + 2 * HOUR)).toMatchObject({
      code: 'REPORT_NOT_SERVED',
    });
    const overdue = f.tick(T0 + HOUR + 3 * DAY + 1);
    expect(overdue).toEqual([{ type: 'overdue', kind: 'serve_reports', ref: 'serve_reports:step-1', dueAt: T0 + HOUR + 3 * DAY, article: 'RPR Art. 21' }]);
    expect(f.no({ type: 'deadline_passed' }, T0 + 5 * DAY)).toMatchObject({ code: 'NO_DEADLINE_DUE' });
  });
});

describe('appraisal (委托评估), RPR Arts. 14–20, 32', () => {
  const AGENCIES = ['ag-01', 'ag-02', 'ag-03', 'ag-04', 'ag-05', 'ag-06', 'ag-07'];
  const SEED = 'court-44:case-1:prop-1:9b1f0c2a77e4';
  /** Opens an appraisal at T0 (required by law). */
  const start = (extra: ValuationEvent[] = []) => {
    const f = flow({ appraisalRequiredByLaw: true });
    for (const e of extra) f.ok(e, T0);
    f.ok({ type: 'appraisal_opened', actor: 'clerk' }, T0);
    return f;
  };
  const A = T0 + STATUTORY.valuation.agencyAgreementMs;

  it('Art. 16: agreement on three agencies in order within the period → the first is commissioned, report due in 30 days (Art. 19 ¶1)', () => {
    const f = start();
    expect(f.no({ type: 'agencies_agreed', agencyIds: ['x', 'y'] }, A)).toMatchObject({ code: 'AGENCY_SELECTION_INVALID' });
    expect(f.no({ type: 'agencies_agreed', agencyIds: ['x', 'x', 'y'] }, A)).toMatchObject({ code: 'AGENCY_SELECTION_INVALID' });
    expect(f.no({ type: 'lottery_committed', commitment: lotteryCommitment(SEED), candidateIds: AGENCIES, subList: 'GD-Huizhou' }, A)).toMatchObject({
      code: 'AGENCY_AGREEMENT_PERIOD_OPEN',
    });
    const effects = f.ok({ type: 'agencies_agreed', agencyIds: ['ag-05', 'ag-01', 'ag-03'] }, A);
    expect(effects).toEqual([{ type: 'commission_agency', agencyId: 'ag-05', rank: 1, deadline: A + 30 * DAY }]);
    expect(appraisal(f.s)).toMatchObject({ phase: 'commissioned', ranking: ['ag-05', 'ag-01', 'ag-03'], deadline: A + 30 * DAY, selection: { mode: 'agreement' } });
  });

  it('Art. 16: agreement after the period is refused; the deadline calls for a lottery', () => {
    const f = start();
    expect(f.no({ type: 'agencies_agreed', agencyIds: ['a', 'b', 'c'] }, A + 1)).toMatchObject({ code: 'AGENCY_AGREEMENT_LATE' });
    expect(f.tick(A + 1)).toEqual([{ type: 'hold_lottery', reason: 'agreement_failed' }]);
  });

  it('Art. 16: a party who cannot be found → lottery at once', () => {
    const f = start([{ type: 'party_stance_recorded', party: 'respondent', cannotBeFound: true }]);
    expect(appraisal(f.s)).toMatchObject({ phase: 'lottery', selection: { mode: 'lottery', lotteryReason: 'party_cannot_be_found', agreementDeadline: null } });
  });

  /** Lottery after the agreement period, drawn at L. */
  const L = A + DAY;
  const drawn = () => {
    const f = start();
    f.tick(A + 1);
    expect(f.no({ type: 'lottery_drawn', seed: SEED }, L)).toMatchObject({ code: 'LOTTERY_NOT_COMMITTED' });
    expect(f.no({ type: 'lottery_committed', commitment: 'xyz', candidateIds: AGENCIES, subList: 'GD' }, A + 2)).toMatchObject({ code: 'LOTTERY_COMMITMENT_INVALID' });
    const published = f.ok({ type: 'lottery_committed', commitment: lotteryCommitment(SEED), candidateIds: [...AGENCIES].reverse(), subList: 'GD-Huizhou' }, A + 2);
    expect(published).toEqual([{ type: 'publish_lottery_commitment', commitment: lotteryCommitment(SEED), candidates: AGENCIES }]);
    expect(f.no({ type: 'lottery_committed', commitment: lotteryCommitment('other'), candidateIds: AGENCIES, subList: 'GD' }, A + 3)).toMatchObject({
      code: 'LOTTERY_ALREADY_COMMITTED',
    });
    expect(f.no({ type: 'lottery_drawn', seed: SEED + 'x' }, L)).toMatchObject({ code: 'LOTTERY_COMMITMENT_MISMATCH' });
    f.ok({ type: 'lottery_drawn', seed: SEED }, L);
    return f;
  };

  it('Art. 16 / Art. 34: the lottery is committed, drawn from the revealed seed, and anyone can verify it', () => {
    const f = drawn();
    const expected = drawAgencies(SEED, AGENCIES, 3);
    const step = appraisal(f.s);
    expect(step.ranking).toEqual(expected);
    expect(step.commissions[0]).toMatchObject({ agencyId: expected[0], rank: 1, deadline: L + 30 * DAY });
    const lottery = step.selection.lottery!;
    expect(verifyLottery({ commitment: lottery.commitment, seed: lottery.seed!, candidates: lottery.candidates, result: lottery.result! })).toEqual({ ok: true });
  });

  it('flow: late first agency → materials back within 3 days (Art. 19 ¶3), second agency reports, no objection → reference price (Art. 26)', () => {
    const f = drawn();
    const [first, second] = appraisal(f.s).ranking as [string, string, string];
    const R1 = L + 30 * DAY;
    expect(f.no({ type: 'appraisal_report_submitted', agencyId: first, priceFen: 1, validUntil: R1 + DAY, method: 'market', standards: 'GB/T 50291' }, R1 + 1)).toMatchObject({
      code: 'APPRAISAL_REPORT_LATE',
    });
    const effects = f.tick(R1 + 1);
    expect(effects).toEqual([
      { type: 'provider_late', provider: 'agency', id: first, article: 'RPR Art. 19 ¶3' },
      { type: 'return_materials', agencyId: first, dueAt: R1 + 1 + 3 * DAY, reason: 'report_late (RPR Art. 19 ¶3)' },
      { type: 'commission_agency', agencyId: second, rank: 2, deadline: R1 + 1 + 30 * DAY },
    ]);
    expect(f.no({ type: 'appraisal_report_submitted', agencyId: first, priceFen: 1, validUntil: R1 + DAY, method: 'm', standards: 's' }, R1 + 2)).toMatchObject({
      code: 'AGENCY_NOT_COMMISSIONED',
    });
    f.ok({ type: 'materials_returned', agencyId: first }, R1 + 2 * DAY);
    const R2 = R1 + 20 * DAY;
    expect(f.no({ type: 'appraisal_report_submitted', agencyId: second, priceFen: 2_000_000_00, validUntil: R2 + DAY, method: '', standards: 's' }, R2)).toMatchObject({
      code: 'REPORT_INCOMPLETE',
    });
    f.ok({ type: 'appraisal_report_submitted', agencyId: second, priceFen: 2_000_000_00, validUntil: R2 + 365 * DAY, method: 'market comparison', standards: 'GB/T 50291-2015' }, R2);
    expect(f.ok({ type: 'appraisal_report_reviewed', findings: [] }, R2 + DAY)).toEqual([{ type: 'serve_reports', what: 'appraisal', dueAt: R2 + 3 * DAY }]);
    f.ok({ type: 'reports_served', recipients: PARTIES }, R2 + 2 * DAY);
    f.tick(R2 + 7 * DAY + 1);
    expect(f.s.result).toMatchObject({ referencePriceFen: 2_000_000_00, method: 'appraisal', basis: 'appraisal_no_objection', sources: [second], validUntil: R2 + 365 * DAY });
    expect(appraisal(f.s).commissions.map((c) => c.status)).toEqual(['replaced', 'reported']);
  });

  it('Art. 19 ¶3: materials not returned within 3 days → the court is reminded once', () => {
    const f = drawn();
    const R1 = L + 30 * DAY;
    f.tick(R1 + 1);
    const effects = f.tick(R1 + 1 + 3 * DAY + 1);
    expect(effects).toEqual([expect.objectContaining({ type: 'overdue', kind: 'materials_return', article: 'RPR Art. 19 ¶3' })]);
  });

  it('Art. 19 ¶3: all three agencies late → appraisal failed; a new selection may be opened', () => {
    const f = drawn();
    let t = L + 30 * DAY + 1;
    f.tick(t);
    t += 30 * DAY + 1;
    f.tick(t);
    t += 30 * DAY + 1;
    const effects = f.tick(t);
    expect(effects.at(-1)).toMatchObject({ type: 'method_failed', method: 'appraisal', reason: 'no_agency_left_in_ranking', nextAllowed: ['appraisal'] });
    f.ok({ type: 'appraisal_opened', actor: 'clerk' }, t + DAY);
    expect(f.s.steps).toHaveLength(2);
  });

  it('Art. 19 ¶2: extension asked ≥ 5 days before the deadline, at most twice, each ≤ 15 days', () => {
    const f = start();
    f.ok({ type: 'agencies_agreed', agencyIds: ['a', 'b', 'c'] }, T0);
    let deadline = T0 + 30 * DAY;
    expect(f.no({ type: 'appraisal_extension_granted', agencyId: 'a', requestedAt: deadline - 5 * DAY + 1, extendByMs: DAY }, deadline - 4 * DAY)).toMatchObject({
      code: 'EXTENSION_REQUEST_LATE',
      condition: 'requested_5_days_before_deadline',
    });
    expect(f.no({ type: 'appraisal_extension_granted', agencyId: 'a', requestedAt: deadline - 5 * DAY, extendByMs: 15 * DAY + 1 }, deadline - 4 * DAY)).toMatchObject({
      code: 'APPRAISAL_EXTENSION_TOO_LONG',
    });
    expect(f.no({ type: 'appraisal_extension_granted', agencyId: 'b', requestedAt: T0, extendByMs: DAY }, T0 + DAY)).toMatchObject({ code: 'AGENCY_NOT_COMMISSIONED' });
    f.ok({ type: 'appraisal_extension_granted', agencyId: 'a', requestedAt: deadline - 5 * DAY, extendByMs: 15 * DAY }, deadline - 4 * DAY);
    deadline += 15 * DAY;
    f.ok({ type: 'appraisal_extension_granted', agencyId: 'a', requestedAt: deadline - 10 * DAY, extendByMs: 15 * DAY }, deadline - 9 * DAY);
    deadline += 15 * DAY;
    expect(appraisal(f.s).commissions[0]!.deadline).toBe(T0 + 60 * DAY);
    expect(f.no({ type: 'appraisal_extension_granted', agencyId: 'a', requestedAt: deadline - 10 * DAY, extendByMs: DAY }, deadline - 9 * DAY)).toMatchObject({
      code: 'APPRAISAL_EXTENSION_LIMIT',
    });
    f.ok({ type: 'appraisal_report_submitted', agencyId: 'a', priceFen: 5, validUntil: deadline + DAY, method: 'cost', standards: 's' }, deadline);
  });

  /** Agency 'a' reported 1 000 000.00 at R, reviewed and served at R + 1 day to the parties. */
  const R = T0 + 20 * DAY;
  const SV = R + DAY;
  const reported = (findings: ValuationEvent[] = []) => {
    const f = start();
    f.ok({ type: 'agencies_agreed', agencyIds: ['a', 'b', 'c'] }, T0);
    f.ok({ type: 'appraisal_report_submitted', agencyId: 'a', priceFen: 1_000_000_00, validUntil: R + 300 * DAY, method: 'income', standards: 'GB/T 50291' }, R);
    for (const e of findings) f.ok(e, R);
    return f;
  };
  const servedReport = () => {
    const f = reported();
    f.ok({ type: 'appraisal_report_reviewed', findings: [] }, SV);
    f.ok({ type: 'reports_served', recipients: PARTIES }, SV);
    return f;
  };

  it('Art. 20: review finds wrong facts → written explanation or correction within 3 days; the correction is the figure served', () => {
    const f = reported();
    expect(f.no({ type: 'appraisal_report_reviewed', findings: ['nonsense' as never] }, R)).toMatchObject({ code: 'INVALID_INPUT' });
    expect(f.ok({ type: 'appraisal_report_reviewed', findings: ['facts_wrong', 'scope'] }, R + HOUR)).toEqual([
      { type: 'order_correction', to: ['a'], dueAt: R + HOUR + 3 * DAY, article: 'RPR Art. 20' },
    ]);
    f.ok({ type: 'appraisal_correction_submitted', agencyId: 'a', priceFen: 980_000_00 }, R + HOUR + 3 * DAY);
    f.ok({ type: 'reports_served', recipients: PARTIES }, R + 4 * DAY);
    f.tick(R + 9 * DAY + 1);
    expect(f.s.result).toMatchObject({ referencePriceFen: 980_000_00, basis: 'appraisal_no_objection', validUntil: R + 300 * DAY });
  });

  it('Arts. 20 + 19 ¶3: no explanation or correction within 3 days → next agency', () => {
    const f = reported();
    f.ok({ type: 'appraisal_report_reviewed', findings: ['wrong_agency'] }, R);
    const effects = f.tick(R + 3 * DAY + 1);
    expect(ofType(effects, 'commission_agency')).toEqual([{ type: 'commission_agency', agencyId: 'b', rank: 2, deadline: R + 3 * DAY + 1 + 30 * DAY }]);
    expect(appraisal(f.s).commissions[0]).toMatchObject({ status: 'replaced', replacedReason: 'explanation_or_correction_late' });
  });

  it('flow: Art. 23 objection to the method answered by the agency, objector unsatisfied, technical review confirms, clerk rules → original price (Art. 26)', () => {
    const f = servedReport();
    const filed = f.ok({ type: 'objection_filed', objectionId: 'o1', objector: 'respondent', target: 'report', grounds: ['method', 'result'] }, SV + 5 * DAY);
    expect(filed).toEqual([{ type: 'forward_objection', objectionId: 'o1', agencyId: 'a', dueAt: SV + 8 * DAY }]);
    expect(f.s.status).toBe('objection');
    f.ok({ type: 'objection_forwarded', objectionId: 'o1' }, SV + 6 * DAY);
    expect(f.no({ type: 'agency_explanation_submitted', objectionId: 'o1' }, SV + 11 * DAY + 1)).toMatchObject({ code: 'EXPLANATION_LATE' });
    const explained = f.ok({ type: 'agency_explanation_submitted', objectionId: 'o1' }, SV + 11 * DAY);
    expect(explained).toEqual([{ type: 'serve_reports', what: 'explanation', dueAt: SV + 14 * DAY }]);
    // Art. 24 ¶1: no objection against the explanation itself (and the window is over anyway).
    expect(f.no({ type: 'objection_filed', objectionId: 'o2', objector: 'respondent', target: 'explanation', grounds: ['result'] }, SV + 12 * DAY)).toMatchObject({
      code: 'OBJECTION_NOT_ACCEPTED_FOR_TARGET',
    });
    expect(f.ok({ type: 'objector_responded', objectionId: 'o1', satisfied: false }, SV + 12 * DAY)).toEqual([
      { type: 'request_technical_review', objectionId: 'o1', reason: 'objector_unsatisfied' },
    ]);
    expect(f.no({ type: 'objection_ruled', objectionId: 'o1', upheld: false }, SV + 13 * DAY)).toMatchObject({ code: 'EVENT_NOT_ALLOWED_NOW' });
    f.ok({ type: 'technical_review_concluded', objectionId: 'o1', reportStands: true }, SV + 20 * DAY);
    expect(f.no({ type: 'objection_ruled', objectionId: 'o1', upheld: true }, SV + 21 * DAY)).toMatchObject({ code: 'RULING_CONTRADICTS_TECHNICAL_REVIEW' });
    f.ok({ type: 'objection_ruled', objectionId: 'o1', upheld: false }, SV + 21 * DAY);
    expect(f.s.result).toMatchObject({ referencePriceFen: 1_000_000_00, basis: 'appraisal_confirmed_by_technical_review', decidedAt: SV + 21 * DAY });
    expect(f.no({ type: 'objection_filed', objectionId: 'o3', objector: 'applicant', target: 'report', grounds: ['result'] }, SV + 22 * DAY)).toMatchObject({
      code: 'OBJECTION_LATE',
    });
  });

  it('Art. 23 ¶1: no explanation within 5 days → technical review; review rejects the report → correction by the original agency (Art. 26)', () => {
    const f = servedReport();
    f.ok({ type: 'objection_filed', objectionId: 'o1', objector: 'applicant', target: 'report', grounds: ['standards', 'facts_wrong'] }, SV + DAY);
    f.ok({ type: 'objection_forwarded', objectionId: 'o1' }, SV + 2 * DAY);
    const effects = f.tick(SV + 7 * DAY + 1);
    expect(effects).toContainEqual({ type: 'request_technical_review', objectionId: 'o1', reason: 'no_explanation' });
    f.ok({ type: 'technical_review_concluded', objectionId: 'o1', reportStands: false }, SV + 15 * DAY);
    const ruled = f.ok({ type: 'objection_ruled', objectionId: 'o1', upheld: true }, SV + 16 * DAY);
    expect(ruled).toEqual([{ type: 'order_correction', to: ['a'], dueAt: SV + 19 * DAY, article: 'RPR Arts. 23 ¶1, 26' }]);
    f.ok({ type: 'appraisal_correction_submitted', agencyId: 'a', priceFen: 1_150_000_00, validUntil: SV + 200 * DAY }, SV + 18 * DAY);
    expect(f.s.result).toMatchObject({ referencePriceFen: 1_150_000_00, validUntil: SV + 200 * DAY, basis: 'appraisal_corrected_after_objection' });
  });

  it('Art. 23 ¶1: the objector satisfied by the explanation → the report stands', () => {
    const f = servedReport();
    f.ok({ type: 'objection_filed', objectionId: 'o1', objector: 'applicant', target: 'report', grounds: ['result'] }, SV + DAY);
    f.ok({ type: 'objection_forwarded', objectionId: 'o1' }, SV + DAY);
    f.ok({ type: 'agency_explanation_submitted', objectionId: 'o1' }, SV + 2 * DAY);
    f.ok({ type: 'objector_responded', objectionId: 'o1', satisfied: true }, SV + 3 * DAY);
    expect(f.s.result).toBeNull(); // the respondent's window is still open
    f.tick(SV + 5 * DAY + 1);
    expect(f.s.result).toMatchObject({ referencePriceFen: 1_000_000_00, basis: 'appraisal_objections_rejected' });
  });

  it('Art. 23 ¶1: the court is reminded when it has not forwarded an objection within 3 days', () => {
    const f = servedReport();
    f.ok({ type: 'objection_filed', objectionId: 'o1', objector: 'applicant', target: 'report', grounds: ['result'] }, SV + DAY);
    expect(f.tick(SV + 4 * DAY + 1)).toEqual([{ type: 'overdue', kind: 'forward_objection', ref: 'forward_objection:step-1:o1', dueAt: SV + 4 * DAY, article: 'RPR Art. 23 ¶1' }]);
  });

  it('Art. 22 ¶2: objection on wrong facts upheld → correction; late correction → next agency (Art. 19 ¶3)', () => {
    const f = servedReport();
    f.ok({ type: 'objection_filed', objectionId: 'o1', objector: 'applicant', target: 'report', grounds: ['facts_wrong'] }, SV + DAY);
    expect(appraisal(f.s).commissions[0]!.objections[0]).toMatchObject({ status: 'awaiting_ruling', stage: 'art22' });
    f.ok({ type: 'objection_ruled', objectionId: 'o1', upheld: true }, SV + 2 * DAY);
    const effects = f.tick(SV + 5 * DAY + 1);
    expect(ofType(effects, 'commission_agency')).toHaveLength(1);
    expect(appraisal(f.s).commissions[0]).toMatchObject({ status: 'replaced', replacedReason: 'explanation_or_correction_late' });
  });

  it('Art. 23 ¶2: mixed objection with qualification grounds — examined first; upheld → next agency re-appraises', () => {
    const f = servedReport();
    f.ok({ type: 'objection_filed', objectionId: 'o1', objector: 'respondent', target: 'report', grounds: ['qualification', 'result'] }, SV + DAY);
    expect(appraisal(f.s).commissions[0]!.objections[0]).toMatchObject({ status: 'awaiting_ruling', stage: 'art22_first' });
    const effects = f.ok({ type: 'objection_ruled', objectionId: 'o1', upheld: true }, SV + 2 * DAY);
    expect(effects).toEqual([
      { type: 'return_materials', agencyId: 'a', dueAt: SV + 5 * DAY, reason: 'objection_upheld_qualification_or_procedure (RPR Art. 23 ¶2)' },
      { type: 'commission_agency', agencyId: 'b', rank: 2, deadline: SV + 32 * DAY },
    ]);
    expect(f.s.status).toBe('appraisal');
  });

  it('Art. 23 ¶2: mixed objection with procedure grounds rejected → continues as an Art. 23 ¶1 objection', () => {
    const f = servedReport();
    f.ok({ type: 'objection_filed', objectionId: 'o1', objector: 'respondent', target: 'report', grounds: ['procedure', 'method'] }, SV + DAY);
    expect(f.ok({ type: 'objection_ruled', objectionId: 'o1', upheld: false }, SV + 2 * DAY)).toEqual([
      { type: 'forward_objection', objectionId: 'o1', agencyId: 'a', dueAt: SV + 5 * DAY },
    ]);
    expect(appraisal(f.s).commissions[0]!.objections[0]).toMatchObject({ status: 'awaiting_forwarding', stage: 'art23', ruling: null });
  });

  it('Art. 24 ¶1: an objection 1 ms after the 5-day window is refused (OBJECTION_LATE)', () => {
    const f = servedReport();
    expect(f.no({ type: 'objection_filed', objectionId: 'o1', objector: 'respondent', target: 'report', grounds: ['result'] }, SV + 5 * DAY + 1)).toMatchObject({
      code: 'OBJECTION_LATE',
    });
  });
});

describe('postponement and withdrawal, RPR Arts. 28–29 (and Art. 19 ¶1)', () => {
  it('Art. 19 ¶1 / Art. 28: the postponed period is not counted — the report deadline moves by its length', () => {
    const f = flow({ appraisalRequiredByLaw: true });
    f.ok({ type: 'appraisal_opened', actor: 'clerk' }, T0);
    f.ok({ type: 'agencies_agreed', agencyIds: ['a', 'b', 'c'] }, T0);
    f.ok({ type: 'valuation_postponed', reason: 'enforcement_postponed_or_suspended' }, T0 + 10 * DAY);
    expect(dueDeadlines(f.s, T0 + 100 * DAY, STATUTORY)).toEqual([]);
    expect(f.no({ type: 'appraisal_report_submitted', agencyId: 'a', priceFen: 1, validUntil: T0 + 40 * DAY, method: 'm', standards: 's' }, T0 + 11 * DAY)).toMatchObject({
      code: 'PROCEDURE_POSTPONED',
    });
    expect(f.no({ type: 'valuation_postponed', reason: 'other' }, T0 + 11 * DAY)).toMatchObject({ code: 'PROCEDURE_POSTPONED' });
    f.ok({ type: 'valuation_resumed' }, T0 + 17 * DAY);
    expect(appraisal(f.s).commissions[0]!.deadline).toBe(T0 + 37 * DAY);
    expect(f.s.postponements).toEqual([{ from: T0 + 10 * DAY, to: T0 + 17 * DAY, reason: 'enforcement_postponed_or_suspended' }]);
    expect(f.no({ type: 'valuation_resumed' }, T0 + 18 * DAY)).toMatchObject({ code: 'NOT_POSTPONED' });
  });

  it('Art. 29 + Art. 31 ¶2: withdrawing an online inquiry → no platform fee; afterwards nothing is accepted', () => {
    const f = flow();
    f.ok({ type: 'joint_request_recorded', method: 'online_inquiry' }, T0);
    f.ok({ type: 'online_inquiry_opened', actor: 'clerk', platformIds: ['A'] }, T0);
    expect(f.ok({ type: 'valuation_withdrawn', reason: 'obligations_performed' }, T0 + DAY)).toEqual([
      { type: 'valuation_withdrawn', reason: 'obligations_performed', fee: 'none' },
    ]);
    expect(f.s.status).toBe('withdrawn');
    expect(f.s.steps[0]!.status).toBe('withdrawn');
    expect(f.no(report('A', 1, T0), T0 + DAY)).toMatchObject({ code: 'PROCEDURE_CLOSED' });
  });

  it('Art. 29 + Art. 32 ¶2: withdrawing a commissioned appraisal → the agency’s actual costs', () => {
    const f = flow({ appraisalRequiredByLaw: true });
    f.ok({ type: 'appraisal_opened', actor: 'clerk' }, T0);
    f.ok({ type: 'agencies_agreed', agencyIds: ['a', 'b', 'c'] }, T0);
    expect(f.ok({ type: 'valuation_withdrawn', reason: 'parties_agreed_not_to_sell' }, T0 + DAY)[0]).toMatchObject({ fee: 'actual_costs' });
  });
});

describe('procedure bookkeeping', () => {
  it('Art. 1: the court is reminded once if no method started within 30 days of the seizure', () => {
    const f = flow({}, STATUTORY, T0 - 29 * DAY);
    expect(dueDeadlines(f.s, T0 + DAY, STATUTORY)).toEqual([]);
    expect(f.tick(T0 + DAY + 1)).toEqual([{ type: 'overdue', kind: 'start_procedure', ref: 'start_procedure', dueAt: T0 + DAY, article: 'RPR Art. 1' }]);
    expect(dueDeadlines(f.s, T0 + 2 * DAY, STATUTORY)).toEqual([]);
  });

  it('Art. 3: facts are fixed before a method runs (re-checked only while postponed, Art. 28(2))', () => {
    const f = flow();
    f.ok({ type: 'negotiation_opened', actor: 'clerk' }, T0);
    expect(f.no({ type: 'facts_recorded', facts: FACTS }, T0 + 1)).toMatchObject({ code: 'STEP_IN_PROGRESS' });
    f.ok({ type: 'valuation_postponed', reason: 'materials_inconsistent' }, T0 + 2);
    f.ok({ type: 'facts_recorded', facts: { ...FACTS, occupancy: 'tenant until 2027' } }, T0 + 3);
    expect(f.s.facts!.occupancy).toBe('tenant until 2027');
    expect(f.no({ type: 'facts_recorded', facts: { ...FACTS, unpaidTaxesFen: -1 } }, T0 + 4)).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('the state is JSON: replaying the stored events from a JSON copy gives the same state; version counts events', () => {
    const f = flow({ hasGovernmentPrice: false });
    f.ok({ type: 'party_stance_recorded', party: 'applicant', refusesNegotiation: true }, T0);
    f.ok({ type: 'online_inquiry_opened', actor: 'clerk', platformIds: ['A', 'B'] }, T0 + 1);
    f.ok({ type: 'online_extension_requested', platformId: 'B' }, T0 + 2);
    f.ok(report('A', 777, T0), T0 + DAY);
    f.tick(T0 + 3 * DAY + 2);
    f.ok({ type: 'online_reports_reviewed', faultyPlatformIds: [] }, T0 + 4 * DAY);
    f.ok({ type: 'reports_served', recipients: PARTIES }, T0 + 4 * DAY);
    f.tick(T0 + 9 * DAY + 1);
    let replayed = JSON.parse(JSON.stringify(f.initial)) as ValuationState;
    for (const { event, at } of JSON.parse(JSON.stringify(f.log)) as typeof f.log) {
      const r = applyValuationEvent(replayed, event, new Date(at), STATUTORY);
      if (!r.ok) throw new Error(r.code);
      replayed = r.state;
    }
    expect(replayed).toEqual(f.s);
    expect(JSON.parse(JSON.stringify(f.s))).toEqual(f.s);
    expect(f.s.version).toBe(f.log.length);
    expect(f.s.result).toMatchObject({ referencePriceFen: 777 });
  });

  it('the sandbox profile runs the same rules in seconds', () => {
    const f = flow({}, SANDBOX);
    f.ok({ type: 'joint_request_recorded', method: 'online_inquiry' }, T0);
    const [dispatch] = f.ok({ type: 'online_inquiry_opened', actor: 'clerk', platformIds: ['A'] }, T0);
    expect(dispatch).toMatchObject({ deadline: T0 + SANDBOX.valuation.onlineInquiryReportMs });
    expect(SANDBOX.valuation.onlineInquiryReportMs).toBeLessThan(60_000);
  });
});

describe('complete flow: negotiation fails → no government price → online inquiry (RPR Arts. 4, 5, 7, 11, 13)', () => {
  it('negotiation fails, directed inquiry is impossible, three platforms with one late → mean of the other two', () => {
    const f = flow({ hasGovernmentPrice: false });
    f.ok({ type: 'negotiation_opened', actor: 'clerk-7', deadline: T0 + 5 * DAY }, T0);
    f.ok({ type: 'negotiation_price_submitted', party: 'applicant', priceFen: 1_500_000_00, validUntil: T0 + 100 * DAY }, T0 + DAY);
    const failed = f.ok({ type: 'negotiation_price_submitted', party: 'respondent', priceFen: 900_000_00, validUntil: T0 + 100 * DAY }, T0 + 2 * DAY);
    // Art. 5: no tax base / government price, so directed inquiry is skipped and online inquiry is next (Art. 7 ¶1).
    expect(failed).toEqual([{ type: 'method_failed', method: 'negotiation', reason: 'prices_differ', article: 'RPR Art. 4 ¶2', nextAllowed: ['online_inquiry'] }]);
    expect(f.no({ type: 'directed_inquiry_opened', actor: 'clerk-7', body: 'tax bureau' }, T0 + 2 * DAY)).toMatchObject({
      code: 'DIRECTED_INQUIRY_NEEDS_GOVERNMENT_PRICE',
      condition: 'has_government_price',
    });
    const O = T0 + 3 * DAY;
    f.ok({ type: 'online_inquiry_opened', actor: 'clerk-7', platformIds: ['jd', 'taobao', 'rmfysszc'] }, O);
    f.ok(report('jd', 1_180_000_00, O), O + DAY);
    f.ok(report('taobao', 1_210_000_00, O), O + 3 * DAY);
    const deadline = f.tick(O + 3 * DAY + 1);
    expect(ofType(deadline, 'provider_late')).toEqual([{ type: 'provider_late', provider: 'platform', id: 'rmfysszc', article: 'RPR Art. 9 ¶2(2)' }]);
    f.ok({ type: 'online_reports_reviewed', faultyPlatformIds: [] }, O + 4 * DAY);
    f.ok({ type: 'reports_served', recipients: PARTIES }, O + 4 * DAY);
    const done = f.tick(O + 9 * DAY + 1);
    expect(ofType(done, 'reference_price_determined')[0]!.result).toMatchObject({
      referencePriceFen: 1_195_000_00,
      method: 'online_inquiry',
      basis: 'art13_some_timely',
      sources: ['jd', 'taobao'],
      stepId: 'step-2',
    });
    expect(f.s.status).toBe('determined');
    expect(f.s.steps.map((s) => [s.method, s.status])).toEqual([
      ['negotiation', 'failed'],
      ['online_inquiry', 'succeeded'],
    ]);
  });
});

describe('re-issue of an expired result, RPR Arts. 11 ¶4, 19 ¶4, 27', () => {
  /** Online inquiry by joint request, A and B report (valid 180 days), determined at W. */
  const W = T0 + 9 * DAY + 1;
  const determinedOnline = () => {
    const f = flow();
    f.ok({ type: 'joint_request_recorded', method: 'online_inquiry' }, T0);
    f.ok({ type: 'online_inquiry_opened', actor: 'clerk', platformIds: ['A', 'B'] }, T0);
    f.ok(report('A', 100_00, T0), T0 + HOUR);
    f.ok(report('B', 200_00, T0), T0 + HOUR);
    f.ok({ type: 'online_reports_reviewed', faultyPlatformIds: [] }, T0 + 4 * DAY);
    f.ok({ type: 'reports_served', recipients: PARTIES }, T0 + 4 * DAY);
    f.tick(W);
    expect(f.s.result).toMatchObject({ referencePriceFen: 150_00, validUntil: T0 + 180 * DAY });
    return f;
  };
  const EXPIRED = T0 + 180 * DAY + 1;

  it('Art. 11 ¶4: the platforms re-issue within 3 days once the validity has run out; the mean replaces the old price', () => {
    const f = determinedOnline();
    expect(f.no({ type: 'reissue_ordered' }, T0 + 180 * DAY)).toMatchObject({ code: 'REISSUE_NOT_DUE', condition: 'validity_expired' });
    expect(f.ok({ type: 'reissue_ordered' }, EXPIRED)).toEqual([{ type: 'order_reissue', to: ['A', 'B'], dueAt: EXPIRED + 3 * DAY, article: 'RPR Art. 11 ¶4' }]);
    expect(f.no({ type: 'reissued_report_submitted', by: 'C', priceFen: 1, validUntil: EXPIRED + DAY }, EXPIRED + DAY)).toMatchObject({ code: 'REISSUE_NOT_ORDERED' });
    f.ok({ type: 'reissued_report_submitted', by: 'A', priceFen: 110_00, validUntil: EXPIRED + 90 * DAY }, EXPIRED + DAY);
    const done = f.ok({ type: 'reissued_report_submitted', by: 'B', priceFen: 211_00, validUntil: EXPIRED + 60 * DAY }, EXPIRED + 3 * DAY);
    expect(ofType(done, 'reference_price_determined')[0]!.result).toMatchObject({
      referencePriceFen: 160_50,
      validUntil: EXPIRED + 60 * DAY,
      basis: 'reissued_art11_4',
      sources: ['A', 'B'],
    });
    expect(f.s.previousResults).toHaveLength(1);
    expect(f.s.previousResults[0]!.referencePriceFen).toBe(150_00);
  });

  it('Art. 11 ¶4: a platform late with its re-issue is left out; only the timely ones are averaged', () => {
    const f = determinedOnline();
    f.ok({ type: 'reissue_ordered' }, EXPIRED);
    f.ok({ type: 'reissued_report_submitted', by: 'B', priceFen: 220_00, validUntil: EXPIRED + 90 * DAY }, EXPIRED + 3 * DAY);
    expect(f.no({ type: 'reissued_report_submitted', by: 'A', priceFen: 1, validUntil: EXPIRED + 90 * DAY }, EXPIRED + 3 * DAY + 1)).toMatchObject({ code: 'REISSUE_LATE' });
    f.tick(EXPIRED + 3 * DAY + 1);
    expect(f.s.result).toMatchObject({ referencePriceFen: 220_00, sources: ['B'] });
  });

  it('Art. 19 ¶4: the original agency re-issues within 15 days; if it does not, the re-issue fails', () => {
    const f = flow({ appraisalRequiredByLaw: true });
    f.ok({ type: 'appraisal_opened', actor: 'clerk' }, T0);
    f.ok({ type: 'agencies_agreed', agencyIds: ['a', 'b', 'c'] }, T0);
    f.ok({ type: 'appraisal_report_submitted', agencyId: 'a', priceFen: 9_000_00, validUntil: T0 + 100 * DAY, method: 'cost', standards: 's' }, T0 + DAY);
    f.ok({ type: 'appraisal_report_reviewed', findings: [] }, T0 + DAY);
    f.ok({ type: 'reports_served', recipients: PARTIES }, T0 + DAY);
    f.tick(T0 + 6 * DAY + 1);
    const X = T0 + 100 * DAY + 1;
    expect(f.ok({ type: 'reissue_ordered' }, X)).toEqual([{ type: 'order_reissue', to: ['a'], dueAt: X + 15 * DAY, article: 'RPR Art. 19 ¶4' }]);
    expect(f.tick(X + 15 * DAY + 1)).toEqual([{ type: 'reissue_failed', article: 'RPR Art. 19 ¶4' }]);
    expect(f.s.reissue!.status).toBe('failed');
  });

  it('Art. 27: a negotiated price is not re-issued (REISSUE_NOT_APPLICABLE)', () => {
    const f = flow();
    f.ok({ type: 'negotiation_opened', actor: 'clerk' }, T0);
    f.ok({ type: 'negotiation_price_submitted', party: 'applicant', priceFen: 5, validUntil: T0 + DAY }, T0);
    f.ok({ type: 'negotiation_price_submitted', party: 'respondent', priceFen: 5, validUntil: T0 + DAY }, T0);
    expect(f.no({ type: 'reissue_ordered' }, T0 + 2 * DAY)).toMatchObject({ code: 'REISSUE_NOT_APPLICABLE' });
  });
});
