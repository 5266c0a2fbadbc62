/**
 * Every API call the web app makes, typed with @fapai/contracts. Screens use the hooks in `queries.ts`;
 * this file is the only place that knows paths.
 */
import type {
  BidView,
  CreateEnrolmentRequest,
  EnrolmentView,
  LoginResponse,
  LotResultView,
  LotView,
  MeView,
  Page,
  PlaceBidRequest,
  PlaceBidResponse,
  SettlementView,
  ValuationListItem,
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

const lotPath = (id: string) => `/lots/${encodeURIComponent(id)}`;

export const endpoints = {
  time: () => api.get<TimeView>('/time'),
  rules: () => api.get<RulesProfile>('/rules'),
  courts: () => api.get<CourtView[]>('/courts'),

  register: (body: { email: string; password: string; displayName: string }) => api.post<{ id: string }>('/auth/register', body),
  login: (body: { email: string; password: string }) => api.post<LoginResponse>('/auth/login', body),
  logout: () => api.post<void>('/auth/logout'),
  me: () => api.get<MeView>('/me'),
  verifyIdentity: (body: { realName: string; idNumber: string; phone: string }) => api.post<MeView>('/me/identity', body),

  searchLots: (query: LotSearch) => api.get<Page<LotView>>('/lots', { query: { ...query } }),
  lot: (id: string) => api.get<LotView>(lotPath(id)),
  bids: (id: string, query: { page?: number; pageSize?: number; afterSeq?: number } = {}) => api.get<Page<BidView>>(`${lotPath(id)}/bids`, { query }),
  result: (id: string) => api.get<LotResultView>(`${lotPath(id)}/result`),
  placeBid: (id: string, body: PlaceBidRequest, idempotencyKey: string) =>
    api.post<PlaceBidResponse>(`${lotPath(id)}/bids`, body, { headers: { 'Idempotency-Key': idempotencyKey } }),

  enrol: (id: string, body: CreateEnrolmentRequest) => api.post<EnrolmentView>(`${lotPath(id)}/enrolments`, body),
  myEnrolment: (id: string) => api.get<EnrolmentView>(`${lotPath(id)}/enrolments/me`),
  myEnrolments: () => api.get<EnrolmentView[]>('/me/enrolments'),

  settlement: (id: string) => api.get<SettlementView>(`${lotPath(id)}/settlement`),
  payBalance: (id: string, paymentMethod: string) => api.post<SettlementView>(`${lotPath(id)}/balance`, { paymentMethod }),
  confirmationPdfUrl: (id: string) => `/api${lotPath(id)}/confirmation.pdf`,

  valuations: () => api.get<ValuationListItem[]>('/valuations'),
  valuation: (id: string) => api.get<Record<string, unknown> & ValuationListItem>(`/valuations/${encodeURIComponent(id)}`),

  cases: () => api.get<CaseView[]>('/cases'),
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
