/** This bidder's enrolment in a lot: null when not enrolled (the API answers 404 NOT_ENROLLED). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { EnrolmentView, PaymentsConfigView } from '@fapai/contracts';
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

/**
 * How the deposit is paid: Stripe Elements when the API names a publishable key; otherwise (offline, CI,
 * or the config cannot be read) a choice of the test cards the server confirms itself. 'loading' until
 * the config is known, so js.stripe.com is never touched without a key.
 */
export type DepositMode = 'loading' | 'stripe' | 'test_cards';

export function depositMode(config: Pick<PaymentsConfigView, 'publishableKey'> | undefined, failed: boolean): DepositMode {
  if (config?.publishableKey) return 'stripe';
  if (config || failed) return 'test_cards';
  return 'loading';
}

export function usePaymentsConfig() {
  return useQuery({ queryKey: ['payments-config'], queryFn: endpoints.paymentsConfig, staleTime: Infinity, retry: false });
}

/** Enrols; with a test payment method the server confirms at once, without one the answer carries the client secret for Stripe.js. */
export function useEnrol(lotId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (paymentMethod: string | undefined) => endpoints.enrol(lotId, paymentMethod ? { paymentMethod } : {}),
    onSuccess: (enrolment) => {
      qc.setQueryData(enrolmentKey(lotId), enrolment);
      void qc.invalidateQueries({ queryKey: ['my-enrolments'] });
    },
    // A declined card (402 DEPOSIT_DECLINED) still created the enrolment: show its failed deposit.
    onError: () => void qc.invalidateQueries({ queryKey: enrolmentKey(lotId) }),
  });
}
