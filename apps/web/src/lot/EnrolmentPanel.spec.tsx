import { fireEvent, screen, waitFor } from '@testing-library/react';
import type { EnrolmentView, LotView, MeView, PaymentsConfigView } from '@fapai/contracts';
import { setSession } from '../api/session';
import { renderWithApp } from '../test/render';
import { EnrolmentPanel } from './EnrolmentPanel';
import { depositMode, useMyEnrolment } from './enrolment';
import type { StripeDepositProps } from './StripeDeposit';

/** The panel as the lot page uses it: fed by this bidder's enrolment query. */
function Harness({ StripeForm }: { StripeForm?: (p: StripeDepositProps) => React.ReactNode }) {
  const mine = useMyEnrolment(lot.id, true);
  return <EnrolmentPanel lot={lot} enrolment={mine.data} canEnrol StripeForm={StripeForm} />;
}

const lot = { id: '22222222-2222-4222-8222-222222222222', status: 'announced', deposit: 70_000 } as LotView;
const me: MeView = { id: 'u1', email: 'b@test', displayName: 'B', roles: ['bidder'], courtId: null, agencyId: null, identityVerified: true, realName: '张三', idNumberMasked: '1101**********1234', phoneMasked: '138****8000' };

const enrolment = (deposit: Partial<NonNullable<EnrolmentView['deposit']>>, status: EnrolmentView['status'] = 'pending_deposit'): EnrolmentView => ({
  id: 'e1',
  lotId: lot.id,
  status,
  bidderCode: status === 'active' ? 'K7Q2M9' : null,
  priorityRank: null,
  priorityClaim: null,
  applicantCreditor: false,
  depositDue: 70_000,
  deposit: { amount: 70_000, currency: 'CNY', mode: 'charge', status: 'awaiting_payment', paymentIntentId: 'pi_1', clientSecret: null, lastError: null, history: [], ...deposit },
});

/** A fetch stand-in that answers by method and path (the panel's queries run in any order). */
function routeFetch(routes: Record<string, unknown | (() => unknown)>) {
  const calls: { method: string; url: string; body: unknown }[] = [];
  globalThis.fetch = ((url: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    calls.push({ method, url, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const key = `${method} ${url.split('?')[0]}`;
    const route = routes[key];
    const answer = typeof route === 'function' ? (route as () => unknown)() : route;
    const found = answer !== undefined;
    const body = found ? answer : { statusCode: 404, code: 'NOT_FOUND', message: key };
    const status = found ? (method === 'POST' ? 201 : 200) : 404;
    return Promise.resolve({ status, ok: status < 400, statusText: '', text: () => Promise.resolve(JSON.stringify(body)) } as Response);
  }) as typeof fetch;
  return calls;
}

const stripeScripts = () => [...document.querySelectorAll('script')].filter((s) => s.src.includes('js.stripe.com'));

beforeEach(() => {
  setSession({ token: 't', userId: me.id, expiresAt: Date.now() + 600_000 });
  for (const s of stripeScripts()) s.remove();
});
afterEach(() => setSession(null));

describe('paying the deposit', () => {
  it('chooses Stripe Elements only when the API names a publishable key', () => {
    expect(depositMode(undefined, false)).toBe('loading');
    expect(depositMode(undefined, true)).toBe('test_cards');
    expect(depositMode({ publishableKey: null }, false)).toBe('test_cards');
    expect(depositMode({ publishableKey: 'pk_test_1' }, false)).toBe('stripe');
  });

  it('offline (no publishable key): the test cards, confirmed by the server, and js.stripe.com is never requested', async () => {
    const config: PaymentsConfigView = { mode: 'local', publishableKey: null, testPaymentMethods: ['pm_card_visa', 'pm_card_chargeDeclined'] };
    const calls = routeFetch({
      'GET /api/payments/config': config,
      'GET /api/me': me,
      [`POST /api/lots/${lot.id}/enrolments`]: enrolment({ status: 'secured' }, 'active'),
    });
    renderWithApp(<EnrolmentPanel lot={lot} enrolment={null} canEnrol />);
    await screen.findByTestId('deposit-test-cards');
    expect(screen.getByLabelText('测试卡：支付成功（pm_card_visa）')).toBeTruthy();
    expect(screen.queryByTestId('deposit-stripe')).toBeNull();
    fireEvent.click(screen.getByTestId('enrol-submit'));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    expect(calls.find((c) => c.method === 'POST')).toEqual({ method: 'POST', url: `/api/lots/${lot.id}/enrolments`, body: { paymentMethod: 'pm_card_visa' } });
    await new Promise((r) => setTimeout(r, 50));
    expect(stripeScripts()).toEqual([]);
    expect(calls.every((c) => c.url.startsWith('/api/'))).toBe(true);
  });

  it('with a publishable key: enrols without a payment method and mounts Stripe Elements on the client secret it gets back', async () => {
    const config: PaymentsConfigView = { mode: 'stripe', publishableKey: 'pk_test_fapai', testPaymentMethods: [] };
    let enrolled = false;
    const calls = routeFetch({
      'GET /api/payments/config': config,
      'GET /api/me': me,
      [`POST /api/lots/${lot.id}/enrolments`]: () => ((enrolled = true), enrolment({ clientSecret: 'pi_1_secret_abc' })),
      [`GET /api/lots/${lot.id}/enrolments/me`]: () => (enrolled ? enrolment({ clientSecret: 'pi_1_secret_abc' }) : undefined),
    });
    const seen: { publishableKey: string; clientSecret: string }[] = [];
    const StubForm = (p: { publishableKey: string; clientSecret: string }) => {
      seen.push({ publishableKey: p.publishableKey, clientSecret: p.clientSecret });
      return <p data-testid="stub-stripe-form">stripe form</p>;
    };
    renderWithApp(<Harness StripeForm={StubForm} />);
    await screen.findByTestId('deposit-stripe');
    expect(screen.queryByTestId('deposit-test-cards')).toBeNull();
    expect(screen.getByTestId('enrol-submit').textContent).toBe('报名并以银行卡缴纳保证金');
    fireEvent.click(screen.getByTestId('enrol-submit'));
    await screen.findByTestId('stub-stripe-form');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({});
    expect(seen.at(-1)).toEqual({ publishableKey: 'pk_test_fapai', clientSecret: 'pi_1_secret_abc' });
  });

  it('with a publishable key and a deposit awaiting payment: the real Stripe chunk loads Stripe.js from js.stripe.com', async () => {
    routeFetch({ 'GET /api/payments/config': { mode: 'stripe', publishableKey: 'pk_test_fapai', testPaymentMethods: [] }, 'GET /api/me': me });
    renderWithApp(<EnrolmentPanel lot={lot} enrolment={enrolment({ clientSecret: 'pi_1_secret_abc' })} canEnrol />);
    await screen.findByTestId('stripe-deposit');
    await waitFor(() => expect(stripeScripts()).toHaveLength(1));
    expect(screen.getByTestId('stripe-pay').textContent).toBe('支付保证金');
  });
});
