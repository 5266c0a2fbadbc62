import { jest } from '@jest/globals';
import { useState } from 'react';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import type { EnrolmentView, LotView, PlaceBidResponse } from '@fapai/contracts';
import { mockFetch, renderWithApp } from '../test/render';
import { useI18n } from '../i18n/i18n';
import { BidPanel } from './BidPanel';

const lot = {
  id: '11111111-1111-4111-8111-111111111111',
  status: 'live',
  startingPrice: 24_500_000,
  increment: 122_500,
  currentPrice: 24_500_000,
  leaderCode: 'ABC123',
  seq: 1,
} as LotView;
const enrolment = { id: 'e', lotId: lot.id, status: 'active', bidderCode: 'XYZ789', priorityRank: null, priorityClaim: null, applicantCreditor: false, depositDue: 2_450_000, deposit: null } as EnrolmentView;

const accepted = (amount: number): PlaceBidResponse => ({
  bid: { seq: 2, amount, bidderCode: 'XYZ789', priority: false, placedAt: '2026-11-27T08:00:00.000Z' },
  lot: { currentPrice: amount, endsAt: '2026-11-27T08:00:10.000Z', leaderCode: 'XYZ789', bidCount: 2, extensionCount: 0, seq: 2 },
});

function renderPanel(lang: 'zh' | 'en' = 'zh', onAccepted = jest.fn()) {
  renderWithApp(<BidPanel lot={lot} enrolment={enrolment} leaderIsPriority={false} jumpConfirmIncrements={10} open onAccepted={onAccepted} />, { lang });
  return onAccepted;
}

