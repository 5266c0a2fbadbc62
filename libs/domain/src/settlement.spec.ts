import { allocateForfeitedDeposit, balanceDeadline, balanceDue, dueReminders } from './settlement.js';
import { STATUTORY } from './rules-profile.js';

const DAY = 86_400_000;

describe('settlement', () => {
  it('OJA Arts. 23, 25: the balance is the price less the applied deposit', () => {
    expect(balanceDue(1_000_000, 70_000)).toBe(930_000);
    expect(balanceDue(50_000, 70_000)).toBe(0);
    expect(() => balanceDue(1.5, 0)).toThrow();
  });

  it('OJA Art. 25: the balance deadline is the close plus the lot’s balance days', () => {
    expect(balanceDeadline(0, 10, STATUTORY)).toBe(10 * DAY);
  });

  it('reminders fall due once each, before the deadline only', () => {
    const deadline = 10 * DAY;
    expect(dueReminders(deadline - 4 * DAY, deadline, [], STATUTORY)).toEqual([]);
    expect(dueReminders(deadline - 3 * DAY, deadline, [], STATUTORY)).toEqual([3 * DAY]);
    expect(dueReminders(deadline - DAY / 2, deadline, [3 * DAY], STATUTORY)).toEqual([1 * DAY]);
    expect(dueReminders(deadline - DAY / 2, deadline, [3 * DAY, DAY], STATUTORY)).toEqual([]);
    expect(dueReminders(deadline, deadline, [], STATUTORY)).toEqual([]);
  });

  it('OJA Art. 24 ¶1: a forfeited deposit pays costs, then the shortfall, then the case debt, then other related debts', () => {
    expect(allocateForfeitedDeposit(100_000, { auctionCosts: 10_000, reauctionShortfall: 30_000, caseDebt: 50_000, otherRelatedDebts: 40_000 })).toEqual([
      { order: 1, use: 'auction_costs', amount: 10_000 },
      { order: 2, use: 'reauction_shortfall', amount: 30_000 },
      { order: 3, use: 'case_debt', amount: 50_000 },
      { order: 4, use: 'other_related_debts', amount: 10_000 },
    ]);
    // too little to go round: the earlier uses come first
    expect(allocateForfeitedDeposit(25_000, { auctionCosts: 10_000, reauctionShortfall: 30_000, caseDebt: 50_000, otherRelatedDebts: 0 }).map((l) => l.amount)).toEqual([10_000, 15_000, 0, 0]);
    // nothing known yet but the case: all of it to the case debt
    expect(allocateForfeitedDeposit(70_000, { auctionCosts: 0, reauctionShortfall: 0, caseDebt: null, otherRelatedDebts: 0 }).map((l) => l.amount)).toEqual([0, 0, 70_000, 0]);
    // the lines always add up to the deposit
    const lines = allocateForfeitedDeposit(123_457, { auctionCosts: 1, reauctionShortfall: 2, caseDebt: 3, otherRelatedDebts: 4 });
    expect(lines.reduce((s, l) => s + l.amount, 0)).toBe(123_457);
  });
});
