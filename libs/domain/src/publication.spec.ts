import { PUBLICATION_VIOLATION_CODES } from './errors.js';
import {
  DISCLOSURE_FIELDS,
  describeMs,
  announceLeadMs,
  announcementTime,
  checkPublication,
  relistStartFloor,
  startPriceFloor,
  type PartyNotice,
  type PreviousRound,
  type PublicationContext,
  type PublicationDraft,
} from './publication.js';
import { SANDBOX, STATUTORY } from './rules-profile.js';

const SEC = 1000;
const HOUR = 3600 * SEC;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 3, 1, 1, 0, 0); // fixed; the library never reads the wall clock

const REF = 4_727_500_00; // ¥4,727,500 (rulebook §2.2, S9)
const START = 3_309_250_00; // exactly 70 %

const ALL_DISCLOSURES = {
  announcementText: '拍卖公告全文……',
  enforcementTitle: '(2025)粤1303民初123号民事判决书',
  valuationBasis: '评估报告副本（附件）',
  titleAndEncumbrances: '房屋现由被执行人居住，设有抵押一项',
  priorityHolders: '无',
  notificationStatement: '已于公告前书面通知申请执行人、被执行人；被执行人无法送达，已在平台公示',
  taxesAndFees: '过户税费由买受人承担',
  courtContact: '惠阳区人民法院执行局 0752-0000000',
};

const NOTICES: PartyNotice[] = [
  { party: '申请执行人', role: 'party', kind: 'notified', at: NOW - 3 * DAY },
  { party: '被执行人', role: 'party', kind: 'unreachable', publishedAt: NOW - 5 * DAY },
  { party: '承租人', role: 'priority_holder', kind: 'waived' },
];

function draft(patch: Partial<PublicationDraft> = {}): PublicationDraft {
  const startsAt = NOW + 30 * DAY;
  return {
    propertyType: 'real_estate',
    round: 'first',
    referencePrice: REF,
    startingPrice: START,
    deposit: 500_000_00,
    increment: 5_000_00,
    announceAt: null,
    startsAt,
    endsAt: startsAt + DAY,
    notices: NOTICES,
    disclosures: ALL_DISCLOSURES,
    ...patch,
  };
}

const ctx = (patch: Partial<PublicationContext> = {}): PublicationContext => ({ now: NOW, profile: STATUTORY, ...patch });

const codes = (d: PublicationDraft, c: PublicationContext = ctx()) => checkPublication(d, c).map((v) => v.code);

describe('checkPublication: a complete, lawful draft', () => {
  it('has no violations (real estate, first round, 30 days notice, 70 % start, 15 % deposit)', () => {
    expect(checkPublication(draft(), ctx())).toEqual([]);
  });
  it('every violation carries a known code, a field, an article and a message', () => {
    const broken = draft({ startingPrice: 0, increment: 0, endsAt: 0, notices: [], disclosures: {} });
    const vs = checkPublication(broken, ctx());
    expect(vs.length).toBeGreaterThan(5);
    for (const v of vs) {
      expect(PUBLICATION_VIOLATION_CODES).toContain(v.code);
      expect(v.field).not.toBe('');
      expect(v.article).toMatch(/OJA|RPR|PRACTICE/);
      expect(v.message).not.toBe('');
    }
  });
});

