import {
  LOT_STATUSES,
  PROPERTY_TYPES,
  ROUNDS,
  SET_ASIDE_GROUNDS,
  applyLotEvent,
  effectiveStatus,
  isBiddingOpen,
  isLotStatus,
  isPropertyType,
  isRound,
  isSetAsideGround,
  newLotState,
  resumeDeadline,
  type LotEvent,
  type LotState,
  type LotStatus,
} from './lot.js';
import { SANDBOX, STATUTORY } from './rules-profile.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 1, 2, 0, 0); // a fixed instant: tests never read the wall clock
const START = T0 + 30 * DAY;
const END = START + DAY;

function lot(status: LotStatus, patch: Partial<LotState> = {}): LotState {
  return { ...newLotState(START, END), status, ...patch };
}

function ok(r: ReturnType<typeof applyLotEvent>) {
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  return r;
}

describe('lot vocabularies', () => {
  it('exports the arrays for validation, with guards', () => {
    expect(PROPERTY_TYPES).toEqual(['movable', 'real_estate', 'other_right']);
    expect(ROUNDS).toEqual(['first', 'second', 'sale_off']);
    expect(LOT_STATUSES).toHaveLength(11);
    expect(SET_ASIDE_GROUNDS).toHaveLength(6); // OJA Art. 31 (1)–(6)
    expect(isPropertyType('real_estate')).toBe(true);
    expect(isPropertyType('house')).toBe(false);
    expect(isRound('sale_off')).toBe(true);
    expect(isRound(2)).toBe(false);
    expect(isLotStatus('set_aside')).toBe(true);
    expect(isLotStatus('done')).toBe(false);
    expect(isSetAsideGround('collusion')).toBe(true);
    expect(isSetAsideGround('changed_mind')).toBe(false);
  });
});

describe('effectiveStatus and isBiddingOpen', () => {
  it('an announced lot becomes live at startsAt without anyone acting (即将开始 → 正在进行)', () => {
    expect(effectiveStatus(lot('announced'), START - 1)).toBe('announced');
    expect(effectiveStatus(lot('announced'), START)).toBe('live');
    expect(effectiveStatus(lot('announced'), END + DAY)).toBe('live');
  });
  it('live stays live past endsAt until the explicit close; other statuses are as stored', () => {
    expect(effectiveStatus(lot('live'), END + 1)).toBe('live');
    for (const s of LOT_STATUSES.filter((x) => x !== 'announced')) expect(effectiveStatus(lot(s), START)).toBe(s);
  });
  it('OJA Art. 20: bidding is open on [startsAt, endsAt): a bid at endsAt is too late', () => {
    const l = lot('announced');
    expect(isBiddingOpen(l, START - 1)).toBe(false);
    expect(isBiddingOpen(l, START)).toBe(true);
    expect(isBiddingOpen(l, END - 1)).toBe(true);
    expect(isBiddingOpen(l, END)).toBe(false);
    expect(isBiddingOpen(lot('live'), END)).toBe(false);
  });
  it('bidding is closed in every status but live', () => {
    for (const s of LOT_STATUSES.filter((x) => x !== 'live' && x !== 'announced')) {
      expect(isBiddingOpen(lot(s), START + HOUR)).toBe(false);
    }
  });
});

