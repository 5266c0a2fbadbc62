/**
 * Every API call the web app makes, typed with @fapai/contracts. Screens use the hooks in `queries.ts`;
 * this file is the only place that knows paths.
 */
import type {
  AppraiserWorkItem,
  BidView,
  CreateEnrolmentRequest,
  EnrolmentView,
  LoginResponse,
  LotResultView,
  LotView,
  MeView,
  Page,
  PlaceBidRequest,
  PaymentsConfigView,
  PlaceBidResponse,
  SettlementView,
  ValuationEventView,
  ValuationListItem,
  ValuationView,
  TimeView,
} from '@fapai/contracts';
import type { RulesProfile } from '@fapai/domain';
import { api } from './client';

export interface LotSearch {
  status?: string;
  propertyType?: string;
  round?: string;
  courtId?: string;
  province?: string;
  city?: string;
  q?: string;
  minPrice?: number;
  maxPrice?: number;
  endsAfter?: string;
  endsBefore?: string;
  sort?: 'ending_soon' | 'newest' | 'price_asc' | 'price_desc';
  page?: number;
  pageSize?: number;
}

export interface CourtView {
  id: string;
  name: string;
  province: string;
  city: string;
}

export interface CaseView {
  id: string;
  courtId: string;
  caseNumber: string;
  title: string;
  enforcementBasis: string;
  applicantClaim: number | null;
  parties: { id: string; role: string; name: string; contact: string; reachable: boolean; userId: string | null }[];
  createdAt: string;
}

export interface NoticeView {
  party: string;
  role: 'party' | 'priority_holder';
  kind: 'notified' | 'waived' | 'unreachable';
  at?: string;
}

/** What the clerk sees of a lot (GET /api/court/lots/:id): the public view plus case and notices. */
export interface CourtLotView extends LotView {
  caseId: string;
  notices: NoticeView[];
  createdAt: string;
  updatedAt: string;
}

/** The body of POST /api/lots and PATCH /api/lots/:id (CreateLotDto). */
export interface LotDraftInput {
  caseId?: string;
  propertyType?: string;
  title?: string;
  description?: string;
  province?: string;
  city?: string;
  address?: string;
  knownDefects?: string;
  encumbrances?: string;
  occupancy?: string;
  taxBurden?: string;
  priorityHolders?: { name: string; nature: string; rank: number }[];
  disclosures?: Record<string, string>;
  notices?: NoticeView[];
  referencePrice?: number;
  referencePriceBasis?: string;
  valuationId?: string;
  startingPrice?: number;
  increment?: number;
  deposit?: number;
  announceAt?: string;
  startsAt?: string;
  endsAt?: string;
  balanceDueDays?: number;
}

export interface CaseInput {
  caseNumber: string;
  title: string;
  enforcementBasis?: string;
  applicantClaim?: number;
  parties: { role: string; name: string; contact?: string; reachable?: boolean }[];
}

/** POST /api/valuations/:id/reports (SubmitReportDto): amounts in fen, validity an ISO instant. */
export interface ReportInput {
  price: number;
  method: string;
  samples?: { description: string; price?: number; source?: string }[];
  standards?: string;
  validUntil: string;
}

/** POST /api/valuations/:id/corrections (CorrectionDto). */
export interface CorrectionInput {
  price?: number;
  validUntil?: string;
  note?: string;
}

/** An appraisal agency or inquiry platform of the public lists (GET /api/agencies). */
export interface AgencyView {
  id: string;
  name: string;
  kind: 'appraisal_agency' | 'inquiry_platform';
  fields: string[];
  province: string;
  city: string;
  active: boolean;
}

/** The clerk's acts on a valuation: sub-resources of /api/valuations/:id (each answers the valuation's view). */
export type ValuationActPath =
  | 'stances'
  | 'joint-request'
  | 'negotiation'
  | 'negotiation/prices'
  | 'negotiation/fail'
  | 'directed-inquiry'
  | 'directed-inquiry/result'
  | 'directed-inquiry/decline'
  | 'online-inquiry'
  | 'online-inquiry/review'
  | 'appraisal'
  | 'appraisal/agreement'
  | 'appraisal/lottery/commit'
  | 'appraisal/lottery/draw'
  | 'appraisal/extensions'
  | 'appraisal/review'
  | 'appraisal/materials-returned'
  | 'service'
  | 'objections'
  | `objections/${string}/${'forward' | 'response' | 'technical-review' | 'ruling'}`
  | 'postpone'
  | 'resume'
  | 'withdraw'
  | 'reissue';

export interface BidderIdentity {
  bidderCode: string | null;
  realName: string | null;
  idNumberMasked: string | null;
  status: string;
}

export interface PriorityClaim {
  enrolmentId: string;
  priorityClaim: string;
  priorityRank: number | null;
  status: string;
}

const valuationPath = (id: string) => `/valuations/${encodeURIComponent(id)}`;
const lotPath = (id: string) => `/lots/${encodeURIComponent(id)}`;

