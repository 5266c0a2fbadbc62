/**
 * The jobs of closing, as requests any module may enqueue (see JobsModule): the close of one lot at its
 * end, and the settlement of a closed (or withdrawn) lot's deposits. Their handlers are in closing.jobs.ts.
 */
import type { JobRequest } from '../jobs/jobs.service.js';

export const LOT_CLOSE = 'lot-close';
export const DEPOSIT_RELEASE = 'deposit-release';

export interface LotCloseData {
  lotId: string;
}

export interface DepositReleaseData {
  lotId: string;
  /** The winner's enrolment, whose deposit is applied to the price (OJA Art. 25); null: release them all. */
  winnerEnrolmentId: string | null;
}

/** The close of `lotId` at `endsAt`; one queued job per lot and end time (a repeated send is a no-op). */
export function lotCloseJob(lotId: string, endsAt: Date): JobRequest<LotCloseData> {
  return { name: LOT_CLOSE, data: { lotId }, startAfter: endsAt, singletonKey: `${lotId}@${endsAt.toISOString()}` };
}

/** Release every secured deposit of the lot except the winner's, which is applied (OJA Arts. 23, 25). */
export function depositReleaseJob(lotId: string, winnerEnrolmentId: string | null): JobRequest<DepositReleaseData> {
  return { name: DEPOSIT_RELEASE, data: { lotId, winnerEnrolmentId } };
}