describe('prices (OJA Art. 10)', () => {
  it('OJA Art. 10 ¶2: a start of exactly 70 % of the reference price is allowed', () => {
    expect(codes(draft({ startingPrice: START, deposit: 500_000_00 }))).toEqual([]);
  });
  it('OJA Art. 10 ¶2: 1 fen below 70 % is START_PRICE_BELOW_FLOOR, naming the minimum', () => {
    const vs = checkPublication(draft({ startingPrice: START - 1 }), ctx());
    expect(vs).toEqual([
      expect.objectContaining({
        code: 'START_PRICE_BELOW_FLOOR',
        field: 'startingPrice',
        article: 'OJA Art. 10 ¶2',
        details: { referencePrice: REF, minimum: START, ratioBp: 7000 },
      }),
    ]);
  });
  it('OJA Art. 10 ¶2: the floor rounds up to the fen (70 % of 333 fen is 233.1 → 234)', () => {
    expect(startPriceFloor(333, STATUTORY)).toBe(234);
    const small = { referencePrice: 333, deposit: 20, increment: 1 };
    expect(codes(draft({ ...small, startingPrice: 233 }))).toContain('START_PRICE_BELOW_FLOOR');
    expect(codes(draft({ ...small, startingPrice: 234 }))).toEqual([]);
  });
  it('OJA Art. 10 ¶2; RPR Art. 30: a first round without a reference price is REFERENCE_PRICE_MISSING', () => {
    expect(codes(draft({ referencePrice: null }))).toEqual(['REFERENCE_PRICE_MISSING']);
    expect(codes(draft({ referencePrice: 0 }))).toEqual(['REFERENCE_PRICE_MISSING']);
  });
  it.each([0, -1, 1.5])('OJA Art. 10 ¶1: a starting price of %p is START_PRICE_INVALID', (startingPrice) => {
    expect(codes(draft({ startingPrice }))).toEqual(['START_PRICE_INVALID']);
  });
});

describe('second round (OJA Art. 26 ¶1)', () => {
  const prev: PreviousRound = { round: 'first', startingPrice: START, endedAt: NOW - 10 * DAY };
  const second = (patch: Partial<PublicationDraft> = {}) =>
    draft({ round: 'second', referencePrice: null, startingPrice: 2_647_400_00, deposit: 300_000_00, startsAt: NOW + 15 * DAY, endsAt: NOW + 16 * DAY, ...patch });

  it('OJA Art. 26: the start may drop exactly 20 % (3,309,250 → 2,647,400)', () => {
    expect(relistStartFloor(START, STATUTORY)).toBe(2_647_400_00);
    expect(codes(second(), ctx({ previousRound: prev }))).toEqual([]);
  });
  it('OJA Art. 26: a drop of more than 20 % is RELIST_REDUCTION_TOO_LARGE', () => {
    const vs = checkPublication(second({ startingPrice: 2_647_400_00 - 1 }), ctx({ previousRound: prev }));
    expect(vs).toEqual([
      expect.objectContaining({
        code: 'RELIST_REDUCTION_TOO_LARGE',
        details: { previousStartingPrice: START, minimum: 2_647_400_00, maxReductionBp: 2000 },
      }),
    ]);
  });
  it('OJA Art. 26: the 80 % floor rounds up (80 % of 999 fen = 799.2 → 800)', () => {
    expect(relistStartFloor(999, STATUTORY)).toBe(800);
  });
  it('OJA Art. 26: the 70 % rule of Art. 10 does not apply to a second round', () => {
    expect(codes(second({ referencePrice: REF }), ctx({ previousRound: prev }))).toEqual([]);
  });
  it('OJA Art. 26: relisted exactly 30 days after the failed first round is in time; 1 ms later is RELIST_TOO_LATE', () => {
    const endedAt = NOW - 30 * DAY;
    expect(codes(second(), ctx({ previousRound: { ...prev, endedAt } }))).toEqual([]);
    expect(codes(second(), ctx({ previousRound: { ...prev, endedAt: endedAt - 1 } }))).toEqual(['RELIST_TOO_LATE']);
  });
  it('OJA Art. 26: a scheduled announcement is what must fall within the 30 days', () => {
    const d = second({ announceAt: NOW + 21 * DAY, startsAt: NOW + 40 * DAY, endsAt: NOW + 41 * DAY });
    expect(codes(d, ctx({ previousRound: prev }))).toEqual(['RELIST_TOO_LATE']);
  });
  it('OJA Art. 26: real estate needs 15 days’ notice in a second round; 1 ms less is ANNOUNCEMENT_TOO_SHORT', () => {
    expect(codes(second({ startsAt: NOW + 15 * DAY - 1 }), ctx({ previousRound: prev }))).toEqual(['ANNOUNCEMENT_TOO_SHORT']);
  });
  it('OJA Art. 26: movables need 7 days’ notice in a second round', () => {
    const m = { propertyType: 'movable' as const, startsAt: NOW + 7 * DAY, endsAt: NOW + 8 * DAY };
    expect(codes(second(m), ctx({ previousRound: prev }))).toEqual([]);
    expect(codes(second({ ...m, startsAt: NOW + 7 * DAY - 1 }), ctx({ previousRound: prev }))).toEqual(['ANNOUNCEMENT_TOO_SHORT']);
  });
  it('OJA Art. 26: a second round needs the failed first round (PREVIOUS_ROUND_INVALID)', () => {
    expect(codes(second(), ctx())).toEqual(['PREVIOUS_ROUND_INVALID']);
    expect(codes(second(), ctx({ previousRound: { ...prev, round: 'second' } }))).toEqual(['PREVIOUS_ROUND_INVALID']);
  });
});

