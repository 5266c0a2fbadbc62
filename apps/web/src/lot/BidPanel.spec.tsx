import { jest } from '@jest/globals';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import type { EnrolmentView, LotView, PlaceBidResponse } from '@fapai/contracts';
import { mockFetch, renderWithApp } from '../test/render';
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
});
