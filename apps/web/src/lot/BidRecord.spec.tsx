import { fireEvent, screen } from '@testing-library/react';
import type { BidView } from '@fapai/contracts';
import { mockRoutes, renderWithApp } from '../test/render';
import { BidRecord } from './BidRecord';

const LOT = 'lot-1';
const bid = (seq: number): BidView => ({ seq, amount: 700_000 + (seq - 1) * 1000, bidderCode: seq % 2 ? 'A1B2C3' : 'D4E5F6', priority: false, placedAt: '2026-11-28T02:00:00.000Z' });
/** The live window: the 50 newest of 60 bids. */
const liveWindow = Array.from({ length: 50 }, (_, i) => bid(60 - i));

describe('the bid record', () => {
  it('loads the older bids on request, each once', async () => {
    const calls = mockRoutes({ [`GET /api/lots/${LOT}/bids`]: { status: 200, body: { items: Array.from({ length: 10 }, (_, i) => bid(10 - i)), total: 60, page: 2, pageSize: 50 } } });
    renderWithApp(<BidRecord lotId={LOT} total={60} bids={liveWindow} myCode={null} />);
    expect(screen.getByTestId('bid-record').querySelectorAll('tbody tr')).toHaveLength(50);
    fireEvent.click(screen.getByTestId('bid-record-more'));
    await screen.findByText('¥7,000.00');
    expect(calls[0].url).toBe(`/api/lots/${LOT}/bids?page=2&pageSize=50`);
    const rows = [...screen.getByTestId('bid-record').querySelectorAll('tbody tr')].map((r) => r.children[1].textContent);
    expect(rows).toHaveLength(60);
    expect(new Set(rows).size).toBe(60);
    expect(screen.queryByTestId('bid-record-more')).toBeNull();
  });

  it('keeps a failed load as data: a language switch re-words it, and it does not speak of a bid', async () => {
    mockRoutes({ [`GET /api/lots/${LOT}/bids`]: 'network' });
    const view = renderWithApp(<BidRecord lotId={LOT} total={60} bids={liveWindow} myCode={null} />);
    fireEvent.click(screen.getByTestId('bid-record-more'));
    expect(await screen.findByRole('alert')).toHaveTextContent('网络连接失败，请检查网络后重试。');
    view.setLang('en');
    expect(screen.getByRole('alert')).toHaveTextContent('Could not reach the server; check your connection and try again.');
  });
});
