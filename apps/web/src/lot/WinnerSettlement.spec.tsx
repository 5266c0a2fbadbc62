import { fireEvent, screen, waitFor } from '@testing-library/react';
import type { MeView, PaymentsConfigView, SettlementView } from '@fapai/contracts';
import { setSession } from '../api/session';
import { renderWithApp } from '../test/render';
import { WinnerSettlement } from './WinnerSettlement';
import type { StripeBalanceProps } from './StripeBalance';

const lotId = '33333333-3333-4333-8333-333333333333';
const me: MeView = { id: 'u1', email: 'b@test', displayName: 'B', roles: ['bidder'], courtId: null, agencyId: null, identityVerified: true, realName: '张三', idNumberMasked: '1101**********1234', phoneMasked: '138****8000' };

const settlement = (extra: Partial<SettlementView> = {}): SettlementView => ({
  lotId,
  status: 'awaiting_balance',
  confirmationNo: 'FP20261127-ABCD1234',
  buyerName: '张三',
  bidderCode: 'K7Q2M9',
  price: 700_000,
  depositApplied: 70_000,
  balanceDue: 630_000,
  balanceDeadline: '2026-12-09T00:00:00.000Z',
  caseNumber: '（2026）京0108执1号',
  courtName: '北京市海淀区人民法院',
  lotTitle: '住宅一套',
  soldAt: '2026-11-27T00:00:00.000Z',
  paidAt: null,
  rulingDate: null,
  ruledAt: null,
  defaultedAt: null,
  steps: [],
  balancePayment: null,
  ...extra,
});

const offline: PaymentsConfigView = { mode: 'local', publishableKey: null, testPaymentMethods: ['pm_card_visa', 'pm_card_chargeDeclined'] };
const online: PaymentsConfigView = { mode: 'stripe', publishableKey: 'pk_test_fapai', testPaymentMethods: [] };

