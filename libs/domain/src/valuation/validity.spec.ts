import { STATUTORY, SANDBOX } from '../rules-profile.js';
import { checkSubmittedValidity, validityCheck } from './validity.js';

const DAY = 86_400_000;
const VALID_UNTIL = Date.UTC(2027, 0, 31, 15, 59, 59, 999);
const GRACE = STATUTORY.valuation.graceAfterExpiryMs;

describe('validity of the reference price (有效期), RPR Art. 27', () => {
  const online = { method: 'online_inquiry' as const, validUntil: VALID_UNTIL };
  const appraisal = { method: 'appraisal' as const, validUntil: VALID_UNTIL };

  it('Art. 27 ¶3: announcement exactly at the end of the validity and sale exactly 6 months later → no new price needed', () => {
    expect(validityCheck(online, VALID_UNTIL, VALID_UNTIL + GRACE, STATUTORY)).toEqual({ ok: true, saleLatestAt: VALID_UNTIL + GRACE });
    expect(validityCheck(online, new Date(VALID_UNTIL), new Date(VALID_UNTIL + GRACE), STATUTORY)).toMatchObject({ ok: true });
  });

  it('Art. 27 ¶3 + Art. 11 ¶4: announcement 1 ms after the validity → REFERENCE_PRICE_EXPIRED, platforms re-issue within 3 days', () => {
    expect(validityCheck(online, VALID_UNTIL + 1, VALID_UNTIL + 2, STATUTORY)).toMatchObject({
      ok: false,
      code: 'REFERENCE_PRICE_EXPIRED',
      condition: 'announcement_after_validity',
      reissueWithinMs: 3 * DAY,
    });
  });

  it('Art. 27 ¶3 + Art. 19 ¶4: sale 1 ms past the 6-month grace → expired, the agency re-issues within 15 days', () => {
    expect(validityCheck(appraisal, VALID_UNTIL - DAY, VALID_UNTIL + GRACE + 1, STATUTORY)).toMatchObject({
      ok: false,
      code: 'REFERENCE_PRICE_EXPIRED',
      condition: 'sale_after_grace',
      reissueWithinMs: 15 * DAY,
    });
  });

  it('Art. 27: negotiated and directed prices have no re-issue (a new procedure is needed)', () => {
    expect(validityCheck({ method: 'negotiation', validUntil: VALID_UNTIL }, VALID_UNTIL + 1, null, STATUTORY)).toMatchObject({ reissueWithinMs: null });
    expect(validityCheck({ method: 'directed_inquiry', validUntil: VALID_UNTIL }, VALID_UNTIL + 1, null, STATUTORY)).toMatchObject({ reissueWithinMs: null });
  });

  it('the sale date may be unknown yet: only the announcement is checked', () => {
    expect(validityCheck(online, VALID_UNTIL, null, STATUTORY)).toMatchObject({ ok: true });
  });

  it('the sandbox shrinks the re-issue periods, not the validity rule', () => {
    expect(validityCheck(online, VALID_UNTIL + 1, null, SANDBOX)).toMatchObject({ reissueWithinMs: SANDBOX.valuation.onlineInquiryReissueMs });
  });

  it('Art. 27 ¶1: a submitted result valid for exactly one year is accepted, one ms more → VALIDITY_TOO_LONG', () => {
    const issued = Date.UTC(2026, 5, 1);
    expect(checkSubmittedValidity(issued + STATUTORY.valuation.validityMaxMs, issued, STATUTORY)).toBeNull();
    expect(checkSubmittedValidity(issued + STATUTORY.valuation.validityMaxMs + 1, issued, STATUTORY)).toMatchObject({ code: 'VALIDITY_TOO_LONG' });
    expect(checkSubmittedValidity(issued, issued, STATUTORY)).toMatchObject({ code: 'VALIDITY_INVALID' });
    expect(checkSubmittedValidity(1.5, 0, STATUTORY)).toMatchObject({ code: 'VALIDITY_INVALID' });
  });
});
