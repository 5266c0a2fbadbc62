/**
 * The rules profile (规则配置): every statutory number the platform enforces, in one place.
 *
 * `statutory` is the law as read in `shared/domain/rulebook.md` (OJA 2016, RPR 2018, ASR 2020); each field
 * names its article. `sandbox` keeps every rule but shrinks durations so that a whole auction runs in
 * seconds (demos and end-to-end tests). Ratios are in basis points (1 % = 100 bp) so that every check is
 * integer arithmetic on fen; durations are in milliseconds.
 *
 * Fields marked PRACTICE are observed platform practice, not law (rulebook §6.3, [S] sources): they are
 * configurable here and documented as such.
 */
export type RulesProfileName = 'statutory' | 'sandbox';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface RulesProfile {
  name: RulesProfileName;
  auction: {
    /** OJA Art. 10 ¶2: starting price ≥ 70 % of the reference (appraisal or market) price, first round. */
    startPriceMinRatioBp: number;
    /** OJA Art. 26: a second round may lower the start by at most 20 % of the previous start. */
    relistReductionMaxBp: number;
    /** OJA Art. 26: the second round is relisted within 30 days of the failed first round. */
    relistWithinMs: number;
    /** OJA Art. 12: announcement lead, first round: movables 15 days, real estate / other rights 30 days. */
    announceLeadMs: { movable: number; real_estate: number; other_right: number };
    /** OJA Art. 26: announcement lead, second round: movables 7 days, real estate / other rights 15 days. */
    relistAnnounceLeadMs: { movable: number; real_estate: number; other_right: number };
    /** OJA Art. 16 ¶1: parties and priority holders notified ≥ 3 days before the announcement. */
    notifyPartiesBeforeAnnouncementMs: number;
    /** OJA Art. 16 ¶1: an unreachable party is deemed notified 5 days after publication on the platform. */
    unreachablePublicationMs: number;
    /** OJA Art. 20: the bidding window lasts at least 24 hours. */
    minBiddingMs: number;
    /** OJA Art. 20 ¶2: a bid in the last 5 minutes… */
    extensionWindowMs: number;
    /** …extends the end to the bid time + 5 minutes, without limit. */
    extensionMs: number;
    /** OJA Art. 17 ¶1: deposit between 5 % and 20 % of the starting price. */
    depositMinBp: number;
    depositMaxBp: number;
    /** OJA Art. 23: losers' deposits returned within 24 h of the close (we aim for minutes). */
    depositReleaseMs: number;
    /** OJA Art. 25: the winner's deposit goes to the court within 24 h of the sale. */
    winnerDepositTransferMs: number;
    /** OJA Art. 28 ¶4: resume within 5 days after the cause of a postponement or suspension ends. */
    resumeAfterPauseMs: number;
    /** OJA Art. 11: one bidder suffices. */
    minBidders: number;
    /** Platform guard, not law: a bid more than N increments above the current price needs `confirmJump`. */
    jumpConfirmIncrements: number;
    /** OJA Art. 29: electronic auction records are kept ≥ 10 years. */
    dataRetentionYears: number;
    /** OJA Art. 25: balance deadline is set per lot; this is the default offered to clerks (PRACTICE: 10 days). */
    defaultBalanceDueDays: number;
    /** Length of one "balance day" (a real day under `statutory`; seconds under `sandbox`). */
    balanceDayMs: number;
    /** Balance reminders are sent this long before the deadline. */
    balanceRemindersBeforeMs: number[];
  };
  /** PRACTICE (rulebook §6.3, 法明传〔2017〕455号 not read): online sale-off (变卖). */
  saleOff: {
    periodMs: number;
    /** The first entry opens a bidding round of this length. */
    roundMs: number;
    /** Sale-off announced within 15 days of the failed second round. */
    announceWithinMs: number;
  };
  /** RPR 2018: the reference price (参考价). */
  valuation: {
    /** RPR Art. 1: start the procedure within 30 days of the seizure. */
    startWithinMsOfSeizure: number;
    /** RPR Art. 30: start the sale within 10 days of the reference price. */
    startSaleWithinMs: number;
    /** RPR Art. 4: negotiation period set by the court; default offered. */
    defaultNegotiationMs: number;
    /** RPR Art. 6: directed inquiry deadline set by the court; default offered. */
    defaultDirectedInquiryMs: number;
    /** RPR Art. 11 ¶1: online inquiry report within 3 days. */
    onlineInquiryReportMs: number;
    /** RPR Art. 11 ¶2: +3 days, only if all platforms are late and asked before the deadline. */
    onlineInquiryExtensionMs: number;
    /** RPR Art. 12: correction (补正) within 3 days when all reports are faulty. */
    onlineInquiryCorrectionMs: number;
    /** RPR Art. 11 ¶4: re-issue within 3 days. */
    onlineInquiryReissueMs: number;
    /** RPR Art. 16: three agencies in order. */
    appraisalAgencyCount: number;
    /** RPR Art. 16: period for the parties to agree on the agencies (set by the court; default offered). */
    agencyAgreementMs: number;
    /** RPR Art. 19 ¶1: report within 30 days. */
    appraisalReportMs: number;
    /** RPR Art. 19 ¶2: request ≥ 5 days before the deadline, at most 2 extensions, ≤ 15 days each. */
    appraisalExtensionRequestBeforeMs: number;
    appraisalMaxExtensions: number;
    appraisalExtensionMaxMs: number;
    /** RPR Art. 19 ¶3: late agency returns materials within 3 days. */
    returnMaterialsMs: number;
    /** RPR Art. 20: explanation or correction within 3 days. */
    appraisalCorrectionMs: number;
    /** RPR Art. 19 ¶4: re-issue within 15 days, 30 % of the fee (Art. 32 ¶2). */
    appraisalReissueMs: number;
    reissueFeeBp: number;
    /** RPR Art. 21: reports served within 3 days; public notice deemed received after 15 days. */
    serveReportsMs: number;
    publicNoticeDeemedReceivedMs: number;
    /** RPR Arts. 22–23: objections within 5 days. */
    objectionMs: number;
    /** RPR Art. 23: court forwards within 3 days; agency explains within 5 days. */
    forwardObjectionMs: number;
    agencyExplanationMs: number;
    /** RPR Art. 27: validity ≤ 1 year; sale ≤ 6 months after expiry. */
    validityMaxMs: number;
    graceAfterExpiryMs: number;
    /** RPR Art. 9: removal after 5 late inquiries a year; 5-year ban. */
    platformLateLimitPerYear: number;
  };
}