describe('sale-off (变卖; PRACTICE, rulebook §6.3)', () => {
  const prev: PreviousRound = { round: 'second', startingPrice: 2_647_400_00, endedAt: NOW - 5 * DAY };
  const saleOff = (patch: Partial<PublicationDraft> = {}) =>
    draft({
      round: 'sale_off',
      referencePrice: null,
      startingPrice: 2_647_400_00,
      deposit: 300_000_00,
      startsAt: NOW + 15 * DAY,
      endsAt: NOW + 75 * DAY,
      ...patch,
    });
  it('PRACTICE: the sale-off price is the failed second round’s start', () => {
    expect(codes(saleOff(), ctx({ previousRound: prev }))).toEqual([]);
    expect(codes(saleOff({ startingPrice: 2_600_000_00 }), ctx({ previousRound: prev }))).toEqual(['SALE_OFF_PRICE_MISMATCH']);
  });
  it('PRACTICE: announced within 15 days of the failed second round, else SALE_OFF_TOO_LATE', () => {
    expect(codes(saleOff(), ctx({ previousRound: { ...prev, endedAt: NOW - 15 * DAY } }))).toEqual([]);
    expect(codes(saleOff(), ctx({ previousRound: { ...prev, endedAt: NOW - 15 * DAY - 1 } }))).toEqual(['SALE_OFF_TOO_LATE']);
  });
  it('PRACTICE: the sale-off period (变卖期) lasts at most 60 days, else SALE_OFF_PERIOD_TOO_LONG', () => {
    expect(codes(saleOff({ endsAt: NOW + 15 * DAY + 60 * DAY }), ctx({ previousRound: prev }))).toEqual([]);
    expect(codes(saleOff({ endsAt: NOW + 15 * DAY + 60 * DAY + 1 }), ctx({ previousRound: prev }))).toEqual(['SALE_OFF_PERIOD_TOO_LONG']);
  });
  it('OJA Art. 37 ¶1: the second-round notice applies by analogy (real estate 15 days)', () => {
    expect(codes(saleOff({ startsAt: NOW + 15 * DAY - 1, endsAt: NOW + 74 * DAY }), ctx({ previousRound: prev }))).toEqual(['ANNOUNCEMENT_TOO_SHORT']);
  });
  it('OJA Art. 26 ¶2: a sale-off follows a failed second round (PREVIOUS_ROUND_INVALID)', () => {
    expect(codes(saleOff(), ctx({ previousRound: { ...prev, round: 'first' } }))).toEqual(['PREVIOUS_ROUND_INVALID']);
  });
});

