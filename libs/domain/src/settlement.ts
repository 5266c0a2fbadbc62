/**
 * After the hammer (成交后): the balance (尾款) and its deadline, and the statutory use of a forfeited deposit.
 */
import { assertFen } from './money.js';
import type { RulesProfile } from './rules-profile.js';

/** The balance the buyer owes: the price less the deposit applied to it (OJA Art. 23, 25). */
export function balanceDue(price: number, depositApplied: number): number {
  assertFen(price, 'price');
  assertFen(depositApplied, 'depositApplied');
  return Math.max(0, price - depositApplied);
}

/** The balance deadline: the close plus the lot's balance days (OJA Art. 25: set in the announcement). */
export function balanceDeadline(closedAt: number, balanceDueDays: number, profile: RulesProfile): number {
  return closedAt + balanceDueDays * profile.auction.balanceDayMs;
}

/** The reminders due before the deadline that have not been sent yet, latest first. */
export function dueReminders(now: number, deadline: number, sentOffsetsMs: readonly number[], profile: RulesProfile): number[] {
  return profile.auction.balanceRemindersBeforeMs.filter((before) => now >= deadline - before && now < deadline && !sentOffsetsMs.includes(before));
}

export const FORFEIT_USES = ['auction_costs', 'reauction_shortfall', 'case_debt', 'other_related_debts'] as const;
export type ForfeitUse = (typeof FORFEIT_USES)[number];

export interface ForfeitAllocationLine {
  order: 1 | 2 | 3 | 4;
  use: ForfeitUse;
  amount: number;
}

/**
 * OJA Art. 24 ¶1: a forfeited deposit pays, in this order, (1) the costs and losses the auction caused,
 * (2) the shortfall of the re-auction price below the original price, (3) the debtor's debt in this case,
 * (4) the debtor's other debts related to the property. Each use takes what it needs from what is left;
 * anything left after (4) stays with (3), the case (a deposit is never handed back to the defaulter).
 */
export function allocateForfeitedDeposit(
  amount: number,
  needs: { auctionCosts: number; reauctionShortfall: number; caseDebt: number | null; otherRelatedDebts: number },
): ForfeitAllocationLine[] {
  assertFen(amount, 'amount');
  let left = amount;
  const take = (need: number): number => {
    const x = Math.min(left, Math.max(0, need));
    left -= x;
    return x;
  };
  const costs = take(needs.auctionCosts);
  const shortfall = take(needs.reauctionShortfall);
  const caseDebt = take(needs.caseDebt ?? Number.MAX_SAFE_INTEGER);
  const other = take(needs.otherRelatedDebts);
  const lines: ForfeitAllocationLine[] = [
    { order: 1, use: 'auction_costs', amount: costs },
    { order: 2, use: 'reauction_shortfall', amount: shortfall },
    { order: 3, use: 'case_debt', amount: caseDebt + left },
    { order: 4, use: 'other_related_debts', amount: other },
  ];
  return lines;
}