export const endpoints = {
  time: () => api.get<TimeView>('/time'),
  rules: () => api.get<RulesProfile>('/rules'),
  courts: () => api.get<CourtView[]>('/courts'),

  register: (body: { email: string; password: string; displayName: string }) => api.post<{ id: string }>('/auth/register', body),
  login: (body: { email: string; password: string; deviceToken?: string }) => api.post<LoginResponse>('/auth/login', body),
  logout: () => api.post<void>('/auth/logout'),
  me: () => api.get<MeView>('/me'),
  verifyIdentity: (body: { realName: string; idNumber: string; phone: string }) => api.post<MeView>('/me/identity', body),

  searchLots: (query: LotSearch) => api.get<Page<LotView>>('/lots', { query: { ...query } }),
  lot: (id: string) => api.get<LotView>(lotPath(id)),
  bids: (id: string, query: { page?: number; pageSize?: number; afterSeq?: number } = {}) => api.get<Page<BidView>>(`${lotPath(id)}/bids`, { query }),
  result: (id: string) => api.get<LotResultView>(`${lotPath(id)}/result`),
  placeBid: (id: string, body: PlaceBidRequest, idempotencyKey: string) =>
    api.post<PlaceBidResponse>(`${lotPath(id)}/bids`, body, { headers: { 'Idempotency-Key': idempotencyKey } }),

  paymentsConfig: () => api.get<PaymentsConfigView>('/payments/config'),
  enrol: (id: string, body: CreateEnrolmentRequest) => api.post<EnrolmentView>(`${lotPath(id)}/enrolments`, body),
  myEnrolment: (id: string) => api.get<EnrolmentView>(`${lotPath(id)}/enrolments/me`),
  myEnrolments: () => api.get<EnrolmentView[]>('/me/enrolments'),

  settlement: (id: string) => api.get<SettlementView>(`${lotPath(id)}/settlement`),
  /** With a test payment method the server confirms at once; without one the answer carries `balancePayment` for Stripe.js. */
  payBalance: (id: string, paymentMethod?: string) => api.post<SettlementView>(`${lotPath(id)}/balance`, paymentMethod ? { paymentMethod } : {}),
  confirmationPdfUrl: (id: string) => `/api${lotPath(id)}/confirmation.pdf`,

  valuations: (caseId?: string) => api.get<ValuationListItem[]>('/valuations', { query: { caseId } }),
  createValuation: (body: Record<string, unknown>) => api.post<ValuationView>('/valuations', body),
  valuationEvents: (id: string) => api.get<ValuationEventView[]>(`${valuationPath(id)}/events`),
  valuationAct: (id: string, path: ValuationActPath, body: Record<string, unknown> = {}) => api.post<ValuationView>(`${valuationPath(id)}/${path}`, body),
  agencies: (kind?: AgencyView['kind']) => api.get<AgencyView[]>('/agencies', { query: { kind } }),
  valuation: (id: string) => api.get<ValuationView>(valuationPath(id)),

  appraiserQueue: () => api.get<AppraiserWorkItem[]>('/appraiser/queue'),
  submitReport: (id: string, body: ReportInput) => api.post<unknown>(`${valuationPath(id)}/reports`, body),
  uploadReportFile: (id: string, reportId: string, file: File) => {
    const form = new FormData();
    form.set('file', file);
    return api.post<unknown>(`${valuationPath(id)}/reports/${encodeURIComponent(reportId)}/files`, form);
  },
  requestExtension: (id: string) => api.post<unknown>(`${valuationPath(id)}/extension-requests`, {}),
  submitCorrection: (id: string, body: CorrectionInput) => api.post<unknown>(`${valuationPath(id)}/corrections`, body),
  submitExplanation: (id: string, objectionId: string, note: string) =>
    api.post<unknown>(`${valuationPath(id)}/objections/${encodeURIComponent(objectionId)}/explanation`, { note }),

  recordRuling: (id: string, rulingDate: string) => api.post<SettlementView>(`${lotPath(id)}/ruling`, { rulingDate }),
  declareDefault: (id: string, body: { reason: string; auctionCosts?: number }) => api.post<SettlementView>(`${lotPath(id)}/default`, body),
  setAside: (id: string, body: { ground: string; reason: string }) => api.post<SettlementView>(`${lotPath(id)}/set-aside`, body),
  relistLot: (id: string) => api.post<{ id: string }>(`${lotPath(id)}/relist`),
  disposeLot: (id: string, body: { path: 'satisfaction_of_debt' | 'release_seizure'; note: string }) => api.post<unknown>(`${lotPath(id)}/disposition`, body),
  lotBidders: (id: string) => api.get<BidderIdentity[]>(`${lotPath(id)}/bidders`),
  priorityClaims: (id: string) => api.get<PriorityClaim[]>(`${lotPath(id)}/priority-claims`),
  confirmPriority: (id: string, body: { enrolmentId: string; rank: number }) => api.post<unknown>(`${lotPath(id)}/priority-purchasers`, body),

  cases: () => api.get<CaseView[]>('/cases'),
  caseDetail: (id: string) => api.get<CaseView>(`/cases/${encodeURIComponent(id)}`),
  createCase: (body: CaseInput) => api.post<CaseView>('/cases', body),
  courtLots: () => api.get<CourtLotView[]>('/court/lots'),
  courtLot: (id: string) => api.get<CourtLotView>(`/court${lotPath(id)}`),
  createLot: (body: LotDraftInput) => api.post<CourtLotView>('/lots', body),
  updateLot: (id: string, body: LotDraftInput) => api.patch<CourtLotView>(lotPath(id), body),
  publishLot: (id: string) => api.post<CourtLotView>(`${lotPath(id)}/publish`),
  changeLotStatus: (id: string, action: 'suspend' | 'postpone' | 'resume' | 'withdraw', body: { reason?: string; startsAt?: string; endsAt?: string }) =>
    api.post<CourtLotView>(`${lotPath(id)}/${action}`, body),
  uploadLotFile: (id: string, kind: 'photo' | 'document', file: File) => {
    const form = new FormData();
    form.set('kind', kind);
    form.set('file', file);
    return api.post<CourtLotView>(`${lotPath(id)}/files`, form);
  },
};