export const STATUTORY: RulesProfile = {
  name: 'statutory',
  auction: {
    startPriceMinRatioBp: 7000,
    relistReductionMaxBp: 2000,
    relistWithinMs: 30 * DAY,
    announceLeadMs: { movable: 15 * DAY, real_estate: 30 * DAY, other_right: 30 * DAY },
    relistAnnounceLeadMs: { movable: 7 * DAY, real_estate: 15 * DAY, other_right: 15 * DAY },
    notifyPartiesBeforeAnnouncementMs: 3 * DAY,
    unreachablePublicationMs: 5 * DAY,
    minBiddingMs: 24 * HOUR,
    extensionWindowMs: 5 * MINUTE,
    extensionMs: 5 * MINUTE,
    depositMinBp: 500,
    depositMaxBp: 2000,
    depositReleaseMs: 24 * HOUR,
    winnerDepositTransferMs: 24 * HOUR,
    resumeAfterPauseMs: 5 * DAY,
    minBidders: 1,
    jumpConfirmIncrements: 10,
    dataRetentionYears: 10,
    defaultBalanceDueDays: 10,
    balanceDayMs: DAY,
    balanceRemindersBeforeMs: [3 * DAY, 1 * DAY],
  },
  saleOff: {
    periodMs: 60 * DAY,
    roundMs: 24 * HOUR,
    announceWithinMs: 15 * DAY,
  },
  valuation: {
    startWithinMsOfSeizure: 30 * DAY,
    startSaleWithinMs: 10 * DAY,
    defaultNegotiationMs: 10 * DAY,
    defaultDirectedInquiryMs: 10 * DAY,
    onlineInquiryReportMs: 3 * DAY,
    onlineInquiryExtensionMs: 3 * DAY,
    onlineInquiryCorrectionMs: 3 * DAY,
    onlineInquiryReissueMs: 3 * DAY,
    appraisalAgencyCount: 3,
    agencyAgreementMs: 5 * DAY,
    appraisalReportMs: 30 * DAY,
    appraisalExtensionRequestBeforeMs: 5 * DAY,
    appraisalMaxExtensions: 2,
    appraisalExtensionMaxMs: 15 * DAY,
    returnMaterialsMs: 3 * DAY,
    appraisalCorrectionMs: 3 * DAY,
    appraisalReissueMs: 15 * DAY,
    reissueFeeBp: 3000,
    serveReportsMs: 3 * DAY,
    publicNoticeDeemedReceivedMs: 15 * DAY,
    objectionMs: 5 * DAY,
    forwardObjectionMs: 3 * DAY,
    agencyExplanationMs: 5 * DAY,
    validityMaxMs: 365 * DAY,
    graceAfterExpiryMs: 183 * DAY,
    platformLateLimitPerYear: 5,
  },
};