describe('BidPanel', () => {
  it('proposes the minimum next bid in figures and in capital numerals', () => {
    renderPanel();
    expect(screen.getByTestId('bid-amount')).toHaveTextContent('¥246,225.00');
    expect(screen.getByTestId('bid-capital')).toHaveTextContent('贰拾肆万陆仟贰佰贰拾伍元整');
    expect(screen.getByText('最低可出价 ¥246,225.00')).toBeInTheDocument();
  });

  it('steps in increments, and not below the minimum', () => {
    renderPanel();
    fireEvent.click(screen.getByRole('button', { name: '加一个幅度' }));
    expect(screen.getByTestId('bid-amount')).toHaveTextContent('¥247,450.00');
    expect(screen.getByTestId('bid-capital')).toHaveTextContent('贰拾肆万柒仟肆佰伍拾元整');
    fireEvent.click(screen.getByRole('button', { name: '减一个幅度' }));
    fireEvent.click(screen.getByRole('button', { name: '减一个幅度' }));
    expect(screen.getByTestId('bid-amount')).toHaveTextContent('¥246,225.00');
  });

  it('sends the bid with an Idempotency-Key and reports it', async () => {
    const calls = mockFetch({ status: 201, body: accepted(24_622_500) });
    const onAccepted = renderPanel();
    fireEvent.click(screen.getByTestId('bid-submit'));
    await waitFor(() => expect(onAccepted).toHaveBeenCalled());
    expect(calls[0].url).toBe(`/api/lots/${lot.id}/bids`);
    expect(JSON.parse(String(calls[0].init?.body))).toEqual({ amount: 24_622_500 });
    expect((calls[0].init?.headers as Record<string, string>)['Idempotency-Key']).toMatch(/.{8,}/);
    expect(await screen.findByTestId('bid-accepted')).toHaveTextContent('出价成功：¥246,225.00');
  });

  it('asks for confirmation before a jump bid and then sends confirmJump', async () => {
    const calls = mockFetch({ status: 201, body: accepted(24_500_000 + 12 * 122_500) });
    renderPanel();
    fireEvent.change(screen.getByTestId('bid-amount-input'), { target: { value: String((24_500_000 + 12 * 122_500) / 100) } });
    fireEvent.click(screen.getByTestId('bid-submit'));
    expect(await screen.findByText('确认跳跃出价')).toBeInTheDocument();
    expect(calls).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: '确认出价' }));
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(JSON.parse(String(calls[0].init?.body))).toEqual({ amount: 25_970_000, confirmJump: true });
  });

  it('shows a refusal in plain Chinese and moves to the new minimum', async () => {
    mockFetch({ status: 409, body: { statusCode: 409, code: 'BID_TOO_LOW', message: 'the bid must be above the current price', details: { minimum: 24_745_000 } } });
    renderPanel();
    fireEvent.click(screen.getByTestId('bid-submit'));
    expect(await screen.findByTestId('bid-error')).toHaveTextContent('出价低于当前可出的最低价');
    expect(screen.getByTestId('bid-amount')).toHaveTextContent('¥247,450.00');
  });

  it('shows refusals in English too', async () => {
    mockFetch({ status: 422, body: { statusCode: 422, code: 'LOT_ENDED', message: 'bidding has ended' } });
    renderPanel('en');
    fireEvent.click(screen.getByTestId('bid-submit'));
    expect(await screen.findByTestId('bid-error')).toHaveTextContent('Bidding has ended; your bid was not accepted.');
  });

  it('reuses the Idempotency-Key when retrying after a network error', async () => {
    const keys: string[] = [];
    let attempt = 0;
    globalThis.fetch = ((_url: string, init?: RequestInit) => {
      keys.push((init?.headers as Record<string, string>)['Idempotency-Key']);
      attempt += 1;
      if (attempt === 1) return Promise.reject(new TypeError('Failed to fetch'));
      return Promise.resolve({ status: 201, ok: true, statusText: '', text: () => Promise.resolve(JSON.stringify(accepted(24_622_500))) } as Response);
    }) as typeof fetch;
    renderPanel();
    fireEvent.click(screen.getByTestId('bid-submit'));
    expect(await screen.findByTestId('bid-error')).toHaveTextContent('网络异常');
    fireEvent.click(screen.getByTestId('bid-submit'));
    await screen.findByTestId('bid-accepted');
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
  });

  it.each(['75100.999', '7.5万', 'abc', ''])('shows an error for %j, disables the bid and sends nothing', (typed) => {
    const calls = mockFetch({ status: 201, body: accepted(24_622_500) });
    renderPanel();
    fireEvent.change(screen.getByTestId('bid-amount-input'), { target: { value: typed } });
    expect(screen.getByTestId('bid-amount-invalid')).toHaveTextContent('请输入以元为单位的金额');
    expect(screen.getByTestId('bid-amount-input')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByTestId('bid-amount')).toHaveTextContent('—');
    expect(screen.getByTestId('bid-submit')).toBeDisabled();
    // Enter in the field submits the form even when the button is disabled: still nothing is sent.
    fireEvent.submit(screen.getByTestId('bid-amount-input').closest('form')!);
    fireEvent.blur(screen.getByTestId('bid-amount-input'));
    expect(screen.getByTestId('bid-amount-input')).toHaveValue(typed);
    expect(calls).toHaveLength(0);
  });

  it('sends what is typed, full-width digits included, never an earlier amount', async () => {
    const calls = mockFetch({ status: 201, body: accepted(24_745_000) });
    renderPanel();
    fireEvent.change(screen.getByTestId('bid-amount-input'), { target: { value: '２４７４５０' } });
    expect(screen.getByTestId('bid-amount')).toHaveTextContent('¥247,450.00');
    expect(screen.getByText('高于当前价 2 个加价幅度')).toBeInTheDocument();
    fireEvent.click(screen.getByTestId('bid-submit'));
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(JSON.parse(String(calls[0].init?.body))).toEqual({ amount: 24_745_000 });
  });

  it('says "1 increment" in the singular in English, and labels the field with ASCII brackets', () => {
    renderPanel('en');
    expect(screen.getByText('1 increment above the current price')).toBeInTheDocument();
    expect(screen.getByLabelText('Bid amount (yuan)')).toBeInTheDocument();
  });

  it('drops "bid accepted" once someone else leads, and offers the box again', async () => {
    mockFetch({ status: 201, body: accepted(24_622_500) });
    const h = renderHarness();
    fireEvent.click(screen.getByTestId('bid-submit'));
    await screen.findByTestId('bid-accepted');
    // Our own bid applied: we lead, so there is nothing to bid (the server would refuse it).
    act(() => h.setLot({ ...lot, currentPrice: 24_622_500, leaderCode: 'XYZ789', seq: 2 }));
    expect(screen.getByTestId('bid-accepted')).toHaveTextContent('出价成功：¥246,225.00');
    expect(screen.getByTestId('bid-leading')).toHaveTextContent('您当前领先');
    expect(screen.queryByTestId('bid-submit')).toBeNull();
    act(() => h.setLot({ ...lot, currentPrice: 24_745_000, leaderCode: 'ABC123', seq: 3 }));
    expect(screen.queryByTestId('bid-accepted')).toBeNull();
    expect(screen.getByTestId('bid-amount')).toHaveTextContent('¥248,675.00');
  });

  it('re-seeds the amount when the minimum moves without the price (a priority match)', () => {
    const h = renderHarness({ ...enrolment, priorityRank: 1 });
    // A priority purchaser may match an ordinary leader's price.
    expect(screen.getByTestId('bid-amount')).toHaveTextContent('¥245,000.00');
    // Another priority purchaser matched: same price, but now a match no longer wins.
    act(() => h.setLeaderIsPriority(true));
    expect(screen.getByTestId('bid-amount')).toHaveTextContent('¥246,225.00');
    expect(screen.getByTestId('bid-amount-input')).toHaveValue('246225');
  });

  it('keeps a refusal as its code, so it re-renders in the new language', async () => {
    mockFetch({ status: 409, body: { statusCode: 409, code: 'IDEMPOTENCY_KEY_REUSED', message: 'the key was used for another bid' } });
    const h = renderHarness();
    fireEvent.click(screen.getByTestId('bid-submit'));
    expect(await screen.findByTestId('bid-error')).toHaveTextContent('请刷新页面后重新出价');
    act(() => h.setLang('en'));
    expect(screen.getByTestId('bid-error')).toHaveTextContent('reload the page and bid again');
  });
});

/** The panel with its inputs held in state, so a test can move the lot as the live page would. */
function renderHarness(mine: EnrolmentView = enrolment) {
  const h = {} as { setLot(l: LotView): void; setLeaderIsPriority(v: boolean): void; setLang(l: 'zh' | 'en'): void };
  function Harness() {
    const [current, setLot] = useState(lot);
    const [leaderIsPriority, setLeaderIsPriority] = useState(false);
    const { setLang } = useI18n();
    Object.assign(h, { setLot, setLeaderIsPriority, setLang });
    return <BidPanel lot={current} enrolment={mine} leaderIsPriority={leaderIsPriority} jumpConfirmIncrements={10} open onAccepted={jest.fn()} />;
  }
  renderWithApp(<Harness />);
  return h;
}

