/**
 * Lots whose bidding window starts when the scenario is ready, not when they were published.
 *
 * Set-up (enrolments with deposits, watcher sockets) takes 15 s on a quiet machine and more than a minute on
 * a busy 2-core one. A lot published with a fixed start loses that time from its bidding window, and the
 * storm, the fault and the recovery then no longer fit before the end (the first cause of flaky runs). So
 * the lots are published with a start far ahead (announced: open for enrolment and `lot.watch`), and once
 * everything is ready the clerk postpones them and resumes them with the real schedule (OJA Art. 28, as a
 * court reschedules a lot): bidding starts `startInMs` later and lasts `durationMs`, however long set-up took.
 */
import { call, mapLimit, must, publishedLot } from '../../support/http-actors.mjs';
import { sleep } from '../../support/infra.mjs';

const LEAD_MS = 30 * 60_000;

/** `count` published lots, announced (start 30 minutes ahead), 90 balance days (no automatic default). */
export async function announcedLots(url, clerk, caseId, count, title) {
  return mapLimit(Array.from({ length: count }, (_, i) => i), 4, (i) => publishedLot(url, clerk, caseId, { startInMs: LEAD_MS, durationMs: 60_000, balanceDueDays: 90, title: `${title} ${i}` }));
}

/**
 * Reschedules the lots: bidding from now + `startInMs` for `durationMs` (postpone, then resume with the
 * schedule). Updates each lot's `startsAt`/`endsAt` (from the API's answer) and waits until they have begun.
 */
export async function startBidding(url, clerk, lots, { startInMs = 2500, durationMs }) {
  const startsAt = Date.now() + startInMs;
  await mapLimit(lots, 4, async (lot) => {
    must(await call(url, 'POST', `/api/lots/${lot.id}/postpone`, { reason: '法院调整拍卖时间（故障测试）' }, clerk.token), 201, `postpone ${lot.id}`);
    const view = must(
      await call(url, 'POST', `/api/lots/${lot.id}/resume`, { startsAt: new Date(startsAt).toISOString(), endsAt: new Date(startsAt + durationMs).toISOString() }, clerk.token),
      201,
      `resume ${lot.id}`,
    );
    lot.startsAt = Date.parse(view.startsAt);
    lot.endsAt = Date.parse(view.endsAt);
  });
  const first = Math.max(...lots.map((l) => l.startsAt));
  if (Date.now() < first + 200) await sleep(first + 200 - Date.now());
  return lots;
}