/**
 * Sandbox (演示/测试): the same rules with durations shrunk so that a lot announced now goes live in 2 s
 * and ends in 10 s, with a 3 s extension window and a 3 s extension. Days of the valuation procedure
 * become seconds. Never the default: chosen explicitly with `RULES_PROFILE=sandbox`.
 */
export const SANDBOX: RulesProfile = {
  name: 'sandbox',
  auction: {
    ...STATUTORY.auction,
    relistWithinMs: 60 * SECOND,
    announceLeadMs: { movable: 2 * SECOND, real_estate: 2 * SECOND, other_right: 2 * SECOND },
    relistAnnounceLeadMs: { movable: 1 * SECOND, real_estate: 1 * SECOND, other_right: 1 * SECOND },
    notifyPartiesBeforeAnnouncementMs: 0,
    unreachablePublicationMs: 1 * SECOND,
    minBiddingMs: 8 * SECOND,
    extensionWindowMs: 3 * SECOND,
    extensionMs: 3 * SECOND,
    depositReleaseMs: 10 * SECOND,
    winnerDepositTransferMs: 10 * SECOND,
    resumeAfterPauseMs: 5 * SECOND,
    balanceDayMs: 5 * SECOND,
    balanceRemindersBeforeMs: [3 * SECOND],
  },
  saleOff: {
    periodMs: 30 * SECOND,
    roundMs: 8 * SECOND,
    announceWithinMs: 15 * SECOND,
  },
  valuation: {
    ...STATUTORY.valuation,
    startWithinMsOfSeizure: 30 * SECOND,
    startSaleWithinMs: 10 * SECOND,
    defaultNegotiationMs: 5 * SECOND,
    defaultDirectedInquiryMs: 5 * SECOND,
    onlineInquiryReportMs: 3 * SECOND,
    onlineInquiryExtensionMs: 3 * SECOND,
    onlineInquiryCorrectionMs: 3 * SECOND,
    onlineInquiryReissueMs: 3 * SECOND,
    agencyAgreementMs: 3 * SECOND,
    appraisalReportMs: 10 * SECOND,
    appraisalExtensionRequestBeforeMs: 2 * SECOND,
    appraisalExtensionMaxMs: 5 * SECOND,
    returnMaterialsMs: 3 * SECOND,
    appraisalCorrectionMs: 3 * SECOND,
    appraisalReissueMs: 5 * SECOND,
    serveReportsMs: 3 * SECOND,
    publicNoticeDeemedReceivedMs: 5 * SECOND,
    objectionMs: 5 * SECOND,
    forwardObjectionMs: 3 * SECOND,
    agencyExplanationMs: 5 * SECOND,
    validityMaxMs: 365 * DAY,
    graceAfterExpiryMs: 183 * DAY,
  },
};

export const RULES_PROFILES: Record<RulesProfileName, RulesProfile> = { statutory: STATUTORY, sandbox: SANDBOX };

export function rulesProfile(name: RulesProfileName): RulesProfile {
  return RULES_PROFILES[name];
}
