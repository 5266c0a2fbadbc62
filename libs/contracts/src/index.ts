/**
 * API contracts (接口约定): the request, response and socket event shapes shared by the API and the web app.
 * The API's OpenAPI document is generated from the code; these types are what both sides compile against.
 * Money is integer fen with `currency: 'CNY'` where a payment is involved; times are ISO 8601 UTC strings.
 */
export type Iso = string;
export type Fen = number;

export type Role = 'bidder' | 'court_clerk' | 'appraiser' | 'admin' | 'party';
export type LotStatusName = 'draft' | 'announced' | 'live' | 'suspended' | 'postponed' | 'withdrawn' | 'sold' | 'unsold' | 'defaulted' | 'transferred' | 'set_aside';
export type PropertyTypeName = 'movable' | 'real_estate' | 'other_right';
export type RoundName = 'first' | 'second' | 'sale_off';

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: Record<string, unknown> & {
    /** Per field: each broken rule's English sentence, and the figure of each rule that has one (a length, a bound). */
    fields?: { field: string; rules: Record<string, string>; limits?: Record<string, number> }[];
    violations?: PublicationViolationView[];
  };
}

export interface PublicationViolationView {
  code: string;
  field: string;
  article: string;
  message: string;
  details?: Record<string, unknown>;
}

/** `POST /api/auth/login` and `POST /api/auth/refresh`: a short-lived access token and its refresh token (used once). */
export interface LoginResponse {
  accessToken: string;
  /** Seconds the access token is good for. */
  expiresIn: number;
  refreshToken: string;
  /**
   * Login only: this browser's device token for the account, to send with its next login (`deviceToken`).
   * Such a login is not held by a lock that failures from elsewhere put on the account.
   */
  deviceToken?: string;
  user: { id: string; roles: Role[] };
}

export interface MeView {
  id: string;
  email: string;
  displayName: string;
  roles: Role[];
  courtId: string | null;
  agencyId: string | null;
  identityVerified: boolean;
  realName: string | null;
  idNumberMasked: string | null;
  phoneMasked: string | null;
}

export interface FileView {
  id: string;
  name: string;
  contentType: string;
  size: number;
  url: string;
}