describe('deposit and increment (OJA Arts. 17, 20)', () => {
  it('OJA Art. 17: exactly 5 % and exactly 20 % of the start are allowed', () => {
    expect(codes(draft({ deposit: 165_462_50 }))).toEqual([]);
    expect(codes(draft({ deposit: 661_850_00 }))).toEqual([]);
  });
  it('OJA Art. 17: 1 fen outside 5 %–20 % is DEPOSIT_OUT_OF_RANGE with the range', () => {
    for (const deposit of [165_462_50 - 1, 661_850_00 + 1]) {
      expect(checkPublication(draft({ deposit }), ctx())).toEqual([
        expect.objectContaining({ code: 'DEPOSIT_OUT_OF_RANGE', field: 'deposit', details: { min: 165_462_50, max: 661_850_00 } }),
      ]);
    }
  });
  it('OJA Art. 17: a deposit that is not an amount of fen is DEPOSIT_OUT_OF_RANGE', () => {
    expect(codes(draft({ deposit: 1.5 }))).toEqual(['DEPOSIT_OUT_OF_RANGE']);
  });
  it.each([0, -5, 1.5])('OJA Art. 20 ¶1: an increment of %p is INCREMENT_INVALID', (increment) => {
    expect(codes(draft({ increment }))).toEqual(['INCREMENT_INVALID']);
  });
});

describe('schedule (OJA Arts. 12, 20)', () => {
  it('OJA Art. 20: exactly 24 h of bidding is allowed; 1 ms less is BIDDING_TOO_SHORT', () => {
    const startsAt = NOW + 30 * DAY;
    expect(codes(draft({ endsAt: startsAt + DAY }))).toEqual([]);
    expect(checkPublication(draft({ endsAt: startsAt + DAY - 1 }), ctx())).toEqual([
      expect.objectContaining({ code: 'BIDDING_TOO_SHORT', field: 'endsAt', details: expect.objectContaining({ earliestEnd: startsAt + DAY }) }),
    ]);
  });
  it('OJA Art. 20: an end at or before the start is ENDS_BEFORE_START (and not also BIDDING_TOO_SHORT)', () => {
    const startsAt = NOW + 30 * DAY;
    expect(codes(draft({ endsAt: startsAt }))).toEqual(['ENDS_BEFORE_START']);
  });
  it('OJA Art. 20: a draft without its times is SCHEDULE_MISSING on each missing one, and nothing else of the schedule', () => {
    const startsAt = NOW + 30 * DAY;
    expect(checkPublication(draft({ startsAt: Number.NaN, endsAt: Number.NaN }), ctx()).filter((v) => v.field === 'startsAt' || v.field === 'endsAt')).toEqual([
      expect.objectContaining({ code: 'SCHEDULE_MISSING', field: 'startsAt' }),
      expect.objectContaining({ code: 'SCHEDULE_MISSING', field: 'endsAt' }),
    ]);
    expect(codes(draft({ startsAt, endsAt: Number.NaN }))).toEqual(['SCHEDULE_MISSING']);
    expect(checkPublication(draft({ startsAt, endsAt: Number.NaN }), ctx())[0]).toMatchObject({ field: 'endsAt', article: 'OJA Art. 20' });
  });
  it.each([
    ['movable', 15],
    ['real_estate', 30],
    ['other_right', 30],
  ] as const)('OJA Art. 12: a first-round %s lot needs %i days between announcement and start', (propertyType, days) => {
    expect(announceLeadMs(propertyType, 'first', STATUTORY)).toBe(days * DAY);
    const at = (startsAt: number) => draft({ propertyType, startsAt, endsAt: startsAt + DAY });
    expect(codes(at(NOW + days * DAY))).toEqual([]);
    const vs = checkPublication(at(NOW + days * DAY - 1), ctx());
    expect(vs).toEqual([
      expect.objectContaining({
        code: 'ANNOUNCEMENT_TOO_SHORT',
        article: 'OJA Art. 12 ¶1',
        details: { announceAt: NOW, leadMs: days * DAY, earliestStart: NOW + days * DAY },
      }),
    ]);
  });
  it('OJA Art. 12: the lead counts from a scheduled announcement, not from now', () => {
    const announceAt = NOW + 2 * DAY;
    expect(codes(draft({ announceAt }))).toEqual(['ANNOUNCEMENT_TOO_SHORT']);
    expect(codes(draft({ announceAt, startsAt: announceAt + 30 * DAY, endsAt: announceAt + 31 * DAY }))).toEqual([]);
  });
  it('OJA Art. 12: a scheduled time in the past counts as now', () => {
    expect(announcementTime({ announceAt: NOW - DAY }, NOW)).toBe(NOW);
    expect(announcementTime({ announceAt: null }, NOW)).toBe(NOW);
    expect(announcementTime({ announceAt: NOW + 1 }, NOW)).toBe(NOW + 1);
    expect(codes(draft({ announceAt: NOW - 10 * DAY, startsAt: NOW + 25 * DAY, endsAt: NOW + 26 * DAY }))).toEqual([
      'ANNOUNCEMENT_TOO_SHORT',
    ]);
  });
});