describe('applyLotEvent: which event is allowed from which status', () => {
  // The expected table (at a time inside the bidding window, with the effective status as the key).
  const allowed: Record<Exclude<LotEvent['type'], 'close'>, LotStatus[]> = {
    publish: ['draft'],
    suspend: ['announced', 'live'],
    postpone: ['announced', 'live'],
    resume: ['suspended', 'postponed'],
    withdraw: ['draft', 'announced', 'live', 'suspended', 'postponed'],
    default: ['sold'],
    transfer: ['sold'],
    setAside: ['sold', 'transferred'],
  };
  // close depends on endsAt and is tested on its own below
  const events: Exclude<LotEvent, { type: 'close' }>[] = [
    { type: 'publish' },
    { type: 'suspend', reason: '案外人异议' },
    { type: 'postpone', reason: '系统故障' },
    { type: 'resume' },
    { type: 'withdraw', reason: '申请执行人撤回申请' },
    { type: 'default' },
    { type: 'transfer' },
    { type: 'setAside', ground: 'collusion' },
  ];
  const now = T0; // before the start: 'announced' is announced
  for (const event of events) {
    for (const status of LOT_STATUSES) {
      const expectOk = allowed[event.type].includes(status);
      it(`${event.type} from ${status}: ${expectOk ? 'allowed' : 'LOT_TRANSITION_NOT_ALLOWED'}`, () => {
        const state = lot(status, status === 'suspended' || status === 'postponed' ? { pausedFrom: 'announced' } : {});
        // a live lot is inside its window
        const at = status === 'live' ? START + HOUR : now;
        const r = applyLotEvent(state, event, at, STATUTORY);
        if (expectOk) expect(r.ok).toBe(true);
        else expect(r).toEqual(expect.objectContaining({ ok: false, code: 'LOT_TRANSITION_NOT_ALLOWED' }));
      });
    }
  }
});

describe('publish (OJA Art. 12)', () => {
  it('draft → announced, keeping the schedule', () => {
    const r = ok(applyLotEvent(lot('draft'), { type: 'publish' }, T0, STATUTORY));
    expect(r).toEqual(expect.objectContaining({ from: 'draft', to: 'announced' }));
    expect(r.lot).toEqual(expect.objectContaining({ status: 'announced', startsAt: START, endsAt: END }));
  });
});

describe('suspend / postpone (OJA Art. 28)', () => {
  it('OJA Art. 28: suspending a live lot freezes the remaining bidding time', () => {
    const now = END - 2 * HOUR;
    const r = ok(applyLotEvent(lot('live'), { type: 'suspend', reason: ' 执行异议 ' }, now, STATUTORY));
    expect(r.to).toBe('suspended');
    expect(r.lot).toEqual(
      expect.objectContaining({ pausedFrom: 'live', pausedRemainingMs: 2 * HOUR, statusReason: '执行异议', endsAt: END }),
    );
  });
  it('OJA Art. 28 ¶2: postponing an announced lot whose start has passed treats it as live', () => {
    const r = ok(applyLotEvent(lot('announced'), { type: 'postpone', reason: '平台系统故障' }, START + HOUR, STATUTORY));
    expect(r.from).toBe('live');
    expect(r.lot).toEqual(expect.objectContaining({ status: 'postponed', pausedFrom: 'live', pausedRemainingMs: DAY - HOUR }));
  });
  it('OJA Art. 28: postponing before the start records no remaining time', () => {
    const r = ok(applyLotEvent(lot('announced'), { type: 'postpone', reason: '当事人和解' }, T0, STATUTORY));
    expect(r.lot).toEqual(expect.objectContaining({ status: 'postponed', pausedFrom: 'announced', pausedRemainingMs: null }));
  });
  it.each(['', '   '])('OJA Art. 28 ¶3: a pause without a reason (%p) is refused REASON_REQUIRED', (reason) => {
    for (const type of ['suspend', 'postpone'] as const) {
      const r = applyLotEvent(lot('live'), { type, reason }, START + HOUR, STATUTORY);
      expect(r).toEqual(expect.objectContaining({ ok: false, code: 'REASON_REQUIRED', article: 'OJA Art. 28 ¶3' }));
    }
  });
  it('OJA Art. 20 ¶2: once the bidding time is over (awaiting close), a pause is refused LOT_BIDDING_ENDED', () => {
    const r = applyLotEvent(lot('live'), { type: 'suspend', reason: 'x' }, END, STATUTORY);
    expect(r).toEqual(expect.objectContaining({ ok: false, code: 'LOT_BIDDING_ENDED' }));
    expect(applyLotEvent(lot('live'), { type: 'suspend', reason: 'x' }, END - 1, STATUTORY).ok).toBe(true);
  });
});

