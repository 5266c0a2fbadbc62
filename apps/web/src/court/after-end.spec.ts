import { availableAfterEnd, toDefaultBody, toDispositionBody, toPriorityBody, toRulingBody, toSetAsideBody } from './after-end';

describe('acts after the end', () => {
  it('offers the acts the lot and its settlement allow', () => {
    expect(availableAfterEnd({ status: 'sold', round: 'first' }, { status: 'paid' })).toEqual(['ruling', 'setAside']);
    expect(availableAfterEnd({ status: 'sold', round: 'first' }, { status: 'awaiting_balance' })).toEqual(['default', 'setAside']);
    expect(availableAfterEnd({ status: 'transferred', round: 'first' }, { status: 'ruled' })).toEqual(['setAside']);
    expect(availableAfterEnd({ status: 'defaulted', round: 'first' }, { status: 'defaulted' })).toEqual(['relist']);
    expect(availableAfterEnd({ status: 'unsold', round: 'first' }, null)).toEqual(['relist']);
    expect(availableAfterEnd({ status: 'unsold', round: 'second' }, null)).toEqual(['relist', 'disposition']);
    expect(availableAfterEnd({ status: 'unsold', round: 'sale_off' }, null)).toEqual(['disposition']);
  });
});

describe('forms → request bodies', () => {
  it('ruling date as YYYY-MM-DD', () => {
    expect(toRulingBody('2026-12-01')).toEqual({ ok: true, body: { rulingDate: '2026-12-01' } });
    expect(toRulingBody('')).toMatchObject({ ok: false, error: 'required' });
    expect(toRulingBody('2026-02-30')).toMatchObject({ ok: false, error: 'invalid' });
  });

  it('default: reason, costs in fen when given', () => {
    expect(toDefaultBody(' 逾期未缴尾款 ', '1,234.5')).toEqual({ ok: true, body: { reason: '逾期未缴尾款', auctionCosts: 123_450 } });
    expect(toDefaultBody('逾期未缴尾款', '')).toEqual({ ok: true, body: { reason: '逾期未缴尾款' } });
    expect(toDefaultBody('x', '')).toMatchObject({ ok: false, field: 'reason' });
    expect(toDefaultBody('逾期', '1.234')).toMatchObject({ ok: false, field: 'auctionCosts' });
  });

  it('set aside: a ground of OJA Art. 31 and a reason', () => {
    expect(toSetAsideBody('collusion', '竞买人串通')).toEqual({ ok: true, body: { ground: 'collusion', reason: '竞买人串通' } });
    expect(toSetAsideBody('', '竞买人串通')).toMatchObject({ ok: false, field: 'ground' });
    expect(toSetAsideBody('whim', '竞买人串通')).toMatchObject({ ok: false, field: 'ground' });
  });

  it('disposition and priority rank', () => {
    expect(toDispositionBody('release_seizure', '申请人不接受以物抵债')).toEqual({ ok: true, body: { path: 'release_seizure', note: '申请人不接受以物抵债' } });
    expect(toDispositionBody('sell_anyway', '说明')).toMatchObject({ ok: false, field: 'path' });
    expect(toPriorityBody('e1', '2')).toEqual({ ok: true, body: { enrolmentId: 'e1', rank: 2 } });
    expect(toPriorityBody('e1', '0')).toMatchObject({ ok: false, field: 'rank' });
    expect(toPriorityBody('e1', 'x')).toMatchObject({ ok: false, field: 'rank' });
  });
});
