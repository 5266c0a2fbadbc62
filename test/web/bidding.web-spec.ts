/**
 * Live bidding in two real browsers against the real API (sandbox rules: a lot is live seconds after
 * publication and extends by 3 s for a bid in its last 3 s):
 * bidder A registers, verifies their identity, enrols with a test card and bids; bidder B sees the price
 * change without reloading and outbids; A is told; a last-second bid extends the lot; it closes and the
 * winner sees the result, pays the balance and gets the sale confirmation.
 */
import { jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { registerBidder, residentId, uniqueEmail } from '../support/actors.js';
import { openContext, type OpenContext } from './support/browser.js';
import { loginInBrowser, publishedLot, serverNow, sleep, startCourt, type Court } from './support/scenario.js';

// Project-level testTimeout is not applied per project by Jest: set it here.
jest.setTimeout(120_000);

let court: Court;
let a: OpenContext;
let b: OpenContext;

beforeAll(async () => {
  court = await startCourt();
  [a, b] = await Promise.all([openContext(), openContext()]);
});
afterAll(async () => {
  await Promise.allSettled([a?.close(), b?.close()]);
  await court?.t.stop();
});

async function enrolWithCard(page: Page, card: 'pm_card_visa' | 'pm_card_chargeDeclined'): Promise<string> {
  await page.getByRole('radio', { name: new RegExp(card) }).check();
  await page.getByTestId('enrol-submit').click();
  if (card === 'pm_card_chargeDeclined') {
    await page.getByTestId('deposit-failed').waitFor();
    return '';
  }
  await page.getByTestId('enrolled').waitFor();
  return (await page.getByTestId('my-code').textContent())!.split('：').pop()!.trim();
}

it('register → verify → enrol → bid; a second browser outbids live; extension; close; result', async () => {
  const { t } = court;
  const lotId = await publishedLot(court, { startInMs: 6000, durationMs: 35_000, title: '浏览器测试拍品：宝马轿车一辆' });
  const lotUrl = `${t.url}/lots/${lotId}`;

  // Bidder A: everything through the browser.
  const email = uniqueEmail('web-a');
  const pa = a.page;
  await pa.goto(`${t.url}/register`);
  await pa.getByLabel('电子邮箱').fill(email);
  await pa.getByLabel('昵称').fill('竞买人甲');
  await pa.getByLabel('密码').fill('web-bidder-password');
  await pa.getByTestId('register-submit').click();
  await pa.waitForURL(/\/login\?registered=1/);
  await loginInBrowser(pa, t.url, email, 'web-bidder-password', '/account');
  await pa.getByLabel('真实姓名').fill('赵六');
  await pa.getByLabel('居民身份证号码').fill(residentId());
  await pa.getByLabel('手机号码').fill('13700137000');
  await pa.getByTestId('identity-submit').click();
  await pa.getByTestId('identity-verified').waitFor();

  await pa.goto(lotUrl);
  // A declined card is refused in words, then a good card enrols and issues the bidder code.
  await enrolWithCard(pa, 'pm_card_chargeDeclined');
  const codeA = await enrolWithCard(pa, 'pm_card_visa');
  expect(codeA).toMatch(/^\w{4,}$/);

  // Bidder B: registered and verified through the API, logs in and enrols in its own browser.
  const bidderB = await registerBidder(t);
  const pb = b.page;
  await loginInBrowser(pb, t.url, bidderB.email, 'bidder-password-1', `/lots/${lotId}`);
  await pb.waitForURL(lotUrl);
  const codeB = await enrolWithCard(pb, 'pm_card_visa');
  await pb.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

  // Wait for the start (server clock), then A opens at the starting price.
  await pa.locator('[data-testid="bid-submit"]:not([disabled])').waitFor({ timeout: 20_000 });
  await hasText(pa, 'bid-amount', '¥7,000.00');
  await hasText(pa, 'bid-capital', '柒仟元整');
  // What is typed is what is bid: text that is not an amount shows an error, disables the button and sends
  // nothing (Enter included), where an earlier valid amount used to go out; an IME's full-width digits count.
  const input = pa.getByTestId('bid-amount-input');
  for (const typed of ['7000.999', '7.5万', 'abc']) {
    await input.fill(typed);
    await pa.getByTestId('bid-amount-invalid').waitFor();
    expect(await pa.getByTestId('bid-submit').isDisabled()).toBe(true);
    await input.press('Enter');
  }
  await sleep(500);
  expect(((await t.http.get(`/api/lots/${lotId}/bids`)).body as { total: number }).total).toBe(0);
  await input.fill('７０００');
  await hasText(pa, 'bid-amount', '¥7,000.00');
  expect(await pa.getByTestId('bid-amount-invalid').count()).toBe(0);
  await pa.getByTestId('bid-submit').click();
  await pa.getByTestId('bid-accepted').waitFor();
  // The leader is not offered a bid the server would refuse.
  await pa.getByTestId('bid-leading').waitFor();
  expect(await pa.getByTestId('bid-submit').count()).toBe(0);

  // B sees it without reloading: price, leader and record come from the socket.
  await waitForText(pb, 'current-price', '¥7,000.00');
  await waitForText(pb, 'leader-code', codeA);
  expect(await pb.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  expect(await pb.getByTestId('bid-record').locator('tbody tr').count()).toBe(1);

  // B outbids by one increment (the proposed minimum); A is told in place.
  await hasText(pb, 'bid-amount', '¥7,010.00');
  await pb.getByTestId('bid-submit').click();
  await pb.getByTestId('bid-accepted').waitFor();
  await waitForText(pa, 'leader-code', codeB);
  await pa.getByTestId('outbid').waitFor();
  await hasText(pa, 'current-price', '¥7,010.00');
  // "Bid accepted" no longer stands once outbid, and the box is back.
  await pa.getByTestId('bid-accepted').waitFor({ state: 'detached' });
  await pa.getByTestId('bid-submit').waitFor();

  // A bids in the last seconds: the end moves (extension), both pages show it.
  const lot = (await t.http.get(`/api/lots/${lotId}`)).body as { endsAt: string };
  await sleep(Date.parse(lot.endsAt) - (await serverNow(t)) - 1500);
  await pa.getByTestId('bid-submit').click();
  await pa.getByTestId('bid-accepted').waitFor();
  await pa.getByTestId('extended').waitFor();
  await pb.getByTestId('extended').waitFor();
  await waitForText(pb, 'extension-count', '1');
  await waitForText(pb, 'leader-code', codeA);

  // The lot closes by itself; the winner sees the result, the other bidder sees they lost.
  await pa.getByTestId('lot-result').waitFor({ timeout: 20_000 });
  await pa.getByTestId('won').waitFor();
  await waitForText(pa, 'lot-result', `竞买号 ${codeA}，成交价 ¥7,020.00`);
  // The winner's settlement: balance = price − deposit, paid with a test card; the confirmation PDF.
  await pa.getByTestId('settlement').waitFor();
  await pa.getByTestId('pay-balance').click();
  await pa.getByTestId('balance-paid').waitFor();
  const pdf = await pa.request.get(`${t.url}/api/lots/${lotId}/confirmation.pdf`);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()['content-type']).toContain('application/pdf');
  await pb.getByTestId('lot-result').waitFor();
  expect(await pb.getByTestId('won').count()).toBe(0);
  const result = (await t.http.get(`/api/lots/${lotId}/result`)).body as { outcome: string; bidderCode: string; price: number };
  expect(result).toMatchObject({ outcome: 'sold', bidderCode: codeA, price: 702_000 });
});

async function waitForText(page: Page, testId: string, text: string): Promise<void> {
  await page.getByTestId(testId).filter({ hasText: text }).waitFor();
}

/** Polls until the element has exactly this text (no @playwright/test here, only playwright-core). */
async function hasText(page: Page, testId: string, text: string): Promise<void> {
  const locator = page.getByTestId(testId);
  await locator.filter({ hasText: text }).waitFor();
  expect((await locator.textContent())?.trim()).toBe(text);
}