describe('resume (OJA Art. 28 ¶4)', () => {
  const pausedLive = (remaining: number) =>
    lot('suspended', { pausedFrom: 'live', pausedRemainingMs: remaining, statusReason: '执行异议' });

  it('OJA Art. 28: resuming a live lot gives back the frozen remaining time from now', () => {
    const now = END + 3 * DAY; // the original end passed while suspended
    const r = ok(applyLotEvent(pausedLive(2 * HOUR), { type: 'resume' }, now, STATUTORY));
    expect(r.to).toBe('live');
    expect(r.lot).toEqual(
      expect.objectContaining({ endsAt: now + 2 * HOUR, pausedFrom: null, pausedRemainingMs: null, statusReason: null }),
    );
  });
  it('OJA Art. 28: with less than the extension window left, bidders get the full window (5 min)', () => {
    const now = END + DAY;
    const r = ok(applyLotEvent(pausedLive(30_000), { type: 'resume' }, now, STATUTORY));
    expect(r.lot.endsAt).toBe(now + 5 * MIN);
  });
  it('OJA Art. 28: the window is from the profile (sandbox 3 s)', () => {
    const r = ok(applyLotEvent(pausedLive(1), { type: 'resume' }, T0, SANDBOX));
    expect(r.lot.endsAt).toBe(T0 + 3000);
  });
  it('OJA Art. 28: a lot paused before its start keeps its schedule when the start is still ahead', () => {
    const paused = lot('postponed', { pausedFrom: 'announced', statusReason: 'x' });
    const r = ok(applyLotEvent(paused, { type: 'resume' }, START - 1, STATUTORY));
    expect(r.lot).toEqual(expect.objectContaining({ status: 'announced', startsAt: START, endsAt: END }));
  });
  it('OJA Art. 20: a lot paused before its start whose start has passed needs a new schedule (SCHEDULE_REQUIRED)', () => {
    const paused = lot('postponed', { pausedFrom: 'announced' });
    expect(applyLotEvent(paused, { type: 'resume' }, START, STATUTORY)).toEqual(
      expect.objectContaining({ ok: false, code: 'SCHEDULE_REQUIRED' }),
    );
    const schedule = { startsAt: START + 10 * DAY, endsAt: START + 11 * DAY };
    const r = ok(applyLotEvent(paused, { type: 'resume', schedule }, START, STATUTORY));
    expect(r.lot).toEqual(expect.objectContaining({ status: 'announced', ...schedule }));
  });
  it('OJA Art. 20: a new schedule shorter than 24 h or starting in the past is refused SCHEDULE_INVALID', () => {
    const paused = lot('postponed', { pausedFrom: 'announced' });
    const short = { startsAt: START + DAY, endsAt: START + 2 * DAY - 1 };
    const past = { startsAt: START - 1, endsAt: START + 2 * DAY };
    for (const schedule of [short, past]) {
      expect(applyLotEvent(paused, { type: 'resume', schedule }, START, STATUTORY)).toEqual(
        expect.objectContaining({ ok: false, code: 'SCHEDULE_INVALID', article: 'OJA Art. 20' }),
      );
    }
  });
  it('OJA Art. 28 ¶4: the resume deadline is 5 days after the cause ends', () => {
    expect(resumeDeadline(T0, STATUTORY)).toBe(T0 + 5 * DAY);
  });
});

describe('withdraw (ASR Art. 17 via OJA Art. 37 ¶3)', () => {
  it('ASR Art. 17: any not-yet-finished lot can be withdrawn with a reason, which is kept', () => {
    for (const s of ['draft', 'announced', 'live', 'suspended', 'postponed'] as const) {
      const r = ok(applyLotEvent(lot(s), { type: 'withdraw', reason: '债务已清偿' }, START + HOUR, STATUTORY));
      expect(r.lot).toEqual(expect.objectContaining({ status: 'withdrawn', statusReason: '债务已清偿', pausedFrom: null }));
    }
  });
  it('ASR Art. 17: a withdrawal without a reason is refused REASON_REQUIRED', () => {
    expect(applyLotEvent(lot('announced'), { type: 'withdraw', reason: ' ' }, T0, STATUTORY)).toEqual(
      expect.objectContaining({ ok: false, code: 'REASON_REQUIRED' }),
    );
  });
  it('OJA Art. 20 ¶2: withdrawing after the bidding time ran out is refused LOT_BIDDING_ENDED', () => {
    expect(applyLotEvent(lot('live'), { type: 'withdraw', reason: 'x' }, END + 1, STATUTORY)).toEqual(
      expect.objectContaining({ ok: false, code: 'LOT_BIDDING_ENDED' }),
    );
  });
});