export interface LotView {
  id: string;
  status: LotStatusName;
  statusReason: string | null;
  round: RoundName;
  previousLotId: string | null;
  propertyType: PropertyTypeName;
  title: string;
  description: string;
  province: string;
  city: string;
  address: string;
  courtId: string;
  courtName: string | null;
  caseNumber: string | null;
  photos: FileView[];
  documents: FileView[];
  knownDefects: string;
  encumbrances: string;
  occupancy: string;
  taxBurden: string;
  priorityHolders: { name: string; nature: string; rank: number }[];
  disclosures: Record<string, string | undefined>;
  referencePrice: Fen | null;
  referencePriceBasis: string;
  valuationId: string | null;
  startingPrice: Fen | null;
  increment: Fen | null;
  deposit: Fen | null;
  currency: 'CNY';
  announceAt: Iso | null;
  publishedAt: Iso | null;
  startsAt: Iso | null;
  endsAt: Iso | null;
  scheduledEndsAt: Iso | null;
  balanceDueDays: number;
  currentPrice: Fen | null;
  leaderCode: string | null;
  bidCount: number;
  seq: number;
  extensionCount: number;
  enrolledCount: number;
  pausedRemainingMs: number | null;
  closedAt: Iso | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface BidView {
  seq: number;
  amount: Fen;
  bidderCode: string;
  priority: boolean;
  placedAt: Iso;
}

export interface PlaceBidRequest {
  amount: Fen;
  confirmJump?: boolean;
}

export interface PlaceBidResponse {
  bid: BidView;
  lot: { currentPrice: Fen; endsAt: Iso; leaderCode: string; bidCount: number; extensionCount: number; seq: number };
}

export interface LotResultView {
  lotId: string;
  outcome: 'sold' | 'unsold';
  price: Fen | null;
  bidderCode: string | null;
  closedAt: Iso;
  endedAt: Iso;
  bidCount: number;
}

/** Socket.io namespace `/auctions`: server → client events. */
export interface LotBidEvent {
  lotId: string;
  seq: number;
  amount: Fen;
  bidderCode: string;
  priority: boolean;
  placedAt: Iso;
  endsAt: Iso;
  extended: boolean;
  committedAt: Iso;
}
export interface LotStatusEvent {
  lotId: string;
  status: LotStatusName;
  endsAt: Iso | null;
  reason?: string | null;
}
export interface LotClosedEvent {
  lotId: string;
  outcome: 'sold' | 'unsold';
  price: Fen | null;
  bidderCode: string | null;
}
export interface BidOutbidEvent {
  lotId: string;
  seq: number;
  amount: Fen;
  yourAmount: Fen;
}

export interface ServerToClientEvents {
  'lot.bid': (event: LotBidEvent) => void;
  'lot.status': (event: LotStatusEvent) => void;
  'lot.closed': (event: LotClosedEvent) => void;
  'bid.outbid': (event: BidOutbidEvent) => void;
}

export type Ack<T> = { ok: true } & T;
export type Nack = { ok: false; error: ErrorBody };

export interface ClientToServerEvents {
  'lot.watch': (req: { lotId: string }, ack: (res: Ack<{ lot: LotView; serverTime: Iso }> | Nack) => void) => void;
  'lot.unwatch': (req: { lotId: string }, ack: (res: Ack<Record<never, never>> | Nack) => void) => void;
  'bid.place': (req: { lotId: string; amount: Fen; confirmJump?: boolean; idempotencyKey?: string }, ack: (res: Ack<{ bid: BidView; lot: PlaceBidResponse['lot'] }> | Nack) => void) => void;
  'time.sync': (req: Record<never, never>, ack: (res: { serverTime: Iso }) => void) => void;
  /** A renewed access token of the same user (or a first one for an anonymous socket), without reconnecting. */
  'auth.renew': (req: { token: string }, ack: (res: Ack<Record<never, never>> | Nack) => void) => void;
}

/*
 * Enrolment and deposit views (added for the web app, matching apps/api/src/enrolment/enrolment.service.ts
 * and payments/deposits.service.ts; the enrolment module owns these shapes).
 */
export type EnrolmentStatusName = 'pending_deposit' | 'active' | 'cancelled';
export type DepositStatusName = 'awaiting_payment' | 'failed' | 'secured' | 'releasing' | 'released' | 'applying' | 'applied' | 'forfeiting' | 'forfeited' | 'waived';
export type DepositMovementKindName = 'secure' | 'release' | 'apply' | 'forfeit';

/** POST /api/lots/:id/enrolments. A test payment method (pm_card_visa, pm_card_chargeDeclined, …) is confirmed server-side. */
export interface CreateEnrolmentRequest {
  paymentMethod?: string;
  priorityClaim?: string;
}

export interface DepositView {
  amount: Fen;
  currency: 'CNY';
  mode: 'hold' | 'charge' | 'none';
  status: DepositStatusName;
  paymentIntentId: string | null;
  clientSecret: string | null;
  lastError: string | null;
  history: { kind: DepositMovementKindName; amount: Fen; status: string; at: Iso; doneAt: Iso | null }[];
}

/** POST /api/lots/:id/enrolments, GET /api/lots/:id/enrolments/me, GET /api/me/enrolments (a list). */
export interface EnrolmentView {
  id: string;
  lotId: string;
  status: EnrolmentStatusName;
  bidderCode: string | null;
  priorityRank: number | null;
  priorityClaim: string | null;
  applicantCreditor: boolean;
  depositDue: Fen;
  deposit: DepositView | null;
}

/**
 * GET /api/payments/config (public): with a Stripe secret key configured, `mode` is 'stripe' and the
 * publishable key (if set) lets the web pay with Stripe Elements; offline ('local'), the test payment
 * methods the platform's own Stripe-compatible server accepts.
 */
export interface PaymentsConfigView {
  mode: 'stripe' | 'local';
  publishableKey: string | null;
  testPaymentMethods: string[];
}

/** GET /api/time */
export interface TimeView {
  now: Iso;
}

/*
 * Settlement and valuation views (added for the web app, matching apps/api/src/settlement/settlement.service.ts
 * and apps/api/src/valuation/valuation.service.ts; those modules own the shapes).
 */
export type SettlementStatusName = 'awaiting_balance' | 'paid' | 'ruled' | 'defaulted' | 'set_aside';

/** GET /api/lots/:id/settlement (buyer or clerk); POST /api/lots/:id/balance answers the same. */
export interface SettlementView {
  lotId: string;
  status: SettlementStatusName;
  confirmationNo: string;
  buyerName: string;
  bidderCode: string;
  price: Fen;
  depositApplied: Fen;
  balanceDue: Fen;
  balanceDeadline: Iso;
  caseNumber: string;
  courtName: string;
  lotTitle: string;
  soldAt: Iso;
  paidAt: Iso | null;
  rulingDate: string | null;
  ruledAt: Iso | null;
  defaultedAt: Iso | null;
  steps: { step: string; at: Iso }[];
  /**
   * The open balance PaymentIntent to confirm with Stripe.js (Elements), shown to the buyer only, while the
   * balance is awaited; null otherwise (and absent from the public confirmation).
   */
  balancePayment?: { paymentIntentId: string; clientSecret: string } | null;
}

/** Without `paymentMethod` the balance is paid in the browser: the answer carries `balancePayment`. */
export interface PayBalanceRequest {
  paymentMethod?: string;
}

export type ValuationStatusName = 'open' | 'negotiation' | 'directed_inquiry' | 'online_inquiry' | 'appraisal' | 'objection' | 'determined' | 'withdrawn';

/** The property a valuation is about, as every valuation route sends it (list, detail, appraiser queue). */
export interface ValuationPropertyView {
  description: string;
}

/** One row of GET /api/valuations (what the viewer's court, case or organisation may see). */
export interface ValuationListItem {
  id: string;
  caseId: string;
  property: ValuationPropertyView;
  status: ValuationStatusName;
  method: string | null;
  referencePrice: Fen | null;
  validUntil: Iso | null;
  nextDeadlineAt: Iso | null;
  viewerRole: string;
}

export type AppraiserWorkKind = 'online_report' | 'online_correction' | 'appraisal_report' | 'appraisal_correction' | 'objection_explanation' | 'reissue' | 'directed_result';

/** One item of GET /api/appraiser/queue: a valuation with the work the appraiser's organisation owes, soonest first. */
export interface AppraiserWorkItem {
  valuationId: string;
  caseId: string;
  property: ValuationPropertyView;
  facts: ValuationFactsView | null;
  status: ValuationStatusName;
  method: ValuationMethodName | null;
  work: { kind: AppraiserWorkKind; stepId: string; dueAt: Iso | null; ref?: string }[];
}

/*
 * GET /api/valuations/:id (apps/api/src/valuation/valuation.views.ts owns the shape). The domain keeps
 * instants as epoch ms; the API sends every one of them as an ISO string. What a viewer sees depends on
 * the role: a provider sees only its own entries; parties see prices once served.
 */
export type ValuationMethodName = 'negotiation' | 'directed_inquiry' | 'online_inquiry' | 'appraisal';
export type ValuationStepStatusName = 'active' | 'succeeded' | 'failed' | 'withdrawn';

export interface ValuationFactsView {
  title: string;
  encumbrances: string[];
  occupancy: string;
  unpaidTaxesFen: Fen;
  defects: string[];
  hasGovernmentPrice: boolean;
  needsOnSiteSurvey: boolean;
  appraisalRequiredByLaw: boolean;
}

export interface ValuationObjectionView {
  id: string;
  objector: string;
  filedAt: Iso;
  grounds: string[];
  platformIds: string[];
  status: 'awaiting_ruling' | 'awaiting_forwarding' | 'awaiting_explanation' | 'awaiting_objector' | 'technical_review' | 'upheld' | 'rejected' | 'satisfied' | 'moot';
  stage: 'art22' | 'art22_first' | 'art23';
  forwardDueAt: Iso | null;
  explanationDueAt: Iso | null;
  explanationAt: Iso | null;
  technicalReview: { reportStands: boolean; at: Iso } | null;
  ruling: { upheld: boolean; at: Iso } | null;
}

export interface ValuationServiceView {
  servedAt: Iso;
  reportIds: string[];
  recipients: { id: string; servedAt: Iso; publicNotice: boolean; receivedAt: Iso; objectionDeadline: Iso }[];
  windowClosesAt: Iso;
  windowClosed: boolean;
}

interface ValuationStepBaseView {
  id: string;
  status: ValuationStepStatusName;
  openedAt: Iso;
  deadline: Iso | null;
  actor: string;
  closedAt: Iso | null;
  outcome: { priceFen: Fen; validUntil: Iso } | null;
  failure: { reason: string; article: string; switchedToAppraisalArt11_3?: boolean } | null;
}

export type NegotiationSubmissionView = { submitted: false } | { submitted: true; priceFen?: Fen; validUntil?: Iso; submittedAt?: Iso };

export interface NegotiationStepView extends ValuationStepBaseView {
  method: 'negotiation';
  submissions: { applicant: NegotiationSubmissionView; respondent: NegotiationSubmissionView };
}

export interface DirectedInquiryStepView extends ValuationStepBaseView {
  method: 'directed_inquiry';
  body: string;
  result: { priceFen: Fen; validUntil: Iso; receivedAt: Iso } | null;
}

export interface OnlinePlatformView {
  platformId: string;
  status: 'pending' | 'delivered' | 'late' | 'excluded_faulty' | 'correction_due' | 'corrected' | 'correction_late';
  deadline: Iso;
  extensionRequestedAt: Iso | null;
  extension: 'granted' | 'refused' | null;
  report: { priceFen: Fen; method: string; validUntil: Iso; submittedAt: Iso } | { submitted: true } | null;
  correctionDueAt: Iso | null;
  correction: { priceFen: Fen; validUntil: Iso; submittedAt: Iso } | { submitted: true } | null;
}

export interface OnlineInquiryStepView extends ValuationStepBaseView {
  method: 'online_inquiry';
  phase: 'reporting' | 'extension' | 'review' | 'correction' | 'service' | 'objection';
  serveDueAt: Iso | null;
  service: ValuationServiceView | null;
  platforms: OnlinePlatformView[];
  objections: ValuationObjectionView[];
}

export interface AgencyCommissionView {
  agencyId: string;
  rank: number;
  status: 'commissioned' | 'reported' | 'replaced';
  commissionedAt: Iso;
  deadline: Iso;
  extensions: { requestedAt: Iso; grantedAt: Iso; extendByMs: number }[];
  report: { priceFen: Fen; validUntil: Iso; method: string; standards: string; submittedAt: Iso } | null;
  correctionOrdered: { reason: 'review' | 'objection'; dueAt: Iso; findings: string[] } | null;
  correction: { priceFen: Fen; validUntil: Iso; submittedAt: Iso; reason: 'review' | 'objection' }[];
  serveDueAt: Iso | null;
  service: ValuationServiceView | null;
  objections: ValuationObjectionView[];
  replacedReason: string | null;
  materialsReturnDueAt: Iso | null;
  materialsReturnedAt: Iso | null;
}

export interface AppraisalStepView extends ValuationStepBaseView {
  method: 'appraisal';
  phase: 'selection' | 'lottery' | 'commissioned' | 'review' | 'review_correction' | 'service' | 'objection';
  selection: {
    agreementDeadline: Iso | null;
    mode: 'agreement' | 'lottery' | null;
    lotteryReason: 'agreement_failed' | 'party_cannot_be_found' | 'both_parties_asked' | null;
    lottery: { commitment: string; candidates: string[]; subList: string; committedAt: Iso; seed: string | null; publicEntropy: string; result: string[] | null; drawnAt: Iso | null } | null;
  };
  ranking: string[];
  commissions: AgencyCommissionView[];
}

export type ValuationStepView = NegotiationStepView | DirectedInquiryStepView | OnlineInquiryStepView | AppraisalStepView;

export interface ValuationReportView {
  id: string;
  stepId: string;
  agencyId: string | null;
  kind: string;
  price: Fen | null;
  method: string | null;
  standards: string | null;
  samples: { description: string; priceFen?: Fen; source?: string }[] | null;
  validUntil: Iso | null;
  note: string | null;
  objectionId: string | null;
  files: FileView[];
  submittedAt: Iso;
}

export interface ReferencePriceResultView {
  referencePriceFen: Fen;
  method: ValuationMethodName;
  validUntil: Iso;
  decidedAt: Iso;
  stepId: string;
  basis: string;
  sources: string[];
}

/**
 * A deadline now running, from the domain's `pendingValuationDeadlines` with the rules profile in force
 * (clerks only): what is due, when, and the article that sets it.
 */
export interface ValuationDeadlineView {
  kind: string;
  dueAt: Iso;
  stepId: string | null;
  ref: string;
  article: string;
}

export interface PartyStanceView {
  refusesNegotiation: boolean;
  cannotBeFound: boolean;
}

export interface ValuationView {
  id: string;
  caseId: string;
  courtId: string;
  property: ValuationPropertyView;
  facts: ValuationFactsView | null;
  status: ValuationStatusName;
  method: ValuationMethodName | null;
  activeStepId: string | null;
  referencePrice: Fen | null;
  currency: 'CNY';
  validUntil: Iso | null;
  result: ReferencePriceResultView | null;
  previousResults: ReferencePriceResultView[];
  nextDeadlineAt: Iso | null;
  stances: { applicant: PartyStanceView; respondent: PartyStanceView; jointRequest: Exclude<ValuationMethodName, 'negotiation'> | null } | null;
  /** Clerks only: the methods the statutory order allows now. */
  allowedMethods?: ValuationMethodName[];
  /** Clerks only: the deadlines now running. */
  deadlines?: ValuationDeadlineView[];
  steps: ValuationStepView[];
  objections: (ValuationObjectionView & { stepId: string; agencyId: string | null })[];
  lottery: { stepId: string; commitment: string; candidates: string[]; subList: string; committedAt: Iso; seed: string | null; publicEntropy: string; result: string[] | null; drawnAt: Iso | null } | null;
  reissue: { method: 'online_inquiry' | 'appraisal'; orderedAt: Iso; dueAt: Iso; from: string[]; reports: { by: string; priceFen: Fen; validUntil: Iso; submittedAt: Iso }[]; status: 'pending' | 'done' | 'failed' } | null;
  postponedAt: Iso | null;
  postponements: { from: Iso; to: Iso | null; reason: string }[];
  withdrawal: { at: Iso; reason: string } | null;
  version: number;
  createdAt: Iso;
  updatedAt: Iso;
  reports: ValuationReportView[];
}

/** GET /api/valuations/:id/events (clerks): the applied events, oldest first. */
export interface ValuationEventView {
  seq: number;
  type: string;
  actorId: string | null;
  payload: Record<string, unknown>;
  at: Iso;
}
