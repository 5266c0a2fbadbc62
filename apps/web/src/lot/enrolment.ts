/** This bidder's enrolment in a lot: null when not enrolled (the API answers 404 NOT_ENROLLED). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { EnrolmentView } from '@fapai/contracts';
import { ApiError } from '../api/client';
import { endpoints } from '../api/endpoints';

export const enrolmentKey = (lotId: string) => ['enrolment', lotId] as const;

export function useMyEnrolment(lotId: string, enabled: boolean) {
  return useQuery({
    queryKey: enrolmentKey(lotId),
    enabled,
    queryFn: async (): Promise<EnrolmentView | null> => {
      try {
        return await endpoints.myEnrolment(lotId);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }
    },
    // While the deposit is being confirmed (webhook), look again every second.
    refetchInterval: (q) => (q.state.data?.status === 'pending_deposit' && q.state.data.deposit?.status === 'awaiting_payment' ? 1000 : false),
  });
}

export function useEnrol(lotId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (paymentMethod: string) => endpoints.enrol(lotId, { paymentMethod }),
    onSuccess: (enrolment) => {
      qc.setQueryData(enrolmentKey(lotId), enrolment);
      void qc.invalidateQueries({ queryKey: ['my-enrolments'] });
    },
    // A declined card (402 DEPOSIT_DECLINED) still created the enrolment: show its failed deposit.
    onError: () => void qc.invalidateQueries({ queryKey: enrolmentKey(lotId) }),
  });
}