describe('close (OJA Arts. 11, 20)', () => {
  it('OJA Art. 20: a live lot cannot close before endsAt (LOT_NOT_ENDED)', () => {
    expect(applyLotEvent(lot('live', { bidCount: 1 }), { type: 'close' }, END - 1, STATUTORY)).toEqual(
      expect.objectContaining({ ok: false, code: 'LOT_NOT_ENDED' }),
    );
  });
  it('OJA Art. 11: at endsAt, one valid bid makes a sale (sold)', () => {
    const r = ok(applyLotEvent(lot('live', { bidCount: 1 }), { type: 'close' }, END, STATUTORY));
    expect(r.to).toBe('sold');
  });
  it('OJA Art. 26: no bid → unsold (流拍)', () => {
    expect(ok(applyLotEvent(lot('live'), { type: 'close' }, END + 1, STATUTORY)).to).toBe('unsold');
  });
  it('an announced lot nobody touched closes unsold after its end (it was live all along)', () => {
    const r = ok(applyLotEvent(lot('announced'), { type: 'close' }, END, STATUTORY));
    expect(r).toEqual(expect.objectContaining({ from: 'live', to: 'unsold' }));
  });
  it('a lot that is not live cannot be closed', () => {
    for (const s of ['draft', 'suspended', 'sold', 'unsold', 'withdrawn'] as const) {
      expect(applyLotEvent(lot(s), { type: 'close' }, END + 1, STATUTORY)).toEqual(
        expect.objectContaining({ ok: false, code: 'LOT_TRANSITION_NOT_ALLOWED' }),
      );
    }
  });
});

describe('after the sale (OJA Arts. 22, 24, 31)', () => {
  it('OJA Art. 24: sold → defaulted (悔拍)', () => {
    expect(ok(applyLotEvent(lot('sold'), { type: 'default' }, END + DAY, STATUTORY)).to).toBe('defaulted');
  });
  it('OJA Art. 22 ¶2: sold → transferred', () => {
    expect(ok(applyLotEvent(lot('sold'), { type: 'transfer' }, END + DAY, STATUTORY)).to).toBe('transferred');
  });
  it('OJA Art. 31: sold or transferred → set_aside on each of the six grounds', () => {
    for (const from of ['sold', 'transferred'] as const) {
      for (const ground of SET_ASIDE_GROUNDS) {
        const r = ok(applyLotEvent(lot(from), { type: 'setAside', ground, reason: '裁定撤销' }, END + DAY, STATUTORY));
        expect(r.lot).toEqual(expect.objectContaining({ status: 'set_aside', setAsideGround: ground, statusReason: '裁定撤销' }));
      }
    }
  });
  it('OJA Art. 31: a ground outside the list is refused SET_ASIDE_GROUND_INVALID', () => {
    const event = { type: 'setAside', ground: 'buyer_regrets' } as unknown as LotEvent;
    expect(applyLotEvent(lot('sold'), event, END + DAY, STATUTORY)).toEqual(
      expect.objectContaining({ ok: false, code: 'SET_ASIDE_GROUND_INVALID', article: 'OJA Art. 31' }),
    );
  });
  it('applyLotEvent never mutates its input', () => {
    const before = lot('live');
    const snapshot = structuredClone(before);
    applyLotEvent(before, { type: 'suspend', reason: 'x' }, START + 1, STATUTORY);
    expect(before).toEqual(snapshot);
  });
});