describe('notice to the parties (OJA Art. 16 ¶1)', () => {
  const withNotices = (...notices: PartyNotice[]) => draft({ notices });
  it('OJA Art. 16: notified exactly 3 days before the announcement is in time; 1 ms later is PARTIES_NOT_NOTIFIED', () => {
    expect(codes(withNotices({ party: 'A', role: 'party', kind: 'notified', at: NOW - 3 * DAY }))).toEqual([]);
    const vs = checkPublication(withNotices({ party: 'A', role: 'party', kind: 'notified', at: NOW - 3 * DAY + 1 }), ctx());
    expect(vs).toEqual([
      expect.objectContaining({
        code: 'PARTIES_NOT_NOTIFIED',
        field: 'notices[0]',
        details: { party: 'A', role: 'party', kind: 'notified', latestNotice: NOW - 3 * DAY },
      }),
    ]);
  });
  it('OJA Art. 16: a notice sent now is enough for an announcement scheduled 3 days later', () => {
    const d = draft({
      announceAt: NOW + 3 * DAY,
      startsAt: NOW + 33 * DAY,
      endsAt: NOW + 34 * DAY,
      notices: [{ party: 'A', role: 'party', kind: 'notified', at: NOW }],
    });
    expect(codes(d)).toEqual([]);
  });
  it('OJA Art. 16: a priority holder who waived in writing needs no notice; a party cannot waive', () => {
    expect(codes(withNotices({ party: 'P', role: 'priority_holder', kind: 'waived' }))).toEqual([]);
    expect(codes(withNotices({ party: 'D', role: 'party', kind: 'waived' }))).toEqual(['PARTIES_NOT_NOTIFIED']);
  });
  it('OJA Art. 16: an unreachable party is deemed notified after 5 days of publication on the platform', () => {
    expect(codes(withNotices({ party: 'D', role: 'party', kind: 'unreachable', publishedAt: NOW - 5 * DAY }))).toEqual([]);
    expect(codes(withNotices({ party: 'D', role: 'party', kind: 'unreachable', publishedAt: NOW - 5 * DAY + 1 }))).toEqual([
      'PARTIES_NOT_NOTIFIED',
    ]);
  });
  it('OJA Art. 16: no notice recorded at all is PARTIES_NOT_NOTIFIED on `notices`', () => {
    expect(checkPublication(withNotices(), ctx())).toEqual([expect.objectContaining({ code: 'PARTIES_NOT_NOTIFIED', field: 'notices' })]);
  });
  it('OJA Art. 16: each late notice is reported on its own', () => {
    const late = { role: 'party' as const, kind: 'notified' as const, at: NOW };
    expect(checkPublication(withNotices({ party: 'A', ...late }, NOTICES[0]!, { party: 'B', ...late }), ctx()).map((v) => v.field)).toEqual([
      'notices[0]',
      'notices[2]',
    ]);
  });
});