type Answer = { status: number; body: unknown };
/** A fetch stand-in that answers by method and path (the component's queries run in any order). */
function routeFetch(routes: Record<string, Answer | (() => Answer)>) {
  const calls: { method: string; url: string; body: unknown }[] = [];
  globalThis.fetch = ((url: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    calls.push({ method, url, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const key = `${method} ${url.split('?')[0]}`;
    const route = routes[key];
    const answer = (typeof route === 'function' ? route() : route) ?? { status: 404, body: { statusCode: 404, code: 'NOT_FOUND', message: key } };
    return Promise.resolve({ status: answer.status, ok: answer.status < 400, statusText: '', text: () => Promise.resolve(JSON.stringify(answer.body)) } as Response);
  }) as typeof fetch;
  return calls;
}
const ok = (body: unknown): Answer => ({ status: 200, body });

const stripeScripts = () => [...document.querySelectorAll('script')].filter((s) => s.src.includes('js.stripe.com'));

/** Stands in for the lazy Stripe chunk (which needs js.stripe.com): records what the component hands it. */
function stubForm() {
  const seen: Omit<StripeBalanceProps, 'onConfirmed'>[] = [];
  const StubForm = ({ onConfirmed: _, ...p }: StripeBalanceProps) => {
    seen.push(p);
    return <p data-testid="stub-stripe-form">stripe form</p>;
  };
  return { seen, StubForm };
}

beforeEach(() => {
  setSession({ token: 't', userId: me.id, expiresAt: Date.now() + 600_000 });
  for (const s of stripeScripts()) s.remove();
});
afterEach(() => setSession(null));

describe('paying the balance', () => {
  it('offline (no publishable key): the test cards, confirmed by the server, and js.stripe.com is never requested', async () => {
    const calls = routeFetch({
      'GET /api/payments/config': ok(offline),
      'GET /api/me': ok(me),
      [`GET /api/lots/${lotId}/settlement`]: ok(settlement()),
      [`POST /api/lots/${lotId}/balance`]: ok(settlement({ status: 'paid', paidAt: '2026-11-28T02:00:00.000Z' })),
    });
    renderWithApp(<WinnerSettlement lotId={lotId} />);
    await screen.findByTestId('balance-test-cards');
    expect(screen.getByLabelText('测试卡：支付成功（pm_card_visa）')).toBeTruthy();
    expect(screen.queryByTestId('balance-stripe')).toBeNull();
    fireEvent.click(screen.getByLabelText('测试卡：被拒付（pm_card_chargeDeclined）'));
    fireEvent.click(screen.getByLabelText('测试卡：支付成功（pm_card_visa）'));
    fireEvent.click(screen.getByTestId('pay-balance'));
    await screen.findByTestId('balance-paid');
    expect(calls.find((c) => c.method === 'POST')).toEqual({ method: 'POST', url: `/api/lots/${lotId}/balance`, body: { paymentMethod: 'pm_card_visa' } });
    expect(screen.queryByTestId('balance-test-cards')).toBeNull();
    expect(stripeScripts()).toEqual([]);
    expect(calls.every((c) => c.url.startsWith('/api/'))).toBe(true);
  });

  it('offline, a card that needs 3-D Secure: says so in plain words, and the balance can be paid again', async () => {
    routeFetch({
      'GET /api/payments/config': ok(offline),
      'GET /api/me': ok(me),
      [`GET /api/lots/${lotId}/settlement`]: ok(settlement()),
      [`POST /api/lots/${lotId}/balance`]: { status: 402, body: { statusCode: 402, code: 'BALANCE_NEEDS_ACTION', message: 'the card needs authentication', details: { paymentIntentId: 'pi_3', clientSecret: 'pi_3_secret_x' } } },
    });
    renderWithApp(<WinnerSettlement lotId={lotId} />, { lang: 'en' });
    await screen.findByTestId('balance-test-cards');
    fireEvent.click(screen.getByTestId('pay-balance'));
    expect((await screen.findByRole('alert')).textContent).toContain('must be verified with the issuing bank');
    expect(screen.getByTestId('pay-balance')).toBeTruthy();
    expect(stripeScripts()).toEqual([]);
  });

  it('with a publishable key: starts the payment without a payment method and mounts Stripe Elements on the client secret it gets back', async () => {
    const calls = routeFetch({
      'GET /api/payments/config': ok(online),
      'GET /api/me': ok(me),
      [`GET /api/lots/${lotId}/settlement`]: ok(settlement()),
      [`POST /api/lots/${lotId}/balance`]: ok(settlement({ balancePayment: { paymentIntentId: 'pi_2', clientSecret: 'pi_2_secret_abc' } })),
    });
    const { seen, StubForm } = stubForm();
    renderWithApp(<WinnerSettlement lotId={lotId} StripeForm={StubForm} />);
    await screen.findByTestId('balance-stripe');
    expect(screen.queryByTestId('balance-test-cards')).toBeNull();
    expect(screen.getByTestId('pay-balance').textContent).toContain('以银行卡支付尾款');
    fireEvent.click(screen.getByTestId('pay-balance'));
    await screen.findByTestId('stub-stripe-form');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({});
    expect(seen.at(-1)).toEqual({ publishableKey: 'pk_test_fapai', clientSecret: 'pi_2_secret_abc', amount: 630_000, nextAction: false });
  });

  it('with a publishable key, a card that needs 3-D Secure: the Stripe chunk finishes that intent', async () => {
    routeFetch({
      'GET /api/payments/config': ok(online),
      'GET /api/me': ok(me),
      [`GET /api/lots/${lotId}/settlement`]: ok(settlement()),
      [`POST /api/lots/${lotId}/balance`]: { status: 402, body: { statusCode: 402, code: 'BALANCE_NEEDS_ACTION', message: 'the card needs authentication', details: { paymentIntentId: 'pi_3', clientSecret: 'pi_3_secret_x' } } },
    });
    const { seen, StubForm } = stubForm();
    renderWithApp(<WinnerSettlement lotId={lotId} StripeForm={StubForm} />);
    fireEvent.click(await screen.findByTestId('pay-balance'));
    await screen.findByTestId('stub-stripe-form');
    expect(seen.at(-1)).toMatchObject({ clientSecret: 'pi_3_secret_x', nextAction: true });
  });

  it('with a publishable key and an open balance payment: the real Stripe chunk loads Stripe.js from js.stripe.com', async () => {
    routeFetch({
      'GET /api/payments/config': ok(online),
      'GET /api/me': ok(me),
      [`GET /api/lots/${lotId}/settlement`]: ok(settlement({ balancePayment: { paymentIntentId: 'pi_2', clientSecret: 'pi_2_secret_abc' } })),
    });
    renderWithApp(<WinnerSettlement lotId={lotId} />);
    await screen.findByTestId('stripe-balance');
    await waitFor(() => expect(stripeScripts()).toHaveLength(1));
    expect(screen.getByTestId('stripe-pay').textContent).toContain('支付尾款');
  });
});