describe('disclosures (OJA Art. 13)', () => {
  it.each(DISCLOSURE_FIELDS.map((f) => [f]))('OJA Art. 13: a missing %s is DISCLOSURE_MISSING naming it', (field) => {
    for (const value of [undefined, null, '', '   ']) {
      const vs = checkPublication(draft({ disclosures: { ...ALL_DISCLOSURES, [field]: value } }), ctx());
      expect(vs).toEqual([
        expect.objectContaining({ code: 'DISCLOSURE_MISSING', field: `disclosures.${field}`, article: expect.stringMatching(/^OJA Art\. 13\(\d+\)$/) }),
      ]);
    }
  });
  it('OJA Art. 13: with nothing disclosed, all eight are reported, one per field', () => {
    const vs = checkPublication(draft({ disclosures: {} }), ctx());
    expect(vs.map((v) => v.field)).toEqual(DISCLOSURE_FIELDS.map((f) => `disclosures.${f}`));
  });
  it('OJA Art. 13(6): "无" (none) is a valid priority-holder statement', () => {
    expect(codes(draft({ disclosures: { ...ALL_DISCLOSURES, priorityHolders: '无' } }))).toEqual([]);
  });
});

describe('all violations at once', () => {
  it('reports every broken rule of a draft, not just the first', () => {
    const d = draft({
      startingPrice: START - 1, // OJA 10
      deposit: 1, // OJA 17
      increment: 0, // OJA 20
      startsAt: NOW + 10 * DAY, // OJA 12
      endsAt: NOW + 10 * DAY + HOUR, // OJA 20
      notices: [{ party: 'A', role: 'party', kind: 'notified', at: NOW }], // OJA 16
      disclosures: { ...ALL_DISCLOSURES, courtContact: '' }, // OJA 13
    });
    expect(codes(d)).toEqual([
      'START_PRICE_BELOW_FLOOR',
      'DEPOSIT_OUT_OF_RANGE',
      'INCREMENT_INVALID',
      'BIDDING_TOO_SHORT',
      'ANNOUNCEMENT_TOO_SHORT',
      'PARTIES_NOT_NOTIFIED',
      'DISCLOSURE_MISSING',
    ]);
  });
});

describe('messages', () => {
  it('state the profile’s numbers, not numbers copied into the text', () => {
    const d = draft({ startsAt: NOW + DAY, endsAt: NOW + DAY + HOUR, deposit: 1 });
    const messages = checkPublication(d, ctx()).map((v) => v.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'the deposit is 5 %–20 % of the starting price',
        'bidding lasts at least 24 h',
        'the announcement must be published at least 30 d before the start',
      ]),
    );
    const sandbox = checkPublication(draft({ startsAt: NOW + SEC, endsAt: NOW + 2 * SEC }), ctx({ profile: SANDBOX }));
    expect(sandbox.map((v) => v.message)).toEqual([
      'bidding lasts at least 8 s',
      'the announcement must be published at least 2 s before the start',
    ]);
  });
  it('describeMs picks the largest whole unit', () => {
    expect([30 * DAY, 2 * DAY, DAY, 36 * HOUR, 5 * 60 * SEC, 3 * SEC, 1500].map(describeMs)).toEqual([
      '30 d',
      '2 d',
      '24 h',
      '36 h',
      '5 min',
      '3 s',
      '1500 ms',
    ]);
  });
});

describe('sandbox profile', () => {
  it('a lot announced now, starting in 2 s and ending 8 s later passes with notices sent now', () => {
    const d = draft({
      startsAt: NOW + 2 * SEC,
      endsAt: NOW + 10 * SEC,
      notices: [
        { party: 'A', role: 'party', kind: 'notified', at: NOW },
        { party: 'D', role: 'party', kind: 'unreachable', publishedAt: NOW - SEC },
      ],
    });
    expect(codes(d, ctx({ profile: SANDBOX }))).toEqual([]);
    expect(codes(d, ctx())).toEqual(['BIDDING_TOO_SHORT', 'ANNOUNCEMENT_TOO_SHORT', 'PARTIES_NOT_NOTIFIED', 'PARTIES_NOT_NOTIFIED']);
  });
});
